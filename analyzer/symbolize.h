/*
 * symbolize.h - file addresses of one ELF object to functions, source
 * lines and inlined frames (DWARF, with the symbol table as fallback).
 *
 * A sym_module is opened once per ELF object and answers any number of
 * lookups; it is not thread-safe (lookups index compilation units lazily).
 * Nothing here prints or exits: failures come back through char **cause
 * (a malloc'ed message the caller frees).
 */
#ifndef HEAPTRAIL_SYMBOLIZE_H
#define HEAPTRAIL_SYMBOLIZE_H

#include <stddef.h>
#include <stdint.h>

#include "symbolize-debuginfod.h"

typedef struct sym_module sym_module;

/* How well an object can be symbolized (sym_module_open's *QUALITY). */
enum sym_quality {
	SYM_DWARF,		/* from its debug info */
	SYM_NO_DEBUG,		/* no debug info found: the symbol table only */
	SYM_BAD_DEBUG,		/* debug info found but not usable (split
				   DWARF, dwz, a libdwarf error, no unit with
				   code): the symbol table only */
	SYM_UNREADABLE,		/* the file cannot be opened, or is not ELF */
	SYM_CHANGED,		/* its build-id is not the one asked for */
	SYM_QUALITIES
};

struct sym_frame {		/* strings borrowed from the module, valid
				   until sym_module_close */
	const char *function;	/* demangled; "??" if unknown */
	const char *file;	/* full path as in DWARF, NULL if unknown */
	unsigned line;		/* 0 if unknown */
	int inlined;		/* 1: inlined into the next (outer) frame */
};

/*
 * Opens the ELF object at PATH.  If BUILD_ID (LEN bytes) is given, it must
 * match the file's NT_GNU_BUILD_ID note, else the open fails.  Debug info
 * is taken from the file itself, from PATH.debug beside it, from
 * /usr/lib/debug/.build-id/xx/rest.debug, or through .gnu_debuglink;
 * failing those, from the debuginfod SERVERS by build-id (when not NULL;
 * sym_module_fetched says so); without any, .symtab then .dynsym give
 * function names only.  Split DWARF
 * and dwz-compressed debug info are not supported: the module falls back
 * to the symbol table and sym_module_debug_source says why.
 * Returns NULL and sets *CAUSE on failure.  QUALITY (or NULL) gets how
 * the object is symbolized: SYM_UNREADABLE or SYM_CHANGED when the open
 * fails, else as sym_module_quality says.
 */
sym_module *sym_module_open(const char *path, const uint8_t *build_id,
    size_t build_id_len, sym_debuginfod *servers, int *quality,
    char **cause);

/*
 * Frames for file address ADDR (already minus the load bias), innermost
 * (most inlined) first, into OUT (caller allocates MAX >= 1 entries).
 * Always gives at least one frame; returns the count.  For a return
 * address, pass the return address - 1.
 */
int sym_lookup(sym_module *m, uint64_t addr, struct sym_frame *out,
    int max);

/* Where the debug info came from (a path), or "symbols" (with a reason in
   parentheses when debug info was found but cannot be used).  Borrowed. */
const char *sym_module_debug_source(const sym_module *m);

/* 1 if M's debug file came from the debuginfod servers (its path is
   sym_module_debug_source), else 0. */
int sym_module_fetched(const sym_module *m);

/* SYM_DWARF, SYM_NO_DEBUG or SYM_BAD_DEBUG (enum sym_quality). */
int sym_module_quality(const sym_module *m);

/* Why M is not symbolized from DWARF ("no DWARF", "no DWARF, no
   symbols", either followed by "; debuginfod: WHY" when it was asked, or
   what is wrong with the debug info found), or NULL when it is.
   Borrowed. */
const char *sym_module_problem(const sym_module *m);

/* Compilation units whose index failed (a libdwarf error on the first
   lookup in them): their addresses fall back to the symbol table. */
size_t sym_module_failed_units(const sym_module *m);

/* Frees everything; NULL is harmless. */
void sym_module_close(sym_module *m);

/* C++, Rust legacy and Rust v0 names demangled; a copy of MANGLED when it
   is not a mangled name.  Returns a malloc'ed string. */
char *sym_demangle(const char *mangled);

#endif /* HEAPTRAIL_SYMBOLIZE_H */
