// SPDX-License-Identifier: MIT
/*
 * drmbench table: the cases of one or more result files side by side, one
 * row per case (per file) and one column per unit, each cell the median
 * over the case's runs, with its 95% confidence interval on request. The
 * parameters every row shares go to a header line, so a row is named by
 * what differs (submit-models: model=...), prefixed with configuration
 * keys that tell files apart (-k gpu_sched.sched_policy: what a sweep
 * varied). Exit status: 0 done, 2 usage or input error.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appendf.h"
#include "commands.h"
#include "result.h"
#include "stats.h"

#define MAX_ROWS 256
#define MAX_COLS 24
#define MAX_SEGS 16
#define MAX_FILES 256
#define MAX_KEYS 8

/* Per-run statistics the summary already has: left out of the default columns. */
static const char *const default_skip[] = {
	"p90-ns/op", "p99.9-ns/op", "min-ns/op", "mad-ns/op", "floor-ratio",
};
#define NSKIP (sizeof(default_skip) / sizeof(default_skip[0]))

static void usage(FILE *out)
{
	fprintf(out,
		"usage: drmbench table [options] FILE...\n"
		"\n"
		"One row per benchmark case of each result FILE, one column per unit, each\n"
		"cell the median over the case's runs ('-' where the case has no such\n"
		"value). Parameters shared by every row are printed once above the table.\n"
		"\n"
		"  -b, --bench NAME       only cases whose name starts with NAME (without\n"
		"                         'Benchmark'), e.g. SubmitModels\n"
		"  -c, --ci               each cell with a distribution-free confidence\n"
		"                         interval of its median over runs, covering it\n"
		"                         with probability >= 95%%: median [lo,hi] ('[-]'\n"
		"                         when there are too few runs for one, below 6);\n"
		"                         a header line gives the exact coverage per run\n"
		"                         count (96.9%% with 6 runs)\n"
		"  -h, --help             this text\n"
		"  -k, --keys LIST        name each row first by these configuration keys\n"
		"                         of its file, comma-separated (e.g.\n"
		"                         kernel-release,gpu_sched.sched_policy); with\n"
		"                         several files and no -k, by the file name\n"
		"  -t, --tsv              tab-separated, no header comments: for gnuplot\n"
		"  -u, --units LIST       comma-separated columns (default: ns/op, p99-ns/op,\n"
		"                         mean-ns/op, then every other unit of the cases\n"
		"                         but min, mad, p90, p99.9 and floor-ratio)\n"
		"\n"
		"Exit status: 0 done, 2 usage or input error.\n");
}

struct table {
	const char *row[MAX_ROWS];		/* case names, file order */
	const struct drmb_result_file *file[MAX_ROWS];	/* the row's file */
	size_t nrows;
	const char *col[MAX_COLS];
	size_t ncols;
};

static int index_of(const char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return (int)i;
	return -1;
}

static int add_col(struct table *t, const char *unit)
{
	if (index_of(t->col, t->ncols, unit) >= 0)
		return 0;
	if (t->ncols == MAX_COLS)
		return -1;
	t->col[t->ncols++] = unit;
	return 0;
}

/*
 * The median over runs of one case and unit; 0 when it has none. With ci,
 * its order-statistic interval too (drmb_median_ci_sorted: coverage >= 95%,
 * the exact coverage in ci->achieved_conf; NaN when the runs are too few)
 * and, with nruns, how many runs it had.
 */
static int cell(const struct drmb_result_file *f, const char *name, const char *unit,
		double *out, struct drmb_median_ci *ci, size_t *nruns)
{
	double v[256];
	size_t i, j, n = 0;

	for (i = 0; i < f->nlines; i++) {
		const struct drmb_bench_line *l = &f->lines[i];

		if (strcmp(l->name, name))
			continue;
		for (j = 0; j < l->nmetrics && n < 256; j++)
			if (!strcmp(l->metrics[j].unit, unit))
				v[n++] = l->metrics[j].value;
	}
	if (!n)
		return 0;
	if (nruns)
		*nruns = n;
	*out = drmb_median_double(v, n);
	if (ci) {
		drmb_sort_double(v, n);
		if (drmb_median_ci_sorted(v, n, 0.95, ci))
			ci->lo = ci->hi = NAN;
	}
	return 1;
}

/*
 * What -c's intervals are, once above the table: their exact coverage per
 * run count. With n runs, [x(k), x(n+1-k)] of the sorted runs covers the
 * median with probability 1 - 2 P(B <= k-1), B ~ Binomial(n, 1/2), for any
 * continuous distribution; cell() takes the narrowest with >= 95%, so the
 * coverage is a step function of n (6 runs: k = 1, 1 - 2/64 = 96.9%).
 */
static void print_coverage(const struct table *t)
{
	size_t runs[16], nruns = 0, i, j, k, n;
	double cover[16];
	int too_few = 0;

	for (i = 0; i < t->nrows; i++) {
		for (j = 0; j < t->ncols; j++) {
			struct drmb_median_ci ci;
			double v;

			if (!cell(t->file[i], t->row[i], t->col[j], &v, &ci, &n))
				continue;
			if (isnan(ci.lo)) {
				too_few = 1;
				continue;
			}
			for (k = 0; k < nruns && runs[k] != n; k++)
				;
			if (k < nruns || nruns == 16)
				continue;
			/* insertion in run order */
			for (k = nruns++; k > 0 && runs[k - 1] > n; k--) {
				runs[k] = runs[k - 1];
				cover[k] = cover[k - 1];
			}
			runs[k] = n;
			cover[k] = ci.achieved_conf;
		}
	}
	printf("# [lo,hi]: the median's order-statistic interval, coverage >= 95%%, exactly");
	for (k = 0; k < nruns; k++)
		printf("%s %.1f%% with %zu runs", k ? "," : "", 100 * cover[k], runs[k]);
	if (!nruns)
		printf(" -");
	printf("%s\n", too_few ? "; [-]: fewer than 6 runs" : "");
}

/* "Id/a=1/b=2" -> segments; returns how many. */
static size_t split_name(char *name, char **seg)
{
	size_t n = 0;
	char *p = name, *slash;

	while (p && n < MAX_SEGS) {
		seg[n++] = p;
		slash = strchr(p, '/');
		if (slash)
			*slash++ = '\0';
		p = slash;
	}
	return n;
}

/* A segment every row has. */
static int shared(const struct table *t, const char *seg)
{
	char buf[512], *s[MAX_SEGS];
	size_t r, i, n;
	int found;

	for (r = 0; r < t->nrows; r++) {
		snprintf(buf, sizeof(buf), "%s", t->row[r]);
		n = split_name(buf, s);
		for (found = 0, i = 0; i < n && !found; i++)
			found = !strcmp(s[i], seg);
		if (!found)
			return 0;
	}
	return 1;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Row r's name: its file's keys (or name), then what differs of its case. */
static void label(const struct table *t, size_t r, char *const *keys, size_t nkeys,
		  int nfiles, char *out, size_t len)
{
	const struct drmb_result_file *f = t->file[r];
	char buf[512], *s[MAX_SEGS];
	size_t i, n, off = 0;

	out[0] = '\0';
	for (i = 0; i < nkeys; i++) {
		const struct drmb_bench_line *l = NULL;
		const char *v;
		size_t k;

		for (k = 0; k < f->nlines && !l; k++)
			if (!strcmp(f->lines[k].name, t->row[r]))
				l = &f->lines[k];
		v = l ? drmb_result_config(f, l, keys[i]) : NULL;
		drmb_appendf(out, len, &off, "%s%s=%s", off ? "/" : "", keys[i], v ? v : "-");
	}
	if (!nkeys && nfiles > 1)
		drmb_appendf(out, len, &off, "%s", base_name(f->path));
	snprintf(buf, sizeof(buf), "%s", t->row[r]);
	n = split_name(buf, s);
	for (i = 0; i < n; i++)
		if (t->nrows < 2 || !shared(t, s[i]))
			drmb_appendf(out, len, &off, "%s%s", off ? "/" : "", s[i]);
	if (!off)
		snprintf(out, len, "%s", s[0]);
}

static void put_cell(int tsv, size_t width, const char *text)
{
	if (tsv)
		printf("\t%s", text);
	else
		printf("  %*s", (int)width, text);
}

/* Rows added, or -1 when the table is full. */
static int add_rows(struct table *t, const struct drmb_result_file *f, const char *prefix)
{
	size_t i, k;
	int added = 0;

	for (i = 0; i < f->nlines; i++) {
		const char *name = f->lines[i].name;
		int seen = 0;

		if (prefix && strncmp(name, prefix, strlen(prefix)))
			continue;
		for (k = 0; k < t->nrows && !seen; k++)
			seen = t->file[k] == f && !strcmp(t->row[k], name);
		if (seen)
			continue;
		if (t->nrows == MAX_ROWS)
			return -1;
		t->file[t->nrows] = f;
		t->row[t->nrows++] = name;
		added++;
	}
	return added;
}

static void fmt(char *buf, size_t len, double v)
{
	if (v != 0 && (v >= 1e9 || v < 0.01) && v > -1e9)
		snprintf(buf, len, "%.3g", v);
	else if (v >= 100 || v <= -100)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.3g", v);
}

int cmd_table(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bench", required_argument, NULL, 'b' },
		{ "ci", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "keys", required_argument, NULL, 'k' },
		{ "tsv", no_argument, NULL, 't' },
		{ "units", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	const char *prefix = NULL, *accel, *kernel;
	char *units = NULL, *keylist = NULL, *keys[MAX_KEYS], err[512], lab[512];
	char shared_buf[1024], buf[512], *s[MAX_SEGS];
	static struct drmb_result_file f[MAX_FILES];
	struct table t = { .nrows = 0 };
	size_t i, j, n, off = 0, w0, w[MAX_COLS], nkeys = 0;
	int c, ret = 0, nfiles = 0, with_ci = 0, tsv = 0, k;

	while ((c = getopt_long(argc, argv, "b:chk:tu:", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			prefix = optarg;
			break;
		case 'c':
			with_ci = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'k':
			keylist = optarg;
			break;
		case 't':
			tsv = 1;
			break;
		case 'u':
			units = optarg;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "drmbench table: needs one result file or more\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (argc - optind > MAX_FILES) {
		fprintf(stderr, "drmbench table: at most %d result files\n", MAX_FILES);
		return EXIT_USAGE;
	}
	if (keylist) {
		char *save = NULL, *kk;

		for (kk = strtok_r(keylist, ",", &save); kk; kk = strtok_r(NULL, ",", &save)) {
			if (nkeys == MAX_KEYS) {
				fprintf(stderr, "drmbench table: -k: at most %d keys\n", MAX_KEYS);
				return EXIT_USAGE;
			}
			keys[nkeys++] = kk;
		}
		if (!nkeys) {
			fprintf(stderr, "drmbench table: -k: no key given\n");
			return EXIT_USAGE;
		}
	}
	for (k = optind; k < argc; k++) {
		ret = drmb_result_read(argv[k], &f[nfiles], err, sizeof(err));
		if (ret) {
			fprintf(stderr, "drmbench table: %s\n", err);
			ret = EXIT_USAGE;
			goto out;
		}
		nfiles++;
		n = add_rows(&t, &f[nfiles - 1], prefix);
		if ((int)n < 0) {
			fprintf(stderr, "drmbench table: more than %d rows\n", MAX_ROWS);
			ret = EXIT_USAGE;
			goto out;
		}
		if (!n) {
			fprintf(stderr, "drmbench table: %s: no benchmark line%s%s\n", argv[k],
				prefix ? " starts with " : "", prefix ? prefix : "");
			ret = EXIT_USAGE;
			goto out;
		}
	}
	if (units) {
		char *save = NULL, *u;

		for (u = strtok_r(units, ",", &save); u; u = strtok_r(NULL, ",", &save)) {
			if (add_col(&t, u)) {
				fprintf(stderr, "drmbench table: -u: at most %d units\n", MAX_COLS);
				ret = EXIT_USAGE;
				goto out;
			}
		}
		if (!t.ncols) {
			fprintf(stderr, "drmbench table: -u: no unit given\n");
			ret = EXIT_USAGE;
			goto out;
		}
	} else {
		add_col(&t, "ns/op");
		add_col(&t, "p99-ns/op");
		add_col(&t, "mean-ns/op");
		for (k = 0; k < nfiles; k++) {
			for (i = 0; i < f[k].nlines; i++) {
				if (!prefix || !strncmp(f[k].lines[i].name, prefix, strlen(prefix))) {
					for (j = 0; j < f[k].lines[i].nmetrics; j++) {
						const char *u = f[k].lines[i].metrics[j].unit;

						if (index_of(default_skip, NSKIP, u) < 0)
							add_col(&t, u);
					}
				}
			}
		}
	}

	for (i = 0; i < t.file[0]->nlines; i++)
		if (!strcmp(t.file[0]->lines[i].name, t.row[0]))
			break;
	accel = drmb_result_config(t.file[0], &t.file[0]->lines[i], "accel");
	kernel = drmb_result_config(t.file[0], &t.file[0]->lines[i], "kernel-release");
	shared_buf[0] = '\0';
	snprintf(buf, sizeof(buf), "%s", t.row[0]);
	n = split_name(buf, s);
	for (i = 0; t.nrows > 1 && i < n; i++)
		if (shared(&t, s[i]))
			drmb_appendf(shared_buf, sizeof(shared_buf), &off, "%s%s",
				     off ? "/" : "", s[i]);
	if (!tsv) {
		if (nfiles == 1)
			printf("# %s  accel: %s  kernel: %s  (median over runs; ns/op is the p50)\n",
			       argv[optind], accel ? accel : "unknown", kernel ? kernel : "unknown");
		else
			printf("# %d files, the first: accel: %s  kernel: %s  (median over runs%s; ns/op is the p50)\n",
			       nfiles, accel ? accel : "unknown", kernel ? kernel : "unknown",
			       with_ci ? " [lo,hi]" : "");
		if (off)
			printf("# every row: %s\n", shared_buf);
		if (with_ci)
			print_coverage(&t);
	}

	w0 = 4;
	for (i = 0; i < t.nrows; i++) {
		label(&t, i, keys, nkeys, nfiles, lab, sizeof(lab));
		if (strlen(lab) > w0)
			w0 = strlen(lab);
	}
	for (j = 0; j < t.ncols; j++)
		w[j] = strlen(t.col[j]) > (with_ci ? 24 : 8) ? strlen(t.col[j]) : (with_ci ? 24 : 8);
	if (tsv)
		w0 = 0;
	printf("%-*s", (int)w0, "case");
	for (j = 0; j < t.ncols; j++)
		put_cell(tsv, w[j], t.col[j]);
	printf("\n");
	for (i = 0; i < t.nrows; i++) {
		label(&t, i, keys, nkeys, nfiles, lab, sizeof(lab));
		printf("%-*s", (int)w0, lab);
		for (j = 0; j < t.ncols; j++) {
			struct drmb_median_ci ci;
			char lo[32], hi[32];
			double v;

			if (cell(t.file[i], t.row[i], t.col[j], &v, with_ci ? &ci : NULL, NULL)) {
				fmt(buf, sizeof(buf), v);
				if (with_ci && isnan(ci.lo)) {
					off = strlen(buf);
					drmb_appendf(buf, sizeof(buf), &off, " [-]");
				} else if (with_ci) {
					fmt(lo, sizeof(lo), ci.lo);
					fmt(hi, sizeof(hi), ci.hi);
					off = strlen(buf);
					drmb_appendf(buf, sizeof(buf), &off, " [%s,%s]", lo, hi);
				}
			} else {
				snprintf(buf, sizeof(buf), "-");
			}
			put_cell(tsv, w[j], buf);
		}
		printf("\n");
	}
	ret = 0;
out:
	for (k = 0; k < nfiles; k++)
		drmb_result_free(&f[k]);
	return ret;
}
