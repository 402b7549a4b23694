/*
 * load-symbols.c - modules, and the symbols of the return addresses in
 * them.
 *
 * Owns l->mods (every load of a module, in load order; the latest load
 * that covers an address is its module) and the addresses part of
 * l->where.  Each distinct return address is symbolized once, when the
 * first stack that holds it is defined (the recorder defines a stack's
 * modules before it): its frames rows, and its addr_info for the site
 * choice (load-sites.c).  Each module's debug info is opened once, on
 * first need, and kept until the end; what it came to is counted (a file
 * gone or changed since the recording, no debug info, debug info that
 * cannot be used) and written to meta at the end (load_symbols_meta).
 * An unloaded module's addresses are forgotten, so that the next object
 * loaded there gets fresh ones.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/xmalloc.h"
#include "load-internal.h"

void
load_module(struct loader *l, const struct ht_record *r)
{
	struct module_acc *m;
	char hex[2 * HT_BUILD_ID_MAX + 1];
	const char *name;
	char *path;
	unsigned i;

	if (l->mods.nmodules == l->mods.modules_cap) {
		l->mods.modules_cap = l->mods.modules_cap ?
		    l->mods.modules_cap * 2 : 64;
		l->mods.modules = xreallocarray(l->mods.modules,
		    l->mods.modules_cap, sizeof *l->mods.modules);
	}
	m = &l->mods.modules[l->mods.nmodules++];
	memset(m, 0, sizeof *m);
	m->id = r->id;
	m->base = r->base;
	m->load_ts = r->ts;
	m->text_lo = UINT64_MAX;
	for (i = 0; i < r->nsegs; i++) {
		if (!(r->segs[i].flags & 1))
			continue;
		if (r->base + r->segs[i].vaddr < m->text_lo)
			m->text_lo = r->base + r->segs[i].vaddr;
		if (r->base + r->segs[i].vaddr + r->segs[i].memsz > m->text_hi)
			m->text_hi = r->base + r->segs[i].vaddr +
			    r->segs[i].memsz;
	}
	path = xstrndup(r->str, r->str_len);
	m->path = path;
	memcpy(m->build_id, r->build_id, r->build_id_len);
	m->build_id_len = r->build_id_len;
	name = strrchr(path, '/');
	name = name ? name + 1 : path;
	for (i = 0; i < r->build_id_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", r->build_id[i]);
	hex[2 * r->build_id_len] = '\0';
	load_exec(l, l->sql.ins_module, "ittiiitd", (int64_t)r->id, path, name,
	    (int64_t)r->base, (int64_t)(m->text_lo == UINT64_MAX ? 0 :
	    m->text_lo), (int64_t)m->text_hi,
	    r->build_id_len ? hex : NULL, secs(r->ts));
}

/* The module that held ADDR at time TS (latest load wins), or NULL. */
struct module_acc *
load_module_at(struct loader *l, uint64_t addr)
{
	size_t i;

	for (i = l->mods.nmodules; i-- > 0;)
		if (addr >= l->mods.modules[i].text_lo &&
		    addr < l->mods.modules[i].text_hi)
			return &l->mods.modules[i];
	return NULL;
}

struct forget_ctx {
	uint64_t lo, hi;
	uint64_t *keys;
	size_t n, cap;
};

static void
load_forget_collect(uint64_t key, const struct ptr_value *v, void *arg)
{
	struct forget_ctx *f = arg;

	(void)v;
	if (key < f->lo || key >= f->hi)
		return;
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 64;
		f->keys = xreallocarray(f->keys, f->cap, sizeof *f->keys);
	}
	f->keys[f->n++] = key;
}

/*
 * An unloaded module's code range may be reused by the next object
 * loaded there: forget which addresses in it were symbolized and which
 * sites they made, so new stacks get fresh ones.
 */
static void
load_forget_range(struct loader *l, struct module_acc *m)
{
	struct forget_ctx f = { m->text_lo, m->text_hi, NULL, 0, 0 };
	size_t i;

	ptr_map_each(l->where.addresses, load_forget_collect, &f);
	ptr_map_each(l->where.site_of, load_forget_collect, &f);
	for (i = 0; i < f.n; i++) {
		ptr_map_remove(l->where.addresses, f.keys[i], NULL);
		ptr_map_remove(l->where.site_of, f.keys[i], NULL);
	}
	free(f.keys);
	/* This module's files stay open for the symbols of its stacks. */
}

/* Every load of module R->id is unloaded: its range may be reused. */
void
load_module_unload(struct loader *l, const struct ht_record *r)
{
	size_t i;

	for (i = 0; i < l->mods.nmodules; i++) {
		if (l->mods.modules[i].id != r->id)
			continue;
		l->mods.modules[i].unloaded = 1;
		load_exec(l, l->sql.upd_module_unload, "di", secs(r->ts),
		    (int64_t)r->id);
		load_forget_range(l, &l->mods.modules[i]);
	}
}

/*
 * Tells the user (load_options' note) that M's debug info came from
 * debuginfod, once per build-id (another load of the same object gets
 * the same file, asked once), and once why debuginfod stopped being
 * asked, if it did.
 */
static void
load_note_debuginfod(struct loader *l, struct module_acc *m)
{
	char hex[2 * HT_BUILD_ID_MAX + 1], *line;
	const char *problem;
	size_t i;

	if (l->opt->note == NULL)
		return;
	problem = sym_debuginfod_problem(l->mods.servers);
	if (problem != NULL && !l->mods.servers_problem_noted) {
		l->mods.servers_problem_noted = 1;
		line = xasprintf("debuginfod: %s", problem);
		l->opt->note(l->opt->note_arg, line);
		free(line);
	}
	if (m->sym == NULL || !sym_module_fetched(m->sym))
		return;
	for (i = 0; &l->mods.modules[i] != m; i++)
		if (l->mods.modules[i].sym != NULL &&
		    sym_module_fetched(l->mods.modules[i].sym) &&
		    l->mods.modules[i].build_id_len == m->build_id_len &&
		    memcmp(l->mods.modules[i].build_id, m->build_id,
		    m->build_id_len) == 0)
			return;
	for (i = 0; i < m->build_id_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", m->build_id[i]);
	hex[2 * m->build_id_len] = '\0';
	problem = sym_module_problem(m->sym);
	line = xasprintf("debug info for %s from debuginfod (build-id %s)%s%s",
	    m->path, hex, problem != NULL ? ", not usable: " : "",
	    problem != NULL ? problem : "");
	l->opt->note(l->opt->note_arg, line);
	free(line);
}

/*
 * Opens M's symbols on first need, and counts how that went: a module
 * that cannot be read, or has no usable debug info, symbolizes less
 * (meta symbolize_*, load_symbols_meta).  Debug info not on disk is
 * asked of debuginfod when DEBUGINFOD_URLS names servers.
 */
static void
load_open_symbols(struct loader *l, struct module_acc *m)
{
	char *cause = NULL;

	m->sym_tried = 1;
	m->sym = sym_module_open(m->path, m->build_id_len ? m->build_id :
	    NULL, m->build_id_len, l->mods.servers, &m->sym_quality, &cause);
	if (l->mods.servers != NULL)
		load_note_debuginfod(l, m);
	if (m->sym != NULL) {
		const char *why = sym_module_problem(m->sym);

		m->sym_problem = why != NULL ? xstrdup(why) : NULL;
	} else {
		/* Not fatal: its addresses stay unnamed.  The cause names
		   the file first: the path is said apart. */
		size_t n = strlen(m->path);

		m->sym_problem = xstrdup(cause == NULL ? "cannot be read" :
		    strncmp(cause, m->path, n) == 0 && cause[n] == ':' &&
		    cause[n + 1] == ' ' ? cause + n + 2 : cause);
	}
	free(cause);
	if (m->sym_quality >= 0 && m->sym_quality < SYM_QUALITIES)
		l->mods.by_quality[m->sym_quality]++;
}

/* Symbolizes ADDR (first time seen): frames rows and its addr_info. */
uint32_t
load_symbolize(struct loader *l, uint64_t addr)
{
	struct sym_frame frames[16];
	struct module_acc *m = load_module_at(l, addr);
	int n = 0, i, lines = 0;

	if (m != NULL && !m->sym_tried)
		load_open_symbols(l, m);
	if (m != NULL && m->sym != NULL)
		n = sym_lookup(m->sym, addr - 1 - m->base, frames, 16);
	if (n == 0)		/* no module, or it cannot be read */
		load_exec(l, l->sql.ins_frame, m ? "iiittni" : "iinttni",
		    (int64_t)addr, (int64_t)0, m ? (int64_t)m->id : (int64_t)0,
		    (const char *)NULL, (const char *)NULL, (int64_t)0,
		    (int64_t)0);
	for (i = 0; i < n; i++) {
		const char *fn = frames[i].function;

		if (fn != NULL && strcmp(fn, "??") == 0)
			fn = NULL;
		load_exec(l, l->sql.ins_frame, frames[i].line ? "iiittii" :
		    "iiittni", (int64_t)addr, (int64_t)i,
		    m ? (int64_t)m->id : 0, fn, frames[i].file,
		    (int64_t)frames[i].line, (int64_t)frames[i].inlined);
		lines += frames[i].line != 0;
	}
	if (lines == 0)
		l->mods.failed_addresses++;

	if (l->where.ninfos == l->where.infos_cap) {
		l->where.infos_cap = l->where.infos_cap ?
		    l->where.infos_cap * 2 : 1024;
		l->where.infos = xreallocarray(l->where.infos,
		    l->where.infos_cap, sizeof *l->where.infos);
	}
	load_addr_info(&l->where.infos[l->where.ninfos], m, frames, n);
	return (uint32_t)l->where.ninfos++;
}

/* The names of enum sym_quality in meta symbolize_failures. */
static const char *const load_quality_names[SYM_QUALITIES] = {
	"dwarf", "no_debug", "bad_debug", "unreadable", "changed",
};

/* S with tabs and newlines as '?', appended to *BUF (a list's field). */
static void
load_list_field(char **buf, size_t *len, const char *s, const char *end)
{
	size_t n = strlen(s), i;

	*buf = xrealloc(*buf, *len + n + 2);
	for (i = 0; i < n; i++)
		(*buf)[*len + i] = s[i] == '\t' || s[i] == '\n' ? '?' : s[i];
	*len += n;
	strcpy(*buf + *len, end);
	*len += strlen(end);
}

/*
 * meta symbolize_*: modules (loads of an object that some stack has a
 * frame in) by what their symbols came to, units and addresses left
 * without lines, and symbolize_failures, a line per module that is not
 * symbolized from DWARF: "KIND<tab>PATH<tab>WHY".
 */
void
load_symbols_meta(struct loader *l)
{
	const uint64_t *q = l->mods.by_quality;
	char *list = xstrdup("");
	size_t len = 0, i;
	uint64_t units = 0;

	for (i = 0; i < l->mods.nmodules; i++) {
		const struct module_acc *m = &l->mods.modules[i];

		if (m->sym != NULL)
			units += sym_module_failed_units(m->sym);
		if (!m->sym_tried || m->sym_quality == SYM_DWARF ||
		    m->sym_quality < 0 || m->sym_quality >= SYM_QUALITIES)
			continue;
		if (len > 0)
			load_list_field(&list, &len, "", "\n");
		load_list_field(&list, &len, load_quality_names[m->sym_quality],
		    "\t");
		load_list_field(&list, &len, m->path, "\t");
		load_list_field(&list, &len, m->sym_problem ? m->sym_problem :
		    "", "");
	}
	load_meta(l, "symbolize_failed_modules", "%" PRIu64,
	    q[SYM_NO_DEBUG] + q[SYM_BAD_DEBUG] + q[SYM_UNREADABLE] +
	    q[SYM_CHANGED]);
	load_meta(l, "symbolize_no_debug_modules", "%" PRIu64, q[SYM_NO_DEBUG]);
	load_meta(l, "symbolize_bad_debug_modules", "%" PRIu64,
	    q[SYM_BAD_DEBUG]);
	load_meta(l, "symbolize_unreadable_modules", "%" PRIu64,
	    q[SYM_UNREADABLE]);
	load_meta(l, "symbolize_changed_modules", "%" PRIu64, q[SYM_CHANGED]);
	load_meta(l, "symbolize_failed_units", "%" PRIu64, units);
	load_meta(l, "symbolize_failed_addresses", "%" PRIu64,
	    l->mods.failed_addresses);
	load_meta(l, "symbolize_failures", "%s", list);
	free(list);
}

/*
 * Code with no name (stripped, or no symbol covers it) is named
 * MODULE+0xADDRESS, its address in the module's own terms (the run-time
 * address less the load bias: what addr2line -e MODULE and objdump
 * take), in the sites and frames tables, so that every table, JSON, the
 * grouping by function and the browser show it and keep such code apart.
 */
void
load_name_unnamed(struct loader *l)
{
	static const char *const sql[] = {
		"UPDATE sites SET function = (SELECT m.name || '+' ||"
		" printf('0x%x', sites.address - m.base) FROM modules m WHERE"
		" m.id = sites.module_id) WHERE function IS NULL AND"
		" module_id IS NOT NULL",
		"UPDATE frames SET function = (SELECT m.name || '+' ||"
		" printf('0x%x', frames.address - m.base) FROM modules m WHERE"
		" m.id = frames.module_id) WHERE function IS NULL AND"
		" module_id IS NOT NULL",
	};
	size_t i;

	for (i = 0; i < sizeof sql / sizeof sql[0] && !l->error; i++)
		if (sqlite3_exec(l->sql.db, sql[i], NULL, NULL, NULL) !=
		    SQLITE_OK)
			load_error(l, "%s: naming unnamed code: %s",
			    l->opt->db, sqlite3_errmsg(l->sql.db));
}
