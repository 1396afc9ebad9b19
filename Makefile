# drmbench top-level Makefile.
#
#   make            build bench/drmbench and bench/drmbench.static
#   make run        the main job: the default suite on the best target here
#   make check      build and run every test (ends with "N passed, N failed")
#   make deps       install the Debian packages the build and tests need
#   make fuzz-long  the simgpu ioctl fuzzer in guests (KERNELS, FUZZ_SECONDS)
#   make lava-selftest  a real LAVA job through lava-run (docs/farm.md)
#
# Required libraries: libdrm, hwloc. Optional: libpfm4 (hardware counters),
# libtracefs (stage attribution from kernel tracepoints, docs/measuring.md);
# without libpfm4 those counters are reported unavailable at run time.

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wshadow -Wformat=2
VERSION := $(shell git describe --always --dirty --tags 2>/dev/null || echo unknown)

PKGS_REQUIRED := libdrm hwloc
have_pkg = $(shell pkg-config --exists $(1) 2>/dev/null && echo yes || echo no)
HAVE_LIBDRM := $(call have_pkg,libdrm)
HAVE_HWLOC  := $(call have_pkg,hwloc)
# libtracefs (+ libtraceevent): stage attribution from kernel tracepoints.
HAVE_LIBTRACEFS := $(call have_pkg,libtracefs)
# libtracecmd (trace-cmd's reader): only bench/tests/test_tracedat links it, to
# read back the trace.dat files drmbench writes.
HAVE_LIBTRACECMD := $(call have_pkg,libtracecmd)
# libpfm4 has no .pc file: a tiny compile-and-link probe (perf's feature_check).
HASH        := \#
HAVE_LIBPFM := $(shell printf '$(HASH)include <perfmon/pfmlib.h>\nint main(void){return pfm_initialize();}\n' | \
	$(CC) -x c - -lpfm -o /dev/null 2>/dev/null && echo yes || echo no)

ifeq ($(filter deps clean check run,$(MAKECMDGOALS)),)
$(info using libdrm  ... $(HAVE_LIBDRM))
$(info using hwloc   ... $(HAVE_HWLOC))
$(info using libpfm4 ... $(HAVE_LIBPFM))
$(info using libtracefs ... $(HAVE_LIBTRACEFS))
$(info using libtracecmd ... $(HAVE_LIBTRACECMD) (bench/tests/test_tracedat only))
ifneq ($(HAVE_LIBDRM)$(HAVE_HWLOC),yesyes)
$(error libdrm and hwloc are required: run 'make deps' (or: apt-get install libdrm-dev libhwloc-dev libpfm4-dev pkg-config))
endif
endif

CPPFLAGS += -Ibench -Ibench/lib -Ikmod/include/uapi \
	    $(shell pkg-config --cflags $(PKGS_REQUIRED) 2>/dev/null)
LIBS     := $(shell pkg-config --libs $(PKGS_REQUIRED) 2>/dev/null) -lm -lpthread
ifeq ($(HAVE_LIBPFM),yes)
CPPFLAGS += -DHAVE_LIBPFM
LIBS     += -lpfm
endif
ifeq ($(HAVE_LIBTRACEFS),yes)
CPPFLAGS += -DHAVE_LIBTRACEFS $(shell pkg-config --cflags libtracefs)
LIBS     += $(shell pkg-config --libs libtracefs)
endif
STATIC_LIBS := -Wl,-Bstatic -ldrm -lhwloc $(if $(filter yes,$(HAVE_LIBPFM)),-lpfm) \
	       $(if $(filter yes,$(HAVE_LIBTRACEFS)),-ltracefs -ltraceevent) -lm -lpthread

LIB_SRCS    := $(filter-out bench/lib/udev-static.c,$(wildcard bench/lib/*.c))
BENCH_SRCS  := $(wildcard bench/benches/*.c) $(wildcard bench/backends/*.c) \
	       $(wildcard bench/cmd_*.c) bench/cli.c bench/main.c bench/suites.gen.c bench/workloads.gen.c
LIB_OBJS    := $(LIB_SRCS:.c=.o)
BENCH_OBJS  := $(BENCH_SRCS:.c=.o)
TEST_SRCS   := $(wildcard bench/tests/test_*.c)
TESTS       := $(TEST_SRCS:.c=)
SUITES      := $(wildcard workloads/*.suite)
WORKLOADS   := $(wildcard workloads/sched/*.wl)
HEADERS     := $(wildcard bench/*.h bench/lib/*.h bench/benches/*.h kmod/include/uapi/drm/*.h) \
	       bench/version.gen.h

all: bench/drmbench bench/drmbench.static

bench/lib/libdrmb.a: $(LIB_OBJS)
	$(AR) rcs $@ $^

%.o: %.c $(HEADERS)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

# The version is a generated header rewritten only when it changes, so a
# new commit rebuilds what prints it and nothing is rebuilt otherwise.
bench/version.gen.h: FORCE
	@v='#define DRMB_VERSION "$(VERSION)"'; \
	[ "$$(cat $@ 2>/dev/null)" = "$$v" ] || printf '%s\n' "$$v" > $@

# $(call embed,FILES,SUFFIX): shell that prints a C initializer line
# { "name", "text" } per file, the name being the file's without SUFFIX.
embed = for f in $(1); do \
		n=$$(basename "$$f" $(2)); printf '\t{ "%s",\n' "$$n"; \
		sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t  "/' -e 's/$$/\\n"/' "$$f"; \
		printf '\t},\n'; \
	done

# Suites are compiled in so a static drmbench in a guest carries them.
bench/suites.gen.c: $(SUITES) Makefile
	@{ printf '/* generated from workloads/NAME.suite by the Makefile */\n'; \
	   printf '#include "runner.h"\nconst struct drmb_suite_src drmb_builtin_suites[] = {\n'; \
	   $(call embed,$(SUITES),.suite); printf '\t{ NULL, NULL },\n};\n'; } > $@.tmp && mv $@.tmp $@

# Workload files too (docs/workloads.md), with their names for the
# sched-workload benchmark's `workload` parameter.
bench/workloads.gen.c: $(WORKLOADS) Makefile
	@{ printf '/* generated from workloads/sched/NAME.wl by the Makefile */\n'; \
	   printf '#include "workload.h"\nconst struct drmb_workload_src drmb_builtin_workloads[] = {\n'; \
	   $(call embed,$(WORKLOADS),.wl); printf '\t{ NULL, NULL },\n};\nconst char *const drmb_builtin_workload_names[] = {\n'; \
	   for f in $(WORKLOADS); do printf '\t"%s",\n' "$$(basename "$$f" .wl)"; done; \
	   printf '\tNULL,\n};\n'; } > $@.tmp && mv $@.tmp $@

bench/drmbench: $(BENCH_OBJS) bench/lib/libdrmb.a
	$(CC) $(CFLAGS) -o $@ $(BENCH_OBJS) bench/lib/libdrmb.a $(LIBS)

bench/drmbench.static: $(BENCH_OBJS) bench/lib/libdrmb.a bench/lib/udev-static.o
	$(CC) $(CFLAGS) -static -o $@ $(BENCH_OBJS) bench/lib/libdrmb.a \
		bench/lib/udev-static.o $(STATIC_LIBS)

bench/tests/test_%: bench/tests/test_%.c bench/lib/libdrmb.a $(HEADERS) bench/tests/check.h bench/tests/cli_run.h
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $< bench/lib/libdrmb.a $(LIBS)

TRACECMD_FLAGS := $(if $(filter yes,$(HAVE_LIBTRACECMD)),-DHAVE_LIBTRACECMD $(shell pkg-config --cflags libtracecmd))
TRACECMD_LIBS  := $(if $(filter yes,$(HAVE_LIBTRACECMD)),$(shell pkg-config --libs libtracecmd))
bench/tests/test_tracedat: bench/tests/test_tracedat.c bench/lib/libdrmb.a $(HEADERS) bench/tests/check.h
	$(CC) $(CPPFLAGS) $(TRACECMD_FLAGS) $(CFLAGS) $(WARN) -o $@ $< bench/lib/libdrmb.a $(LIBS) $(TRACECMD_LIBS)

# Benchmarks of the harness itself (they print their figures, never assert).
# compare over 1000 files of 100 benchmarks: docs/statistics.md.
bench/tests/perf_compare: bench/tests/perf_compare.c
	$(CC) $(CFLAGS) $(WARN) -o $@ $<

perf-compare: bench/tests/perf_compare bench/drmbench
	bench/tests/perf_compare 1000 100 1
	bench/tests/perf_compare 1000 100 10

# compare with 80,000 rows in 80,000 unit tables: its grouping by unit.
perf-compare-units: bench/tests/perf_compare bench/drmbench
	bench/tests/perf_compare units 80000 3

# the reader's unit interning: one line of 80,000 distinct units (issue 17).
bench/tests/perf_units: bench/tests/perf_units.c bench/lib/libdrmb.a $(HEADERS)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $< bench/lib/libdrmb.a -lm

perf-units: bench/tests/perf_units
	bench/tests/perf_units 80000 1

# trend's false-change-point rate, its power, and its time on a year of nights.
bench/tests/perf_trend: bench/tests/perf_trend.c bench/lib/libdrmb.a $(HEADERS)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $< bench/lib/libdrmb.a -lm

perf-trend: bench/tests/perf_trend bench/drmbench
	bench/tests/perf_trend rate 2000 10
	bench/tests/perf_trend time 365 100 10

# plain `benchstat old.txt new.txt` on two drmbench files (docs/results.md);
# SKIPs without benchstat on PATH.  make check runs it too.
check-benchstat: bench/drmbench
	sh bench/tests/benchstat.sh

# ---- the two commands of the README ------------------------------------------

deps:
	scripts/deps

# Both install what they need first (as root; else they print the command).
check:
	scripts/deps
	$(MAKE) all tests
	$(MAKE) -C kmod/tests
	scripts/check

# make run DETERMINISTIC=1: the gate suite (the default suite does not fit
# virtual time) in a guest in virtual time (docs/vm-runner.md,
# "Deterministic mode"); RUN_ARGS: more drmbench run
# options (RUN_ARGS="-n 10000" for p99 in a TCG guest).
run:
	scripts/deps
	$(MAKE) all
	scripts/run-default $(VM_DETERMINISTIC_FLAG) $(if $(RUN_ARGS),-- $(RUN_ARGS))

tests: $(TESTS)

# The ioctl fuzzer, long, in a guest of each kernel (docs/simgpu.md
# "Fuzzing"); make check runs it for 25 s on 6.12 and 6.1.
FUZZ_SECONDS ?= 600
FUZZ_ARGS ?=
fuzz-long:
	$(MAKE) -C kmod/tests
	CHECK_KERNELS="$(or $(KERNELS),6.1 6.12 7.2 7.3-rc)" CHECK_FUZZ_SECONDS="$(FUZZ_SECONDS)" \
		CHECK_FUZZ_ARGS="$(FUZZ_ARGS)" scripts/check --fuzz-only

# A real LAVA job here: lava-run (Debian's lava-dispatcher) boots 6.12 under
# QEMU with drmbench's artifacts and runs the quick suite (docs/farm.md).
lava-selftest: all
	$(MAKE) -C kmod/tests
	scripts/lava-selftest $(if $(KERNEL),-k $(KERNEL))

-include scripts/vm.mk

clean:
	rm -f bench/drmbench bench/drmbench.static bench/suites.gen.c bench/workloads.gen.c bench/version.gen.h bench/lib/libdrmb.a \
		$(LIB_OBJS) $(BENCH_OBJS) bench/lib/udev-static.o $(TESTS) bench/tests/perf_compare \
		bench/tests/perf_trend bench/tests/perf_units

.PHONY: all check run deps clean tests perf-compare perf-compare-units perf-trend perf-units \
	check-benchstat fuzz-long lava-selftest FORCE
.DELETE_ON_ERROR:
