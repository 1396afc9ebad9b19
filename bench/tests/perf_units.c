// SPDX-License-Identifier: MIT
/*
 * Benchmark (not a test): how long the result reader takes to intern
 * units, the worst case being every unit distinct.
 *
 *   bench/tests/perf_units [UNITS [LINES]]     (default 80000 1)
 *
 * Writes one result file of LINES benchmark lines, each with UNITS
 * value/unit pairs whose units are all distinct (u0/op, u1/op, ...; the
 * next line repeats them), reads it with drmb_result_read() three times
 * and prints the best time and the machine's load.  Issue 17: 80,000
 * units on one line took 8.5 s with a linear search per unit.  The figure
 * is printed, never asserted.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "result.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long units = argc > 1 ? strtoul(argv[1], NULL, 10) : 80000;
	unsigned long lines = argc > 2 ? strtoul(argv[2], NULL, 10) : 1;
	char path[] = "/tmp/drmb-perf-units.XXXXXX", err[256], load[128] = "unknown";
	struct drmb_result_file rf;
	double best = 1e30;
	unsigned long i, l;
	FILE *f;
	int fd, r;

	fd = mkstemp(path);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		perror("mkstemp");
		return 1;
	}
	fprintf(f, "goos: linux\n");
	for (l = 0; l < lines; l++) {
		fprintf(f, "BenchmarkUnits/line=%lu 1", l);
		for (i = 0; i < units; i++)
			fprintf(f, " %lu u%lu/op", i, i);
		fputc('\n', f);
	}
	fclose(f);
	for (r = 0; r < 3; r++) {
		double t0 = now(), t;

		if (drmb_result_read(path, &rf, err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			unlink(path);
			return 1;
		}
		t = now() - t0;
		if (t < best)
			best = t;
		if (rf.nunits != units) {
			fprintf(stderr, "read %zu distinct units, wrote %lu\n", rf.nunits, units);
			unlink(path);
			return 1;
		}
		drmb_result_free(&rf);
	}
	unlink(path);
	f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fgets(load, sizeof(load), f))
			load[strcspn(load, "\n")] = '\0';
		fclose(f);
	}
	printf("read %lu line(s) of %lu distinct units: best of 3 %.3f s (loadavg %s)\n",
	       lines, units, best, load);
	return 0;
}
