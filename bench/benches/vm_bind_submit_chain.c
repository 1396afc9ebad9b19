// SPDX-License-Identifier: MIT
/*
 * vm-bind-submit-chain: the chain a sparse-residency Vulkan app builds with
 * syncobjs: job A -> asynchronous bind of `batch` maps waiting on A -> job B
 * waiting on the bind -> asynchronous unbind waiting on B. A sample is the
 * whole chain, from A's submit to the unbind's syncobj signalling as seen by
 * the waiting caller.
 *
 * Kernel-side breakdown of the chain's critical path after A, from the job
 * records (JOB_QUERY) and the bind records (VM_BIND_QUERY), medians in ns.
 * A bind's ioctl-to-run contains the wait for its dependency, so the path
 * is split from each dependency's signal on (when the dependency signalled
 * before the bind's ioctl was done, as with duration=0, the hop into the
 * bind includes that ioctl's own work):
 *
 *   a-signal-to-bind-run-ns        A's fence -> the bind's run_job
 *   bind-run-to-pt-done-ns         the bind's page-table update
 *   bind-pt-done-to-signal-ns      run_job's return -> the bind's fence
 *   bind-signal-to-b-run-ns        the bind's fence -> B's run_job
 *   b-signal-to-unbind-run-ns      B's fence -> the unbind's run_job
 *   unbind-run-to-pt-done-ns       the unbind's page-table update
 *   unbind-pt-done-to-signal-ns    run_job's return -> the unbind's fence
 *   unbind-signal-to-waiter-ns     the unbind's fence -> the caller woken
 *
 * and, off the path, each bind's own bind-ioctl-to-run-ns and
 * unbind-ioctl-to-run-ns (driver entry -> run_job, the dependency's wait
 * included).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "measure.h"
#include "stats.h"

enum { S_A, S_BIND, S_B, S_UNBIND, S_NR };

enum {
	ST_A_BIND, ST_BIND_PT, ST_BIND_SIGNAL, ST_BIND_B, ST_B_UNBIND,
	ST_UNBIND_PT, ST_UNBIND_SIGNAL, ST_WAKE, ST_BIND_IOCTL, ST_UNBIND_IOCTL, ST_NR
};
static const char *const stage_units[ST_NR] = {
	"a-signal-to-bind-run-ns", "bind-run-to-pt-done-ns", "bind-pt-done-to-signal-ns",
	"bind-signal-to-b-run-ns", "b-signal-to-unbind-run-ns", "unbind-run-to-pt-done-ns",
	"unbind-pt-done-to-signal-ns", "unbind-signal-to-waiter-ns",
	"bind-ioctl-to-run-ns", "unbind-ioctl-to-run-ns",
};

static const struct drmb_param chain_params[] = {
	{ "batch", DRMB_PARAM_INT, "1,64", "4 KiB maps bound (and unbound) per chain", 1, 4096 },
	{ "duration", DRMB_PARAM_INT, "0", "engine time of jobs A and B, ns", 0, 100000000 },
	{ NULL },
};

struct chain {
	struct drmb_device *dev;
	uint32_t queue, vm, bo, sync[S_NR];
	unsigned int batch;
	struct drmb_vm_op *map, *unmap;
	struct drmb_job job;
	uint64_t seq_a, seq_b, seq_bind, seq_unbind;
	double *stage[ST_NR];
	size_t nstage, cap;
	int stage_err;
};


static void chain_free(struct chain *ch)
{
	unsigned int k;

	for (k = 0; k < ST_NR; k++)
		free(ch->stage[k]);
	free(ch->map);
	free(ch->unmap);
}

static void chain_teardown(struct drmb_case *c)
{
	struct chain *ch = c->priv;
	unsigned int k;

	if (!ch->dev) {
		chain_free(ch);
		return;
	}
	if (ch->vm)
		drmb_vm_destroy(ch->dev, ch->vm);
	if (ch->queue)
		drmb_queue_destroy(ch->dev, ch->queue);
	if (ch->bo)
		drmb_bo_destroy(ch->dev, ch->bo);
	for (k = 0; k < S_NR; k++)
		if (ch->sync[k])
			drmb_syncobj_destroy(ch->dev, ch->sync[k]);
	chain_free(ch);
}

static int chain_setup(struct drmb_case *c)
{
	struct chain *ch = c->priv;
	struct drmb_queue_opts qo = { .priority = 1 };
	struct drmb_vm_opts vo = { .prealloc = DRMB_VM_PREALLOC_BATCHED };
	uint64_t base;
	unsigned int i, k;
	int ret;

	ch->dev = c->dev;
	ch->batch = drmb_case_int(c, "batch");
	ch->map = calloc(ch->batch, sizeof(*ch->map));
	ch->unmap = calloc(1, sizeof(*ch->unmap));
	ch->cap = c->samples;
	for (k = 0; k < ST_NR; k++)
		ch->stage[k] = calloc(ch->cap ? ch->cap : 1, sizeof(double));
	for (k = 0; k < ST_NR; k++)
		if (!ch->stage[k])
			break;
	if (!ch->map || !ch->unmap || k < ST_NR) {
		chain_free(ch);
		return -ENOMEM;
	}
	ret = drmb_queue_create(c->dev, &qo, &ch->queue, c->why, sizeof(c->why));
	if (!ret)
		ret = drmb_vm_create(c->dev, &vo, &ch->vm, c->why, sizeof(c->why));
	if (!ret && drmb_bo_create(c->dev, 4096ull * ch->batch, &ch->bo))
		ret = drmb_why(c, -ENOMEM, "BO_CREATE of %u pages failed", ch->batch);
	for (k = 0; !ret && k < S_NR; k++)
		if ((ret = drmb_syncobj_create(c->dev, 0, &ch->sync[k])))
			drmb_why(c, ret, "SYNCOBJ_CREATE: %s", strerror(-ret));
	if (ret) {
		chain_teardown(c);
		return ret;
	}
	base = drmb_vm_first_va(c->dev);
	for (i = 0; i < ch->batch; i++) {
		ch->map[i].type = DRMB_VM_MAP;
		ch->map[i].bo = ch->bo;
		ch->map[i].bo_offset = 4096ull * i;
		ch->map[i].va = base + 4096ull * i;
		ch->map[i].size = 4096;
	}
	ch->unmap->type = DRMB_VM_UNMAP;
	ch->unmap->va = base;
	ch->unmap->size = 4096ull * ch->batch;
	ch->job.duration_ns = drmb_case_int(c, "duration");
	ch->job.in_fence_fd = -1;
	return 0;
}

static int chain_op(struct drmb_case *c)
{
	struct chain *ch = c->priv;
	int ret;

	ch->job.wait_syncobj = 0;
	ch->job.signal_syncobj = ch->sync[S_A];
	ret = drmb_submit(ch->dev, ch->queue, &ch->job, 1, &ch->seq_a);
	if (!ret)
		ret = drmb_vm_bind_async(ch->dev, ch->vm, ch->map, ch->batch,
					 ch->sync[S_A], ch->sync[S_BIND], &ch->seq_bind);
	if (ret)
		return ret;
	ch->job.wait_syncobj = ch->sync[S_BIND];
	ch->job.signal_syncobj = ch->sync[S_B];
	ret = drmb_submit(ch->dev, ch->queue, &ch->job, 1, &ch->seq_b);
	if (!ret)
		ret = drmb_vm_bind_async(ch->dev, ch->vm, ch->unmap, 1, ch->sync[S_B],
					 ch->sync[S_UNBIND], &ch->seq_unbind);
	if (ret)
		return ret;
	return drmb_syncobj_wait(ch->dev, &ch->sync[S_UNBIND], 1, INT64_MAX, 0, NULL);
}

/* Untimed: the kernel's stamps of this chain. */
static void chain_after(struct drmb_case *c, size_t i, uint64_t t0, uint64_t t1)
{
	struct chain *ch = c->priv;
	struct drmb_bind_times bind, unbind;
	struct drmb_job_times a, bj;
	uint64_t path[ST_NR + 1];
	size_t n = ch->nstage;
	int ret, k;

	if (i >= ch->cap)
		return;
	/* Everything waited for has signalled: a failure here is an error. */
	ret = drmb_job_times(ch->dev, ch->queue, ch->seq_a, &a);
	if (!ret)
		ret = drmb_job_times(ch->dev, ch->queue, ch->seq_b, &bj);
	if (!ret)
		ret = drmb_vm_bind_times(ch->dev, ch->vm, ch->seq_bind, &bind);
	if (!ret)
		ret = drmb_vm_bind_times(ch->dev, ch->vm, ch->seq_unbind, &unbind);
	if (ret) {
		ch->stage_err = ret;
		return;
	}
	path[0] = a.signal_ns;
	path[1] = bind.run_ns;
	path[2] = bind.pt_done_ns;
	path[3] = bind.signal_ns;
	path[4] = bj.run_job_ns;
	path[5] = bj.signal_ns;	/* B's own engine time is not a hop */
	path[6] = unbind.run_ns;
	path[7] = unbind.pt_done_ns;
	path[8] = unbind.signal_ns;
	/* Unordered stamps (not expected) leave the sample unsplit. */
	for (k = 0; k < 8; k++)
		if (path[k] > path[k + 1])
			return;
	if (path[8] > t1 || bind.ioctl_ns > bind.run_ns || unbind.ioctl_ns > unbind.run_ns)
		return;
	ch->stage[ST_A_BIND][n] = (double)(path[1] - path[0]);
	ch->stage[ST_BIND_PT][n] = (double)(path[2] - path[1]);
	ch->stage[ST_BIND_SIGNAL][n] = (double)(path[3] - path[2]);
	ch->stage[ST_BIND_B][n] = (double)(path[4] - path[3]);
	ch->stage[ST_B_UNBIND][n] = (double)(path[6] - path[5]);
	ch->stage[ST_UNBIND_PT][n] = (double)(path[7] - path[6]);
	ch->stage[ST_UNBIND_SIGNAL][n] = (double)(path[8] - path[7]);
	ch->stage[ST_WAKE][n] = (double)(t1 - path[8]);
	ch->stage[ST_BIND_IOCTL][n] = (double)(bind.run_ns - bind.ioctl_ns);
	ch->stage[ST_UNBIND_IOCTL][n] = (double)(unbind.run_ns - unbind.ioctl_ns);
	ch->nstage++;
}

static int chain_run(struct drmb_case *c, struct drmb_samples *s)
{
	struct chain *ch = c->priv;
	int ret, k;

	ch->nstage = 0;
	ch->stage_err = 0;
	s->ops_per_sample = 1;
	ret = drmb_measure_each(c, s, chain_op, chain_after);
	if (ret)
		return drmb_why(c, ret, "chain: %s", strerror(-ret));
	if (ch->stage_err)
		return drmb_why(c, ch->stage_err, "reading job/bind records failed: %s",
				strerror(-ch->stage_err));
	for (k = 0; k < ST_NR && ch->nstage; k++)
		drmb_case_metric(c, stage_units[k], drmb_median_double(ch->stage[k], ch->nstage));
	return 0;
}

const struct drmb_bench drmb_bench_vm_bind_submit_chain = {
	.name = "vm-bind-submit-chain",
	.id = "VmBindSubmitChain",
	.summary = "job -> async bind -> job -> async unbind chained by syncobjs: latency per chain",
	.flags = DRMB_BENCH_NEEDS_DEVICE,
	.needs = DRMB_NEEDS(DRMB_GROUP_SUBMIT) | DRMB_NEEDS(DRMB_GROUP_STAGE_RECORDS) |
		 DRMB_NEEDS(DRMB_GROUP_SYNCOBJ) | DRMB_NEEDS(DRMB_GROUP_VM_BIND) |
		 DRMB_NEEDS(DRMB_GROUP_VM_BIND_ASYNC),
	.params = chain_params,
	.priv_size = sizeof(struct chain),
	.setup = chain_setup,
	.run = chain_run,
	.teardown = chain_teardown,
};
