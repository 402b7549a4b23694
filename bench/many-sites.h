/*
 * many-sites.h - what the program many-sites.c and the parts that
 * many-sites-gen.sh writes share: the objects they make and the entry
 * each part exports.
 */
#ifndef MANY_SITES_H
#define MANY_SITES_H

#include <stddef.h>

/* The parts, index and name: one library libms-NAME.so each, whose
   functions are named NAME_... (bench/tui-keys.sh reads this line). */
#define MS_PARTS(X) X(0, net) X(1, store) X(2, parse) X(3, render) X(4, cache) X(5, auth) X(6, sched) X(7, log)
#define MS_NPARTS 8
#define MS_PER_PART 2048	/* constructors per part */
#define MS_GROUP_SIZE 64	/* constructors per group (shared caller) */
#define MS_MEMBERS 12		/* most members an object has */

/* An object: a header and its members, all freed by obj_free. */
struct obj {
	struct obj *next;	/* on the cache list */
	unsigned part, group, leaf, nmem;
	void *mem[MS_MEMBERS];
	unsigned long sum;
};

/* The run's state, passed down every chain. */
struct ms_ctx {
	unsigned long allocs;	/* allocations made so far */
	unsigned long lookups, rebuilds;
};

/*
 * A part's entry: makes an object with constructor LEAF (0 ...
 * MS_PER_PART - 1) of the part, through path 0 (straight to its group),
 * 1 (through lookup) or 2 (through rebuild and lookup).  The caller owns
 * the object.
 */
typedef struct obj *ms_entry_fn(struct ms_ctx *c, unsigned path,
    unsigned leaf, size_t size);

#endif
