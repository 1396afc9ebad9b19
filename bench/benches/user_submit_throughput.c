// SPDX-License-Identifier: MIT
/*
 * user-submit-throughput: jobs per second through a user-mode queue kept
 * full. Each sample writes `batch` descriptors and rings the doorbell once;
 * job n signals value n of one sync object, and before a batch that would
 * put more than a ring's worth of jobs in flight the submitter waits
 * (spinning, or in the WAIT ioctl) for the oldest ones to complete. A
 * completed job's descriptor has been consumed, so the ring then has room:
 * the submitter never finds it full. ns/op and ops/s are per job.
 */
#include <errno.h>
#include <stdint.h>

#include "backend.h"
#include "measure.h"
#include "userq.h"
#include "userq_cost.h"

static const char *const throttle_waits[] = { "spin", "ioctl", NULL };

static const struct drmb_param user_submit_throughput_params[] = {
	{ "ring", DRMB_PARAM_INT, "4096,65536", "ring size, bytes (64 per job)", 4096, 1 << 24 },
	{ "fw-policy", DRMB_PARAM_ENUM, "busy,poll,sleep", "how the firmware notices the doorbell",
	  .choices = drmb_fw_policy_names },
	{ "poll-us", DRMB_PARAM_INT, USERQ_POLL_US_DEFAULT,
	  "firmware poll interval, us (fw-policy=poll only)", 1, 1000000 },
	{ "batch", DRMB_PARAM_INT, "1,16", "jobs per doorbell", 1, 4096 },
	{ "wait", DRMB_PARAM_ENUM, "ioctl", "how the submitter waits for room",
	  .choices = throttle_waits },
	{ "duration", DRMB_PARAM_INT, "0", "job duration on the engine, ns", 0, 100000000 },
	{ NULL },
};

#define MAX_BATCH 4096

struct user_submit_throughput {
	struct drmb_device *dev;
	/* Resolved in setup: the measured loop calls the backend's ops. */
	const struct drmb_userq_ops *uq;
	struct drmb_userq q;
	int have_q;
	enum drmb_userq_wait wait;
	unsigned int batch;
	uint64_t submitted, waited;
	struct drmb_userq_job jobs[MAX_BATCH];
};

static int user_submit_throughput_requires(struct drmb_case *c)
{
	int64_t ring = drmb_case_int(c, "ring"), batch = drmb_case_int(c, "batch");

	if (ring & (ring - 1))
		return drmb_why(c, -EINVAL, "ring=%lld is not a power of two", (long long)ring);
	if (batch > ring / 64)
		return drmb_why(c, -EINVAL, "batch=%lld does not fit a %lld-byte ring (%lld jobs)",
				(long long)batch, (long long)ring, (long long)ring / 64);
	return 0;
}

static int drain(struct user_submit_throughput *t)
{
	if (!t->submitted || t->waited >= t->submitted)
		return 0;
	t->waited = t->submitted;
	return drmb_userq_wait(t->dev, &t->q, 0, t->submitted, t->wait, USERQ_TIMEOUT_NS);
}

static void user_submit_throughput_teardown(struct drmb_case *c)
{
	struct user_submit_throughput *t = c->priv;

	if (t->have_q) {
		drain(t);
		drmb_userq_destroy(t->dev, &t->q);
	}
}

static int user_submit_throughput_setup(struct drmb_case *c)
{
	struct user_submit_throughput *t = c->priv;
	struct drmb_userq_opts o;
	unsigned int i;
	int ret;

	t->dev = c->dev;
	t->batch = drmb_case_int(c, "batch");
	t->uq = DRMB_GROUP_OPS(c->dev, DRMB_GROUP_USERQ, userq);
	t->wait = drmb_case_int(c, "wait") ? DRMB_USERQ_WAIT_IOCTL : DRMB_USERQ_WAIT_SPIN;
	userq_opts_from_case(c, &o);
	ret = drmb_userq_create(t->dev, &o, &t->q, c->why, sizeof(c->why));
	if (ret)
		return ret;
	t->have_q = 1;
	for (i = 0; i < t->batch; i++)
		t->jobs[i].duration_ns = drmb_case_int(c, "duration");
	return 0;
}

static int submit_batch_op(struct drmb_case *c)
{
	struct user_submit_throughput *t = c->priv;
	uint64_t need = drmb_userq_throttle(t->submitted, t->batch, t->q.ring_jobs);
	unsigned int i;
	int ret;

	/* Throttle: at most a ring of jobs in flight. */
	if (need > t->waited) {
		ret = t->uq->wait(t->dev, &t->q, 0, need, t->wait, USERQ_TIMEOUT_NS);
		if (ret)
			return ret;
		t->waited = need;
	}
	for (i = 0; i < t->batch; i++)
		t->jobs[i].signal_value = t->submitted + i + 1;
	ret = t->uq->submit(t->dev, &t->q, t->jobs, t->batch, NULL);
	if (ret)
		return ret;
	t->submitted += t->batch;
	return 0;
}

static int user_submit_throughput_run(struct drmb_case *c, struct drmb_samples *s)
{
	struct user_submit_throughput *t = c->priv;
	struct userq_cost cost;
	int ret;

	s->ops_per_sample = t->batch;
	userq_cost_start(&cost, USERQ_COST_SUBMIT | USERQ_COST_FW | USERQ_COST_KICKS |
			 USERQ_COST_WAKEUPS | USERQ_COST_DOORBELLS, t->dev, &t->q);
	ret = drmb_measure_loop(c, s, submit_batch_op);
	/* Untimed, but the jobs' cost: the queue drains inside the figures. */
	if (!ret)
		ret = drain(t);
	if (ret == -EAGAIN)
		return drmb_why(c, ret, "the ring was full although a ring of jobs had completed");
	if (ret == -ETIME)
		return drmb_why(c, ret, "jobs did not complete within %llu s",
				USERQ_TIMEOUT_NS / 1000000000ull);
	if (ret == -EIO)
		return drmb_why(c, ret, "the user queue faulted (see USERQ_QUERY's fault)");
	if (ret)
		return ret;
	userq_cost_report(c, &cost, (double)s->n * t->batch);
	return 0;
}

const struct drmb_bench drmb_bench_user_submit_throughput = {
	.name = "user-submit-throughput",
	.id = "UserSubmitThroughput",
	.summary = "user-queue jobs per second with the ring kept full, by ring size and firmware policy",
	.flags = DRMB_BENCH_NEEDS_DEVICE | DRMB_BENCH_THROUGHPUT,
	.needs = DRMB_NEEDS(DRMB_GROUP_USERQ),
	.params = user_submit_throughput_params,
	.priv_size = sizeof(struct user_submit_throughput),
	.requires = user_submit_throughput_requires,
	.setup = user_submit_throughput_setup,
	.run = user_submit_throughput_run,
	.teardown = user_submit_throughput_teardown,
};
