// SPDX-License-Identifier: MIT
/*
 * user-submit-latency: one job through a user-mode queue, from writing its
 * descriptor and ringing the doorbell to the submitting thread seeing its
 * completion value, with the driver's per-job record splitting it in the
 * same stages as submit-latency (the doorbell in place of the ioctl):
 *
 *   doorbell-ns   user stamp before the descriptor write -> the firmware
 *                 took the job from the ring
 *   dispatch-ns   taken -> the engine started it
 *   exec-ns       engine start -> completion value written (incl. duration)
 *   wake-ns       value written -> the waiting thread running again
 *
 * One thread submits and waits, as an application does: by spinning on the
 * mapped sync object, in the driver's WAIT ioctl, or blocked reading the
 * queue's eventfd. The firmware notices the doorbell by busy polling,
 * polling every poll-us, or only when kicked (fw-policy=sleep: a KICK ioctl
 * per submission); a queue idle for idle-us goes inactive and is kicked
 * back, which kicks/op shows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "measure.h"
#include "stats.h"
#include "userq_cost.h"

static const struct drmb_param user_submit_latency_params[] = {
	{ "fw-policy", DRMB_PARAM_ENUM, "busy,poll,sleep", "how the firmware notices the doorbell",
	  .choices = drmb_fw_policy_names },
	{ "poll-us", DRMB_PARAM_INT, USERQ_POLL_US_DEFAULT,
	  "firmware poll interval, us (fw-policy=poll only)", 1, 1000000 },
	{ "idle-us", DRMB_PARAM_INT, "0",
	  "idle time before the queue goes inactive, us (0: driver default)", 0, 100000000 },
	{ "wait", DRMB_PARAM_ENUM, "spin,ioctl,eventfd", "how completion is waited for",
	  .choices = drmb_userq_wait_names },
	{ "duration", DRMB_PARAM_INT, "0", "job duration on the engine, ns", 0, 1000000000 },
	{ NULL },
};

enum { ST_DOORBELL, ST_DISPATCH, ST_EXEC, ST_WAKE, ST_NR };
static const char *const stage_units[ST_NR] = {
	"doorbell-ns/op", "dispatch-ns/op", "exec-ns/op", "wake-ns/op",
};

struct user_submit_latency {
	struct drmb_device *dev;
	struct drmb_userq q;
	int have_q;
	enum drmb_userq_wait wait;
	struct drmb_userq_job job;
	uint64_t seqno;
	double *stage[ST_NR];
	size_t nstage, cap;
	int stage_err;
	struct userq_cost cost;
};


static void user_submit_latency_teardown(struct drmb_case *c)
{
	struct user_submit_latency *l = c->priv;
	int i;

	if (l->have_q)
		drmb_userq_destroy(l->dev, &l->q);
	for (i = 0; i < ST_NR; i++)
		free(l->stage[i]);
}

static int user_submit_latency_setup(struct drmb_case *c)
{
	struct user_submit_latency *l = c->priv;
	struct drmb_userq_opts o;
	int i, ret;

	l->dev = c->dev;
	l->wait = (enum drmb_userq_wait)drmb_case_int(c, "wait");
	l->cap = c->samples;
	for (i = 0; i < ST_NR; i++) {
		l->stage[i] = calloc(l->cap, sizeof(double));
		if (!l->stage[i]) {
			user_submit_latency_teardown(c);
			return -ENOMEM;
		}
	}
	userq_opts_from_case(c, &o);
	o.want_eventfd = l->wait == DRMB_USERQ_WAIT_EVENTFD;
	ret = drmb_userq_create(l->dev, &o, &l->q, c->why, sizeof(c->why));
	if (ret) {
		user_submit_latency_teardown(c);
		return ret;
	}
	l->have_q = 1;
	l->job.duration_ns = drmb_case_int(c, "duration");
	l->job.notify = o.want_eventfd;
	return 0;
}

static int user_submit_op(struct drmb_case *c)
{
	struct user_submit_latency *l = c->priv;
	int ret;

	/* Sync object 0 counts jobs: each signals the next value. */
	l->job.signal_value++;
	ret = drmb_userq_submit(l->dev, &l->q, &l->job, 1, &l->seqno);
	if (ret)
		return ret;
	return drmb_userq_wait(l->dev, &l->q, 0, l->job.signal_value, l->wait, USERQ_TIMEOUT_NS);
}

/* Untimed: split the sample with the driver's record of the job. */
static void user_submit_woken(struct drmb_case *c, size_t i, uint64_t t0, uint64_t t1)
{
	struct user_submit_latency *l = c->priv;
	struct drmb_userq_times t;
	uint64_t cpu0 = drmb_thread_cpu_ns();
	int ret;

	if (i >= l->cap)
		return;
	ret = drmb_userq_job_times(l->dev, &l->q, l->seqno, &t);
	l->cost.untimed_self_ns += drmb_thread_cpu_ns() - cpu0;
	if (ret) {
		if (ret != -EBUSY && ret != -EOPNOTSUPP)
			l->stage_err = ret;
		return;
	}
	l->stage[ST_DOORBELL][l->nstage] = (double)t.seen_ns - (double)t0;
	l->stage[ST_DISPATCH][l->nstage] = (double)t.engine_start_ns - (double)t.seen_ns;
	l->stage[ST_EXEC][l->nstage] = (double)t.complete_ns - (double)t.engine_start_ns;
	l->stage[ST_WAKE][l->nstage] = (double)t1 - (double)t.complete_ns;
	l->nstage++;
}

static int user_submit_latency_run(struct drmb_case *c, struct drmb_samples *s)
{
	struct user_submit_latency *l = c->priv;
	int ret, k;

	l->nstage = 0;
	l->stage_err = 0;
	userq_cost_start(&l->cost, USERQ_COST_SUBMIT | USERQ_COST_FW | USERQ_COST_KICKS |
			 USERQ_COST_WAKEUPS, l->dev, &l->q);
	ret = drmb_measure_each(c, s, user_submit_op, user_submit_woken);
	if (ret == -ETIME)
		return drmb_why(c, ret, "a job did not complete within %llu s",
				USERQ_TIMEOUT_NS / 1000000000ull);
	if (ret == -EIO)
		return drmb_why(c, ret, "the user queue faulted (see USERQ_QUERY's fault)");
	if (ret)
		return ret;
	if (l->stage_err)
		return drmb_why(c, l->stage_err, "reading job records failed: %s",
				strerror(-l->stage_err));
	for (k = 0; k < ST_NR && l->nstage; k++)
		drmb_case_metric(c, stage_units[k], drmb_median_double(l->stage[k], l->nstage));
	userq_cost_report(c, &l->cost, (double)s->n);
	return 0;
}

const struct drmb_bench drmb_bench_user_submit_latency = {
	.name = "user-submit-latency",
	.id = "UserSubmitLatency",
	.summary = "user-queue doorbell to completion seen, split in firmware stages",
	.flags = DRMB_BENCH_NEEDS_DEVICE,
	.needs = DRMB_NEEDS(DRMB_GROUP_USERQ),
	.params = user_submit_latency_params,
	.priv_size = sizeof(struct user_submit_latency),
	.setup = user_submit_latency_setup,
	.run = user_submit_latency_run,
	.teardown = user_submit_latency_teardown,
};
