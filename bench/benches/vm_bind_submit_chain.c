// SPDX-License-Identifier: MIT
/*
 * vm-bind-submit-chain: the chain a sparse-residency Vulkan app builds with
 * syncobjs: job A -> asynchronous bind of `batch` maps waiting on A -> job B
 * waiting on the bind -> asynchronous unbind waiting on B. A sample is the
 * whole chain, from A's submit to the unbind's syncobj signalling as seen by
 * the waiting caller. Kernel-side breakdown per chain (ns):
 * a-signal-to-b-run (A's fence signalled -> B's run_job: the bind hop in
 * between, its scheduling and page-table update) and b-signal-to-unbind-done
 * (B's fence signalled -> the unbind's page tables updated).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xf86drm.h>

#include "device.h"
#include "measure.h"

enum { S_A, S_BIND, S_B, S_UNBIND, S_NR };

static const char *const chain_backends[] = { "simgpu", NULL };

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
	uint64_t seq_a, seq_b;
	double a_to_b, b_to_done;
	unsigned int nbreak;
};

static int chain_requires(struct drmb_case *c)
{
	int ret = drmb_device_require_submit(c, 1);

	if (!ret)
		ret = drmb_device_require_vm_bind(c);
	if (ret)
		return ret;
	if (!c->dev->backend->vm_bind_async)
		return drmb_why(c, -EOPNOTSUPP, "backend %s has no asynchronous VM_BIND",
				c->dev->backend->name);
	return 0;
}

static void chain_teardown(struct drmb_case *c)
{
	struct chain *ch = c->priv;
	const struct drmb_backend *b = ch->dev ? ch->dev->backend : NULL;
	unsigned int k;

	if (!b)
		return;
	if (ch->vm)
		b->vm_destroy(ch->dev, ch->vm);
	if (ch->queue)
		b->queue_destroy(ch->dev, ch->queue);
	if (ch->bo)
		b->bo_destroy(ch->dev, ch->bo);
	for (k = 0; k < S_NR; k++)
		if (ch->sync[k])
			drmSyncobjDestroy(ch->dev->fd, ch->sync[k]);
	free(ch->map);
	free(ch->unmap);
}

static int chain_setup(struct drmb_case *c)
{
	struct chain *ch = c->priv;
	const struct drmb_backend *b = c->dev->backend;
	struct drmb_queue_opts qo = { .priority = 1 };
	struct drmb_vm_opts vo = { .prealloc = DRMB_VM_PREALLOC_BATCHED };
	uint64_t base;
	unsigned int i, k;
	int ret;

	ch->dev = c->dev;
	ch->batch = drmb_case_int(c, "batch");
	ch->map = calloc(ch->batch, sizeof(*ch->map));
	ch->unmap = calloc(1, sizeof(*ch->unmap));
	if (!ch->map || !ch->unmap)
		return -ENOMEM;
	ret = b->queue_create(c->dev, &qo, &ch->queue, c->why, sizeof(c->why));
	if (!ret)
		ret = b->vm_create(c->dev, &vo, &ch->vm, c->why, sizeof(c->why));
	if (!ret && b->bo_create(c->dev, 4096ull * ch->batch, &ch->bo))
		ret = drmb_why(c, -ENOMEM, "BO_CREATE of %u pages failed", ch->batch);
	for (k = 0; !ret && k < S_NR; k++)
		if (drmSyncobjCreate(c->dev->fd, 0, &ch->sync[k]))
			ret = drmb_why(c, -errno, "SYNCOBJ_CREATE: %s", strerror(errno));
	if (ret) {
		chain_teardown(c);
		return ret;
	}
	base = b->vm_first_va(c->dev);
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
	const struct drmb_backend *b = ch->dev->backend;
	int ret;

	ch->job.wait_syncobj = 0;
	ch->job.signal_syncobj = ch->sync[S_A];
	ret = b->submit(ch->dev, ch->queue, &ch->job, 1, &ch->seq_a);
	if (!ret)
		ret = b->vm_bind_async(ch->dev, ch->vm, ch->map, ch->batch,
				       ch->sync[S_A], ch->sync[S_BIND]);
	if (ret)
		return ret;
	ch->job.wait_syncobj = ch->sync[S_BIND];
	ch->job.signal_syncobj = ch->sync[S_B];
	ret = b->submit(ch->dev, ch->queue, &ch->job, 1, &ch->seq_b);
	if (!ret)
		ret = b->vm_bind_async(ch->dev, ch->vm, ch->unmap, 1, ch->sync[S_B],
				       ch->sync[S_UNBIND]);
	if (ret)
		return ret;
	if (drmSyncobjWait(ch->dev->fd, &ch->sync[S_UNBIND], 1, INT64_MAX, 0, NULL))
		return -errno;
	return 0;
}

/* Untimed: the kernel's stamps of this chain. */
static void chain_after(struct drmb_case *c, size_t i, uint64_t t0, uint64_t t1)
{
	struct chain *ch = c->priv;
	const struct drmb_backend *b = ch->dev->backend;
	struct drmb_job_times a, bt;
	struct drmb_vm_stats st;

	if (b->job_times(ch->dev, ch->queue, ch->seq_a, &a) ||
	    b->job_times(ch->dev, ch->queue, ch->seq_b, &bt) ||
	    b->vm_stats(ch->dev, ch->vm, &st))
		return;
	if (bt.run_job_ns < a.signal_ns || st.last_done_ns < bt.signal_ns)
		return;
	ch->a_to_b += bt.run_job_ns - a.signal_ns;
	ch->b_to_done += st.last_done_ns - bt.signal_ns;
	ch->nbreak++;
}

static int chain_run(struct drmb_case *c, struct drmb_samples *s)
{
	struct chain *ch = c->priv;
	int ret;

	ch->a_to_b = ch->b_to_done = 0;
	ch->nbreak = 0;
	s->ops_per_sample = 1;
	ret = drmb_measure_each(c, s, chain_op, chain_after);
	if (ret)
		return drmb_why(c, ret, "chain: %s", strerror(-ret));
	if (ch->nbreak) {
		drmb_case_metric(c, "a-signal-to-b-run-ns", ch->a_to_b / ch->nbreak);
		drmb_case_metric(c, "b-signal-to-unbind-done-ns", ch->b_to_done / ch->nbreak);
	}
	return 0;
}

const struct drmb_bench drmb_bench_vm_bind_submit_chain = {
	.name = "vm-bind-submit-chain",
	.id = "VmBindSubmitChain",
	.summary = "job -> async bind -> job -> async unbind chained by syncobjs: latency per chain",
	.flags = DRMB_BENCH_NEEDS_DEVICE,
	.backends = chain_backends,
	.params = chain_params,
	.priv_size = sizeof(struct chain),
	.requires = chain_requires,
	.setup = chain_setup,
	.run = chain_run,
	.teardown = chain_teardown,
};
