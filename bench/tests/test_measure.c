// SPDX-License-Identifier: MIT
/*
 * The measurement engines' behaviour (never their timings): sample counts,
 * the run deadline, the wake handshake with a working and with a broken
 * benchmark (a waiter that never blocks must fail the run, not hang it),
 * and error propagation from either thread.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "measure.h"

static int calls;

static int count_op(struct drmb_case *c)
{
	(void)c;
	return ++calls == 7 && c->priv ? -EIO : 0;
}

static int slow_op(struct drmb_case *c)
{
	(void)c;
	usleep(2000);
	return 0;
}

static unsigned int after_calls;

static void after(struct drmb_case *c, size_t i, uint64_t t0, uint64_t t1)
{
	(void)c;
	(void)i;
	if (t1 >= t0)
		after_calls++;
}

/* ---- wake: a pipe the waiter reads ------------------------------------- */

static int pipefd[2];
static int arm_calls, broken_arm, fail_wait;

static int pipe_arm(struct drmb_case *c)
{
	(void)c;
	arm_calls++;
	/* A broken benchmark: leaves a byte, so the wait does not block. */
	if (broken_arm && write(pipefd[1], "x", 1) != 1)
		return -EIO;
	return 0;
}

static int pipe_wait(struct drmb_case *c)
{
	char b;

	(void)c;
	if (fail_wait)
		return -ENOTTY;
	return read(pipefd[0], &b, 1) == 1 ? 0 : -EIO;
}

static int pipe_signal(struct drmb_case *c)
{
	(void)c;
	return write(pipefd[1], "x", 1) == 1 ? 0 : -EIO;
}

static const struct drmb_wake_ops pipe_ops = {
	.arm = pipe_arm, .wait = pipe_wait, .signal = pipe_signal,
};

int main(void)
{
	struct drmb_case c = { 0 };
	struct drmb_samples s;
	size_t i;
	int ret, sorted = 1;

	CHECK(drmb_samples_init(&s, 0) == -EINVAL, "samples_init refuses a zero capacity");
	CHECK(drmb_samples_init(&s, 100) == 0 && s.cap == 100 && s.ops_per_sample == 1,
	      "samples_init: capacity and one op per sample");

	ret = drmb_measure_loop(&c, &s, count_op);
	CHECK(ret == 0 && s.n == 100 && calls == 100, "loop: one call per sample, all samples");
	for (i = 1; i < s.n; i++)
		sorted &= s.ns[i] < 1000000000ull;
	CHECK(sorted, "loop: every sample is a plausible duration");

	calls = 0;
	c.priv = &c;	/* count_op fails on its 7th call */
	ret = drmb_measure_loop(&c, &s, count_op);
	CHECK(ret == -EIO, "loop: an op's error ends the run with it (got %d)", ret);
	c.priv = NULL;

	c.max_run_ns = 20000000;	/* 20 ms, 2 ms per op: about 10 samples */
	ret = drmb_measure_loop(&c, &s, slow_op);
	CHECK(ret == 0 && s.n > 0 && s.n < 100, "loop: the deadline cuts a run short (%zu samples)", s.n);
	c.max_run_ns = 0;

	ret = drmb_measure_each(&c, &s, count_op, after);
	CHECK(ret == 0 && after_calls == 100, "each: after() sees every sample untimed (%u)", after_calls);

	CHECK(pipe(pipefd) == 0, "pipe");
	s.cap = 50;
	ret = drmb_measure_wake(&c, &s, &pipe_ops);
	CHECK(ret == 0 && s.n == 50 && arm_calls == 50, "wake: every sample armed and measured");

	broken_arm = 1;
	ret = drmb_measure_wake(&c, &s, &pipe_ops);
	CHECK(ret == -EPROTO, "wake: a waiter that never blocks fails the run (got %d), no hang", ret);
	CHECK(c.why[0] != '\0', "wake: ... and says why: %s", c.why);
	broken_arm = 0;
	/* Drain what the broken arm left behind. */
	close(pipefd[0]);
	close(pipefd[1]);
	CHECK(pipe(pipefd) == 0, "pipe again");

	fail_wait = 1;
	ret = drmb_measure_wake(&c, &s, &pipe_ops);
	CHECK(ret == -ENOTTY, "wake: the waiter's error ends the run with it (got %d)", ret);

	drmb_samples_fini(&s);
	CHECK(s.ns == NULL && s.cap == 0, "samples_fini clears the buffer");
	return check_done();
}
