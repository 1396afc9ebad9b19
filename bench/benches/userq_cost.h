/* SPDX-License-Identifier: MIT */
/*
 * What the user-queue benchmarks share: the user queue options every one of
 * them takes as parameters (fw-policy, poll-us, idle-us) and the CPU cost
 * of a run, read untimed before and after it and reported per job:
 *
 *   cpu-submit-ns/op   the submitting and waiting thread (the caller),
 *                      CLOCK_THREAD_CPUTIME_ID
 *   cpu-fw-ns/op       the queue's firmware thread (a kernel thread: its CPU
 *                      clock, drmb_task_cpu_ns())
 *                      (only with a user queue, and when it can be read)
 *   cpu-other-ns/op    every other task of the machine (kworkers running
 *                      drm_sched's work, scheduler threads, and anything
 *                      else that ran): summed per process
 *   kicks/op, fw-wakeups/op, doorbells/op  the queue's own counters
 *
 * Interrupt work done while a CPU was idle (an hrtimer completing a job on
 * an idle CPU) belongs to no task: no figure counts it.
 */
#ifndef USERQ_COST_H
#define USERQ_COST_H

#include <stdint.h>

#include "drmb.h"

/* Default poll interval of the benchmarks' fw-policy=poll, us. */
#define USERQ_POLL_US_DEFAULT "100"

/* A job that has not completed after this long is a failure, not a wait. */
#define USERQ_TIMEOUT_NS 10000000000ull

/* Which figures userq_cost_report() sets, in this order. */
enum {
	USERQ_COST_SUBMIT = 1u << 0,
	USERQ_COST_FW = 1u << 1,
	USERQ_COST_OTHER = 1u << 2,
	USERQ_COST_KICKS = 1u << 3,
	USERQ_COST_WAKEUPS = 1u << 4,
	USERQ_COST_DOORBELLS = 1u << 5,
};

struct userq_cost {
	unsigned int what;
	struct drmb_device *dev;
	struct drmb_userq *q;		/* NULL: no user queue in this run */
	uint64_t self_ns, other_ns;
	/* The caller's CPU time in untimed work during the run, not counted. */
	uint64_t untimed_self_ns;
	int other_ok;
	struct drmb_userq_stats st;
	int st_ok;
};

/*
 * The case's user-queue options from its parameters: fw-policy, poll-us
 * and idle-us (a benchmark without one of them gets the driver default).
 */
void userq_opts_from_case(const struct drmb_case *c, struct drmb_userq_opts *o);

/* Reads the starting values; q may be NULL. */
void userq_cost_start(struct userq_cost *k, unsigned int what, struct drmb_device *dev,
		      struct drmb_userq *q);
/* Adds the figures asked for (those that could be read) as per-job metrics. */
void userq_cost_report(struct drmb_case *c, struct userq_cost *k, double jobs);

#endif
