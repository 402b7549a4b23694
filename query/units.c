/*
 * units.c - sizes in human units (binary prefixes, three significant
 * digits), and sizes as typed on the command line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

const char *
units_bytes(uint64_t n, char *buf, size_t cap)
{
	static const char *units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int u = -1;

	if (n < 1024) {
		snprintf(buf, cap, "%llu B", (unsigned long long)n);
		return buf;
	}
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(buf, cap, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" :
	    "%.0f %s", v, units[u]);
	return buf;
}

long long
units_parse_size(const char *s)
{
	static const struct {
		const char *suffix;
		double factor;
	} units[] = {
		{ "", 1 }, { "B", 1 },
		{ "K", 1024 }, { "KiB", 1024 }, { "k", 1024 },
		{ "M", 1024 * 1024 }, { "MiB", 1024 * 1024 },
		{ "G", 1024.0 * 1024 * 1024 }, { "GiB", 1024.0 * 1024 * 1024 },
	};
	char *end;
	double v = strtod(s, &end);
	size_t i;

	if (end == s || !(v >= 0) || strpbrk(s, "xXpP") != NULL)
		return -1;	/* (strtod would read hex) */
	while (*end == ' ')
		end++;
	for (i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcmp(end, units[i].suffix) == 0)
			return v * units[i].factor < 9e18 ?
			    (long long)(v * units[i].factor + 0.5) : -1;
	return -1;
}
