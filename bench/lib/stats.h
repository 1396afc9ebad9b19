/* SPDX-License-Identifier: MIT */
/*
 * drmbench statistics: per-run summaries and the comparison of two sets of
 * runs.  Every method, its definition and its source is documented once, in
 * stats.c; docs/statistics.md explains how the tools use them.
 *
 * All functions are pure computations: they return 0 / a value, -errno, or
 * NaN for "not defined for this input", never print and never exit.
 */
#ifndef DRMB_STATS_H
#define DRMB_STATS_H

#include <stddef.h>
#include <stdint.h>

/* ---- per-run summaries ------------------------------------------------- */

/*
 * Which fields of drmb_summary are valid: a quantile q only when
 * n >= 100/(1-q) (statistics.md), i.e. p50 from 200 samples, p90 from 1000,
 * p99 from 10000, p99.9 from 100000.  Invalid quantile fields hold NaN.
 */
enum { DRMB_HAVE_P50 = 1, DRMB_HAVE_P90 = 2, DRMB_HAVE_P99 = 4, DRMB_HAVE_P999 = 8 };
/* The fewest samples a p50 is given from. */
enum { DRMB_P50_MIN_SAMPLES = 200 };

struct drmb_summary {
	size_t n;
	double min, max, mean, mad, p50, p90, p99, p999;
	unsigned int have;
};

/*
 * Sorts samples in place (ns, uint64). Returns 0, or -EINVAL when n == 0.
 * MAD = median(|x - median|), unscaled.  min, max, mean and mad are valid
 * for every n >= 1; quantiles as said by have.  O(n log n), no allocation.
 */
int drmb_summarize_u64(uint64_t *samples, size_t n, struct drmb_summary *out);

/* Hyndman-Fan type 7 quantile (R's default) of sorted[0..n); NaN if n == 0. */
double drmb_quantile_sorted_u64(const uint64_t *sorted, size_t n, double q);
double drmb_quantile_sorted_double(const double *sorted, size_t n, double q);

/* Median (type 7, i.e. mean of the two middle values when n is even); sorts v in place. NaN if n == 0. */
double drmb_median_double(double *v, size_t n);

/* Sort helpers (ascending, in place, no allocation). */
void drmb_sort_u64(uint64_t *v, size_t n);
void drmb_sort_double(double *v, size_t n);

/*
 * Run-to-run noise: 1.4826 * MAD of ln(values), as a fraction (0.03 = 3%).
 * NaN for n < 2, a non-positive or non-finite value, or no memory.
 */
double drmb_log_mad_noise(const double *values, size_t n);

/* ---- comparison of two samples of per-run values (statistics.md) -------- */

/* Mann-Whitney U test, two-sided. */
struct drmb_mw {
	double u;		/* U statistic of the first sample: #(x > y) + #(x == y)/2 */
	double p;		/* two-sided p-value */
	int exact;		/* 1: exact null distribution; 0: normal approximation */
};
int drmb_mann_whitney(const double *x, size_t n, const double *y, size_t m,
		      struct drmb_mw *out);

/*
 * Hodges-Lehmann shift estimate of y - x (median of all m*n differences
 * y_j - x_i) with its distribution-free confidence interval (Sen/Deshpande
 * order statistics of the sorted differences, exact Mann-Whitney quantiles
 * for small samples, normal approximation otherwise).  conf is e.g. 0.95.
 * On ln-values, exp() of these is the ratio new/old and its CI.
 */
struct drmb_hl {
	double shift, lo, hi;
	double achieved_conf;	/* the coverage the chosen order statistics give */
};
int drmb_hodges_lehmann(const double *x, size_t n, const double *y, size_t m,
			double conf, struct drmb_hl *out);

/*
 * Median with a distribution-free CI from order statistics of a sorted
 * sample (binomial(n, 1/2), as benchstat does): the widest interval with
 * coverage >= conf is narrowed to the narrowest with coverage >= conf.
 * When n is too small for any interval to reach conf, lo/hi are NaN.
 */
struct drmb_median_ci {
	double median, lo, hi;
	double achieved_conf;
};
int drmb_median_ci_sorted(const double *sorted, size_t n, double conf,
			  struct drmb_median_ci *out);

/*
 * Benjamini-Hochberg step-up adjusted p-values (R's p.adjust "BH"):
 * adj[i] = min_{k >= rank(i)} min(1, p_(k) * N / k).  NaN p-values are left
 * out of N and stay NaN.  adj may alias p.  -ENOMEM possible.
 */
int drmb_bh_adjust(const double *p, size_t n, double *adj);

/* Exact two-sided Mann-Whitney p-value for U with sizes n, m, no ties. */
double drmb_mw_exact_p(double u, size_t n, size_t m);
/* Cumulative null distribution P(U <= u) for sizes n, m without ties. */
double drmb_mw_exact_cdf(long u, size_t n, size_t m);

/* The largest sizes for which the exact distribution is used (as R: < 50 each). */
#define DRMB_MW_EXACT_MAX 49

/*
 * Did the spread of two samples change?  On ln values: each side's absolute
 * deviations from its own median, compared by Mann-Whitney (the rank form
 * of Brown & Forsythe's test on deviations from the median), and the ratio
 * of the two sides' 1.4826 MAD (new / old; 1 when both are 0, inf when only
 * the old one is).  Values must be > 0.  -EINVAL below 2 a side, -ENOMEM.
 */
struct drmb_spread {
	double old_noise, new_noise;	/* 1.4826 MAD of ln, fractions */
	double ratio;			/* new_noise / old_noise */
	double p;			/* two-sided Mann-Whitney p of the deviations */
};
int drmb_spread_compare(const double *x, size_t n, const double *y, size_t m,
			struct drmb_spread *out);

/* ---- verdicts ----------------------------------------------------------- */

enum drmb_verdict {
	DRMB_SAME,		/* no significant change, or a change below the threshold */
	DRMB_IMPROVEMENT,
	DRMB_REGRESSION,
	DRMB_UNKNOWN,		/* too few runs or too noisy to decide */
};
const char *drmb_verdict_name(enum drmb_verdict v);

struct drmb_cmp_params {
	double min_effect;	/* fraction, default 0.02 (2%) */
	double alpha;		/* on BH-adjusted p, default 0.01 */
	double conf;		/* CI coverage, default 0.95 */
	size_t min_runs;	/* per side to decide at all, default 3 */
};
#define DRMB_CMP_PARAMS_DEFAULT { .min_effect = 0.02, .alpha = 0.01, .conf = 0.95, .min_runs = 3 }

/* One benchmark+unit: old runs x, new runs y (raw per-run values, > 0). */
struct drmb_cmp {
	size_t n_old, n_new;
	struct drmb_median_ci old, new;
	double ratio, ratio_lo, ratio_hi;	/* HL ratio new/old with its CI; NaN if not computable */
	double p;				/* Mann-Whitney two-sided p, NaN if not computable */
	int p_exact;
	double p_adj;				/* after BH across all rows (set by the caller) */
	double noise;				/* max of both sides' 1.4826*MAD(ln x) */
	enum drmb_verdict verdict;
	size_t more_runs;			/* for UNKNOWN: suggested runs per side in total */
};
/* Fills everything except p_adj and verdict.  -EINVAL for non-positive/non-finite input. */
int drmb_compare_runs(const double *x, size_t n, const double *y, size_t m,
		      const struct drmb_cmp_params *par, struct drmb_cmp *out);
/*
 * Verdict from p_adj and the ratio.  higher_is_better flips which direction
 * is a regression.  Sets verdict and more_runs.
 */
void drmb_decide(struct drmb_cmp *c, int higher_is_better,
		 const struct drmb_cmp_params *par);

/*
 * The minimum effect of a deterministic row (virtual time, icount on both
 * sides): max(floor, DRMB_DET_NOISE_K x noise), noise being the row's
 * 1.4826 MAD of ln per-run values (NaN: the floor alone).  Both are
 * fractions; docs/statistics.md says why 3 and 0.25%.
 */
#define DRMB_DET_NOISE_K 3.0
#define DRMB_DET_MIN_EFFECT_DEFAULT 0.0025
double drmb_det_min_effect(double noise, double floor);

/*
 * splitmix64 (Steele, Lea & Flood 2014): the next value of a seeded,
 * portable pseudo-random sequence whose state is *s; the permutation test
 * of the change points and the statistics benchmarks share it.
 */
uint64_t drmb_splitmix64(uint64_t *s);

/* ---- change points ------------------------------------------------------ */

struct drmb_cpd_params {
	size_t window;		/* points per detection window, default 50 */
	size_t min_segment;	/* default 5 */
	double alpha;		/* on the permutation p of each split, default 0.001 */
	double min_step;	/* smallest step between adjacent segment medians, fraction, default 0.01 */
	size_t permutations;	/* P; 0: max(999, ceil(1/alpha) - 1), see drmb_cpd_permutations */
};
#define DRMB_CPD_PARAMS_DEFAULT { .window = 50, .min_segment = 5, .alpha = 0.001, .min_step = 0.01 }

/*
 * The number of permutations P a split is tested with under par.  More than
 * DRMB_CPD_MAX_PERMUTATIONS (alpha below 1e-6 without an explicit P) is
 * refused by drmb_edivisive with -EINVAL: a change point would cost too much.
 */
size_t drmb_cpd_permutations(const struct drmb_cpd_params *par);
#define DRMB_CPD_MAX_PERMUTATIONS 1000000

struct drmb_change_point {
	size_t index;		/* first point of the new segment */
	double q;		/* energy statistic between the adjacent segments */
	double p;		/* permutation p of the split, (1 + #permuted max Q >= Q) / (1 + P) */
	double before, after;	/* medians of the adjacent segments */
	size_t permutations;	/* P */
};

/*
 * E-Divisive change points of series v[0..n) (Matteson & James 2014, as in
 * Otava/MongoDB's signal processing and Chromium's dashboard): recursive
 * bisection at argmax of the energy statistic Q (each side limited to
 * window/2 points), each split kept when a permutation test of the whole
 * search gives p <= alpha (deterministic: seeded from the values).  Then
 * change points whose adjacent segment medians differ by less than
 * min_step are merged away, smallest first.  Writes up to max_cp points
 * sorted by index; returns how many, or -errno (-EINVAL for a non-finite
 * value or bad parameters).
 */
int drmb_edivisive(const double *v, size_t n, const struct drmb_cpd_params *par,
		   struct drmb_change_point *cp, size_t max_cp);

/*
 * One-sided upper confidence bound on a binomial rate after x events in n
 * trials (Clopper-Pearson): the p with P(Binomial(n, p) <= x) = 1 - conf.
 * With x = 0 and conf 0.95 it is 1 - 0.05^(1/n) ~ 3/n, the rule of three.
 * NaN for n == 0, x > n or conf outside (0, 1).
 */
double drmb_binom_upper(size_t x, size_t n, double conf);

#endif
