/*
 * daemon.c - what daemons do to their process, for test-daemon.sh.
 *
 * usage: daemon OUTFILE
 * Allocates 100 blocks of 333 bytes; closes every descriptor above 2
 * (one by one, then with close_range and closefrom); changes directory
 * to / and clears its environment; opens OUTFILE (an absolute path),
 * writes "hello", dup2s it onto every number from 3 to 19, writes
 * "world" through one of them; then allocates 100 more blocks of 333
 * bytes and frees 50 (150 live).  OUTFILE must end up holding exactly
 * "hello\nworld\n": nothing of the trace may land in it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	void *b[200];
	char path[4096];
	int i, fd;

	if (argc < 2 || strlen(argv[1]) >= sizeof path)
		return 2;
	strcpy(path, argv[1]);
	for (i = 0; i < 100; i++)
		b[i] = malloc(333);
	for (fd = 3; fd < 1024; fd++)
		close(fd);
	close_range(3, ~0U, 0);
	closefrom(3);
	if (chdir("/") != 0 || clearenv() != 0)
		return 1;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "hello\n", 6) != 6)
		return 1;
	for (i = 3; i < 20; i++)
		if (i != fd && dup2(fd, i) != i)
			return 1;
	if (write(7, "world\n", 6) != 6)
		return 1;
	for (i = 100; i < 200; i++)
		b[i] = malloc(333);
	for (i = 0; i < 50; i++)
		free(b[i]);
	return 0;
}
