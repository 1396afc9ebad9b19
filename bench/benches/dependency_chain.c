// SPDX-License-Identifier: MIT
/*
 * dependency-chain: n jobs, each waiting for the previous one's syncobj
 * (binary syncobjs, or points of one timeline), alternating between two
 * queues so every hop goes through syncobj -> scheduler dependency -> run_job
 * rather than queue order. The first job runs for `gate` ns so the whole
 * chain is queued before it completes; chains where a submit came too late
 * are not counted (late-chains reports how many). A sample is the kernel's
 * signal time of the last job minus that of the first: ns/op is per hop.
 *
 * pipelined-hops is the fraction of hops whose job ran before its
 * dependency signalled: drm_sched only waits for a dependency to be
 * scheduled, not finished, when it comes from the same scheduler
 * (engines=same), and it does not look inside a dma_fence_chain (timeline
 * points), so the two sync kinds take different paths through it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "measure.h"
#include "stats.h"

#define MAX_CHAIN 256

enum { SYNC_BINARY, SYNC_TIMELINE };
static const char *const syncs[] = { "binary", "timeline", NULL };
static const char *const engine_modes[] = { "same", "different", NULL };

static const struct drmb_param chain_params[] = {
	{ "length", DRMB_PARAM_INT, "16", "jobs in the chain", 2, MAX_CHAIN },
	{ "sync", DRMB_PARAM_ENUM, "binary,timeline", "syncobj kind linking the jobs",
	  .choices = syncs },
	{ "duration", DRMB_PARAM_INT, "0", "duration of every job but the first, ns",
	  0, 100000000 },
	{ "engines", DRMB_PARAM_ENUM, "same,different",
	  "both queues on one engine (one scheduler) or on two", .choices = engine_modes },
	{ "gate", DRMB_PARAM_INT, "5000000", "duration of the first job, ns", 1000, 1000000000 },
	{ NULL },
};

struct chain {
	struct drmb_device *dev;
	unsigned int n;
	int timeline;
	uint64_t base;			/* timeline point before this chain */
	uint32_t queue[2];
	uint32_t syncobj[MAX_CHAIN];	/* binary: one per job; timeline: [0] */
	uint64_t seqno[MAX_CHAIN];
	struct drmb_job job;
	uint64_t duration, gate;
};

static uint32_t chain_case_needs(const struct drmb_case *c)
{
	return drmb_case_int(c, "sync") == SYNC_TIMELINE ? DRMB_NEEDS(DRMB_GROUP_TIMELINE) : 0;
}

static void chain_teardown(struct drmb_case *c)
{
	struct chain *ch = c->priv;
	unsigned int i;

	for (i = 0; i < 2; i++)
		if (ch->queue[i])
			drmb_queue_destroy(ch->dev, ch->queue[i]);
	for (i = 0; i < ch->n; i++)
		if (ch->syncobj[i])
			drmb_syncobj_destroy(ch->dev, ch->syncobj[i]);
}

static int chain_setup(struct drmb_case *c)
{
	struct chain *ch = c->priv;
	struct drmb_queue_opts qo = { .priority = 1 };
	unsigned int i, nobj;
	int ret = 0;

	ch->dev = c->dev;
	ch->n = drmb_case_int(c, "length");
	ch->timeline = drmb_case_int(c, "sync") == SYNC_TIMELINE;
	ch->duration = drmb_case_int(c, "duration");
	ch->gate = drmb_case_int(c, "gate");
	ch->job.in_fence_fd = -1;
	nobj = ch->timeline ? 1 : ch->n;
	for (i = 0; !ret && i < 2; i++) {
		qo.engine = drmb_case_int(c, "engines") ? i : 0;
		ret = drmb_queue_create(ch->dev, &qo, &ch->queue[i], c->why, sizeof(c->why));
	}
	for (i = 0; !ret && i < nobj; i++)
		if ((ret = drmb_syncobj_create(ch->dev, 0, &ch->syncobj[i])))
			drmb_why(c, ret, "SYNCOBJ_CREATE: %s", strerror(-ret));
	if (ret)
		chain_teardown(c);
	return ret;
}

static int submit_chain(struct chain *ch)
{
	unsigned int i;
	int ret;

	if (!ch->timeline && (ret = drmb_syncobj_reset(ch->dev, ch->syncobj, ch->n)))
		return ret;
	for (i = 0; i < ch->n; i++) {
		struct drmb_job *j = &ch->job;

		j->duration_ns = i ? ch->duration : ch->gate;
		if (ch->timeline) {
			j->wait_syncobj = i ? ch->syncobj[0] : 0;
			j->wait_point = i ? ch->base + i : 0;
			j->signal_syncobj = ch->syncobj[0];
			j->signal_point = ch->base + i + 1;
		} else {
			j->wait_syncobj = i ? ch->syncobj[i - 1] : 0;
			j->wait_point = 0;
			j->signal_syncobj = ch->syncobj[i];
			j->signal_point = 0;
		}
		ret = drmb_submit(ch->dev, ch->queue[i % 2], j, 1, &ch->seqno[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static int wait_chain(struct chain *ch)
{
	uint64_t point = ch->base + ch->n;
	uint32_t last = ch->timeline ? ch->syncobj[0] : ch->syncobj[ch->n - 1];
	int ret;

	if (ch->timeline)
		ret = drmb_timeline_wait(ch->dev, &last, &point, 1, INT64_MAX, 0, NULL);
	else
		ret = drmb_syncobj_wait(ch->dev, &last, 1, INT64_MAX, 0, NULL);
	if (ret)
		return ret;
	if (ch->timeline)
		ch->base += ch->n;
	return 0;
}

static int chain_run(struct drmb_case *c, struct drmb_samples *s)
{
	struct chain *ch = c->priv;
	uint64_t start = drmb_now_ns();
	size_t late = 0, tries = 0, hops = 0, pipelined = 0;
	unsigned int i;
	int ret;

	s->ops_per_sample = ch->n - 1;
	while (s->n < s->cap) {
		struct drmb_job_times first = { 0 }, t, prev = { 0 }, last_submit = { 0 };
		int is_late;

		tries++;
		ret = submit_chain(ch);
		if (!ret)
			ret = wait_chain(ch);
		if (ret)
			return drmb_why(c, ret, "chain submit/wait failed: %s", strerror(-ret));
		for (i = 0; i < ch->n; i++) {
			ret = drmb_job_times(ch->dev, ch->queue[i % 2], ch->seqno[i], &t);
			if (ret)
				return drmb_why(c, ret, "job timestamps: %s", strerror(-ret));
			if (!i)
				first = t;
			else if (t.run_job_ns < prev.signal_ns)
				pipelined++;
			if (i == ch->n - 1)
				last_submit = t;
			prev = t;
		}
		/* The last job must have been queued before the chain started moving. */
		is_late = last_submit.ioctl_ns > first.signal_ns;
		if (is_late) {
			late++;
		} else {
			s->ns[s->n++] = prev.signal_ns - first.signal_ns;
			hops += ch->n - 1;
		}
		if (c->max_run_ns && drmb_now_ns() - start > c->max_run_ns)
			break;
	}
	drmb_case_metric(c, "late-chains", (double)late / tries);
	if (!s->n)
		return drmb_why(c, -ETIME, "every chain was submitted after its gate job ended: raise -p gate=NS");
	drmb_case_metric(c, "pipelined-hops", hops ? (double)pipelined / (tries * (ch->n - 1)) : 0);
	return 0;
}

const struct drmb_bench drmb_bench_dependency_chain = {
	.name = "dependency-chain",
	.id = "DependencyChain",
	.summary = "chain of jobs linked by syncobjs across two queues: latency per hop",
	.flags = DRMB_BENCH_NEEDS_DEVICE,
	.needs = DRMB_NEEDS(DRMB_GROUP_SUBMIT) | DRMB_NEEDS(DRMB_GROUP_SYNCOBJ) |
		 DRMB_NEEDS(DRMB_GROUP_STAGE_RECORDS),
	.case_needs = chain_case_needs,
	.params = chain_params,
	.priv_size = sizeof(struct chain),
	.setup = chain_setup,
	.run = chain_run,
	.teardown = chain_teardown,
};
