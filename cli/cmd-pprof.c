/*
 * cmd-pprof.c - `heaptrail pprof`: the run as a heap profile in pprof's
 * profile.proto, gzipped, for `go tool pprof`, pprof, speedscope and the
 * continuous profilers (Pyroscope, Parca, Cloud Profiler).
 *
 * It has the sample types of Go's heap profiles, in their order:
 * alloc_objects/count and alloc_space/bytes (what the run allocated; up
 * to TIME with --at, to a time bucket's precision), inuse_objects/count
 * and inuse_space/bytes (live at the end of the work, or at TIME), the
 * last the default.  One sample per recorded stack, labelled with its
 * site's class (`go tool pprof -tagfocus class=leak`).
 *
 * A sample's stack starts at its site's frame, as a Go heap profile's
 * starts at the caller of the allocator: the frames inside the allocator
 * and the library code it was called through (operator new,
 * std::vector's growth, alloc::raw_vec) are left out, so that pprof's
 * "flat" figures are the sites `heaptrail sites` lists.  A location is
 * one return address (less one: inside the call instruction, as Go's
 * profiles have it) with its inline chain as lines, innermost first; the
 * site's location starts at the site's frame of that chain, so it is a
 * location of its own when the site is an outer frame of an inline
 * chain.  Every location has a function (MODULE+0xOFFSET where the
 * analysis found no name), so pprof never symbolizes again; mappings say
 * so, with each module's path, build-id and text range.
 *
 * The profile is written to FILE.tmp and renamed, so a failed write
 * leaves no half profile behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "../analyzer/analyzer.h"
#include "../query/live.h"
#include "../util/protobuf.h"
#include "../util/xmalloc.h"
#include "cli.h"
#include "query.h"

/* profile.proto's field numbers. */
enum {
	PROFILE_SAMPLE_TYPE = 1, PROFILE_SAMPLE, PROFILE_MAPPING,
	PROFILE_LOCATION, PROFILE_FUNCTION, PROFILE_STRING_TABLE,
	PROFILE_TIME_NANOS = 9, PROFILE_DURATION_NANOS, PROFILE_PERIOD_TYPE,
	PROFILE_PERIOD, PROFILE_COMMENT, PROFILE_DEFAULT_SAMPLE_TYPE,
	VALUE_TYPE_TYPE = 1, VALUE_TYPE_UNIT,
	SAMPLE_LOCATION_ID = 1, SAMPLE_VALUE, SAMPLE_LABEL,
	LABEL_KEY = 1, LABEL_STR,
	MAPPING_ID = 1, MAPPING_MEMORY_START, MAPPING_MEMORY_LIMIT,
	MAPPING_FILE_OFFSET, MAPPING_FILENAME, MAPPING_BUILD_ID,
	MAPPING_HAS_FUNCTIONS, MAPPING_HAS_FILENAMES,
	MAPPING_HAS_LINE_NUMBERS, MAPPING_HAS_INLINE_FRAMES,
	LOCATION_ID = 1, LOCATION_MAPPING_ID, LOCATION_ADDRESS, LOCATION_LINE,
	LINE_FUNCTION_ID = 1, LINE_LINE,
	FUNCTION_ID = 1, FUNCTION_NAME, FUNCTION_SYSTEM_NAME,
	FUNCTION_FILENAME,
};

/* --- strings, interned --------------------------------------------------- */

/*
 * Distinct strings, each with its index in V: the profile's string table
 * (index 0 is ""), and the functions by "name\037file".
 */
struct intern {
	char **v;
	size_t n, cap;
	uint32_t *slots;	/* open addressing: index + 1, 0 empty */
	size_t nslots;		/* a power of two, at least 2n */
};

static uint64_t
intern_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* The slot of S: where it is, or the empty one where it would go. */
static uint32_t *
intern_slot(const struct intern *t, const char *s)
{
	size_t i = (size_t)intern_hash(s) & (t->nslots - 1);

	while (t->slots[i] != 0 && strcmp(t->v[t->slots[i] - 1], s) != 0)
		i = (i + 1) & (t->nslots - 1);
	return &t->slots[i];
}

static void
intern_grow(struct intern *t)
{
	size_t i;

	free(t->slots);
	t->nslots = t->nslots ? t->nslots * 2 : 1024;
	t->slots = xcalloc(t->nslots, sizeof *t->slots);
	for (i = 0; i < t->n; i++)
		*intern_slot(t, t->v[i]) = (uint32_t)(i + 1);
}

/* S's index, S added if new. */
static uint64_t
intern(struct intern *t, const char *s)
{
	uint32_t *slot;

	if (2 * (t->n + 1) > t->nslots)
		intern_grow(t);
	slot = intern_slot(t, s);
	if (*slot == 0) {
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 1024;
			t->v = xreallocarray(t->v, t->cap, sizeof *t->v);
		}
		t->v[t->n++] = xstrdup(s);
		*slot = (uint32_t)t->n;
	}
	return *slot - 1;
}

/* S's index, or -1 if it is not there. */
static long
intern_find(const struct intern *t, const char *s)
{
	return t->nslots == 0 ? -1 : (long)*intern_slot(t, s) - 1;
}

static void
intern_free(struct intern *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	free(t->slots);
}

/* --- the profile as it is put together ---------------------------------- */

/* One line of a location: a frame of an inline chain. */
struct pp_line {
	uint32_t function;	/* index in functions */
	int64_t line;
};

/* A return address (the frames table's rows of it). */
struct pp_address {
	uint64_t address;
	uint32_t mapping;	/* mapping id, 0: none */
	uint32_t first, nlines;	/* its lines, depth 0 (innermost) first */
	uint32_t *from_depth;	/* [nlines] or NULL: id of the location of
				   its lines from depth d outwards (d > 0),
				   0 until one is needed */
};

struct pp_mapping {
	int64_t module_id;
	uint64_t start, limit, offset;
	uint64_t filename, build_id;	/* string indexes */
	int has_filenames, has_lines;
};

/* A site: which frame of its stacks it is. */
struct pp_site {
	int64_t id;
	long function;		/* index in functions, -1: none */
	int64_t line;
};

struct profile {
	struct intern strings;
	struct intern functions;	/* "name\037file", by function id - 1 */
	struct pp_address *addresses;	/* by address */
	size_t naddresses;
	struct pp_line *lines;
	size_t nlines;
	uint32_t next_location;	/* beyond the addresses' own ids */
	struct pp_mapping *mappings;	/* by module id */
	size_t nmappings;
	struct pp_site *sites;	/* by id */
	size_t nsites;
	struct pb out, sub, sub2;	/* the profile; scratch messages */
	size_t nsamples;
};

/* Column I as text, "" when NULL. */
static const char *
pp_text(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s != NULL ? s : "";
}

/* The index of function NAME of FILE, added if new. */
static uint32_t
pp_function(struct profile *p, const char *name, const char *file)
{
	char *key = xasprintf("%s\037%s", name, file);
	uint64_t i = intern(&p->functions, key);

	free(key);
	return (uint32_t)i;
}

static int
by_module_id(const void *a, const void *b)
{
	int64_t x = ((const struct pp_mapping *)a)->module_id;
	int64_t y = ((const struct pp_mapping *)b)->module_id;

	return x < y ? -1 : x > y;
}

/* The mapping id of module ID, 0 if none. */
static uint32_t
pp_mapping_of(const struct profile *p, int64_t id)
{
	struct pp_mapping key, *m;

	key.module_id = id;
	m = bsearch(&key, p->mappings, p->nmappings, sizeof *p->mappings,
	    by_module_id);
	return m != NULL ? (uint32_t)(m - p->mappings + 1) : 0;
}

/*
 * Where in PATH's file the text mapped at START (link-time address
 * VADDR) is: the offset of the loadable segment that holds it.  pprof
 * needs it only to symbolize by itself, which these profiles never ask
 * of it; when the file cannot be read, VADDR, which is the offset in the
 * usual layouts.
 */
static uint64_t
pp_file_offset(const char *path, uint64_t vaddr)
{
	uint64_t offset = vaddr;
	GElf_Phdr ph;
	size_t i, n;
	Elf *elf;
	int fd;

	if (elf_version(EV_CURRENT) == EV_NONE ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return offset;
	if ((elf = elf_begin(fd, ELF_C_READ, NULL)) != NULL &&
	    elf_getphdrnum(elf, &n) == 0)
		for (i = 0; i < n; i++)
			if (gelf_getphdr(elf, (int)i, &ph) != NULL &&
			    ph.p_type == PT_LOAD && vaddr >= ph.p_vaddr &&
			    vaddr < ph.p_vaddr + ph.p_memsz) {
				offset = ph.p_offset + (vaddr - ph.p_vaddr);
				break;
			}
	elf_end(elf);
	close(fd);
	return offset;
}

static int
pp_load_mappings(sqlite3 *db, struct profile *p)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT id, path, build_id, base,"
	    " coalesce(text_start, base), coalesce(text_end, base) FROM"
	    " modules ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return query_sql_failed(db);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct pp_mapping *m;
		uint64_t base = (uint64_t)sqlite3_column_int64(st, 3);
		const char *path = pp_text(st, 1);

		if (p->nmappings == cap) {
			cap = cap ? cap * 2 : 64;
			p->mappings = xreallocarray(p->mappings, cap,
			    sizeof *p->mappings);
		}
		m = &p->mappings[p->nmappings++];
		memset(m, 0, sizeof *m);
		m->module_id = sqlite3_column_int64(st, 0);
		m->filename = intern(&p->strings, path);
		m->build_id = intern(&p->strings, pp_text(st, 2));
		m->start = (uint64_t)sqlite3_column_int64(st, 4);
		m->limit = (uint64_t)sqlite3_column_int64(st, 5);
		m->offset = path[0] == '/' ?
		    pp_file_offset(path, m->start - base) : m->start - base;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : query_sql_failed(db);
}

/* Every return address's inline chain, from the frames table. */
static int
pp_load_addresses(sqlite3 *db, struct profile *p)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0, lines_cap = 0;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT address, module_id, function,"
	    " file, line FROM frames ORDER BY address, depth", -1, &st,
	    NULL) != SQLITE_OK)
		return query_sql_failed(db);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t addr = (uint64_t)sqlite3_column_int64(st, 0);
		const char *fn = (const char *)sqlite3_column_text(st, 2);
		const char *file = pp_text(st, 3);
		struct pp_address *a;
		struct pp_mapping *m;
		char *unnamed = NULL;

		if (p->naddresses == 0 ||
		    p->addresses[p->naddresses - 1].address != addr) {
			if (p->naddresses == cap) {
				cap = cap ? cap * 2 : 1024;
				p->addresses = xreallocarray(p->addresses, cap,
				    sizeof *p->addresses);
			}
			a = &p->addresses[p->naddresses++];
			a->address = addr;
			a->mapping = sqlite3_column_type(st, 1) == SQLITE_NULL ?
			    0 : pp_mapping_of(p, sqlite3_column_int64(st, 1));
			a->first = (uint32_t)p->nlines;
			a->nlines = 0;
			a->from_depth = NULL;
		}
		a = &p->addresses[p->naddresses - 1];
		if (fn == NULL)		/* in no module: the analysis names
					   the others */
			fn = unnamed = xasprintf("0x%llx",
			    (unsigned long long)addr);
		if (p->nlines == lines_cap) {
			lines_cap = lines_cap ? lines_cap * 2 : 4096;
			p->lines = xreallocarray(p->lines, lines_cap,
			    sizeof *p->lines);
		}
		p->lines[p->nlines].function = pp_function(p, fn, file);
		p->lines[p->nlines].line = sqlite3_column_int64(st, 4);
		p->nlines++;
		a->nlines++;
		free(unnamed);
		if (a->mapping != 0) {
			m = &p->mappings[a->mapping - 1];
			m->has_filenames |= *file != '\0';
			m->has_lines |= sqlite3_column_int64(st, 4) > 0;
		}
	}
	sqlite3_finalize(st);
	p->next_location = (uint32_t)p->naddresses + 1;
	return rc == SQLITE_DONE ? 0 : query_sql_failed(db);
}

static int
by_site_id(const void *a, const void *b)
{
	int64_t x = ((const struct pp_site *)a)->id;
	int64_t y = ((const struct pp_site *)b)->id;

	return x < y ? -1 : x > y;
}

/* The sites, each with the function and line its stacks start at. */
static int
pp_load_sites(sqlite3 *db, struct profile *p)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT id, function, file, line FROM"
	    " sites ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return query_sql_failed(db);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct pp_site *s;
		char *key;

		if (p->nsites == cap) {
			cap = cap ? cap * 2 : 1024;
			p->sites = xreallocarray(p->sites, cap,
			    sizeof *p->sites);
		}
		s = &p->sites[p->nsites++];
		s->id = sqlite3_column_int64(st, 0);
		s->line = sqlite3_column_int64(st, 3);
		key = xasprintf("%s\037%s", pp_text(st, 1), pp_text(st, 2));
		s->function = sqlite3_column_type(st, 1) == SQLITE_NULL ? -1 :
		    intern_find(&p->functions, key);
		free(key);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : query_sql_failed(db);
}

static int
by_address(const void *a, const void *b)
{
	uint64_t x = ((const struct pp_address *)a)->address;
	uint64_t y = ((const struct pp_address *)b)->address;

	return x < y ? -1 : x > y;
}

/* ADDR's entry, or NULL (an address the frames table lacks). */
static struct pp_address *
pp_address_of(const struct profile *p, uint64_t addr)
{
	struct pp_address key;

	key.address = addr;
	return bsearch(&key, p->addresses, p->naddresses,
	    sizeof *p->addresses, by_address);
}

/*
 * Where SITE's frame is among a stack's return addresses ADDRS[0 .. N)
 * (innermost first): the innermost position whose inline chain has the
 * site's function and line, and the depth in that chain.  0 if none.
 */
static int
pp_site_frame(const struct profile *p, const struct pp_site *site,
    const uint64_t *addrs, size_t n, size_t *pos, uint32_t *depth)
{
	const struct pp_address *a;
	size_t i;
	uint32_t d;

	if (site == NULL || site->function < 0)
		return 0;
	for (i = 0; i < n; i++) {
		if ((a = pp_address_of(p, addrs[i])) == NULL)
			continue;
		for (d = 0; d < a->nlines; d++)
			if (p->lines[a->first + d].function ==
			    (uint32_t)site->function &&
			    p->lines[a->first + d].line == site->line) {
				*pos = i;
				*depth = d;
				return 1;
			}
	}
	return 0;
}

/* The location id of ADDR's lines from DEPTH outwards; 0 for an address
   the frames table lacks. */
static uint64_t
pp_location(struct profile *p, uint64_t addr, uint32_t depth)
{
	struct pp_address *a = pp_address_of(p, addr);

	if (a == NULL)
		return 0;
	if (depth == 0 || depth >= a->nlines)
		return (uint64_t)(a - p->addresses) + 1;
	if (a->from_depth == NULL)
		a->from_depth = xcalloc(a->nlines, sizeof *a->from_depth);
	if (a->from_depth[depth] == 0)
		a->from_depth[depth] = p->next_location++;
	return a->from_depth[depth];
}

/* Adds a string label KEY=VALUE to the sample message in p->sub. */
static void
pp_label(struct profile *p, const char *key, const char *value)
{
	pb_reset(&p->sub2);
	pb_uint(&p->sub2, LABEL_KEY, intern(&p->strings, key));
	pb_uint(&p->sub2, LABEL_STR, intern(&p->strings, value));
	pb_message(&p->sub, SAMPLE_LABEL, &p->sub2);
}

/* One stack's sample: its frames ADDRS[0 .. N), innermost first, from
   its site's; VALUES the four sample values. */
static void
pp_sample(struct profile *p, int64_t site_id, const char *class,
    const uint64_t *addrs, size_t n, const uint64_t values[4],
    uint64_t *locs)
{
	struct pp_site key, *site;
	size_t pos = 0, i, nlocs = 0;
	uint32_t depth = 0;
	uint64_t id;

	key.id = site_id;
	site = bsearch(&key, p->sites, p->nsites, sizeof *p->sites,
	    by_site_id);
	if (!pp_site_frame(p, site, addrs, n, &pos, &depth))
		pos = depth = 0;	/* no site frame: the whole stack */
	for (i = pos; i < n; i++)
		if ((id = pp_location(p, addrs[i], i == pos ? depth : 0)) != 0)
			locs[nlocs++] = id;
	pb_reset(&p->sub);
	pb_packed(&p->sub, SAMPLE_LOCATION_ID, locs, nlocs);
	pb_packed(&p->sub, SAMPLE_VALUE, values, 4);
	if (class != NULL)
		pp_label(p, "class", class);
	pb_message(&p->out, PROFILE_SAMPLE, &p->sub);
	p->nsamples++;
}

/*
 * The SQL of every stack's (id, site id, class, allocations, bytes
 * allocated, live blocks, live bytes) by id, as of BUCKET
 * (TIME_BUCKET_END: the end of the work, with what the whole run
 * allocated).
 */
static char *
pp_stacks_sql(long bucket, int classes_at)
{
	const char *class = classes_at ? "coalesce(ca.class_at, t.class)" :
	    "t.class";
	const char *class_join = classes_at ? " LEFT JOIN temp.site_class_at"
	    " ca ON ca.site_id = t.id" : "";
	char *allocs, *bytes, *blocks, *live, *sql;

	if (bucket == TIME_BUCKET_END) {
		allocs = xstrdup("st.allocations");
		bytes = xstrdup("st.alloc_bytes");
		blocks = xstrdup("st.live_blocks");
		live = xstrdup("st.live_bytes");
	} else {
		allocs = xasprintf("coalesce((SELECT sum(x.allocations) FROM"
		    " stack_series x WHERE x.stack_id = s.id AND x.bucket <="
		    " %ld), 0)", bucket);
		bytes = xasprintf("coalesce((SELECT sum(x.alloc_bytes) FROM"
		    " stack_series x WHERE x.stack_id = s.id AND x.bucket <="
		    " %ld), 0)", bucket);
		blocks = live_sql(LIVE_OF_STACK, "s.id", "live_blocks", bucket);
		live = live_sql(LIVE_OF_STACK, "s.id", "live_bytes", bucket);
	}
	sql = xasprintf("SELECT s.id, s.site_id, %s, %s, %s, %s, %s FROM"
	    " stacks s JOIN stack_stats st ON st.stack_id = s.id LEFT JOIN"
	    " sites t ON t.id = s.site_id%s ORDER BY s.id", class, allocs,
	    bytes, blocks, live, class_join);
	free(allocs);
	free(bytes);
	free(blocks);
	free(live);
	return sql;
}

/*
 * Every stack's sample, as of BUCKET: the stacks' figures and their
 * frames, two statements in stack order read side by side (one query
 * joining them sorted a million rows through a temporary file).
 */
static int
pp_samples(sqlite3 *db, struct profile *p, long bucket, int classes_at)
{
	sqlite3_stmt *st = NULL, *fr = NULL;
	uint64_t *addrs = NULL, *locs = NULL, values[4];
	size_t n, cap = 0;
	char *sql = pp_stacks_sql(bucket, classes_at);
	int rc, frc = SQLITE_ROW, i;

	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	free(sql);
	if (rc != SQLITE_OK || sqlite3_prepare_v2(db, "SELECT stack_id,"
	    " address FROM stack_frames ORDER BY stack_id, position", -1, &fr,
	    NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return query_sql_failed(db);
	}
	frc = sqlite3_step(fr);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);

		while (frc == SQLITE_ROW && sqlite3_column_int64(fr, 0) < id)
			frc = sqlite3_step(fr);
		for (n = 0; frc == SQLITE_ROW &&
		    sqlite3_column_int64(fr, 0) == id; n++) {
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				addrs = xreallocarray(addrs, cap,
				    sizeof *addrs);
				locs = xreallocarray(locs, cap, sizeof *locs);
			}
			addrs[n] = (uint64_t)sqlite3_column_int64(fr, 1);
			frc = sqlite3_step(fr);
		}
		for (i = 0; i < 4; i++)
			values[i] = (uint64_t)sqlite3_column_int64(st, 3 + i);
		if (values[0] == 0 && values[2] == 0)
			continue;	/* nothing allocated yet, or live */
		pp_sample(p, sqlite3_column_int64(st, 1),
		    (const char *)sqlite3_column_text(st, 2), addrs, n, values,
		    locs);
	}
	if (frc != SQLITE_DONE && frc != SQLITE_ROW)
		rc = frc;
	sqlite3_finalize(st);
	sqlite3_finalize(fr);
	free(addrs);
	free(locs);
	return rc == SQLITE_DONE ? 0 : query_sql_failed(db);
}

/* Writes location ID: address A's lines from DEPTH outwards. */
static void
pp_write_location(struct profile *p, uint64_t id,
    const struct pp_address *a, uint32_t depth)
{
	uint32_t d;

	pb_reset(&p->sub);
	pb_uint(&p->sub, LOCATION_ID, id);
	pb_uint(&p->sub, LOCATION_MAPPING_ID, a->mapping);
	pb_uint(&p->sub, LOCATION_ADDRESS, a->address - 1);
	for (d = depth; d < a->nlines; d++) {
		pb_reset(&p->sub2);
		pb_uint(&p->sub2, LINE_FUNCTION_ID,
		    p->lines[a->first + d].function + 1);
		pb_int(&p->sub2, LINE_LINE, p->lines[a->first + d].line);
		pb_message(&p->sub, LOCATION_LINE, &p->sub2);
	}
	pb_message(&p->out, PROFILE_LOCATION, &p->sub);
}

/* A ValueType message TYPE/UNIT as field FIELD. */
static void
pp_value_type(struct profile *p, int field, const char *type,
    const char *unit)
{
	pb_reset(&p->sub);
	pb_uint(&p->sub, VALUE_TYPE_TYPE, intern(&p->strings, type));
	pb_uint(&p->sub, VALUE_TYPE_UNIT, intern(&p->strings, unit));
	pb_message(&p->out, field, &p->sub);
}

/* Everything but the samples (written already), after them. */
static void
pp_write_tables(struct profile *p)
{
	size_t i;
	uint32_t d;

	for (i = 0; i < p->nmappings; i++) {
		const struct pp_mapping *m = &p->mappings[i];

		pb_reset(&p->sub);
		pb_uint(&p->sub, MAPPING_ID, i + 1);
		pb_uint(&p->sub, MAPPING_MEMORY_START, m->start);
		pb_uint(&p->sub, MAPPING_MEMORY_LIMIT, m->limit);
		pb_uint(&p->sub, MAPPING_FILE_OFFSET, m->offset);
		pb_uint(&p->sub, MAPPING_FILENAME, m->filename);
		pb_uint(&p->sub, MAPPING_BUILD_ID, m->build_id);
		pb_uint(&p->sub, MAPPING_HAS_FUNCTIONS, 1);
		pb_uint(&p->sub, MAPPING_HAS_FILENAMES, m->has_filenames);
		pb_uint(&p->sub, MAPPING_HAS_LINE_NUMBERS, m->has_lines);
		pb_uint(&p->sub, MAPPING_HAS_INLINE_FRAMES, m->has_lines);
		pb_message(&p->out, PROFILE_MAPPING, &p->sub);
	}
	for (i = 0; i < p->naddresses; i++) {
		const struct pp_address *a = &p->addresses[i];

		pp_write_location(p, i + 1, a, 0);
		for (d = 1; a->from_depth != NULL && d < a->nlines; d++)
			if (a->from_depth[d] != 0)
				pp_write_location(p, a->from_depth[d], a, d);
	}
	for (i = 0; i < p->functions.n; i++) {
		char *name = xstrdup(p->functions.v[i]);
		char *file = strchr(name, '\037');
		uint64_t name_id;

		*file++ = '\0';
		name_id = intern(&p->strings, name);
		pb_reset(&p->sub);
		pb_uint(&p->sub, FUNCTION_ID, i + 1);
		pb_uint(&p->sub, FUNCTION_NAME, name_id);
		pb_uint(&p->sub, FUNCTION_SYSTEM_NAME, name_id);
		pb_uint(&p->sub, FUNCTION_FILENAME, intern(&p->strings, file));
		pb_message(&p->out, PROFILE_FUNCTION, &p->sub);
		free(name);
	}
	/* Last, so that every string above is in it. */
	for (i = 0; i < p->strings.n; i++)
		pb_bytes(&p->out, PROFILE_STRING_TABLE, p->strings.v[i],
		    strlen(p->strings.v[i]));
}

/* The run's time, the sample types and comments. */
static void
pp_write_header(sqlite3 *db, struct profile *p, const char *at)
{
	char *program = db_meta_text(db, "exe");
	char *ended = db_meta_text(db, "work_end");
	char *s;

	pp_value_type(p, PROFILE_SAMPLE_TYPE, "alloc_objects", "count");
	pp_value_type(p, PROFILE_SAMPLE_TYPE, "alloc_space", "bytes");
	pp_value_type(p, PROFILE_SAMPLE_TYPE, "inuse_objects", "count");
	pp_value_type(p, PROFILE_SAMPLE_TYPE, "inuse_space", "bytes");
	pp_value_type(p, PROFILE_PERIOD_TYPE, "space", "bytes");
	pb_int(&p->out, PROFILE_PERIOD, 1);	/* every allocation */
	pb_uint(&p->out, PROFILE_DEFAULT_SAMPLE_TYPE,
	    intern(&p->strings, "inuse_space"));
	pb_int(&p->out, PROFILE_TIME_NANOS,
	    (int64_t)(db_meta_number(db, "realtime_start") * 1e9));
	pb_int(&p->out, PROFILE_DURATION_NANOS,
	    (int64_t)(db_meta_number(db, "duration_s") * 1e9));

	s = xasprintf("heaptrail %s; %s, pid %.0f", heaptrail_version,
	    program != NULL ? program : "?", db_meta_number(db, "pid"));
	pb_uint(&p->out, PROFILE_COMMENT, intern(&p->strings, s));
	free(s);
	if (at != NULL)
		s = xasprintf("in use as of --at %s", at);
	else
		s = xasprintf("in use as of the end of the work, %.3f s (%s)",
		    time_work_end(db), ended != NULL ? ended : "?");
	pb_uint(&p->out, PROFILE_COMMENT, intern(&p->strings, s));
	free(s);
	free(program);
	free(ended);
}

static void
profile_free(struct profile *p)
{
	size_t i;

	intern_free(&p->strings);
	intern_free(&p->functions);
	for (i = 0; i < p->naddresses; i++)
		free(p->addresses[i].from_depth);
	free(p->addresses);
	free(p->lines);
	free(p->mappings);
	free(p->sites);
	pb_free(&p->out);
	pb_free(&p->sub);
	pb_free(&p->sub2);
}

/* Builds the whole profile of DB, as of O's --at, in p->out. */
static int
profile_build(sqlite3 *db, const struct query_opts *o, struct profile *p)
{
	long bucket = TIME_BUCKET_END;

	if (o->at != NULL && (query_at(db, o, &bucket) != 0 ||
	    (bucket != TIME_BUCKET_END && query_classes_at(db, bucket) != 0)))
		return -1;
	intern(&p->strings, "");	/* index 0 */
	pp_write_header(db, p, o->at);
	if (pp_load_mappings(db, p) != 0 || pp_load_addresses(db, p) != 0 ||
	    pp_load_sites(db, p) != 0 ||
	    pp_samples(db, p, bucket, bucket != TIME_BUCKET_END) != 0)
		return -1;
	pp_write_tables(p);
	return 0;
}

/* --- writing it ---------------------------------------------------------- */

/* Writes DATA gzipped to FD (closed here); 0, or -1 with errno. */
static int
pp_gzip_to(int fd, const struct pb *data)
{
	size_t done = 0;
	gzFile gz = gzdopen(fd, "wb");
	int n;

	if (gz == NULL) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	while (done < data->len) {
		unsigned chunk = data->len - done > (1u << 30) ? 1u << 30 :
		    (unsigned)(data->len - done);

		if ((n = gzwrite(gz, data->data + done, chunk)) <= 0) {
			int e;

			gzerror(gz, &e);
			if (e != Z_ERRNO)
				errno = EIO;
			gzclose(gz);
			return -1;
		}
		done += (size_t)n;
	}
	if ((n = gzclose(gz)) != Z_OK) {
		if (n != Z_ERRNO)
			errno = EIO;
		return -1;
	}
	return 0;
}

/* Writes the profile to PATH ("-": standard output) by way of PATH.tmp. */
static int
pp_write(const char *path, const struct pb *data)
{
	char *tmp;
	int fd;

	if (strcmp(path, "-") == 0) {
		if ((fd = dup(STDOUT_FILENO)) < 0 || pp_gzip_to(fd, data) != 0) {
			cli_error("writing the profile to standard output: %m");
			return -1;
		}
		return 0;
	}
	tmp = xasprintf("%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || pp_gzip_to(fd, data) != 0 || rename(tmp, path) != 0) {
		cli_error("%s: %m", fd < 0 ? tmp : path);
		if (fd >= 0)
			unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

/* The default output: INPUT without .db or .trace, and .pb.gz. */
static char *
pp_default_output(const char *input)
{
	size_t n = strlen(input);

	if (n > 3 && strcmp(input + n - 3, ".db") == 0)
		n -= 3;
	else if (n > 6 && strcmp(input + n - 6, ".trace") == 0)
		n -= 6;
	return xasprintf("%.*s.pb.gz", (int)n, input);
}

int
cmd_pprof(int argc, char **argv)
{
	struct profile p;
	struct query_opts o;
	sqlite3 *db;
	char *out;
	int ret;

	ret = query_parse(argc, argv, "pprof", "[-o FILE] [--at TIME] DB|TRACE",
	    NULL, 0, QUERY_AT | QUERY_OUTPUT, &o);
	if (ret >= 0)
		return ret;
	if (o.output != NULL && strcmp(o.output, "-") == 0 &&
	    isatty(STDOUT_FILENO))
		return cli_usage("pprof", "a profile is gzipped: -o - is for "
		    "a pipe or a file, not a terminal");
	if ((db = query_open(&o)) == NULL)
		return 1;
	memset(&p, 0, sizeof p);
	ret = profile_build(db, &o, &p) != 0;
	sqlite3_close(db);
	out = o.output != NULL ? xstrdup(o.output) :
	    pp_default_output(o.input);
	if (ret == 0 && pp_write(out, &p.out) != 0)
		ret = 1;
	if (ret == 0 && strcmp(out, "-") != 0)
		fprintf(stderr, "heaptrail: wrote %s: %zu sample%s, %zu "
		    "function%s (go tool pprof -top %s)\n", out, p.nsamples,
		    p.nsamples == 1 ? "" : "s", p.functions.n,
		    p.functions.n == 1 ? "" : "s", out);
	free(out);
	profile_free(&p);
	return ret;
}
