// SPDX-License-Identifier: MIT
/*
 * drmbench: the CLI. The only code that prints for the user and exits;
 * everything else is the library (bench/lib), benchmarks (bench/benches)
 * and backends (bench/backends).
 *
 * Exit status: 0 ok, 1 a benchmark failed, 2 usage error, 4 all skipped.
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
#include "version.gen.h"

#define EXIT_USAGE 2
#define EXIT_SKIP 4

static void usage_run(FILE *f)
{
	fprintf(f,
"usage: drmbench run [options] BENCH|SUITE|FILE.suite...\n"
"  -b, --backend=NAME      backend for device benchmarks (default: each\n"
"                          benchmark's first usable one; see drmbench list)\n"
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

/* ---- list ---------------------------------------------------------------- */

static void list_one(const struct drmb_bench *b, int verbose)
{
	const struct drmb_param *p;
	const char *const *n;

	printf("%-22s %s\n", b->name, b->summary);
	if (!verbose)
		return;
	printf("  result name: Benchmark%s\n", b->id);
	printf("  backends:   ");
	if (!(b->flags & DRMB_BENCH_NEEDS_DEVICE))
		printf(" none (runs on any Linux host)");
	for (n = b->backends; (b->flags & DRMB_BENCH_NEEDS_DEVICE) && n && *n; n++)
		printf(" %s%s", *n, n == b->backends ? " (default)" : "");
	printf("\n");
	if (b->flags & DRMB_BENCH_TWO_THREADS)
		printf("  %-12s default %-24s %s\n", "placement", "auto",
		       "signaller/waiter CPUs (-c)");
	for (p = b->params; p && p->name; p++) {
		char range[64] = "";

		if (p->type == DRMB_PARAM_INT)
			snprintf(range, sizeof(range), " [%lld..%lld]",
				 (long long)p->min, (long long)p->max);
		printf("  %-12s default %-24s %s%s\n", p->name, p->def, p->help, range);
		if (p->type == DRMB_PARAM_ENUM) {
			const char *const *ch;

			printf("  %-12s one of:", "");
			for (ch = p->choices; *ch; ch++)
				printf(" %s", *ch);
			printf("\n");
		}
	}
}

static int cmd_list(int argc, char **argv)
{
	const struct drmb_bench *const *b;
	const struct drmb_backend *const *be;
	const struct drmb_suite_src *s;
	int i, ret = 0;

	if (argc > 1) {
		for (i = 1; i < argc; i++) {
			const struct drmb_bench *one = drmb_bench_find(argv[i]);

			if (!one) {
				fprintf(stderr, "drmbench list: unknown benchmark '%s'\n", argv[i]);
				ret = EXIT_USAGE;
				continue;
			}
			list_one(one, 1);
		}
		return ret;
	}
	printf("benchmarks:\n");
	for (b = drmb_benches; *b; b++) {
		printf("  ");
		list_one(*b, 0);
	}
	printf("backends:\n");
	for (be = drmb_backends; *be; be++)
		printf("  %-22s %s\n", (*be)->name, (*be)->summary);
	printf("suites (workloads/):\n");
	for (s = drmb_builtin_suites; s->name; s++)
		printf("  %s\n", s->name);
	printf("details: drmbench list BENCH\n");
	return 0;
}

/* ---- info ------------------------------------------------------------------ */

static int cmd_info(int argc, char **argv)
{
	struct drmb_kvlist kv = { 0 };
	size_t i;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: drmbench info\n");
		return EXIT_USAGE;
	}
	if (drmb_info_collect(&kv)) {
		fprintf(stderr, "drmbench info: out of memory\n");
		return 1;
	}
	for (i = 0; i < kv.n; i++)
		printf("%s: %s\n", kv.kv[i].key, kv.kv[i].value);
	drmb_kv_free(&kv);
	return 0;
}

/* ---- run --------------------------------------------------------------------- */

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

static int cmd_run(int argc, char **argv)
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
	struct drmb_run_opts o = { 0 };
	struct drmb_override params[64];
	unsigned int nparams = 0, i;
	struct drmb_entry *entries = NULL;
	size_t nentries = 0, k;
	unsigned long long v;
	char err[512], result[1024];
	int opt, ret, runs_set = 0, samples_set = 0, status = EXIT_USAGE;
	const char *label = NULL;

	o.max_run_ns = 5000000000ull;
	o.env.counters = -1;
	o.store = getenv("DRMBENCH_STORE");
	o.cmdline = join_args(argc, argv);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "b:c:d:hn:o:O:p:qr:t:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			if (!drmb_backend_find(optarg)) {
				fprintf(stderr, "drmbench run: unknown backend '%s' (see: drmbench list)\n",
					optarg);
				goto out;
			}
			o.backend = optarg;
			break;
		case 'c':
			if (drmb_placements_validate(optarg, err, sizeof(err))) {
				fprintf(stderr, "drmbench run: -c: %s\n", err);
				goto out;
			}
			o.placements = optarg;
			break;
		case 'd':
			drmb_device_override = optarg;
			break;
		case 'D':
			o.env.no_dma_latency = 1;
			break;
		case 'F':
			o.env.fifo_prio = 50;
			if (optarg) {
				if (parse_uint("--fifo", optarg, 99, &v))
					goto out;
				o.env.fifo_prio = v;
			}
			break;
		case 'h':
			usage_run(stdout);
			status = 0;
			goto out;
		case 'L': {
			struct drmb_override lab;

			if (drmb_override_parse(&lab, optarg, err, sizeof(err)) ||
			    drmb_kv_set(&o.labels, lab.key, "%s", lab.value)) {
				fprintf(stderr, "drmbench run: --label '%s': expected KEY=VALUE with KEY in [a-z][a-z0-9._-]*\n",
					optarg);
				goto out;
			}
			break;
		}
		case 'K':
			o.env.counters = 1;
			break;
		case 'C':
			o.env.counters = 0;
			break;
		case 'M':
			o.env.no_mlock = 1;
			break;
		case 'N':
			o.no_canary = 1;
			break;
		case 'n':
			if (parse_uint("--samples", optarg, 100000000, &v))
				goto out;
			o.samples = v;
			samples_set = 1;
			break;
		case 'o':
			o.output = optarg;
			break;
		case 'O':
			o.store = optarg;
			break;
		case 'p':
			if (nparams == sizeof(params) / sizeof(params[0])) {
				fprintf(stderr, "drmbench run: too many -p options\n");
				goto out;
			}
			if (drmb_override_parse(&params[nparams], optarg, err, sizeof(err))) {
				fprintf(stderr, "drmbench run: -p %s\n", err);
				goto out;
			}
			nparams++;
			break;
		case 'q':
			o.quick = 1;
			break;
		case 'r':
			if (parse_uint("--runs", optarg, 256, &v))
				goto out;
			o.runs = v;
			runs_set = 1;
			break;
		case 't':
			if (parse_uint("--max-time", optarg, 3600, &v))
				goto out;
			o.max_run_ns = v * 1000000000ull;
			break;
		default:
			usage_run(stderr);
			goto out;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "drmbench run: name at least one benchmark or suite (see: drmbench list)\n");
		usage_run(stderr);
		goto out;
	}
	if (o.output && o.store && getenv("DRMBENCH_STORE") != o.store) {
		fprintf(stderr, "drmbench run: -o and -O exclude each other\n");
		goto out;
	}
	if (!runs_set)
		o.runs = o.quick ? 3 : 10;
	if (!samples_set)
		o.samples = o.quick ? 200 : 10000;

	/* Benchmarks and suites, then -p on top of every entry that has the key. */
	for (i = optind; i < (unsigned int)argc; i++) {
		const struct drmb_bench *b = drmb_bench_find(argv[i]);
		struct drmb_entry *more = NULL;
		size_t nmore = 0;

		if (b) {
			more = calloc(1, sizeof(*more));
			if (!more)
				goto out;
			more->bench = b;
			snprintf(more->origin, sizeof(more->origin), "command line");
			nmore = 1;
		} else if (drmb_suite_load(argv[i], &more, &nmore, err, sizeof(err))) {
			fprintf(stderr, "drmbench run: %s\n", err);
			goto out;
		}
		entries = realloc(entries, (nentries + nmore) * sizeof(*entries));
		if (!entries) {
			free(more);
			goto out;
		}
		memcpy(entries + nentries, more, nmore * sizeof(*more));
		nentries += nmore;
		free(more);
		if (!label)
			label = argv[i];
	}
	for (i = 0; i < nparams; i++) {
		int used = 0;

		for (k = 0; k < nentries; k++) {
			const struct drmb_param *p;
			int has = !strcmp(params[i].key, "placement") &&
				  (entries[k].bench->flags & DRMB_BENCH_TWO_THREADS);

			for (p = entries[k].bench->params; !has && p && p->name; p++)
				has = !strcmp(p->name, params[i].key);
			if (!has)
				continue;
			used = 1;
			if (drmb_entry_set(&entries[k], &params[i], err, sizeof(err))) {
				fprintf(stderr, "drmbench run: %s\n", err);
				goto out;
			}
			/* origin names the option in messages: a long value is cut */
			snprintf(entries[k].origin, sizeof(entries[k].origin), "-p %.40s=%.48s",
				 params[i].key, params[i].value);
		}
		if (!used) {
			fprintf(stderr, "drmbench run: -p %s: no benchmark given takes parameter '%s' (see: drmbench list BENCH)\n",
				params[i].key, params[i].key);
			goto out;
		}
	}
	for (k = 0; k < nentries; k++) {
		if (drmb_entry_validate(&entries[k], err, sizeof(err))) {
			fprintf(stderr, "drmbench run: %s\n", err);
			goto out;
		}
	}
	o.label = nentries > 1 && optind + 1 < argc ? "multi" : label;

	ret = drmb_run(&o, entries, nentries, stdout, result, sizeof(result), err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "drmbench run: %s\n", err);
		/* A bad -o (exists, no such directory) is the user's input. */
		status = ret == -EEXIST || ret == -EINVAL ||
			 (o.output && (ret == -ENOENT || ret == -ENOTDIR || ret == -EACCES)) ?
			 EXIT_USAGE : 1;
	} else {
		status = ret;
	}
out:
	free(entries);
	free((char *)o.cmdline);
	drmb_kv_free(&o.labels);
	return status;
}

/* ---- dispatch ------------------------------------------------------------------ */

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("drmbench %s\n", DRMB_VERSION);
	return 0;
}

static const struct drmb_command commands[] = {
	{ "compare", cmd_compare, "compare two sets of result files: verdict per benchmark" },
	{ "hist", cmd_hist, "latency histogram or CDF of raw samples, one column per file" },
	{ "info", cmd_info, "print the environment results depend on (key: value)" },
	{ "list", cmd_list, "list benchmarks, backends and suites; list BENCH for details" },
	{ "run", cmd_run, "run benchmarks or suites and store one result file" },
	{ "table", cmd_table, "one result file's cases side by side: a row per case, a column per unit" },
	{ "trend", cmd_trend, "per-night medians and change points over a result store" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	const struct drmb_command *c;

	fprintf(f, "usage: drmbench COMMAND [ARGS]\ncommands:\n");
	for (c = commands; c->name; c++)
		fprintf(f, "  %-9s %s\n", c->name, c->summary);
	fprintf(f, "  %-9s %s\n", "version", "print the drmbench version");
	fprintf(f, "exit status: 0 ok, 1 a benchmark failed, 2 usage error, 4 all skipped\n");
}

int main(int argc, char **argv)
{
	const struct drmb_command *c;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version"))
		return cmd_version(argc - 1, argv + 1);
	for (c = commands; c->name; c++)
		if (!strcmp(c->name, argv[1]))
			return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "drmbench: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
