/*
 * units.h - sizes in human units, both ways: "1.50 KiB" for tables and
 * the browser, and "4K", "1.5MiB" as the user types them.
 */
#ifndef HEAPTRAIL_UNITS_H
#define HEAPTRAIL_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* "1.50 KiB", "12 B": N bytes in human units, into BUF; returns BUF. */
const char *units_bytes(uint64_t n, char *buf, size_t cap);

/* "4096", "4K", "4KiB", "1.5M", "2G" as bytes; -1 if not a size. */
long long units_parse_size(const char *s);

#endif /* HEAPTRAIL_UNITS_H */
