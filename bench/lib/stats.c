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
 *          (E-Divisive, energy statistic with alpha = 1, and its
 *          permutation test of each split).
 *  [BC91]  J. Besag, P. Clifford, "Sequential Monte Carlo p-values",
 *          Biometrika 78, 1991 (stopping the permutations early).
 *  [SLF14] G. L. Steele, D. Lea, C. H. Flood, "Fast splittable
 *          pseudorandom number generators", OOPSLA 2014 (splitmix64).
 *  [CP34]  C. J. Clopper, E. S. Pearson, Biometrika 26, 1934 (the exact
 *          binomial confidence bound).
 *  benchstat (golang.org/x/perf/benchstat): median with a CI from order
 *          statistics of the binomial(n, 1/2) distribution.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* not in C11 <math.h> (they are XSI) */
#define SQRT2 1.41421356237309504880
#define PI 3.14159265358979323846
#define LN2 0.69314718055994530942

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
#define DRMB_DEFINE_MAD_SORTED(NAME, T)						\
static double NAME(const T *x, size_t n, double med)			\
{									\
	/* left: indices l, l-1, ... 0 (x < med); right: r, r+1, ... */	\
	size_t r = 0;							\
	while (r < n && (double)x[r] < med)				\
		r++;							\
	long l = (long)r - 1;						\
	size_t want_hi = n / 2, want_lo = (n - 1) / 2;	/* middle ranks */ \
	double lo_val = 0, d = 0;					\
									\
	for (size_t k = 0; k <= want_hi; k++) {				\
		double dl = l >= 0 ? med - (double)x[l] : INFINITY;	\
		double dr = r < n ? (double)x[r] - med : INFINITY;	\
		if (dl <= dr) {						\
			d = dl;						\
			l--;						\
		} else {						\
			d = dr;						\
			r++;						\
		}							\
		if (k == want_lo)					\
			lo_val = d;					\
	}								\
	return (lo_val + d) / 2;					\
}

DRMB_DEFINE_MAD_SORTED(mad_sorted_u64, uint64_t)
DRMB_DEFINE_MAD_SORTED(mad_sorted_double, double)

int drmb_summarize_u64(uint64_t *samples, size_t n, struct drmb_summary *out)
{
	/* quantile q only from n >= 100 / (1 - q) samples (statistics.md) */
	static const struct {
		double q;
		size_t min_n;
		unsigned int bit;
		size_t field;
	} quantiles[] = {
		{ 0.5, DRMB_P50_MIN_SAMPLES, DRMB_HAVE_P50, offsetof(struct drmb_summary, p50) },
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
	drmb_sort_double(lx, n);
	med = drmb_quantile_sorted_double(lx, n, 0.5);
	noise = 1.4826 * mad_sorted_double(lx, n, med);
	free(lx);
	return noise;
}

/*
 * Spread comparison (stats.h).  Brown & Forsythe (JASA 69, 1974) test
 * equal spread on absolute deviations from each group's median, robust to
 * heavy tails where Levene's mean is not; ranking those deviations
 * (Mann-Whitney, as Fligner & Killeen, Technometrics 18, 1976, rank them)
 * keeps the test distribution-free like the rest of compare.  Centring
 * each side on its own median lets a shift of location pass untouched.
 */
static double *abs_log_deviations(const double *v, size_t n, double *noise)
{
	double *lx = malloc(n * sizeof(*lx)), *dev, med;

	if (!lx)
		return NULL;
	for (size_t i = 0; i < n; i++)
		lx[i] = log(v[i]);
	dev = malloc(n * sizeof(*dev));
	if (!dev) {
		free(lx);
		return NULL;
	}
	memcpy(dev, lx, n * sizeof(*dev));
	med = drmb_median_double(dev, n);	/* sorts dev */
	for (size_t i = 0; i < n; i++)
		dev[i] = fabs(lx[i] - med);
	memcpy(lx, dev, n * sizeof(*lx));
	*noise = 1.4826 * drmb_median_double(lx, n);
	free(lx);
	return dev;
}

int drmb_spread_compare(const double *x, size_t n, const double *y, size_t m,
			struct drmb_spread *out)
{
	double *dx, *dy;
	struct drmb_mw mw;
	int ret;

	if (n < 2 || m < 2)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!(x[i] > 0) || !isfinite(x[i]))
			return -EINVAL;
	for (size_t i = 0; i < m; i++)
		if (!(y[i] > 0) || !isfinite(y[i]))
			return -EINVAL;
	dx = abs_log_deviations(x, n, &out->old_noise);
	dy = dx ? abs_log_deviations(y, m, &out->new_noise) : NULL;
	if (!dx || !dy) {
		free(dx);
		return -ENOMEM;
	}
	ret = drmb_mann_whitney(dx, n, dy, m, &mw);
	out->p = ret ? NAN : mw.p;
	if (out->old_noise > 0)
		out->ratio = out->new_noise / out->old_noise;
	else
		out->ratio = out->new_noise > 0 ? INFINITY : 1;
	free(dx);
	free(dy);
	return ret;
}

/* ---- normal distribution -------------------------------------------------
 *
 * Phi(z) through erfc() (C99), accurate in both tails.  Phi^-1 by Acklam's
 * rational approximation (relative error 1.15e-9) refined with one Halley
 * step against erfc(), which brings it to full double precision.
 */
static double norm_cdf(double z)
{
	return 0.5 * erfc(-z / SQRT2);
}

static double norm_quantile(double p)
{
	static const double a[] = { -3.969683028665376e+01, 2.209460984245205e+02,
		-2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01,
		2.506628277459239e+00 };
	static const double b[] = { -5.447609879822406e+01, 1.615858368580409e+02,
		-1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01 };
	static const double c[] = { -7.784894002430293e-03, -3.223964580411365e-01,
		-2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00,
		2.938163982698783e+00 };
	static const double d[] = { 7.784695709041462e-03, 3.224671290700398e-01,
		2.445134137142996e+00, 3.754408661907416e+00 };
	double q, r, x;

	if (!(p > 0 && p < 1))
		return p == 0 ? -INFINITY : p == 1 ? INFINITY : NAN;
	if (p < 0.02425) {
		q = sqrt(-2 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	} else if (p > 1 - 0.02425) {
		q = sqrt(-2 * log(1 - p));
		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		     ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	} else {
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
		    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
	}
	/* one Halley step: e = Phi(x) - p, u = e * sqrt(2 pi) exp(x^2/2) */
	double e = norm_cdf(x) - p;
	double u = e * sqrt(2 * PI) * exp(x * x / 2);
	return x - u / (1 + x * u / 2);
}

/* ---- Mann-Whitney U [MW47], [HWC14 4.1] ----------------------------------- */

/*
 * Null distribution of U = #{(i,j): x_i > y_j} for sizes n, m without ties,
 * as counts f(u), u = 0..nm.  Recurrence on the largest of the n+m values:
 * if it is an x it beats all j y's, so f(i,j,u) = f(i-1,j,u-j) + f(i,j-1,u)
 * (the same recurrence as R's cwilcox()).  Only additions of positive
 * numbers: no cancellation.  O(n^2 m^2 / 4) time, 2 (n+1)(nm+1) doubles.
 * Returns a malloc'ed array the caller frees (the last column), NULL on ENOMEM.
 */
static double *mw_exact_counts(size_t n, size_t m)
{
	size_t stride = n * m + 1;
	double *prev = calloc((n + 1) * stride, sizeof(double));
	double *cur = calloc((n + 1) * stride, sizeof(double));
	double *tmp;

	if (!prev || !cur) {
		free(prev);
		free(cur);
		return NULL;
	}
	/* column j = 0: no y, U = 0 whatever i */
	for (size_t i = 0; i <= n; i++)
		prev[i * stride] = 1;
	for (size_t j = 1; j <= m; j++) {
		cur[0] = 1;
		for (size_t i = 1; i <= n; i++) {
			double *f = cur + i * stride, *left = cur + (i - 1) * stride;
			const double *up = prev + i * stride;
			size_t umax = i * j;
			for (size_t u = 0; u <= umax; u++)
				f[u] = up[u] + (u >= j ? left[u - j] : 0);
		}
		tmp = prev;
		prev = cur;
		cur = tmp;
	}
	/* the answer for (n, m) is row n of the last column computed */
	memmove(prev, prev + n * stride, stride * sizeof(double));
	free(cur);
	return prev;
}

double drmb_mw_exact_cdf(long u, size_t n, size_t m)
{
	double *f, below = 0, total = 0;

	if (u < 0)
		return 0;
	f = mw_exact_counts(n, m);
	if (!f)
		return NAN;
	for (size_t k = 0; k <= n * m; k++) {
		total += f[k];
		if ((long)k <= u)
			below += f[k];
	}
	free(f);
	return below / total;
}

/*
 * Two-sided exact p as R's wilcox.test(): the tail on the side of u that is
 * away from the centre nm/2, doubled and capped at 1.
 */
double drmb_mw_exact_p(double u, size_t n, size_t m)
{
	double *f, tail = 0, total = 0, p;
	long ui = lround(u);

	f = mw_exact_counts(n, m);
	if (!f)
		return NAN;
	for (size_t k = 0; k <= n * m; k++) {
		total += f[k];
		if (u > (double)(n * m) / 2 ? (long)k >= ui : (long)k <= ui)
			tail += f[k];
	}
	free(f);
	p = 2 * tail / total;
	return p < 1 ? p : 1;
}

/*
 * LSD radix sort of doubles by their bit patterns, 8 bits a pass, skipping
 * the passes whose byte is the same in every value (the sign and exponent
 * bytes of a benchmark's runs usually are).  Flipping the sign bit of
 * non-negative values and every bit of negative ones makes the unsigned
 * order the numeric order, except that -0.0 sorts before +0.0 and NaN at
 * the ends; callers either hold neither (drmb_compare_runs: values > 0, so
 * the result is the very array drmb_sort_double gives) or only need an
 * order (the difference sample).  O(n) for the large per-row sorts of a
 * big comparison; drmb_sort_double for small n or without memory.
 */
static void radix_sort_double(double *v, size_t n)
{
	size_t count[8][256] = { { 0 } };
	uint64_t *a, *b, *t;

	if (n < 256 || !(a = malloc(2 * n * sizeof(*a)))) {
		drmb_sort_double(v, n);
		return;
	}
	b = a + n;
	for (size_t i = 0; i < n; i++) {
		uint64_t u;
		memcpy(&u, &v[i], sizeof(u));
		u ^= u >> 63 ? ~(uint64_t)0 : (uint64_t)1 << 63;
		a[i] = u;
		for (int d = 0; d < 8; d++)
			count[d][(u >> (8 * d)) & 0xff]++;
	}
	for (int d = 0; d < 8; d++) {
		size_t pos = 0, *c = count[d];
		if (c[(a[0] >> (8 * d)) & 0xff] == n)
			continue;	/* one value of this byte: nothing would move */
		for (int k = 0; k < 256; k++) {
			size_t here = c[k];
			c[k] = pos;
			pos += here;
		}
		for (size_t i = 0; i < n; i++)
			b[c[(a[i] >> (8 * d)) & 0xff]++] = a[i];
		t = a;
		a = b;
		b = t;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t u = a[i];
		u ^= u >> 63 ? (uint64_t)1 << 63 : ~(uint64_t)0;
		memcpy(&v[i], &u, sizeof(u));
	}
	free(a < b ? a : b);
}

static double *sorted_copy(const double *v, size_t n)
{
	double *s = malloc((n ? n : 1) * sizeof(*s));
	if (s) {
		memcpy(s, v, n * sizeof(*s));
		drmb_sort_double(s, n);
	}
	return s;
}

/* The same for values known to be > 0 and finite (see radix_sort_double). */
static double *sorted_copy_positive(const double *v, size_t n)
{
	double *s = malloc((n ? n : 1) * sizeof(*s));
	if (s) {
		memcpy(s, v, n * sizeof(*s));
		radix_sort_double(s, n);
	}
	return s;
}

/*
 * The common entry of the two-sample methods: both samples non-empty and
 * NaN-free, returned as sorted copies the caller frees.
 */
static int sorted_pair(const double *x, size_t n, const double *y, size_t m,
		       double **xs, double **ys)
{
	*xs = *ys = NULL;
	if (!n || !m || !x || !y)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (isnan(x[i]))
			return -EINVAL;
	for (size_t j = 0; j < m; j++)
		if (isnan(y[j]))
			return -EINVAL;
	*xs = sorted_copy(x, n);
	*ys = sorted_copy(y, m);
	return *xs && *ys ? 0 : -ENOMEM;
}

/*
 * U of the first sample with average ranks for ties, and the tie term
 * sum(t^3 - t) over groups of equal values, by merging the sorted samples.
 */
static void mw_ranks(const double *xs, size_t n, const double *ys, size_t m,
		     double *u, double *tie_term)
{
	size_t i = 0, j = 0, rank = 0;
	double rank_sum_x = 0, ties = 0;

	while (i < n || j < m) {
		double v = i < n && (j >= m || xs[i] <= ys[j]) ? xs[i] : ys[j];
		size_t a = 0, b = 0;
		while (i < n && xs[i] == v) {
			i++;
			a++;
		}
		while (j < m && ys[j] == v) {
			j++;
			b++;
		}
		double t = (double)(a + b);
		/* ranks rank+1 .. rank+t share their average */
		rank_sum_x += (double)a * ((double)rank + (t + 1) / 2);
		ties += t * t * t - t;
		rank += a + b;
	}
	*u = rank_sum_x - (double)n * (double)(n + 1) / 2;
	*tie_term = ties;
}

/*
 * Two-sided Mann-Whitney test on x vs y, the same choices as R's
 * wilcox.test(x, y) with its defaults: exact distribution when both samples
 * have fewer than 50 values and there are no ties; otherwise the normal
 * approximation with the tie-corrected variance
 *   sigma^2 = (nm/12) [(N+1) - sum(t^3 - t) / (N (N-1))],  N = n+m,
 * and a continuity correction of 0.5 towards the centre.  Where R returns
 * NaN (every value tied, sigma = 0) this returns p = 1: no evidence.
 */
/* The test on already sorted samples (drmb_compare_runs sorts once). */
static int mw_sorted(const double *xs, size_t n, const double *ys, size_t m,
		     struct drmb_mw *out)
{
	double u, ties;

	mw_ranks(xs, n, ys, m, &u, &ties);
	out->u = u;
	if (n <= DRMB_MW_EXACT_MAX && m <= DRMB_MW_EXACT_MAX && ties == 0) {
		out->exact = 1;
		out->p = drmb_mw_exact_p(u, n, m);
		return isnan(out->p) ? -ENOMEM : 0;
	}
	out->exact = 0;
	double nn = (double)n, mm = (double)m, big_n = nn + mm;
	double sigma = sqrt(nn * mm / 12 * ((big_n + 1) - ties / (big_n * (big_n - 1))));
	double z = u - nn * mm / 2;
	if (sigma == 0) {
		out->p = 1;
		return 0;
	}
	z = (z - (z > 0 ? 0.5 : z < 0 ? -0.5 : 0)) / sigma;
	out->p = 2 * norm_cdf(-fabs(z));
	if (out->p > 1)
		out->p = 1;
	return 0;
}

int drmb_mann_whitney(const double *x, size_t n, const double *y, size_t m,
		      struct drmb_mw *out)
{
	double *xs, *ys;
	int ret;

	if (!out)
		return -EINVAL;
	ret = sorted_pair(x, n, y, m, &xs, &ys);
	if (!ret)
		ret = mw_sorted(xs, n, ys, m, out);
	free(xs);
	free(ys);
	return ret;
}

/* ---- Hodges-Lehmann shift and its CI [HL63], [HWC14 4.2, 4.3] ------------ */

/*
 * One side of the two-sample differences with its ties folded: the
 * distinct values v[0..n) of a sorted sample and cum[0..n], where cum[i]
 * is how many of the sample's values come before v[i] (cum[n] is its
 * size).  Values are folded only when their bits are equal, so every
 * difference of the folded sides is bit for bit one of the original ones,
 * with the product of the two multiplicities: the same multiset of n*m
 * differences, and each count below is O(distinct values) instead of
 * O(n+m).  Results from tied data (integer nanoseconds) are a few dozen
 * distinct values a side.
 */
struct folded {
	double *v;
	size_t *cum;
	size_t n;
};

static void folded_free(struct folded *f)
{
	free(f->v);
	free(f->cum);
}

static int folded_make(const double *sorted, size_t n, struct folded *f)
{
	f->n = 0;
	f->v = malloc(n * sizeof(*f->v));
	f->cum = malloc((n + 1) * sizeof(*f->cum));
	if (!f->v || !f->cum) {
		folded_free(f);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		if (i && !memcmp(&sorted[i], &sorted[i - 1], sizeof(*sorted)))
			continue;
		f->cum[f->n] = i;
		f->v[f->n++] = sorted[i];
	}
	f->cum[f->n] = n;
	return 0;
}

/* What one pass over the differences found for a threshold t. */
struct diff_count {
	size_t le;	/* how many of the n*m differences are <= t (strict: < t) */
	size_t pairs;	/* how many (distinct x, distinct y) pairs those are */
	double below;	/* the largest of them, -inf if none */
};

/* One pass, O(x->n + y->n): as x grows, y - x shrinks, so j only moves right. */
static void diffs_count(const struct folded *x, const struct folded *y, double t,
			int strict, struct diff_count *out)
{
	size_t le = 0, pairs = 0, j = 0;
	double best = -INFINITY;

	for (size_t i = 0; i < x->n; i++) {
		if (strict)
			while (j < y->n && y->v[j] - x->v[i] < t)
				j++;
		else
			while (j < y->n && y->v[j] - x->v[i] <= t)
				j++;
		le += (x->cum[i + 1] - x->cum[i]) * y->cum[j];
		pairs += j;
		if (j && y->v[j - 1] - x->v[i] > best)
			best = y->v[j - 1] - x->v[i];
	}
	out->le = le;
	out->pairs = pairs;
	out->below = best;
}

/*
 * A stratified sample of the differences, to start kth_diff near its
 * answer: ys[j] - xs[i] for every (n/side)-th x and (m/side)-th y of the
 * unfolded samples (the middle of each stratum), sorted.  Its quantiles
 * estimate those of all n*m differences.  kth_diff takes them as guesses
 * and counts to check them, so a poor guess costs a pass or two, never a
 * wrong answer.
 */
#define DIFF_SAMPLE_SIDE 48

struct diff_sample {
	double *v;
	size_t n;
};

static int diff_sample_make(const double *xs, size_t n, const double *ys, size_t m,
			    struct diff_sample *s)
{
	size_t gx = n < DIFF_SAMPLE_SIDE ? n : DIFF_SAMPLE_SIDE;
	size_t gy = m < DIFF_SAMPLE_SIDE ? m : DIFF_SAMPLE_SIDE;

	s->n = gx * gy;
	s->v = malloc(s->n * sizeof(*s->v));
	if (!s->v)
		return -ENOMEM;
	for (size_t a = 0; a < gx; a++) {
		double x = xs[(2 * a + 1) * n / (2 * gx)];
		for (size_t b = 0; b < gy; b++)
			s->v[a * gy + b] = ys[(2 * b + 1) * m / (2 * gy)] - x;
	}
	radix_sort_double(s->v, s->n);
	return 0;
}

/*
 * kth_diff's bracket (lo, hi]: count(<= lo) < k <= count(<= hi), hi an
 * actual difference; c_* are those counts, p_* the pairs they cover.
 */
struct bracket {
	double lo, hi;
	size_t c_lo, c_hi, p_lo, p_hi;
};

/* Each only tightens: a new end must hold fewer differences, or be closer. */
static void bracket_lower(struct bracket *b, double lo, const struct diff_count *dc)
{
	if (dc->le > b->c_lo || (dc->le == b->c_lo && lo > b->lo)) {
		b->lo = lo;
		b->c_lo = dc->le;
		b->p_lo = dc->pairs;
	}
}

static void bracket_upper(struct bracket *b, const struct diff_count *dc)
{
	if (dc->le < b->c_hi || (dc->le == b->c_hi && dc->below < b->hi)) {
		b->hi = dc->below;
		b->c_hi = dc->le;
		b->p_hi = dc->pairs;
	}
}

/*
 * Narrows the bracket with the sample: the sample quantiles three binomial
 * standard deviations either side of rank k/(nm) are counted (strictly
 * below the lower one, at or below the upper one) and each tightens
 * whichever end of the bracket it falls on.
 */
static void guess_bracket(const struct folded *x, const struct folded *y, size_t k,
			  const struct diff_sample *s, size_t collect_max, struct bracket *b)
{
	double p = (double)k / ((double)x->cum[x->n] * (double)y->cum[y->n]), sn = (double)s->n;
	double spread = 3 * sqrt(sn * p * (1 - p)) + 1;
	double r1 = floor(p * sn - spread), r2 = ceil(p * sn + spread);
	double g1 = s->v[r1 < 0 ? 0 : (size_t)r1];
	double g2 = s->v[r2 > sn - 1 ? s->n - 1 : (size_t)r2];
	struct diff_count dc;

	/* count(< g1) = count(<= the largest difference below g1) */
	diffs_count(x, y, g1, 1, &dc);
	if (dc.le < k)
		bracket_lower(b, dc.below, &dc);
	else
		bracket_upper(b, &dc);
	if (b->p_hi - b->p_lo <= collect_max)
		return;
	diffs_count(x, y, g2, 0, &dc);
	if (dc.le >= k)
		bracket_upper(b, &dc);
	else
		bracket_lower(b, g2, &dc);
}

/* A difference with its multiplicity, as kth_diff collects them. */
struct wdiff {
	double d;
	size_t w;
};

/*
 * The value of weighted rank r (1-based) among v[0..n), reordering v:
 * quickselect with a three-way partition so a group of equal values is
 * settled at once.  *through is the weight of the values <= the answer.
 */
static double select_weighted(struct wdiff *v, size_t n, size_t r, size_t *through)
{
	size_t lo = 0, hi = n, before = 0;

	for (;;) {
		double a = v[lo].d, b = v[lo + (hi - lo) / 2].d, c = v[hi - 1].d;
		double pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
		size_t lt = lo, i = lo, gt = hi, w_lt = 0, w_eq = 0;
		struct wdiff t;

		/* [lo, lt) < pivot, [lt, i) == pivot, [gt, hi) > pivot */
		while (i < gt) {
			if (v[i].d < pivot) {
				w_lt += v[i].w;
				t = v[lt]; v[lt++] = v[i]; v[i++] = t;
			} else if (pivot < v[i].d) {
				t = v[--gt]; v[gt] = v[i]; v[i] = t;
			} else {
				w_eq += v[i++].w;
			}
		}
		if (r <= before + w_lt) {
			hi = lt;
		} else if (r <= before + w_lt + w_eq) {
			*through = before + w_lt + w_eq;
			return pivot;
		} else {
			before += w_lt + w_eq;
			lo = gt;
		}
	}
}

/* The smallest difference above a: O(x->n + y->n). */
static double diff_above(const struct folded *x, const struct folded *y, double a)
{
	double best = INFINITY;
	size_t j = 0;

	/* per row the first difference above a; as x grows that j only moves right */
	for (size_t i = 0; i < x->n; i++) {
		while (j < y->n && y->v[j] - x->v[i] <= a)
			j++;
		if (j < y->n && y->v[j] - x->v[i] < best)
			best = y->v[j] - x->v[i];
	}
	return best;
}

/* The (k+1)-th difference, given a = the k-th. */
static double next_diff(const struct folded *x, const struct folded *y, size_t k, double a)
{
	struct diff_count dc;

	diffs_count(x, y, a, 0, &dc);
	return dc.le > k ? a : diff_above(x, y, a);	/* a repeats, or the next value */
}

/*
 * k-th smallest (1-based) of the n*m differences y - x without
 * materialising them, and when next is not NULL the (k+1)-th.  The bracket
 * (lo, hi] always holds the answer; each count is one pass.  The sample's
 * guesses narrow it first; then the count is interpolated linearly between
 * its ends (aiming a little below and above k in turn so both ends move);
 * a step that did not halve it is followed by a bisection, and by a check
 * for ties: when every difference in the bracket equals hi, hi is the
 * answer, else the whole group of differences equal to hi leaves the
 * bracket.  Once at most max(1024, 2(distinct x + distinct y)) pairs are
 * left, they are collected with their multiplicities and the answer
 * selected among them.
 */
static int kth_diff(const struct folded *x, const struct folded *y, size_t k,
		    const struct diff_sample *guess, double *out, double *next)
{
	const size_t collect_max = 1024 > 2 * (x->n + y->n) ? 1024 : 2 * (x->n + y->n);
	struct bracket b = {
		.lo = y->v[0] - x->v[x->n - 1],
		.hi = y->v[y->n - 1] - x->v[0],
		.c_hi = x->cum[x->n] * y->cum[y->n],
		.p_hi = x->n * y->n,
	};
	struct diff_count dc;
	size_t prev_width, through;
	int stalled = 0, side = 0;

	diffs_count(x, y, b.lo, 0, &dc);
	b.c_lo = dc.le;
	b.p_lo = dc.pairs;
	if (b.c_lo >= k) {
		*out = b.lo;
		goto slow_next;
	}
	if (guess && b.p_hi - b.p_lo > collect_max)
		guess_bracket(x, y, k, guess, collect_max, &b);
	prev_width = b.c_hi - b.c_lo;
	while (b.p_hi - b.p_lo > collect_max) {
		double t;
		if (stalled) {
			/* ties: is hi the only value left, or can its group go? */
			diffs_count(x, y, b.hi, 1, &dc);
			if (dc.le < k) {
				*out = b.hi;
				goto slow_next;
			}
			bracket_upper(&b, &dc);
			t = b.lo + (b.hi - b.lo) / 2;	/* and bisect */
		} else {
			/* aim ~collect_max/4 pairs either side of k, in weight */
			double per_pair = (double)(b.c_hi - b.c_lo) / (double)(b.p_hi - b.p_lo);
			double target = (double)k + (side ? 0.25 : -0.25) * (double)collect_max * per_pair;
			double frac = (target - (double)b.c_lo) / (double)(b.c_hi - b.c_lo);
			side ^= 1;
			t = b.lo + (b.hi - b.lo) * (frac < 0 ? 0 : frac > 1 ? 1 : frac);
			if (!(t > b.lo && t < b.hi))
				t = b.lo + (b.hi - b.lo) / 2;
		}
		if (t > b.lo && t < b.hi) {
			diffs_count(x, y, t, 0, &dc);
			if (dc.le >= k)
				bracket_upper(&b, &dc);	/* hi: the largest difference <= t */
			else
				bracket_lower(&b, t, &dc);
		}
		stalled = b.c_hi - b.c_lo > prev_width / 2;
		prev_width = b.c_hi - b.c_lo;
	}

	struct wdiff *buf = malloc((b.p_hi - b.p_lo + 1) * sizeof(*buf));
	size_t nb = 0, j_lo = 0, j_hi = 0;
	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < x->n; i++) {
		size_t wx = x->cum[i + 1] - x->cum[i];
		while (j_lo < y->n && y->v[j_lo] - x->v[i] <= b.lo)
			j_lo++;
		while (j_hi < y->n && y->v[j_hi] - x->v[i] <= b.hi)
			j_hi++;
		for (size_t j = j_lo; j < j_hi; j++)
			buf[nb++] = (struct wdiff){ y->v[j] - x->v[i], wx * (y->cum[j + 1] - y->cum[j]) };
	}
	*out = select_weighted(buf, nb, k - b.c_lo, &through);
	if (next && b.c_lo + through > k) {
		*next = *out;	/* the k-th value repeats */
	} else if (next) {
		/* the smallest difference above it: in the bracket, or above hi */
		int found = 0;
		for (size_t i = 0; i < nb; i++) {
			if (buf[i].d > *out && (!found || buf[i].d < *next)) {
				*next = buf[i].d;
				found = 1;
			}
		}
		if (!found)
			*next = diff_above(x, y, *out);
	}
	free(buf);
	return 0;

slow_next:
	if (next)
		*next = next_diff(x, y, k, *out);
	return 0;
}

/*
 * Estimate: median of all y_j - x_i [HL63].  Interval: the order statistics
 * D_(C) and D_(nm+1-C) of the sorted differences [HWC14 4.3] (the
 * Moses/Sen construction; Deshpande, Gore & Shanubhogue give the same),
 * where C is
 *  - n, m < 50: the lower alpha/2 quantile of the exact null distribution
 *    of U, i.e. R's qwilcox(alpha/2, n, m) (at least 1), exactly as
 *    wilcox.test(y, x, conf.int = TRUE) does in its exact branch;
 *  - otherwise: round(nm/2 - z_{1-alpha/2} sqrt(nm(n+m+1)/12)) [HWC14 4.3
 *    large-sample approximation].  R's asymptotic branch instead inverts
 *    the tie-corrected test numerically (uniroot, tol 1e-4); we keep the
 *    order-statistic form throughout so the interval is always a pair of
 *    observed differences, as statistics.md prescribes.
 * When even C = 1 does not reach the requested coverage (e.g. 3 vs 3 runs
 * at 95%), lo and hi are NaN and achieved_conf says what was reachable.
 */
static int hl_sorted(const double *xs, size_t n, const double *ys, size_t m,
		     double conf, struct drmb_hl *out)
{
	double alpha = 1 - conf, a, b;
	size_t nm = n * m, c = 0;
	struct diff_sample sample = { 0 }, *guess = NULL;
	struct folded fx = { 0 }, fy = { 0 };
	int err;

	if ((err = folded_make(xs, n, &fx)) || (err = folded_make(ys, m, &fy)))
		goto out;
	/* worth it once the three selections would each take many counts */
	if (fx.n * fy.n > 64 * (fx.n + fy.n) && fx.n * fy.n > 16384) {
		if ((err = diff_sample_make(xs, n, ys, m, &sample)))
			goto out;
		guess = &sample;
	}
	if ((err = kth_diff(&fx, &fy, (nm + 1) / 2, guess, &a, nm % 2 ? NULL : &b)))
		goto out;
	out->shift = nm % 2 ? a : (a + b) / 2;

	if (n <= DRMB_MW_EXACT_MAX && m <= DRMB_MW_EXACT_MAX) {
		double *f = mw_exact_counts(n, m), total = 0, cum = 0;
		if (!f) {
			err = -ENOMEM;
			goto out;
		}
		for (size_t k = 0; k <= nm; k++)
			total += f[k];
		/* c = smallest u with P(U <= u) >= alpha/2 */
		for (c = 0; c <= nm; c++) {
			cum += f[c];
			if (cum / total >= alpha / 2)
				break;
		}
		if (c == 0)
			c = 1;
		/* coverage 1 - 2 P(U <= c-1) */
		cum = 0;
		for (size_t k = 0; k < c; k++)
			cum += f[k];
		out->achieved_conf = 1 - 2 * cum / total;
		free(f);
	} else {
		double nn = (double)n, mm = (double)m;
		double cc = nn * mm / 2 - norm_quantile(1 - alpha / 2) * sqrt(nn * mm * (nn + mm + 1) / 12);
		c = cc < 1 ? 0 : (size_t)llround(cc);
		if (c == 0)
			c = 1;
		/* coverage of (D_(c), D_(nm+1-c)) under the same approximation */
		out->achieved_conf = 1 - 2 * norm_cdf(((double)c - 0.5 - nn * mm / 2) /
						     sqrt(nn * mm * (nn + mm + 1) / 12));
	}
	if (out->achieved_conf < conf - 1e-12 || c > nm + 1 - c) {
		out->lo = out->hi = NAN;
	} else {
		if ((err = kth_diff(&fx, &fy, c, guess, &out->lo, NULL)) ||
		    (err = kth_diff(&fx, &fy, nm + 1 - c, guess, &out->hi, NULL)))
			goto out;
	}
out:
	free(sample.v);
	folded_free(&fx);
	folded_free(&fy);
	return err;
}

int drmb_hodges_lehmann(const double *x, size_t n, const double *y, size_t m,
			double conf, struct drmb_hl *out)
{
	double *xs, *ys;
	int err;

	if (!out || !(conf > 0 && conf < 1))
		return -EINVAL;
	err = sorted_pair(x, n, y, m, &xs, &ys);
	if (!err)
		err = hl_sorted(xs, n, ys, m, conf, out);
	free(xs);
	free(ys);
	return err;
}

/* ---- median and its CI from order statistics (benchstat) ----------------- */

/* P(B <= k) for B ~ Binomial(n, 1/2), summed in log space. */
static double binom_half_cdf(size_t k, size_t n)
{
	double sum = 0, lg_n1 = lgamma((double)n + 1), ln_half_n = -(double)n * LN2;

	for (size_t i = 0; i <= k && i <= n; i++)
		sum += exp(lg_n1 - lgamma((double)i + 1) - lgamma((double)(n - i) + 1) + ln_half_n);
	return sum < 1 ? sum : 1;
}

/* ln P(B = k-1) for B ~ Binomial(n, 1/2), as drmb_median_ci_sorted sums it. */
static double binom_half_log_term(size_t k, size_t n, double lg_n1, double ln_half_n)
{
	return lg_n1 - lgamma((double)k) - lgamma((double)(n - k + 1) + 1) + ln_half_n;
}

/*
 * How many leading terms k = 1, 2, ... of that sum are exactly 0 in double
 * (exp() of less than -745.2 underflows to 0; -800 keeps a wide margin
 * over lgamma's rounding), found by bisection: the terms grow with k up to
 * n/2.  Adding them changes nothing, and for thousands of runs they were
 * most of the lgamma calls.
 */
static size_t binom_half_zero_terms(size_t n, double lg_n1, double ln_half_n)
{
	size_t lo = 0, hi = (n + 1) / 2;	/* terms 1..lo are zero; hi: not known to be */

	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;
		if (binom_half_log_term(mid, n, lg_n1, ln_half_n) < -800)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/*
 * The interval (x_(k), x_(n+1-k)) (1-based) covers the true median with
 * probability 1 - 2 P(B <= k-1), B ~ Binomial(n, 1/2), for any continuous
 * distribution.  Take the largest k (the narrowest such interval) whose
 * coverage is still >= conf, as benchstat does; when even k = 1 falls
 * short (n < 6 at 95%), lo and hi are NaN.
 */
int drmb_median_ci_sorted(const double *sorted, size_t n, double conf,
			  struct drmb_median_ci *out)
{
	size_t k, best = 0;
	double best_conf = 0;

	if (!n || !sorted || !out || !(conf > 0 && conf < 1))
		return -EINVAL;
	out->median = drmb_quantile_sorted_double(sorted, n, 0.5);
	/* P(B <= k-1) accumulated term by term: O(n), not O(n^2) lgamma calls */
	double lg_n1 = lgamma((double)n + 1), ln_half_n = -(double)n * LN2, below = 0;
	k = 1 + binom_half_zero_terms(n, lg_n1, ln_half_n);
	for (; k <= (n + 1) / 2; k++) {
		below += exp(binom_half_log_term(k, n, lg_n1, ln_half_n));
		double cover = 1 - 2 * below;
		if (cover < conf - 1e-12)
			break;
		best = k;
		best_conf = cover;
	}
	if (!best) {
		out->lo = out->hi = NAN;
		out->achieved_conf = n >= 1 ? 1 - 2 * binom_half_cdf(0, n) : 0;
		return 0;
	}
	out->lo = sorted[best - 1];
	out->hi = sorted[n - best];
	out->achieved_conf = best_conf;
	return 0;
}

/* ---- Benjamini-Hochberg [BH95] ------------------------------------------- */

struct p_index {
	double p;
	size_t i;
};

static int cmp_p_desc(const void *a, const void *b)
{
	const struct p_index *x = a, *y = b;
	return (x->p < y->p) - (x->p > y->p);
}

int drmb_bh_adjust(const double *p, size_t n, double *adj)
{
	struct p_index *o;
	size_t valid = 0;

	if (!n)
		return 0;
	if (!p || !adj)
		return -EINVAL;
	o = malloc(n * sizeof(*o));
	if (!o)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (!isnan(p[i]))
			o[valid++] = (struct p_index){ p[i], i };
	qsort(o, valid, sizeof(*o), cmp_p_desc);
	for (size_t i = 0; i < n; i++)
		if (isnan(p[i]))
			adj[i] = NAN;
	/* o[r] has rank valid - r among the valid p (1 = smallest) */
	double running = 1;
	for (size_t r = 0; r < valid; r++) {
		double v = o[r].p * (double)valid / (double)(valid - r);
		if (v < running)
			running = v;
		adj[o[r].i] = running;
	}
	free(o);
	return 0;
}

/* ---- one comparison and its verdict (statistics.md) ---------------------- */

const char *drmb_verdict_name(enum drmb_verdict v)
{
	switch (v) {
	case DRMB_SAME: return "SAME";
	case DRMB_IMPROVEMENT: return "IMPROVEMENT";
	case DRMB_REGRESSION: return "REGRESSION";
	case DRMB_UNKNOWN: return "UNKNOWN";
	}
	return "?";
}

/*
 * Everything is computed on ln(value): a ratio new/old becomes a shift, the
 * Hodges-Lehmann shift of ln values exponentiated is the ratio estimate and
 * its CI endpoints exponentiate to the ratio's CI (ln is monotone, so the
 * order statistics map through).  Mann-Whitney is rank based and gives the
 * same p on raw or ln values.
 */
int drmb_compare_runs(const double *x, size_t n, const double *y, size_t m,
		      const struct drmb_cmp_params *par, struct drmb_cmp *out)
{
	double *lx, *ly, *sx, *sy;
	struct drmb_hl hl;
	struct drmb_mw mw;
	int err = 0;

	if (!n || !m || !x || !y || !par || !out)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!(x[i] > 0) || !isfinite(x[i]))
			return -EINVAL;
	for (size_t j = 0; j < m; j++)
		if (!(y[j] > 0) || !isfinite(y[j]))
			return -EINVAL;

	memset(out, 0, sizeof(*out));
	out->n_old = n;
	out->n_new = m;
	out->p_adj = NAN;
	out->verdict = DRMB_UNKNOWN;
	lx = malloc(n * sizeof(*lx));
	ly = malloc(m * sizeof(*ly));
	sx = sorted_copy_positive(x, n);
	sy = sorted_copy_positive(y, m);
	if (!lx || !ly || !sx || !sy) {
		err = -ENOMEM;
		goto out_free;
	}
	/* sorted once: ln is monotone, so ln of the sorted values is sorted */
	for (size_t i = 0; i < n; i++)
		lx[i] = log(sx[i]);
	for (size_t j = 0; j < m; j++)
		ly[j] = log(sy[j]);

	if ((err = drmb_median_ci_sorted(sx, n, par->conf, &out->old)) ||
	    (err = drmb_median_ci_sorted(sy, m, par->conf, &out->new)))
		goto out_free;
	if ((err = hl_sorted(lx, n, ly, m, par->conf, &hl)))
		goto out_free;
	out->ratio = exp(hl.shift);
	out->ratio_lo = exp(hl.lo);	/* exp(NaN) stays NaN */
	out->ratio_hi = exp(hl.hi);
	if ((err = mw_sorted(lx, n, ly, m, &mw)))
		goto out_free;
	out->p = mw.p;
	out->p_exact = mw.exact;
	/* the log-MAD noise of each side, from the sorted ln values */
	double nx = n >= 2 ? 1.4826 * mad_sorted_double(lx, n, drmb_quantile_sorted_double(lx, n, 0.5)) : NAN;
	double ny = m >= 2 ? 1.4826 * mad_sorted_double(ly, m, drmb_quantile_sorted_double(ly, m, 0.5)) : NAN;
	out->noise = isnan(nx) ? ny : isnan(ny) ? nx : nx > ny ? nx : ny;
out_free:
	free(lx);
	free(ly);
	free(sx);
	free(sy);
	return err;
}

/*
 * When a change of ln-ratio d counts as reaching the threshold e: d >= e up
 * to the rounding of the ln values d was computed from.  102 vs 100 is a
 * change of exactly 2%, but ln(102) - ln(100) is 8.4e-16 below log1p(0.02)
 * in double, about one ulp of ln(100).  The error of a difference of two ln
 * values is a few ulps of the larger |ln value|, so the slack is
 * 8 eps (1 + L), L the larger |ln| of the two sides' medians (per-run
 * values of one row are of one magnitude): 1e-14 for values near 100, 4e-14
 * near 1e9 ns, far below any difference a benchmark can resolve (a ratio
 * of 1.02 + 1e-9 is 1 ns in a second).  The test is symmetric in ln, so
 * it holds for d and for -d alike (see drmb_decide).
 */
static double effect_slack(double a, double b)
{
	double la = a > 0 && isfinite(a) ? fabs(log(a)) : 0;
	double lb = b > 0 && isfinite(b) ? fabs(log(b)) : 0;

	return 8 * DBL_EPSILON * (1 + (la > lb ? la : lb));
}

static int reaches_effect(double d, double e, double slack)
{
	return d >= e - slack;
}

/*
 * Deterministic rows have (nearly) no run-to-run noise, so the fixed 2% of
 * wall-clock rows would hide real path-length changes.  The threshold
 * follows the row's own noise instead: 3 x the noise (a robust sd of ln x)
 * kept the A/A false alarms of a simulation of 1%-noise rows, 10 v 10
 * runs, 20 rows with BH, at 1 in 40,000 rows (18 at 1x, 7 at 2x), and the
 * 0.25% floor is below the 0.5% a zero-noise row must show with 10 runs a
 * side (docs/statistics.md, "Deterministic rows").  Compared in ln, as
 * drmb_decide compares.
 */
double drmb_det_min_effect(double noise, double floor)
{
	double e = log1p(floor);

	if (!isnan(noise) && DRMB_DET_NOISE_K * noise > e)
		e = DRMB_DET_NOISE_K * noise;
	return expm1(e);
}

/*
 * Verdict rules (documented in docs/statistics.md), with e = ln(1 + min_effect):
 *  - fewer than min_runs on a side: UNKNOWN;
 *  - p_adj < alpha and |ln ratio| reaches e: REGRESSION or IMPROVEMENT by the
 *    unit's direction (direction < 0, unknown: UNKNOWN, never gated);
 *  - the ratio's CI lies strictly inside (1/(1+e), 1+e), neither end
 *    reaching e: SAME, a change of the threshold's size is excluded;
 *  - otherwise UNKNOWN: the data allow a change >= the threshold but do not
 *    show one.  more_runs estimates the runs per side that would decide,
 *    assuming the CI half-width h shrinks as 1/sqrt(runs): to exclude the
 *    threshold needs h <= e - |est|; to make |est| significant needs
 *    se <= |est| / z_{1-alpha/2} with se = h / z_{(1+conf)/2}.
 * "Reaches" is d >= e up to rounding (reaches_effect): a ratio of exactly
 * 1 + min_effect (102/100 at 2%) is a change of the minimum effect, and a CI
 * ending exactly there does not exclude one.  The threshold is symmetric in
 * ln: on the faster side it is 1/(1+e) (100 after 102: -1.96%), so swapping
 * OLD and NEW, or reading ns/op as its rate 1/x, keeps the verdict's size.
 */
void drmb_decide(struct drmb_cmp *c, int direction, const struct drmb_cmp_params *par)
{
	const size_t cap = 1000, fallback = 10;	/* 10: statistics.md's gating minimum */
	double e = log1p(par->min_effect), est = log(c->ratio);
	double lo = log(c->ratio_lo), hi = log(c->ratio_hi);
	double slack = effect_slack(c->old.median, c->new.median);

	c->more_runs = 0;
	if (c->n_old < par->min_runs || c->n_new < par->min_runs) {
		c->verdict = DRMB_UNKNOWN;
		c->more_runs = par->min_runs > fallback ? par->min_runs : fallback;
		return;
	}
	if (c->p_adj < par->alpha && reaches_effect(fabs(est), e, slack)) {
		int worse = direction == 1 ? est < 0 : est > 0;
		c->verdict = direction < 0 ? DRMB_UNKNOWN : worse ? DRMB_REGRESSION : DRMB_IMPROVEMENT;
		return;
	}
	if (!isnan(lo) && !isnan(hi) && !reaches_effect(-lo, e, slack) && !reaches_effect(hi, e, slack)) {
		c->verdict = DRMB_SAME;
		return;
	}
	c->verdict = DRMB_UNKNOWN;
	if (isnan(lo) || isnan(hi) || hi <= lo) {
		size_t have = c->n_old > c->n_new ? c->n_old : c->n_new;
		c->more_runs = have * 2 > fallback ? have * 2 : fallback;
		return;
	}
	double h = (hi - lo) / 2, factor;
	double n_eff = 2.0 / (1.0 / (double)c->n_old + 1.0 / (double)c->n_new);
	if (!reaches_effect(fabs(est), e, slack)) {
		factor = h / (e - fabs(est));
	} else {
		double se = h / norm_quantile((1 + par->conf) / 2);
		factor = se * norm_quantile(1 - par->alpha / 2) / fabs(est);
	}
	double need = ceil(n_eff * factor * factor);
	if (!(need <= (double)cap))
		need = (double)cap;
	c->more_runs = (size_t)need;
	if (c->more_runs <= (c->n_old < c->n_new ? c->n_old : c->n_new))
		c->more_runs = (c->n_old < c->n_new ? c->n_old : c->n_new) + 1;
}

/* ---- E-Divisive change points [MJ14] ------------------------------------- */

/*
 * Energy statistic of the split of a = v[l..t), b = v[t..r) with exponent 1:
 *   E = 2/(|a||b|) sum|a_i - b_j| - 1/C(|a|,2) sum_{i<k}|a_i - a_k|
 *       - 1/C(|b|,2) sum_{j<k}|b_j - b_k|,
 *   Q = |a||b| / (|a| + |b|) * E.
 * From the three sums of distances; energy_q computes them directly,
 * O((r-l)^2), for the final report; the search updates them as it moves.
 */
static double energy_from_sums(double na, double nb, double between, double in_a, double in_b)
{
	double e = 2 * between / (na * nb) - (na > 1 ? in_a / (na * (na - 1) / 2) : 0) -
		   (nb > 1 ? in_b / (nb * (nb - 1) / 2) : 0);

	return na * nb / (na + nb) * e;
}

static double energy_q(const double *v, size_t l, size_t t, size_t r)
{
	double between = 0, in_a = 0, in_b = 0;

	for (size_t i = l; i < t; i++)
		for (size_t j = t; j < r; j++)
			between += fabs(v[i] - v[j]);
	for (size_t i = l; i < t; i++)
		for (size_t k = i + 1; k < t; k++)
			in_a += fabs(v[i] - v[k]);
	for (size_t j = t; j < r; j++)
		for (size_t k = j + 1; k < r; k++)
			in_b += fabs(v[j] - v[k]);
	return energy_from_sums((double)(t - l), (double)(r - t), between, in_a, in_b);
}

static size_t window_start(size_t lo, size_t t, size_t half)
{
	return t - lo > half ? t - half : lo;
}

static size_t window_end(size_t hi, size_t t, size_t half)
{
	return hi - t > half ? t + half : hi;
}

/*
 * sum of |x - v[i]| for i in [a, b).  Four partial sums: one chain of
 * dependent additions was the permutation test's bottleneck.
 */
static double dist_sum(const double *v, size_t a, size_t b, double x)
{
	double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	size_t i = a;

	for (; i + 4 <= b; i += 4) {
		s0 += fabs(x - v[i]);
		s1 += fabs(x - v[i + 1]);
		s2 += fabs(x - v[i + 2]);
		s3 += fabs(x - v[i + 3]);
	}
	for (; i < b; i++)
		s0 += fabs(x - v[i]);
	return (s0 + s1) + (s2 + s3);
}

/*
 * The split t of [lo, hi) with the largest Q, each side limited to the
 * `half` points next to t (Otava's windowing: a long series is judged
 * locally, so an old step does not mask a new one), at least min_seg
 * points a side.  Moving t by one moves one point from B to A, and the
 * window's ends by at most one point each, so the three sums are updated
 * in O(window) per split instead of recomputed in O(window^2): the search
 * is O((hi - lo) window).  Returns 0 when no split fits.
 */
static size_t best_split(const double *v, size_t lo, size_t hi, size_t min_seg, size_t half,
			 double *q_out)
{
	size_t t = lo + min_seg, best_t = 0;
	double best_q = -INFINITY;

	if (hi - lo < 2 * min_seg)
		return 0;
	size_t a = window_start(lo, t, half), b = window_end(hi, t, half);
	double between = 0, in_a = 0, in_b = 0;
	for (size_t i = a; i < t; i++) {
		between += dist_sum(v, t, b, v[i]);
		in_a += dist_sum(v, i + 1, t, v[i]);
	}
	for (size_t j = t; j < b; j++)
		in_b += dist_sum(v, j + 1, b, v[j]);
	for (;;) {
		double q = energy_from_sums((double)(t - a), (double)(b - t), between, in_a, in_b);
		if (q > best_q) {
			best_q = q;
			best_t = t;
		}
		if (t + 1 + min_seg > hi)
			break;
		/* v[t] moves from B to A */
		double to_a = dist_sum(v, a, t, v[t]), to_b = dist_sum(v, t + 1, b, v[t]);
		in_a += to_a;
		in_b -= to_b;
		between += to_b - to_a;
		t++;
		if (window_start(lo, t, half) > a) {	/* v[a] leaves A */
			in_a -= dist_sum(v, a + 1, t, v[a]);
			between -= dist_sum(v, t, b, v[a]);
			a++;
		}
		if (window_end(hi, t, half) > b) {	/* v[b] joins B */
			in_b += dist_sum(v, t, b, v[b]);
			between += dist_sum(v, a, t, v[b]);
			b++;
		}
	}
	*q_out = best_q;
	return best_t;
}

/* splitmix64 (Steele, Lea, Flood 2014): a seeded, portable generator. */
uint64_t drmb_splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n), n >= 1, without modulo bias (rejection of the short last block). */
static size_t uniform_below(uint64_t *s, size_t n)
{
	uint64_t limit = UINT64_MAX - UINT64_MAX % n, x;

	do
		x = drmb_splitmix64(s);
	while (x >= limit);
	return (size_t)(x % n);
}

size_t drmb_cpd_permutations(const struct drmb_cpd_params *par)
{
	double need;

	if (par->permutations)
		return par->permutations;
	/* the least P whose smallest p, 1/(1+P), is <= alpha; at least 999 */
	need = ceil(1 / par->alpha - 1e-9) - 1;
	return need > 999 ? (size_t)need : 999;
}

struct cpd_state {
	const double *v;
	const struct drmb_cpd_params *par;
	double *buf;		/* the permuted segment */
	size_t min_seg, half, perms, max_exceed;
	size_t *idx;		/* accepted split points */
	double *pval;		/* their permutation p */
	size_t nidx, cap;
	int err;
};

/*
 * Is the best split of [lo, hi) more than the best split of a random
 * order of the same points?  A permutation test of the whole search, as
 * E-Divisive [MJ14] and Chromium's dashboard do: the segment is shuffled
 * (Fisher-Yates), the argmax search redone, and
 * p = (1 + #{permuted max Q >= observed max Q}) / (1 + P): the choice of
 * the split among all candidates is part of the null distribution, which
 * a test of the two chosen sides (Mann-Whitney, before) ignored.  Exact
 * for exchangeable points whatever P.  The permuted maxima only have to
 * be counted until they exceed what p <= alpha allows (Besag & Clifford
 * 1991's sequential stop): a segment without a change typically stops
 * after a handful of permutations, a real change costs all P.  The
 * generator is seeded from the segment's values, so the same series
 * always gives the same answer [BC91, SLF14].  Ties within 1e-9 of the observed Q count
 * as reaching it (rounding of the updated sums must not make p smaller).
 */
static int split_significant(struct cpd_state *s, size_t lo, size_t hi, double q_obs, double *p)
{
	size_t n = hi - lo, exceed = 0;
	uint64_t seed = 0x6472646d62656e63ull ^ n;
	double bar = q_obs - 1e-9 * fabs(q_obs);

	memcpy(s->buf, s->v + lo, n * sizeof(*s->buf));
	for (size_t i = 0; i < n; i++) {
		uint64_t bits;
		memcpy(&bits, &s->v[lo + i], sizeof(bits));
		seed = (seed ^ bits) * 0x100000001b3ull;
	}
	for (size_t k = 0; k < s->perms; k++) {
		double q;
		for (size_t i = n - 1; i > 0; i--) {
			size_t j = uniform_below(&seed, i + 1);
			double t = s->buf[i];
			s->buf[i] = s->buf[j];
			s->buf[j] = t;
		}
		if (best_split(s->buf, 0, n, s->min_seg, s->half, &q) && q >= bar &&
		    ++exceed > s->max_exceed)
			return 0;
	}
	*p = (double)(1 + exceed) / (double)(1 + s->perms);
	return 1;
}

/*
 * Bisect [lo, hi) at its best split when the permutation test finds it
 * significant (p <= alpha); then search both halves again.
 */
static void cpd_bisect(struct cpd_state *s, size_t lo, size_t hi)
{
	size_t best_t;
	double best_q, p;

	if (s->err)
		return;
	best_t = best_split(s->v, lo, hi, s->min_seg, s->half, &best_q);
	if (!best_t || !split_significant(s, lo, hi, best_q, &p))
		return;
	if (s->nidx == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		size_t *ni = realloc(s->idx, cap * sizeof(*ni));
		if (ni)
			s->idx = ni;
		double *np = ni ? realloc(s->pval, cap * sizeof(*np)) : NULL;
		if (!np) {
			s->err = -ENOMEM;
			return;
		}
		s->pval = np;
		s->cap = cap;
	}
	s->idx[s->nidx] = best_t;
	s->pval[s->nidx++] = p;
	cpd_bisect(s, lo, best_t);
	cpd_bisect(s, best_t, hi);
}

struct cp_sorted {
	size_t t;
	double p;
};

static int cmp_cp(const void *a, const void *b)
{
	size_t x = ((const struct cp_sorted *)a)->t, y = ((const struct cp_sorted *)b)->t;
	return (x > y) - (x < y);
}

/*
 * The medians of the segments next to change point k of cps[0..n) in
 * v[0..len), each limited to the window/2 points next to it.  tmp holds
 * at least window points.
 */
static void cp_medians(const double *v, size_t len, const struct cp_sorted *cps, size_t n,
		       size_t k, size_t half, double *tmp, double *before, double *after,
		       size_t *l_out, size_t *r_out)
{
	size_t t = cps[k].t;
	size_t lo = k ? cps[k - 1].t : 0, hi = k + 1 < n ? cps[k + 1].t : len;
	size_t l = window_start(lo, t, half), r = window_end(hi, t, half);

	memcpy(tmp, v + l, (r - l) * sizeof(*tmp));
	*before = drmb_median_double(tmp, t - l);
	*after = drmb_median_double(tmp + (t - l), r - t);
	*l_out = l;
	*r_out = r;
}

/*
 * The size of a step for --min-step: |ln(after / before)| against
 * ln(1 + min_step), the same symmetric, rounding-exact rule as the minimum
 * effect of a verdict.  A step to or from a value <= 0 has no ratio; it
 * counts when the values differ.
 */
static int step_reaches(double before, double after, double min_step)
{
	if (!(before > 0 && after > 0))
		return before != after;
	return reaches_effect(fabs(log(after / before)), log1p(min_step),
			      effect_slack(before, after));
}

int drmb_edivisive(const double *v, size_t n, const struct drmb_cpd_params *par,
		   struct drmb_change_point *cp, size_t max_cp)
{
	struct cpd_state s = { .v = v, .par = par };
	struct cp_sorted *cps = NULL;
	double *tmp = NULL;
	size_t count = 0, ncp;
	int ret = 0;

	if (!v || !par || (max_cp && !cp) || par->window < 2 || !(par->alpha > 0 && par->alpha < 1) ||
	    !(par->min_step >= 0))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return -EINVAL;
	s.min_seg = par->min_segment ? par->min_segment : 1;
	s.half = par->window / 2 > s.min_seg ? par->window / 2 : s.min_seg;
	s.perms = drmb_cpd_permutations(par);
	if (s.perms > DRMB_CPD_MAX_PERMUTATIONS)
		return -EINVAL;
	/* p = (1 + exceed) / (1 + P) <= alpha  <=>  exceed <= alpha (1 + P) - 1 */
	double allow = floor(par->alpha * (double)(1 + s.perms) * (1 + 1e-12)) - 1;
	if (allow < 0)
		return 0;	/* P too small for any p <= alpha */
	s.max_exceed = (size_t)allow;
	s.buf = malloc((n ? n : 1) * sizeof(*s.buf));
	tmp = malloc((2 * s.half + 1) * sizeof(*tmp));
	if (!s.buf || !tmp) {
		ret = -ENOMEM;
		goto out;
	}
	cpd_bisect(&s, 0, n);
	if (s.err) {
		ret = s.err;
		goto out;
	}
	ncp = s.nidx;
	cps = malloc((ncp ? ncp : 1) * sizeof(*cps));
	if (!cps) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t k = 0; k < ncp; k++)
		cps[k] = (struct cp_sorted){ s.idx[k], s.pval[k] };
	qsort(cps, ncp, sizeof(*cps), cmp_cp);
	/*
	 * --min-step: drop the smallest step below it and measure its
	 * neighbours again against their merged segments, until every step
	 * left is large enough.  A drift then reads as a few small steps, none
	 * of which is reported, unless it adds up to min_step somewhere.
	 */
	for (;;) {
		size_t worst = ncp;
		double worst_step = INFINITY, b, a;
		size_t l, r;
		for (size_t k = 0; k < ncp; k++) {
			cp_medians(v, n, cps, ncp, k, s.half, tmp, &b, &a, &l, &r);
			if (step_reaches(b, a, par->min_step))
				continue;
			double step = b > 0 && a > 0 ? fabs(log(a / b)) : 0;
			if (step < worst_step) {
				worst_step = step;
				worst = k;
			}
		}
		if (worst == ncp)
			break;
		memmove(cps + worst, cps + worst + 1, (ncp - worst - 1) * sizeof(*cps));
		ncp--;
	}
	count = ncp < max_cp ? ncp : max_cp;
	for (size_t k = 0; k < count; k++) {
		size_t l, r;
		cp_medians(v, n, cps, ncp, k, s.half, tmp, &cp[k].before, &cp[k].after, &l, &r);
		cp[k].index = cps[k].t;
		cp[k].q = energy_q(v, l, cps[k].t, r);
		cp[k].p = cps[k].p;
		cp[k].permutations = s.perms;
	}
	ret = (int)count;
out:
	free(s.idx);
	free(s.pval);
	free(s.buf);
	free(tmp);
	free(cps);
	return ret;
}

/* ---- a rate's upper bound (Clopper-Pearson) ----------------------------- */

/*
 * [CP34]: the binomial CDF at x is decreasing in p, so bisection on p
 * finds the bound.
 */
double drmb_binom_upper(size_t x, size_t n, double conf)
{
	double lo = 0, hi = 1, lg_n1 = lgamma((double)n + 1);

	if (!n || x > n || !(conf > 0 && conf < 1))
		return NAN;
	if (x == n)
		return 1;
	for (int it = 0; it < 100; it++) {
		double p = (lo + hi) / 2, cdf = 0;
		for (size_t i = 0; i <= x; i++)
			cdf += exp(lg_n1 - lgamma((double)i + 1) - lgamma((double)(n - i) + 1) +
				   (double)i * log(p) + (double)(n - i) * log1p(-p));
		if (cdf > 1 - conf)
			lo = p;
		else
			hi = p;
	}
	return hi;
}
