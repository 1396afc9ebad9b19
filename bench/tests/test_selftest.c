// SPDX-License-Identifier: MIT
/*
 * Statistics self-test (statistics.md "How to know the statistics work"):
 * the comparison path of `drmbench compare` (drmb_compare_runs, BH,
 * drmb_decide with the default thresholds) run on real measured data.
 *
 * Data: bench/tests/data/{futex-wake,syscall}-runs.txt, 40 separate
 * launches each of `drmbench run -r 1 -n 2000` on the development host,
 * raw samples from the .samples sidecars (the files say how they were
 * measured).  Small committed fixtures of real samples: a nightly store
 * can replace them once one exists; the resampling stays the same.
 *
 * A synthetic comparison draws 2k distinct real runs at random, k per side.
 * Each run yields two per-run values, the p50 (type 7) and the mean of its
 * samples (p99 would need 10000 samples per run, statistics.md), compared
 * as two rows with BH across them.
 *  - A/A: nothing changed; a REGRESSION or IMPROVEMENT on either row is a
 *    false alarm.  Asserted: the rate is at most 1%, and with zero alarms
 *    the rule of three bounds it at 3/N.
 *  - Injection (new side only), power = share of comparisons with a
 *    REGRESSION verdict: every sample scaled by 1.02, 1.03, 1.05; tail-only
 *    (1% of samples + 50 us); bimodal (20% of samples 25% slower, a second
 *    mode as a slow path taken sometimes would give).  Printed, not
 *    asserted: power is a property of the data's noise, not a pass/fail.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "stats.h"

#define MAX_RUNS 64
#define AA_COMPARISONS 1000
#define POWER_COMPARISONS 300

struct run {
	uint64_t *ns;		/* sorted */
	size_t n;
	double p50, mean;
};

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static double rng_unit(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) / 9007199254740992.0;
}

static FILE *open_fixture(const char *name)
{
	const char *env = getenv("DRMB_TEST_DATA");
	char path[512];
	FILE *f;

	if (env) {
		snprintf(path, sizeof(path), "%s/%s", env, name);
		return fopen(path, "r");
	}
	/* run from the top of the tree (make check) or from bench/tests */
	snprintf(path, sizeof(path), "bench/tests/data/%s", name);
	f = fopen(path, "r");
	snprintf(path, sizeof(path), "data/%s", name);
	return f ? f : fopen(path, "r");
}

static int load_runs(const char *name, struct run *runs, size_t *nruns)
{
	FILE *f = open_fixture(name);
	char *line = NULL;
	size_t cap = 0;

	*nruns = 0;
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		unsigned long k, n;
		int used;
		if (line[0] == '#')
			continue;
		if (sscanf(line, "run %lu %lu%n", &k, &n, &used) != 2 || !n || *nruns == MAX_RUNS)
			goto bad;
		struct run *r = &runs[(*nruns)++];
		r->ns = malloc(n * sizeof(*r->ns));
		r->n = n;
		if (!r->ns)
			goto bad;
		char *p = line + used, *end;
		uint64_t v = 0;
		for (size_t i = 0; i < n; i++) {
			unsigned long long d = strtoull(p, &end, 10);
			if (end == p)
				goto bad;
			v = i ? v + d : d;	/* sorted: first absolute, then deltas */
			r->ns[i] = v;
			p = end;
		}
	}
	free(line);
	fclose(f);
	return 0;
bad:
	free(line);
	fclose(f);
	return -EINVAL;
}

enum injection { NONE, SCALE, TAIL, BIMODAL };

struct scenario {
	const char *name;
	enum injection kind;
	double factor;
};

/* p50 and mean of one run after the injection; scratch holds n samples. */
static void run_values(const struct run *r, const struct scenario *sc, uint64_t *rng,
		       uint64_t *scratch, double *p50, double *mean)
{
	struct drmb_summary s;

	switch (sc->kind) {
	case NONE:
		*p50 = r->p50;
		*mean = r->mean;
		return;
	case SCALE:	/* exact: quantiles and mean scale with the samples */
		*p50 = r->p50 * sc->factor;
		*mean = r->mean * sc->factor;
		return;
	case TAIL:
		for (size_t i = 0; i < r->n; i++)
			scratch[i] = r->ns[i] + (rng_unit(rng) < 0.01 ? 50000 : 0);
		break;
	case BIMODAL:
		for (size_t i = 0; i < r->n; i++)
			scratch[i] = rng_unit(rng) < 0.2 ? (uint64_t)((double)r->ns[i] * 1.25) : r->ns[i];
		break;
	}
	drmb_summarize_u64(scratch, r->n, &s);
	*p50 = drmb_quantile_sorted_u64(scratch, r->n, 0.5);
	*mean = s.mean;
}

struct outcome {
	size_t flagged, regress_p50, regress_mean, regress_any;
	size_t covered, intervals;	/* HL ratio CI (p50 row) holding the true ratio */
};

/* One synthetic comparison of k runs per side; returns -errno on failure. */
static int compare_once(const struct run *runs, size_t nruns, size_t k,
			const struct scenario *sc, uint64_t *rng, uint64_t *scratch,
			struct outcome *out)
{
	struct drmb_cmp_params par = DRMB_CMP_PARAMS_DEFAULT;
	size_t idx[MAX_RUNS];
	double old_p50[MAX_RUNS], old_mean[MAX_RUNS], new_p50[MAX_RUNS], new_mean[MAX_RUNS];
	struct drmb_cmp c[2];
	double p[2];
	int ret;

	/* partial Fisher-Yates: 2k distinct runs, so the sides never share a run */
	for (size_t i = 0; i < nruns; i++)
		idx[i] = i;
	for (size_t i = 0; i < 2 * k; i++) {
		size_t j = i + (size_t)(rng_next(rng) % (nruns - i)), t = idx[i];
		idx[i] = idx[j];
		idx[j] = t;
	}
	static const struct scenario none = { "A/A", NONE, 1 };
	for (size_t i = 0; i < k; i++) {
		run_values(&runs[idx[i]], &none, rng, scratch, &old_p50[i], &old_mean[i]);
		run_values(&runs[idx[k + i]], sc, rng, scratch, &new_p50[i], &new_mean[i]);
	}
	if ((ret = drmb_compare_runs(old_p50, k, new_p50, k, &par, &c[0])) ||
	    (ret = drmb_compare_runs(old_mean, k, new_mean, k, &par, &c[1])))
		return ret;
	p[0] = c[0].p;
	p[1] = c[1].p;
	if ((ret = drmb_bh_adjust(p, 2, p)))
		return ret;
	int flagged = 0, regress = 0;
	for (int m = 0; m < 2; m++) {
		c[m].p_adj = p[m];
		drmb_decide(&c[m], 0, &par);	/* ns: lower is better */
		flagged |= c[m].verdict == DRMB_REGRESSION || c[m].verdict == DRMB_IMPROVEMENT;
		regress |= c[m].verdict == DRMB_REGRESSION;
	}
	out->flagged += flagged;
	out->regress_p50 += c[0].verdict == DRMB_REGRESSION;
	out->regress_mean += c[1].verdict == DRMB_REGRESSION;
	out->regress_any += regress;
	/* a pure scaling (or nothing) has a known true ratio for every quantile */
	if ((sc->kind == SCALE || sc->kind == NONE) && !isnan(c[0].ratio_lo)) {
		out->intervals++;
		/* tolerance: with tied runs the interval can be a single ratio, computed
		 * as exp(ln y - ln x), which is 1.05 only to rounding */
		out->covered += c[0].ratio_lo <= sc->factor * (1 + 1e-12) &&
				sc->factor * (1 - 1e-12) <= c[0].ratio_hi;
	}
	return 0;
}

/*
 * One-sided 95% upper bound on a rate after x events in n trials
 * (Clopper-Pearson): the p with P(Binomial(n, p) <= x) = 0.05, by
 * bisection.  With x = 0 it is 1 - 0.05^(1/n) ~ 3/n, the rule of three.
 */
static double upper_bound95(size_t x, size_t n)
{
	double lo = 0, hi = 1;

	for (int it = 0; it < 60; it++) {
		double p = (lo + hi) / 2, cdf = 0;
		for (size_t i = 0; i <= x; i++)
			cdf += exp(lgamma((double)n + 1) - lgamma((double)i + 1) -
				   lgamma((double)(n - i) + 1) + (double)i * log(p) +
				   (double)(n - i) * log1p(-p));
		if (cdf > 0.05)
			lo = p;
		else
			hi = p;
	}
	return hi;
}

static int selftest(const char *fixture, const char *what)
{
	static const size_t sizes[] = { 10, 20 };
	static const struct scenario scenarios[] = {
		{ "x1.02 all samples", SCALE, 1.02 },
		{ "x1.03 all samples", SCALE, 1.03 },
		{ "x1.05 all samples", SCALE, 1.05 },
		{ "tail: 1% of samples +50us", TAIL, 0 },
		{ "bimodal: 20% of samples x1.25", BIMODAL, 0 },
	};
	static const struct scenario aa = { "A/A", NONE, 1 };
	struct run runs[MAX_RUNS];
	size_t nruns, max_n = 0;
	uint64_t rng = 0x5eed5eed12345ull, *scratch;
	double p50s[MAX_RUNS];
	int ret;

	ret = load_runs(fixture, runs, &nruns);
	CHECK(ret == 0 && nruns >= 40, "%s: fixture %s loads: %zu real runs (%s)", what, fixture,
	      nruns, ret ? strerror(-ret) : "ok");
	if (ret || nruns < 40)
		return ret ? ret : -EINVAL;
	for (size_t i = 0; i < nruns; i++) {
		struct drmb_summary s;
		drmb_summarize_u64(runs[i].ns, runs[i].n, &s);	/* already sorted */
		runs[i].p50 = s.p50;
		runs[i].mean = s.mean;
		p50s[i] = s.p50;
		if (runs[i].n > max_n)
			max_n = runs[i].n;
	}
	scratch = malloc(max_n * sizeof(*scratch));
	if (!scratch)
		return -ENOMEM;
	printf("# --- %s: %zu real runs (separate launches) of %zu samples, bench/tests/data/%s\n",
	       what, nruns, runs[0].n, fixture);
	printf("# run-to-run noise of the per-run p50 (1.4826 MAD of ln): %.2f%%\n",
	       100 * drmb_log_mad_noise(p50s, nruns));

	for (size_t s = 0; s < 2 && !ret; s++) {
		struct outcome o = { 0 };
		for (size_t i = 0; i < AA_COMPARISONS && !ret; i++)
			ret = compare_once(runs, nruns, sizes[s], &aa, &rng, scratch, &o);
		printf("# A/A, %zu runs per side, %d comparisons of 2 metrics: %zu REGRESSION (gate fails): "
		       "rate %.2f%%, 95%% upper bound %.2f%%; %zu with any change verdict: %.2f%%, bound %.2f%%\n",
		       sizes[s], AA_COMPARISONS, o.regress_any,
		       100.0 * (double)o.regress_any / AA_COMPARISONS,
		       100 * upper_bound95(o.regress_any, AA_COMPARISONS), o.flagged,
		       100.0 * (double)o.flagged / AA_COMPARISONS,
		       100 * upper_bound95(o.flagged, AA_COMPARISONS));
		printf("# A/A, %zu runs per side: the 95%% CI of the ratio held 1 in %zu of %zu comparisons (%.1f%%)\n",
		       sizes[s], o.covered, o.intervals, 100.0 * (double)o.covered / (double)o.intervals);
		CHECK(o.intervals && (double)o.covered >= 0.93 * (double)o.intervals,
		      "%s: HL ratio CI coverage at %zu runs per side %.1f%% >= 93%% (nominal >= 95%%)",
		      what, sizes[s], 100.0 * (double)o.covered / (double)o.intervals);
		CHECK(!ret && o.regress_any * 100 <= AA_COMPARISONS,
		      "%s: A/A false-alarm (REGRESSION) rate at %zu runs per side %.2f%% <= 1%%",
		      what, sizes[s], 100.0 * (double)o.regress_any / AA_COMPARISONS);
	}

	printf("# power: share of %d comparisons with a REGRESSION verdict (p50 row, mean row, either)\n",
	       POWER_COMPARISONS);
	printf("# %-32s %-10s %8s %8s %8s %10s\n", "injected on the new side", "runs/side", "p50", "mean", "either",
	       "CI covers");
	for (size_t c = 0; c < sizeof(scenarios) / sizeof(scenarios[0]) && !ret; c++) {
		for (size_t s = 0; s < 2 && !ret; s++) {
			struct outcome o = { 0 };
			for (size_t i = 0; i < POWER_COMPARISONS && !ret; i++)
				ret = compare_once(runs, nruns, sizes[s], &scenarios[c], &rng, scratch, &o);
			char cover[16] = "-";
			if (o.intervals)
				snprintf(cover, sizeof(cover), "%.1f%%", 100.0 * (double)o.covered / (double)o.intervals);
			printf("# %-32s %-10zu %7.1f%% %7.1f%% %7.1f%% %10s\n", scenarios[c].name, sizes[s],
			       100.0 * (double)o.regress_p50 / POWER_COMPARISONS,
			       100.0 * (double)o.regress_mean / POWER_COMPARISONS,
			       100.0 * (double)o.regress_any / POWER_COMPARISONS, cover);
		}
	}
	CHECK(ret == 0, "%s: every synthetic comparison ran (%s)", what, ret ? strerror(-ret) : "ok");
	for (size_t i = 0; i < nruns; i++)
		free(runs[i].ns);
	free(scratch);
	return ret;
}

int main(void)
{
	printf("# statistics self-test: drmbench compare's defaults (2%% effect, BH-adjusted p < 0.01)\n");
	selftest("futex-wake-runs.txt", "futex-wake (cross-thread wake, noisy here)");
	selftest("syscall-runs.txt", "syscall (one thread, quiet)");
	return check_done();
}
