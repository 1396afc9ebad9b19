// SPDX-License-Identifier: MIT
/*
 * drmbench hist: latency distributions from raw samples, in cyclictest's
 * histogram layout (a bucket column, one column per series, '#' header and
 * footer), which gnuplot plots as it is.  Each series is one result file
 * (its .samples sidecar): every run of the chosen benchmark pooled, per
 * operation.  Buckets are log-spaced so microsecond floors and
 * millisecond stalls share one axis.  Exit status: 0 done, 2 usage or
 * input error.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "result.h"
#include "stats.h"


static void usage(FILE *out)
{
	fprintf(out,
		"usage: drmbench hist [options] FILE...\n"
		"\n"
		"FILE: a result file (its .samples sidecar is read) or a .samples file.\n"
		"Prints one column per FILE: the share of samples per log-spaced bucket,\n"
		"or the cumulative share with --cdf.\n"
		"\n"
		"  -b, --bench NAME       the benchmark line name (needed when a file holds\n"
		"                         several; without 'Benchmark')\n"
		"  -c, --cdf              cumulative shares instead of per-bucket shares\n"
		"  -d, --per-decade N     buckets per decade (default 20)\n"
		"  -h, --help             this text\n"
		"  -l, --label KEY        label each column with this configuration key of\n"
		"                         the result file (e.g. kernel-release); default:\n"
		"                         the file name\n"
		"\n"
		"Exit status: 0 done, 2 usage or input error.\n");
}

struct series {
	char label[128];
	uint64_t *ns;		/* per operation, sorted */
	size_t n;
};

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

/* Loads one series; messages name the file. */
static int load_series(const char *path, const char *bench, const char *label_key,
		       struct series *s)
{
	struct drmb_sample_file sf;
	struct drmb_result_file rf;
	char err[512], *samples;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t len = strlen(path), total = 0;
	int ret;

	snprintf(s->label, sizeof(s->label), "%s", base);
	if (ends_with(path, ".samples")) {
		samples = strdup(path);
	} else {
		samples = malloc(len + sizeof(".samples"));
		if (samples) {
			memcpy(samples, path, len + 1);
			if (ends_with(samples, ".txt"))
				samples[len - 4] = '\0';
			strcat(samples, ".samples");
		}
		if (label_key) {
			if ((ret = drmb_result_read(path, &rf, err, sizeof(err)))) {
				fprintf(stderr, "drmbench hist: %s\n", err);
				free(samples);
				return ret;
			}
			const char *v = drmb_result_config(&rf, NULL, label_key);
			if (!v) {
				fprintf(stderr, "drmbench hist: %s: no '%s:' configuration line (see --label)\n",
					path, label_key);
				drmb_result_free(&rf);
				free(samples);
				return -EINVAL;
			}
			snprintf(s->label, sizeof(s->label), "%s", v);
			drmb_result_free(&rf);
		}
	}
	if (!samples)
		return -ENOMEM;
	if ((ret = drmb_samples_read(samples, &sf, err, sizeof(err)))) {
		if (strcmp(samples, path))
			fprintf(stderr, "drmbench hist: %s (the raw samples of %s)\n", err, path);
		else
			fprintf(stderr, "drmbench hist: %s\n", err);
		free(samples);
		return ret;
	}
	/* which benchmark: the one asked for, or the only one there is */
	const char *name = bench;
	for (size_t r = 0; r < sf.nruns && !name; r++)
		name = sf.runs[r].name;
	for (size_t r = 0; r < sf.nruns; r++) {
		if (strcmp(sf.runs[r].name, name) && !bench) {
			fprintf(stderr, "drmbench hist: %s holds several benchmarks (%s, %s, ...): choose one with --bench\n",
				samples, name, sf.runs[r].name);
			ret = -EINVAL;
			goto out;
		}
		if (!strcmp(sf.runs[r].name, name))
			total += sf.runs[r].n;
	}
	if (!total) {
		fprintf(stderr, "drmbench hist: %s: no samples%s%s\n", samples,
			bench ? " of " : "", bench ? bench : "");
		ret = -ENOENT;
		goto out;
	}
	s->ns = malloc(total * sizeof(*s->ns));
	if (!s->ns) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t r = 0; r < sf.nruns; r++) {
		const struct drmb_sample_run *run = &sf.runs[r];
		if (strcmp(run->name, name))
			continue;
		for (uint64_t i = 0; i < run->n; i++)
			s->ns[s->n++] = run->ops_per_sample > 1 ? run->ns[i] / run->ops_per_sample : run->ns[i];
	}
	drmb_sort_u64(s->ns, s->n);
out:
	drmb_samples_free(&sf);
	free(samples);
	return ret;
}

int cmd_hist(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "bench", required_argument, NULL, 'b' },
		{ "cdf", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "label", required_argument, NULL, 'l' },
		{ "per-decade", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	const char *bench = NULL, *label_key = NULL;
	struct series *s = NULL;
	int opt, cdf = 0, status = EXIT_USAGE, nseries = 0;
	long per_decade = 20;
	char *end;

	optind = 1;
	opterr = 1;
	while ((opt = getopt_long(argc, argv, "b:cd:hl:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			bench = optarg;
			break;
		case 'c':
			cdf = 1;
			break;
		case 'd':
			per_decade = strtol(optarg, &end, 10);
			if (*end || per_decade < 1 || per_decade > 1000) {
				fprintf(stderr, "drmbench hist: --per-decade '%s': want 1..1000\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'l':
			label_key = optarg;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "drmbench hist: no files given\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	s = calloc((size_t)(argc - optind), sizeof(*s));
	if (!s)
		return EXIT_USAGE;
	uint64_t lo = UINT64_MAX, hi = 0;
	for (int i = optind; i < argc; i++) {
		if (load_series(argv[i], bench, label_key, &s[nseries]))
			goto out;
		if (s[nseries].ns[0] < lo)
			lo = s[nseries].ns[0];
		if (s[nseries].ns[s[nseries].n - 1] > hi)
			hi = s[nseries].ns[s[nseries].n - 1];
		nseries++;
	}

	/* bucket k covers [10^(k/d), 10^((k+1)/d)) ns; 0 ns falls in the first */
	double d = (double)per_decade;
	long k_lo = (long)floor(log10(lo > 0 ? (double)lo : 1) * d);
	long k_hi = (long)floor(log10(hi > 0 ? (double)hi : 1) * d);
	printf("# drmbench hist: %s of samples per log bucket (%ld per decade)%s%s\n",
	       cdf ? "cumulative share" : "share", per_decade, bench ? ", benchmark " : "",
	       bench ? bench : "");
	/* a CDF value is the share below the bucket's upper edge: print that edge */
	printf(cdf ? "# below_ns" : "# bucket_ns");
	for (int j = 0; j < nseries; j++)
		printf("\t%s", s[j].label);
	printf("\n");
	size_t *pos = calloc((size_t)nseries, sizeof(*pos));
	if (!pos)
		goto out;
	if (cdf) {	/* start every curve at 0, at the lower edge of the first bucket */
		printf("%.6g", pow(10, (double)k_lo / d));
		for (int j = 0; j < nseries; j++)
			printf("\t0");
		printf("\n");
	}
	for (long k = k_lo; k <= k_hi; k++) {
		double edge = pow(10, (double)(k + 1) / d);
		printf("%.6g", cdf ? edge : pow(10, (double)k / d));
		for (int j = 0; j < nseries; j++) {
			size_t start = pos[j];
			while (pos[j] < s[j].n && (double)s[j].ns[pos[j]] < edge)
				pos[j]++;
			printf("\t%.6g", (double)(cdf ? pos[j] : pos[j] - start) / (double)s[j].n);
		}
		printf("\n");
	}
	free(pos);
	for (int j = 0; j < nseries; j++) {
		struct drmb_summary sum;
		drmb_summarize_u64(s[j].ns, s[j].n, &sum);
		char p50[32] = "n/a", p99[32] = "n/a";	/* only from enough samples */
		if (sum.have & DRMB_HAVE_P50)
			snprintf(p50, sizeof(p50), "%.0f", sum.p50);
		if (sum.have & DRMB_HAVE_P99)
			snprintf(p99, sizeof(p99), "%.0f", sum.p99);
		printf("# %s: n=%zu min=%.0f p50=%s p99=%s max=%.0f mean=%.1f ns\n", s[j].label,
		       sum.n, sum.min, p50, p99, sum.max, sum.mean);
	}
	status = fflush(stdout) ? EXIT_USAGE : 0;
out:
	for (int j = 0; j < nseries; j++)
		free(s[j].ns);
	free(s);
	return status;
}
