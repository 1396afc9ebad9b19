// SPDX-License-Identifier: MIT
/*
 * drmbench: the CLI. The only code that prints for the user and exits;
 * everything else is the library (bench/lib), benchmarks (bench/benches)
 * and backends (bench/backends).
 *
 * Exit status: 0 ok, 1 a benchmark failed, 2 usage error, 4 all skipped.
 */
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "commands.h"
#include "env.h"
#include "result.h"
#include "runner.h"
#include "version.gen.h"

/* ---- list ---------------------------------------------------------------- */

static void list_one(const struct drmb_bench *b, int verbose)
{
	const struct drmb_param *p;
	char groups[DRMB_WHY_LEN];

	printf("%-22s %s\n", b->name, b->summary);
	if (!verbose)
		return;
	printf("  result name: Benchmark%s\n", b->id);
	drmb_groups_describe(b->needs, groups, sizeof(groups));
	printf("  needs:      ");
	if (!(b->flags & DRMB_BENCH_NEEDS_DEVICE))
		printf(" no device (runs on any Linux host)");
	else
		printf(" %s%s", groups,
		       b->case_needs ? " (and per case, by its parameters)" : "");
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
	for (be = drmb_backends; *be; be++) {
		char groups[DRMB_WHY_LEN];

		drmb_groups_describe(drmb_backend_groups(*be), groups, sizeof(groups));
		printf("  %-22s %s\n", (*be)->name, (*be)->summary);
		printf("    groups: %s%s\n", groups,
		       (*be)->flags & DRMB_BACKEND_EXPLICIT ? " (only with -b)" : "");
	}
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
	{ "lava", cmd_lava, "LAVA device farms: render and validate job definitions, results as test cases" },
	{ "list", cmd_list, "list benchmarks, backends and suites; list BENCH for details" },
	{ "run", cmd_run, "run benchmarks or suites and store one result file" },
	{ "table", cmd_table, "one result file's cases side by side: a row per case, a column per unit" },
	{ "trend", cmd_trend, "per-night medians and change points over a result store" },
	{ "workloads", cmd_workloads, "list the scheduler workloads, or check workload files" },
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
