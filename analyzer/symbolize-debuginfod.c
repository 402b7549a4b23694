/*
 * symbolize-debuginfod.c - asks the debuginfod servers of DEBUGINFOD_URLS
 * for the debug file of a build-id (see symbolize-debuginfod.h).
 *
 * libdebuginfod is loaded with dlopen, and only when a module lacks debug
 * info on disk while DEBUGINFOD_URLS is set, as elfutils' libdwfl does:
 * linking it would load libcurl and its TLS and HTTP libraries into every
 * heaptrail command at start-up (tens of them, for `heaptrail summary`
 * too), and a machine without libdebuginfod1 would not run heaptrail at
 * all.  The header gives the functions' types, so a changed interface
 * fails to build rather than to run.
 *
 * Owns the client handle and the answers: a build-id and either the path
 * libdebuginfod gave (malloc'ed by it) or why not.  Invariant: a build-id
 * is in answers at most once, and is asked of the servers at most once.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <elfutils/debuginfod.h>

#include "../util/xmalloc.h"
#include "symbolize-debuginfod.h"

struct sym_answer {
	uint8_t *id;
	size_t len;
	char *path;		/* in libdebuginfod's cache, or NULL */
	char *why;		/* when path is NULL */
};

struct sym_debuginfod {
	int loaded;		/* tried to load libdebuginfod */
	char *problem;		/* why nothing more is asked, or NULL */
	debuginfod_client *client;
	__typeof__(debuginfod_begin) *begin;
	__typeof__(debuginfod_end) *end;
	__typeof__(debuginfod_find_debuginfo) *find_debuginfo;
	struct sym_answer *answers;
	size_t nanswers, answers_cap;
};

sym_debuginfod *
sym_debuginfod_create(void)
{
	const char *urls = getenv(DEBUGINFOD_URLS_ENV_VAR);

	if (urls == NULL || urls[strspn(urls, " \t\n")] == '\0')
		return NULL;
	return xcalloc(1, sizeof(sym_debuginfod));
}

/* Loads libdebuginfod and begins a client; else sets d->problem. */
static void
sym_debuginfod_load(sym_debuginfod *d)
{
	void *lib;
	const char *err;

	d->loaded = 1;
	lib = dlopen(DEBUGINFOD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL) {
		err = dlerror();
		d->problem = xasprintf("cannot load %s%s%s", DEBUGINFOD_SONAME,
		    err != NULL ? ": " : "", err != NULL ? err : "");
		return;
	}
	/* POSIX makes dlsym's object pointer convertible to a function. */
	d->begin = (__typeof__(d->begin))dlsym(lib, "debuginfod_begin");
	d->end = (__typeof__(d->end))dlsym(lib, "debuginfod_end");
	d->find_debuginfo = (__typeof__(d->find_debuginfo))dlsym(lib,
	    "debuginfod_find_debuginfo");
	if (d->begin == NULL || d->end == NULL || d->find_debuginfo == NULL) {
		d->problem = xasprintf("%s lacks the debuginfod_* functions",
		    DEBUGINFOD_SONAME);
		return;		/* the library stays loaded, unused */
	}
	d->client = d->begin();
	if (d->client == NULL)
		d->problem = xstrdup("libdebuginfod cannot begin a client");
}

/* The answer about ID, or NULL if it was never asked. */
static struct sym_answer *
sym_debuginfod_answer(sym_debuginfod *d, const uint8_t *id, size_t len)
{
	size_t i;

	for (i = 0; i < d->nanswers; i++)
		if (d->answers[i].len == len &&
		    memcmp(d->answers[i].id, id, len) == 0)
			return &d->answers[i];
	return NULL;
}

const char *
sym_debuginfod_find(sym_debuginfod *d, const uint8_t *id, size_t len,
    const char **why)
{
	struct sym_answer *a;
	char *path = NULL;
	int fd;

	*why = "no build-id to ask for";
	if (d == NULL || len == 0)
		return NULL;
	a = sym_debuginfod_answer(d, id, len);
	if (a != NULL) {
		*why = a->why;
		return a->path;
	}
	if (!d->loaded)
		sym_debuginfod_load(d);
	if (d->problem != NULL) {
		*why = d->problem;
		return NULL;
	}

	if (d->nanswers == d->answers_cap) {
		d->answers_cap = d->answers_cap ? d->answers_cap * 2 : 16;
		d->answers = xreallocarray(d->answers, d->answers_cap,
		    sizeof *d->answers);
	}
	a = &d->answers[d->nanswers++];
	a->id = xmalloc(len);
	memcpy(a->id, id, len);
	a->len = len;
	a->path = NULL;
	a->why = NULL;
	/* Blocks until every server has answered, or DEBUGINFOD_TIMEOUT
	   (libdebuginfod's, 90 s by default) has passed without data. */
	fd = d->find_debuginfo(d->client, id, (int)len, &path);
	if (fd >= 0) {
		close(fd);	/* sym_module_open opens the path itself */
		if (path != NULL) {
			a->path = path;
			return a->path;
		}
		a->why = xstrdup("libdebuginfod gave no path");
	} else if (fd == -ENOENT) {
		free(path);
		a->why = xstrdup("not found on the servers");
	} else {
		free(path);
		a->why = xasprintf("%s", strerror(-fd));
		d->problem = xasprintf("%s; not asked again in this analysis",
		    a->why);
	}
	*why = a->why;
	return NULL;
}

const char *
sym_debuginfod_problem(const sym_debuginfod *d)
{
	return d != NULL ? d->problem : NULL;
}

void
sym_debuginfod_free(sym_debuginfod *d)
{
	size_t i;

	if (d == NULL)
		return;
	if (d->client != NULL)
		d->end(d->client);
	for (i = 0; i < d->nanswers; i++) {
		free(d->answers[i].id);
		free(d->answers[i].path);
		free(d->answers[i].why);
	}
	free(d->answers);
	free(d->problem);
	free(d);
}
