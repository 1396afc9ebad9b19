// SPDX-License-Identifier: MIT
/*
 * sched-workload: a multi-client workload (workloads/sched/NAME.wl, the
 * language in docs/workloads.md) run through drm_sched. Every client has
 * its own DRM file and queue, all start together, and a run lasts until
 * its first client started `cycles` cycles (200: a p50 per run) or
 * `duration` ms passed. A sample is one cycle of that client (its
 * instances together); per client the result line also carries its cycle p50/p99,
 * time over the ideal, missed periods, engine share, submit->run_job p50
 * and the longest a ready job waited for run_job, and per workload the
 * fairness spread between identical clients.
 *
 * The engine (bench/lib/workload_run.c) reaches the device only through
 * the few functions below.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "fdinfo.h"
#include "measure.h"
#include "workload.h"

#define RING 64		/* a syncobj per job in flight; > DRMB_WL_MAX_INFLIGHT */

static const char *const modes[] = { "threads", "processes", NULL };

static const struct drmb_param wl_params[] = {
	{ "workload", DRMB_PARAM_ENUM, "interactive-beside-hog",
	  "workload (drmbench workloads)", .choices = drmb_builtin_workload_names },
	{ "clients", DRMB_PARAM_INT, "0", "instances of the first client; 0: as the file says",
	  0, DRMB_WL_MAX_CLIENTS },
	{ "cycles", DRMB_PARAM_INT, "200", "a run ends once the first client started this many cycles (its instances together; 0: at duration)",
	  0, 100000 },
	{ "duration", DRMB_PARAM_INT, "20000", "longest run, ms (run -t caps it too, or the workload's time-cap if longer)", 50, 600000 },
	{ "mode", DRMB_PARAM_ENUM, "threads", "each client a thread or a process",
	  .choices = modes },
	{ "busy", DRMB_PARAM_INT, "0", "threads spinning beside the clients (CPU load)", 0, 64 },
	{ NULL },
};

/* Metric units are "<client>-<what>": kept here for the case's lifetime. */
#define NMETRICS 8
static const char *const metric_names[NMETRICS] = {
	"cycle-ns", "cycle-p99-ns", "over-ideal-ns", "missed-periods", "engine-share",
	"submit-run-ns", "ready-wait-max-ns",
	"fdinfo-engine-share",	/* last: only where the driver has fdinfo stats */
};

struct wl {
	struct drmb_workload w;
	struct drmb_wl_opts o;
	char unit[DRMB_WL_MAX_GROUPS][NMETRICS][DRMB_WL_NAME_LEN + 24];
	uint64_t seed;
};

/* ---- the device, for the engine -------------------------------------- */

struct wl_handle {
	struct drmb_device dev;
	uint32_t queue;
	uint32_t syncobj[RING];
	uint64_t seqno[RING];
};

static void dev_close(void *ctx, void *hp)
{
	struct wl_handle *h = hp;
	unsigned int i;

	for (i = 0; i < RING; i++)
		if (h->syncobj[i])
			drmb_syncobj_destroy(&h->dev, h->syncobj[i]);
	if (h->queue)
		drmb_queue_destroy(&h->dev, h->queue);
	drmb_backend_close(&h->dev);
	free(h);
}

static int dev_open(void *ctx, const struct drmb_wl_group *g, void **hp, char *why, size_t whylen)
{
	const struct drmb_case *c = ctx;
	struct drmb_queue_opts qo = { .engine = g->engine, .priority = g->priority };
	struct wl_handle *h = calloc(1, sizeof(*h));
	unsigned int i;
	int ret;

	if (!h)
		return -ENOMEM;
	/* The client's own file: the case's device, opened again. */
	ret = drmb_backend_open(c->dev->backend, &h->dev, why, whylen);
	if (ret) {
		free(h);
		return ret;
	}
	ret = drmb_device_lacks(&h->dev, c->bench->needs, why, whylen);
	if (!ret)
		ret = drmb_queue_create(&h->dev, &qo, &h->queue, why, whylen);
	for (i = 0; !ret && i < RING; i++) {
		ret = drmb_syncobj_create(&h->dev, 0, &h->syncobj[i]);
		if (ret)
			snprintf(why, whylen, "creating a syncobj: %s", strerror(-ret));
	}
	if (ret) {
		dev_close(ctx, h);
		return ret;
	}
	*hp = h;
	return 0;
}

static int dev_submit(void *hp, uint64_t job, uint64_t duration_ns, int64_t dep)
{
	struct wl_handle *h = hp;
	struct drmb_job j = {
		.duration_ns = duration_ns,
		.wait_syncobj = dep >= 0 ? h->syncobj[dep % RING] : 0,
		.signal_syncobj = h->syncobj[job % RING],
		.in_fence_fd = -1,
		.out_fence_fd = -1,
	};

	return drmb_submit(&h->dev, h->queue, &j, 1, &h->seqno[job % RING]);
}

static int dev_wait(void *hp, uint64_t job)
{
	struct wl_handle *h = hp;

	return drmb_syncobj_wait(&h->dev, &h->syncobj[job % RING], 1, INT64_MAX, 0, NULL);
}

static int dev_times(void *hp, uint64_t job, struct drmb_job_times *t)
{
	struct wl_handle *h = hp;

	return drmb_job_times(&h->dev, h->queue, h->seqno[job % RING], t);
}

/* The client's file is its own: its busy time is all its jobs'. */
static int dev_busy(void *hp, uint64_t *busy_ns)
{
	struct wl_handle *h = hp;
	struct drmb_fdinfo none = { .nengines = 0 }, fi;
	unsigned int capacity;
	int ret = drmb_fdinfo_read(h->dev.fd, &fi);

	if (!ret && !fi.nengines)
		ret = -ENODATA;
	return ret ? ret : drmb_fdinfo_busy(&none, &fi, busy_ns, &capacity);
}

static const struct drmb_wl_dev_ops wl_dev_ops = {
	.open = dev_open,
	.close = dev_close,
	.submit = dev_submit,
	.wait = dev_wait,
	.times = dev_times,
	.busy = dev_busy,
};

/* ---- the benchmark ----------------------------------------------------- */

static int wl_requires(struct drmb_case *c)
{
	if (!drmb_submit_durations(c->dev))
		return drmb_why(c, -EOPNOTSUPP, "backend %s cannot run jobs of a given duration",
				c->dev->backend->name);
	return 0;
}

static int wl_setup(struct drmb_case *c)
{
	struct wl *wl = c->priv;
	const char *name = drmb_case_str(c, "workload");
	const struct drmb_workload_src *src = drmb_workload_builtin(name);
	int64_t clients = drmb_case_int(c, "clients");
	unsigned int g, m;
	int ret;

	if (!src)
		return drmb_why(c, -EINVAL, "no built-in workload '%s'", name);
	ret = drmb_workload_parse(&wl->w, name, src->text, c->why, sizeof(c->why));
	if (ret)
		return ret;
	if (clients)
		wl->w.group[0].count = clients;
	for (g = 0, m = 0; g < wl->w.ngroups; g++)
		m += wl->w.group[g].count;
	if (m > DRMB_WL_MAX_CLIENTS)
		return drmb_why(c, -EINVAL, "clients=%lld makes %u clients, at most %d",
				(long long)clients, m, DRMB_WL_MAX_CLIENTS);
	for (g = 0; g < wl->w.ngroups; g++)
		for (m = 0; m < NMETRICS; m++)
			snprintf(wl->unit[g][m], sizeof(wl->unit[g][m]), "%s-%s",
				 wl->w.group[g].name, metric_names[m]);
	wl->o.duration_ns = drmb_case_int(c, "duration") * 1000000ull;
	wl->o.target_cycles = drmb_case_int(c, "cycles");
	wl->o.mode = drmb_case_int(c, "mode") ? DRMB_WL_PROCESSES : DRMB_WL_THREADS;
	wl->o.busy_threads = drmb_case_int(c, "busy");
	return 0;
}

static int wl_run(struct drmb_case *c, struct drmb_samples *s)
{
	struct wl *wl = c->priv;
	struct drmb_wl_opts o = wl->o;
	struct drmb_wl_result r;
	unsigned int i, g;
	size_t k;
	int ret;

	/* run -t caps a run, unless the workload says it needs longer */
	if (c->max_run_ns) {
		uint64_t cap = c->max_run_ns > wl->w.time_cap_ns ? c->max_run_ns : wl->w.time_cap_ns;

		if (cap < o.duration_ns)
			o.duration_ns = cap;
	}
	o.seed = wl->seed++;
	ret = drmb_wl_run(&wl->w, &o, &wl_dev_ops, c, &r, c->why, sizeof(c->why));
	if (ret)
		return ret;
	/* The samples: the first client's cycles, all its instances. */
	for (i = 0; i < r.nclients; i++)
		for (k = 0; r.client[i].group == 0 && k < r.client[i].ncycle_rec && s->n < s->cap; k++)
			s->ns[s->n++] = r.client[i].cycle_ns[k];
	for (g = 0; g < wl->w.ngroups; g++) {
		const struct drmb_wl_group_result *gr = &r.group[g];
		const double v[NMETRICS] = {
			gr->cycle_p50_ns, gr->cycle_p99_ns, gr->over_ideal_p50_ns, gr->missed,
			gr->engine_share, gr->submit_run_p50_ns, gr->ready_wait_max_ns,
			gr->fdinfo_engine_share,
		};

		for (i = 0; i < NMETRICS; i++)
			if (!isnan(v[i]))
				drmb_case_metric(c, wl->unit[g][i], v[i]);
	}
	drmb_case_metric(c, "fairness-spread", r.fairness_spread);
	drmb_wl_result_fini(&r);
	if (!s->n)
		return drmb_why(c, -ETIME, "the first client finished no cycle in %llu ms: raise -p duration (and run -t)",
				(unsigned long long)(o.duration_ns / 1000000));
	return 0;
}

const struct drmb_bench drmb_bench_sched_workload = {
	.name = "sched-workload",
	.id = "SchedWorkload",
	.summary = "multi-client workload through drm_sched: per-client latency, fairness",
	.headline = "first client's cycle time",
	.flags = DRMB_BENCH_NEEDS_DEVICE,
	.needs = DRMB_NEEDS(DRMB_GROUP_SUBMIT) | DRMB_NEEDS(DRMB_GROUP_SYNCOBJ) |
		 DRMB_NEEDS(DRMB_GROUP_STAGE_RECORDS),
	.params = wl_params,
	.priv_size = sizeof(struct wl),
	.requires = wl_requires,
	.setup = wl_setup,
	.run = wl_run,
};
