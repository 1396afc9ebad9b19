// SPDX-License-Identifier: MIT
/*
 * submit-throughput: jobs per second with the queues kept full. Each sample
 * submits one batch on the next queue (round robin); a queue may have at
 * most `depth` jobs in flight, beyond which the submitter waits for the
 * queue's timeline syncobj to reach (submitted - depth). The credit limit of
 * a per-queue scheduler is a parameter: the knob a scheduler tuner sweeps.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "fdinfo.h"
#include "measure.h"

#define MAX_QUEUES 16

static const struct drmb_param submit_throughput_params[] = {
	{ "batch", DRMB_PARAM_INT, "1,16", "jobs per submit ioctl", 1, 256 },
	{ "queues", DRMB_PARAM_INT, "1,4", "queues submitted to round robin", 1, MAX_QUEUES },
	{ "depth", DRMB_PARAM_INT, "64", "jobs in flight per queue before throttling", 1, 65536 },
	{ "credit", DRMB_PARAM_INT, "0",
	  "per-queue scheduler credit limit (0: shared engine scheduler, module default)",
	  0, 65536 },
	{ "duration", DRMB_PARAM_INT, "0", "job duration on the engine, ns", 0, 100000000 },
	{ NULL },
};

struct submit_throughput {
	struct drmb_device *dev;
	unsigned int nqueues, batch, depth, next;
	uint32_t queue[MAX_QUEUES], syncobj[MAX_QUEUES];
	uint64_t submitted[MAX_QUEUES];	/* = timeline point of the last job */
	struct drmb_job *jobs;
};

static int submit_throughput_requires(struct drmb_case *c)
{
	unsigned int max = drmb_submit_max_batch(c->dev);

	if ((unsigned int)drmb_case_int(c, "batch") > max)
		return drmb_why(c, -EOPNOTSUPP, "backend takes at most %u jobs per submit", max);
	return 0;
}

/* Untimed: let every queue drain so the next run starts from idle. */
static int drain(struct submit_throughput *t)
{
	unsigned int q;
	int ret = 0;

	for (q = 0; q < t->nqueues && !ret; q++)
		if (t->submitted[q])
			ret = drmb_timeline_wait(t->dev, &t->syncobj[q], &t->submitted[q], 1,
						 INT64_MAX, 0, NULL);
	return ret;
}

static void submit_throughput_teardown(struct drmb_case *c)
{
	struct submit_throughput *t = c->priv;
	unsigned int q;

	drain(t);
	for (q = 0; q < t->nqueues; q++) {
		if (t->queue[q])
			drmb_queue_destroy(t->dev, t->queue[q]);
		if (t->syncobj[q])
			drmb_syncobj_destroy(t->dev, t->syncobj[q]);
	}
	free(t->jobs);
}

static int submit_throughput_setup(struct drmb_case *c)
{
	struct submit_throughput *t = c->priv;
	struct drmb_queue_opts qo = { .priority = 1 };
	unsigned int q, i;
	int ret;

	t->dev = c->dev;
	t->nqueues = drmb_case_int(c, "queues");
	t->batch = drmb_case_int(c, "batch");
	t->depth = drmb_case_int(c, "depth");
	qo.credit_limit = drmb_case_int(c, "credit");
	qo.own_sched = qo.credit_limit != 0;
	t->jobs = calloc(t->batch, sizeof(*t->jobs));
	if (!t->jobs)
		return -ENOMEM;
	for (i = 0; i < t->batch; i++) {
		t->jobs[i].duration_ns = drmb_case_int(c, "duration");
		t->jobs[i].in_fence_fd = -1;
	}
	for (q = 0; q < t->nqueues; q++) {
		ret = drmb_queue_create(t->dev, &qo, &t->queue[q], c->why, sizeof(c->why));
		if (!ret && (ret = drmb_syncobj_create(t->dev, 0, &t->syncobj[q])))
			drmb_why(c, ret, "SYNCOBJ_CREATE: %s", strerror(-ret));
		if (ret) {
			submit_throughput_teardown(c);
			return ret;
		}
	}
	return 0;
}

static int submit_batch_op(struct drmb_case *c)
{
	struct submit_throughput *t = c->priv;
	unsigned int q = t->next++ % t->nqueues;
	struct drmb_job *last = &t->jobs[t->batch - 1];
	uint64_t first, wait_for;
	int ret;

	last->signal_syncobj = t->syncobj[q];
	last->signal_point = t->submitted[q] + t->batch;
	ret = drmb_submit(t->dev, t->queue[q], t->jobs, t->batch, &first);
	if (ret)
		return ret;
	t->submitted[q] += t->batch;
	if (t->submitted[q] <= t->depth)
		return 0;
	/* Throttle: at most depth jobs of this queue in flight. */
	wait_for = t->submitted[q] - t->depth;
	return drmb_timeline_wait(t->dev, &t->syncobj[q], &wait_for, 1, INT64_MAX,
				  DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, NULL);
}

/*
 * Engine utilisation from the file's drm-usage-stats (any driver that has
 * them): busy ns per job, and busy / (wall time x capacity) over the run,
 * drained queues included. Without those keys, no metric.
 */
static void engine_usage(struct drmb_case *c, const struct drmb_fdinfo *a, uint64_t t0,
			 uint64_t jobs)
{
	struct submit_throughput *t = c->priv;
	struct drmb_fdinfo b;
	unsigned int cap;
	uint64_t busy, t1 = drmb_now_ns();

	if (drmb_fdinfo_read(t->dev->fd, &b) || drmb_fdinfo_busy(a, &b, &busy, &cap) ||
	    !b.nengines || !jobs || t1 <= t0)
		return;
	drmb_case_metric(c, "busy-ns-per-job", (double)busy / (double)jobs);
	drmb_case_metric(c, "engine-util-pct",
			 cap ? 100.0 * (double)busy / ((double)(t1 - t0) * cap) : 0);
}

static int submit_throughput_run(struct drmb_case *c, struct drmb_samples *s)
{
	struct submit_throughput *t = c->priv;
	struct drmb_fdinfo fi;
	int ret, have_fi;
	uint64_t t0;

	s->ops_per_sample = t->batch;
	have_fi = !drmb_fdinfo_read(t->dev->fd, &fi);
	t0 = drmb_now_ns();
	ret = drmb_measure_loop(c, s, submit_batch_op);
	if (!ret)
		ret = drain(t);
	if (!ret && have_fi)
		engine_usage(c, &fi, t0, (uint64_t)s->n * t->batch);
	return ret;
}

const struct drmb_bench drmb_bench_submit_throughput = {
	.name = "submit-throughput",
	.id = "SubmitThroughput",
	.summary = "jobs per second with the queues kept full, by batch, queues, credits",
	.flags = DRMB_BENCH_NEEDS_DEVICE | DRMB_BENCH_THROUGHPUT,
	.needs = DRMB_NEEDS(DRMB_GROUP_SUBMIT) | DRMB_NEEDS(DRMB_GROUP_SYNCOBJ) |
		 DRMB_NEEDS(DRMB_GROUP_TIMELINE),
	.params = submit_throughput_params,
	.priv_size = sizeof(struct submit_throughput),
	.requires = submit_throughput_requires,
	.setup = submit_throughput_setup,
	.run = submit_throughput_run,
	.teardown = submit_throughput_teardown,
};
