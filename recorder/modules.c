/*
 * modules.c - tell the trace which ELF objects are mapped, and when.
 *
 * modules_rescan() walks dl_iterate_phdr() and compares with the last
 * walk: new objects get a MODULE_LOAD record (path, load bias, PT_LOAD
 * segments, GNU build-id), vanished ones a MODULE_UNLOAD.  The loader's
 * adds/subs counters make a walk with no change cost one callback.
 *
 * When: at start, before any stack; whenever a new stack is defined (so
 * the objects its frames run through are defined before it); every writer
 * tick (so a dlopen is seen within ~10 ms); and just before and just after
 * the real dlclose, so an object is always seen before it goes away and
 * its unload time is exact.  dlopen() itself is deliberately not hooked: glibc picks
 * the search path ($ORIGIN, RUNPATH) from the caller's address, which a
 * hook would change.  The load time of a dlopen'ed object is therefore
 * "seen by", at most a tick late; readers map addresses by range.
 *
 * Records are built in a private buffer while the loader's list is being
 * walked and put in the definitions buffer only after, so no loader lock
 * is held while waiting for room there.  The writer only ever tries
 * modules_lock: a thread holding it may be waiting for the writer.
 *
 * Paths are stored absolute and with symlinks resolved, so that a trace
 * analyzed from another folder still finds a plugin dlopen'ed as
 * "./libx.so": the loader keeps the name it was given, the kernel's
 * /proc/self/maps names the file that is mapped (see resolve_path() for
 * the file name kept).  The maps are read (with
 * read(2), into pages of our own) at most once per walk that meets a new
 * object, while the loader's lock is held, so every object the walk meets
 * is already mapped in that snapshot.
 *
 * Owns: the table of known objects, the record buffer and the maps
 * snapshot, under modules_lock.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "recorder.h"

#define MODULES_MAX 4096

struct known_module {
	uintptr_t base;
	uintptr_t first_vaddr;	/* with base and name, identifies it */
	uint64_t name_hash;
	uint64_t id;
	int seen;
};

#define RECORDS_SIZE (256u << 10)

static pthread_mutex_t modules_lock = PTHREAD_MUTEX_INITIALIZER;
/* protects: everything below */
static struct known_module *known;
static uint8_t *records;		/* built during a walk */
static size_t records_len;
static unsigned known_count;
static uint64_t next_module_id = 1;
static unsigned long long last_adds, last_subs;
static int scanned_once;
static char exe_path[4096];
static char *maps;			/* /proc/self/maps, this walk's */
static size_t maps_len, maps_cap;
static int maps_read;			/* in this walk (or tried) */
static char resolved[4096];

#define MAPS_CAP_MAX (64u << 20)

/* Reads /proc/self/maps into maps (grown as needed); maps_len 0 on error. */
static void
maps_snapshot(void)
{
	maps_read = 1;
	maps_len = 0;
	for (;;) {
		ssize_t n;
		int fd;

		if (maps == NULL) {
			maps_cap = maps_cap ? maps_cap : 256u << 10;
			if ((maps = rec_map(maps_cap)) == NULL)
				return;
		}
		fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return;
		maps_len = 0;
		while (maps_len < maps_cap && (n = read(fd, maps + maps_len,
		    maps_cap - maps_len)) > 0)
			maps_len += (size_t)n;
		close(fd);
		if (maps_len < maps_cap)
			return;
		/* Full: perhaps cut short.  Read again into twice the room. */
		rec_unmap(maps, maps_cap);
		maps = NULL;
		maps_len = 0;
		if (maps_cap >= MAPS_CAP_MAX)
			return;
		maps_cap *= 2;
	}
}

static uintptr_t
parse_hex(const char **p, const char *end)
{
	uintptr_t v = 0;

	for (; *p < end; (*p)++) {
		char c = **p;

		if (c >= '0' && c <= '9')
			v = v * 16 + (uintptr_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (uintptr_t)(c - 'a' + 10);
		else
			break;
	}
	return v;
}

static void
skip_spaces(const char **p, const char *end)
{
	while (*p < end && **p == ' ')
		(*p)++;
}

/*
 * The file mapped at ADDR, as the kernel names it (absolute, resolved),
 * in resolved[], with its device and inode; or NULL if not file-backed,
 * deleted, or not known.  A line: "start-end perms offset dev inode path".
 */
static const char *
mapped_path(uintptr_t addr, dev_t *dev, ino_t *ino)
{
	const char *p = maps, *end = maps + maps_len;

	if (!maps_read)
		maps_snapshot();
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *q = p;
		uintptr_t lo, hi, major, minor;
		size_t len;

		if (eol == NULL)
			eol = end;
		lo = parse_hex(&q, eol);
		if (q < eol && *q == '-')
			q++;
		hi = parse_hex(&q, eol);
		if (lo > addr)
			return NULL;	/* sorted by address: passed it */
		if (addr >= hi) {
			p = eol + 1;
			continue;
		}
		/* Skip perms and offset. */
		skip_spaces(&q, eol);
		while (q < eol && *q != ' ')
			q++;
		skip_spaces(&q, eol);
		parse_hex(&q, eol);
		skip_spaces(&q, eol);
		major = parse_hex(&q, eol);
		if (q < eol && *q == ':')
			q++;
		minor = parse_hex(&q, eol);
		*dev = makedev(major, minor);
		skip_spaces(&q, eol);
		for (*ino = 0; q < eol && *q >= '0' && *q <= '9'; q++)
			*ino = *ino * 10 + (ino_t)(*q - '0');
		skip_spaces(&q, eol);
		len = (size_t)(eol - q);
		if (len == 0 || *q != '/' || len >= sizeof resolved ||
		    (len > 10 && memcmp(eol - 10, " (deleted)", 10) == 0))
			return NULL;
		memcpy(resolved, q, len);
		resolved[len] = '\0';
		return resolved;
	}
	return NULL;
}

/*
 * NAME (the loader's) made absolute and resolved: the kernel's path of
 * the file mapped at ADDR, so "./libx.so" is found from any folder.  The
 * loader's file name is kept when it names that same file in the
 * resolved folder (a soname link: libz.so.1, not libz.so.1.2.13), so
 * modules keep the names their users know.  NAME itself if unknown.
 */
static const char *
resolve_path(const char *name, uintptr_t addr)
{
	const char *real, *base = strrchr(name, '/'), *slash;
	dev_t dev;
	ino_t ino;
	struct stat st;
	size_t dir_len, base_len;

	if ((real = mapped_path(addr, &dev, &ino)) == NULL)
		return name;
	base = base ? base + 1 : name;
	slash = strrchr(real, '/');
	dir_len = (size_t)(slash + 1 - real);
	base_len = strlen(base);
	if (base_len == 0 || strcmp(slash + 1, base) == 0 ||
	    dir_len + base_len >= sizeof resolved)
		return real;
	memmove(resolved + dir_len, base, base_len + 1);
	if (stat(resolved, &st) == 0 && st.st_dev == dev && st.st_ino == ino)
		return resolved;
	return mapped_path(addr, &dev, &ino);	/* the kernel's, again */
}

static uintptr_t
first_load_vaddr(const struct dl_phdr_info *info)
{
	int i;

	for (i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_LOAD)
			return info->dlpi_phdr[i].p_vaddr;
	return 0;
}

/* Finds the GNU build-id note in the mapped PT_NOTE segments. */
static size_t
find_build_id(const struct dl_phdr_info *info, const uint8_t **id)
{
	int i;

	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const uint8_t *p, *end;

		if (ph->p_type != PT_NOTE)
			continue;
		p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr);
		end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
			size_t name = (nh->n_namesz + 3) & ~3u;
			size_t desc = (nh->n_descsz + 3) & ~3u;
			const uint8_t *n = p + sizeof *nh;

			if (n + name + desc > end)
				break;
			if (nh->n_type == NT_GNU_BUILD_ID &&
			    nh->n_namesz == 4 && memcmp(n, "GNU", 4) == 0 &&
			    nh->n_descsz <= HT_BUILD_ID_MAX) {
				*id = n + name;
				return nh->n_descsz;
			}
			p = n + name + desc;
		}
	}
	return 0;
}

static void
define_load(const struct dl_phdr_info *info, uint64_t id)
{
	const char *path = info->dlpi_name;
	const uint8_t *build_id = NULL;
	size_t build_id_len, path_len, nseg = 0;
	uint8_t *p;
	int i;

	if (path == NULL || path[0] == '\0') {
		path = exe_path;
	} else {
		uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);

		path = resolve_path(path, (info->dlpi_addr +
		    first_load_vaddr(info)) & ~(page - 1));
	}
	path_len = strnlen(path, sizeof exe_path);
	build_id_len = find_build_id(info, &build_id);
	for (i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_LOAD)
			nseg++;
	if (nseg > HT_SEGMENTS_MAX)
		nseg = HT_SEGMENTS_MAX;

	if (records_len + 1 + 5 * HT_VARINT_MAX + path_len +
	    nseg * 3 * HT_VARINT_MAX + build_id_len > RECORDS_SIZE)
		return;		/* thousands of objects at once: too many */
	p = records + records_len;
	*p++ = HT_TAG_MODULE_LOAD;
	p = ht_put_varint(p, id);
	p = ht_put_varint(p, rec_now());
	p = ht_put_bytes(p, path, path_len);
	p = ht_put_varint(p, info->dlpi_addr);
	p = ht_put_varint(p, nseg);
	for (i = 0; i < info->dlpi_phnum && nseg > 0; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD)
			continue;
		p = ht_put_varint(p, ph->p_vaddr);
		p = ht_put_varint(p, ph->p_memsz);
		p = ht_put_varint(p, ph->p_flags);
		nseg--;
	}
	p = ht_put_bytes(p, build_id, build_id_len);
	records_len = (size_t)(p - records);
}

static void
define_unload(uint64_t id)
{
	uint8_t *p = records + records_len;

	if (records_len + 1 + 2 * HT_VARINT_MAX > RECORDS_SIZE)
		return;
	*p++ = HT_TAG_MODULE_UNLOAD;
	p = ht_put_varint(p, id);
	p = ht_put_varint(p, rec_now());
	records_len = (size_t)(p - records);
}

static uint64_t
name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;	/* FNV-1a */

	for (; s != NULL && *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	return h;
}

static int
rescan_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	int *first = arg;
	uintptr_t vaddr;
	uint64_t hash;
	unsigned i;

	if (*first) {
		*first = 0;
		if (size >= offsetof(struct dl_phdr_info, dlpi_subs) +
		    sizeof info->dlpi_subs) {
			if (scanned_once && info->dlpi_adds == last_adds &&
			    info->dlpi_subs == last_subs)
				return 1;	/* nothing changed */
			last_adds = info->dlpi_adds;
			last_subs = info->dlpi_subs;
		}
	}
	vaddr = first_load_vaddr(info);
	hash = name_hash(info->dlpi_name);
	for (i = 0; i < known_count; i++) {
		if (known[i].base == info->dlpi_addr &&
		    known[i].first_vaddr == vaddr &&
		    known[i].name_hash == hash) {
			known[i].seen = 1;
			return 0;
		}
	}
	if (known_count == MODULES_MAX)
		return 0;
	known[known_count].base = info->dlpi_addr;
	known[known_count].first_vaddr = vaddr;
	known[known_count].name_hash = hash;
	known[known_count].id = next_module_id++;
	known[known_count].seen = 1;
	define_load(info, known[known_count].id);
	known_count++;
	return 0;
}

/* Around fork (recorder.c): no rescan, so no loader lock, in flight. */
void
modules_fork_prepare(void)
{
	pthread_mutex_lock(&modules_lock);
}

void
modules_fork_parent(void)
{
	pthread_mutex_unlock(&modules_lock);
}

/* In a fork child: every module is defined again in the child's trace. */
void
modules_after_fork(void)
{
	pthread_mutex_init(&modules_lock, NULL);
	known_count = 0;
	scanned_once = 0;
	last_adds = last_subs = 0;
	next_module_id = 1;
}

void
modules_rescan(int from_writer)
{
	int first = 1;
	unsigned i, j;

	if (from_writer) {
		if (pthread_mutex_trylock(&modules_lock) != 0)
			return;		/* someone else is at it */
	} else {
		pthread_mutex_lock(&modules_lock);
	}
	if (known == NULL) {
		ssize_t n;

		known = rec_map(sizeof *known * MODULES_MAX);
		records = rec_map(RECORDS_SIZE);
		n = readlink("/proc/self/exe", exe_path, sizeof exe_path - 1);
		exe_path[n > 0 ? n : 0] = '\0';
		if (known == NULL || records == NULL) {
			rec_unmap(known, sizeof *known * MODULES_MAX);
			known = NULL;
			pthread_mutex_unlock(&modules_lock);
			return;
		}
	}
	records_len = 0;
	maps_read = 0;
	for (i = 0; i < known_count; i++)
		known[i].seen = 0;
	if (dl_iterate_phdr(rescan_cb, &first) == 1) {
		/* Unchanged since the last walk. */
		for (i = 0; i < known_count; i++)
			known[i].seen = 1;
	}
	scanned_once = 1;
	for (i = j = 0; i < known_count; i++) {
		if (known[i].seen) {
			known[j++] = known[i];
		} else {
			define_unload(known[i].id);
			stack_table_forget();
		}
	}
	known_count = j;
	/* The loader's lock is released: now wait for room if need be. */
	if (records_len > 0) {
		uint8_t *p = defs_reserve(records_len);

		if (p != NULL) {
			memcpy(p, records, records_len);
			defs_commit(p + records_len);
		}
	}
	pthread_mutex_unlock(&modules_lock);
}

static int
self_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	uintptr_t *range = arg, lo = UINTPTR_MAX, hi = 0;
	uintptr_t me = (uintptr_t)&modules_self_range;
	int i;

	(void)size;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t a = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		if (a < lo)
			lo = a;
		if (a + ph->p_memsz > hi)
			hi = a + ph->p_memsz;
	}
	if (me >= lo && me < hi) {
		range[0] = lo;
		range[1] = hi;
		return 1;
	}
	return 0;
}

void
modules_self_range(uintptr_t *lo, uintptr_t *hi)
{
	uintptr_t range[2] = { 0, 0 };

	dl_iterate_phdr(self_cb, range);
	*lo = range[0];
	*hi = range[1];
}
