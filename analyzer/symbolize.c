/*
 * symbolize.c - sym_module: one ELF object, its debug info and its symbol
 * table (see symbolize.h).
 *
 * Owns the object's libelf handle (symbol names point into its mapped
 * string table), the separate debug file's when there is one (found on
 * disk, or fetched through symbolize-debuginfod.c), the DWARF index
 * (symbolize-dwarf.c) and the function symbols sorted by address.
 * Invariant: syms is sorted by address, and among symbols at the same
 * address the preferred name (unversioned, then global, weak, local, then
 * fewer leading underscores) comes first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libiberty/demangle.h>

#include "../util/xmalloc.h"
#include "symbolize-dwarf.h"
#include "symbolize.h"

#define DEBUG_ROOT	"/usr/lib/debug"

struct sym {
	uint64_t addr, size;
	const char *raw;	/* in the ELF string table */
	char *name;		/* demangled on first use, or NULL */
	int rank;		/* lower is preferred */
};

struct elf_file {
	int fd;
	Elf *elf;
};

struct sym_module {
	struct elf_file obj;	/* the object itself */
	struct elf_file dbg;	/* separate debug file, if any (fd -1) */
	struct sym_dwarf *dwarf;
	struct sym *syms;
	size_t nsyms;
	char *source;		/* sym_module_debug_source */
	int fetched;		/* debug file from debuginfod */
	int quality;		/* enum sym_quality */
	char *problem;		/* sym_module_problem, or NULL */
};

char *
sym_demangle(const char *mangled)
{
	char *s;

	if (mangled == NULL)
		return xstrdup("??");
	if (strncmp(mangled, "_Z", 2) != 0 && strncmp(mangled, "_R", 2) != 0)
		return xstrdup(mangled);
	s = cplus_demangle(mangled, DMGL_PARAMS | DMGL_ANSI | DMGL_AUTO);
	if (s == NULL)
		return xstrdup(mangled);
	return s;	/* malloc'ed by libiberty */
}

/* --- ELF files ---------------------------------------------------------- */

static int
sym_elf_open(struct elf_file *f, const char *path, char **cause)
{
	f->elf = NULL;
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd == -1) {
		if (cause != NULL)
			*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	f->elf = elf_begin(f->fd, ELF_C_READ_MMAP, NULL);
	if (f->elf == NULL || elf_kind(f->elf) != ELF_K_ELF) {
		if (cause != NULL)
			*cause = xasprintf("%s: not an ELF file", path);
		if (f->elf != NULL)
			elf_end(f->elf);
		close(f->fd);
		f->elf = NULL;
		f->fd = -1;
		return -1;
	}
	return 0;
}

static void
sym_elf_close(struct elf_file *f)
{
	if (f->elf != NULL)
		elf_end(f->elf);
	if (f->fd != -1)
		close(f->fd);
	f->elf = NULL;
	f->fd = -1;
}

/* The section called NAME, or NULL. */
static Elf_Scn *
sym_elf_section(Elf *elf, const char *name, GElf_Shdr *shdr)
{
	Elf_Scn *scn = NULL;
	size_t strndx;
	const char *s;

	if (elf_getshdrstrndx(elf, &strndx) != 0)
		return NULL;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		if (gelf_getshdr(scn, shdr) == NULL)
			continue;
		s = elf_strptr(elf, strndx, shdr->sh_name);
		if (s != NULL && strcmp(s, name) == 0)
			return scn;
	}
	return NULL;
}

/* Has a .debug_info with contents (not the NOBITS of a stripped file). */
static int
sym_elf_has_dwarf(Elf *elf)
{
	GElf_Shdr shdr;

	return sym_elf_section(elf, ".debug_info", &shdr) != NULL &&
	    shdr.sh_type != SHT_NOBITS && shdr.sh_size > 0;
}

/* The NT_GNU_BUILD_ID note's bytes (into the mapped file); 0 if none. */
static size_t
sym_elf_build_id(Elf *elf, const uint8_t **id)
{
	Elf_Scn *scn = NULL;
	Elf_Data *data;
	GElf_Shdr shdr;
	GElf_Nhdr nhdr;
	size_t off, next, name_off, desc_off;

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		if (gelf_getshdr(scn, &shdr) == NULL ||
		    shdr.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		if (data == NULL)
			continue;
		for (off = 0; (next = gelf_getnote(data, off, &nhdr,
		    &name_off, &desc_off)) > 0; off = next) {
			if (nhdr.n_type == NT_GNU_BUILD_ID &&
			    nhdr.n_namesz == 4 && memcmp((char *)data->d_buf +
			    name_off, "GNU", 4) == 0 && nhdr.n_descsz > 0) {
				*id = (const uint8_t *)data->d_buf + desc_off;
				return nhdr.n_descsz;
			}
		}
	}
	return 0;
}

/* .gnu_debuglink's file name, or NULL. */
static const char *
sym_elf_debuglink(Elf *elf)
{
	Elf_Scn *scn;
	Elf_Data *data;
	GElf_Shdr shdr;

	scn = sym_elf_section(elf, ".gnu_debuglink", &shdr);
	if (scn == NULL || (data = elf_getdata(scn, NULL)) == NULL ||
	    data->d_size < 2 || memchr(data->d_buf, '\0', data->d_size) == NULL)
		return NULL;
	return data->d_buf;
}

/* --- finding the debug info ----------------------------------------------- */

/*
 * Opens CANDIDATE as the debug file if it has DWARF and, when the object
 * has a build-id, the same one.
 */
static int
sym_try_debug(sym_module *m, const char *candidate, const uint8_t *id,
    size_t id_len)
{
	const uint8_t *cid;
	size_t clen;
	struct stat st;

	if (stat(candidate, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	if (sym_elf_open(&m->dbg, candidate, NULL) != 0)
		return 0;
	if (sym_elf_has_dwarf(m->dbg.elf)) {
		clen = sym_elf_build_id(m->dbg.elf, &cid);
		if (id_len == 0 || clen == 0 || (clen == id_len &&
		    memcmp(cid, id, id_len) == 0))
			return 1;
	}
	sym_elf_close(&m->dbg);
	return 0;
}

/* Looks for a separate debug file; returns its path (malloc'ed) or NULL. */
static char *
sym_find_debug(sym_module *m, const char *path, const uint8_t *id,
    size_t id_len)
{
	const char *link;
	char *dir, *slash, *try;
	size_t i;
	int found;

	try = xasprintf("%s.debug", path);
	if (sym_try_debug(m, try, id, id_len))
		return try;
	free(try);

	if (id_len >= 2) {
		try = xmalloc(sizeof DEBUG_ROOT + 16 + 2 * id_len + 8);
		strcpy(try, DEBUG_ROOT "/.build-id/");
		slash = try + strlen(try);
		for (i = 0; i < id_len; i++) {
			slash += sprintf(slash, "%02x", id[i]);
			if (i == 0)
				*slash++ = '/';
		}
		strcpy(slash, ".debug");
		if (sym_try_debug(m, try, id, id_len))
			return try;
		free(try);
	}

	link = sym_elf_debuglink(m->obj.elf);
	if (link == NULL)
		return NULL;
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	if (slash != NULL)
		*slash = '\0';
	else
		strcpy(dir, ".");
	found = 0;
	try = xasprintf("%s/%s", dir, link);
	if (strcmp(try, path) != 0)
		found = sym_try_debug(m, try, id, id_len);
	if (!found) {
		free(try);
		try = xasprintf("%s/.debug/%s", dir, link);
		found = sym_try_debug(m, try, id, id_len);
	}
	if (!found) {
		free(try);
		try = xasprintf(DEBUG_ROOT "%s%s/%s", *dir == '/' ? "" : "/",
		    dir, link);
		found = sym_try_debug(m, try, id, id_len);
	}
	free(dir);
	if (found)
		return try;
	free(try);
	return NULL;
}

/*
 * Asks SERVERS for the debug file of build-id ID, checked as one on disk
 * is; returns its path (malloc'ed) or NULL with *WHY (malloc'ed).
 */
static char *
sym_fetch_debug(sym_module *m, sym_debuginfod *servers, const uint8_t *id,
    size_t id_len, char **why)
{
	const char *path, *not;

	path = sym_debuginfod_find(servers, id, id_len, &not);
	if (path == NULL) {
		*why = xasprintf("debuginfod: %s", not);
		return NULL;
	}
	if (!sym_try_debug(m, path, id, id_len)) {
		*why = xasprintf("debuginfod: %s is not its debug info", path);
		return NULL;
	}
	m->fetched = 1;
	return xstrdup(path);
}

/* --- the symbol table ------------------------------------------------------- */

static int
sym_cmp(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return strcmp(x->raw, y->raw);
}

/* Function symbols of the first section of type TYPE; 0 if none. */
static size_t
sym_load_symbols(sym_module *m, Elf *elf, Elf64_Word type)
{
	Elf_Scn *scn = NULL;
	Elf_Data *data;
	GElf_Shdr shdr;
	GElf_Sym s;
	const char *name;
	size_t i, n, cap = 0;
	int kind, bind, u;

	while ((scn = elf_nextscn(elf, scn)) != NULL)
		if (gelf_getshdr(scn, &shdr) != NULL && shdr.sh_type == type)
			break;
	if (scn == NULL || shdr.sh_entsize == 0 ||
	    (data = elf_getdata(scn, NULL)) == NULL)
		return 0;
	n = shdr.sh_size / shdr.sh_entsize;
	for (i = 0; i < n; i++) {
		if (gelf_getsym(data, (int)i, &s) == NULL)
			continue;
		kind = GELF_ST_TYPE(s.st_info);
		if ((kind != STT_FUNC && kind != STT_GNU_IFUNC) ||
		    s.st_shndx == SHN_UNDEF || s.st_value == 0)
			continue;
		name = elf_strptr(elf, shdr.sh_link, s.st_name);
		if (name == NULL || *name == '\0')
			continue;
		if (m->nsyms == cap) {
			cap = cap ? cap * 2 : 256;
			m->syms = xreallocarray(m->syms, cap, sizeof *m->syms);
		}
		bind = GELF_ST_BIND(s.st_info);
		for (u = 0; name[u] == '_'; u++)
			;
		m->syms[m->nsyms].addr = s.st_value;
		m->syms[m->nsyms].size = s.st_size;
		m->syms[m->nsyms].raw = name;
		m->syms[m->nsyms].name = NULL;
		m->syms[m->nsyms].rank = (strchr(name, '@') != NULL) * 256 +
		    (bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2) * 64 +
		    (u < 63 ? u : 63);
		m->nsyms++;
	}
	qsort(m->syms, m->nsyms, sizeof *m->syms, sym_cmp);
	return m->nsyms;
}

/* The function symbol covering ADDR, demangled, or NULL. */
static const char *
sym_symbol(sym_module *m, uint64_t addr)
{
	size_t lo = 0, hi = m->nsyms, mid;
	struct sym *s;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (m->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	s = &m->syms[lo - 1];
	while (s > m->syms && s[-1].addr == s->addr)
		s--;		/* the preferred one of its address */
	if (s->size != 0 && addr >= s->addr + s->size)
		return NULL;
	if (s->name == NULL)
		s->name = sym_demangle(s->raw);
	return s->name;
}

/* --- the module -------------------------------------------------------------- */

sym_module *
sym_module_open(const char *path, const uint8_t *build_id,
    size_t build_id_len, sym_debuginfod *servers, int *quality, char **cause)
{
	sym_module *m;
	const uint8_t *id = NULL;
	size_t id_len;
	char *debug_path = NULL, *why = NULL, *unfetched = NULL, *hex, *p;
	size_t i;

	*cause = NULL;
	if (quality != NULL)
		*quality = SYM_UNREADABLE;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		*cause = xstrdup("libelf is out of date");
		return NULL;
	}
	m = xcalloc(1, sizeof *m);
	m->dbg.fd = -1;
	if (sym_elf_open(&m->obj, path, cause) != 0) {
		free(m);
		return NULL;
	}
	id_len = sym_elf_build_id(m->obj.elf, &id);
	if (build_id != NULL && build_id_len > 0 && (id_len != build_id_len ||
	    memcmp(id, build_id, id_len) != 0)) {
		hex = p = xmalloc(2 * id_len + 1);
		for (i = 0; i < id_len; i++)
			p += sprintf(p, "%02x", id[i]);
		*p = '\0';
		*cause = xasprintf("%s: build-id %s does not match the "
		    "recorded one (the file changed since)", path,
		    id_len ? hex : "(none)");
		free(hex);
		sym_module_close(m);
		if (quality != NULL)
			*quality = SYM_CHANGED;
		return NULL;
	}

	if (sym_elf_has_dwarf(m->obj.elf))
		debug_path = xstrdup(path);
	else
		debug_path = sym_find_debug(m, path, id, id_len);
	if (debug_path == NULL && servers != NULL)
		debug_path = sym_fetch_debug(m, servers, id, id_len,
		    &unfetched);
	if (debug_path != NULL) {
		if (m->dbg.elf != NULL && sym_elf_section(m->dbg.elf,
		    ".gnu_debugaltlink", &(GElf_Shdr){ 0 }) != NULL)
			why = xstrdup("dwz-compressed debug info is not "
			    "supported");
		else if (m->dbg.elf == NULL && sym_elf_section(m->obj.elf,
		    ".gnu_debugaltlink", &(GElf_Shdr){ 0 }) != NULL)
			why = xstrdup("dwz-compressed debug info is not "
			    "supported");
		else
			m->dwarf = sym_dwarf_open(debug_path, &why);
	}
	if (m->dwarf != NULL)
		m->source = debug_path;
	else {
		if (why != NULL)
			m->source = xasprintf("symbols (%s: %s)", debug_path,
			    why);
		else
			m->source = xstrdup("symbols");
		free(debug_path);
	}

	if (sym_load_symbols(m, m->obj.elf, SHT_SYMTAB) == 0 &&
	    (m->dbg.elf == NULL ||
	    sym_load_symbols(m, m->dbg.elf, SHT_SYMTAB) == 0))
		sym_load_symbols(m, m->obj.elf, SHT_DYNSYM);
	m->quality = m->dwarf != NULL ? SYM_DWARF : why != NULL ?
	    SYM_BAD_DEBUG : SYM_NO_DEBUG;
	if (why != NULL)
		m->problem = why;
	else if (m->dwarf == NULL)
		m->problem = xasprintf("%s%s%s", m->nsyms > 0 ? "no DWARF" :
		    "no DWARF, no symbols", unfetched != NULL ? "; " : "",
		    unfetched != NULL ? unfetched : "");
	free(unfetched);
	if (quality != NULL)
		*quality = m->quality;
	return m;
}

int
sym_lookup(sym_module *m, uint64_t addr, struct sym_frame *out, int max)
{
	const char *name;
	int n = 0;

	if (max < 1)
		return 0;
	if (m->dwarf != NULL)
		n = sym_dwarf_lookup(m->dwarf, addr, out, max);
	if (n == 0) {
		out[0].file = NULL;
		out[0].line = 0;
		out[0].inlined = 0;
		out[0].function = NULL;
		n = 1;
	}
	/* The outermost frame is named by the symbol table when it can be,
	   as llvm-symbolizer does: it tells split-off parts and clones
	   ("f.cold", "f.constprop.0") from the function itself. */
	name = sym_symbol(m, addr);
	if (name != NULL)
		out[n - 1].function = name;
	else if (out[n - 1].function == NULL)
		out[n - 1].function = "??";
	return n;
}

const char *
sym_module_debug_source(const sym_module *m)
{
	return m->source;
}

int
sym_module_fetched(const sym_module *m)
{
	return m->fetched;
}

int
sym_module_quality(const sym_module *m)
{
	return m->quality;
}

const char *
sym_module_problem(const sym_module *m)
{
	return m->problem;
}

size_t
sym_module_failed_units(const sym_module *m)
{
	return m->dwarf != NULL ? sym_dwarf_failed_units(m->dwarf) : 0;
}

void
sym_module_close(sym_module *m)
{
	size_t i;

	if (m == NULL)
		return;
	sym_dwarf_close(m->dwarf);
	for (i = 0; i < m->nsyms; i++)
		free(m->syms[i].name);
	free(m->syms);
	free(m->source);
	free(m->problem);
	sym_elf_close(&m->dbg);
	sym_elf_close(&m->obj);
	free(m);
}
