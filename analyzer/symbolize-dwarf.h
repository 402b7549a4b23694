/*
 * symbolize-dwarf.h - the DWARF index behind sym_lookup (internal to
 * analyzer/symbolize*.c).
 */
#ifndef HEAPTRAIL_SYMBOLIZE_DWARF_H
#define HEAPTRAIL_SYMBOLIZE_DWARF_H

#include "symbolize.h"

struct sym_dwarf;

/*
 * Opens the DWARF of the ELF file PATH (which must have a .debug_info)
 * and indexes its compilation units' address ranges.  Returns NULL with
 * *CAUSE set if the debug info cannot be used (split DWARF, dwz, corrupt,
 * no compilation unit with code).
 */
struct sym_dwarf *sym_dwarf_open(const char *path, char **cause);

/*
 * Frames for ADDR as sym_lookup gives them, except that the outermost
 * frame's function is NULL when DWARF has no function there (the caller
 * asks the symbol table).  Returns 0 when no compilation unit covers ADDR.
 */
int sym_dwarf_lookup(struct sym_dwarf *d, uint64_t addr,
    struct sym_frame *out, int max);

/* Units whose index failed so far (their lookups give nothing). */
size_t sym_dwarf_failed_units(const struct sym_dwarf *d);

void sym_dwarf_close(struct sym_dwarf *d);

#endif /* HEAPTRAIL_SYMBOLIZE_DWARF_H */
