// SPDX-License-Identifier: MIT
/*
 * submit-models: the same stream of jobs, one at a time, submitted and
 * waited for by one thread through each submission model, so one run gives
 * the side-by-side table of what user-mode submission saves and where:
 *
 *   kernel          SUBMIT ioctl signalling a timeline syncobj point, then
 *                   SYNCOBJ_TIMELINE_WAIT on it (drm_sched, kworkers)
 *   user-spin       descriptor + doorbell, spin on the mapped sync object
 *   user-wait       descriptor + doorbell, the driver's WAIT ioctl
 *   user-to-kernel  a user job, bridged (BRIDGE_TO_SYNCOBJ) to a syncobj
 *                   point a kernel job waits on; wait for the kernel job's
 *   kernel-to-user  a kernel job, bridged (BRIDGE_FROM_SYNCOBJ) to a sync
 *                   object a user job waits on; WAIT ioctl for the user job
 *
 * A sample is one step of the stream: one job, or for the two mixed models
 * the dependent pair. Besides the latency, each run reports what a step
 * cost in CPU time (userq_cost.h): the submitting and waiting thread, the
 * user queue's firmware thread, and every other task of the machine, where
 * the kernel model's scheduler work (drm_sched's run_job work item and the
 * free_job worker) runs. The user queue's firmware thread stands in for a
 * GPU's own microcontroller: on hardware cpu-fw is not CPU time at all.
 *
 * Those are totals over the run divided by its steps: means, which a few
 * stalled steps dominate (in a TCG guest whatever task is current when
 * the host preempts a vCPU is charged the stall). cpu-submit-p50-ns/op is
 * the median of the caller's CPU time per step, read between steps
 * (untimed), less the cost of that read: the typical step's cost.
 * cpu-fw-p50-ns/op is the median over stretches of FW_CHUNK steps of the
 * firmware thread's CPU time per step (read between stretches): a busy
 * firmware spins whatever happens, so its figure is the wall time per
 * step, the between-step reads included.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "measure.h"
#include "stats.h"
#include "userq_cost.h"

enum { M_KERNEL, M_USER_SPIN, M_USER_WAIT, M_USER_TO_KERNEL, M_KERNEL_TO_USER };
static const char *const models[] = {
	"kernel", "user-spin", "user-wait", "user-to-kernel", "kernel-to-user", NULL,
};

static const struct drmb_param submit_models_params[] = {
	{ "model", DRMB_PARAM_ENUM, "kernel,user-spin,user-wait,user-to-kernel,kernel-to-user",
	  "submission model (one row each)", .choices = models },
	{ "fw-policy", DRMB_PARAM_ENUM, "busy",
	  "how the user queue's firmware notices the doorbell", .choices = drmb_fw_policy_names },
	{ "poll-us", DRMB_PARAM_INT, USERQ_POLL_US_DEFAULT,
	  "firmware poll interval, us (fw-policy=poll only)", 1, 1000000 },
	{ "duration", DRMB_PARAM_INT, "0", "engine time of every job, ns", 0, 1000000000 },
	{ NULL },
};

/* Steps per firmware CPU reading: each costs an ioctl and a CPU hop. */
#define FW_CHUNK 100

/* The user queue's sync objects. */
enum { SYNC_DONE, SYNC_FROM_KERNEL };

struct submit_models {
	struct drmb_device *dev;
	int model;
	uint64_t duration;
	uint32_t queue;			/* kernel queue, 0 = none */
	uint32_t done, bridge;		/* timeline syncobjs */
	struct drmb_userq q;
	int have_q;
	uint64_t step;			/* timeline point and sync value of this step */
	/* The caller's CPU time per step, and what reading it costs. */
	double *step_cpu;
	size_t cap;
	uint64_t last_cpu;
	double cpu_read_ns;
	double untimed_ns;		/* the caller's CPU in the reads between steps */
	/* The firmware thread's CPU time per step, per stretch of FW_CHUNK. */
	double *chunk_fw;
	size_t nchunks;
	int64_t last_fw;
};

static int uses_kernel(int model)
{
	return model != M_USER_SPIN && model != M_USER_WAIT;
}

static int uses_user(int model)
{
	return model != M_KERNEL;
}

static uint32_t submit_models_case_needs(const struct drmb_case *c)
{
	int model = drmb_case_int(c, "model");
	uint32_t needs = 0;

	if (uses_kernel(model))
		needs |= DRMB_NEEDS(DRMB_GROUP_SUBMIT) | DRMB_NEEDS(DRMB_GROUP_SYNCOBJ) |
			 DRMB_NEEDS(DRMB_GROUP_TIMELINE);
	if (uses_user(model))
		needs |= DRMB_NEEDS(DRMB_GROUP_USERQ);
	if (uses_kernel(model) && uses_user(model))
		needs |= DRMB_NEEDS(DRMB_GROUP_USERQ_BRIDGE);
	return needs;
}

static void submit_models_teardown(struct drmb_case *c)
{
	struct submit_models *m = c->priv;

	if (m->have_q)
		drmb_userq_destroy(m->dev, &m->q);
	if (m->queue)
		drmb_queue_destroy(m->dev, m->queue);
	if (m->done)
		drmb_syncobj_destroy(m->dev, m->done);
	if (m->bridge)
		drmb_syncobj_destroy(m->dev, m->bridge);
	free(m->step_cpu);
	free(m->chunk_fw);
}

/* Median cost of one CLOCK_THREAD_CPUTIME_ID read (a system call). */
static double cpu_read_cost(void)
{
	enum { N = 101 };
	double d[N];
	uint64_t a, b;
	int i;

	for (i = 0; i < N; i++) {
		a = drmb_thread_cpu_ns();
		b = drmb_thread_cpu_ns();
		d[i] = (double)(b - a);
	}
	return drmb_median_double(d, N);
}

static int submit_models_setup(struct drmb_case *c)
{
	struct submit_models *m = c->priv;
	struct drmb_queue_opts qo = { .priority = 1 };
	struct drmb_userq_opts uo;
	int ret = 0;

	m->dev = c->dev;
	m->model = drmb_case_int(c, "model");
	m->duration = drmb_case_int(c, "duration");
	m->cap = c->samples;
	m->step_cpu = calloc(m->cap, sizeof(*m->step_cpu));
	m->chunk_fw = calloc(m->cap / FW_CHUNK + 1, sizeof(*m->chunk_fw));
	if (!m->step_cpu || !m->chunk_fw) {
		submit_models_teardown(c);
		return -ENOMEM;
	}
	if (uses_kernel(m->model)) {
		ret = drmb_queue_create(m->dev, &qo, &m->queue, c->why, sizeof(c->why));
		if (!ret && ((ret = drmb_syncobj_create(m->dev, 0, &m->done)) ||
			     (ret = drmb_syncobj_create(m->dev, 0, &m->bridge))))
			drmb_why(c, ret, "SYNCOBJ_CREATE: %s", strerror(-ret));
	}
	if (!ret && uses_user(m->model)) {
		userq_opts_from_case(c, &uo);
		ret = drmb_userq_create(m->dev, &uo, &m->q, c->why, sizeof(c->why));
		m->have_q = !ret;
	}
	if (ret)
		submit_models_teardown(c);
	return ret;
}

static int kernel_job(struct submit_models *m, uint32_t wait, uint32_t signal)
{
	struct drmb_job j = {
		.duration_ns = m->duration,
		.wait_syncobj = wait,
		.wait_point = wait ? m->step : 0,
		.signal_syncobj = signal,
		.signal_point = m->step,
		.in_fence_fd = -1,
	};

	return drmb_submit(m->dev, m->queue, &j, 1, NULL);
}

static int user_job(struct submit_models *m, int wait_for_kernel)
{
	struct drmb_userq_job j = {
		.duration_ns = m->duration,
		.signal_sync = SYNC_DONE,
		.signal_value = m->step,
		.wait = wait_for_kernel,
		.wait_sync = SYNC_FROM_KERNEL,
		.wait_value = m->step,
	};

	return drmb_userq_submit(m->dev, &m->q, &j, 1, NULL);
}

static int wait_kernel(struct submit_models *m)
{
	return drmb_timeline_wait(m->dev, &m->done, &m->step, 1, INT64_MAX,
				  DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, NULL);
}

static int wait_user(struct submit_models *m, enum drmb_userq_wait how)
{
	return drmb_userq_wait(m->dev, &m->q, SYNC_DONE, m->step, how, USERQ_TIMEOUT_NS);
}

static int submit_models_step(struct drmb_case *c)
{
	struct submit_models *m = c->priv;
	int ret;

	/* Every timeline point and sync value moves forward with the step. */
	m->step++;
	switch (m->model) {
	case M_KERNEL:
		ret = kernel_job(m, 0, m->done);
		return ret ? ret : wait_kernel(m);
	case M_USER_SPIN:
	case M_USER_WAIT:
		ret = user_job(m, 0);
		return ret ? ret : wait_user(m, m->model == M_USER_SPIN ? DRMB_USERQ_WAIT_SPIN :
									 DRMB_USERQ_WAIT_IOCTL);
	case M_USER_TO_KERNEL:
		ret = user_job(m, 0);
		if (!ret)
			ret = drmb_userq_bridge(m->dev, &m->q, DRMB_BRIDGE_TO_SYNCOBJ, SYNC_DONE,
						m->step, m->bridge, m->step);
		if (!ret)
			ret = kernel_job(m, m->bridge, m->done);
		return ret ? ret : wait_kernel(m);
	case M_KERNEL_TO_USER:
		ret = kernel_job(m, 0, m->bridge);
		/* The syncobj has its fence now: the bridge can take it. */
		if (!ret)
			ret = drmb_userq_bridge(m->dev, &m->q, DRMB_BRIDGE_FROM_SYNCOBJ,
						SYNC_FROM_KERNEL, m->step, m->bridge, m->step);
		if (!ret)
			ret = user_job(m, 1);
		return ret ? ret : wait_user(m, DRMB_USERQ_WAIT_IOCTL);
	}
	return -EINVAL;
}

/* The firmware thread's CPU time now, or -1. */
static int64_t fw_cpu(struct submit_models *m)
{
	struct drmb_userq_stats st;

	if (!m->have_q || drmb_userq_stats(m->dev, &m->q, &st))
		return -1;
	return st.fw_cpu_ns;
}

/* Untimed, between steps: the caller's CPU time since the last one. */
static void submit_models_after(struct drmb_case *c, size_t i, uint64_t t0, uint64_t t1)
{
	struct submit_models *m = c->priv;
	uint64_t now = drmb_thread_cpu_ns();
	int64_t fw;

	if (i < m->cap)
		m->step_cpu[i] = (double)(now - m->last_cpu) - m->cpu_read_ns;
	if (m->last_fw >= 0 && (i + 1) % FW_CHUNK == 0 && m->nchunks <= m->cap / FW_CHUNK) {
		fw = fw_cpu(m);
		if (fw >= 0)
			m->chunk_fw[m->nchunks++] = (double)(fw - m->last_fw) / FW_CHUNK;
		m->last_fw = fw;
	}
	/* Last: the reads above belong to no step. */
	m->last_cpu = drmb_thread_cpu_ns();
	m->untimed_ns += (double)(m->last_cpu - now) + m->cpu_read_ns;
}

static int submit_models_run(struct drmb_case *c, struct drmb_samples *s)
{
	struct submit_models *m = c->priv;
	unsigned int what = USERQ_COST_SUBMIT | USERQ_COST_OTHER;
	struct userq_cost cost;
	int ret;

	if (uses_user(m->model))
		what |= USERQ_COST_FW | USERQ_COST_KICKS | USERQ_COST_WAKEUPS;
	userq_cost_start(&cost, what, m->dev, m->have_q ? &m->q : NULL);
	m->nchunks = 0;
	m->untimed_ns = 0;
	/* Here, not at setup: warm, and on the CPU the run starts on. */
	m->cpu_read_ns = cpu_read_cost();
	m->last_fw = fw_cpu(m);
	m->last_cpu = drmb_thread_cpu_ns();
	ret = drmb_measure_each(c, s, submit_models_step, submit_models_after);
	if (ret == -ETIME)
		return drmb_why(c, ret, "a job did not complete within %llu s",
				USERQ_TIMEOUT_NS / 1000000000ull);
	if (ret == -EIO && m->have_q)
		return drmb_why(c, ret, "the user queue faulted (see USERQ_QUERY's fault)");
	if (ret)
		return ret;
	/* The robust figure first: it is the table's column next to ns/op. */
	if (s->n)
		drmb_case_metric(c, "cpu-submit-p50-ns/op",
				 drmb_median_double(m->step_cpu, s->n < m->cap ? s->n : m->cap));
	if (m->nchunks)
		drmb_case_metric(c, "cpu-fw-p50-ns/op", drmb_median_double(m->chunk_fw, m->nchunks));
	/* The reads between steps are the measurement's, not the steps'. */
	cost.untimed_self_ns = (uint64_t)m->untimed_ns;
	userq_cost_report(c, &cost, (double)s->n);
	return 0;
}

const struct drmb_bench drmb_bench_submit_models = {
	.name = "submit-models",
	.id = "SubmitModels",
	.summary = "one job stream through kernel, user and bridged submission: latency and CPU per job",
	.flags = DRMB_BENCH_NEEDS_DEVICE,
	.case_needs = submit_models_case_needs,
	.params = submit_models_params,
	.priv_size = sizeof(struct submit_models),
	.setup = submit_models_setup,
	.run = submit_models_run,
	.teardown = submit_models_teardown,
};
