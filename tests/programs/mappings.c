/*
 * mappings.c - anonymous mappings made by the program itself, for
 * test-mappings.sh.  Page size is taken as 4096 in the comments.
 *
 *   8 arenas of 256 KiB (make_arena), 3 unmapped again:   5 live
 *   arena 5: its middle 64 KiB unmapped (split in two):    192 KiB left
 *   arena 6: grown by mremap to 512 KiB (grow_arena)
 *   arena 7: its first 64 KiB replaced by a MAP_FIXED mapping (fixed_over)
 *   a 1 MiB PROT_NONE reservation (not memory: not counted)
 *   a 64 KiB file mapping (not anonymous: not counted)
 *   a malloc of 4 MiB (glibc maps it itself: a heap block, not a mapping)
 * Live at the end, mapped: arenas 3 and 4 (512 KiB), arena 5 (192 KiB),
 * arena 6 (512 KiB), arena 7 (192 KiB kept + 64 KiB fixed) = 1472 KiB.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define KIB 1024

void *volatile sink;

static __attribute__((noinline)) char *
make_arena(void)
{
	char *p = mmap(NULL, 256 * KIB, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	p[0] = 1;
	return p;
}

static __attribute__((noinline)) char *
grow_arena(char *p)
{
	char *q = mremap(p, 256 * KIB, 512 * KIB, MREMAP_MAYMOVE);

	if (q == MAP_FAILED) {
		perror("mremap");
		exit(1);
	}
	return q;
}

static __attribute__((noinline)) void
fixed_over(char *p)
{
	if (mmap(p, 64 * KIB, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
		perror("mmap fixed");
		exit(1);
	}
}

int
main(void)
{
	char *arena[8];
	void *reserved, *file;
	int i, fd;

	for (i = 0; i < 8; i++)
		arena[i] = make_arena();
	for (i = 0; i < 3; i++)
		munmap(arena[i], 256 * KIB);
	munmap(arena[5] + 96 * KIB, 64 * KIB);
	arena[6] = grow_arena(arena[6]);
	fixed_over(arena[7]);

	reserved = mmap(NULL, 1024 * KIB, PROT_NONE, MAP_PRIVATE |
	    MAP_ANONYMOUS, -1, 0);
	fd = open("/proc/self/exe", O_RDONLY);
	file = mmap(NULL, 64 * KIB, PROT_READ, MAP_PRIVATE, fd, 0);
	sink = malloc(4096 * KIB);
	printf("%p %p\n", reserved, file);
	return 0;
}
