// SPDX-License-Identifier: MIT
/*
 * drmbench table: the cases of one result file side by side, one row per
 * case and one column per unit, each cell the median over the case's runs.
 * The parameters every row shares go to a header line, so a row is named
 * by what differs (submit-models: model=...), and the header names the
 * accel and kernel the file was measured under. Exit status: 0 done,
 * 2 usage or input error.
 */
#include <getopt.h>
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

/* Per-run statistics the summary already has: left out of the default columns. */
static const char *const default_skip[] = {
	"p90-ns/op", "p99.9-ns/op", "min-ns/op", "mad-ns/op", "floor-ratio",
};
#define NSKIP (sizeof(default_skip) / sizeof(default_skip[0]))

static void usage(FILE *out)
{
	fprintf(out,
		"usage: drmbench table [options] FILE\n"
		"\n"
		"One row per benchmark case of the result FILE, one column per unit, each\n"
		"cell the median over the case's runs ('-' where the case has no such\n"
		"value). Parameters shared by every row are printed once above the table.\n"
		"\n"
		"  -b, --bench NAME       only cases whose name starts with NAME (without\n"
		"                         'Benchmark'), e.g. SubmitModels\n"
		"  -h, --help             this text\n"
		"  -u, --units LIST       comma-separated columns (default: ns/op, p99-ns/op,\n"
		"                         mean-ns/op, then every other unit of the cases\n"
		"                         but min, mad, p90, p99.9 and floor-ratio)\n"
		"\n"
		"Exit status: 0 done, 2 usage or input error.\n");
}

struct table {
	const char *row[MAX_ROWS];		/* case names, file order */
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

/* The median over runs of one case and unit; 0 when it has none. */
static int cell(const struct drmb_result_file *f, const char *name, const char *unit,
		double *out)
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
	*out = drmb_median_double(v, n);
	return 1;
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

static void label(const struct table *t, const char *name, char *out, size_t len)
{
	char buf[512], *s[MAX_SEGS];
	size_t i, n, off = 0;

	snprintf(buf, sizeof(buf), "%s", name);
	n = split_name(buf, s);
	out[0] = '\0';
	for (i = 0; i < n; i++)
		if (t->nrows < 2 || !shared(t, s[i]))
			drmb_appendf(out, len, &off, "%s%s", off ? "/" : "", s[i]);
	if (!off)
		snprintf(out, len, "%s", s[0]);
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
		{ "help", no_argument, NULL, 'h' },
		{ "units", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	const char *prefix = NULL, *accel, *kernel;
	char *units = NULL, err[512], lab[512], shared_buf[1024], buf[512], *s[MAX_SEGS];
	struct drmb_result_file f;
	struct table t = { .nrows = 0 };
	size_t i, j, n, off = 0, w0, w[MAX_COLS];
	int c, ret;

	while ((c = getopt_long(argc, argv, "b:hu:", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			prefix = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'u':
			units = optarg;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "drmbench table: needs exactly one result file\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	ret = drmb_result_read(argv[optind], &f, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "drmbench table: %s\n", err);
		return EXIT_USAGE;
	}
	for (i = 0; i < f.nlines; i++) {
		const char *name = f.lines[i].name;

		if (prefix && strncmp(name, prefix, strlen(prefix)))
			continue;
		if (index_of(t.row, t.nrows, name) >= 0)
			continue;
		if (t.nrows == MAX_ROWS)
			break;
		t.row[t.nrows++] = name;
	}
	if (!t.nrows) {
		fprintf(stderr, "drmbench table: %s: no benchmark line%s%s\n", argv[optind],
			prefix ? " starts with " : "", prefix ? prefix : "");
		drmb_result_free(&f);
		return EXIT_USAGE;
	}
	if (units) {
		char *save = NULL, *u;

		for (u = strtok_r(units, ",", &save); u; u = strtok_r(NULL, ",", &save)) {
			if (add_col(&t, u)) {
				fprintf(stderr, "drmbench table: -u: at most %d units\n", MAX_COLS);
				drmb_result_free(&f);
				return EXIT_USAGE;
			}
		}
		if (!t.ncols) {
			fprintf(stderr, "drmbench table: -u: no unit given\n");
			drmb_result_free(&f);
			return EXIT_USAGE;
		}
	} else {
		add_col(&t, "ns/op");
		add_col(&t, "p99-ns/op");
		add_col(&t, "mean-ns/op");
		for (i = 0; i < f.nlines; i++) {
			if (index_of(t.row, t.nrows, f.lines[i].name) < 0)
				continue;
			for (j = 0; j < f.lines[i].nmetrics; j++) {
				const char *u = f.lines[i].metrics[j].unit;

				if (index_of(default_skip, NSKIP, u) < 0)
					add_col(&t, u);
			}
		}
	}

	for (i = 0; i < f.nlines; i++)
		if (!strcmp(f.lines[i].name, t.row[0]))
			break;
	accel = drmb_result_config(&f, &f.lines[i], "accel");
	kernel = drmb_result_config(&f, &f.lines[i], "kernel-release");
	printf("# %s  accel: %s  kernel: %s  (median over runs; ns/op is the p50)\n",
	       argv[optind], accel ? accel : "unknown", kernel ? kernel : "unknown");
	shared_buf[0] = '\0';
	snprintf(buf, sizeof(buf), "%s", t.row[0]);
	n = split_name(buf, s);
	for (i = 0; t.nrows > 1 && i < n; i++)
		if (shared(&t, s[i]))
			drmb_appendf(shared_buf, sizeof(shared_buf), &off, "%s%s",
				     off ? "/" : "", s[i]);
	if (off)
		printf("# every row: %s\n", shared_buf);

	w0 = 4;
	for (i = 0; i < t.nrows; i++) {
		label(&t, t.row[i], lab, sizeof(lab));
		if (strlen(lab) > w0)
			w0 = strlen(lab);
	}
	for (j = 0; j < t.ncols; j++)
		w[j] = strlen(t.col[j]) > 8 ? strlen(t.col[j]) : 8;
	printf("%-*s", (int)w0, "case");
	for (j = 0; j < t.ncols; j++)
		printf("  %*s", (int)w[j], t.col[j]);
	printf("\n");
	for (i = 0; i < t.nrows; i++) {
		label(&t, t.row[i], lab, sizeof(lab));
		printf("%-*s", (int)w0, lab);
		for (j = 0; j < t.ncols; j++) {
			double v;

			if (cell(&f, t.row[i], t.col[j], &v))
				fmt(buf, sizeof(buf), v);
			else
				snprintf(buf, sizeof(buf), "-");
			printf("  %*s", (int)w[j], buf);
		}
		printf("\n");
	}
	drmb_result_free(&f);
	return 0;
}
