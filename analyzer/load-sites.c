/*
 * load-sites.c - which frame of a stack is its site, and the sites in
 * memory (l->where: sites, site_of, site_of_line).
 *
 * A stack's site is its innermost frame of the program's own code:
 * outside the allocator (not in libheaptrail, libc or libstdc++, and not
 * only allocation glue by name: operator new, __rust_alloc,
 * alloc::raw_vec:: ...) and outside the toolchain's library code
 * (own-code.h: the C++ and Rust standard libraries, glibc), inlined
 * frames included.  A stack with no such frame falls back to its
 * innermost frame outside the allocator.  Both are decided once per
 * distinct address (addr_info, load_addr_info): an address is "own" when
 * one of its inlined frames is, and then that frame names the site
 * there, else its innermost frame that is not glue does.  So stacks with
 * the same site frame (return address) share a site, whichever rule
 * chose it; and so do site frames that name the same function, file and
 * line in one module (load_site_of_line): one line of the program is one
 * site, even where it calls into the allocator at two places.
 */
#define _GNU_SOURCE
#include <string.h>

#include "../util/xmalloc.h"
#include "load-internal.h"
#include "own-code.h"

/* Objects whose every frame belongs to the allocator or its callers'
   libraries: never a site. */
static int
load_module_is_glue(const struct module_acc *m)
{
	const char *name;

	if (m == NULL)
		return 0;
	name = strrchr(m->path, '/');
	name = name ? name + 1 : m->path;
	return strncmp(name, "libheaptrail.so", 15) == 0 ||
	    strncmp(name, "libc.so", 7) == 0 ||
	    strncmp(name, "libstdc++.so", 12) == 0;
}

/* Allocation plumbing by (demangled) function name. */
static int
load_function_is_glue(const char *f)
{
	static const char *const exact[] = { "malloc", "calloc", "realloc",
	    "reallocarray", "free", "posix_memalign", "aligned_alloc",
	    "memalign", "valloc", "pvalloc",
	    /* common wrappers: libiberty, gnulib, GLib */
	    "xmalloc", "xcalloc", "xrealloc", "xzalloc", "xstrdup",
	    "xmemdup", "g_malloc", "g_malloc0", "g_realloc", "g_try_malloc",
	    "g_try_malloc0", "g_try_realloc", "g_malloc_n", "g_malloc0_n",
	    NULL };
	static const char *const prefix[] = { "operator new", "operator delete",
	    "__libc_", "heaptrail_",
	    /* C++: the standard allocator's layers */
	    "std::__new_allocator<", "__gnu_cxx::new_allocator<",
	    "std::allocator_traits<",
	    /* Rust: the allocator shims and the standard library's
	       containers around them (Box::new, Vec, HashMap ...) */
	    "__rust_", "__rdl_", "__rg_", "alloc::", "<alloc::", "core::",
	    "<core::", "hashbrown::", "<hashbrown::", "std::collections::",
	    "<std::collections::", NULL };
	int i;

	if (f == NULL)
		return 0;
	for (i = 0; exact[i] != NULL; i++)
		if (strcmp(f, exact[i]) == 0)
			return 1;
	for (i = 0; prefix[i] != NULL; i++)
		if (strncmp(f, prefix[i], strlen(prefix[i])) == 0)
			return 1;
	return 0;
}

/*
 * INFO, for a return address in module M (or NULL) whose frames are
 * FRAMES[0 .. N) (N 0: none): what it is for the site choice, and the
 * frame that names the site there.
 */
void
load_addr_info(struct addr_info *info, const struct module_acc *m,
    const struct sym_frame *frames, int n)
{
	int i, site = -1, own = -1, entry = 0;
	int toolchain = m != NULL && own_code_module_is_toolchain(m->path);

	memset(info, 0, sizeof *info);
	for (i = 0; i < n; i++) {
		const char *fn = frames[i].function;

		if (fn != NULL && strcmp(fn, "??") == 0)
			fn = NULL;
		if (load_function_is_glue(fn))
			continue;
		if (site < 0)
			site = i;
		if (own < 0 && !toolchain &&
		    own_code_frame_is_own(fn, frames[i].file))
			own = i;
		entry |= own_code_function_is_entry(fn);
	}
	/* No frames (no debug info nor symbols): the program's, unless its
	   module is the toolchain's. */
	info->kind = load_module_is_glue(m) || (n > 0 && site < 0) ?
	    ADDR_GLUE : !toolchain && (n == 0 || own >= 0) ? ADDR_OWN :
	    entry ? ADDR_ENTRY : ADDR_LIBRARY;
	if (n > 0) {
		if (site < 0)
			site = n - 1;
		if (info->kind == ADDR_OWN)
			site = own;
		if (frames[site].function != NULL &&
		    strcmp(frames[site].function, "??") != 0)
			info->function = xstrdup(frames[site].function);
		if (frames[site].file != NULL)
			info->file = xstrdup(frames[site].file);
		info->line = frames[site].line;
	}
}

/* Are A and B the same string, or both NULL? */
static int
load_same(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/*
 * The site already made for the function, file and line of addr_info
 * INFO in module M, if any; *KEY: the key of that line in site_of_line
 * (0 if the line has no function to go by).  Two return addresses in one
 * line (calls of two allocating functions, or one through two paths)
 * are one site: the program's line is what a user reads.
 */
static struct ptr_value *
load_site_of_line(struct loader *l, const struct module_acc *m,
    uint32_t info, uint64_t *key)
{
	const struct addr_info *w;
	struct ptr_value *v;
	uint64_t h = 14695981039346656037ull;
	const char *parts[2];
	int i;

	*key = 0;
	if (info == UINT32_MAX || l->where.infos[info].function == NULL ||
	    l->where.infos[info].file == NULL || l->where.infos[info].line == 0)
		return NULL;	/* no line to go by: the address decides */
	w = &l->where.infos[info];
	parts[0] = w->function;
	parts[1] = w->file;
	for (i = 0; i < 2; i++) {
		const unsigned char *p = (const unsigned char *)parts[i];

		for (; *p; p++)
			h = (h ^ *p) * 1099511628211ull;
		h = (h ^ 0xff) * 1099511628211ull;
	}
	h = (h ^ w->line) * 1099511628211ull;
	h = (h ^ (m ? m->id : 0)) * 1099511628211ull;
	*key = h | 1;
	v = ptr_map_find(l->where.site_of_line, *key);
	if (v != NULL) {
		const struct site_acc *t = &l->where.sites[v->stack];
		const struct addr_info *tw = &l->where.infos[t->where_idx];

		if (t->where_idx == UINT32_MAX || t->module_id !=
		    (m ? m->id : 0) || tw->line != w->line ||
		    !load_same(tw->function, w->function) ||
		    !load_same(tw->file, w->file))
			return NULL;	/* another line with the same key */
	}
	return v;
}

/*
 * The site of frame ADDR (its addr_info INFO), made on first use; ADDR 0:
 * the site of stacks with no frame.  Returns its index in sites.
 */
uint32_t
load_site(struct loader *l, uint64_t addr, uint32_t info)
{
	struct module_acc *m;
	struct ptr_value *v, nv = { 0 };
	struct site_acc *site;
	uint64_t key = 0;

	if (addr == 0 && l->where.nostack_site != 0)
		return l->where.nostack_site;
	if (addr != 0 && (v = ptr_map_find(l->where.site_of, addr)) != NULL)
		return v->stack;
	m = addr ? load_module_at(l, addr) : NULL;
	if (addr != 0 && (v = load_site_of_line(l, m, info, &key)) != NULL) {
		nv.stack = v->stack;
		ptr_map_put(l->where.site_of, addr, &nv);
		return nv.stack;
	}
	if (l->where.nsites == l->where.sites_cap) {
		l->where.sites_cap = l->where.sites_cap ?
		    l->where.sites_cap * 2 : 256;
		l->where.sites = xreallocarray(l->where.sites,
		    l->where.sites_cap, sizeof *l->where.sites);
	}
	if (l->where.nsites == 0)
		memset(&l->where.sites[l->where.nsites++], 0,
		    sizeof *l->where.sites);
	site = &l->where.sites[l->where.nsites];
	memset(site, 0, sizeof *site);
	site->address = addr;
	site->where_idx = info;
	site->module_idx = m ? m - l->mods.modules : -1;
	if (m != NULL) {
		const char *name = strrchr(m->path, '/');

		site->module_id = m->id;
		site->module = xstrdup(name ? name + 1 : m->path);
	}
	if (addr == 0) {
		l->where.nostack_site = (uint32_t)l->where.nsites;
	} else {
		nv.stack = (uint32_t)l->where.nsites;
		ptr_map_put(l->where.site_of, addr, &nv);
		if (key != 0 &&
		    ptr_map_find(l->where.site_of_line, key) == NULL)
			ptr_map_put(l->where.site_of_line, key, &nv);
	}
	return (uint32_t)l->where.nsites++;
}

void
load_stack_def(struct loader *l, const struct ht_record *r)
{
	struct stack_acc *s;
	uint32_t i, j, *idx;

	if (r->id > l->ids.stacks_defined + ID_SLACK || r->id > UINT32_MAX) {
		load_error(l, "%s: corrupt trace: stack id %llu out of "
		    "sequence (frame at offset %llu)", l->opt->trace,
		    (unsigned long long)r->id, (unsigned long long)r->offset);
		return;
	}
	l->ids.stacks_defined++;
	s = load_stack(l, r->id);
	idx = xcalloc(r->nframes + 1, sizeof *idx);

	s->defined = 1;
	s->nframes = r->nframes;
	load_exec(l, l->sql.ins_stack, "ii", (int64_t)r->id,
	    (int64_t)r->nframes);
	load_stack_frames(l, r->id, r->frames, r->nframes);
	for (i = 0; i < r->nframes; i++) {
		struct ptr_value *found, v = { 0 };

		found = ptr_map_find(l->where.addresses, r->frames[i]);
		if (found != NULL) {
			idx[i] = found->stack;
			continue;
		}
		v.stack = load_symbolize(l, r->frames[i]);
		ptr_map_put(l->where.addresses, r->frames[i], &v);
		idx[i] = v.stack;
	}
	/*
	 * The site: the innermost frame of the program's own code; with none,
	 * the innermost frame outside the allocator; if every frame is the
	 * allocator's (a cut stack), the outermost one; with no frame at all,
	 * the "no stack" site.
	 */
	for (i = 0, j = UINT32_MAX; i < r->nframes; i++) {
		if (l->where.infos[idx[i]].kind == ADDR_OWN)
			break;
		if (j == UINT32_MAX && l->where.infos[idx[i]].kind != ADDR_GLUE)
			j = i;
		if (l->where.infos[idx[i]].kind == ADDR_ENTRY)
			i = r->nframes - 1;	/* the program's main is not in
						   this stack */
	}
	if (i == r->nframes && j != UINT32_MAX)
		i = j;
	if (i == r->nframes && r->nframes > 0)
		i = r->nframes - 1;
	s->site = load_site(l, r->nframes ? r->frames[i] : 0,
	    r->nframes ? idx[i] : UINT32_MAX);
	free(idx);
}
