// SPDX-License-Identifier: MIT
/*
 * drmbench statistics, all in one file.  Each method names its definition
 * and source; docs/statistics.md says how the tools combine them and
 * /work/shared/docs/statistics.md (the project's method note) says why.
 *
 * Sources:
 *  [HF96]  R. J. Hyndman, Y. Fan, "Sample quantiles in statistical
 *          packages", The American Statistician 50(4), 1996 (type 7 = R's
 *          default quantile()).
 *  [HR09]  P. J. Huber, E. M. Ronchetti, "Robust Statistics", 2nd ed. 2009:
 *          MAD and the 1.4826 = 1/Phi^-1(3/4) consistency constant.
 *  [MW47]  H. B. Mann, D. R. Whitney, "On a test of whether one of two random
 *          variables is stochastically larger than the other", Ann. Math.
 *          Statist. 18, 1947.
 *  [HL63]  J. L. Hodges, E. L. Lehmann, "Estimates of location based on rank
 *          tests", Ann. Math. Statist. 34, 1963.
 *  [HWC14] M. Hollander, D. A. Wolfe, E. Chicken, "Nonparametric Statistical
 *          Methods", 3rd ed. 2014, sections 4.1-4.3: Mann-Whitney with ties
 *          (average ranks, tie-corrected variance) and the distribution-free
 *          CI for the shift from order statistics of the m*n differences
 *          (the Moses/Sen form; Deshpande et al. give the same interval).
 *  [BH95]  Y. Benjamini, Y. Hochberg, "Controlling the false discovery rate",
 *          JRSS B 57, 1995.
 *  [MJ14]  D. S. Matteson, N. A. James, "A nonparametric approach for multiple
 *          change point analysis of multivariate data", JASA 109, 2014
 *          (E-Divisive, energy statistic with alpha = 1).
 *  benchstat (golang.org/x/perf/benchstat): median with a CI from order
 *          statistics of the binomial(n, 1/2) distribution.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* ---- sorting -------------------------------------------------------------
 *
 * Introsort (Musser 1997): quicksort with median-of-three pivots, insertion
 * sort below 16 elements and heapsort when the recursion gets too deep, so
 * it is O(n log n) in the worst case, in place and without allocation.
 * Typed rather than qsort() because the comparator call dominates qsort()
 * on millions of 8-byte keys.  NaN sorts as "not less than" anything, so it
 * cannot break termination, but callers reject NaN before sorting.
 */
#define DRMB_DEFINE_SORT(NAME, T)						\
static void NAME##_insertion(T *v, size_t n)				\
{									\
	for (size_t i = 1; i < n; i++) {				\
		T x = v[i];						\
		size_t j = i;						\
		while (j > 0 && x < v[j - 1]) {				\
			v[j] = v[j - 1];				\
			j--;						\
		}							\
		v[j] = x;						\
	}								\
}									\
static void NAME##_sift(T *v, size_t root, size_t n)			\
{									\
	T x = v[root];							\
	for (;;) {							\
		size_t child = 2 * root + 1;				\
		if (child >= n)						\
			break;						\
		if (child + 1 < n && v[child] < v[child + 1])		\
			child++;					\
		if (!(x < v[child]))					\
			break;						\
		v[root] = v[child];					\
		root = child;						\
	}								\
	v[root] = x;							\
}									\
static void NAME##_heap(T *v, size_t n)					\
{									\
	for (size_t i = n / 2; i-- > 0;)				\
		NAME##_sift(v, i, n);					\
	for (size_t end = n; end-- > 1;) {				\
		T t = v[0]; v[0] = v[end]; v[end] = t;			\
		NAME##_sift(v, 0, end);					\
	}								\
}									\
static void NAME##_intro(T *v, size_t n, unsigned int depth)		\
{									\
	while (n > 16) {						\
		if (depth-- == 0) {					\
			NAME##_heap(v, n);				\
			return;						\
		}							\
		size_t mid = n / 2, last = n - 1;			\
		T t;							\
		/* median of three into v[mid], v[0] <= v[mid] <= v[last] */ \
		if (v[mid] < v[0]) { t = v[mid]; v[mid] = v[0]; v[0] = t; } \
		if (v[last] < v[mid]) { t = v[last]; v[last] = v[mid]; v[mid] = t; } \
		if (v[mid] < v[0]) { t = v[mid]; v[mid] = v[0]; v[0] = t; } \
		T pivot = v[mid];					\
		size_t i = 0, j = last;					\
		/* Hoare partition; the sentinels v[0], v[last] bound the scans */ \
		for (;;) {						\
			while (v[i] < pivot)				\
				i++;					\
			while (pivot < v[j])				\
				j--;					\
			if (i >= j)					\
				break;					\
			t = v[i]; v[i] = v[j]; v[j] = t;		\
			i++;						\
			j--;						\
		}							\
		/* [0, j] <= pivot <= [j + 1, n); recurse on the smaller side */ \
		size_t left = j + 1, right = n - left;			\
		if (left < right) {					\
			NAME##_intro(v, left, depth);			\
			v += left;					\
			n = right;					\
		} else {						\
			NAME##_intro(v + left, right, depth);		\
			n = left;					\
		}							\
	}								\
	NAME##_insertion(v, n);						\
}									\
void NAME(T *v, size_t n)						\
{									\
	unsigned int depth = 0;						\
	for (size_t k = n; k > 1; k >>= 1)				\
		depth += 2;						\
	NAME##_intro(v, n, depth);					\
}

DRMB_DEFINE_SORT(drmb_sort_u64, uint64_t)
DRMB_DEFINE_SORT(drmb_sort_double, double)

/* ---- quantiles -----------------------------------------------------------
 *
 * Hyndman-Fan type 7 [HF96], R's and NumPy's default: with h = (n-1)q,
 * Q(q) = x[floor(h)] + (h - floor(h)) (x[floor(h)+1] - x[floor(h)]),
 * 0-based.  Q(0) = min, Q(1) = max, Q(0.5) = the usual median.  Chosen
 * because it is what R (the independent reference in the tests), NumPy and
 * gnuplot's users expect, and it is continuous in q.
 */
#define DRMB_QUANTILE_TYPE7(sorted, n, q) do {				\
	if ((n) == 0 || !(q >= 0 && q <= 1))				\
		return NAN;						\
	double h = (double)((n) - 1) * (q);				\
	size_t lo = (size_t)h;						\
	if (lo >= (n) - 1)						\
		return (double)(sorted)[(n) - 1];			\
	double frac = h - (double)lo;					\
	double a = (double)(sorted)[lo], b = (double)(sorted)[lo + 1];	\
	return a + frac * (b - a);					\
} while (0)

double drmb_quantile_sorted_u64(const uint64_t *sorted, size_t n, double q)
{
	DRMB_QUANTILE_TYPE7(sorted, n, q);
}

double drmb_quantile_sorted_double(const double *sorted, size_t n, double q)
{
	DRMB_QUANTILE_TYPE7(sorted, n, q);
}

double drmb_median_double(double *v, size_t n)
{
	drmb_sort_double(v, n);
	return drmb_quantile_sorted_double(v, n, 0.5);
}

/*
 * Median of |x - med| for sorted x without a scratch buffer: the deviations
 * left of the median, read from the middle outwards, and those right of it,
 * read from the middle outwards, are two ascending sequences; merging them
 * for n/2 + 1 steps yields the middle order statistics in O(n).
 */
static double mad_sorted_u64(const uint64_t *x, size_t n, double med)
{
	/* left: indices l, l-1, ... 0 (x <= med); right: r, r+1, ... n-1 */
	size_t r = 0;
	while (r < n && (double)x[r] < med)
		r++;
	long l = (long)r - 1;
	size_t want_hi = n / 2, want_lo = (n - 1) / 2;	/* 0-based ranks of the middle */
	double lo_val = 0, d = 0;

	for (size_t k = 0; k <= want_hi; k++) {
		double dl = l >= 0 ? med - (double)x[l] : INFINITY;
		double dr = r < n ? (double)x[r] - med : INFINITY;
		if (dl <= dr) {
			d = dl;
			l--;
		} else {
			d = dr;
			r++;
		}
		if (k == want_lo)
			lo_val = d;
	}
	return (lo_val + d) / 2;
}

int drmb_summarize_u64(uint64_t *samples, size_t n, struct drmb_summary *out)
{
	/* quantile q only from n >= 100 / (1 - q) samples (statistics.md) */
	static const struct {
		double q;
		size_t min_n;
		unsigned int bit;
		size_t field;
	} quantiles[] = {
		{ 0.5, 200, DRMB_HAVE_P50, offsetof(struct drmb_summary, p50) },
		{ 0.9, 1000, DRMB_HAVE_P90, offsetof(struct drmb_summary, p90) },
		{ 0.99, 10000, DRMB_HAVE_P99, offsetof(struct drmb_summary, p99) },
		{ 0.999, 100000, DRMB_HAVE_P999, offsetof(struct drmb_summary, p999) },
	};
	uint64_t sum_lo = 0, sum_hi = 0;

	if (n == 0 || !samples || !out)
		return -EINVAL;

	drmb_sort_u64(samples, n);

	/* exact 128-bit sum: millions of samples of seconds each cannot overflow */
	for (size_t i = 0; i < n; i++) {
		sum_lo += samples[i];
		sum_hi += sum_lo < samples[i];
	}

	memset(out, 0, sizeof(*out));
	out->n = n;
	out->min = (double)samples[0];
	out->max = (double)samples[n - 1];
	out->mean = ((double)sum_hi * 18446744073709551616.0 + (double)sum_lo) / (double)n;

	double med = drmb_quantile_sorted_u64(samples, n, 0.5);
	out->mad = mad_sorted_u64(samples, n, med);

	for (size_t i = 0; i < sizeof(quantiles) / sizeof(quantiles[0]); i++) {
		double *field = (double *)((char *)out + quantiles[i].field);
		if (n >= quantiles[i].min_n) {
			*field = drmb_quantile_sorted_u64(samples, n, quantiles[i].q);
			out->have |= quantiles[i].bit;
		} else {
			*field = NAN;
		}
	}
	return 0;
}

/*
 * Run-to-run noise as a robust relative spread [HR09]: 1.4826 * MAD of
 * ln(x) estimates the standard deviation of ln(x) for normal data, and for
 * small spreads sd(ln x) ~ sd(x)/mean(x), so 0.03 reads as "3%".
 */
double drmb_log_mad_noise(const double *values, size_t n)
{
	double *lx, med, noise;

	if (n < 2 || !values)
		return NAN;
	lx = malloc(n * sizeof(*lx));
	if (!lx)
		return NAN;
	for (size_t i = 0; i < n; i++) {
		if (!(values[i] > 0) || !isfinite(values[i])) {
			free(lx);
			return NAN;
		}
		lx[i] = log(values[i]);
	}
	med = drmb_median_double(lx, n);
	for (size_t i = 0; i < n; i++)
		lx[i] = fabs(lx[i] - med);
	noise = 1.4826 * drmb_median_double(lx, n);
	free(lx);
	return noise;
}
