// SPDX-License-Identifier: MIT
/*
 * Benchmark (not a test): how often `drmbench trend` reports a change point
 * that is not there, how often it finds one that is, and how long it takes
 * on a large store.  It prints its figures and never asserts.
 *
 *   bench/tests/perf_trend rate [HISTORIES [RUNS [SEED]]]   (default 2000 10 1)
 *   bench/tests/perf_trend time [NIGHTS [BENCHMARKS [RUNS]]] (default 365 100 10)
 *
 * rate: HISTORIES flat histories of 60 nights, each night the median of
 * RUNS runs with 1% log-normal run noise (ln value ~ N(ln 1000, 0.01^2)),
 * as `drmbench trend` makes a point of a night's runs, searched by
 * drmb_edivisive (the code trend runs) at alpha 0.001 and 0.01, with the
 * default --min-step (1%) and with --min-step 0 (the permutation test
 * alone).  The false-change-point rate is the share of histories with at
 * least one change point, printed with its one-sided 95% Clopper-Pearson
 * upper bound.  Then the power: histories with a +2% and a +5% step at
 * night 40 (the first night of the new level, index 40), found (any change
 * point) and found at 40 +- 1.
 *
 * time: writes NIGHTS result files of BENCHMARKS benchmarks with RUNS runs
 * each (8 units a line, as a latency benchmark writes; every tenth
 * benchmark 5% slower from the middle night on, in the 6 units that scale
 * with its time) into a temporary
 * directory and times `bench/drmbench trend DIR` end to end (reading,
 * statistics, the report to /dev/null), best of 3.  DRMBENCH names
 * another binary (e.g. an older build, for a before/after).
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "stats.h"

#define NIGHTS 60
#define STEP_AT 40

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Other jobs on the machine inflate the wall time: say how busy it was. */
static const char *load_average(void)
{
	static char buf[128] = "unknown\n";
	FILE *f = fopen("/proc/loadavg", "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			snprintf(buf, sizeof(buf), "unknown\n");
		fclose(f);
	}
	return buf;
}

/* drmb_splitmix64 (stats.h), then Box-Muller for N(0, 1). */
static double normal(uint64_t *s)
{
	double u1 = ((double)(drmb_splitmix64(s) >> 11) + 0.5) / 9007199254740992.0;
	double u2 = (double)(drmb_splitmix64(s) >> 11) / 9007199254740992.0;

	return sqrt(-2 * log(u1)) * cos(2 * 3.14159265358979323846 * u2);
}

/* One history: the median of `runs` runs per night, times `step` from STEP_AT on. */
static void history(double *night, int runs, double step, uint64_t *s)
{
	double v[1000];

	for (int i = 0; i < NIGHTS; i++) {
		for (int r = 0; r < runs; r++)
			v[r] = 1000 * exp(0.01 * normal(s)) * (i >= STEP_AT ? step : 1);
		night[i] = drmb_median_double(v, (size_t)runs);
	}
}

struct tally {
	size_t any, near;
	double seconds;
};

static int run_histories(size_t count, int runs, double step, double alpha, double min_step,
			 uint64_t seed, struct tally *t)
{
	struct drmb_cpd_params par = DRMB_CPD_PARAMS_DEFAULT;
	struct drmb_change_point cp[NIGHTS];
	double night[NIGHTS], t0 = now();
	uint64_t s = seed;

	par.alpha = alpha;
	par.min_step = min_step;
	memset(t, 0, sizeof(*t));
	for (size_t h = 0; h < count; h++) {
		history(night, runs, step, &s);
		int n = drmb_edivisive(night, NIGHTS, &par, cp, NIGHTS);
		if (n < 0)
			return n;
		t->any += n > 0;
		for (int k = 0; k < n; k++) {
			if (cp[k].index + 1 >= STEP_AT && cp[k].index <= STEP_AT + 1) {
				t->near++;
				break;
			}
		}
	}
	t->seconds = now() - t0;
	return 0;
}

static int rate(size_t histories, int runs, uint64_t seed)
{
	static const double alphas[] = { 0.001, 0.01 }, steps[] = { 1.02, 1.05 };
	struct drmb_cpd_params def = DRMB_CPD_PARAMS_DEFAULT;
	size_t power_n = histories / 10 < 100 ? 100 : histories / 10;
	struct tally t;

	printf("# %zu flat histories of %d nights, each night the median of %d runs, 1%% log-normal run noise; seed %llu\n",
	       histories, NIGHTS, runs, (unsigned long long)seed);
	for (size_t a = 0; a < sizeof(alphas) / sizeof(alphas[0]); a++) {
		struct drmb_cpd_params par = def;
		par.alpha = alphas[a];
		for (int with_step = 1; with_step >= 0; with_step--) {
			double min_step = with_step ? def.min_step : 0;
			if (run_histories(histories, runs, 1.0, alphas[a], min_step, seed, &t))
				return 1;
			printf("false change points: alpha %g, min-step %g%%, %zu permutations: %zu of %zu histories = %.2f%%, 95%% upper bound %.2f%% (%.2f ms a history)\n",
			       alphas[a], 100 * min_step, drmb_cpd_permutations(&par), t.any, histories,
			       100.0 * (double)t.any / (double)histories,
			       100 * drmb_binom_upper(t.any, histories, 0.95),
			       1000 * t.seconds / (double)histories);
		}
		for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
			if (run_histories(power_n, runs, steps[k], alphas[a], def.min_step, seed + 1 + k, &t))
				return 1;
			printf("power: alpha %g, min-step %g%%, +%.0f%% step at night %d: found in %zu of %zu = %.1f%%, at %d+-1 in %.1f%% (%.2f ms a history)\n",
			       alphas[a], 100 * def.min_step, 100 * (steps[k] - 1), STEP_AT, t.any, power_n,
			       100.0 * (double)t.any / (double)power_n, STEP_AT,
			       100.0 * (double)t.near / (double)power_n, 1000 * t.seconds / (double)power_n);
		}
	}
	return 0;
}

static int write_store(const char *dir, int nights, int benchmarks, int runs)
{
	uint64_t s = 0x1234567;
	char path[512];

	for (int i = 0; i < nights; i++) {
		snprintf(path, sizeof(path), "%s/night%04d.txt", dir, i);
		FILE *f = fopen(path, "w");
		if (!f)
			return -1;
		fprintf(f, "drmbench-version: v0.1-123-gabcdef0\nhost: ci-runner-7\nkernel-release: 6.12.0-test\n"
			   "arch: x86_64\ncpu-model: AMD EPYC\naccel: kvm\nbackend: auto\n"
			   "date: %04d-%02d-%02dT03:00:00Z\nruns: %d\nsamples: 10000\n",
			   2026 + i / 336, 1 + i / 28 % 12, i % 28 + 1, runs);
		for (int b = 0; b < benchmarks; b++) {
			for (int r = 0; r < runs; r++) {
				double v = 1000.0 * (1 + b % 37) * exp(0.01 * normal(&s)) *
					   (b % 10 == 0 && i >= nights / 2 ? 1.05 : 1.0);
				fprintf(f, "BenchmarkSyncobjWake/path=p%d/placement=cross-llc %d %.0f ns/op "
					   "%.0f p90-ns/op %.0f min-ns/op %.3f mean-ns/op %.0f mad-ns/op "
					   "%.5g floor-ratio %.3f ctx-switches/op %.4f migrations/op\n",
					b, 10000, v, v * 1.1, v * 0.7, v * 1.05, v * 0.02, v / 3000, 2.0, 0.0005);
			}
		}
		if (fclose(f))
			return -1;
	}
	return 0;
}

static double time_trend(const char *drmbench, const char *dir, int *status, double *cpu)
{
	struct rusage ru;
	double t0 = now();
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(127);
		execl(drmbench, drmbench, "trend", dir, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, status, 0, &ru) != pid)
		return -1;
	*cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	return now() - t0;
}

static int timing(int nights, int benchmarks, int runs)
{
	const char *drmbench = getenv("DRMBENCH"), *tmp = getenv("TMPDIR");
	double best = 1e9, best_cpu = 1e9, cpu = 0, t0;
	char dir[256], cmd[300];
	int status = 0;

	if (!drmbench)
		drmbench = access("bench/drmbench", X_OK) == 0 ? "bench/drmbench" : "../drmbench";
	if (access(drmbench, X_OK)) {
		fprintf(stderr, "perf_trend: %s not found: build it first (make)\n", drmbench);
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/drmb-trend-XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	t0 = now();
	if (write_store(dir, nights, benchmarks, runs)) {
		perror("writing the store");
		return 2;
	}
	/* 6 of the 8 units scale with the value (not ctx-switches/op, migrations/op) */
	printf("# wrote %d nights x %d benchmarks x %d run(s) x 8 units in %.2f s (%d series, %d with a +5%% step)\n",
	       nights, benchmarks, runs, now() - t0, benchmarks * 8, (benchmarks + 9) / 10 * 6);
	for (int i = 0; i < 3; i++) {
		double t = time_trend(drmbench, dir, &status, &cpu);
		if (t < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "perf_trend: %s trend failed (status %d)\n", drmbench, status);
			break;
		}
		if (t < best)
			best = t;
		if (cpu < best_cpu)
			best_cpu = cpu;
	}
	printf("trend %d nights x %d benchmarks x %d run(s), %d series: %.3f s wall, %.3f s CPU (best of 3)\n",
	       nights, benchmarks, runs, benchmarks * 8, best, best_cpu);
	printf("# %s: ", drmbench);
	fflush(stdout);
	snprintf(cmd, sizeof(cmd), "'%s' trend '%s' | tail -n 1", drmbench, dir);
	if (system(cmd))
		printf("\n");
	printf("# load average at the end: %s", load_average());
	if (getenv("DRMB_KEEP")) {
		printf("# kept %s\n", dir);
		return 0;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "rate")) {
		long histories = argc > 2 ? atol(argv[2]) : 2000;
		int runs = argc > 3 ? atoi(argv[3]) : 10;
		unsigned long long seed = argc > 4 ? strtoull(argv[4], NULL, 0) : 1;
		if (histories < 1 || runs < 1 || runs > 1000)
			goto usage;
		return rate((size_t)histories, runs, seed);
	}
	if (argc >= 2 && !strcmp(argv[1], "time")) {
		int nights = argc > 2 ? atoi(argv[2]) : 365;
		int benchmarks = argc > 3 ? atoi(argv[3]) : 100;
		int runs = argc > 4 ? atoi(argv[4]) : 10;
		if (nights < 2 || nights > 9999 || benchmarks < 1 || runs < 1)
			goto usage;
		return timing(nights, benchmarks, runs);
	}
usage:
	fprintf(stderr, "usage: perf_trend rate [HISTORIES [RUNS (1-1000) [SEED]]]\n"
			"       perf_trend time [NIGHTS [BENCHMARKS [RUNS]]]\n");
	return 2;
}
