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

#endif
