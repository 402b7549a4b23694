# heaptrail - one hand-written GNU Makefile.  `make help` lists the targets.

PREFIX ?= /usr/local
BUILD ?= build
CC ?= gcc
CXX ?= g++

# Debian packages each stage needs; build-aux/install-deps installs the
# missing ones (as root) or prints the apt-get line.
# (libdebuginfod-dev: the header only; libdebuginfod.so.1 is loaded at
# run time, when debug info is asked of DEBUGINFOD_URLS.)
BUILD_DEPS := gcc make libzstd-dev libsqlite3-dev libncurses-dev \
	libdwarf-dev libelf-dev libunwind-dev libiberty-dev zlib1g-dev \
	libdebuginfod-dev
# The tests also record real programs nobody here wrote (python3, git,
# xz, pigz, ripgrep, cmake; valgrind gives the reference counts) and other
# allocators loaded as libraries (tcmalloc, jemalloc): test-only packages.
# golang-go brings `go tool pprof`, which reads `heaptrail pprof`'s output;
# test-debuginfod serves split debug info (objcopy) with a debuginfod.
CHECK_DEPS := g++ tmux sqlite3 mandoc valgrind \
	libtcmalloc-minimal4 libjemalloc2 \
	python3 git xz-utils pigz ripgrep cmake golang-go binutils debuginfod
# The benchmark's workloads also run Debian's python3, g++ (its cc1plus),
# sqlite3 and git.
BENCH_DEPS := heaptrack time python3 g++ sqlite3 git

# All warning flags live here.
WARNINGS := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wpointer-arith -Wformat=2 -Wno-format-nonliteral
CFLAGS ?= -O2 -g
BASE_CFLAGS := -std=c11 $(WARNINGS) -MMD -MP -I/usr/include/x86_64-linux-gnu
# The recorder runs inside other programs: never sanitized, always -O2.
RECORDER_CFLAGS := $(BASE_CFLAGS) -O2 -g -fPIC -fvisibility=hidden \
	-ftls-model=initial-exec -fno-omit-frame-pointer
ALL_CFLAGS := $(BASE_CFLAGS) $(CFLAGS)
LDFLAGS ?=
# make SANITIZE=1: the program (not the recorder) with ASan and UBSan.
ifeq ($(SANITIZE),1)
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

RECORDER_SRC := $(wildcard recorder/*.c)
READER_SRC := $(wildcard reader/*.c) $(wildcard util/*.c)
CLI_SRC := $(wildcard cli/*.c)
ANALYZER_SRC := $(wildcard analyzer/*.c)
TUI_SRC := $(wildcard tui/*.c)
QUERY_SRC := $(wildcard query/*.c)

RECORDER_OBJ := $(RECORDER_SRC:%.c=$(BUILD)/pic/%.o)
# schema/schema.sql, compiled in as a C string.
SCHEMA_OBJ := $(BUILD)/obj/gen/schema.o
PROGRAM_OBJ := $(READER_SRC:%.c=$(BUILD)/obj/%.o) \
	$(CLI_SRC:%.c=$(BUILD)/obj/%.o) \
	$(ANALYZER_SRC:%.c=$(BUILD)/obj/%.o) \
	$(QUERY_SRC:%.c=$(BUILD)/obj/%.o) \
	$(TUI_SRC:%.c=$(BUILD)/obj/%.o) $(SCHEMA_OBJ)
# What the unit tests link: everything but the commands and the curses
# views (the browser's models draw nothing, so they are tested too).
LIB_OBJ := $(READER_SRC:%.c=$(BUILD)/obj/%.o) \
	$(ANALYZER_SRC:%.c=$(BUILD)/obj/%.o) \
	$(QUERY_SRC:%.c=$(BUILD)/obj/%.o) \
	$(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tui/model-*.c)) $(SCHEMA_OBJ)

# Test and sample programs: one binary per source file.
SAMPLE_SRC := $(wildcard samples/*.c) $(wildcard samples/*.cc)
SAMPLE_BIN := $(patsubst samples/%,$(BUILD)/samples/%,$(basename $(SAMPLE_SRC)))
TESTPROG_SRC := $(wildcard tests/programs/*.c) $(wildcard tests/programs/*.cc)
TESTPROG_BIN := $(patsubst tests/programs/%,$(BUILD)/tests/%,$(basename $(TESTPROG_SRC)))
TESTLIB_SRC := $(wildcard tests/programs/plugin/*.c)
TESTLIB_BIN := $(patsubst tests/programs/plugin/%.c,$(BUILD)/tests/lib%.so,$(TESTLIB_SRC)) \
	$(patsubst samples/plugin/%.c,$(BUILD)/samples/lib%.so,$(wildcard samples/plugin/*.c))
UNIT_SRC := $(wildcard tests/unit/test-*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRC))
BENCH_BIN := $(foreach p,alloc-bench random-free request-loop,\
	$(BUILD)/bench/$(p) $(BUILD)/bench/$(p)-fp)

DEPS_STAMP := $(BUILD)/.deps-build
CHECK_STAMP := $(BUILD)/.deps-check
BENCH_STAMP := $(BUILD)/.deps-bench

.PHONY: all demo check update-expected soak bench install uninstall clean asan help deps check-deps manlint fuzz
.DEFAULT_GOAL := all

all: $(BUILD)/heaptrail $(BUILD)/libheaptrail.so

help:
	@echo "make              build $(BUILD)/heaptrail and $(BUILD)/libheaptrail.so"
	@echo "make demo         record samples/leak.c, analyze it, show summary and leaks"
	@echo "make check        build and run every test (ends: N passed, N failed)"
	@echo "make update-expected  rewrite the expected output of tests/traces/ and the fuzz corpus"
	@echo "make soak         long stress run and repeated race tests (SOAK_SECONDS, SOAK_ROUNDS)"
	@echo "make bench        seven workloads against heaptrack -> bench/RESULTS.md (BENCH_REPS, BENCH_WORKLOADS)"
	@echo "make asan         build with AddressSanitizer into build-asan/ and run the tests"
	@echo "make fuzz         libFuzzer on the trace reader (FUZZ_SECONDS=60)"
	@echo "make install      install to PREFIX (default /usr/local)"
	@echo "make uninstall    remove what install put in PREFIX"
	@echo "make clean        remove $(BUILD)/"
	@echo "V=1               show the commands"

deps: $(DEPS_STAMP)
$(DEPS_STAMP): Makefile build-aux/install-deps
	$(Q)build-aux/install-deps $(BUILD_DEPS)
	$(Q)mkdir -p $(@D) && touch $@

check-deps: $(CHECK_STAMP)
$(CHECK_STAMP): $(DEPS_STAMP)
	$(Q)build-aux/install-deps $(CHECK_DEPS)
	$(Q)touch $@
# The benchmark's programs are built with g++ and run against heaptrack.
$(BENCH_STAMP): $(DEPS_STAMP)
	$(Q)build-aux/install-deps $(BENCH_DEPS)
	$(Q)touch $@

# --- the recorder: libc, libzstd and libunwind only ---------------------------

$(BUILD)/pic/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(RECORDER_CFLAGS) -c $< -o $@

$(BUILD)/libheaptrail.so: $(RECORDER_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -shared -o $@ $^ -Wl,-z,now -Wl,--as-needed -lzstd -lunwind

# --- the program ------------------------------------------------------------------

$(BUILD)/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

PROGRAM_LIBS := -lzstd -lsqlite3 -ldwarf -lelf -lz -lncursesw -liberty -lm \
	-pthread

$(BUILD)/gen/schema.c: schema/schema.sql
	@mkdir -p $(@D)
	$(Q){ echo '/* Generated from schema/schema.sql by the Makefile. */'; \
	  echo 'const char ht_schema_sql[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; \
	  echo ';'; } > $@

$(BUILD)/obj/gen/schema.o: $(BUILD)/gen/schema.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CFLAGS) -c $< -o $@

$(BUILD)/heaptrail: $(PROGRAM_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -o $@ $^ $(LDFLAGS) -Wl,--as-needed $(PROGRAM_LIBS)

# --- samples, test programs, unit tests, benchmark -------------------------------

# Samples and test programs are built like a user's program: -O1 keeps
# their call chains real (no inlining of the interesting functions away).
PROG_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -pthread -Iinclude
PROG_CXXFLAGS := -std=c++17 -O1 -g -Wall -Wextra -Werror -pthread -Iinclude

# (g++ comes with the check dependencies, hence the order-only stamp.)
$(BUILD)/samples/%: samples/%.c include/heaptrail.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(Q)$(CC) $(PROG_CFLAGS) -o $@ $< -ldl
$(BUILD)/samples/%: samples/%.cc include/heaptrail.h | $(CHECK_STAMP)
	@mkdir -p $(@D)
	$(Q)$(CXX) $(PROG_CXXFLAGS) -o $@ $<
# For test-unwind's --unwind fp: a program with frame pointers.
$(BUILD)/tests/walk-stacks: PROG_CFLAGS += -fno-omit-frame-pointer
# For test-own-code: the standard library's templates inlined, as users
# build them.
$(BUILD)/tests/own-code-cxx: PROG_CXXFLAGS += -O2
$(BUILD)/tests/%: tests/programs/%.c include/heaptrail.h \
		tests/programs/shape-clock.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(Q)$(CC) $(PROG_CFLAGS) -o $@ $< -ldl
$(BUILD)/tests/%: tests/programs/%.cc include/heaptrail.h | $(CHECK_STAMP)
	@mkdir -p $(@D)
	$(Q)$(CXX) $(PROG_CXXFLAGS) -o $@ $<

$(BUILD)/tests/lib%.so: tests/programs/plugin/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(Q)$(CC) $(PROG_CFLAGS) -fPIC -shared -o $@ $<
$(BUILD)/samples/lib%.so: samples/plugin/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(Q)$(CC) $(PROG_CFLAGS) -fPIC -shared -o $@ $<

$(BUILD)/unit/%: tests/unit/%.c $(LIB_OBJ)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(LIB_OBJ) $(LDFLAGS) $(PROGRAM_LIBS)

# The corpus replayer links the fuzz target, built without libFuzzer.
$(BUILD)/unit/test-fuzz-corpus: tests/unit/test-fuzz-corpus.c tests/fuzz/fuzz-trace.c $(LIB_OBJ)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit -DCORPUS_DIR='"$(CURDIR)/tests/fuzz/corpus"' \
		-DEXPECTED_FILE='"$(CURDIR)/tests/fuzz/expected.txt"' \
		-o $@ $< tests/fuzz/fuzz-trace.c $(LIB_OBJ) $(LDFLAGS) $(PROGRAM_LIBS)

# make fuzz: libFuzzer on the trace reader (clang from Debian), new
# interesting inputs land in tests/fuzz/corpus/ (then make update-expected
# lists what the reader makes of them in tests/fuzz/expected.txt).
FUZZ_SECONDS ?= 60
fuzz: $(DEPS_STAMP)
	$(Q)build-aux/install-deps clang
	$(Q)mkdir -p $(BUILD)/fuzz
	$(Q)clang -g -O1 -fsanitize=fuzzer,address,undefined -I/usr/include/x86_64-linux-gnu \
		-o $(BUILD)/fuzz/fuzz-trace tests/fuzz/fuzz-trace.c $(READER_SRC) -lzstd
	$(Q)$(BUILD)/fuzz/fuzz-trace -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
		tests/fuzz/corpus

# The codec test links the recorder's frame encoder into a program.
$(BUILD)/unit/test-codec: tests/unit/test-codec.c recorder/frame-encoder.c $(LIB_OBJ)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< recorder/frame-encoder.c \
		$(LIB_OBJ) $(LDFLAGS) $(PROGRAM_LIBS)

$(BUILD)/bench/alloc-bench: bench/alloc-bench.c
	@mkdir -p $(@D)
	$(Q)$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -pthread -o $@ $<
# The same with frame pointers, for `record --unwind fp`.
$(BUILD)/bench/alloc-bench-fp: bench/alloc-bench.c
	@mkdir -p $(@D)
	$(Q)$(CC) -std=gnu11 -O2 -g -fno-omit-frame-pointer -Wall -Wextra \
		-Werror -pthread -o $@ $<
$(BUILD)/bench/random-free: bench/random-free.c
	@mkdir -p $(@D)
	$(Q)$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -o $@ $<
$(BUILD)/bench/random-free-fp: bench/random-free.c
	@mkdir -p $(@D)
	$(Q)$(CC) -std=gnu11 -O2 -g -fno-omit-frame-pointer -Wall -Wextra \
		-Werror -o $@ $<
$(BUILD)/bench/request-loop: bench/request-loop.cc | $(BENCH_STAMP)
	@mkdir -p $(@D)
	$(Q)$(CXX) -std=c++17 -O2 -g -Wall -Wextra -Werror -o $@ $<
$(BUILD)/bench/request-loop-fp: bench/request-loop.cc | $(BENCH_STAMP)
	@mkdir -p $(@D)
	$(Q)$(CXX) -std=c++17 -O2 -g -fno-omit-frame-pointer -Wall -Wextra \
		-Werror -o $@ $<

# --- targets a user runs -------------------------------------------------------------

demo: all deps $(BUILD)/samples/leak
	$(Q)cd $(BUILD) && ./heaptrail record -o demo.trace ./samples/leak
	$(Q)$(BUILD)/heaptrail analyze $(BUILD)/demo.trace
	$(Q)$(BUILD)/heaptrail summary $(BUILD)/demo.db
	$(Q)$(BUILD)/heaptrail leaks $(BUILD)/demo.db

check: all check-deps $(SAMPLE_BIN) $(TESTPROG_BIN) $(TESTLIB_BIN) $(UNIT_BIN)
	$(Q)BUILD=$(BUILD) tests/run.sh

# After a deliberate change in what the reader or analyze make of a
# trace: rewrites the expected output of the checked-in traces
# (tests/traces/) and of the fuzz corpus (tests/fuzz/expected.txt).
# Review the diff before committing it.
update-expected: all check-deps $(BUILD)/unit/test-fuzz-corpus
	$(Q)UPDATE_EXPECTED=1 BUILD=$(BUILD) tests/run.sh format-versions fuzz-corpus
	$(Q)git diff --stat -- tests/traces tests/fuzz/expected.txt

# The stress test at length (SOAK_SECONDS per run), then the tests of
# endings, signals and fork over and over (SOAK_ROUNDS): for races that
# show once in a hundred runs.
SOAK_SECONDS ?= 60
SOAK_ROUNDS ?= 20
soak: all check-deps $(TESTPROG_BIN)
	$(Q)STRESS_THREADS=128 STRESS_SECONDS=$(SOAK_SECONDS) BUILD=$(BUILD) \
		tests/run.sh stress
	$(Q)i=0; while [ $$i -lt $(SOAK_ROUNDS) ]; do \
		for t in endings signals fork sigkill many-threads; do \
			BUILD=$(BUILD) tests/run.sh $$t | tail -n 1 | \
				grep -q '^1 passed' || { echo "soak: $$t failed in round $$i"; exit 1; }; \
		done; i=$$((i + 1)); done; echo "soak: $(SOAK_ROUNDS) rounds passed"

bench: all $(BENCH_BIN)
	$(Q)build-aux/install-deps $(BENCH_DEPS)
	$(Q)BUILD=$(BUILD) bench/run.sh
	$(Q)BUILD=$(BUILD) bench/tui-keys.sh -w

asan:
	$(Q)$(MAKE) BUILD=build-asan SANITIZE=1 CFLAGS="-O1 -g" check

manlint: check-deps
	$(Q)mandoc -Tlint -Wwarning man/heaptrail.1 man/heaptrail.5

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/heaptrail \
		$(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 $(BUILD)/heaptrail $(DESTDIR)$(PREFIX)/bin/heaptrail
	install -m 755 $(BUILD)/libheaptrail.so $(DESTDIR)$(PREFIX)/lib/heaptrail/libheaptrail.so
	install -m 644 include/heaptrail.h $(DESTDIR)$(PREFIX)/include/heaptrail.h
	install -m 644 man/heaptrail.1 $(DESTDIR)$(PREFIX)/share/man/man1/heaptrail.1
	install -m 644 man/heaptrail.5 $(DESTDIR)$(PREFIX)/share/man/man5/heaptrail.5
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 644 completion/heaptrail.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/heaptrail

# Removes what install put there (and the folder of the library).
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/heaptrail \
		$(DESTDIR)$(PREFIX)/lib/heaptrail/libheaptrail.so \
		$(DESTDIR)$(PREFIX)/include/heaptrail.h \
		$(DESTDIR)$(PREFIX)/share/man/man1/heaptrail.1 \
		$(DESTDIR)$(PREFIX)/share/man/man5/heaptrail.5 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/heaptrail
	-rmdir $(DESTDIR)$(PREFIX)/lib/heaptrail 2>/dev/null

clean:
	rm -rf $(BUILD) build-asan

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
