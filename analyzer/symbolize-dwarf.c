/*
 * symbolize-dwarf.c - the DWARF index: address -> inline chain and line.
 *
 * At open, every compilation unit's address ranges go into one sorted,
 * non-overlapping array (sym_dwarf.cu_ranges); where several units claim
 * the same code (linker-merged C++ inline functions), the unit that comes
 * first in .debug_info wins.  A unit is indexed on its first lookup:
 *
 *   - its functions and inlined calls become nodes (a node's parent is
 *     the frame it was inlined into, -1 for a real function), and their
 *     ranges are flattened into disjoint segments, each naming the
 *     innermost node covering it (struct cu.segs, sorted);
 *   - its line program becomes one array of rows sorted by address, where
 *     a row with file LINE_END marks the end of a sequence (a gap).
 *
 * A lookup is then three binary searches.  Everything a lookup hands out
 * (names, paths) lives until sym_dwarf_close: names point into libdwarf's
 * section data, demangled names are made once per node and kept.
 *
 * Debian's libdwarf 20210528 needs care (each place says which trap):
 *  (1) rows at epilogue_begin can come flagged end_sequence: a row ends a
 *      sequence only if it is the last one or the next sets the address;
 *  (2) DWARF 5 line programs start with file register 0 instead of 1;
 *      gcc and rustc never use file 0, so their 0 is remapped to 1;
 *  (3) dwarf_formudata rejects DW_FORM_implicit_const (DW_AT_call_file,
 *      DW_AT_call_line in DWARF 5 abbreviations): read it signed;
 *  (4) a NULL Dwarf_Error * makes libdwarf abort: always pass one, and
 *      free the error it returns;
 *  (5) dwarf_init_path opens stripped files "successfully" with no units:
 *      symbolize.c finds the debug file itself, and zero units is an error;
 *  (7) DWARF 4 range lists are relative to the unit's base address, DWARF
 *      5 ones (dwarf_get_rnglists_entry_fields_a "cooked") are absolute.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include <libdwarf/dwarf.h>
#include <libdwarf/libdwarf.h>

#include "../util/path.h"
#include "../util/xmalloc.h"
#include "symbolize-dwarf.h"

#define LINE_END	UINT32_MAX	/* row.file of an end of sequence */
#define MAX_DEPTH	64		/* DIE nesting we follow */
#define MAX_CHASE	8		/* abstract_origin/specification hops */

struct node {
	const char *raw;	/* linkage or plain name, libdwarf's; or NULL */
	char *name;		/* demangled, made on first use; or NULL */
	int parent;		/* node this one is inlined into, -1 if none */
	uint32_t call_file;	/* DW_AT_call_file, 0 if none */
	uint32_t call_line;
};

struct seg {
	uint64_t lo, hi;
	uint32_t node;
};

struct row {
	uint64_t addr;
	uint32_t file;		/* index into cu.files, or LINE_END */
	uint32_t line;
};

struct range {			/* while indexing a unit */
	uint64_t lo, hi;
	uint32_t node;
	uint32_t depth;
};

struct cu {
	Dwarf_Off off;		/* of the unit's DIE in .debug_info */
	Dwarf_Half version;
	uint64_t base;		/* DW_AT_low_pc: base of DWARF 4 range lists */
	int state;		/* 0 not indexed yet, 1 indexed, -1 failed */
	int gnu;		/* produced by gcc or rustc (trap 2) */

	struct node *nodes;
	size_t nnodes;
	struct seg *segs;
	size_t nsegs;
	struct row *rows;
	size_t nrows;
	char **files;		/* dwarf_srcfiles: libdwarf's */
	Dwarf_Signed nfiles;
	int file_base;		/* file number of files[0]: 1 (DWARF < 5), 0 */
};

struct cu_range {
	uint64_t lo, hi;
	uint32_t cu;
};

struct name_cache {		/* DIE offset -> names, for inlined calls */
	Dwarf_Off *keys;	/* 0: empty slot */
	const char **link, **plain;
	size_t mask, count;
};

struct sym_dwarf {
	Dwarf_Debug dbg;
	struct cu *cus;
	size_t ncus;
	struct cu_range *cu_ranges;
	size_t ncu_ranges;
	struct name_cache names;
	size_t failed_units;	/* units whose index failed */

	/* Scratch while indexing one unit. */
	struct range *ranges;
	size_t nranges, ranges_cap;
	size_t nodes_cap;
};

/* Trap (4): every call gets an error slot; this frees what it holds. */
static void
sym_dwarf_clear(Dwarf_Debug dbg, Dwarf_Error *err)
{
	if (*err != NULL) {
		dwarf_dealloc_error(dbg, *err);
		*err = NULL;
	}
}

static const char *
sym_dwarf_string(struct sym_dwarf *d, Dwarf_Die die, Dwarf_Half at)
{
	Dwarf_Attribute a;
	Dwarf_Error err = NULL;
	char *s = NULL;

	if (dwarf_attr(die, at, &a, &err) != DW_DLV_OK) {
		sym_dwarf_clear(d->dbg, &err);
		return NULL;
	}
	if (dwarf_formstring(a, &s, &err) != DW_DLV_OK)
		s = NULL;
	sym_dwarf_clear(d->dbg, &err);
	dwarf_dealloc_attribute(a);
	return s;
}

/* An unsigned constant attribute, implicit_const included (trap 3). */
static int
sym_dwarf_udata(struct sym_dwarf *d, Dwarf_Die die, Dwarf_Half at,
    uint64_t *out)
{
	Dwarf_Attribute a;
	Dwarf_Error err = NULL;
	Dwarf_Half form = 0;
	Dwarf_Unsigned u;
	Dwarf_Signed s;
	int ok = 0;

	if (dwarf_attr(die, at, &a, &err) != DW_DLV_OK) {
		sym_dwarf_clear(d->dbg, &err);
		return 0;
	}
	if (dwarf_whatform(a, &form, &err) != DW_DLV_OK)
		sym_dwarf_clear(d->dbg, &err);
	if (form != DW_FORM_implicit_const &&
	    dwarf_formudata(a, &u, &err) == DW_DLV_OK) {
		*out = u;
		ok = 1;
	} else {
		sym_dwarf_clear(d->dbg, &err);
		if (dwarf_formsdata(a, &s, &err) == DW_DLV_OK && s >= 0) {
			*out = (uint64_t)s;
			ok = 1;
		}
	}
	sym_dwarf_clear(d->dbg, &err);
	dwarf_dealloc_attribute(a);
	return ok;
}

/* Global .debug_info offset a reference attribute points to. */
static int
sym_dwarf_ref(struct sym_dwarf *d, Dwarf_Die die, Dwarf_Half at,
    Dwarf_Off *out)
{
	Dwarf_Attribute a;
	Dwarf_Error err = NULL;
	int ok;

	if (dwarf_attr(die, at, &a, &err) != DW_DLV_OK) {
		sym_dwarf_clear(d->dbg, &err);
		return 0;
	}
	ok = dwarf_global_formref(a, out, &err) == DW_DLV_OK;
	sym_dwarf_clear(d->dbg, &err);
	dwarf_dealloc_attribute(a);
	return ok;
}

static void
sym_dwarf_add_range(struct sym_dwarf *d, uint64_t lo, uint64_t hi)
{
	struct range *r;

	if (lo == 0 || lo >= hi || lo >= (uint64_t)-2)	/* discarded code */
		return;
	if (d->nranges == d->ranges_cap) {
		d->ranges_cap = d->ranges_cap ? d->ranges_cap * 2 : 256;
		d->ranges = xreallocarray(d->ranges, d->ranges_cap,
		    sizeof *d->ranges);
	}
	r = &d->ranges[d->nranges++];
	r->lo = lo;
	r->hi = hi;
	r->node = 0;
	r->depth = 0;
}

/* DWARF 5 DW_AT_ranges: absolute addresses once cooked (trap 7). */
static int
sym_dwarf_rnglists(struct sym_dwarf *d, Dwarf_Attribute a, Dwarf_Half form)
{
	Dwarf_Rnglists_Head head;
	Dwarf_Unsigned value, count, global, i, raw1, raw2, lo, hi;
	Dwarf_Error err = NULL;
	Dwarf_Bool unavailable;
	unsigned len, code;
	int res;

	if (form == DW_FORM_rnglistx)
		res = dwarf_formudata(a, &value, &err);
	else
		res = dwarf_global_formref(a, &value, &err);
	if (res != DW_DLV_OK) {
		sym_dwarf_clear(d->dbg, &err);
		return -1;
	}
	if (dwarf_rnglists_get_rle_head(a, form, value, &head, &count, &global,
	    &err) != DW_DLV_OK) {
		sym_dwarf_clear(d->dbg, &err);
		return -1;
	}
	for (i = 0; i < count; i++) {
		unavailable = 0;
		if (dwarf_get_rnglists_entry_fields_a(head, i, &len, &code,
		    &raw1, &raw2, &unavailable, &lo, &hi, &err) != DW_DLV_OK) {
			sym_dwarf_clear(d->dbg, &err);
			break;
		}
		if (code == DW_RLE_end_of_list)
			break;
		if (code == DW_RLE_base_addressx || code == DW_RLE_base_address ||
		    unavailable)
			continue;
		sym_dwarf_add_range(d, lo, hi);
	}
	dwarf_dealloc_rnglists_head(head);
	return 0;
}

/* DWARF 2-4 DW_AT_ranges: offsets from the unit's base (trap 7). */
static int
sym_dwarf_debug_ranges(struct sym_dwarf *d, Dwarf_Die die, Dwarf_Attribute a,
    uint64_t base)
{
	Dwarf_Ranges *r;
	Dwarf_Signed n, i;
	Dwarf_Unsigned bytes;
	Dwarf_Off off, real;
	Dwarf_Error err = NULL;
	int res;

	res = dwarf_global_formref(a, &off, &err);
	if (res != DW_DLV_OK) {
		Dwarf_Unsigned u;

		sym_dwarf_clear(d->dbg, &err);
		if (dwarf_formudata(a, &u, &err) != DW_DLV_OK) {
			sym_dwarf_clear(d->dbg, &err);
			return -1;
		}
		off = u;
	}
	if (dwarf_get_ranges_b(d->dbg, off, die, &real, &r, &n, &bytes,
	    &err) != DW_DLV_OK) {
		sym_dwarf_clear(d->dbg, &err);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (r[i].dwr_type == DW_RANGES_END)
			break;
		if (r[i].dwr_type == DW_RANGES_ADDRESS_SELECTION)
			base = r[i].dwr_addr2;
		else
			sym_dwarf_add_range(d, base + r[i].dwr_addr1,
			    base + r[i].dwr_addr2);
	}
	dwarf_ranges_dealloc(d->dbg, r, n);
	return 0;
}

/*
 * Appends the code ranges of DIE to d->ranges; returns how many it added
 * (0: the DIE has no code).
 */
static size_t
sym_dwarf_die_ranges(struct sym_dwarf *d, Dwarf_Die die, const struct cu *cu)
{
	Dwarf_Addr lo, hi;
	Dwarf_Half form;
	enum Dwarf_Form_Class class;
	Dwarf_Attribute a;
	Dwarf_Error err = NULL;
	size_t before = d->nranges;

	if (dwarf_lowpc(die, &lo, &err) == DW_DLV_OK) {
		if (dwarf_highpc_b(die, &hi, &form, &class, &err) ==
		    DW_DLV_OK) {
			if (class == DW_FORM_CLASS_CONSTANT)
				hi += lo;
			sym_dwarf_add_range(d, lo, hi);
			return d->nranges - before;
		}
	}
	sym_dwarf_clear(d->dbg, &err);
	if (dwarf_attr(die, DW_AT_ranges, &a, &err) != DW_DLV_OK) {
		sym_dwarf_clear(d->dbg, &err);
		return 0;
	}
	form = 0;
	if (dwarf_whatform(a, &form, &err) != DW_DLV_OK)
		sym_dwarf_clear(d->dbg, &err);
	if (cu->version >= 5)
		sym_dwarf_rnglists(d, a, form);
	else
		sym_dwarf_debug_ranges(d, die, a, cu->base);
	dwarf_dealloc_attribute(a);
	return d->nranges - before;
}

/* --- names of functions -------------------------------------------------- */

static size_t
sym_dwarf_hash(Dwarf_Off off, size_t mask)
{
	uint64_t k = off;

	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return (size_t)k & mask;
}

static int
sym_dwarf_cache_get(struct name_cache *c, Dwarf_Off off, const char **link,
    const char **plain)
{
	size_t i;

	if (c->keys == NULL)
		return 0;
	for (i = sym_dwarf_hash(off, c->mask); c->keys[i] != 0;
	    i = (i + 1) & c->mask) {
		if (c->keys[i] == off) {
			*link = c->link[i];
			*plain = c->plain[i];
			return 1;
		}
	}
	return 0;
}

static void
sym_dwarf_cache_put(struct name_cache *c, Dwarf_Off off, const char *link,
    const char *plain)
{
	struct name_cache old = *c;
	size_t i, cap;

	if (off == 0)
		return;
	if (c->keys == NULL || (c->count + 1) * 2 > c->mask + 1) {
		cap = c->keys == NULL ? 1024 : (c->mask + 1) * 2;
		c->keys = xcalloc(cap, sizeof *c->keys);
		c->link = xcalloc(cap, sizeof *c->link);
		c->plain = xcalloc(cap, sizeof *c->plain);
		c->mask = cap - 1;
		c->count = 0;
		if (old.keys != NULL) {
			for (i = 0; i <= old.mask; i++)
				if (old.keys[i] != 0)
					sym_dwarf_cache_put(c, old.keys[i],
					    old.link[i], old.plain[i]);
			free(old.keys);
			free(old.link);
			free(old.plain);
		}
	}
	for (i = sym_dwarf_hash(off, c->mask); c->keys[i] != 0;
	    i = (i + 1) & c->mask)
		if (c->keys[i] == off)
			return;
	c->keys[i] = off;
	c->link[i] = link;
	c->plain[i] = plain;
	c->count++;
}

/*
 * The linkage name (preferred, as llvm-symbolizer does) and plain name of
 * DIE, following DW_AT_abstract_origin and DW_AT_specification.
 */
static void
sym_dwarf_names(struct sym_dwarf *d, Dwarf_Die die, const char **link,
    const char **plain, int hops)
{
	Dwarf_Off ref;
	Dwarf_Die target;
	Dwarf_Error err = NULL;
	const char *l = NULL, *p = NULL;

	if (*link == NULL) {
		*link = sym_dwarf_string(d, die, DW_AT_linkage_name);
		if (*link == NULL)
			*link = sym_dwarf_string(d, die,
			    DW_AT_MIPS_linkage_name);
	}
	if (*plain == NULL)
		*plain = sym_dwarf_string(d, die, DW_AT_name);
	if (*link != NULL || hops >= MAX_CHASE)
		return;
	if (!sym_dwarf_ref(d, die, DW_AT_abstract_origin, &ref) &&
	    !sym_dwarf_ref(d, die, DW_AT_specification, &ref))
		return;
	if (!sym_dwarf_cache_get(&d->names, ref, &l, &p)) {
		if (dwarf_offdie_b(d->dbg, ref, 1, &target, &err) !=
		    DW_DLV_OK) {
			sym_dwarf_clear(d->dbg, &err);
			return;
		}
		sym_dwarf_names(d, target, &l, &p, hops + 1);
		dwarf_dealloc_die(target);
		sym_dwarf_cache_put(&d->names, ref, l, p);
	}
	*link = l;
	if (*plain == NULL)
		*plain = p;
}

/* --- indexing one unit ---------------------------------------------------- */

static int
sym_dwarf_new_node(struct sym_dwarf *d, struct cu *cu, Dwarf_Die die,
    int parent)
{
	struct node *n;
	const char *link = NULL, *plain = NULL;
	uint64_t v;

	if (cu->nnodes == d->nodes_cap) {
		d->nodes_cap = d->nodes_cap ? d->nodes_cap * 2 : 64;
		cu->nodes = xreallocarray(cu->nodes, d->nodes_cap,
		    sizeof *cu->nodes);
	}
	n = &cu->nodes[cu->nnodes];
	memset(n, 0, sizeof *n);
	sym_dwarf_names(d, die, &link, &plain, 0);
	n->raw = link != NULL ? link : plain;
	n->parent = parent;
	if (parent >= 0) {
		if (sym_dwarf_udata(d, die, DW_AT_call_file, &v))
			n->call_file = (uint32_t)v;
		if (sym_dwarf_udata(d, die, DW_AT_call_line, &v))
			n->call_line = (uint32_t)v;
	}
	return (int)cu->nnodes++;
}

/* Walks the children of DIE; PARENT is the innermost enclosing node. */
static int
sym_dwarf_walk(struct sym_dwarf *d, struct cu *cu, Dwarf_Die die, int parent,
    unsigned depth)
{
	Dwarf_Die child, next;
	Dwarf_Error err = NULL;
	Dwarf_Half tag;
	size_t first, n, i;
	int res, node, recurse, rc = 0;

	if (depth >= MAX_DEPTH)
		return 0;
	res = dwarf_child(die, &child, &err);
	if (res != DW_DLV_OK) {
		sym_dwarf_clear(d->dbg, &err);
		return res == DW_DLV_ERROR ? -1 : 0;
	}
	while (child != NULL && rc == 0) {
		if (dwarf_tag(child, &tag, &err) != DW_DLV_OK) {
			sym_dwarf_clear(d->dbg, &err);
			tag = 0;
		}
		node = parent;
		recurse = 0;
		switch (tag) {
		case DW_TAG_subprogram:
		case DW_TAG_inlined_subroutine:
			first = d->nranges;
			n = sym_dwarf_die_ranges(d, child, cu);
			if (n == 0) {
				/* A declaration or abstract instance: no code
				   of its own, but it may hold the concrete
				   code of a local class (a lambda). */
				recurse = tag == DW_TAG_subprogram;
				break;
			}
			node = sym_dwarf_new_node(d, cu, child,
			    tag == DW_TAG_subprogram ? -1 : parent);
			for (i = first; i < first + n; i++) {
				d->ranges[i].node = (uint32_t)node;
				d->ranges[i].depth = depth;
			}
			recurse = 1;
			break;
		case DW_TAG_lexical_block:
		case DW_TAG_try_block:
		case DW_TAG_catch_block:
		case DW_TAG_namespace:
		case DW_TAG_module:
		case DW_TAG_class_type:
		case DW_TAG_structure_type:
		case DW_TAG_union_type:
			recurse = 1;
			break;
		}
		if (recurse)
			rc = sym_dwarf_walk(d, cu, child, node, depth + 1);
		res = dwarf_siblingof_b(d->dbg, child, 1, &next, &err);
		dwarf_dealloc_die(child);
		if (res == DW_DLV_ERROR) {
			sym_dwarf_clear(d->dbg, &err);
			return -1;
		}
		child = res == DW_DLV_OK ? next : NULL;
	}
	if (child != NULL)
		dwarf_dealloc_die(child);
	return rc;
}

static int
sym_dwarf_cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

static void
sym_dwarf_emit(struct cu *cu, size_t *cap, uint64_t lo, uint64_t hi,
    uint32_t node)
{
	struct seg *last;

	if (lo >= hi)
		return;
	last = cu->nsegs ? &cu->segs[cu->nsegs - 1] : NULL;
	if (last != NULL && last->node == node && last->hi == lo) {
		last->hi = hi;
		return;
	}
	if (cu->nsegs == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		cu->segs = xreallocarray(cu->segs, *cap, sizeof *cu->segs);
	}
	cu->segs[cu->nsegs].lo = lo;
	cu->segs[cu->nsegs].hi = hi;
	cu->segs[cu->nsegs].node = node;
	cu->nsegs++;
}

/*
 * Flattens the (nested) ranges into disjoint segments naming the innermost
 * node: a sweep in address order with a stack of the open ranges.  A range
 * that sticks out of its enclosing one is clipped to it.
 */
static void
sym_dwarf_flatten(struct sym_dwarf *d, struct cu *cu)
{
	struct range *stack, *r;
	size_t sp = 0, cap = 0, i;
	uint64_t cur = 0, hi;

	qsort(d->ranges, d->nranges, sizeof *d->ranges, sym_dwarf_cmp_range);
	stack = xreallocarray(NULL, d->nranges + 1, sizeof *stack);
	for (i = 0; i < d->nranges; i++) {
		r = &d->ranges[i];
		while (sp > 0 && stack[sp - 1].hi <= r->lo) {
			sym_dwarf_emit(cu, &cap, cur, stack[sp - 1].hi,
			    stack[sp - 1].node);
			if (cur < stack[sp - 1].hi)
				cur = stack[sp - 1].hi;
			sp--;
		}
		if (sp > 0)
			sym_dwarf_emit(cu, &cap, cur, r->lo, stack[sp - 1].node);
		cur = r->lo;
		hi = r->hi;
		if (sp > 0 && hi > stack[sp - 1].hi)
			hi = stack[sp - 1].hi;
		stack[sp] = *r;
		stack[sp].hi = hi;
		sp++;
	}
	while (sp > 0) {
		sym_dwarf_emit(cu, &cap, cur, stack[sp - 1].hi,
		    stack[sp - 1].node);
		if (cur < stack[sp - 1].hi)
			cur = stack[sp - 1].hi;
		sp--;
	}
	free(stack);
}

struct seq {
	size_t first, n;	/* rows in the scratch array */
	uint64_t start;
};

static int
sym_dwarf_cmp_seq(const void *a, const void *b)
{
	const struct seq *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

/* The unit's line program, as rows sorted by address. */
static int
sym_dwarf_lines(struct sym_dwarf *d, struct cu *cu, Dwarf_Die die)
{
	Dwarf_Line_Context ctx;
	Dwarf_Line *lines;
	Dwarf_Signed n, i;
	Dwarf_Unsigned version, fileno, lineno;
	Dwarf_Small tables;
	Dwarf_Addr addr;
	Dwarf_Bool end, set;
	Dwarf_Error err = NULL;
	struct row *tmp;
	struct seq *seqs;
	size_t nseqs = 0, start = 0, j, k;

	if (dwarf_srcfiles(die, &cu->files, &cu->nfiles, &err) != DW_DLV_OK) {
		sym_dwarf_clear(d->dbg, &err);
		cu->files = NULL;
		cu->nfiles = 0;
	} else {
		const char *comp_dir = sym_dwarf_string(d, die,
		    DW_AT_comp_dir);
		Dwarf_Signed f;

		for (f = 0; f < cu->nfiles; f++)
			path_clean_source(cu->files[f], comp_dir);
	}
	if (dwarf_srclines_b(die, &version, &tables, &ctx, &err) !=
	    DW_DLV_OK) {
		sym_dwarf_clear(d->dbg, &err);
		return 0;
	}
	cu->file_base = version >= 5 ? 0 : 1;
	if (dwarf_srclines_from_linecontext(ctx, &lines, &n, &err) !=
	    DW_DLV_OK) {
		sym_dwarf_clear(d->dbg, &err);
		dwarf_srclines_dealloc_b(ctx);
		return 0;
	}
	tmp = xreallocarray(NULL, (size_t)n + 1, sizeof *tmp);
	seqs = xreallocarray(NULL, (size_t)n + 1, sizeof *seqs);
	for (i = 0; i < n; i++) {
		addr = 0;
		fileno = lineno = 0;
		end = 0;
		if (dwarf_lineaddr(lines[i], &addr, &err) != DW_DLV_OK ||
		    dwarf_line_srcfileno(lines[i], &fileno, &err) != DW_DLV_OK ||
		    dwarf_lineno(lines[i], &lineno, &err) != DW_DLV_OK ||
		    dwarf_lineendsequence(lines[i], &end, &err) != DW_DLV_OK)
			sym_dwarf_clear(d->dbg, &err);
		/* Trap (1): a false end_sequence is followed by a row of the
		   same sequence, which does not set the address. */
		if (end && i + 1 < n) {
			set = 1;
			if (dwarf_line_is_addr_set(lines[i + 1], &set, &err) !=
			    DW_DLV_OK)
				sym_dwarf_clear(d->dbg, &err);
			end = set;
		}
		/* Trap (2). */
		if (version >= 5 && fileno == 0 && cu->gnu)
			fileno = 1;
		tmp[i].addr = addr;
		tmp[i].file = end ? LINE_END : (uint32_t)fileno;
		tmp[i].line = (uint32_t)lineno;
		if (end || i + 1 == n) {
			seqs[nseqs].first = start;
			seqs[nseqs].n = (size_t)i + 1 - start;
			seqs[nseqs].start = tmp[start].addr;
			if (seqs[nseqs].start != 0)	/* discarded code */
				nseqs++;
			start = (size_t)i + 1;
		}
	}
	dwarf_srclines_dealloc_b(ctx);

	/* Sequences in address order; rows inside one are already. */
	qsort(seqs, nseqs, sizeof *seqs, sym_dwarf_cmp_seq);
	cu->rows = xreallocarray(NULL, (size_t)n + 1, sizeof *cu->rows);
	cu->nrows = 0;
	for (j = 0; j < nseqs; j++) {
		for (k = 0; k < seqs[j].n; k++)
			cu->rows[cu->nrows++] = tmp[seqs[j].first + k];
		if (cu->rows[cu->nrows - 1].file != LINE_END) {
			/* a sequence without end: close it after itself */
			cu->rows[cu->nrows - 1].file = LINE_END;
		}
	}
	free(seqs);
	free(tmp);
	return 0;
}

static void
sym_dwarf_index(struct sym_dwarf *d, struct cu *cu)
{
	Dwarf_Die die;
	Dwarf_Error err = NULL;

	cu->state = -1;
	if (dwarf_offdie_b(d->dbg, cu->off, 1, &die, &err) != DW_DLV_OK) {
		sym_dwarf_clear(d->dbg, &err);
		d->failed_units++;
		return;
	}
	d->nranges = 0;
	d->nodes_cap = 0;
	if (sym_dwarf_walk(d, cu, die, -1, 0) == 0) {
		sym_dwarf_flatten(d, cu);
		sym_dwarf_lines(d, cu, die);
		cu->state = 1;
	} else {
		d->failed_units++;
	}
	dwarf_dealloc_die(die);
}

size_t
sym_dwarf_failed_units(const struct sym_dwarf *d)
{
	return d->failed_units;
}

/* --- the units' ranges ------------------------------------------------------ */

static int
sym_dwarf_cmp_cu_range(const void *a, const void *b)
{
	const struct cu_range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->cu < y->cu ? -1 : x->cu > y->cu;
}

/* Sorted, and clipped so that no two overlap: the first claim wins. */
static void
sym_dwarf_sort_cu_ranges(struct sym_dwarf *d)
{
	struct cu_range *r = d->cu_ranges;
	size_t i, n = 0;

	qsort(r, d->ncu_ranges, sizeof *r, sym_dwarf_cmp_cu_range);
	for (i = 0; i < d->ncu_ranges; i++) {
		if (n > 0 && r[i].lo < r[n - 1].hi) {
			if (r[i].hi <= r[n - 1].hi)
				continue;
			r[i].lo = r[n - 1].hi;
		}
		r[n++] = r[i];
	}
	d->ncu_ranges = n;
}

static int
sym_dwarf_units(struct sym_dwarf *d, char **cause)
{
	Dwarf_Unsigned next;
	Dwarf_Half version, unit_type, tag;
	Dwarf_Error err = NULL;
	Dwarf_Die die;
	Dwarf_Addr lo;
	size_t cap = 0, rcap = 0, i;
	struct cu *cu;
	const char *producer;
	int res;

	for (;;) {
		res = dwarf_next_cu_header_d(d->dbg, 1, NULL, &version, NULL,
		    NULL, NULL, NULL, NULL, NULL, &next, &unit_type, &err);
		if (res == DW_DLV_NO_ENTRY)
			break;
		if (res == DW_DLV_ERROR) {
			*cause = xasprintf("bad .debug_info: %s",
			    dwarf_errmsg(err));
			sym_dwarf_clear(d->dbg, &err);
			return -1;
		}
		if (dwarf_siblingof_b(d->dbg, NULL, 1, &die, &err) !=
		    DW_DLV_OK) {
			sym_dwarf_clear(d->dbg, &err);
			continue;
		}
		if (dwarf_tag(die, &tag, &err) != DW_DLV_OK) {
			sym_dwarf_clear(d->dbg, &err);
			tag = 0;
		}
		if (tag == DW_TAG_skeleton_unit ||
		    sym_dwarf_string(d, die, DW_AT_GNU_dwo_name) != NULL ||
		    sym_dwarf_string(d, die, DW_AT_dwo_name) != NULL) {
			dwarf_dealloc_die(die);
			*cause = xstrdup("split DWARF (.dwo) is not supported");
			return -1;
		}
		if (tag != DW_TAG_compile_unit) {	/* partial, type units */
			dwarf_dealloc_die(die);
			continue;
		}
		if (d->ncus == cap) {
			cap = cap ? cap * 2 : 64;
			d->cus = xreallocarray(d->cus, cap, sizeof *d->cus);
		}
		cu = &d->cus[d->ncus];
		memset(cu, 0, sizeof *cu);
		cu->version = version;
		if (dwarf_dieoffset(die, &cu->off, &err) != DW_DLV_OK) {
			sym_dwarf_clear(d->dbg, &err);
			dwarf_dealloc_die(die);
			continue;
		}
		if (dwarf_lowpc(die, &lo, &err) == DW_DLV_OK)
			cu->base = lo;
		sym_dwarf_clear(d->dbg, &err);
		producer = sym_dwarf_string(d, die, DW_AT_producer);
		cu->gnu = producer != NULL && (strncmp(producer, "GNU ", 4) ==
		    0 || strstr(producer, "rustc") != NULL);
		d->nranges = 0;
		sym_dwarf_die_ranges(d, die, cu);
		dwarf_dealloc_die(die);
		for (i = 0; i < d->nranges; i++) {
			if (d->ncu_ranges == rcap) {
				rcap = rcap ? rcap * 2 : 64;
				d->cu_ranges = xreallocarray(d->cu_ranges, rcap,
				    sizeof *d->cu_ranges);
			}
			d->cu_ranges[d->ncu_ranges].lo = d->ranges[i].lo;
			d->cu_ranges[d->ncu_ranges].hi = d->ranges[i].hi;
			d->cu_ranges[d->ncu_ranges].cu = (uint32_t)d->ncus;
			d->ncu_ranges++;
		}
		d->ncus++;
	}
	if (d->ncu_ranges == 0) {	/* trap (5) */
		*cause = xstrdup("no compilation unit with code in "
		    ".debug_info");
		return -1;
	}
	sym_dwarf_sort_cu_ranges(d);
	return 0;
}

struct sym_dwarf *
sym_dwarf_open(const char *path, char **cause)
{
	struct sym_dwarf *d;
	Dwarf_Error err = NULL;
	int res;

	d = xcalloc(1, sizeof *d);
	res = dwarf_init_path(path, NULL, 0, DW_DLC_READ, DW_GROUPNUMBER_ANY,
	    NULL, NULL, &d->dbg, NULL, 0, NULL, &err);
	if (res != DW_DLV_OK) {
		if (res == DW_DLV_ERROR) {
			*cause = xasprintf("%s: %s", path, dwarf_errmsg(err));
			dwarf_dealloc_error(NULL, err);
		} else
			*cause = xasprintf("%s: no DWARF", path);
		free(d);
		return NULL;
	}
	if (sym_dwarf_units(d, cause) != 0) {
		sym_dwarf_close(d);
		return NULL;
	}
	return d;
}

/* --- lookups ---------------------------------------------------------------- */

static const char *
sym_dwarf_file(const struct cu *cu, uint32_t file)
{
	Dwarf_Signed i = (Dwarf_Signed)file - cu->file_base;

	if (file == LINE_END || i < 0 || i >= cu->nfiles)
		return NULL;
	return cu->files[i];
}

static const char *
sym_dwarf_node_name(struct node *n)
{
	if (n->raw == NULL)
		return NULL;
	if (n->name == NULL && (strncmp(n->raw, "_Z", 2) == 0 ||
	    strncmp(n->raw, "_R", 2) == 0))
		n->name = sym_demangle(n->raw);
	return n->name != NULL ? n->name : n->raw;
}

int
sym_dwarf_lookup(struct sym_dwarf *d, uint64_t addr, struct sym_frame *out,
    int max)
{
	struct cu *cu;
	const char *file = NULL;
	unsigned line = 0;
	size_t lo, hi, mid;
	int k, n = 0;

	if (max < 1)
		return 0;
	/* The unit. */
	lo = 0;
	hi = d->ncu_ranges;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (d->cu_ranges[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || addr >= d->cu_ranges[lo - 1].hi)
		return 0;
	cu = &d->cus[d->cu_ranges[lo - 1].cu];
	if (cu->state == 0)
		sym_dwarf_index(d, cu);
	if (cu->state < 0)
		return 0;

	/* The line: the last row at or before ADDR. */
	lo = 0;
	hi = cu->nrows;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cu->rows[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0 && cu->rows[lo - 1].file != LINE_END) {
		file = sym_dwarf_file(cu, cu->rows[lo - 1].file);
		line = cu->rows[lo - 1].line;
	}

	/* The innermost function, then what it was inlined into. */
	lo = 0;
	hi = cu->nsegs;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cu->segs[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	k = lo > 0 && addr < cu->segs[lo - 1].hi ? (int)cu->segs[lo - 1].node :
	    -1;
	if (k < 0) {
		out[0].function = NULL;
		out[0].file = file;
		out[0].line = line;
		out[0].inlined = 0;
		return 1;
	}
	while (k >= 0 && n < max) {
		out[n].function = sym_dwarf_node_name(&cu->nodes[k]);
		if (out[n].function == NULL)
			out[n].function = "??";
		out[n].file = file;
		out[n].line = line;
		out[n].inlined = cu->nodes[k].parent >= 0;
		file = sym_dwarf_file(cu, cu->nodes[k].call_file);
		line = cu->nodes[k].call_line;
		k = cu->nodes[k].parent;
		n++;
	}
	return n;
}

void
sym_dwarf_close(struct sym_dwarf *d)
{
	Dwarf_Error err = NULL;
	size_t i, j;

	if (d == NULL)
		return;
	for (i = 0; i < d->ncus; i++) {
		for (j = 0; j < d->cus[i].nnodes; j++)
			free(d->cus[i].nodes[j].name);
		free(d->cus[i].nodes);
		free(d->cus[i].segs);
		free(d->cus[i].rows);
	}
	free(d->cus);
	free(d->cu_ranges);
	free(d->ranges);
	free(d->names.keys);
	free(d->names.link);
	free(d->names.plain);
	if (dwarf_finish(d->dbg, &err) != DW_DLV_OK)
		sym_dwarf_clear(d->dbg, &err);
	free(d);
}
