// SPDX-License-Identifier: MIT
/*
 * The VM_BIND workload of vm-bind-throughput and pgtable-prealloc (see
 * vm_workload.h). Not a benchmark itself: no descriptor.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "stats.h"
#include "vm_workload.h"

const char *const vm_workload_ops[] = { "map", "map-null", "unmap", "remap", NULL };
const char *const vm_workload_orders[] = { "sorted", "shuffled", NULL };
const char *const vm_workload_preallocs[] = { "none", "per-op", "batched", NULL };
const char *const vm_workload_modes[] = { "sync", "async", NULL };

static const char *const stage_units[VMW_ST_NR] = {
	"entry-ns/bind", "ioctl-to-run-ns/bind", "run-to-pt-done-ns/bind",
	"pt-done-to-signal-ns/bind", "signal-to-waiter-ns/bind",
};

#define KIB 1024ull
#define GIB (1024ull * 1024 * 1024)
/*
 * VA bound per batch: 4 GiB of 4 KiB leaves is 8 MiB of page tables and a
 * million entries written per call, about what a 1 GiB TCG guest takes.
 */
#define VMW_MAX_BATCH_VA (4 * GIB)

static uint64_t slot_size(enum vm_workload_op op, uint64_t size)
{
	return op == VMW_REMAP ? 3 * size : size;
}

uint32_t vm_workload_case_needs(const struct drmb_case *c)
{
	return !strcmp(drmb_case_str(c, "mode"), "async") ?
	       DRMB_NEEDS(DRMB_GROUP_VM_BIND_ASYNC) | DRMB_NEEDS(DRMB_GROUP_SYNCOBJ) : 0;
}

int vm_workload_requires(struct drmb_case *c)
{
	uint64_t size = drmb_case_int(c, "size");
	unsigned int batch = drmb_case_int(c, "batch");
	enum vm_workload_op op = drmb_case_int(c, "op");
	unsigned int max = drmb_vm_max_ops(c->dev);

	if (size % (4 * KIB))
		return drmb_why(c, -EINVAL, "size %llu is not a multiple of 4 KiB",
				(unsigned long long)size);
	if (batch > max)
		return drmb_why(c, -EOPNOTSUPP, "backend takes at most %u ops per bind", max);
	if (slot_size(op, size) * batch > VMW_MAX_BATCH_VA)
		return drmb_why(c, -EOPNOTSUPP,
				"op=%s size x batch = %llu MiB of VA: above the %llu MiB per-batch bound "
				"(page tables and time of a small guest)",
				vm_workload_ops[op],
				(unsigned long long)(slot_size(op, size) * batch >> 20),
				(unsigned long long)(VMW_MAX_BATCH_VA >> 20));
	return 0;
}

static void set_op(struct drmb_vm_op *o, enum drmb_vm_op_type type, uint32_t bo,
		   uint64_t bo_offset, uint64_t va, uint64_t size)
{
	o->type = type;
	o->bo = type == DRMB_VM_MAP ? bo : 0;
	o->bo_offset = type == DRMB_VM_MAP ? bo_offset : 0;
	o->va = va;
	o->size = size;
}

static int bind(struct vm_workload *w, const struct drmb_vm_op *ops, unsigned int n)
{
	return drmb_vm_bind(w->dev, w->vm, ops, n, NULL);
}

static void workload_free(struct vm_workload *w)
{
	int i;

	if (!w->dev)
		return;
	if (w->vm)
		drmb_vm_destroy(w->dev, w->vm);
	if (w->bo_a)
		drmb_bo_destroy(w->dev, w->bo_a);
	if (w->bo_b)
		drmb_bo_destroy(w->dev, w->bo_b);
	if (w->done)
		drmb_syncobj_destroy(w->dev, w->done);
	free(w->timed);
	free(w->reset);
	for (i = 0; i < VMW_ST_NR; i++)
		free(w->stage[i]);
	memset(w, 0, sizeof(*w));
}

int vm_workload_setup(struct drmb_case *c)
{
	enum drmb_vm_prealloc prealloc = DRMB_VM_PREALLOC_NONE + drmb_case_int(c, "prealloc");
	int huge = drmb_case_int(c, "huge"), shuffled = drmb_case_int(c, "order");
	int async = drmb_case_int(c, "mode");
	struct vm_workload *w = c->priv;
	struct drmb_vm_opts o = { .prealloc = prealloc, .huge = huge };
	unsigned int i, *order;
	uint64_t base;
	int ret;

	w->dev = c->dev;
	w->op = drmb_case_int(c, "op");
	w->size = drmb_case_int(c, "size");
	w->batch = drmb_case_int(c, "batch");
	w->slot = slot_size(w->op, w->size);
	base = drmb_vm_first_va(c->dev);

	w->timed = calloc(w->batch, sizeof(*w->timed));
	w->reset = calloc(w->batch, sizeof(*w->reset));
	order = calloc(w->batch, sizeof(*order));
	w->cap = c->samples;
	for (i = 0; i < VMW_ST_NR; i++)
		w->stage[i] = calloc(w->cap ? w->cap : 1, sizeof(double));
	for (i = 0; i < VMW_ST_NR; i++)
		if (!w->stage[i])
			break;
	if (!w->timed || !w->reset || !order || i < VMW_ST_NR) {
		ret = -ENOMEM;
		goto err;
	}
	ret = drmb_vm_create(c->dev, &o, &w->vm, c->why, sizeof(c->why));
	if (ret)
		goto err;
	w->async = async;
	w->vb = DRMB_GROUP_OPS(c->dev, DRMB_GROUP_VM_BIND, vm_bind);
	w->vba = DRMB_GROUP_OPS(c->dev, DRMB_GROUP_VM_BIND_ASYNC, vm_bind_async);
	w->so = DRMB_GROUP_OPS(c->dev, DRMB_GROUP_SYNCOBJ, syncobj);
	if (!w->vb || !w->vb->vm_bind ||
	    (async && (!w->vba || !w->vba->vm_bind || !w->so || !w->so->wait))) {
		ret = drmb_why(c, -EOPNOTSUPP, "backend %s has no %sVM_BIND op",
			       c->dev->backend->name, async ? "asynchronous " : "");
		goto err;
	}
	if (async && (ret = drmb_syncobj_create(c->dev, 0, &w->done))) {
		drmb_why(c, ret, "SYNCOBJ_CREATE: %s", strerror(-ret));
		goto err;
	}
	ret = drmb_bo_create(c->dev, w->slot, &w->bo_a);
	if (!ret && w->op == VMW_REMAP)
		ret = drmb_bo_create(c->dev, w->size, &w->bo_b);
	if (ret) {
		drmb_why(c, ret, "BO_CREATE of %llu bytes: %s",
			 (unsigned long long)w->slot, strerror(-ret));
		goto err;
	}

	/* Fisher-Yates with a fixed seed: every run binds the same order. */
	for (i = 0; i < w->batch; i++)
		order[i] = i;
	if (shuffled) {
		unsigned int seed = 5;

		for (i = w->batch - 1; i > 0; i--) {
			unsigned int j = rand_r(&seed) % (i + 1), t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
	}
	for (i = 0; i < w->batch; i++) {
		uint64_t va = base + order[i] * w->slot;

		switch (w->op) {
		case VMW_MAP:
			set_op(&w->timed[i], DRMB_VM_MAP, w->bo_a, 0, va, w->size);
			break;
		case VMW_MAP_NULL:
			set_op(&w->timed[i], DRMB_VM_MAP_NULL, 0, 0, va, w->size);
			break;
		case VMW_UNMAP:
			set_op(&w->timed[i], DRMB_VM_UNMAP, 0, 0, va, w->size);
			set_op(&w->reset[i], DRMB_VM_MAP, w->bo_a, 0, va, w->size);
			break;
		case VMW_REMAP:
			set_op(&w->timed[i], DRMB_VM_MAP, w->bo_b, 0, va + w->size, w->size);
			set_op(&w->reset[i], DRMB_VM_MAP, w->bo_a, 0, va, w->slot);
			break;
		}
	}
	if (w->op == VMW_MAP || w->op == VMW_MAP_NULL) {
		set_op(&w->reset[0], DRMB_VM_UNMAP, 0, 0, base, w->slot * w->batch);
		w->nreset = 1;
	} else {
		w->nreset = w->batch;
		ret = bind(w, w->reset, w->nreset);
		if (ret) {
			drmb_why(c, ret, "VM_BIND (initial mappings): %s", strerror(-ret));
			goto err;
		}
	}
	free(order);
	return 0;

err:
	free(order);
	workload_free(w);
	return ret;
}

static int vm_workload_op(struct drmb_case *c)
{
	struct vm_workload *w = c->priv;
	int ret;

	if (!w->async)
		return w->vb->vm_bind(w->dev, w->vm, w->timed, w->batch, &w->seqno);
	ret = w->vba->vm_bind(w->dev, w->vm, w->timed, w->batch, 0, w->done, &w->seqno);
	if (ret)
		return ret;
	return w->so->wait(w->dev, &w->done, 1, INT64_MAX, 0, NULL);
}

#define ADD_DELTA(f) (w->sum.f += now.f - w->before.f)

/* Untimed: split the call [t0, t1] with the kernel's record of the bind. */
static void record_stages(struct vm_workload *w, size_t i, uint64_t t0, uint64_t t1)
{
	struct drmb_bind_times t;
	int ret;

	if (i >= w->cap)
		return;
	ret = drmb_vm_bind_times(w->dev, w->vm, w->seqno, &t);
	/*
	 * Waited for, so complete: -EBUSY here is a driver bug, not noise.
	 * A backend without bind records leaves the sample unsplit.
	 */
	if (ret) {
		if (ret != -EOPNOTSUPP)
			w->stage_err = ret;
		return;
	}
	/* Only stamps ordered inside this call's window split it. */
	if (t0 > t.ioctl_ns || t.ioctl_ns > t.run_ns || t.run_ns > t.pt_done_ns ||
	    t.pt_done_ns > t.signal_ns || t.signal_ns > t1)
		return;
	w->stage[VMW_ST_ENTRY][w->nstage] = (double)(t.ioctl_ns - t0);
	w->stage[VMW_ST_RUN][w->nstage] = (double)(t.run_ns - t.ioctl_ns);
	w->stage[VMW_ST_PT][w->nstage] = (double)(t.pt_done_ns - t.run_ns);
	w->stage[VMW_ST_SIGNAL][w->nstage] = (double)(t.signal_ns - t.pt_done_ns);
	w->stage[VMW_ST_WAKE][w->nstage] = (double)(t1 - t.signal_ns);
	w->nstage++;
}

static void vm_workload_after(struct drmb_case *c, size_t i, uint64_t t0, uint64_t t1)
{
	struct vm_workload *w = c->priv;
	struct drmb_vm_stats now;
	int ret;

	if (w->error)
		return;
	record_stages(w, i, t0, t1);
	ret = drmb_vm_stats(w->dev, w->vm, &now);
	if (!ret) {
		ADD_DELTA(tables_preallocated);
		ADD_DELTA(tables_prealloc_used);
		ADD_DELTA(tables_returned);
		ADD_DELTA(tables_allocated_late);
		ADD_DELTA(prealloc_ns);
		ret = bind(w, w->reset, w->nreset);
	}
	if (!ret)
		ret = drmb_vm_stats(w->dev, w->vm, &w->before);
	w->error = ret;
}

int vm_workload_run(struct drmb_case *c, struct drmb_samples *s)
{
	struct vm_workload *w = c->priv;
	double ops;
	int ret, k;

	memset(&w->sum, 0, sizeof(w->sum));
	w->nstage = 0;
	w->stage_err = 0;
	w->error = drmb_vm_stats(w->dev, w->vm, &w->before);
	if (w->error)
		return drmb_why(c, w->error, "VM_QUERY: %s", strerror(-w->error));
	s->ops_per_sample = w->batch;
	ret = drmb_measure_each(c, s, vm_workload_op, vm_workload_after);
	if (ret)
		return drmb_why(c, ret, "VM_BIND of %u ops: %s", w->batch, strerror(-ret));
	if (w->error)
		return drmb_why(c, w->error, "VM_BIND/VM_QUERY between samples: %s",
				strerror(-w->error));
	if (w->stage_err)
		return drmb_why(c, w->stage_err, "reading bind records (VM_BIND_QUERY) failed: %s",
				strerror(-w->stage_err));
	if (!s->n)
		return 0;
	ops = (double)s->n * w->batch;
	drmb_case_metric(c, "pt-pages-prealloc/op", w->sum.tables_preallocated / ops);
	drmb_case_metric(c, "pt-pages-returned/op", w->sum.tables_returned / ops);
	drmb_case_metric(c, "pt-pages-late/op", w->sum.tables_allocated_late / ops);
	drmb_case_metric(c, "prealloc-ns/op", w->sum.prealloc_ns / ops);
	for (k = 0; k < VMW_ST_NR && w->nstage; k++)
		drmb_case_metric(c, stage_units[k], drmb_median_double(w->stage[k], w->nstage));
	return 0;
}

void vm_workload_teardown(struct drmb_case *c)
{
	workload_free(c->priv);
}
