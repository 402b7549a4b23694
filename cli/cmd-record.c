/*
 * cmd-record.c - `heaptrail record`: run a program under the recorder.
 *
 * Finds libheaptrail.so (next to the binary, or PREFIX/lib/heaptrail when
 * installed), refuses programs the recorder cannot see into (statically
 * linked, setuid), runs PROGRAM with LD_PRELOAD and HEAPTRAIL_OUTPUT set,
 * waits for it, prints the one-line summary and exits with the program's
 * status (128+N if it died of signal N).
 *
 * Failures to start (no such program, cannot exec, output not writable)
 * are reported by the child through a close-on-exec pipe, so the parent
 * can tell them from the program's own exit status.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <glob.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../query/units.h"
#include "../reader/trace-reader.h"
#include "../util/xmalloc.h"
#include "cli.h"

#define EXIT_NOT_FOUND 127
#define EXIT_CANNOT_RUN 126

static void
record_help(void)
{
	printf("usage: heaptrail record [-o TRACE] [--depth N] [--unwind HOW]\n"
	    "                        [--] PROGRAM [ARG...]\n\n"
	    "Runs PROGRAM with the recorder preloaded and writes its heap "
	    "events to TRACE\n(default heaptrail.PROGRAM.PID.trace here).  "
	    "Exits with PROGRAM's status.\n\n"
	    "  -o, --output TRACE   trace file (%%p: pid, %%e: program name)\n"
	    "  -d, --depth N        stack frames kept per event (1-%d, "
	    "default 64)\n"
	    "  -u, --unwind HOW     dwarf (default), fp (programs built with "
	    "frame\n"
	    "                       pointers: fastest) or libunwind\n"
	    "  -q, --quiet          no summary line\n", HT_DEPTH_MAX);
}

/* The recorder library: beside this binary, or in ../lib/heaptrail. */
static char *
find_library(void)
{
	static const char *const rel[] = {
		"libheaptrail.so", "../lib/heaptrail/libheaptrail.so",
	};
	char self[PATH_MAX], *dir, *path;
	ssize_t n;
	size_t i;

	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return NULL;
	self[n] = '\0';
	dir = dirname(self);
	for (i = 0; i < sizeof rel / sizeof rel[0]; i++) {
		char real[PATH_MAX];

		path = xasprintf("%s/%s", dir, rel[i]);
		if (realpath(path, real) != NULL && access(real, R_OK) == 0) {
			free(path);
			return xstrdup(real);
		}
		free(path);
	}
	return NULL;
}

/* PROGRAM as execvp would find it, or NULL (errno set). */
static char *
find_program(const char *name)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, *found = NULL;
	int saw_eacces = 0;

	if (strchr(name, '/') != NULL) {
		if (access(name, F_OK) != 0)
			return NULL;
		return xstrdup(name);
	}
	copy = xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir != NULL;
	    dir = strtok_r(NULL, ":", &save)) {
		char *cand = xasprintf("%s/%s", *dir ? dir : ".", name);
		struct stat st;

		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(cand, X_OK) == 0) {
				found = cand;
				break;
			}
			saw_eacces = 1;
		}
		free(cand);
	}
	free(copy);
	if (found == NULL)
		errno = saw_eacces ? EACCES : ENOENT;
	return found;
}

/*
 * Checks that the recorder can see into PATH.  Returns NULL if fine, or a
 * malloc'ed reason.  Scripts (#!) are fine: their interpreter is recorded.
 */
/*
 * Does the ELF file FD (header EH) define a function NAME in a symbol
 * table of type TYPE (SHT_SYMTAB, SHT_DYNSYM)?  Stripped: no.
 */
static int
elf_defines(int fd, const Elf64_Ehdr *eh, unsigned type, const char *name)
{
	size_t name_len = strlen(name);
	int i, found = 0;

	for (i = 0; i < eh->e_shnum && !found; i++) {
		Elf64_Shdr sh, strsh;
		Elf64_Sym *syms;
		char *strs;
		size_t n, j;

		if (pread(fd, &sh, sizeof sh, (off_t)(eh->e_shoff +
		    (uint64_t)i * eh->e_shentsize)) != (ssize_t)sizeof sh)
			break;
		if (sh.sh_type != type ||
		    sh.sh_entsize != sizeof(Elf64_Sym) ||
		    sh.sh_size > (64u << 20) || sh.sh_link >= eh->e_shnum ||
		    pread(fd, &strsh, sizeof strsh, (off_t)(eh->e_shoff +
		    (uint64_t)sh.sh_link * eh->e_shentsize)) !=
		    (ssize_t)sizeof strsh || strsh.sh_size > (64u << 20))
			continue;
		n = sh.sh_size / sizeof *syms;
		syms = xmalloc(sh.sh_size + 1);
		strs = xmalloc(strsh.sh_size + 1);
		if (pread(fd, syms, sh.sh_size, (off_t)sh.sh_offset) ==
		    (ssize_t)sh.sh_size && pread(fd, strs, strsh.sh_size,
		    (off_t)strsh.sh_offset) == (ssize_t)strsh.sh_size) {
			strs[strsh.sh_size] = '\0';
			for (j = 0; j < n && !found; j++)
				found = syms[j].st_shndx != SHN_UNDEF &&
				    ELF64_ST_TYPE(syms[j].st_info) ==
				    STT_FUNC && syms[j].st_name +
				    name_len < strsh.sh_size &&
				    strcmp(strs + syms[j].st_name, name) == 0;
		}
		free(syms);
		free(strs);
	}
	return found;
}

/*
 * Is the ELF file FD, with no PT_INTERP and the PT_DYNAMIC segment DYN, a
 * static-pie program?  It relocates itself, so its dynamic section has no
 * DT_NEEDED and, unlike the dynamic loader run as a program, no DT_SONAME.
 */
static int
static_pie(int fd, const Elf64_Phdr *dyn)
{
	Elf64_Dyn d;
	uint64_t off;

	for (off = 0; off + sizeof d <= dyn->p_filesz && off < (1u << 20);
	    off += sizeof d) {
		if (pread(fd, &d, sizeof d, (off_t)(dyn->p_offset + off)) !=
		    (ssize_t)sizeof d || d.d_tag == DT_NULL)
			break;
		if (d.d_tag == DT_NEEDED || d.d_tag == DT_SONAME)
			return 0;
	}
	return 1;
}

/*
 * Why the recorder cannot see PROGRAM, or NULL.  Sets *WARNING (or NULL)
 * to a problem that does not stop recording but makes it partial.
 */
static char *
check_program(const char *path, char **warning)
{
	Elf64_Ehdr eh;
	Elf64_Phdr dyn = { 0 };
	struct stat st;
	int fd, i, interp = 0, dynamic = 0;

	*warning = NULL;
	if (stat(path, &st) != 0)
		return xasprintf("%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return xasprintf("%s: is a directory", path);
	if (st.st_mode & (S_ISUID | S_ISGID) && geteuid() != 0)
		return xasprintf("%s: is setuid/setgid; the loader ignores "
		    "LD_PRELOAD for it, so the recorder cannot see it", path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;	/* exec will say why */
	if (pread(fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64) {
		close(fd);
		return NULL;	/* a script, or something exec will judge */
	}
	for (i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff +
		    (uint64_t)i * eh.e_phentsize)) != (ssize_t)sizeof ph)
			break;
		if (ph.p_type == PT_INTERP)
			interp = dynamic = 1;
		if (ph.p_type == PT_DYNAMIC) {
			dynamic = 1;
			dyn = ph;
		}
	}
	/* Static-pie: no loader runs, so LD_PRELOAD is never read. */
	if (!interp && dynamic && static_pie(fd, &dyn))
		dynamic = 0;
	/*
	 * An allocator linked in statically: if it exports malloc, the
	 * recorder notices at start and says so itself; if not, only the
	 * full symbol table (when not stripped) tells.
	 */
	if (dynamic && !elf_defines(fd, &eh, SHT_DYNSYM, "malloc") &&
	    (elf_defines(fd, &eh, SHT_SYMTAB, "malloc") ||
	    elf_defines(fd, &eh, SHT_SYMTAB, "je_malloc") ||
	    elf_defines(fd, &eh, SHT_SYMTAB, "tc_malloc")))
		*warning = xasprintf("%s: has an allocator of its own built "
		    "in (it defines malloc); the recorder sees only what goes "
		    "through the C library's malloc, so the trace will miss "
		    "most allocations", path);
	close(fd);
	if (!dynamic)
		return xasprintf("%s: is statically linked%s; the recorder "
		    "(a preloaded library) cannot see its allocations", path,
		    interp || eh.e_type != ET_DYN ? "" : " (static-pie)");
	return NULL;
}

/*
 * Replaces %p, %e and %% in PATTERN, as the recorder does; with PID < 0,
 * %p is kept as it is.
 */
static char *
expand_pattern(const char *pattern, pid_t pid, const char *name)
{
	size_t cap = strlen(pattern) + strlen(name) * 4 + 64, n = 0;
	char *out = xmalloc(cap);

	for (; *pattern; pattern++) {
		if (n + strlen(name) + 24 >= cap) {
			cap *= 2;
			out = xrealloc(out, cap);
		}
		if (pattern[0] != '%' || pattern[1] == '\0') {
			out[n++] = *pattern;
			continue;
		}
		pattern++;
		if (*pattern == 'p' && pid < 0)
			n += (size_t)sprintf(out + n, "%%p");
		else if (*pattern == 'p')
			n += (size_t)sprintf(out + n, "%ld", (long)pid);
		else if (*pattern == 'e')
			n += (size_t)sprintf(out + n, "%s", name);
		else if (*pattern == '%' && pid < 0)
			n += (size_t)sprintf(out + n, "%%%%");
		else
			out[n++] = *pattern;
	}
	out[n] = '\0';
	return out;
}

/* The program being recorded, for forward_signal(). */
static volatile pid_t recorded_pid;

/* SIGTERM or SIGHUP sent to us is meant for the program: pass it on, so
   it ends (and its trace is flushed) rather than being orphaned. */
static void
forward_signal(int sig)
{
	if (recorded_pid > 0)
		kill(recorded_pid, sig);
}

/* Child side: report why we could not start, then exit. */
static void __attribute__((noreturn))
child_fail(int fd, int status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int n;

	msg[0] = (char)status;
	va_start(ap, fmt);
	n = vsnprintf(msg + 1, sizeof msg - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (n > (int)sizeof msg - 2)
		n = (int)sizeof msg - 2;
	if (write(fd, msg, (size_t)n + 1) < 0)
		_exit(status);
	_exit(status);
}

static void
print_summary(const char *trace)
{
	struct ht_totals t;
	struct stat st;
	char size[32], *cause = NULL;

	if (ht_trace_totals(trace, &t, &cause) != 0) {
		cli_error("no usable trace was written: %s", cause);
		free(cause);
		return;
	}
	if (stat(trace, &st) != 0)
		st.st_size = 0;
	fprintf(stderr, "heaptrail: %llu events, %llu allocations, %.2f s, "
	    "%s trace%s%s; analyze with: heaptrail analyze %s\n",
	    (unsigned long long)t.events, (unsigned long long)t.allocations,
	    (double)t.duration_ns / 1e9,
	    units_bytes((uint64_t)st.st_size, size, sizeof size),
	    t.complete ? "" : " (cut short: the program was killed)",
	    t.dropped ? " (events were dropped!)" : "", trace);
}

#define CHILD_TRACES_LISTED 20

/* Was PATH written since START (and so by this recording)? */
static int
written_since(const char *path, const struct timespec *start)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mtim.tv_sec > start->tv_sec ||
	    (st.st_mtim.tv_sec == start->tv_sec &&
	    st.st_mtim.tv_nsec >= start->tv_nsec));
}

/* Is S ".exec<N>", the suffix of an image before an exec (the recorder's)? */
static int
is_exec_suffix(const char *s)
{
	if (s == NULL || strncmp(s, ".exec", 5) != 0 || s[5] == '\0')
		return 0;
	for (s += 5; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* The program a trace recorded (its file name), or NULL; caller frees. */
static char *
trace_program(const char *path)
{
	ht_reader *r = ht_reader_open(path, NULL);
	struct ht_record rec;
	char *name = NULL;

	if (r == NULL)
		return NULL;
	if (ht_reader_next(r, &rec) == 1 && rec.tag == HT_TAG_HEADER &&
	    rec.header != NULL) {
		const char *exe = rec.header->exe, *end = exe +
		    rec.header->exe_len, *p;

		for (p = exe; p < end; p++)
			if (*p == '/')
				exe = p + 1;
		name = xasprintf("%.*s", (int)(end - exe), exe);
	}
	ht_reader_close(r);
	return name;
}

/*
 * Names the traces of the images MAIN's process ran before it exec'd
 * (MAIN.exec1, MAIN.exec2 ... in order, written since START), which
 * the recorder moved aside so that MAIN holds the last image.
 */
static void
print_exec_traces(const char *main_trace, const struct timespec *start)
{
	unsigned i;

	for (i = 1;; i++) {
		char *path = xasprintf("%s.exec%u", main_trace, i), *prog;
		struct ht_totals t;
		char *cause = NULL;

		if (!written_since(path, start)) {
			free(path);
			return;
		}
		if (ht_trace_totals(path, &t, &cause) != 0) {
			free(cause);
			free(path);
			continue;
		}
		prog = trace_program(path);
		fprintf(stderr, "heaptrail: before it exec'd, the program "
		    "wrote %s (%s): %llu events, %llu allocations%s\n", path,
		    prog ? prog : "?", (unsigned long long)t.events,
		    (unsigned long long)t.allocations, t.complete ? "" :
		    " (cut short)");
		free(prog);
		free(path);
	}
}

/*
 * When the last program of an exec chain was not recorded (statically
 * linked, or it dropped LD_PRELOAD), MAIN is missing: the last image
 * that was recorded takes its name back from MAIN.execN.
 */
static void
reclaim_main_trace(const char *main_trace, const struct timespec *start)
{
	char *last = NULL;
	unsigned i;

	if (access(main_trace, F_OK) == 0 || errno != ENOENT)
		return;
	for (i = 1;; i++) {
		char *path = xasprintf("%s.exec%u", main_trace, i);

		if (!written_since(path, start)) {
			free(path);
			break;
		}
		free(last);
		last = path;
	}
	if (last != NULL)
		rename(last, main_trace);
	free(last);
}

/*
 * Names the traces that processes started by the program wrote: files
 * matching PATTERN with any pid (and their ".N" and ".execN" variants,
 * see the recorder), other than MAIN and its own ".execN", changed since
 * START and readable as traces.
 */
static void
print_child_traces(const char *pattern, const char *main_trace,
    const struct timespec *start)
{
	char *globbed = xmalloc(strlen(pattern) * 2 + 8), *q = globbed;
	size_t main_len = strlen(main_trace);
	const char *p;
	glob_t g;
	size_t i, listed = 0, more = 0;

	for (p = pattern; *p; p++) {
		if (p[0] == '%' && p[1] == 'p') {
			*q++ = '*';
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			*q++ = '%';
			p++;
		} else {
			*q++ = *p;
		}
	}
	*q = '\0';
	memset(&g, 0, sizeof g);
	glob(globbed, 0, NULL, &g);
	strcpy(q, ".*");
	glob(globbed, GLOB_APPEND, NULL, &g);
	for (i = 0; i < g.gl_pathc; i++) {
		const char *path = g.gl_pathv[i];
		struct ht_totals t;
		char *cause = NULL;

		if (strcmp(path, main_trace) == 0 ||
		    (strncmp(path, main_trace, main_len) == 0 &&
		    is_exec_suffix(path + main_len)) ||
		    !written_since(path, start))
			continue;
		if (ht_trace_totals(path, &t, &cause) != 0) {
			free(cause);
			continue;
		}
		if (listed++ >= CHILD_TRACES_LISTED) {
			more++;
			continue;
		}
		fprintf(stderr, "heaptrail: a child process wrote %s%s: %llu "
		    "events, %llu allocations%s\n", path,
		    is_exec_suffix(strrchr(path, '.')) ? " (before it exec'd)" :
		    "",
		    (unsigned long long)t.events,
		    (unsigned long long)t.allocations, t.complete ? "" :
		    " (cut short)");
	}
	if (more > 0)
		fprintf(stderr, "heaptrail: ... and %zu more traces of child "
		    "processes\n", more);
	globfree(&g);
	free(globbed);
}

int
cmd_record(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "depth", required_argument, NULL, 'd' },
		{ "unwind", required_argument, NULL, 'u' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *output = NULL, *depth = NULL, *unwind = NULL;
	char *lib, *program, *why, *warning, *pattern, *trace, *preload;
	char *name, *base;
	char msg[1024];
	struct sigaction ign, fwd, old_int, old_quit, old_term, old_hup;
	struct timespec start;
	int c, quiet = 0, pipefd[2], status;
	ssize_t n;
	pid_t pid;

	while ((c = getopt_long(argc, argv, "+o:d:u:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'd': {
			char *end;
			long d = strtol(optarg, &end, 10);

			if (*end != '\0' || d < 1 || d > HT_DEPTH_MAX)
				return cli_usage("record", "--depth wants a "
				    "number from 1 to %d, not '%s'",
				    HT_DEPTH_MAX, optarg);
			depth = optarg;
			break;
		}
		case 'u':
			if (strcmp(optarg, "dwarf") != 0 &&
			    strcmp(optarg, "fp") != 0 &&
			    strcmp(optarg, "libunwind") != 0)
				return cli_usage("record", "--unwind wants "
				    "dwarf, fp or libunwind, not '%s'", optarg);
			unwind = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			record_help();
			return 0;
		default:
			return cli_usage("record", "bad option");
		}
	}
	if (optind >= argc)
		return cli_usage("record", "no program to record");

	lib = find_library();
	if (lib == NULL) {
		cli_error("cannot find libheaptrail.so next to this program "
		    "or in ../lib/heaptrail");
		return 1;
	}
	program = find_program(argv[optind]);
	if (program == NULL) {
		status = errno == EACCES ? EXIT_CANNOT_RUN : EXIT_NOT_FOUND;
		cli_error("%s: %s", argv[optind], errno == EACCES ?
		    "permission denied" : "command not found");
		free(lib);
		return status;
	}
	if ((why = check_program(program, &warning)) != NULL) {
		cli_error("%s", why);
		free(why);
		free(program);
		free(lib);
		return 1;
	}
	if (warning != NULL) {
		fprintf(stderr, "heaptrail: warning: %s\n", warning);
		free(warning);
	}

	name = xstrdup(program);
	base = basename(name);
	/*
	 * %e is the program's name as given (also for a script, whose
	 * interpreter is what runs); %p stays for the recorder to expand, so
	 * programs this one starts write files of their own.
	 */
	pattern = expand_pattern(output ? output : "heaptrail.%e.%p.trace",
	    -1, base);
	preload = getenv("LD_PRELOAD") && *getenv("LD_PRELOAD") ?
	    xasprintf("%s:%s", lib, getenv("LD_PRELOAD")) : xstrdup(lib);

	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		cli_error("pipe: %s", strerror(errno));
		status = 1;
		goto out;
	}
	fflush(NULL);
	/* The clock file times are taken from, so a file written at once is
	   not older than this. */
	clock_gettime(CLOCK_REALTIME_COARSE, &start);
	pid = fork();
	if (pid < 0) {
		cli_error("fork: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		status = 1;
		goto out;
	}
	if (pid == 0) {
		char *path, pid_text[24];
		int fd;

		close(pipefd[0]);
		path = expand_pattern(pattern, getpid(), base);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			child_fail(pipefd[1], 1, "cannot write the trace %s: "
			    "%s", path, strerror(errno));
		close(fd);
		setenv("HEAPTRAIL_OUTPUT", pattern, 1);
		/* Whose trace a fixed name is (the recorder's exec chains). */
		snprintf(pid_text, sizeof pid_text, "%ld", (long)getpid());
		setenv("HEAPTRAIL_OUTPUT_PID", pid_text, 1);
		setenv("LD_PRELOAD", preload, 1);
		if (depth)
			setenv("HEAPTRAIL_DEPTH", depth, 1);
		if (unwind)
			setenv("HEAPTRAIL_UNWIND", unwind, 1);
		execv(program, argv + optind);
		unlink(path);
		child_fail(pipefd[1], errno == ENOENT ? EXIT_NOT_FOUND :
		    EXIT_CANNOT_RUN, "cannot run %s: %s", program,
		    strerror(errno));
	}
	close(pipefd[1]);

	/* Like system(): the terminal's ^C is for the program, not us. */
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	memset(&fwd, 0, sizeof fwd);
	fwd.sa_handler = forward_signal;
	recorded_pid = pid;
	sigaction(SIGTERM, &fwd, &old_term);
	sigaction(SIGHUP, &fwd, &old_hup);

	do
		n = read(pipefd[0], msg, sizeof msg - 1);
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	recorded_pid = 0;

	if (n > 0) {
		msg[n] = '\0';
		cli_error("%s", msg + 1);
		status = (unsigned char)msg[0];
		goto out;
	}
	trace = expand_pattern(pattern, pid, base);
	reclaim_main_trace(trace, &start);
	if (!quiet) {
		print_summary(trace);
		print_exec_traces(trace, &start);
		print_child_traces(pattern, trace, &start);
	}
	free(trace);
	if (WIFSIGNALED(status))
		status = 128 + WTERMSIG(status);
	else
		status = WEXITSTATUS(status);
out:
	free(pattern);
	free(preload);
	free(name);
	free(program);
	free(lib);
	return status;
}
