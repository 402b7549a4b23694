/*
 * model-tree.c - the call tree, top-down (from main) or bottom-up (from
 * the allocating function), as `perf report` and heaptrack show it.
 *
 * Both trees are built at once, in one pass over stack_frames, after the
 * frames of each distinct address are read (joining per row took 10 s on
 * 3M rows; now the whole start-up on that database, trees included, is
 * about 3.5 s): every stack is a
 * path of frames, inlined frames expanded into their own levels (marked),
 * and paths share nodes where they share a prefix of functions (a node
 * is a function in a module, at one place in the tree).  Each stack
 * remembers its deepest node; a measure of a node is the sum over the
 * stacks below it.  When the time scope changes only the live measure
 * is summed again, up each stack's path: no query.
 *
 * The rows shown are the expanded nodes in depth-first order, children
 * heaviest first by the chosen measure, nodes whose measure is 0 left
 * out.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/ptr-map.h"
#include "../util/xmalloc.h"
#include "model.h"

const char *const tree_measure_names[MEASURE_COUNT] = {
	"live bytes", "allocations", "bytes allocated",
};

/* --- labels: "function\0module" interned ---------------------------------- */

struct label_index {
	uint32_t *slots;	/* label id + 1, 0 empty */
	size_t cap;
};

static uint64_t
hash_text(const char *a, const char *b)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *a; a++)
		h = (h ^ (unsigned char)*a) * 1099511628211ULL;
	h = (h ^ 0x1f) * 1099511628211ULL;
	for (; *b; b++)
		h = (h ^ (unsigned char)*b) * 1099511628211ULL;
	return h;
}

static uint32_t
tree_label(struct tree *t, struct label_index *ix, const char *function,
    const char *module)
{
	size_t i, mask;
	uint64_t h = hash_text(function, module);

	if ((t->nlabels + 1) * 2 > ix->cap) {
		size_t ncap = ix->cap ? ix->cap * 2 : 1024, j;
		uint32_t *ns = xcalloc(ncap, sizeof *ns);

		for (j = 0; j < t->nlabels; j++) {
			const char *lab = t->labels[j];
			uint64_t hh = hash_text(lab, lab + strlen(lab) + 1);

			for (i = hh & (ncap - 1); ns[i]; i = (i + 1) &
			    (ncap - 1))
				;
			ns[i] = (uint32_t)j + 1;
		}
		free(ix->slots);
		ix->slots = ns;
		ix->cap = ncap;
	}
	mask = ix->cap - 1;
	for (i = h & mask; ix->slots[i]; i = (i + 1) & mask) {
		const char *lab = t->labels[ix->slots[i] - 1];

		if (strcmp(lab, function) == 0 &&
		    strcmp(lab + strlen(lab) + 1, module) == 0)
			return ix->slots[i] - 1;
	}
	if (t->nlabels == t->labels_cap) {
		t->labels_cap = t->labels_cap ? t->labels_cap * 2 : 1024;
		t->labels = xreallocarray(t->labels, t->labels_cap,
		    sizeof *t->labels);
	}
	{
		size_t lf = strlen(function), lm = strlen(module);
		char *lab = xmalloc(lf + lm + 2);

		memcpy(lab, function, lf + 1);
		memcpy(lab + lf + 1, module, lm + 1);
		t->labels[t->nlabels] = lab;
	}
	ix->slots[i] = (uint32_t)t->nlabels + 1;
	return (uint32_t)t->nlabels++;
}

/* --- building ---------------------------------------------------------------- */

struct frame_step {
	uint32_t label;
	int inlined;
};

static uint32_t
tree_child(struct tree *t, uint32_t parent, const struct frame_step *f)
{
	ptr_map *index = t->index;
	uint64_t key = (uint64_t)parent << 32 | (f->label + 1);
	struct ptr_value *v = ptr_map_find(index, key), nv = { 0 };
	struct tree_node *n;

	if (v != NULL)
		return (uint32_t)v->size;
	if (t->nnodes == t->cap) {
		t->cap *= 2;
		t->nodes = xreallocarray(t->nodes, t->cap, sizeof *t->nodes);
	}
	n = &t->nodes[t->nnodes];
	memset(n, 0, sizeof *n);
	n->parent = parent;
	n->label = f->label;
	n->inlined = f->inlined;
	n->depth = t->nodes[parent].depth + 1;
	n->next_sibling = t->nodes[parent].first_child;
	t->nodes[parent].first_child = (uint32_t)t->nnodes;
	nv.size = t->nnodes;
	ptr_map_put(index, key, &nv);
	return (uint32_t)t->nnodes++;
}

/* Adds stack ID, whose frames are STEPS (innermost first), to the tree. */
static void
tree_add_stack(struct tree *t, int64_t id, const struct frame_step *steps,
    size_t n)
{
	uint32_t node = 0;
	size_t i;

	if (id < 0 || (size_t)id >= t->nstacks)
		return;
	for (i = 0; i < n; i++)
		node = tree_child(t, node, &steps[t->bottom_up ? i : n - 1 - i]);
	t->stack_leaf[id] = node;
}

static void
tree_sum_fixed(struct tree *t)
{
	size_t i;

	for (i = 1; i < t->nstacks; i++) {
		uint32_t n = t->stack_leaf[i];

		if (n == 0 && t->stack_allocs[i] == 0)
			continue;
		for (;;) {
			t->nodes[n].value[MEASURE_ALLOCS] += t->stack_allocs[i];
			t->nodes[n].value[MEASURE_ALLOC_BYTES] +=
			    t->stack_alloc_bytes[i];
			if (n == 0)
				break;
			n = t->nodes[n].parent;
		}
	}
}

static struct tree *
tree_new(struct run *r, int bottom_up, const int64_t *allocs,
    const int64_t *alloc_bytes)
{
	struct tree *t = xcalloc(1, sizeof *t);

	t->bottom_up = bottom_up;
	t->cap = 1024;
	t->nodes = xcalloc(t->cap, sizeof *t->nodes);
	t->nnodes = 1;			/* the root */
	t->nodes[0].expanded = 1;
	t->nstacks = r->nstacks;
	t->stack_leaf = xcalloc(t->nstacks, sizeof *t->stack_leaf);
	t->stack_allocs = xmalloc(t->nstacks * sizeof *t->stack_allocs);
	t->stack_alloc_bytes = xmalloc(t->nstacks *
	    sizeof *t->stack_alloc_bytes);
	memcpy(t->stack_allocs, allocs, t->nstacks * sizeof *allocs);
	memcpy(t->stack_alloc_bytes, alloc_bytes, t->nstacks *
	    sizeof *alloc_bytes);
	t->index = ptr_map_create();
	t->scope_serial = r->scope_serial - 1;
	return t;
}

/*
 * The frames of every distinct address, read once: STEPS holds each
 * address's inline chain (innermost first), AT maps an address to its
 * first step (size) and count (ts).  Labels go to the top-down tree T,
 * whose label table the bottom-up tree shares.
 */
static int
trees_read_frames(struct run *r, struct tree *t, ptr_map *at,
    struct frame_step **steps, size_t *nsteps, char **cause)
{
	struct label_index ix = { NULL, 0 };
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc;

	if (sqlite3_prepare_v2(r->db, "SELECT f.address, f.function, m.name,"
	    " f.inlined FROM frames f LEFT JOIN modules m ON"
	    " m.id = f.module_id ORDER BY f.address, f.depth", -1, &st,
	    NULL) != SQLITE_OK) {
		*cause = xasprintf("%s: cannot read frames: %s", r->path,
		    sqlite3_errmsg(r->db));
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t addr = (uint64_t)sqlite3_column_int64(st, 0);
		const char *fn = (const char *)sqlite3_column_text(st, 1);
		const char *mod = (const char *)sqlite3_column_text(st, 2);
		struct ptr_value *v;
		int added;
		char name[32];

		if (fn == NULL) {
			snprintf(name, sizeof name, "0x%llx",
			    (unsigned long long)addr);
			fn = name;
		}
		if (*nsteps == cap) {
			cap = cap ? cap * 2 : 4096;
			*steps = xreallocarray(*steps, cap, sizeof **steps);
		}
		(*steps)[*nsteps].label = tree_label(t, &ix, fn, mod ? mod :
		    "?");
		(*steps)[*nsteps].inlined = sqlite3_column_int(st, 3);
		if ((v = ptr_map_slot(at, addr, &added)) != NULL) {
			if (added) {
				v->size = *nsteps;
				v->ts = 0;
			}
			v->ts++;
		}
		(*nsteps)++;
	}
	sqlite3_finalize(st);
	free(ix.slots);
	if (rc != SQLITE_DONE) {
		*cause = xasprintf("%s: cannot read frames: %s", r->path,
		    sqlite3_errmsg(r->db));
		return -1;
	}
	return 0;
}

int
trees_open(struct run *r, struct tree *out[2], char **cause)
{
	int64_t *allocs = xcalloc(r->nstacks, sizeof *allocs);
	int64_t *alloc_bytes = xcalloc(r->nstacks, sizeof *alloc_bytes);
	struct frame_step *steps = NULL, *path = NULL;
	size_t nsteps = 0, npath = 0, path_cap = 0, i;
	ptr_map *at = ptr_map_create();
	sqlite3_stmt *st = NULL;
	int64_t cur = -1;
	int rc = SQLITE_DONE;

	out[0] = out[1] = NULL;
	if (sqlite3_prepare_v2(r->db, "SELECT stack_id, allocations,"
	    " alloc_bytes FROM stack_stats", -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			int64_t id = sqlite3_column_int64(st, 0);

			if (id > 0 && (size_t)id < r->nstacks) {
				allocs[id] = sqlite3_column_int64(st, 1);
				alloc_bytes[id] = sqlite3_column_int64(st, 2);
			}
		}
	}
	sqlite3_finalize(st);
	for (i = 0; i < 2; i++)
		out[i] = tree_new(r, (int)i, allocs, alloc_bytes);
	free(allocs);
	free(alloc_bytes);
	if (trees_read_frames(r, out[0], at, &steps, &nsteps, cause) != 0)
		goto fail;
	/* The bottom-up tree uses the same labels. */
	out[1]->labels = out[0]->labels;
	out[1]->shares_labels = 1;

	/* Each stack's addresses, innermost first, as chains of steps. */
	if (sqlite3_prepare_v2(r->db, "SELECT stack_id, address FROM"
	    " stack_frames ORDER BY stack_id, position", -1, &st, NULL) !=
	    SQLITE_OK) {
		*cause = xasprintf("%s: cannot read the stacks: %s", r->path,
		    sqlite3_errmsg(r->db));
		goto fail;
	}
	for (;;) {
		int64_t id = -1;
		struct ptr_value *v = NULL;

		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			id = sqlite3_column_int64(st, 0);
		if (id != cur && cur >= 0) {
			for (i = 0; i < 2; i++)
				tree_add_stack(out[i], cur, path, npath);
			npath = 0;
		}
		if (rc != SQLITE_ROW)
			break;
		cur = id;
		v = ptr_map_find(at, (uint64_t)sqlite3_column_int64(st, 1));
		if (v == NULL)
			continue;	/* an address the frames do not have */
		if (npath + v->ts > path_cap) {
			path_cap = (npath + v->ts) * 2;
			path = xreallocarray(path, path_cap, sizeof *path);
		}
		memcpy(path + npath, steps + v->size, v->ts * sizeof *path);
		npath += v->ts;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		*cause = xasprintf("%s: cannot read the stacks: %s", r->path,
		    sqlite3_errmsg(r->db));
		goto fail;
	}
	free(steps);
	free(path);
	ptr_map_free(at);
	out[1]->nlabels = out[0]->nlabels;
	for (i = 0; i < 2; i++) {
		ptr_map_free(out[i]->index);
		out[i]->index = NULL;
		tree_sum_fixed(out[i]);
		tree_refresh(out[i], r);
	}
	return 0;
fail:
	free(steps);
	free(path);
	ptr_map_free(at);
	tree_close(out[1]);
	tree_close(out[0]);
	out[0] = out[1] = NULL;
	return -1;
}

void
tree_close(struct tree *t)
{
	size_t i;

	if (t == NULL)
		return;
	if (!t->shares_labels) {
		for (i = 0; i < t->nlabels; i++)
			free(t->labels[i]);
		free(t->labels);
	}
	if (t->index != NULL)
		ptr_map_free(t->index);
	free(t->nodes);
	free(t->stack_leaf);
	free(t->stack_allocs);
	free(t->stack_alloc_bytes);
	free(t->visible);
	free(t);
}

/* --- rows ----------------------------------------------------------------- */

static int
node_compare(const void *pa, const void *pb, void *arg)
{
	const struct tree *t = arg;
	const struct tree_node *a = &t->nodes[*(const uint32_t *)pa];
	const struct tree_node *b = &t->nodes[*(const uint32_t *)pb];
	int64_t va = a->value[t->measure], vb = b->value[t->measure];

	if (va != vb)
		return va > vb ? -1 : 1;
	/* Ties by node number (first seen first): comparing the labels'
	 * text cost 40 ms a key under a node of 100k children. */
	return *(const uint32_t *)pa < *(const uint32_t *)pb ? -1 : 1;
}

static void
tree_push_visible(struct tree *t, uint32_t n)
{
	if (t->nvisible == t->visible_cap) {
		t->visible_cap = t->visible_cap ? t->visible_cap * 2 : 256;
		t->visible = xreallocarray(t->visible, t->visible_cap,
		    sizeof *t->visible);
	}
	t->visible[t->nvisible++] = n;
}

/* The children of N with a non-zero measure, heaviest first. */
static uint32_t *
tree_children(struct tree *t, uint32_t n, size_t *count)
{
	uint32_t c, *kids = NULL;
	size_t k = 0, cap = 0;

	for (c = t->nodes[n].first_child; c != 0; c =
	    t->nodes[c].next_sibling) {
		if (t->nodes[c].value[t->measure] == 0)
			continue;
		if (k == cap) {
			cap = cap ? cap * 2 : 8;
			kids = xreallocarray(kids, cap, sizeof *kids);
		}
		kids[k++] = c;
	}
	if (k > 1)
		qsort_r(kids, k, sizeof *kids, node_compare, t);
	*count = k;
	return kids;
}

static void
tree_walk(struct tree *t, uint32_t n)
{
	size_t k, i;
	uint32_t *kids = tree_children(t, n, &k);

	for (i = 0; i < k; i++) {
		tree_push_visible(t, kids[i]);
		if (t->nodes[kids[i]].expanded)
			tree_walk(t, kids[i]);
	}
	free(kids);
}

void
tree_refresh(struct tree *t, struct run *r)
{
	uint32_t keep = 0;
	size_t i;

	if (t->nvisible > 0 && t->cur.sel >= 0 && (size_t)t->cur.sel <
	    t->nvisible)
		keep = t->visible[t->cur.sel];
	if (t->scope_serial != r->scope_serial) {
		for (i = 0; i < t->nnodes; i++)
			t->nodes[i].value[MEASURE_LIVE] = 0;
		for (i = 1; i < t->nstacks && i < r->nstacks; i++) {
			uint32_t n = t->stack_leaf[i];
			int64_t v = r->scoped_bytes[i];

			if (v == 0)
				continue;
			for (;;) {
				t->nodes[n].value[MEASURE_LIVE] += v;
				if (n == 0)
					break;
				n = t->nodes[n].parent;
			}
		}
		t->scope_serial = r->scope_serial;
	}
	t->nvisible = 0;
	tree_walk(t, 0);
	t->cur.count = (long)t->nvisible;
	/* Keep the selection on its node, or on its nearest shown parent. */
	while (keep != 0) {
		for (i = 0; i < t->nvisible; i++)
			if (t->visible[i] == keep) {
				t->cur.sel = (long)i;
				cursor_clamp(&t->cur);
				return;
			}
		keep = t->nodes[keep].parent;
	}
	cursor_clamp(&t->cur);
}

void
tree_toggle(struct tree *t, uint32_t node, int expand)
{
	if (node == 0 || node >= t->nnodes)
		return;
	t->nodes[node].expanded = expand < 0 ? !t->nodes[node].expanded :
	    expand;
}

void
tree_expand_heaviest(struct tree *t, uint32_t node)
{
	while (node != 0 && node < t->nnodes) {
		size_t k;
		uint32_t *kids = tree_children(t, node, &k);

		t->nodes[node].expanded = 1;
		node = k > 0 ? kids[0] : 0;
		free(kids);
	}
}
