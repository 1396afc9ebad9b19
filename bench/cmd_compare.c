// SPDX-License-Identifier: MIT
/*
 * drmbench compare: did NEW change against OLD?  The method is in
 * docs/statistics.md and lives in bench/lib/stats.c; this file reads the
 * two sides, refuses incomparable runs, checks the environment canaries
 * (canary-ns, measured before every run) first, and prints the
 * benchstat-shaped table and the TSV.  Exit status: 0 no regression,
 * 1 a regression, 2 usage or input error, 3 ENVIRONMENT CHANGED (the
 * canaries of the two sides differ beyond their noise: no REGRESSION or
 * IMPROVEMENT is handed out).
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

#include "resultset.h"
#include "stats.h"

#include "cli.h"
#include "commands.h"

#define MAX_REFUSAL_KINDS 8

/*
 * The canaries' spread (1.4826 MAD of ln) changed when it grew or shrank
 * by this factor with p < alpha: docs/statistics.md, "The environment
 * first".
 */
#define ENV_SPREAD_FACTOR 1.5

/* Units that describe the machine, not the benchmark: checked first, never rows. */
#define UNIT_CANARY "canary-ns"
#define UNIT_STEAL "steal-ms"
#define UNIT_FLOOR "floor-ratio"

/* --kernels: what two kernels may differ in and still be compared. */
#define KERNEL_KEYS "kernel,kernel-release,simgpu-features,simgpu-sched"

/* The command line, parsed. */
struct compare_opts {
	struct drmb_cmp_params par;
	struct drmb_ignore ig;
	double max_noise, det_min_effect;
	const char *tsv;
	int by_file, kernels;
	char **old_paths, **new_paths;
	size_t nold, nnew;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: drmbench compare [options] OLD NEW\n"
		"       drmbench compare [options] OLD... vs NEW...\n"
		"\n"
		"OLD and NEW are result files or directories (every *.txt below them).\n"
		"Runs of the same benchmark and unit are pooled per side and compared;\n"
		"runs whose comparability keys differ are refused (see --ignore).\n"
		"A file literally named 'vs' must be given as ./vs.\n"
		"\n"
		"  -a, --alpha P          significance level on BH-adjusted p (default 0.01)\n"
		"  -c, --confidence C     coverage of the confidence intervals (default 0.95)\n"
		"      --det-min-effect PCT\n"
		"                         deterministic rows (icount on both sides): the\n"
		"                         threshold is the larger of this and 3 x the\n"
		"                         row's noise, in percent (default 0.25)\n"
		"  -e, --min-effect PCT   smallest change that counts, in percent (default 2)\n"
		"  -f, --by-file          one value per file (the median of its runs): when\n"
		"                         each file is a boot and boots vary more than runs\n"
		"  -h, --help             this text\n"
		"  -i, --ignore KEYS      comparability keys to ignore, comma-separated,\n"
		"                         repeatable (e.g. cpu-governor)\n"
		"  -k, --kernels          OLD and NEW are two kernels, on purpose: let go of\n"
		"                         " KERNEL_KEYS ",\n"
		"                         say what each side had, and add a vs-floor column\n"
		"                         (the change of floor-ratio: each run over its canary)\n"
		"  -m, --min-runs N       fewer runs on a side gives UNKNOWN (default 3)\n"
		"  -n, --max-noise PCT    rows noisier than this (1.4826 MAD of ln) are\n"
		"                         shown but never fail the comparison (default off)\n"
		"  -t, --tsv FILE         write the rows as TSV to FILE ('-': stdout,\n"
		"                         instead of the table)\n"
		"\n"
		"The canaries (canary-ns: a futex-wake p50 measured before every run) are\n"
		"compared first; when they differ beyond their noise the environment\n"
		"changed, and no REGRESSION or IMPROVEMENT is handed out.\n"
		"\n"
		"Exit status: 0 no regression, 1 regression, 2 usage or input error,\n"
		"3 ENVIRONMENT CHANGED (the canaries differ; verdicts withheld).\n");
}

struct row {
	const struct drmb_series *old, *new;
	enum drmb_direction dir;
	struct drmb_cmp c;
	int have_cmp;		/* 0: could not be compared (why says so) */
	int noisy;		/* above --max-noise: shown, not gated */
	int deterministic;	/* icount on both sides: noise-matched threshold */
	int env_changed;	/* a verdict withheld: the canaries moved */
	double min_effect;	/* the threshold this row was judged by */
	char why[400];	/* room for a file:line (where(): 300) and its message */
};

struct side {
	const char *label;
	struct drmb_resultset rs;
	const struct drmb_series **sorted;	/* by (name, unit) */
};

static int cmp_series_name(const void *a, const void *b)
{
	const struct drmb_series *x = *(const struct drmb_series *const *)a;
	const struct drmb_series *y = *(const struct drmb_series *const *)b;
	int r = strcmp(x->name, y->name);

	return r ? r : strcmp(x->unit, y->unit);
}

static const char *where(const struct drmb_resultset *rs, const struct drmb_point *p,
			 char *buf, size_t len)
{
	const struct drmb_result_file *f = &rs->files[p->file];

	snprintf(buf, len, "%s:%u", f->path, f->lines[p->line].lineno);
	return buf;
}

/*
 * Loads a side and sorts its series by (name, unit).  Two series with the
 * same name and unit carry different signatures: the side mixes
 * configurations, which is refused with the keys and lines that differ.
 */
static int load_side(struct side *s, char **paths, size_t npaths,
		     const struct drmb_ignore *ig)
{
	char err[512], a[300], b[300], diff[600];

	drmb_resultset_init(&s->rs, ig);
	for (size_t i = 0; i < npaths; i++) {
		int ret = drmb_resultset_add_path(&s->rs, paths[i], err, sizeof(err));
		if (ret) {
			fprintf(stderr, "drmbench compare: %s\n", err);
			return ret;
		}
	}
	s->sorted = malloc((s->rs.nseries + 1) * sizeof(*s->sorted));
	if (!s->sorted)
		return -ENOMEM;
	for (size_t i = 0; i < s->rs.nseries; i++)
		s->sorted[i] = &s->rs.series[i];
	qsort(s->sorted, s->rs.nseries, sizeof(*s->sorted), cmp_series_name);
	for (size_t i = 1; i < s->rs.nseries; i++) {
		const struct drmb_series *x = s->sorted[i - 1], *y = s->sorted[i];
		if (strcmp(x->name, y->name) || strcmp(x->unit, y->unit))
			continue;
		drmb_sig_diff(x->sig, y->sig, diff, sizeof(diff));
		drmb_sig_diff_keys(x->sig, y->sig, a, sizeof(a));
		fprintf(stderr,
			"drmbench compare: %s mixes configurations for %s (%s): %s, at %s and %s;\n"
			"  compare like with like, or pass --ignore %s\n",
			s->label, x->name, x->unit, diff, where(&s->rs, &x->pts[0], b, sizeof(b)),
			where(&s->rs, &y->pts[0], err, sizeof(err)), a);
		return -EINVAL;
	}
	return 0;
}

static const struct drmb_series *find_sorted(const struct side *s, const struct drmb_series *key)
{
	const struct drmb_series **hit = bsearch(&key, s->sorted, s->rs.nseries,
						 sizeof(*s->sorted), cmp_series_name);
	return hit ? *hit : NULL;
}

static int cmp_series_only_name(const void *a, const void *b)
{
	const struct drmb_series *x = *(const struct drmb_series *const *)a;
	const struct drmb_series *y = *(const struct drmb_series *const *)b;

	return strcmp(x->name, y->name);
}

/* 1 when the side has the benchmark key->name in any unit. */
static int has_name(const struct side *s, const struct drmb_series *key)
{
	return bsearch(&key, s->sorted, s->rs.nseries, sizeof(*s->sorted),
		       cmp_series_only_name) != NULL;
}

static double *values_of(const struct drmb_series *s)
{
	double *v = malloc((s->n ? s->n : 1) * sizeof(*v));

	if (v)
		for (size_t i = 0; i < s->n; i++)
			v[i] = s->pts[i].value;
	return v;
}

/*
 * --by-file: one value per result file, the median of its runs, in place
 * (points of one file are contiguous).  When each file is a separate boot
 * and boots differ more than the runs within one, the boot is the unit of
 * replication (statistics.md, Kalibera and Jones): pooling runs would test
 * the boots, not the change.  Returns how many values remain.
 */
static size_t per_file_medians(const struct drmb_series *s, double *v)
{
	size_t nv = 0;

	for (size_t i = 0; i < s->n;) {
		size_t j = i;
		while (j < s->n && s->pts[j].file == s->pts[i].file)
			j++;
		double *group = v + i;	/* v[i..j) still holds this file's values */
		double med = drmb_median_double(group, j - i);
		v[nv++] = med;	/* nv <= i: never overwrites an unread group */
		i = j;
	}
	return nv;
}

static const char *direction_text(enum drmb_direction d)
{
	return d == DRMB_LOWER_IS_BETTER ? "lower is better" :
	       d == DRMB_HIGHER_IS_BETTER ? "higher is better" : "direction unknown: never gated";
}

/* 4 significant digits with an SI prefix, as benchstat prints: 3.466k, 1.234M. */
static void fmt_si(char *buf, size_t len, double v)
{
	static const char *const up[] = { "", "k", "M", "G", "T", "P" };
	static const char *const down[] = { "", "m", "µ", "n", "p" };
	double a = fabs(v);
	int k = 0;

	if (a == 0 || !isfinite(a)) {
		snprintf(buf, len, "%g", v);
		return;
	}
	while (a >= 999.95 && k < 5) {
		a /= 1000;
		v /= 1000;
		k++;
	}
	if (k) {
		snprintf(buf, len, "%.*f%s", a >= 99.995 ? 1 : a >= 9.9995 ? 2 : 3, v, up[k]);
		return;
	}
	while (a < 1 && k < 4) {
		a *= 1000;
		v *= 1000;
		k++;
	}
	snprintf(buf, len, "%.*f%s", a >= 99.995 ? 1 : a >= 9.9995 ? 2 : 3, v, down[k]);
}

/* median ± the larger distance to a CI end, in percent, as benchstat. */
static void fmt_median(char *buf, size_t len, const struct drmb_median_ci *m)
{
	char v[32];

	fmt_si(v, sizeof(v), m->median);
	if (isnan(m->lo))
		snprintf(buf, len, "%s ± ?", v);
	else
		snprintf(buf, len, "%s ± %.0f%%", v,
			 fmax(m->hi - m->median, m->median - m->lo) / m->median * 100);
}

/* printf("%-*s") counting characters, not bytes (± and µ are two bytes). */
static void put_cell(const char *s, size_t width)
{
	size_t chars = 0;

	for (const char *p = s; *p; p++)
		chars += ((unsigned char)*p & 0xc0) != 0x80;
	fputs(s, stdout);
	for (; chars < width; chars++)
		putchar(' ');
}

static void put_row(size_t wname, const char *name, const char *o, const char *n,
		    const char *delta, const char *ci, const char *floor, const char *verdict)
{
	put_cell(name, wname + 2);
	put_cell(o, 16);
	put_cell(n, 16);
	put_cell(delta, 28);
	put_cell(ci, 22);
	if (floor)
		put_cell(floor, 10);
	printf("%s\n", verdict);
}

/* Rows by unit, each unit's rows in row order (print order, below). */
struct row_ord {
	const struct row *r;
	size_t i, first;	/* row index; first row index of its unit */
};

static int cmp_ord_unit(const void *a, const void *b)
{
	const struct row_ord *x = a, *y = b;
	int c = strcmp(x->r->old->unit, y->r->old->unit);

	return c ? c : x->i < y->i ? -1 : x->i > y->i;
}

static int cmp_ord_first(const void *a, const void *b)
{
	const struct row_ord *x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * The print order: one table per unit, units in order of first
 * appearance, rows in row order within a unit.  Two sorts, not a scan of
 * the rows per unit: 80,000 units made that quadratic (perf-compare-units).
 */
static struct row_ord *order_rows(const struct row *rows, size_t nrows)
{
	struct row_ord *o = malloc((nrows ? nrows : 1) * sizeof(*o));

	if (!o)
		return NULL;
	for (size_t i = 0; i < nrows; i++)
		o[i] = (struct row_ord){ .r = &rows[i], .i = i };
	qsort(o, nrows, sizeof(*o), cmp_ord_unit);
	for (size_t i = 0; i < nrows; i++)
		o[i].first = i && !strcmp(o[i].r->old->unit, o[i - 1].r->old->unit) ?
			     o[i - 1].first : o[i].i;
	qsort(o, nrows, sizeof(*o), cmp_ord_first);
	return o;
}

/* Rows sorted by (name, unit), to find a row's floor-ratio row. */
static int cmp_row_ptr(const void *a, const void *b)
{
	const struct row *x = *(const struct row *const *)a, *y = *(const struct row *const *)b;
	int c = strcmp(x->old->name, y->old->name);

	return c ? c : strcmp(x->old->unit, y->old->unit);
}

static const struct row *floor_row(const struct row **by_name, size_t nrows, const struct row *r)
{
	struct drmb_series key_series = { .name = r->old->name, .unit = UNIT_FLOOR };
	struct row key = { .old = &key_series };
	const struct row *kp = &key, **hit;

	hit = bsearch(&kp, by_name, nrows, sizeof(*by_name), cmp_row_ptr);
	return hit && (*hit)->have_cmp ? *hit : NULL;
}

/* The vs-floor cell of a row: floor-ratio's change beside the raw one. */
static void fmt_floor(char *buf, size_t len, const struct row **by_name, size_t nrows,
		      const struct row *r)
{
	const struct row *f;

	if (strcmp(r->old->unit, "ns/op") || !(f = floor_row(by_name, nrows, r)))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%+.2f%%", (f->c.ratio - 1) * 100);
}

static int print_table(const struct row *rows, size_t nrows, const struct drmb_cmp_params *par,
		       const char *old_label, const char *new_label, const char *unit_word,
		       int floor_column)
{
	size_t wname = 4;
	int footnote_ci = 0;
	struct row_ord *ord = order_rows(rows, nrows);
	const struct row **by_name = malloc((nrows ? nrows : 1) * sizeof(*by_name));

	if (!ord || !by_name) {
		free(ord);
		free(by_name);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nrows; i++) {
		size_t len = strlen(rows[i].old->name);
		if (len > wname)
			wname = len;
		by_name[i] = &rows[i];
	}
	qsort(by_name, nrows, sizeof(*by_name), cmp_row_ptr);
	for (size_t g = 0; g < nrows;) {
		const char *unit = ord[g].r->old->unit;
		double geo_old = 0, geo_new = 0;
		size_t ngeo = 0, end = g;
		enum drmb_direction dir = drmb_unit_direction(unit);
		const char *fl = floor_column ? "vs floor" : NULL;
		char head[128];

		while (end < nrows && ord[end].first == ord[g].first)
			end++;
		snprintf(head, sizeof(head), "%s (%s)", unit, direction_text(dir));
		printf("%s%s\n", g ? "\n" : "", head);
		put_row(wname, "name", old_label, new_label, "vs base", "95% CI of ratio", fl, "verdict");
		for (; g < end; g++) {
			const struct row *r = ord[g].r;
			char o[48], n[48], delta[64], ci[48], verdict[96], floor[32];
			if (!r->have_cmp) {
				char why[sizeof(r->why) + 16];
				snprintf(why, sizeof(why), "UNKNOWN (%s)", r->why);
				put_row(wname, r->old->name, "-", "-", "-", "-", fl ? "-" : NULL, why);
				continue;
			}
			fmt_median(o, sizeof(o), &r->c.old);
			fmt_median(n, sizeof(n), &r->c.new);
			footnote_ci |= isnan(r->c.old.lo) || isnan(r->c.new.lo);
			if (r->c.p_adj < par->alpha)
				snprintf(delta, sizeof(delta), "%+.2f%% (p=%.3f n=%zu+%zu)",
					 (r->c.ratio - 1) * 100, r->c.p_adj, r->c.n_old, r->c.n_new);
			else
				snprintf(delta, sizeof(delta), "~ (p=%.3f n=%zu+%zu)",
					 r->c.p_adj, r->c.n_old, r->c.n_new);
			if (isnan(r->c.ratio_lo))
				snprintf(ci, sizeof(ci), "?");
			else
				snprintf(ci, sizeof(ci), "[%+.2f%%, %+.2f%%]",
					 (r->c.ratio_lo - 1) * 100, (r->c.ratio_hi - 1) * 100);
			if (r->env_changed)
				snprintf(verdict, sizeof(verdict), "UNKNOWN (environment changed)");
			else if (r->c.verdict == DRMB_UNKNOWN && r->c.more_runs)
				snprintf(verdict, sizeof(verdict), "UNKNOWN (need ~%s%zu %s per side)",
					 r->c.more_runs >= 1000 ? ">" : "", r->c.more_runs, unit_word);
			else if (r->c.verdict == DRMB_UNKNOWN && r->dir == DRMB_DIRECTION_UNKNOWN)
				snprintf(verdict, sizeof(verdict), "UNKNOWN (changed; unit has no direction)");
			else
				snprintf(verdict, sizeof(verdict), "%s", drmb_verdict_name(r->c.verdict));
			if (r->noisy)
				strncat(verdict, " (noisy: not gated)", sizeof(verdict) - strlen(verdict) - 1);
			if (fl)
				fmt_floor(floor, sizeof(floor), by_name, nrows, r);
			put_row(wname, r->old->name, o, n, delta, ci, fl ? floor : NULL, verdict);
			geo_old += log(r->c.old.median);
			geo_new += log(r->c.new.median);
			ngeo++;
		}
		if (ngeo > 1) {
			char o[32], n[32], d[32];
			fmt_si(o, sizeof(o), exp(geo_old / (double)ngeo));
			fmt_si(n, sizeof(n), exp(geo_new / (double)ngeo));
			snprintf(d, sizeof(d), "%+.2f%%", (exp((geo_new - geo_old) / (double)ngeo) - 1) * 100);
			put_row(wname, "geomean", o, n, d, "", fl ? "" : NULL, "");
		}
	}
	if (footnote_ci)
		printf("\n? fewer than 6 runs on that side: no %.0f%% interval from order statistics\n",
		       par->conf * 100);
	if (floor_column)
		printf("\nvs floor: the change of floor-ratio (each run's p50 over the futex-wake canary\n"
		       "measured before it in the same process): what is left of a kernel's change\n"
		       "once its own floor is divided out; shown, never gated\n");
	free(ord);
	free(by_name);
	return 0;
}

static int write_tsv(FILE *out, const struct row *rows, size_t nrows)
{
	fprintf(out, "name\tunit\tdirection\tn_old\told_median\told_lo\told_hi\tn_new\t"
		     "new_median\tnew_lo\tnew_hi\tratio\tratio_lo\tratio_hi\tp\tp_exact\t"
		     "p_adj\tnoise\tverdict\tmore_runs\tgated\tnote\n");
	for (size_t i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		const struct drmb_cmp *c = &r->c;
		const char *dir = r->dir == DRMB_LOWER_IS_BETTER ? "lower" :
				  r->dir == DRMB_HIGHER_IS_BETTER ? "higher" : "unknown";
		if (!r->have_cmp) {
			fprintf(out, "%s\t%s\t%s\t%zu\t\t\t\t%zu\t\t\t\t\t\t\t\t\t\t\tUNKNOWN\t\t0\t%s\n",
				r->old->name, r->old->unit, dir, r->old->n, r->new->n, r->why);
			continue;
		}
		fprintf(out, "%s\t%s\t%s\t%zu\t%.6g\t%.6g\t%.6g\t%zu\t%.6g\t%.6g\t%.6g\t"
			     "%.6g\t%.6g\t%.6g\t%.6g\t%d\t%.6g\t%.6g\t%s\t%zu\t%d\t%s\n",
			r->old->name, r->old->unit, dir, c->n_old, c->old.median, c->old.lo,
			c->old.hi, c->n_new, c->new.median, c->new.lo, c->new.hi, c->ratio,
			c->ratio_lo, c->ratio_hi, c->p, c->p_exact, c->p_adj, c->noise,
			drmb_verdict_name(c->verdict), c->more_runs, !r->noisy && r->dir >= 0,
			r->why);
	}
	return ferror(out) ? -EIO : 0;
}

/* ---- the environment check ---------------------------------------------- */

static int is_env_unit(const char *unit)
{
	return !strcmp(unit, UNIT_CANARY) || !strcmp(unit, UNIT_STEAL);
}

/* The value of key in effect for a series' first run, or NULL. */
static const char *series_key(const struct drmb_resultset *rs, const struct drmb_series *s,
			      const char *key)
{
	const struct drmb_result_file *f = &rs->files[s->pts[0].file];

	return drmb_result_config(f, &f->lines[s->pts[0].line], key);
}

/* One side's values of an environment unit, each with its file. */
struct env_vals {
	struct env_val {
		double v;
		unsigned int file;
	} *a;
	size_t n, cap;
};

static int env_push(struct env_vals *e, const struct drmb_series *s)
{
	if (e->n + s->n > e->cap) {
		size_t cap = (e->n + s->n) * 2;
		struct env_val *a = realloc(e->a, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		e->a = a;
		e->cap = cap;
	}
	for (size_t i = 0; i < s->n; i++) {
		e->a[e->n].v = s->pts[i].value;
		e->a[e->n++].file = s->pts[i].file;
	}
	return 0;
}

static int cmp_env_file(const void *a, const void *b)
{
	const struct env_val *x = a, *y = b;

	return x->file < y->file ? -1 : x->file > y->file;
}

/* The values to test: every run, or (--by-file) the median of each file's. */
static double *env_values(struct env_vals *e, int by_file, size_t *n)
{
	double *v = malloc((e->n ? e->n : 1) * sizeof(*v));
	size_t nv = 0;

	if (!v)
		return NULL;
	if (!by_file) {
		for (size_t i = 0; i < e->n; i++)
			v[i] = e->a[i].v;
		*n = e->n;
		return v;
	}
	qsort(e->a, e->n, sizeof(*e->a), cmp_env_file);
	for (size_t i = 0; i < e->n;) {
		size_t j = i, k = 0;
		while (j < e->n && e->a[j].file == e->a[i].file)
			j++;
		for (; i < j; i++)
			v[nv + k++] = e->a[i].v;
		v[nv] = drmb_median_double(v + nv, k);
		nv++;
	}
	*n = nv;
	return v;
}

struct env_check {
	int have[2];		/* the side has canary-ns at all */
	const char *def[2];	/* its canary: key */
	int checked, changed, deterministic, kernels;
	struct drmb_cmp c;
	struct drmb_spread spread;
	int spread_checked, spread_changed;
	double min_effect;
	double steal_med[2], steal_max[2];
	size_t nsteal[2];
};

static int has_unit(const struct side *s, const char *unit)
{
	for (size_t i = 0; i < s->rs.nseries; i++)
		if (!strcmp(s->rs.series[i].unit, unit))
			return 1;
	return 0;
}

/* The threshold of a row: --min-effect, or the deterministic rule. */
static double row_min_effect(const struct drmb_cmp *c, int deterministic,
			     const struct drmb_cmp_params *par, double det_min_effect)
{
	return deterministic ? drmb_det_min_effect(c->noise, det_min_effect) : par->min_effect;
}

/*
 * Pools the canaries of the benchmarks compared (same name and comparable
 * keys on both sides, so both sides pool the same mix of placements) and
 * compares them as a row is compared, lower is better: when Mann-Whitney
 * says they differ (p < alpha, this one test) by at least the minimum
 * effect, the environment changed.  Steal time is gathered alongside.
 */
static int env_check(struct side *old, struct side *new, int by_file, int kernels,
		     const struct drmb_cmp_params *par, double det_min_effect,
		     struct env_check *ec)
{
	struct side *sides[2] = { old, new };
	struct env_vals cv[2] = { { 0 } }, sv[2] = { { 0 } };
	int ret = 0, det = 1;

	memset(ec, 0, sizeof(*ec));
	for (int k = 0; k < 2; k++) {
		ec->have[k] = has_unit(sides[k], UNIT_CANARY);
		for (size_t f = 0; f < sides[k]->rs.nfiles && !ec->def[k]; f++)
			ec->def[k] = drmb_result_config(&sides[k]->rs.files[f], NULL, "canary");
	}
	for (size_t i = 0; i < old->rs.nseries && !ret; i++) {
		const struct drmb_series *o = &old->rs.series[i], *n;
		struct env_vals *c = cv, *st = sv;
		if (!is_env_unit(o->unit))
			continue;
		n = find_sorted(new, o);
		if (!n || strcmp(o->sig, n->sig))
			continue;
		if (!strcmp(o->unit, UNIT_STEAL)) {
			ret = env_push(&st[0], o);
			if (!ret)
				ret = env_push(&st[1], n);
			continue;
		}
		det &= series_key(&old->rs, o, "icount") && series_key(&new->rs, n, "icount");
		ret = env_push(&c[0], o);
		if (!ret)
			ret = env_push(&c[1], n);
	}
	for (int k = 0; k < 2 && !ret; k++) {
		size_t nv;
		double *v = env_values(&sv[k], by_file, &nv);
		if (!v) {
			ret = -ENOMEM;
			break;
		}
		ec->nsteal[k] = nv;
		if (nv) {
			ec->steal_med[k] = drmb_median_double(v, nv);	/* sorts v */
			ec->steal_max[k] = v[nv - 1];
		}
		free(v);
	}
	if (!ret && cv[0].n && cv[1].n &&
	    !(ec->def[0] && ec->def[1] && strcmp(ec->def[0], ec->def[1]))) {
		size_t nx, ny;
		double *x = env_values(&cv[0], by_file, &nx), *y = env_values(&cv[1], by_file, &ny);
		if (!x || !y) {
			ret = -ENOMEM;
		} else if (!drmb_compare_runs(x, nx, y, ny, par, &ec->c)) {
			struct drmb_cmp_params cpar = *par;

			ec->checked = 1;
			ec->deterministic = det;
			cpar.min_effect = ec->min_effect =
				row_min_effect(&ec->c, det, par, det_min_effect);
			ec->c.p_adj = ec->c.p;	/* one test of its own, not among the rows */
			drmb_decide(&ec->c, DRMB_LOWER_IS_BETTER, &cpar);
			/*
			 * In virtual time the host cannot move the canary: it is
			 * a path length like the rows, whose same-core wake
			 * takes one of a few lengths in stretches that differ
			 * from boot to boot (docs/vm-runner.md).  Shown, never
			 * a reason to withhold verdicts.
			 */
			ec->changed = !det && (ec->c.verdict == DRMB_REGRESSION ||
					       ec->c.verdict == DRMB_IMPROVEMENT);
			/*
			 * Two kernels: the futex wake is the kernel's own floor
			 * and moves with it (27 us on 6.1, 43 us on 6.12 in one
			 * TCG host).  Its median is then part of what is
			 * compared (the vs-floor column); its spread still
			 * says whether the host's load changed.
			 */
			ec->kernels = kernels;
			if (kernels)
				ec->changed = 0;
			/*
			 * A loaded host does not always move the canary's
			 * median: under TCG it gives some runs millisecond
			 * stalls and leaves the rest alone (quiet vs three busy
			 * loops: median +7%, p = 0.3, spread 34% -> 59%).  So
			 * the spread is checked too.
			 */
			if (!det && !drmb_spread_compare(x, nx, y, ny, &ec->spread)) {
				ec->spread_checked = 1;
				ec->spread_changed = ec->spread.p < par->alpha &&
					(ec->spread.ratio >= ENV_SPREAD_FACTOR ||
					 ec->spread.ratio <= 1 / ENV_SPREAD_FACTOR);
				ec->changed |= ec->spread_changed;
			}
		}
		free(x);
		free(y);
	}
	for (int k = 0; k < 2; k++) {
		free(cv[k].a);
		free(sv[k].a);
	}
	return ret;
}

static void fmt_ratio_ci(char *buf, size_t len, const struct drmb_cmp *c)
{
	if (isnan(c->ratio_lo))
		snprintf(buf, len, "?");
	else
		snprintf(buf, len, "[%+.2f%%, %+.2f%%]", (c->ratio_lo - 1) * 100,
			 (c->ratio_hi - 1) * 100);
}

/* Each file's host-cpu-pressure line (vm-run writes it), at most 8 a side. */
static void print_pressure(FILE *out, const struct side *s)
{
	size_t shown = 0, more = 0;

	for (size_t f = 0; f < s->rs.nfiles; f++) {
		const char *v = drmb_result_config(&s->rs.files[f], NULL, "host-cpu-pressure");
		if (!v)
			continue;
		if (shown++ < 8)
			fprintf(out, "  %s host-cpu-pressure: %s (%s)\n", s->label, v,
				s->rs.files[f].path);
		else
			more++;
	}
	if (!shown)
		fprintf(out, "  %s host-cpu-pressure: not recorded\n", s->label);
	else if (more)
		fprintf(out, "  %s host-cpu-pressure: %zu more files\n", s->label, more);
}

/* A canary median in seconds with its CI half-width: "41.20µs ± 3%". */
static void fmt_canary(char *buf, size_t len, const struct drmb_median_ci *m)
{
	char v[32];

	fmt_si(v, sizeof(v), m->median * 1e-9);
	if (isnan(m->lo))
		snprintf(buf, len, "%ss ± ?", v);
	else
		snprintf(buf, len, "%ss ± %.0f%%", v,
			 fmax(m->hi - m->median, m->median - m->lo) / m->median * 100);
}

static void print_env(FILE *out, const struct env_check *ec, const struct side *old,
		      const struct side *new, const char *unit_word)
{
	char o[48], n[48], ci[64];

	if (!ec->checked)
		return;
	fmt_canary(o, sizeof(o), &ec->c.old);
	fmt_canary(n, sizeof(n), &ec->c.new);
	fmt_ratio_ci(ci, sizeof(ci), &ec->c);
	if (ec->deterministic) {
		fprintf(out, "canary (futex-wake p50 before every run): OLD %s  NEW %s  %+.2f%% %s (p=%.3f n=%zu+%zu): virtual time, not a guard\n",
			o, n, (ec->c.ratio - 1) * 100, ci, ec->c.p, ec->c.n_old, ec->c.n_new);
	} else if (!ec->changed && ec->kernels) {
		fprintf(out, "floor (futex-wake canary before every run): OLD %s  NEW %s  %+.2f%% %s (p=%.3f n=%zu+%zu): each kernel's own floor, not a guard; spread x%.2f (p=%.3f): environment unchanged\n",
			o, n, (ec->c.ratio - 1) * 100, ci, ec->c.p, ec->c.n_old, ec->c.n_new,
			ec->spread.ratio, ec->spread.p);
	} else if (!ec->changed) {
		fprintf(out, "canary (futex-wake p50 before every run): OLD %s  NEW %s  %+.2f%% %s (p=%.3f n=%zu+%zu), spread x%.2f (p=%.3f): environment unchanged\n",
			o, n, (ec->c.ratio - 1) * 100, ci, ec->c.p, ec->c.n_old, ec->c.n_new,
			ec->spread.ratio, ec->spread.p);
	} else {
		fprintf(out,
			"ENVIRONMENT CHANGED: the canaries (a futex-wake p50 measured before every run,\n"
			"which no DRM change can move) differ between the sides beyond their noise,\n"
			"in median or in spread;\n"
			"no REGRESSION or IMPROVEMENT is handed out (those rows are UNKNOWN).\n");
		fprintf(out, "  OLD canary: %s (n=%zu %s)\n", o, ec->c.n_old, unit_word);
		fprintf(out, "  NEW canary: %s (n=%zu %s)\n", n, ec->c.n_new, unit_word);
		fprintf(out, "  NEW/OLD: %+.2f%%, 95%% CI %s, p=%.3g; threshold %.2f%%\n",
			(ec->c.ratio - 1) * 100, ci, ec->c.p, ec->min_effect * 100);
		if (ec->spread_checked)
			fprintf(out, "  spread (1.4826 MAD of ln): OLD %.1f%%, NEW %.1f%%, x%.2f, p=%.3g; threshold x%.1f\n",
				ec->spread.old_noise * 100, ec->spread.new_noise * 100,
				ec->spread.ratio, ec->spread.p, ENV_SPREAD_FACTOR);
		print_pressure(out, old);
		print_pressure(out, new);
		fprintf(out,
			"  What to do: measure both sides again on a quiet machine, or interleaved\n"
			"  (old, new, old, new) so the load falls on both; gate on deterministic\n"
			"  results (scripts/vm-run -d) where host load cannot reach; floor-ratio\n"
			"  (each run over its own canary) is tabled below for reading, never gated.\n");
	}
	if (ec->nsteal[0] || ec->nsteal[1])
		fprintf(out, "steal time per %s (ms, median and max): OLD %.0f, %.0f  NEW %.0f, %.0f\n",
			unit_word[0] == 'f' ? "file" : "run", ec->steal_med[0], ec->steal_max[0],
			ec->steal_med[1], ec->steal_max[1]);
	fprintf(out, "\n");
}

/* ---- parse -> do -> print ------------------------------------------------ */

/*
 * The command line into o.  0, 1 when --help was printed, or -EINVAL
 * (the message printed).
 */
static int parse_args(int argc, char **argv, struct compare_opts *o)
{
	static const struct option longopts[] = {
		{ "alpha", required_argument, NULL, 'a' },
		{ "by-file", no_argument, NULL, 'f' },
		{ "confidence", required_argument, NULL, 'c' },
		{ "det-min-effect", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ "ignore", required_argument, NULL, 'i' },
		{ "kernels", no_argument, NULL, 'k' },
		{ "max-noise", required_argument, NULL, 'n' },
		{ "min-effect", required_argument, NULL, 'e' },
		{ "min-runs", required_argument, NULL, 'm' },
		{ "tsv", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	char **operands;
	size_t noperands;
	double d;
	int opt;

	optind = 1;
	opterr = 1;
	while ((opt = getopt_long(argc, argv, "a:c:e:fhi:km:n:t:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			if (cli_number("compare", "--alpha", optarg, 1e-12, 0.5, 0, &o->par.alpha))
				return -EINVAL;
			break;
		case 'c':
			if (cli_number("compare", "--confidence", optarg, 0.5, 0.9999, 0, &o->par.conf))
				return -EINVAL;
			break;
		case 'D':
			if (cli_number("compare", "--det-min-effect", optarg, 0, 1000, CLI_PERCENT, &d))
				return -EINVAL;
			o->det_min_effect = d / 100;
			break;
		case 'e':
			if (cli_number("compare", "--min-effect", optarg, 0, 1000, CLI_PERCENT, &d))
				return -EINVAL;
			o->par.min_effect = d / 100;
			break;
		case 'f':
			o->by_file = 1;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case 'i':
			if (drmb_ignore_add(&o->ig, optarg))
				return -EINVAL;
			break;
		case 'k':
			o->kernels = 1;
			break;
		case 'm':
			if (cli_number("compare", "--min-runs", optarg, 1, 1e6, CLI_INTEGER, &d))
				return -EINVAL;
			o->par.min_runs = (size_t)d;
			break;
		case 'n':
			if (cli_number("compare", "--max-noise", optarg, 0, 1000, 0, &d))
				return -EINVAL;
			o->max_noise = d / 100;
			break;
		case 't':
			o->tsv = optarg;
			break;
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (o->kernels && drmb_ignore_add(&o->ig, KERNEL_KEYS))
		return -EINVAL;
	operands = argv + optind;
	noperands = (size_t)(argc - optind);
	o->old_paths = operands;
	o->nold = noperands;
	for (size_t i = 0; i < noperands; i++) {
		if (!strcmp(operands[i], "vs")) {
			o->nold = i;
			break;
		}
	}
	if (o->nold == noperands) {
		if (noperands != 2) {
			fprintf(stderr, "drmbench compare: want OLD NEW, or OLD... vs NEW... (got %zu operands)\n",
				noperands);
			usage(stderr);
			return -EINVAL;
		}
		o->nold = 1;
		o->new_paths = operands + 1;
		o->nnew = 1;
	} else {
		o->new_paths = operands + o->nold + 1;
		o->nnew = noperands - o->nold - 1;
	}
	if (!o->nold || !o->nnew) {
		fprintf(stderr, "drmbench compare: %s side of 'vs' is empty\n", o->nold ? "NEW" : "OLD");
		return -EINVAL;
	}
	return 0;
}

/* What differed between the sides without comparing: one kind per diff. */
struct refusal {
	char diff[600], keys[300], example[700];
	size_t count;
};

/* The comparison, done: everything print_compare needs. */
struct compare {
	struct side old, new;
	struct row *rows;
	size_t nrows, only_old, only_new, only_unit, refused, ndet;
	struct refusal refusals[MAX_REFUSAL_KINDS];
	size_t nrefusals;
	struct env_check ec;
	int regression;
};

/* A row refused for what differs in its comparable keys, grouped by kind. */
static void refuse_row(struct compare *c, const struct drmb_series *o, const struct drmb_series *n)
{
	char a[300], b[300], diff[600], keys[300];
	size_t g;

	drmb_sig_diff(o->sig, n->sig, diff, sizeof(diff));
	drmb_sig_diff_keys(o->sig, n->sig, keys, sizeof(keys));
	for (g = 0; g < c->nrefusals && strcmp(c->refusals[g].diff, diff); g++)
		;
	if (g == c->nrefusals && g < MAX_REFUSAL_KINDS) {
		struct refusal *r = &c->refusals[g];

		snprintf(r->diff, sizeof(r->diff), "%s", diff);
		snprintf(r->keys, sizeof(r->keys), "%s", keys);
		snprintf(r->example, sizeof(r->example), "%s (%s) at %s and %s",
			 o->name, o->unit, where(&c->old.rs, &o->pts[0], a, sizeof(a)),
			 where(&c->new.rs, &n->pts[0], b, sizeof(b)));
		c->nrefusals++;
	}
	if (g < c->nrefusals)
		c->refusals[g].count++;
	c->refused++;
}

/* One row: OLD series o against NEW series n.  0 or -ENOMEM. */
static int compare_row(struct compare *c, const struct compare_opts *opt,
		       const struct drmb_series *o, const struct drmb_series *n)
{
	struct row *r = &c->rows[c->nrows++];
	char a[300];
	double *x, *y;

	r->old = o;
	r->new = n;
	r->dir = drmb_unit_direction(o->unit);
	r->deterministic = series_key(&c->old.rs, o, "icount") && series_key(&c->new.rs, n, "icount");
	x = values_of(o);
	y = values_of(n);
	if (!x || !y) {
		free(x);
		free(y);
		return -ENOMEM;
	}
	for (size_t k = 0; k < o->n && !r->why[0]; k++)
		if (!(x[k] > 0))
			snprintf(r->why, sizeof(r->why), "value %g at %s: ratio undefined",
				 x[k], where(&c->old.rs, &o->pts[k], a, sizeof(a)));
	for (size_t k = 0; k < n->n && !r->why[0]; k++)
		if (!(y[k] > 0))
			snprintf(r->why, sizeof(r->why), "value %g at %s: ratio undefined",
				 y[k], where(&c->new.rs, &n->pts[k], a, sizeof(a)));
	if (!r->why[0]) {
		size_t nx = opt->by_file ? per_file_medians(o, x) : o->n;
		size_t ny = opt->by_file ? per_file_medians(n, y) : n->n;
		int ret = drmb_compare_runs(x, nx, y, ny, &opt->par, &r->c);
		if (ret == -ENOMEM) {
			free(x);
			free(y);
			return ret;
		}
		r->have_cmp = !ret;
		if (ret)
			snprintf(r->why, sizeof(r->why), "cannot compare: %s", strerror(-ret));
	}
	if (r->dir == DRMB_DIRECTION_UNKNOWN && !r->why[0])
		snprintf(r->why, sizeof(r->why), "unit '%s' has no known direction (%s)", o->unit,
			 where(&c->old.rs, &o->pts[0], a, sizeof(a)));
	free(x);
	free(y);
	return 0;
}

/* Benjamini-Hochberg across the rows, then each row's verdict. */
static int decide_rows(struct compare *c, const struct compare_opts *opt)
{
	double *p = malloc((c->nrows ? c->nrows : 1) * sizeof(*p));

	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < c->nrows; i++)
		p[i] = c->rows[i].have_cmp ? c->rows[i].c.p : NAN;
	if (drmb_bh_adjust(p, c->nrows, p)) {
		free(p);
		return -ENOMEM;
	}
	for (size_t i = 0; i < c->nrows; i++) {
		struct row *r = &c->rows[i];
		struct drmb_cmp_params rpar = opt->par;
		if (!r->have_cmp)
			continue;
		r->c.p_adj = p[i];
		rpar.min_effect = r->min_effect =
			row_min_effect(&r->c, r->deterministic, &opt->par, opt->det_min_effect);
		drmb_decide(&r->c, r->dir, &rpar);
		r->noisy = opt->max_noise > 0 && r->c.noise > opt->max_noise;
		if (r->deterministic) {
			char note[64];
			c->ndet++;
			snprintf(note, sizeof(note), "%sdeterministic: min effect %.3g%%",
				 r->why[0] ? "; " : "", r->min_effect * 100);
			strncat(r->why, note, sizeof(r->why) - strlen(r->why) - 1);
		}
		if (c->ec.changed && (r->c.verdict == DRMB_REGRESSION ||
				      r->c.verdict == DRMB_IMPROVEMENT)) {
			r->c.verdict = DRMB_UNKNOWN;
			r->env_changed = 1;
			strncat(r->why, r->why[0] ? "; environment changed" : "environment changed",
				sizeof(r->why) - strlen(r->why) - 1);
		}
		if (r->c.verdict == DRMB_REGRESSION && !r->noisy)
			c->regression = 1;
	}
	free(p);
	return 0;
}

/*
 * Reads both sides, pairs their series, compares and decides.  0, or
 * -errno with the reason printed; -ENODATA when no row could be paired.
 */
static int do_compare(struct compare *c, const struct compare_opts *opt)
{
	const char *warned = NULL;	/* the last benchmark named only on one side */
	int ret;

	if (load_side(&c->old, opt->old_paths, opt->nold, &opt->ig) ||
	    load_side(&c->new, opt->new_paths, opt->nnew, &opt->ig))
		return -EINVAL;
	c->rows = calloc(c->old.rs.nseries + 1, sizeof(*c->rows));
	if (!c->rows)
		return -ENOMEM;
	for (size_t i = 0; i < c->old.rs.nseries; i++) {
		const struct drmb_series *o = &c->old.rs.series[i], *n;
		char a[300];
		if (is_env_unit(o->unit))
			continue;	/* the environment check's, below */
		n = find_sorted(&c->new, o);
		if (!n && has_name(&c->new, o)) {
			/* e.g. ns/op of a case whose runs were cut short of a p50 */
			if (c->only_unit++ < 5)
				fprintf(stderr, "drmbench compare: warning: %s has %s only in OLD (%s), not compared\n",
					o->name, o->unit, where(&c->old.rs, &o->pts[0], a, sizeof(a)));
			continue;
		}
		if (!n) {
			/* one warning per benchmark, not per unit of it */
			if ((!warned || strcmp(warned, o->name)) && c->only_old++ < 5)
				fprintf(stderr, "drmbench compare: warning: %s only in OLD (%s), not compared\n",
					o->name, where(&c->old.rs, &o->pts[0], a, sizeof(a)));
			warned = o->name;
			continue;
		}
		if (strcmp(o->sig, n->sig)) {
			refuse_row(c, o, n);
			continue;
		}
		ret = compare_row(c, opt, o, n);
		if (ret)
			return ret;
	}
	warned = NULL;
	for (size_t i = 0; i < c->new.rs.nseries; i++) {
		const struct drmb_series *n = &c->new.rs.series[i];
		char a[300];
		if (is_env_unit(n->unit) || find_sorted(&c->old, n) ||
		    (warned && !strcmp(warned, n->name)))
			continue;
		if (has_name(&c->old, n)) {
			if (c->only_unit++ < 5)
				fprintf(stderr, "drmbench compare: warning: %s has %s only in NEW (%s), not compared\n",
					n->name, n->unit, where(&c->new.rs, &n->pts[0], a, sizeof(a)));
			continue;
		}
		warned = n->name;
		if (c->only_new++ < 5)
			fprintf(stderr, "drmbench compare: warning: %s only in NEW (%s), not compared\n",
				n->name, where(&c->new.rs, &n->pts[0], a, sizeof(a)));
	}
	if (!c->nrows)
		return -ENODATA;
	/* The environment first: what the rows say depends on it. */
	ret = env_check(&c->old, &c->new, opt->by_file, opt->kernels, &opt->par,
			opt->det_min_effect, &c->ec);
	return ret ? ret : decide_rows(c, opt);
}

/* Refusals and counts of what was not compared, to stderr. */
static void print_not_compared(const struct compare *c)
{
	size_t shown = 0;

	if (c->only_old > 5 || c->only_new > 5)
		fprintf(stderr, "drmbench compare: warning: %zu benchmarks only in OLD, %zu only in NEW\n",
			c->only_old, c->only_new);
	if (c->only_unit > 5)
		fprintf(stderr, "drmbench compare: warning: %zu units of benchmarks on both sides only on one side\n",
			c->only_unit);
	for (size_t g = 0; g < c->nrefusals; g++) {
		const struct refusal *r = &c->refusals[g];

		fprintf(stderr,
			"drmbench compare: %zu benchmark/unit pair%s not compared, measured differently: %s;\n"
			"  e.g. %s; pass --ignore %s if that is intended\n",
			r->count, r->count == 1 ? "" : "s", r->diff, r->example, r->keys);
		shown += r->count;
	}
	if (c->refused > shown)
		fprintf(stderr, "drmbench compare: %zu more pairs not compared for other differences\n",
			c->refused - shown);
}

/*
 * --kernels: the keys let go and their values on each side (the first
 * file's; "(unset)" where a side has none), so what differed is on record.
 */
static void print_let_go(FILE *out, const struct compare *c)
{
	char keys[] = KERNEL_KEYS, *save = NULL;

	fprintf(out, "kernels compared: keys let go (allowed to differ):\n");
	for (char *k = strtok_r(keys, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
		const char *o = c->old.rs.nfiles ?
				drmb_result_config(&c->old.rs.files[0], NULL, k) : NULL;
		const char *n = c->new.rs.nfiles ?
				drmb_result_config(&c->new.rs.files[0], NULL, k) : NULL;

		if (!o && !n)
			fprintf(out, "  %-16s (unset on both sides)\n", k);
		else if (o && n && !strcmp(o, n))
			fprintf(out, "  %-16s %s (same)\n", k, o);
		else
			fprintf(out, "  %-16s OLD %s, NEW %s\n", k, o ? o : "(unset)", n ? n : "(unset)");
	}
	fprintf(out, "\n");
}

static void print_env_warnings(const struct env_check *ec)
{
	for (int k = 0; k < 2; k++)
		if (!ec->have[k])
			fprintf(stderr, "drmbench compare: no canary on %s: environment not checked\n",
				k ? "NEW" : "OLD");
	if (ec->have[0] && ec->have[1] && ec->def[0] && ec->def[1] && strcmp(ec->def[0], ec->def[1]))
		fprintf(stderr, "drmbench compare: the canaries were measured differently (canary: %s vs %s): environment not checked\n",
			ec->def[0], ec->def[1]);
	if (ec->changed)
		fprintf(stderr, "drmbench compare: ENVIRONMENT CHANGED: canary %+.2f%% (p=%.3g, n=%zu+%zu), spread x%.2f (p=%.3g); no REGRESSION or IMPROVEMENT handed out\n",
			(ec->c.ratio - 1) * 100, ec->c.p, ec->c.n_old, ec->c.n_new,
			ec->spread.ratio, ec->spread.p);
}

/* The table (or the TSV on stdout) and the TSV file.  0 or -errno. */
static int print_compare(const struct compare *c, const struct compare_opts *opt)
{
	const char *unit_word = opt->by_file ? "files" : "runs";
	FILE *env_out = opt->tsv && !strcmp(opt->tsv, "-") ? stderr : stdout;
	char ol[32], nl[32];

	print_env_warnings(&c->ec);
	if (opt->kernels)
		print_let_go(env_out, c);
	print_env(env_out, &c->ec, &c->old, &c->new, unit_word);
	if (env_out == stderr)
		return write_tsv(stdout, c->rows, c->nrows);
	if (c->ndet)
		printf("deterministic rows (icount on both sides): %zu, each judged by the larger of\n"
		       "%.3g%% (--det-min-effect) and %.0f x its noise instead of --min-effect\n\n",
		       c->ndet, opt->det_min_effect * 100, DRMB_DET_NOISE_K);
	snprintf(ol, sizeof(ol), "OLD (%zu files)", c->old.rs.nfiles);
	snprintf(nl, sizeof(nl), "NEW (%zu files)", c->new.rs.nfiles);
	if (print_table(c->rows, c->nrows, &opt->par, ol, nl, unit_word, opt->kernels))
		return -ENOMEM;
	if (opt->tsv) {
		FILE *f = fopen(opt->tsv, "w");
		int bad;

		if (!f) {
			fprintf(stderr, "drmbench compare: %s: %s\n", opt->tsv, strerror(errno));
			return -EIO;
		}
		bad = write_tsv(f, c->rows, c->nrows);
		if (fclose(f) || bad) {
			fprintf(stderr, "drmbench compare: %s: write error\n", opt->tsv);
			return -EIO;
		}
	}
	return 0;
}

int cmd_compare(int argc, char **argv)
{
	struct compare_opts opt = {
		.par = DRMB_CMP_PARAMS_DEFAULT,
		.det_min_effect = DRMB_DET_MIN_EFFECT_DEFAULT,
	};
	struct compare c = { .old = { .label = "OLD" }, .new = { .label = "NEW" } };
	int status = EXIT_USAGE, ret;

	ret = parse_args(argc, argv, &opt);
	if (ret) {
		status = ret > 0 ? 0 : EXIT_USAGE;
		goto out;
	}
	ret = do_compare(&c, &opt);
	if (ret != -EINVAL)
		print_not_compared(&c);
	if (ret == -ENODATA && !c.refused)
		fprintf(stderr, "drmbench compare: no benchmark appears on both sides: nothing to compare\n");
	if (ret)
		goto out;
	if (print_compare(&c, &opt))
		goto out;
	if (fflush(stdout)) {
		fprintf(stderr, "drmbench compare: write error on stdout\n");
		goto out;
	}
	/*
	 * A changed environment says the verdicts cannot be had; a regression
	 * among the comparable rows says more than the refusals.
	 */
	status = c.ec.changed ? EXIT_ENV_CHANGED : c.regression ? EXIT_REGRESSION :
		 c.refused ? EXIT_USAGE : 0;
out:
	free(c.rows);
	free(c.old.sorted);
	free(c.new.sorted);
	drmb_resultset_free(&c.old.rs);
	drmb_resultset_free(&c.new.rs);
	drmb_ignore_free(&opt.ig);
	return status;
}
