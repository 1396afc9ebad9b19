// SPDX-License-Identifier: MIT
/*
 * Unit tests for bench/lib/stats.c.  Summaries and quantiles are checked
 * against values computed by hand (the arithmetic is in the comments);
 * Mann-Whitney, Hodges-Lehmann and Benjamini-Hochberg against R (see the
 * vectors further down, each with the R call that produced it).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "stats.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void test_sort(void)
{
	enum { N = 200000 };
	uint64_t *a = malloc(N * sizeof(*a)), *b = malloc(N * sizeof(*b));
	uint64_t seed = 88172645463325252ull;
	const char *shapes[] = { "random", "few distinct", "sorted", "reversed", "all equal", "organ pipe" };

	for (int shape = 0; shape < 6; shape++) {
		for (size_t i = 0; i < N; i++) {
			switch (shape) {
			case 0: a[i] = xorshift(&seed); break;
			case 1: a[i] = xorshift(&seed) % 3; break;
			case 2: a[i] = i; break;
			case 3: a[i] = N - i; break;
			case 4: a[i] = 42; break;
			default: a[i] = i < N / 2 ? i : N - i; break;
			}
		}
		memcpy(b, a, N * sizeof(*a));
		drmb_sort_u64(a, N);
		qsort(b, N, sizeof(*b), cmp_u64);
		CHECK(memcmp(a, b, N * sizeof(*a)) == 0, "sort_u64 matches qsort (%s, n=%d)", shapes[shape], N);
	}
	for (size_t n = 0; n < 40; n++) {
		for (size_t i = 0; i < n; i++)
			a[i] = b[i] = xorshift(&seed) % 5;
		drmb_sort_u64(a, n);
		qsort(b, n, sizeof(*b), cmp_u64);
		if (memcmp(a, b, n * sizeof(*a)))
			CHECK(0, "sort_u64 small n=%zu", n);
	}
	CHECK(1, "sort_u64 small sizes 0..39 checked");

	double d[] = { 3.5, -1, 2, 1e300, -1e-300, 0, 2 };
	drmb_sort_double(d, 7);
	CHECK(d[0] == -1 && d[1] == -1e-300 && d[2] == 0 && d[3] == 2 && d[4] == 2 &&
	      d[5] == 3.5 && d[6] == 1e300, "sort_double ascending with negatives and duplicates");
	free(a);
	free(b);
}

static void test_quantiles(void)
{
	const uint64_t x[] = { 1, 2, 3, 4, 10, 20 };

	/* type 7: h = (n-1) q; x[floor h] + frac * (x[floor h + 1] - x[floor h]) */
	CHECK_CLOSE(drmb_quantile_sorted_u64(x, 6, 0.5), 3.5, 1e-12, "q0.5 of {1,2,3,4,10,20}: h=2.5 -> 3.5");
	CHECK_CLOSE(drmb_quantile_sorted_u64(x, 6, 0.9), 15, 1e-12, "q0.9: h=4.5 -> 10+0.5*10 = 15");
	CHECK_CLOSE(drmb_quantile_sorted_u64(x, 6, 0.25), 2.25, 1e-12, "q0.25: h=1.25 -> 2.25");
	CHECK(drmb_quantile_sorted_u64(x, 6, 0) == 1, "q0 = min");
	CHECK(drmb_quantile_sorted_u64(x, 6, 1) == 20, "q1 = max");
	CHECK(drmb_quantile_sorted_u64(x, 1, 0.7) == 1, "n=1: every quantile is the sample");
	CHECK(isnan(drmb_quantile_sorted_u64(x, 0, 0.5)), "n=0 -> NaN");
	CHECK(isnan(drmb_quantile_sorted_u64(x, 6, 1.5)), "q>1 -> NaN");
	CHECK(isnan(drmb_quantile_sorted_u64(x, 6, NAN)), "q NaN -> NaN");

	double v[] = { 4, 1, 3, 2 };
	CHECK_CLOSE(drmb_median_double(v, 4), 2.5, 1e-12, "median_double {4,1,3,2} = 2.5");
	CHECK(v[0] == 1 && v[3] == 4, "median_double sorted its input");
	CHECK(isnan(drmb_median_double(v, 0)), "median_double n=0 -> NaN");
}

static void test_summary(void)
{
	struct drmb_summary s;
	uint64_t odd[] = { 5, 1, 3, 2, 4 };
	uint64_t even[] = { 20, 1, 10, 3, 2, 4 };
	uint64_t one[] = { 7 };
	uint64_t big[] = { UINT64_MAX, UINT64_MAX };

	CHECK(drmb_summarize_u64(odd, 0, &s) == -EINVAL, "summarize n=0 -> -EINVAL");

	/* {1..5}: mean 3, median 3, |x-3| = {2,1,0,1,2} -> median 1 */
	CHECK(drmb_summarize_u64(odd, 5, &s) == 0, "summarize odd n");
	CHECK(s.n == 5 && s.min == 1 && s.max == 5 && s.mean == 3 && s.mad == 1,
	      "odd: n=5 min=1 max=5 mean=3 mad=1 (got mad %g)", s.mad);
	CHECK(odd[0] == 1 && odd[4] == 5, "summarize sorted the samples in place");
	CHECK(s.have == 0 && isnan(s.p50) && isnan(s.p999), "n=5: no quantile is valid (p50 needs 200)");

	/* median 3.5; |x-3.5| = {.5,.5,1.5,2.5,6.5,16.5} -> (1.5+2.5)/2 = 2; mean 40/6 */
	CHECK(drmb_summarize_u64(even, 6, &s) == 0, "summarize even n");
	CHECK_CLOSE(s.mad, 2, 1e-12, "even: mad of {1,2,3,4,10,20} = 2");
	CHECK_CLOSE(s.mean, 40.0 / 6, 1e-12, "even: mean = 40/6");

	CHECK(drmb_summarize_u64(one, 1, &s) == 0 && s.min == 7 && s.max == 7 &&
	      s.mean == 7 && s.mad == 0, "n=1: min=max=mean=7, mad 0");

	CHECK(drmb_summarize_u64(big, 2, &s) == 0, "summarize near UINT64_MAX");
	CHECK_CLOSE(s.mean, 18446744073709551615.0, 1e-15, "mean does not overflow at UINT64_MAX");

	/* quantile validity thresholds: n >= 100/(1-q) */
	enum { N = 100000 };
	uint64_t *a = malloc(N * sizeof(*a));
	size_t sizes[] = { 199, 200, 999, 1000, 9999, 10000, 99999, 100000 };
	unsigned int want[] = { 0, 1, 1, 3, 3, 7, 7, 15 };
	for (size_t k = 0; k < 8; k++) {
		for (size_t i = 0; i < sizes[k]; i++)
			a[i] = sizes[k] - i;
		drmb_summarize_u64(a, sizes[k], &s);
		CHECK(s.have == want[k], "n=%zu: have=%u (want %u)", sizes[k], s.have, want[k]);
	}
	/*
	 * 1..100000 (filled in reverse above): type 7 gives 1 + (n-1)q;
	 * mean 50000.5; |x - 50000.5| = 0.5, 0.5, 1.5, 1.5, ... so the
	 * middle ranks 49999, 50000 are 24999.5 and 25000.5 -> MAD 25000.
	 */
	CHECK_CLOSE(s.p50, 50000.5, 1e-12, "1..1e5 p50 = 50000.5");
	CHECK_CLOSE(s.p90, 1 + 99999 * 0.9, 1e-12, "1..1e5 p90 = 90000.1");
	CHECK_CLOSE(s.p99, 1 + 99999 * 0.99, 1e-12, "1..1e5 p99 = 99000.01");
	CHECK_CLOSE(s.p999, 1 + 99999 * 0.999, 1e-12, "1..1e5 p99.9 = 99900.001");
	CHECK_CLOSE(s.mean, 50000.5, 1e-12, "1..1e5 mean");
	CHECK_CLOSE(s.mad, 25000, 1e-12, "1..1e5 mad = 25000");
	CHECK(s.min == 1 && s.max == 100000, "1..1e5 min/max");

	/* skewed: 199 samples of 100 and one of 1e6: median 100, MAD 0 */
	for (size_t i = 0; i < 200; i++)
		a[i] = i == 17 ? 1000000 : 100;
	drmb_summarize_u64(a, 200, &s);
	CHECK(s.p50 == 100 && s.mad == 0 && s.max == 1e6, "one outlier: p50 100, mad 0, max 1e6");
	free(a);
}

static void test_noise(void)
{
	/*
	 * ln of {100,101,99,102,98} around ln 100: |ln(x/100)| sorted are
	 * 0, ln 1.01, -ln 0.99, ln 1.02, -ln 0.98; the median is -ln 0.99.
	 */
	const double v[] = { 100, 101, 99, 102, 98 };
	CHECK_CLOSE(drmb_log_mad_noise(v, 5), -1.4826 * log(0.99), 1e-12, "log-MAD noise of 100 +- 1,2");
	const double same[] = { 5, 5, 5 };
	CHECK(drmb_log_mad_noise(same, 3) == 0, "constant values: noise 0");
	const double neg[] = { 5, -1, 5 };
	const double zero[] = { 5, 0, 5 };
	const double inf[] = { 5, INFINITY, 5 };
	CHECK(isnan(drmb_log_mad_noise(v, 1)), "noise n=1 -> NaN");
	CHECK(isnan(drmb_log_mad_noise(neg, 3)), "noise with negative -> NaN");
	CHECK(isnan(drmb_log_mad_noise(zero, 3)), "noise with zero -> NaN");
	CHECK(isnan(drmb_log_mad_noise(inf, 3)), "noise with inf -> NaN");
}

int main(void)
{
	test_sort();
	test_quantiles();
	test_summary();
	test_noise();
	return check_done();
}
