// SPDX-License-Identifier: MIT
/*
 * drmbench workloads: the scheduler workloads compiled in (workloads/sched/),
 * one line each or in full, and a checker for workload files of one's own
 * (the language: docs/workloads.md). Exit status: 0 ok, 1 a file or name
 * did not parse (the error names the line and what was expected), 2 usage.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "workload.h"

#define EXIT_USAGE 2

static void usage(FILE *out)
{
	fprintf(out,
		"usage: drmbench workloads [-v] [NAME|FILE...]\n"
		"\n"
		"Without arguments: every built-in workload, one line each (-v: in full).\n"
		"NAME: a built-in workload, shown in full. FILE (a path, with a '/' or\n"
		"ending in .wl): checked and shown; errors name the line and what was\n"
		"expected. Run a built-in one with: drmbench run -p workload=NAME sched-workload\n"
		"\n"
		"  -h, --help      this text\n"
		"  -v, --verbose   every client and step\n"
		"\n"
		"Exit status: 0 ok, 1 a workload did not parse, 2 usage.\n");
}

static void print_dur(const char *pre, uint64_t ns)
{
	if (ns % 1000000 == 0)
		printf("%s%" PRIu64 "ms", pre, ns / 1000000);
	else if (ns % 1000 == 0)
		printf("%s%" PRIu64 "us", pre, ns / 1000);
	else
		printf("%s%" PRIu64 "ns", pre, ns);
}

/* In the language itself, so the output is a valid workload. */
static void show(const struct drmb_workload *w)
{
	static const char *const prio[] = { "low", "normal", "high" };
	unsigned int g, i;

	printf("workload %s\n", w->name);
	if (w->description[0])
		printf("description %s\n", w->description);
	if (w->time_cap_ns) {
		print_dur("time-cap ", w->time_cap_ns);
		printf("\n");
	}
	for (g = 0; g < w->ngroups; g++) {
		const struct drmb_wl_group *gr = &w->group[g];

		printf("client %s count=%u priority=%s engine=%u depth=%u", gr->name, gr->count,
		       prio[gr->priority], gr->engine, gr->depth);
		if (gr->period_ns)
			print_dur(" period=", gr->period_ns);
		if (gr->rt_prio)
			printf(" rt=%d", gr->rt_prio);
		printf("\n");
		for (i = 0; i < gr->nsteps; i++) {
			const struct drmb_wl_step *s = &gr->step[i];

			if (s->type == DRMB_WL_WAIT) {
				printf("\twait %d\n", s->target + 1);
				continue;
			}
			print_dur(s->type == DRMB_WL_SUBMIT ? "\tsubmit " : "\tsleep ", s->min_ns);
			if (s->max_ns != s->min_ns)
				print_dur("-", s->max_ns);
			if (s->after >= 0)
				printf(" after=%d", s->after + 1);
			printf("\n");
		}
	}
}

static void one_line(const struct drmb_workload *w)
{
	unsigned int g;

	printf("%-28s", w->name);
	for (g = 0; g < w->ngroups; g++)
		printf("%s%s x%u", g ? ", " : "", w->group[g].name, w->group[g].count);
	if (w->time_cap_ns)
		print_dur("; runs up to ", w->time_cap_ns);
	printf("\n  %s\n", w->description);
}

int cmd_workloads(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const struct drmb_workload_src *src;
	struct drmb_workload w;
	char err[512];
	int opt, verbose = 0, bad = 0, i;

	while ((opt = getopt_long(argc, argv, "hv", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return 0;
		case 'v':
			verbose = 1;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind == argc) {
		for (src = drmb_builtin_workloads; src->name; src++) {
			if (drmb_workload_parse(&w, src->name, src->text, err, sizeof(err))) {
				fprintf(stderr, "drmbench workloads: built-in %s\n", err);
				bad = 1;
				continue;
			}
			if (verbose) {
				show(&w);
				printf("\n");
			} else {
				one_line(&w);
			}
		}
		return bad;
	}
	for (i = optind; i < argc; i++) {
		const char *a = argv[i];
		size_t n = strlen(a);
		int ret;

		src = drmb_workload_builtin(a);
		if (strchr(a, '/') || (n > 3 && !strcmp(a + n - 3, ".wl")) || !src) {
			if (!strchr(a, '/') && !(n > 3 && !strcmp(a + n - 3, ".wl"))) {
				fprintf(stderr, "drmbench workloads: no built-in workload '%s' (a file needs a '/' or .wl; see: drmbench workloads)\n",
					a);
				bad = 1;
				continue;
			}
			ret = drmb_workload_load(&w, a, err, sizeof(err));
		} else {
			ret = drmb_workload_parse(&w, a, src->text, err, sizeof(err));
		}
		if (ret) {
			fprintf(stderr, "drmbench workloads: %s\n", err);
			bad = 1;
			continue;
		}
		show(&w);
		if (i + 1 < argc)
			printf("\n");
	}
	return bad;
}
