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
#include "stats_vectors.h"

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

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define REL 1e-6

static void check_case(const char *name, const double *x, size_t n, const double *y,
		       size_t m, const struct ref *r)
{
	struct drmb_mw mw;
	struct drmb_hl hl;
	char what[96];

	CHECK(drmb_mann_whitney(x, n, y, m, &mw) == 0, "%s: mann_whitney runs", name);
	snprintf(what, sizeof(what), "%s: U vs R", name);
	CHECK_CLOSE(mw.u, r->u, REL, what);
	snprintf(what, sizeof(what), "%s: p vs R wilcox.test", name);
	CHECK_CLOSE(mw.p, r->p, REL, what);
	CHECK(mw.exact == r->exact, "%s: exact=%d as R chose (%d)", name, mw.exact, r->exact);

	CHECK(drmb_hodges_lehmann(x, n, y, m, 0.95, &hl) == 0, "%s: hodges_lehmann runs", name);
	snprintf(what, sizeof(what), "%s: HL estimate vs R", name);
	CHECK_CLOSE(hl.shift, r->hl, REL, what);
	if (hl.achieved_conf >= 0.95) {
		snprintf(what, sizeof(what), "%s: CI low vs R", name);
		CHECK_CLOSE(hl.lo, r->lo, REL, what);
		snprintf(what, sizeof(what), "%s: CI high vs R", name);
		CHECK_CLOSE(hl.hi, r->hi, REL, what);
	} else {
		CHECK(isnan(hl.lo) && isnan(hl.hi), "%s: 95%% not reachable -> CI NaN (achieved %.3f)",
		      name, hl.achieved_conf);
	}
	/* swapping the sides mirrors everything */
	struct drmb_mw mw2;
	struct drmb_hl hl2;
	drmb_mann_whitney(y, m, x, n, &mw2);
	drmb_hodges_lehmann(y, m, x, n, 0.95, &hl2);
	CHECK(check_close(mw2.p, mw.p, 1e-12) && check_close(mw2.u, (double)(n * m) - mw.u, 1e-12) &&
	      check_close(-hl2.shift, hl.shift, 1e-12),
	      "%s: swapping old/new mirrors U, keeps p, negates the shift", name);
}

#define CASE(c) check_case(#c, c##_x, NELEM(c##_x), c##_y, NELEM(c##_y), &c##_ref)

static void test_against_r(void)
{
	CASE(doc_ties);
	CASE(perm_exact);
	CASE(ln10);
	CASE(ln20);
	CASE(large);
	CASE(int_ties);
	CASE(three);
	CASE(large_ties);

	/* three vs three: R's exact branch warns and returns (D_1, D_9) at 90% */
	struct drmb_hl hl;
	drmb_hodges_lehmann(three_x, 3, three_y, 3, 0.95, &hl);
	CHECK_CLOSE(hl.achieved_conf, 0.9, 1e-12, "3 vs 3: best achievable coverage is 1 - 2/20 = 0.9");
	drmb_hodges_lehmann(three_x, 3, three_y, 3, 0.90, &hl);
	CHECK(check_close(hl.lo, three_ref.lo, REL) && check_close(hl.hi, three_ref.hi, REL),
	      "3 vs 3 at 90%%: R's interval (D_1, D_9)");

	/* the implicit selection (large samples) equals sorting all differences */
	enum { BN = 600, BM = 700 };
	static double bx[BN], by[BM];
	static double all[BN * BM];
	uint64_t seed = 12345;
	for (size_t i = 0; i < BN; i++)
		bx[i] = (double)(xorshift(&seed) % 100000) / 1000;
	for (size_t j = 0; j < BM; j++)
		by[j] = (double)(xorshift(&seed) % 100000) / 1000 + 3;
	for (size_t i = 0; i < BN; i++)
		for (size_t j = 0; j < BM; j++)
			all[i * BM + j] = by[j] - bx[i];
	drmb_sort_double(all, BN * BM);
	drmb_hodges_lehmann(bx, BN, by, BM, 0.95, &hl);
	size_t nm = (size_t)BN * BM;
	double cc = nm / 2.0 - 1.959963984540054 * sqrt((double)nm * (BN + BM + 1) / 12);
	size_t c = (size_t)llround(cc);
	CHECK(hl.shift == (all[nm / 2 - 1] + all[nm / 2]) / 2, "600x700 (ties): HL = median of all sorted differences");
	CHECK(hl.lo == all[c - 1] && hl.hi == all[nm - c], "600x700: CI = sorted differences D_(C), D_(nm+1-C)");

	/* the same without ties, and with few distinct values (plateaus of ties) */
	for (int shape = 0; shape < 2; shape++) {
		for (size_t i = 0; i < BN; i++)
			bx[i] = shape ? (double)(xorshift(&seed) % 7) : (double)(xorshift(&seed) >> 11) / 9007199254740992.0;
		for (size_t j = 0; j < BM; j++)
			by[j] = shape ? (double)(xorshift(&seed) % 5) + 1 : (double)(xorshift(&seed) >> 11) / 9007199254740992.0 + 0.01;
		for (size_t i = 0; i < BN; i++)
			for (size_t j = 0; j < BM; j++)
				all[i * BM + j] = by[j] - bx[i];
		drmb_sort_double(all, BN * BM);
		drmb_hodges_lehmann(bx, BN, by, BM, 0.95, &hl);
		CHECK(hl.shift == (all[nm / 2 - 1] + all[nm / 2]) / 2 && hl.lo == all[c - 1] && hl.hi == all[nm - c],
		      "600x700 %s: HL and CI equal the sorted differences", shape ? "7 and 5 distinct values" : "continuous");
	}

	/* randomized differential check: sizes around the exact/normal switch, few to no ties */
	int bad = 0;
	for (int trial = 0; trial < 300 && !bad; trial++) {
		size_t tn = 1 + xorshift(&seed) % 90, tm = 1 + xorshift(&seed) % 90, tnm = tn * tm;
		uint64_t levels = trial % 3 == 0 ? 4 : trial % 3 == 1 ? 50 : 1u << 30;
		for (size_t i = 0; i < tn; i++)
			bx[i] = (double)(xorshift(&seed) % levels);
		for (size_t j = 0; j < tm; j++)
			by[j] = (double)(xorshift(&seed) % levels) + (double)levels / 10;
		for (size_t i = 0; i < tn; i++)
			for (size_t j = 0; j < tm; j++)
				all[i * tm + j] = by[j] - bx[i];
		drmb_sort_double(all, tnm);
		if (drmb_hodges_lehmann(bx, tn, by, tm, 0.95, &hl)) {
			bad = 1;
			break;
		}
		double med = tnm % 2 ? all[tnm / 2] : (all[tnm / 2 - 1] + all[tnm / 2]) / 2;
		int ci_ok = isnan(hl.lo) && isnan(hl.hi);
		for (size_t k = 1; !ci_ok && k <= (tnm + 1) / 2; k++)
			ci_ok = all[k - 1] == hl.lo && all[tnm - k] == hl.hi;
		if (hl.shift != med || !ci_ok) {
			bad = 1;
			printf("# trial %d: n=%zu m=%zu levels=%llu shift %g want %g, CI [%g, %g]\n", trial, tn, tm,
			       (unsigned long long)levels, hl.shift, med, hl.lo, hl.hi);
		}
	}
	CHECK(!bad, "300 random cases (1..90 runs a side, 4/50/2^30 levels): HL = median of the sorted differences, CI a symmetric pair of them");

	/* bad input */
	struct drmb_mw mw;
	const double withnan[] = { 1, NAN };
	CHECK(drmb_mann_whitney(three_x, 0, three_y, 3, &mw) == -EINVAL, "MW n=0 -> -EINVAL");
	CHECK(drmb_mann_whitney(withnan, 2, three_y, 3, &mw) == -EINVAL, "MW NaN -> -EINVAL");
	CHECK(drmb_hodges_lehmann(withnan, 2, three_y, 3, 0.95, &hl) == -EINVAL, "HL NaN -> -EINVAL");
	CHECK(drmb_hodges_lehmann(three_x, 3, three_y, 3, 1.5, &hl) == -EINVAL, "HL conf 1.5 -> -EINVAL");
	const double one_a[] = { 5 }, one_b[] = { 6 };
	CHECK(drmb_mann_whitney(one_a, 1, one_b, 1, &mw) == 0 && mw.p == 1, "1 vs 1: p = 1 (R: 1)");
	const double eq[] = { 5, 5, 5 };
	CHECK(drmb_mann_whitney(eq, 3, eq, 3, &mw) == 0 && mw.p == 1, "all values tied: p = 1 (R: NaN)");
}

static void test_exact_distribution(void)
{
	/* pwilcox() from R: see stats_vectors.h */
	CHECK_CLOSE(drmb_mw_exact_cdf(10, 6, 7), pw_ref[0], REL, "P(U<=10; 6,7) vs pwilcox");
	CHECK_CLOSE(drmb_mw_exact_cdf(40, 20, 20), pw_ref[1], REL, "P(U<=40; 20,20) vs pwilcox");
	CHECK_CLOSE(drmb_mw_exact_cdf(1000, 49, 49), pw_ref[2], REL, "P(U<=1000; 49,49) vs pwilcox");
	CHECK_CLOSE(drmb_mw_exact_cdf(0, 3, 3), pw_ref[3], REL, "P(U<=0; 3,3) = 1/20");
	CHECK(drmb_mw_exact_cdf(-1, 3, 3) == 0 && drmb_mw_exact_cdf(9, 3, 3) == 1, "cdf bounds");
	/* smallest two-sided p with 5 vs 5 runs: 2/252 */
	CHECK_CLOSE(drmb_mw_exact_p(25, 5, 5), 2.0 / 252, 1e-12, "5 vs 5 complete separation: p = 2/C(10,5)");
}

static void test_median_ci(void)
{
	struct drmb_median_ci ci;
	double s[NELEM(perm_exact_x)];
	double l[NELEM(large_x)];

	memcpy(s, perm_exact_x, sizeof(s));
	drmb_sort_double(s, NELEM(s));
	CHECK(drmb_median_ci_sorted(s, NELEM(s), 0.95, &ci) == 0, "median CI n=10");
	CHECK(ci.median == mci_perm_x[0] && ci.lo == mci_perm_x[1] && ci.hi == mci_perm_x[2],
	      "n=10: median %g in [%g, %g] (R: binomial order statistics)", ci.median, ci.lo, ci.hi);
	CHECK_CLOSE(ci.achieved_conf, mci_perm_x[3], REL, "n=10: coverage vs R pbinom");

	memcpy(l, large_x, sizeof(l));
	drmb_sort_double(l, NELEM(l));
	drmb_median_ci_sorted(l, NELEM(l), 0.95, &ci);
	CHECK(ci.lo == mci_large_x[1] && ci.hi == mci_large_x[2], "n=60: CI order statistics as R");
	CHECK_CLOSE(ci.median, mci_large_x[0], REL, "n=60: median vs R");
	CHECK_CLOSE(ci.achieved_conf, mci_large_x[3], REL, "n=60: coverage vs R pbinom");

	drmb_median_ci_sorted(s, 3, 0.95, &ci);
	CHECK(isnan(ci.lo) && isnan(ci.hi), "n=3: no 95%% interval, lo/hi NaN");
	CHECK_CLOSE(ci.achieved_conf, mci_three_x_cover, 1e-12, "n=3: coverage of (x_1, x_3) = 0.75");
	drmb_median_ci_sorted(s, 6, 0.95, &ci);
	CHECK(ci.lo == s[0] && ci.hi == s[5], "n=6: first n with a 95%% interval (x_1, x_6), as benchstat");
	CHECK_CLOSE(ci.achieved_conf, 62.0 / 64, 1e-12,
		    "n=6: (x_1, x_6) covers with 1 - 2/2^6 = 96.875%%, the only choice (not 95%%)");
	drmb_median_ci_sorted(s, 5, 0.95, &ci);
	CHECK(isnan(ci.lo), "n=5: no 95%% interval (coverage 0.9375)");
}

static void test_bh(void)
{
	const double p[] = { 0.01, 0.04, 0.03, 0.005, 0.5, 0.2, NAN };
	double adj[NELEM(p)];

	CHECK(drmb_bh_adjust(p, NELEM(p), adj) == 0, "bh_adjust runs");
	for (size_t i = 0; i < NELEM(p); i++) {
		if (isnan(bh_ref[i]))
			CHECK(isnan(adj[i]), "BH[%zu]: NaN stays NaN and is not counted", i);
		else
			CHECK_CLOSE(adj[i], bh_ref[i], REL, "BH vs R p.adjust");
	}
	double in_place[] = { 0.02, 0.01 };
	drmb_bh_adjust(in_place, 2, in_place);
	CHECK(in_place[0] == 0.02 && in_place[1] == 0.02, "BH in place: {0.02, 0.01} -> {0.02, 0.02}");
}

static void test_verdicts(void)
{
	struct drmb_cmp_params par = DRMB_CMP_PARAMS_DEFAULT;
	struct drmb_cmp c;
	double old[10], slow[10], same[10], fast[10], tiny[10];

	/* ten runs around 1000 ns with 0.5% spread */
	for (int i = 0; i < 10; i++) {
		old[i] = 1000 * (1 + 0.001 * (i - 4.5));
		slow[i] = old[i] * 1.05;
		same[i] = 1000 * (1 + 0.001 * (4.5 - i) + 0.0001);
		fast[i] = old[i] / 1.05;
		tiny[i] = old[i] * 1.01;
	}
	drmb_compare_runs(old, 10, slow, 10, &par, &c);
	c.p_adj = c.p;
	drmb_decide(&c, 0, &par);
	CHECK(c.verdict == DRMB_REGRESSION, "ns/op x1.05, separated: REGRESSION (p=%g ratio=%g)", c.p, c.ratio);
	CHECK_CLOSE(c.ratio, 1.05, 1e-9, "ratio of a pure x1.05 scaling is 1.05");
	CHECK(c.ratio_lo <= 1.05 && c.ratio_hi >= 1.05, "CI holds the true ratio");
	drmb_decide(&c, 1, &par);
	CHECK(c.verdict == DRMB_IMPROVEMENT, "same data, ops/s (higher is better): IMPROVEMENT");
	drmb_decide(&c, -1, &par);
	CHECK(c.verdict == DRMB_UNKNOWN, "same data, unknown direction: UNKNOWN, never gated");

	drmb_compare_runs(old, 10, fast, 10, &par, &c);
	c.p_adj = c.p;
	drmb_decide(&c, 0, &par);
	CHECK(c.verdict == DRMB_IMPROVEMENT, "ns/op /1.05: IMPROVEMENT");

	drmb_compare_runs(old, 10, same, 10, &par, &c);
	c.p_adj = c.p;
	drmb_decide(&c, 0, &par);
	CHECK(c.verdict == DRMB_SAME, "same distribution, tight CI: SAME (ratio %g [%g, %g])",
	      c.ratio, c.ratio_lo, c.ratio_hi);

	drmb_compare_runs(old, 10, tiny, 10, &par, &c);
	c.p_adj = c.p;
	drmb_decide(&c, 0, &par);
	CHECK(c.verdict == DRMB_SAME, "x1.01 significant but below 2%% with CI inside: SAME (p=%g)", c.p);
	c.p_adj = 0.5;
	drmb_decide(&c, 0, &par);
	CHECK(c.verdict == DRMB_SAME, "x1.01 with a CI inside +-2%% is SAME whatever p");

	/* noisy: 10% spread, 2 runs -> UNKNOWN with a request for more runs */
	double n1[] = { 1000, 1100 }, n2[] = { 1050, 1150 };
	drmb_compare_runs(n1, 2, n2, 2, &par, &c);
	c.p_adj = c.p;
	drmb_decide(&c, 0, &par);
	CHECK(c.verdict == DRMB_UNKNOWN && c.more_runs >= 10, "2 vs 2 runs: UNKNOWN, need >= 10 (got %zu)", c.more_runs);
	double one_a[] = { 1000 }, one_b[] = { 2000 };
	drmb_compare_runs(one_a, 1, one_b, 1, &par, &c);
	c.p_adj = c.p;
	drmb_decide(&c, 0, &par);
	CHECK(c.verdict == DRMB_UNKNOWN, "single run per side, even x2: UNKNOWN");

	double wide_old[10], wide_new[10];
	for (int i = 0; i < 10; i++) {
		wide_old[i] = 1000 * (1 + 0.02 * ((i * 7) % 10 - 4.5));
		wide_new[i] = 1000 * (1 + 0.02 * ((i * 3) % 10 - 4.5)) * 1.005;
	}
	drmb_compare_runs(wide_old, 10, wide_new, 10, &par, &c);
	c.p_adj = c.p;
	drmb_decide(&c, 0, &par);
	CHECK(c.verdict == DRMB_UNKNOWN && c.more_runs > 10,
	      "10%% spread, CI wider than +-2%%: UNKNOWN, asks for more runs (%zu)", c.more_runs);
	CHECK(c.noise > 0.05, "noise reported for the wide case (%g)", c.noise);

	const double bad[] = { 1000, -1 }, zero[] = { 1000, 0 }, inf[] = { 1000, INFINITY };
	CHECK(drmb_compare_runs(old, 10, bad, 2, &par, &c) == -EINVAL, "compare_runs negative -> -EINVAL");
	CHECK(drmb_compare_runs(old, 10, zero, 2, &par, &c) == -EINVAL, "compare_runs zero -> -EINVAL");
	CHECK(drmb_compare_runs(inf, 2, old, 10, &par, &c) == -EINVAL, "compare_runs inf -> -EINVAL");
	CHECK(!strcmp(drmb_verdict_name(DRMB_REGRESSION), "REGRESSION"), "verdict names");
}

/*
 * The minimum-effect boundary is exact: a ratio of exactly 1 + min_effect
 * (102 vs 100 ns at 2%) reaches it, although ln(102) - ln(100) is a hair
 * (8.4e-16) below log1p(0.02) in double, and a CI ending exactly there does
 * not exclude it.  On the faster side the threshold is its mirror 1/(1+e):
 * 100 after 102 (-1.96%), so swapping OLD and NEW (or ns/op for its rate)
 * keeps the verdict's size.  Ten runs at 100 ns against ten whose 5th and
 * 6th (hence the Hodges-Lehmann median of the 100 differences, old being
 * constant) or whose 8th (the upper CI end, D_(77), qwilcox(0.025, 10, 10)
 * = 24) is 102.
 */
static void verdict_of(const double *x, const double *y, int direction, struct drmb_cmp *c)
{
	struct drmb_cmp_params par = DRMB_CMP_PARAMS_DEFAULT;

	drmb_compare_runs(x, 10, y, 10, &par, c);
	c->p_adj = c->p;
	drmb_decide(c, direction, &par);
}

static void test_effect_boundary(void)
{
	const double base[10] = { 100, 100, 100, 100, 100, 100, 100, 100, 100, 100 };
	const double at[10] = { 101, 101.5, 101.8, 101.9, 102, 102, 102.1, 102.2, 102.5, 103 };
	const double below[10] = { 101, 101.5, 101.8, 101.9, 101.99, 101.99, 102.1, 102.2, 102.5, 103 };
	const double ci_at[10] = { 100.2, 100.4, 100.6, 100.8, 101, 101.2, 101.4, 102, 102, 102 };
	const double ci_below[10] = { 100.2, 100.4, 100.6, 100.8, 101, 101.2, 101.4, 101.99, 102, 102 };
	const double down[10] = { 98, 98, 98, 98, 98, 98, 98, 98, 98, 98 };
	struct drmb_cmp c;

	verdict_of(base, at, 0, &c);
	CHECK(c.verdict == DRMB_REGRESSION && c.p < 0.01,
	      "ns/op 100 -> 102 (+2.00%%, p=%.2g, ratio %.17g): REGRESSION, not UNKNOWN need ~%zu",
	      c.p, c.ratio, c.more_runs);
	verdict_of(base, at, 1, &c);
	CHECK(c.verdict == DRMB_IMPROVEMENT, "ops/s 100 -> 102: IMPROVEMENT of exactly 2%%");
	verdict_of(at, base, 0, &c);
	CHECK(c.verdict == DRMB_IMPROVEMENT,
	      "mirror, ns/op 102 -> 100 (ratio 1/1.02, -1.96%%): IMPROVEMENT (got %s, need ~%zu)",
	      drmb_verdict_name(c.verdict), c.more_runs);
	verdict_of(at, base, 1, &c);
	CHECK(c.verdict == DRMB_REGRESSION, "mirror, ops/s 102 -> 100: REGRESSION");
	verdict_of(base, below, 0, &c);
	CHECK(c.verdict == DRMB_UNKNOWN, "100 -> 101.99 (+1.99%%, significant): below the effect, UNKNOWN (got %s)",
	      drmb_verdict_name(c.verdict));
	verdict_of(below, base, 0, &c);
	CHECK(c.verdict == DRMB_UNKNOWN, "mirror, 101.99 -> 100: UNKNOWN (got %s)", drmb_verdict_name(c.verdict));
	verdict_of(base, down, 0, &c);
	CHECK(c.verdict == DRMB_IMPROVEMENT, "100 -> 98 (-2.00%%, beyond 1/1.02): IMPROVEMENT");

	verdict_of(base, ci_at, 0, &c);
	CHECK(c.verdict == DRMB_UNKNOWN && check_close(c.ratio_hi, 1.02, 1e-12),
	      "CI [%.4f, %.17g] ends at +2.00%%: UNKNOWN, not SAME (got %s)", c.ratio_lo, c.ratio_hi,
	      drmb_verdict_name(c.verdict));
	verdict_of(ci_at, base, 0, &c);
	CHECK(c.verdict == DRMB_UNKNOWN, "mirror, CI starting at 1/1.02: UNKNOWN, not SAME (got %s)",
	      drmb_verdict_name(c.verdict));
	verdict_of(base, ci_below, 0, &c);
	CHECK(c.verdict == DRMB_SAME, "CI ending at +1.99%%: SAME (got %s)", drmb_verdict_name(c.verdict));
	verdict_of(ci_below, base, 0, &c);
	CHECK(c.verdict == DRMB_SAME, "mirror, CI starting at 1/1.0199: SAME (got %s)", drmb_verdict_name(c.verdict));
}

static void test_spread(void)
{
	double x[40], y[40], z[40];
	struct drmb_spread sp;

	/* ln values spread +-1% vs +-4% around different medians */
	for (int i = 0; i < 40; i++) {
		double u = (i - 19.5) / 19.5;

		x[i] = 1000 * exp(0.01 * u);
		y[i] = 3000 * exp(0.04 * u);
		z[i] = 5000 * exp(0.01 * u);
	}
	CHECK(!drmb_spread_compare(x, 40, y, 40, &sp) && sp.p < 1e-6 &&
	      fabs(sp.ratio - 4) < 0.1, "spread x4: p %.3g, ratio %.3f", sp.p, sp.ratio);
	CHECK(!drmb_spread_compare(x, 40, z, 40, &sp) && sp.p > 0.5 && fabs(sp.ratio - 1) < 1e-9,
	      "same spread, other median: p %.3g, ratio %.3f", sp.p, sp.ratio);
	x[3] = -1;
	CHECK(drmb_spread_compare(x, 40, y, 40, &sp) == -EINVAL, "a non-positive value: -EINVAL");
	CHECK(drmb_spread_compare(y, 1, z, 40, &sp) == -EINVAL, "one value: -EINVAL");
}

static void test_edivisive(void)
{
	struct drmb_cpd_params par = DRMB_CPD_PARAMS_DEFAULT;
	struct drmb_change_point cp[8];
	double v[120];
	uint64_t seed = 4242;
	int n;

	/* flat noise: no change point */
	for (int i = 0; i < 120; i++)
		v[i] = 1000 + (double)(xorshift(&seed) % 1000) / 100;
	n = drmb_edivisive(v, 120, &par, cp, 8);
	CHECK(n == 0, "flat series of 120: no change point (got %d)", n);

	/* +5% step at 70 with 1% noise */
	for (int i = 70; i < 120; i++)
		v[i] *= 1.05;
	n = drmb_edivisive(v, 120, &par, cp, 8);
	CHECK(n == 1 && cp[0].index == 70, "one step at 70 found (n=%d, at %zu)", n, n > 0 ? cp[0].index : 0);
	if (n >= 1) {
		CHECK(cp[0].p <= 0.001 && cp[0].after / cp[0].before > 1.04 && cp[0].after / cp[0].before < 1.06,
		      "step size ~1.05 (%g), p %g", cp[0].after / cp[0].before, cp[0].p);
	}
	/* second step back down at 100 */
	for (int i = 100; i < 120; i++)
		v[i] /= 1.05;
	n = drmb_edivisive(v, 120, &par, cp, 8);
	CHECK(n == 2 && cp[0].index == 70 && cp[1].index == 100, "two steps at 70 and 100 (n=%d)", n);

	/* a step with min_segment (5) points after 30 stable ones is found; with 4 it is not yet */
	for (int i = 0; i < 30; i++)
		v[i] = 1000 + (i % 3);
	for (int i = 30; i < 35; i++)
		v[i] = 1100 + (i % 3);
	n = drmb_edivisive(v, 35, &par, cp, 8);
	CHECK(n == 1 && cp[0].index == 30, "+10%% step with 5 points after 30: found at 30 (n=%d)", n);
	n = drmb_edivisive(v, 34, &par, cp, 8);
	CHECK(n == 0 || cp[0].index + par.min_segment <= 34,
	      "4 points after it: no segment shorter than min_segment (n=%d at %zu)", n, n > 0 ? cp[0].index : 0);
	CHECK(drmb_edivisive(v, 3, &par, cp, 8) == 0, "3 points: nothing");
	v[3] = NAN;
	CHECK(drmb_edivisive(v, 35, &par, cp, 8) == -EINVAL, "NaN in series -> -EINVAL");
	v[3] = 1000;
	par.min_step = -1;
	CHECK(drmb_edivisive(v, 35, &par, cp, 8) == -EINVAL, "negative min_step -> -EINVAL");
}

/* ln-normal noise of sd `sd` around 1 (Box-Muller on xorshift) */
static double noise(uint64_t *seed, double sd)
{
	double u1 = ((double)(xorshift(seed) >> 11) + 0.5) / 9007199254740992.0;
	double u2 = (double)(xorshift(seed) >> 11) / 9007199254740992.0;

	return exp(sd * sqrt(-2 * log(u1)) * cos(2 * 3.14159265358979323846 * u2));
}

/*
 * The permutation test of the split search and the minimum step: a clear
 * step is found where it is, with p = (1 + k)/(1 + P); a drift below
 * min_step is not reported (it is with min_step 0, so the filter is what
 * removes it); the same input gives the same output, bit for bit; and on
 * flat histories the rate of change points stays near alpha, where testing
 * the chosen split as if it had been fixed in advance (the old
 * Mann-Whitney confirmation) gave several times alpha.
 */
static void test_edivisive_permutation(void)
{
	struct drmb_cpd_params par = DRMB_CPD_PARAMS_DEFAULT;
	struct drmb_change_point cp[8], again[8];
	double v[60];
	uint64_t seed = 99;
	int n, m;

	CHECK(drmb_cpd_permutations(&par) == 999, "P at alpha 0.001: 999 (got %zu)", drmb_cpd_permutations(&par));
	par.alpha = 1e-4;
	CHECK(drmb_cpd_permutations(&par) == 9999, "P at alpha 1e-4: 9999 (got %zu)", drmb_cpd_permutations(&par));
	par.alpha = 1e-7;
	CHECK(drmb_edivisive(v, 0, &par, cp, 8) == -EINVAL, "alpha 1e-7 (1e7 permutations): -EINVAL");
	par.alpha = 0.001;

	/* 60 nights, 0.4% noise (medians of 10 runs at 1%), +3% from night 40 */
	for (int i = 0; i < 60; i++)
		v[i] = 1000 * noise(&seed, 0.004) * (i >= 40 ? 1.03 : 1);
	n = drmb_edivisive(v, 60, &par, cp, 8);
	CHECK(n == 1 && cp[0].index == 40, "+3%% step at night 40: one change point at 40 (n=%d at %zu)",
	      n, n > 0 ? cp[0].index : 0);
	if (n == 1) {
		double k = cp[0].p * (double)(1 + cp[0].permutations) - 1;
		CHECK(cp[0].permutations == 999 && cp[0].p <= par.alpha && fabs(k - round(k)) < 1e-9,
		      "its p is (1 + k)/(1 + P) <= alpha (p=%g, P=%zu)", cp[0].p, cp[0].permutations);
		CHECK(cp[0].after / cp[0].before > 1.02 && cp[0].after / cp[0].before < 1.04,
		      "step between the segment medians ~ +3%% (%g)", cp[0].after / cp[0].before);
	}
	m = drmb_edivisive(v, 60, &par, again, 8);
	CHECK(m == n && !memcmp(cp, again, (size_t)(n > 0 ? n : 0) * sizeof(*cp)),
	      "same input, same output, bit for bit");
	par.min_step = 0.035;
	n = drmb_edivisive(v, 60, &par, cp, 8);
	CHECK(n == 0, "the +3%% step with --min-step 3.5%%: not reported (n=%d)", n);
	par.min_step = 0.01;

	/* a step of exactly min_step counts, either way (the verdicts' rule;
	 * |ln(100/103)| is a hair below log1p(0.03) in double) */
	par.min_step = 0.03;
	for (int i = 0; i < 60; i++)
		v[i] = i < 30 ? 100 : 103;
	n = drmb_edivisive(v, 60, &par, cp, 8);
	CHECK(n == 1 && cp[0].index == 30, "100 -> 103, exactly a 3%% min_step: reported (n=%d)", n);
	for (int i = 0; i < 60; i++)
		v[i] = i < 30 ? 103 : 100;
	n = drmb_edivisive(v, 60, &par, cp, 8);
	CHECK(n == 1 && cp[0].index == 30, "103 -> 100, its mirror 1/1.03: reported (n=%d)", n);
	par.min_step = 0.0301;
	n = drmb_edivisive(v, 60, &par, cp, 8);
	CHECK(n == 0, "the same with min_step 3.01%%: not reported (n=%d)", n);
	par.min_step = 0.01;

	/* a slow drift of +0.8% over 60 nights with 0.05% noise */
	for (int i = 0; i < 60; i++)
		v[i] = 1000 * (1 + 0.008 * i / 59.0) * noise(&seed, 0.0005);
	n = drmb_edivisive(v, 60, &par, cp, 8);
	CHECK(n == 0, "drift of 0.8%% in all, below min_step 1%%: no change point (n=%d)", n);
	par.min_step = 0;
	n = drmb_edivisive(v, 60, &par, cp, 8);
	CHECK(n >= 1, "the same drift with min_step 0: significant splits (n=%d)", n);

	/* the rate bound perf_trend prints: exact for x = 0, the defining CDF otherwise */
	CHECK_CLOSE(drmb_binom_upper(0, 300, 0.95), 1 - pow(0.05, 1.0 / 300), 1e-12, "Clopper-Pearson 0 of 300");
	double u = drmb_binom_upper(5, 100, 0.95), cdf = 0;
	for (int i = 0; i <= 5; i++)
		cdf += exp(lgamma(101) - lgamma(i + 1) - lgamma(101 - i) + i * log(u) + (100 - i) * log1p(-u));
	CHECK_CLOSE(cdf, 0.05, 1e-9, "Clopper-Pearson 5 of 100: P(Binomial(100, bound) <= 5) = 0.05");
	CHECK(drmb_binom_upper(3, 3, 0.95) == 1 && isnan(drmb_binom_upper(4, 3, 0.95)) &&
	      isnan(drmb_binom_upper(0, 0, 0.95)), "Clopper-Pearson edges: x == n -> 1, x > n or n == 0 -> NaN");

	/* 400 flat histories at alpha 0.01 with min_step 0: about 4 expected;
	 * P(Binomial(400, 0.01) > 12) ~ 1e-4.  The Mann-Whitney test of the
	 * chosen split flagged 65 of these 400 (16%). */
	int flagged = 0;
	par.alpha = 0.01;
	seed = 2024;
	for (int h = 0; h < 400; h++) {
		for (int i = 0; i < 60; i++)
			v[i] = 1000 * noise(&seed, 0.004);
		flagged += drmb_edivisive(v, 60, &par, cp, 8) > 0;
	}
	CHECK(flagged <= 12, "400 flat histories at alpha 0.01, min_step 0: %d with a change point (<= 12)", flagged);
}

/* ---- the fast paths of a large comparison against their plain forms -------- */

/*
 * Hodges-Lehmann at sizes where the selection folds ties, starts from the
 * difference sample and takes the (k+1)-th from its collection: shift and
 * interval must be bit for bit the order statistics of all n*m sorted
 * differences, for continuous data, integer-rounded data (hundreds of
 * distinct values), a handful of distinct values, a constant side and a
 * bimodal one, at odd and even n*m and two coverages.
 */
static void test_hl_large_vs_all_pairs(void)
{
	enum { MAXN = 1500 };
	static double x[MAXN], y[MAXN];
	double *all = malloc((size_t)MAXN * MAXN * sizeof(*all));
	static const char *const shapes[] = {
		"continuous", "integer-rounded", "5 distinct", "constant old side", "bimodal",
	};
	uint64_t seed = 0x5851f42d4c957f2dull;
	int bad = 0, trials = 0;

	if (!all) {
		CHECK(0, "HL large: no memory for the all-pairs reference");
		return;
	}
	for (int shape = 0; shape < 5; shape++) {
		for (int rep = 0; rep < 4; rep++) {
			size_t n = 300 + xorshift(&seed) % (MAXN - 300), m = 300 + xorshift(&seed) % (MAXN - 300);
			if (rep == 0)
				m += (n * m) % 2;	/* an even n*m: the median averages two */
			if (m > MAXN)
				m -= 2;
			for (int side = 0; side < 2; side++) {
				double *v = side ? y : x, shift = side ? 0.03 : 0;
				size_t len = side ? m : n;
				for (size_t i = 0; i < len; i++) {
					double u = (double)(xorshift(&seed) >> 11) / 9007199254740992.0;
					double w = 1000 * (1 + shift) * (1 + 0.02 * (u - 0.5));
					switch (shape) {
					case 0: v[i] = w; break;
					case 1: v[i] = round(w); break;
					case 2: v[i] = (double)(xorshift(&seed) % 5) + side; break;
					case 3: v[i] = side ? round(w) : 1000; break;
					default: v[i] = xorshift(&seed) % 10 ? round(w) : 3 * w; break;
					}
				}
			}
			size_t nm = n * m;
			for (size_t i = 0; i < n; i++)
				for (size_t j = 0; j < m; j++)
					all[i * m + j] = y[j] - x[i];
			drmb_sort_double(all, nm);
			double med = nm % 2 ? all[nm / 2] : (all[nm / 2 - 1] + all[nm / 2]) / 2;
			for (int c = 0; c < 2; c++) {
				double conf = c ? 0.90 : 0.95, z = c ? 1.6448536269514722 : 1.959963984540054;
				double cc = (double)nm / 2 - z * sqrt((double)nm * (double)(n + m + 1) / 12);
				size_t k = (size_t)llround(cc);
				struct drmb_hl hl;
				trials++;
				if (drmb_hodges_lehmann(x, n, y, m, conf, &hl) ||
				    memcmp(&hl.shift, &med, sizeof(med)) ||
				    hl.lo != all[k - 1] || hl.hi != all[nm - k]) {
					if (!bad++)
						printf("# %s n=%zu m=%zu conf=%.2f: shift %a want %a, CI [%a, %a] want [%a, %a]\n",
						       shapes[shape], n, m, conf, hl.shift, med, hl.lo, hl.hi,
						       all[k - 1], all[nm - k]);
				}
			}
		}
	}
	CHECK(!bad, "HL large (%d cases, 300..1500 runs a side; continuous, integer-rounded, 5 distinct, "
	      "constant, bimodal): shift and CI equal the all-pairs order statistics bit for bit", trials);
	free(all);
}

/*
 * drmb_compare_runs radix-sorts its positive values: the medians and their
 * intervals must be those of the comparison sort, for values spread over
 * many binades (subnormal to huge), values that differ only in low
 * mantissa bytes (every byte's pass matters), and ties; 256..5000 values.
 */
static void test_compare_runs_sort(void)
{
	enum { MAXN = 5000 };
	static double x[MAXN], y[MAXN], sx[MAXN], sy[MAXN];
	struct drmb_cmp_params par = DRMB_CMP_PARAMS_DEFAULT;
	struct drmb_median_ci mx, my;
	struct drmb_cmp c;
	uint64_t seed = 0x2545f4914f6cdd1dull;
	int bad = 0, trials = 0;

	for (int shape = 0; shape < 4; shape++) {
		for (int rep = 0; rep < 10; rep++) {
			size_t n = 256 + xorshift(&seed) % (MAXN - 256), m = 256 + xorshift(&seed) % (MAXN - 256);
			for (size_t i = 0; i < (n > m ? n : m); i++) {
				double frac = (double)(xorshift(&seed) >> 11) / 9007199254740992.0;
				double v = shape == 0 ? ldexp(1 + frac, (int)(xorshift(&seed) % 2090) - 1070) :
					   shape == 1 ? 1000 + frac :
					   shape == 3 ? ldexp((double)((1ull << 52) | (xorshift(&seed) % 65536)), -42) :
					   xorshift(&seed) % 3 ? (double)(1 + xorshift(&seed) % 50) : 4.9e-324 * (double)(1 + i % 7);
				if (i < n)
					x[i] = v;
				if (i < m)
					y[i] = shape == 1 ? 1000 + (double)(xorshift(&seed) >> 11) / 9007199254740992.0 :
					       shape == 3 ? ldexp((double)((1ull << 52) | (xorshift(&seed) % 65536)), -42) : v * 1.5;
			}
			memcpy(sx, x, n * sizeof(*x));
			memcpy(sy, y, m * sizeof(*y));
			drmb_sort_double(sx, n);
			drmb_sort_double(sy, m);
			drmb_median_ci_sorted(sx, n, par.conf, &mx);
			drmb_median_ci_sorted(sy, m, par.conf, &my);
			trials++;
			bad += drmb_compare_runs(x, n, y, m, &par, &c) != 0 ||
			       memcmp(&c.old, &mx, sizeof(mx)) || memcmp(&c.new, &my, sizeof(my));
		}
	}
	CHECK(!bad, "compare_runs, %d cases of 256..5000 values (subnormal to 1e308; differing only in low "
	      "bytes, or only in the lowest two; ties): medians and CIs are those of the comparison sort", trials);
}

/*
 * The median CI skips the leading binomial terms that are 0 in double: the
 * interval and its coverage must equal those of summing every term.
 */
static void test_median_ci_large(void)
{
	static const size_t sizes[] = { 1000, 1154, 1155, 1500, 2001, 5000, 20000 };
	static double v[20000];
	int bad = 0;

	for (size_t i = 0; i < 20000; i++)
		v[i] = (double)i;
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = sizes[s], best = 0;
		double lg_n1 = lgamma((double)n + 1), ln_half_n = -(double)n * 0.69314718055994530942;
		double below = 0, best_conf = 0;
		struct drmb_median_ci ci;
		for (size_t k = 1; k <= (n + 1) / 2; k++) {
			below += exp(lg_n1 - lgamma((double)k) - lgamma((double)(n - k + 1) + 1) + ln_half_n);
			if (1 - 2 * below < 0.95 - 1e-12)
				break;
			best = k;
			best_conf = 1 - 2 * below;
		}
		drmb_median_ci_sorted(v, n, 0.95, &ci);
		if (ci.lo != v[best - 1] || ci.hi != v[n - best] ||
		    memcmp(&ci.achieved_conf, &best_conf, sizeof(best_conf)))
			bad++;
	}
	CHECK(!bad, "median CI for 1000..20000 runs: the same order statistics and coverage as summing "
	      "every binomial term");
}

int main(void)
{
	test_sort();
	test_quantiles();
	test_summary();
	test_noise();
	test_against_r();
	test_exact_distribution();
	test_median_ci();
	test_bh();
	test_verdicts();
	test_effect_boundary();
	test_spread();
	test_edivisive();
	test_edivisive_permutation();
	test_hl_large_vs_all_pairs();
	test_compare_runs_sort();
	test_median_ci_large();
	return check_done();
}
