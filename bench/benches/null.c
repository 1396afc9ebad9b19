// SPDX-License-Identifier: MIT
/*
 * null: times nothing, so its p50 is the harness's own cost per sample (two
 * clock reads, an indirect call, a store): the resolution every other
 * benchmark's numbers carry (fio's null engine).
 */
#include "measure.h"

static int __attribute__((noinline)) null_op(struct drmb_case *c)
{
	(void)c;
	__asm__ __volatile__("" ::: "memory");
	return 0;
}

static int null_run(struct drmb_case *c, struct drmb_samples *s)
{
	return drmb_measure_loop(c, s, null_op);
}

const struct drmb_bench drmb_bench_null = {
	.name = "null",
	.id = "Null",
	.summary = "harness overhead per sample (nothing timed)",
	.headline = "overhead/sample",
	.run = null_run,
};
