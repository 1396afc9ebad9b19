// SPDX-License-Identifier: MIT
/*
 * drmbench trend: per benchmark and unit, the series of per-file medians
 * (one file = one night's `drmbench run`) in the order of a configuration
 * key (date by default, or kernel-release...), and its change points by
 * E-Divisive with a permutation test of each split and a minimum step
 * (bench/lib/stats.c, docs/statistics.md).  Exit status: 0 done (change
 * points or not), 2 usage or input error.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resultset.h"
#include "stats.h"

#include "cli.h"
#include "commands.h"


static void usage(FILE *out)
{
	fprintf(out,
		"usage: drmbench trend [options] PATH...\n"
		"\n"
		"PATH: result files or directories (every *.txt below them, e.g. results/).\n"
		"Each file gives one point per benchmark and unit: the median of its runs.\n"
		"Points are ordered by a configuration key; files measured under other\n"
		"comparability keys form separate series.\n"
		"\n"
		"  -a, --alpha P          level of the permutation test of each split, in\n"
		"                         [0.0001, 0.5] (default 0.001)\n"
		"  -b, --by KEY           order points by KEY, version-aware (default date)\n"
		"  -e, --min-step PCT     smallest step between the medians on either side\n"
		"                         of a change point, percent (default 1)\n"
		"  -h, --help             this text\n"
		"  -i, --ignore KEYS      comparability keys to ignore, comma-separated,\n"
		"                         repeatable (the --by key is always ignored)\n"
		"  -m, --min-segment N    fewest points on each side of a change (default 5)\n"
		"  -s, --series FILE      write every point as TSV to FILE (for plots)\n"
		"  -t, --tsv FILE         write the change points as TSV to FILE ('-': stdout,\n"
		"                         instead of the report)\n"
		"  -w, --window N         points the energy statistic looks at (default 50)\n"
		"\n"
		"Exit status: 0 done, 2 usage or input error.\n");
}

/*
 * Version-aware order ("6.1.0" < "6.6.0" < "6.10.0", "7.3-rc1" < "7.3.0"):
 * digit runs compare as numbers, everything else byte by byte.  ISO dates
 * sort correctly either way.
 */
static int natural_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			const char *ea = a, *eb = b;
			while (*a == '0')
				a++;
			while (*b == '0')
				b++;
			for (ea = a; isdigit((unsigned char)*ea); ea++)
				;
			for (eb = b; isdigit((unsigned char)*eb); eb++)
				;
			if (ea - a != eb - b)
				return ea - a < eb - b ? -1 : 1;
			int r = strncmp(a, b, (size_t)(ea - a));
			if (r)
				return r;
			a = ea;
			b = eb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return *a ? 1 : *b ? -1 : 0;
}

struct night {
	unsigned int file;
	const char *key;		/* value of the --by key */
	unsigned int lineno;		/* first line of this benchmark in the file */
	struct drmb_median_ci m;
	size_t runs;
};

static int cmp_night(const void *a, const void *b)
{
	const struct night *x = a, *y = b;
	int r = natural_cmp(x->key, y->key);

	return r ? r : (x->file > y->file) - (x->file < y->file);
}

struct trend_opts {
	const char *by;
	struct drmb_cpd_params cpd;
	FILE *series, *tsv;
	int report;
};

/* The values of this series' keys that differ from another series of the same name. */
static void config_label(const struct drmb_resultset *rs, const struct drmb_series *s,
			 char *out, size_t len)
{
	char keys[512];

	out[0] = '\0';
	for (size_t i = 0; i < rs->nseries; i++) {
		const struct drmb_series *o = &rs->series[i];
		if (o == s || o->sig == s->sig || strcmp(o->name, s->name) || strcmp(o->unit, s->unit))
			continue;
		drmb_sig_diff_keys(s->sig, o->sig, keys, sizeof(keys));
		size_t used = 0;
		char *save = NULL;
		for (char *k = strtok_r(keys, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
			const char *v = strstr(s->sig, k);
			size_t klen = strlen(k);
			/* the value in this series' signature ("key=value\n") */
			while (v && !((v == s->sig || v[-1] == '\n') && v[klen] == '='))
				v = strstr(v + 1, k);
			int n = snprintf(out + used, len - used, "%s%s=%.*s", used ? ", " : " [", k,
					 v ? (int)strcspn(v + klen + 1, "\n") : 5, v ? v + klen + 1 : "unset");
			if (n < 0 || (size_t)n >= len - used) {
				out[used] = '\0';	/* drop the key that did not fit */
				break;
			}
			used += (size_t)n;
		}
		if (used && used + 2 <= len) {
			out[used] = ']';
			out[used + 1] = '\0';
		} else if (used) {
			out[used - 1] = ']';
		}
		return;
	}
}

static int trend_series(const struct drmb_resultset *rs, const struct drmb_series *s,
			const struct trend_opts *o, size_t *nchanges)
{
	struct night *nights = calloc(s->n + 1, sizeof(*nights));
	double *vals = malloc((s->n + 1) * sizeof(*vals));
	double *med = malloc((s->n + 1) * sizeof(*med));
	struct drmb_change_point *cp = NULL;
	size_t nn = 0;
	char label[512];
	int ret = 0, ncp;

	if (!nights || !vals || !med) {
		ret = -ENOMEM;
		goto out;
	}
	/* points of one file are contiguous: files are read one after the other */
	for (size_t i = 0; i < s->n;) {
		size_t j = i, k = 0;
		const struct drmb_result_file *f = &rs->files[s->pts[i].file];
		while (j < s->n && s->pts[j].file == s->pts[i].file)
			vals[k++] = s->pts[j++].value;
		drmb_sort_double(vals, k);
		nights[nn].file = s->pts[i].file;
		nights[nn].lineno = f->lines[s->pts[i].line].lineno;
		nights[nn].key = drmb_result_config(f, &f->lines[s->pts[i].line], o->by);
		nights[nn].runs = k;
		if (!nights[nn].key) {
			fprintf(stderr, "drmbench trend: %s:%u: no '%s:' configuration line to order by (see --by)\n",
				f->path, nights[nn].lineno, o->by);
			ret = -EINVAL;
			goto out;
		}
		if ((ret = drmb_median_ci_sorted(vals, k, 0.95, &nights[nn].m)))
			goto out;
		nn++;
		i = j;
	}
	qsort(nights, nn, sizeof(*nights), cmp_night);
	for (size_t i = 0; i < nn; i++)
		med[i] = nights[i].m.median;
	config_label(rs, s, label, sizeof(label));

	cp = calloc(nn + 1, sizeof(*cp));
	if (!cp) {
		ret = -ENOMEM;
		goto out;
	}
	ncp = drmb_edivisive(med, nn, &o->cpd, cp, nn);
	if (ncp < 0) {
		ret = ncp;
		goto out;
	}
	*nchanges += (size_t)ncp;

	if (o->series) {
		size_t seg = 0;
		for (size_t i = 0; i < nn; i++) {
			while (seg < (size_t)ncp && cp[seg].index <= i)
				seg++;
			fprintf(o->series, "%s\t%s\t%s\t%zu\t%s\t%.6g\t%.6g\t%.6g\t%zu\t%zu\t%s\n",
				s->name, s->unit, label[0] ? label + 1 : "", i, nights[i].key,
				nights[i].m.median, nights[i].m.lo, nights[i].m.hi, nights[i].runs, seg,
				rs->files[nights[i].file].path);
		}
	}
	if (o->report && ncp > 0)
		printf("%s (%s)%s: %zu points by %s, %d change point%s\n", s->name, s->unit, label,
		       nn, o->by, ncp, ncp == 1 ? "" : "s");
	for (int k = 0; k < ncp; k++) {
		const struct night *b = &nights[cp[k].index - 1], *a = &nights[cp[k].index];
		double ratio = cp[k].after / cp[k].before;
		if (o->report)
			printf("  at point %zu, %s %s -> %s: median %.4g -> %.4g (%+.2f%%), p=%.2g, Q=%.3g\n"
			       "    last before: %s:%u\n    first after: %s:%u\n",
			       cp[k].index, o->by, b->key, a->key, cp[k].before, cp[k].after,
			       (ratio - 1) * 100, cp[k].p, cp[k].q, rs->files[b->file].path, b->lineno,
			       rs->files[a->file].path, a->lineno);
		if (o->tsv)
			fprintf(o->tsv, "%s\t%s\t%s\t%zu\t%s\t%s\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\t%s\t%s\t%zu\n",
				s->name, s->unit, label[0] ? label + 1 : "", cp[k].index, b->key, a->key,
				cp[k].before, cp[k].after, ratio, cp[k].p, cp[k].q,
				rs->files[b->file].path, rs->files[a->file].path, cp[k].permutations);
	}
out:
	free(nights);
	free(vals);
	free(med);
	free(cp);
	return ret;
}

int cmd_trend(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "alpha", required_argument, NULL, 'a' },
		{ "by", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ "ignore", required_argument, NULL, 'i' },
		{ "min-segment", required_argument, NULL, 'm' },
		{ "min-step", required_argument, NULL, 'e' },
		{ "series", required_argument, NULL, 's' },
		{ "tsv", required_argument, NULL, 't' },
		{ "window", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	struct trend_opts o = { .by = "date", .cpd = DRMB_CPD_PARAMS_DEFAULT, .report = 1 };
	struct drmb_ignore ig = { 0 };
	struct drmb_resultset rs;
	const char *series_path = NULL, *tsv_path = NULL;
	size_t nchanges = 0, ncounted = 0, nshort = 0;
	int opt, status = EXIT_USAGE;
	char err[512];
	double d;

	drmb_resultset_init(&rs, &ig);
	optind = 1;
	opterr = 1;
	while ((opt = getopt_long(argc, argv, "a:b:e:hi:m:s:t:w:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			/* below 1e-4 the permutations a split needs (1/alpha) get too many */
			if (cli_number("trend", "--alpha", optarg, 1e-4, 0.5, 0, &o.cpd.alpha))
				goto out;
			break;
		case 'b':
			o.by = optarg;
			break;
		case 'e':
			if (cli_number("trend", "--min-step", optarg, 0, 1000, CLI_PERCENT, &d))
				goto out;
			o.cpd.min_step = d / 100;
			break;
		case 'h':
			usage(stdout);
			status = 0;
			goto out;
		case 'i':
			if (drmb_ignore_add(&ig, optarg))
				goto out;
			break;
		case 'm':
			if (cli_number("trend", "--min-segment", optarg, 1, 1e6, CLI_INTEGER, &d))
				goto out;
			o.cpd.min_segment = (size_t)d;
			break;
		case 's':
			series_path = optarg;
			break;
		case 't':
			tsv_path = optarg;
			break;
		case 'w':
			if (cli_number("trend", "--window", optarg, 4, 1e6, CLI_INTEGER, &d))
				goto out;
			o.cpd.window = (size_t)d;
			break;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "drmbench trend: no result files or directories given\n");
		usage(stderr);
		goto out;
	}
	/* the ordering key differs from point to point by design */
	if (drmb_ignore_add(&ig, o.by))
		goto out;
	for (int i = optind; i < argc; i++) {
		if (drmb_resultset_add_path(&rs, argv[i], err, sizeof(err))) {
			fprintf(stderr, "drmbench trend: %s\n", err);
			goto out;
		}
	}
	if (tsv_path) {
		if (!strcmp(tsv_path, "-")) {
			o.tsv = stdout;
			o.report = 0;
		} else if (!(o.tsv = fopen(tsv_path, "w"))) {
			fprintf(stderr, "drmbench trend: %s: %s\n", tsv_path, strerror(errno));
			goto out;
		}
		fprintf(o.tsv, "name\tunit\tconfig\tindex\tkey_before\tkey_after\tbefore\tafter\tratio\tp\tq\tfile_before\tfile_after\tpermutations\n");
	}
	if (series_path) {
		if (!(o.series = fopen(series_path, "w"))) {
			fprintf(stderr, "drmbench trend: %s: %s\n", series_path, strerror(errno));
			goto out;
		}
		fprintf(o.series, "name\tunit\tconfig\tindex\tkey\tmedian\tlo\thi\truns\tsegment\tfile\n");
	}
	for (size_t i = 0; i < rs.nseries; i++) {
		int ret = trend_series(&rs, &rs.series[i], &o, &nchanges);
		if (ret) {
			if (ret == -ENOMEM)
				fprintf(stderr, "drmbench trend: out of memory\n");
			goto out;
		}
		ncounted++;
	}
	for (size_t i = 0; i < rs.nseries; i++) {
		/* series shorter than two minimum segments cannot show a change */
		size_t files = 0;
		for (size_t k = 0; k < rs.series[i].n; k++)
			files += !k || rs.series[i].pts[k].file != rs.series[i].pts[k - 1].file;
		nshort += files < 2 * o.cpd.min_segment;
	}
	/* say once per benchmark when its runs split into several configurations */
	for (size_t i = 0; i < rs.nseries && o.report; i++) {
		const struct drmb_series *s = &rs.series[i], *other = NULL;
		size_t count = 1, earlier = 0;
		char keys[512];
		for (size_t k = 0; k < rs.nseries; k++) {
			const struct drmb_series *t = &rs.series[k];
			if (k == i || strcmp(t->name, s->name) || strcmp(t->unit, s->unit))
				continue;
			count++;
			earlier |= k < i;
			other = t;
		}
		if (count < 2 || earlier)
			continue;
		drmb_sig_diff_keys(s->sig, other->sig, keys, sizeof(keys));
		printf("note: %s (%s) was measured under %zu configurations (differing in %s): "
		       "one series each; --ignore %s joins them\n", s->name, s->unit, count, keys, keys);
	}
	if (o.report)
		printf("%zu series from %zu files, %zu change point%s; %zu series too short (< %zu points) to show one\n",
		       ncounted, rs.nfiles, nchanges, nchanges == 1 ? "" : "s", nshort,
		       2 * o.cpd.min_segment);
	status = 0;
out:
	if (o.series && fclose(o.series) && !status) {
		fprintf(stderr, "drmbench trend: %s: write error\n", series_path);
		status = EXIT_USAGE;
	}
	if (o.tsv && o.tsv != stdout && fclose(o.tsv) && !status) {
		fprintf(stderr, "drmbench trend: %s: write error\n", tsv_path);
		status = EXIT_USAGE;
	}
	if (!status && fflush(stdout))
		status = EXIT_USAGE;
	drmb_resultset_free(&rs);
	drmb_ignore_free(&ig);
	return status;
}
