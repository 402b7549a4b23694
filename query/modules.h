/*
 * modules.h - the modules table as the user sees it: live blocks and
 * bytes per ELF object, and what of them is leak, steady and unclear.
 */
#ifndef HEAPTRAIL_MODULES_H
#define HEAPTRAIL_MODULES_H

/*
 * SQL whose rows are the modules that allocated, heaviest first:
 * module (its name), live_blocks, live_bytes, peak_bytes, allocations,
 * leak_bytes, steady_bytes, unclear_bytes, path, mapped_bytes (of the
 * live bytes at the end of the work, those in anonymous mappings, as the
 * sites' mapped_bytes).  A module's figures are
 * the sums over the sites whose frame is in it, live as of BUCKET
 * (live.h), each site's class as of then (temp.site_class_at, which
 * classify_at must have made); an object loaded twice is one row, its
 * peak the higher of the two loads'.  Malloc'ed.
 */
char *modules_sql(long bucket);

/*
 * The same rule in memory, for the browser, which holds the sites' live
 * figures and classes in its scope: a module's sums, to which each of its
 * sites is added (modules_add_site).  tests/unit/test-query.c checks that
 * the two agree.
 */
struct module_sums {
	int64_t live_blocks, live_bytes, allocations;
	int64_t leak_bytes, steady_bytes, unclear_bytes;
	int nsites;
};

/* Adds a site's figures, its class given by its letter (classes.h). */
void modules_add_site(struct module_sums *m, int64_t live_bytes,
    int64_t live_blocks, int64_t allocations, char class_letter);

#endif /* HEAPTRAIL_MODULES_H */
