/* SPDX-License-Identifier: MIT */
/*
 * Minimal unit-test helpers shared by every bench/tests/test_*.c program.
 *
 * Each program prints one "ok NAME" or "FAIL NAME: why" line per check and
 * ends with "N passed, N failed"; the exit status is 1 when anything failed.
 * scripts/check sums the programs' lines into the final count.
 */
#ifndef DRMB_CHECK_H
#define DRMB_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static unsigned int check_passed, check_failed, check_skipped;

#define CHECK(cond, ...) do {						\
	if (cond) {							\
		check_passed++;						\
		printf("ok   ");					\
		printf(__VA_ARGS__);					\
		printf("\n");						\
	} else {							\
		check_failed++;						\
		printf("FAIL %s:%d: ", __FILE__, __LINE__);		\
		printf(__VA_ARGS__);					\
		printf("  [%s]\n", #cond);				\
	}								\
} while (0)

/* Relative comparison; exact equality required when want == 0. */
static inline int check_close(double got, double want, double rel)
{
	if (want == 0)
		return got == 0;
	return fabs(got - want) <= rel * fabs(want);
}

/* A check that cannot run here: counted, with the reason. */
#define CHECK_SKIP(...) do {						\
	check_skipped++;						\
	printf("SKIP ");						\
	printf(__VA_ARGS__);						\
	printf("\n");							\
} while (0)

#define CHECK_CLOSE(got, want, rel, name)				\
	CHECK(check_close((got), (want), (rel)), "%s: got %.10g want %.10g", \
	      (name), (double)(got), (double)(want))

static inline int check_done(void)
{
	if (check_skipped)
		printf("%u passed, %u failed, %u skipped\n", check_passed, check_failed,
		       check_skipped);
	else
		printf("%u passed, %u failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
