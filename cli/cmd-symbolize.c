/*
 * cmd-symbolize.c - `heaptrail symbolize`: the analyzer's symbolizer on
 * addresses given by hand, for debugging and tests.
 *
 * Each ADDRESS (hex, a file address: already minus the load bias) gives
 * its frames innermost first, one per line:
 *
 *	0x401136 leaf /src/a.c:12 (inlined)
 *	0x401136 main /src/a.c:30
 *
 * ("??:0" when the line is unknown).  --json prints one array of
 * {"address", "frames": [{function, file, line, inlined}]} instead.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analyzer/symbolize.h"
#include "cli.h"
#include "query.h"

#define MAX_FRAMES	64

static void
symbolize_help(void)
{
	printf("usage: heaptrail symbolize [--json] BINARY ADDRESS...\n\n"
	    "Prints the function, file:line and inlined frames of each file "
	    "ADDRESS (hex)\nof the ELF object BINARY, innermost first.\n\n"
	    "  -j, --json      one JSON array instead of lines of text\n");
}

static void
symbolize_json_string(const char *s)
{
	if (s == NULL)
		fputs("null", stdout);
	else
		json_string(s);
}

int
cmd_symbolize(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct sym_frame frames[MAX_FRAMES];
	sym_debuginfod *servers;
	sym_module *m;
	uint64_t *addrs;
	char *cause, *end;
	int json = 0, c, i, j, n, naddrs;

	while ((c = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			symbolize_help();
			return 0;
		default:
			return cli_usage("symbolize", "bad option");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2)
		return cli_usage("symbolize", "need a BINARY and addresses");
	naddrs = argc - 1;
	addrs = calloc((size_t)naddrs, sizeof *addrs);
	if (addrs == NULL) {
		cli_error("out of memory");
		return 1;
	}
	for (i = 0; i < naddrs; i++) {
		errno = 0;
		addrs[i] = strtoull(argv[i + 1], &end, 16);
		if (errno != 0 || end == argv[i + 1] || *end != '\0') {
			free(addrs);
			return cli_usage("symbolize", "bad address '%s'",
			    argv[i + 1]);
		}
	}
	/* As analyze does: debuginfod when the disk has no debug info. */
	servers = sym_debuginfod_create();
	m = sym_module_open(argv[0], NULL, 0, servers, NULL, &cause);
	if (m == NULL) {
		sym_debuginfod_free(servers);
		cli_error("%s", cause);
		free(cause);
		free(addrs);
		return 1;
	}
	if (json)
		putchar('[');
	for (i = 0; i < naddrs; i++) {
		n = sym_lookup(m, addrs[i], frames, MAX_FRAMES);
		if (json) {
			printf("%s{\"address\":\"0x%" PRIx64 "\",\"frames\":[",
			    i ? "," : "", addrs[i]);
			for (j = 0; j < n; j++) {
				printf("%s{\"function\":", j ? "," : "");
				symbolize_json_string(frames[j].function);
				printf(",\"file\":");
				symbolize_json_string(frames[j].file);
				printf(",\"line\":%u,\"inlined\":%s}",
				    frames[j].line,
				    frames[j].inlined ? "true" : "false");
			}
			printf("]}");
			continue;
		}
		for (j = 0; j < n; j++)
			printf("0x%" PRIx64 " %s %s:%u%s\n", addrs[i],
			    frames[j].function,
			    frames[j].file ? frames[j].file : "??",
			    frames[j].line,
			    frames[j].inlined ? " (inlined)" : "");
	}
	if (json)
		printf("]\n");
	sym_module_close(m);
	sym_debuginfod_free(servers);
	free(addrs);
	return 0;
}
