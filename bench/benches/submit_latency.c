// SPDX-License-Identifier: MIT
/*
 * submit-latency: submit ioctl -> scheduler -> engine -> fence signal ->
 * waiter woken, with the kernel's per-job timestamps splitting it in stages:
 *
 *   entry-ns      user stamp before the ioctl -> driver ioctl entry
 *   sched-ns      ioctl entry -> drm_sched called run_job
 *   engine-ns     run_job -> the engine started the job
 *   exec-ns       engine start -> hardware fence signalled (incl. duration)
 *   wake-ns       fence signalled -> waiter running in userspace
 *
 * Wait modes: syncobj (waiter blocked in SYNCOBJ_WAIT WAIT_FOR_SUBMIT before
 * the submit), eventfd (waiter blocked reading a SYNCOBJ_EVENTFD eventfd),
 * sync-file (the submitter polls the job's out-fence: the fd only exists
 * once the ioctl returned, so it cannot be waited for in advance).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "backend.h"
#include "measure.h"
#include "stats.h"

enum { WAIT_SYNCOBJ, WAIT_EVENTFD, WAIT_SYNC_FILE };
static const char *const waits[] = { "syncobj", "eventfd", "sync-file", NULL };

static const struct drmb_param submit_latency_params[] = {
	{ "duration", DRMB_PARAM_INT, "0", "job duration on the engine, ns", 0, 1000000000 },
	{ "jobs", DRMB_PARAM_INT, "1", "jobs per submit (the last one signals)", 1, 256 },
	{ "wait", DRMB_PARAM_ENUM, "syncobj,eventfd,sync-file", "how completion is waited for",
	  .choices = waits },
	{ "load", DRMB_PARAM_INT, "0", "busy background threads (CPU load)", 0, 64 },
	{ NULL },
};

enum { ST_ENTRY, ST_SCHED, ST_ENGINE, ST_EXEC, ST_WAKE, ST_NR };
static const char *const stage_units[ST_NR] = {
	"entry-ns/op", "sched-ns/op", "engine-ns/op", "exec-ns/op", "wake-ns/op",
};

struct submit_latency {
	struct drmb_device *dev;
	uint32_t queue, syncobj;
	uint64_t point, seqno;
	int wait, efd;
	unsigned int njobs;
	struct drmb_job *jobs;
	struct drmb_load load;
	double *stage[ST_NR];
	size_t nstage, cap;
	int stage_err;
};

static uint32_t submit_latency_case_needs(const struct drmb_case *c)
{
	switch (drmb_case_int(c, "wait")) {
	case WAIT_EVENTFD:
		return DRMB_NEEDS(DRMB_GROUP_TIMELINE) | DRMB_NEEDS(DRMB_GROUP_SYNCOBJ_EVENTFD);
	case WAIT_SYNC_FILE:
		return DRMB_NEEDS(DRMB_GROUP_SYNC_FILE);
	}
	return 0;
}

static int submit_latency_requires(struct drmb_case *c)
{
	unsigned int max = drmb_submit_max_batch(c->dev);

	/* Checked here, not by the submit: only .requires may SKIP. */
	if (drmb_case_int(c, "duration") && !drmb_submit_durations(c->dev))
		return drmb_why(c, -EOPNOTSUPP, "backend %s cannot give a job engine time (duration=0 only)",
				c->dev->backend->name);
	if ((unsigned int)drmb_case_int(c, "jobs") > max)
		return drmb_why(c, -EOPNOTSUPP, "backend takes at most %u jobs per submit", max);
	return 0;
}

static void submit_latency_teardown(struct drmb_case *c)
{
	struct submit_latency *l = c->priv;
	int i;

	drmb_load_stop(&l->load);
	if (l->queue)
		drmb_queue_destroy(l->dev, l->queue);
	if (l->syncobj)
		drmb_syncobj_destroy(l->dev, l->syncobj);
	if (l->efd >= 0)
		close(l->efd);
	for (i = 0; i < ST_NR; i++)
		free(l->stage[i]);
	free(l->jobs);
}

static int submit_latency_setup(struct drmb_case *c)
{
	struct submit_latency *l = c->priv;
	struct drmb_queue_opts qo = { .priority = 1 };
	unsigned int i;
	int ret;

	l->dev = c->dev;
	l->efd = -1;
	l->wait = drmb_case_int(c, "wait");
	l->njobs = drmb_case_int(c, "jobs");
	l->cap = c->samples;
	l->jobs = calloc(l->njobs, sizeof(*l->jobs));
	for (i = 0; i < ST_NR; i++)
		l->stage[i] = calloc(l->cap, sizeof(double));
	for (i = 0; i < ST_NR && l->jobs; i++)
		if (!l->stage[i])
			break;
	if (!l->jobs || i < ST_NR) {
		ret = -ENOMEM;
		goto err;
	}
	for (i = 0; i < l->njobs; i++) {
		l->jobs[i].duration_ns = drmb_case_int(c, "duration");
		l->jobs[i].in_fence_fd = -1;
	}
	ret = drmb_queue_create(l->dev, &qo, &l->queue, c->why, sizeof(c->why));
	if (ret)
		goto err;
	ret = drmb_syncobj_create(l->dev, 0, &l->syncobj);
	if (ret) {
		drmb_why(c, ret, "SYNCOBJ_CREATE: %s", strerror(-ret));
		goto err;
	}
	if (l->wait == WAIT_EVENTFD) {
		l->efd = eventfd(0, EFD_CLOEXEC);
		if (l->efd < 0) {
			ret = drmb_why(c, -errno, "eventfd: %m");
			goto err;
		}
	}
	ret = drmb_load_start(&l->load, drmb_case_int(c, "load"));
	if (ret) {
		drmb_why(c, ret, "starting the load threads failed");
		goto err;
	}
	return 0;
err:
	submit_latency_teardown(c);
	return ret;
}

/* The last job of the batch signals; the waiter sees the whole batch. */
static void set_signal(struct submit_latency *l)
{
	struct drmb_job *last = &l->jobs[l->njobs - 1];

	last->signal_syncobj = l->syncobj;
	last->signal_point = l->wait == WAIT_EVENTFD ? l->point : 0;
	last->want_out_fence = l->wait == WAIT_SYNC_FILE;
}

static int submit_latency_arm(struct drmb_case *c)
{
	struct submit_latency *l = c->priv;

	if (l->wait == WAIT_EVENTFD) {
		l->point++;
		return drmb_syncobj_eventfd(l->dev, l->syncobj, l->point, l->efd, 0);
	}
	return drmb_syncobj_reset(l->dev, &l->syncobj, 1);
}

static int submit_latency_submit(struct drmb_case *c)
{
	struct submit_latency *l = c->priv;
	uint64_t first = 0;
	int ret;

	set_signal(l);
	ret = drmb_submit(l->dev, l->queue, l->jobs, l->njobs, &first);
	l->seqno = first + l->njobs - 1;
	return ret;
}

static int submit_latency_wait(struct drmb_case *c)
{
	struct submit_latency *l = c->priv;
	uint64_t v;

	if (l->wait == WAIT_EVENTFD)
		return read(l->efd, &v, sizeof(v)) == sizeof(v) ? 0 : -errno;
	return drmb_syncobj_wait(l->dev, &l->syncobj, 1, INT64_MAX,
				 DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, NULL);
}

/* Untimed: split the sample with the kernel's stamps of the last job. */
static void record_stages(struct submit_latency *l, size_t i, uint64_t t0, uint64_t t1)
{
	struct drmb_job_times t;
	int ret;

	if (i >= l->cap)
		return;
	ret = drmb_job_times(l->dev, l->queue, l->seqno, &t);
	/*
	 * A record not complete yet (-EBUSY), or a backend without stage
	 * records, leaves this sample unsplit.
	 */
	if (ret) {
		if (ret != -EBUSY && ret != -EOPNOTSUPP)
			l->stage_err = ret;
		return;
	}
	l->stage[ST_ENTRY][l->nstage] = (double)t.ioctl_ns - (double)t0;
	l->stage[ST_SCHED][l->nstage] = (double)t.run_job_ns - (double)t.ioctl_ns;
	l->stage[ST_ENGINE][l->nstage] = (double)t.engine_start_ns - (double)t.run_job_ns;
	l->stage[ST_EXEC][l->nstage] = (double)t.signal_ns - (double)t.engine_start_ns;
	l->stage[ST_WAKE][l->nstage] = (double)t1 - (double)t.signal_ns;
	l->nstage++;
}

static void submit_latency_woken(struct drmb_case *c, size_t i, uint64_t t0, uint64_t t1)
{
	record_stages(c->priv, i, t0, t1);
}

static const struct drmb_wake_ops submit_latency_ops = {
	.arm = submit_latency_arm,
	.wait = submit_latency_wait,
	.signal = submit_latency_submit,
	.woken = submit_latency_woken,
};

/* sync-file: one thread submits, then polls the out-fence it got back. */
static int submit_poll_op(struct drmb_case *c)
{
	struct submit_latency *l = c->priv;
	struct pollfd pfd = { .events = POLLIN };
	int ret;

	ret = submit_latency_submit(c);
	if (ret)
		return ret;
	pfd.fd = l->jobs[l->njobs - 1].out_fence_fd;
	ret = poll(&pfd, 1, -1) == 1 ? 0 : -errno;
	close(pfd.fd);
	return ret;
}

static int submit_latency_run(struct drmb_case *c, struct drmb_samples *s)
{
	struct submit_latency *l = c->priv;
	int ret, k;

	l->nstage = 0;
	l->stage_err = 0;
	if (l->wait == WAIT_SYNC_FILE)
		ret = drmb_measure_each(c, s, submit_poll_op, submit_latency_woken);
	else
		ret = drmb_measure_wake(c, s, &submit_latency_ops);
	if (ret)
		return ret;
	if (l->stage_err)
		return drmb_why(c, l->stage_err, "reading job timestamps failed: %s",
				strerror(-l->stage_err));
	for (k = 0; k < ST_NR && l->nstage; k++)
		drmb_case_metric(c, stage_units[k], drmb_median_double(l->stage[k], l->nstage));
	return 0;
}

const struct drmb_bench drmb_bench_submit_latency = {
	.name = "submit-latency",
	.id = "SubmitLatency",
	.summary = "submit ioctl to waiter woken, split in kernel stages",
	.flags = DRMB_BENCH_TWO_THREADS | DRMB_BENCH_FLOOR_RATIO | DRMB_BENCH_NEEDS_DEVICE,
	.needs = DRMB_NEEDS(DRMB_GROUP_SUBMIT) | DRMB_NEEDS(DRMB_GROUP_SYNCOBJ),
	.case_needs = submit_latency_case_needs,
	.params = submit_latency_params,
	.priv_size = sizeof(struct submit_latency),
	.requires = submit_latency_requires,
	.setup = submit_latency_setup,
	.run = submit_latency_run,
	.teardown = submit_latency_teardown,
};
