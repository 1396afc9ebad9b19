// SPDX-License-Identifier: MIT
/*
 * drmbench run: parse the options and the benchmarks or suites into run
 * options and entries, run them (bench/lib/runner.c prints the summary and
 * stores the result), then turn the outcome into the exit status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "device.h"
#include "env.h"
#include "result.h"
#include "runner.h"

#define MAX_PARAMS 64

/* What the command line asks for. */
struct run_args {
	struct drmb_run_opts o;
	struct drmb_override params[MAX_PARAMS];
	unsigned int nparams;
	struct drmb_entry *entries;
	size_t nentries;
};

static void usage_run(FILE *f)
{
	fprintf(f,
"usage: drmbench run [options] BENCH|SUITE|FILE.suite...\n"
"  -b, --backend=NAME      backend for device benchmarks (default: per case\n"
"                          the first whose device has what it needs)\n"
"  -c, --placement=LIST    thread placements, comma list (default auto):\n"
"                          auto none same-core smt-sibling same-llc cross-llc\n"
"                          cross-package\n"
"  -d, --device=NODE       use this render node (e.g. /dev/dri/renderD128)\n"
"      --fifo[=PRIO]       run waiter threads SCHED_FIFO (default prio 50)\n"
"  -h, --help              this help\n"
"      --label=KEY=VALUE   add a 'KEY: VALUE' configuration line (repeatable)\n"
"  -n, --samples=N         samples per run (default 10000; quick: 200)\n"
"      --counters          perf counters even under QEMU TCG (off there by\n"
"                          default: see docs/measuring.md)\n"
"      --no-canary         no per-run environment canary (a futex-wake pass\n"
"                          before every run: canary-ns, floor-ratio)\n"
"      --no-counters       no perf counters (they add cost to every context\n"
"                          switch the measured path makes)\n"
"      --no-dma-latency    do not hold /dev/cpu_dma_latency at 0\n"
"      --no-mlock          do not mlockall()\n"
"  -o, --output=FILE       write the result to FILE (never overwritten)\n"
"  -O, --store=DIR         result store (default results, or $DRMBENCH_STORE);\n"
"                          files go to DIR/<host>/<kernel-release>/\n"
"  -p, --param=KEY=VALUE   benchmark parameter; VALUE may be a comma list\n"
"                          (a sweep); repeatable\n"
"  -q, --quick             CI smoke mode: 3 runs x 200 samples\n"
"  -r, --runs=N            measured runs per case (default 10)\n"
"  -t, --max-time=SECONDS  cap on one run's duration (default 5)\n");
}

static int parse_uint(const char *opt, const char *s, unsigned long long max,
		      unsigned long long *out)
{
	double v;
	int ret = cli_number("run", opt, s, 1, (double)max, CLI_INTEGER, &v);

	*out = v;
	return ret;
}

static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	char *s;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	for (i = 0; s && i < argc; i++) {
		strcat(s, argv[i]);
		if (i + 1 < argc)
			strcat(s, " ");
	}
	return s;
}

/* The options into a->o and a->params: -1 to go on, else the exit status. */
static int parse_options(struct run_args *a, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "device", required_argument, NULL, 'd' },
		{ "fifo", optional_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ "label", required_argument, NULL, 'L' },
		{ "max-time", required_argument, NULL, 't' },
		{ "no-dma-latency", no_argument, NULL, 'D' },
		{ "counters", no_argument, NULL, 'K' },
		{ "no-canary", no_argument, NULL, 'N' },
		{ "no-counters", no_argument, NULL, 'C' },
		{ "no-mlock", no_argument, NULL, 'M' },
		{ "output", required_argument, NULL, 'o' },
		{ "param", required_argument, NULL, 'p' },
		{ "placement", required_argument, NULL, 'c' },
		{ "quick", no_argument, NULL, 'q' },
		{ "runs", required_argument, NULL, 'r' },
		{ "samples", required_argument, NULL, 'n' },
		{ "store", required_argument, NULL, 'O' },
		{ NULL, 0, NULL, 0 },
	};
	struct drmb_run_opts *o = &a->o;
	int opt, runs_set = 0, samples_set = 0;
	unsigned long long v;
	char err[512];

	o->max_run_ns = 5000000000ull;
	o->env.counters = -1;
	o->store = getenv("DRMBENCH_STORE");
	optind = 1;
	while ((opt = getopt_long(argc, argv, "b:c:d:hn:o:O:p:qr:t:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			if (!drmb_backend_find(optarg)) {
				fprintf(stderr, "drmbench run: unknown backend '%s' (see: drmbench list)\n",
					optarg);
				return EXIT_USAGE;
			}
			o->backend = optarg;
			break;
		case 'c':
			if (drmb_placements_validate(optarg, err, sizeof(err))) {
				fprintf(stderr, "drmbench run: -c: %s\n", err);
				return EXIT_USAGE;
			}
			o->placements = optarg;
			break;
		case 'd':
			drmb_device_override = optarg;
			break;
		case 'D':
			o->env.no_dma_latency = 1;
			break;
		case 'F':
			o->env.fifo_prio = 50;
			if (optarg) {
				if (parse_uint("--fifo", optarg, 99, &v))
					return EXIT_USAGE;
				o->env.fifo_prio = v;
			}
			break;
		case 'h':
			usage_run(stdout);
			return 0;
		case 'L': {
			struct drmb_override lab;

			if (drmb_override_parse(&lab, optarg, err, sizeof(err)) ||
			    drmb_kv_set(&o->labels, lab.key, "%s", lab.value)) {
				fprintf(stderr, "drmbench run: --label '%s': expected KEY=VALUE with KEY in [a-z][a-z0-9._-]*\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		}
		case 'K':
			o->env.counters = 1;
			break;
		case 'C':
			o->env.counters = 0;
			break;
		case 'M':
			o->env.no_mlock = 1;
			break;
		case 'N':
			o->no_canary = 1;
			break;
		case 'n':
			if (parse_uint("--samples", optarg, 100000000, &v))
				return EXIT_USAGE;
			o->samples = v;
			samples_set = 1;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'O':
			o->store = optarg;
			break;
		case 'p':
			if (a->nparams == MAX_PARAMS) {
				fprintf(stderr, "drmbench run: too many -p options\n");
				return EXIT_USAGE;
			}
			if (drmb_override_parse(&a->params[a->nparams], optarg, err, sizeof(err))) {
				fprintf(stderr, "drmbench run: -p %s\n", err);
				return EXIT_USAGE;
			}
			a->nparams++;
			break;
		case 'q':
			o->quick = 1;
			break;
		case 'r':
			if (parse_uint("--runs", optarg, 256, &v))
				return EXIT_USAGE;
			o->runs = v;
			runs_set = 1;
			break;
		case 't':
			if (parse_uint("--max-time", optarg, 3600, &v))
				return EXIT_USAGE;
			o->max_run_ns = v * 1000000000ull;
			break;
		default:
			usage_run(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "drmbench run: name at least one benchmark or suite (see: drmbench list)\n");
		usage_run(stderr);
		return EXIT_USAGE;
	}
	if (o->output && o->store && getenv("DRMBENCH_STORE") != o->store) {
		fprintf(stderr, "drmbench run: -o and -O exclude each other\n");
		return EXIT_USAGE;
	}
	if (!runs_set)
		o->runs = o->quick ? 3 : 10;
	if (!samples_set)
		o->samples = o->quick ? 200 : 10000;
	return -1;
}

/*
 * The benchmarks and suites after the options into a->entries, then -p on
 * top of every entry that has the key: -1 to go on, else the exit status.
 */
static int parse_entries(struct run_args *a, int argc, char **argv)
{
	const char *label = NULL;
	char err[512];
	unsigned int i;
	size_t k;

	for (i = optind; i < (unsigned int)argc; i++) {
		const struct drmb_bench *b = drmb_bench_find(argv[i]);
		struct drmb_entry *more = NULL, *all;
		size_t nmore = 0;

		if (b) {
			more = calloc(1, sizeof(*more));
			if (!more)
				return EXIT_USAGE;
			more->bench = b;
			snprintf(more->origin, sizeof(more->origin), "command line");
			nmore = 1;
		} else if (drmb_suite_load(argv[i], &more, &nmore, err, sizeof(err))) {
			fprintf(stderr, "drmbench run: %s\n", err);
			return EXIT_USAGE;
		}
		all = realloc(a->entries, (a->nentries + nmore) * sizeof(*all));
		if (!all) {
			free(more);
			return EXIT_USAGE;
		}
		a->entries = all;
		memcpy(a->entries + a->nentries, more, nmore * sizeof(*more));
		a->nentries += nmore;
		free(more);
		if (!label)
			label = argv[i];
	}
	for (i = 0; i < a->nparams; i++) {
		const struct drmb_override *p = &a->params[i];
		int used = 0;

		for (k = 0; k < a->nentries; k++) {
			struct drmb_entry *e = &a->entries[k];
			const struct drmb_param *bp;
			int has = !strcmp(p->key, "placement") &&
				  (e->bench->flags & DRMB_BENCH_TWO_THREADS);

			for (bp = e->bench->params; !has && bp && bp->name; bp++)
				has = !strcmp(bp->name, p->key);
			if (!has)
				continue;
			used = 1;
			if (drmb_entry_set(e, p, err, sizeof(err))) {
				fprintf(stderr, "drmbench run: %s\n", err);
				return EXIT_USAGE;
			}
			/* origin names the option in messages: a long value is cut */
			snprintf(e->origin, sizeof(e->origin), "-p %.40s=%.48s", p->key, p->value);
		}
		if (!used) {
			fprintf(stderr, "drmbench run: -p %s: no benchmark given takes parameter '%s' (see: drmbench list BENCH)\n",
				p->key, p->key);
			return EXIT_USAGE;
		}
	}
	for (k = 0; k < a->nentries; k++) {
		if (drmb_entry_validate(&a->entries[k], err, sizeof(err))) {
			fprintf(stderr, "drmbench run: %s\n", err);
			return EXIT_USAGE;
		}
	}
	a->o.label = a->nentries > 1 && optind + 1 < argc ? "multi" : label;
	return -1;
}

/* The run's outcome as the exit status; the runner printed the summary. */
static int run_status(const struct run_args *a, int ret, const char *err)
{
	if (ret >= 0)
		return ret;
	fprintf(stderr, "drmbench run: %s\n", err);
	/* A bad -o (exists, no such directory) is the user's input. */
	return ret == -EEXIST || ret == -EINVAL ||
	       (a->o.output && (ret == -ENOENT || ret == -ENOTDIR || ret == -EACCES)) ?
	       EXIT_USAGE : EXIT_FAIL;
}

int cmd_run(int argc, char **argv)
{
	struct run_args a;
	char err[512], result[1024];
	int status;

	memset(&a, 0, sizeof(a));
	a.o.cmdline = join_args(argc, argv);
	status = parse_options(&a, argc, argv);
	if (status < 0)
		status = parse_entries(&a, argc, argv);
	if (status < 0)
		status = run_status(&a, drmb_run(&a.o, a.entries, a.nentries, stdout,
						 result, sizeof(result), err, sizeof(err)), err);
	free(a.entries);
	free((char *)a.o.cmdline);
	drmb_kv_free(&a.o.labels);
	return status;
}
