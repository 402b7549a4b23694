/*
 * symbolize-debuginfod.h - debug files fetched by build-id from the
 * debuginfod servers named in DEBUGINFOD_URLS, for the modules whose
 * debug info is not on disk (sym_module_open's last resort).
 *
 * A sym_debuginfod is one analysis' client: it loads libdebuginfod on
 * the first question only, asks the servers at most once per build-id,
 * and remembers every answer until it is freed.  Not thread-safe.
 * Nothing here prints or exits; libdebuginfod itself honours
 * DEBUGINFOD_CACHE_PATH, DEBUGINFOD_TIMEOUT, DEBUGINFOD_PROGRESS and
 * DEBUGINFOD_VERBOSE (the last two print on stderr, when the user asks).
 */
#ifndef HEAPTRAIL_SYMBOLIZE_DEBUGINFOD_H
#define HEAPTRAIL_SYMBOLIZE_DEBUGINFOD_H

#include <stddef.h>
#include <stdint.h>

typedef struct sym_debuginfod sym_debuginfod;

/*
 * A client for the servers in DEBUGINFOD_URLS, or NULL when that is
 * unset or empty: then nothing is ever asked.  Loads nothing yet.
 */
sym_debuginfod *sym_debuginfod_create(void);

/*
 * The path, in libdebuginfod's cache, of the debug file of build-id ID
 * (LEN bytes, LEN > 0), or NULL with *WHY saying why not ("not found on
 * the servers", a server's error, libdebuginfod that cannot be loaded).
 * Both strings are borrowed, valid until sym_debuginfod_free.  The first
 * call loads libdebuginfod; a build-id asked before is answered from
 * memory.  After a failure other than "not found" (a server down or
 * timing out) nothing more is asked, so that an unreachable server costs
 * one timeout per analysis, not one per module.
 */
const char *sym_debuginfod_find(sym_debuginfod *d, const uint8_t *id,
    size_t len, const char **why);

/* Why D has stopped asking (libdebuginfod cannot be loaded, or a
   server failed), or NULL while it still asks.  Borrowed. */
const char *sym_debuginfod_problem(const sym_debuginfod *d);

/* Ends the client and frees every answer; NULL is harmless.  The library
   stays loaded (libcurl and its TLS libraries do not take unloading
   well). */
void sym_debuginfod_free(sym_debuginfod *d);

#endif /* HEAPTRAIL_SYMBOLIZE_DEBUGINFOD_H */
