// SPDX-License-Identifier: MIT
/*
 * simgpu: the project's virtual DRM driver (kmod/). Submits jobs through
 * DRM_IOCTL_SIMGPU_SUBMIT and reads the kernel's per-job stage timestamps
 * back with JOB_QUERY; GPU VA spaces through VM_CREATE/VM_BIND/VM_QUERY
 * where the kernel has drm_gpuvm. The ABI is kmod/include/uapi/drm/simgpu_drm.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xf86drm.h>

#include "device.h"
#include "result.h"
#include "drm/simgpu_drm.h"

struct simgpu {
	struct drm_simgpu_dev_info info;
	/* Preallocated so submit() never allocates on the measured path. */
	struct drm_simgpu_job *jobs;
	struct drm_simgpu_sync *syncs;	/* two per job: one wait, one signal */
	unsigned int max_jobs;
	/* vm_bind()'s kernel-format ops: preallocated, as jobs. */
	struct drm_simgpu_vm_bind_op *bind_ops;
};

static const char *const inject_paths[] = SIMGPU_INJECT_PATH_NAMES;

static int simgpu_open(struct drmb_device *dev, char *why, size_t whylen)
{
	struct drm_simgpu_dev_query q = { .size = sizeof(struct drm_simgpu_dev_info) };
	struct simgpu *s;
	int ret;

	ret = drmb_device_open(dev, "simgpu", 0, why, whylen);
	if (ret) {
		if (ret == -ENODEV)
			snprintf(why, whylen, "no simgpu render node (is simgpu.ko loaded? see docs/simgpu.md)");
		return ret;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		drmb_device_close(dev);
		return -ENOMEM;
	}
	q.info = (uintptr_t)&s->info;
	if (drmIoctl(dev->fd, DRM_IOCTL_SIMGPU_DEV_QUERY, &q)) {
		ret = -errno;
		snprintf(why, whylen, "simgpu DEV_QUERY: %s", strerror(errno));
		goto err_free;
	}
	if (s->info.uapi_major != SIMGPU_UAPI_MAJOR) {
		snprintf(why, whylen, "simgpu uAPI %u.%u, drmbench was built for %u.x",
			 s->info.uapi_major, s->info.uapi_minor, SIMGPU_UAPI_MAJOR);
		ret = -EOPNOTSUPP;
		goto err_free;
	}
	s->max_jobs = s->info.max_jobs_per_submit ? s->info.max_jobs_per_submit : 1;
	s->jobs = calloc(s->max_jobs, sizeof(*s->jobs));
	s->syncs = calloc(2 * (size_t)s->max_jobs, sizeof(*s->syncs));
	s->bind_ops = calloc(SIMGPU_VM_MAX_BIND_OPS, sizeof(*s->bind_ops));
	if (!s->jobs || !s->syncs || !s->bind_ops) {
		ret = -ENOMEM;
		goto err_free;
	}
	dev->priv = s;
	dev->caps |= DRMB_CAP_SUBMIT | DRMB_CAP_STAGE_TIMES;
	if (s->info.features & SIMGPU_FEATURE_VM_BIND)
		dev->caps |= DRMB_CAP_VM_BIND;
	else
		snprintf(dev->novm, sizeof(dev->novm),
			 "simgpu reports VM_BIND unsupported on this kernel (no drm_gpuvm; 6.12 or later has it)");
	return 0;

err_free:
	free(s->jobs);
	free(s->syncs);
	free(s->bind_ops);
	free(s);
	drmb_device_close(dev);
	return ret;
}

static void simgpu_close(struct drmb_device *dev)
{
	struct simgpu *s = dev->priv;

	if (s) {
		free(s->jobs);
		free(s->syncs);
		free(s->bind_ops);
		free(s);
	}
	dev->priv = NULL;
	drmb_device_close(dev);
}

static int simgpu_describe(struct drmb_device *dev, struct drmb_kvlist *kv)
{
	const struct drm_simgpu_dev_info *i = &((struct simgpu *)dev->priv)->info;
	int ret = 0;

	ret |= drmb_kv_set(kv, "simgpu-uapi", "%u.%u", i->uapi_major, i->uapi_minor);
	ret |= drmb_kv_set(kv, "simgpu-features", "0x%llx", (unsigned long long)i->features);
	ret |= drmb_kv_set(kv, "simgpu-engines", "%u", i->engine_count);
	ret |= drmb_kv_set(kv, "simgpu-sched", "credit-limit=%u num-rqs=%u submit-wq=%u timeout-ns=%llu",
			   i->credit_limit, i->num_rqs, i->submit_wq,
			   (unsigned long long)i->job_timeout_ns);
	/* Test-only injection changes what is measured: always say so. */
	ret |= drmb_kv_set(kv, "simgpu-inject", "%s delay-ns=%llu",
			   i->inject_path < sizeof(inject_paths) / sizeof(inject_paths[0]) &&
			   inject_paths[i->inject_path] ? inject_paths[i->inject_path] : "unknown",
			   (unsigned long long)i->inject_delay_ns);
	return ret ? -ENOMEM : 0;
}

static int simgpu_queue_create(struct drmb_device *dev, const struct drmb_queue_opts *o,
			       uint32_t *queue, char *why, size_t whylen)
{
	struct simgpu *s = dev->priv;
	struct drm_simgpu_queue_create q = {
		.engine = o->engine,
		.priority = o->priority,
	};

	if (o->own_sched) {
		if (!(s->info.features & SIMGPU_FEATURE_QUEUE_OWN_SCHED)) {
			snprintf(why, whylen, "simgpu on this kernel has no per-queue schedulers");
			return -EOPNOTSUPP;
		}
		q.flags = SIMGPU_QUEUE_CREATE_OWN_SCHED;
		q.credit_limit = o->credit_limit;
		q.timeout_ns = o->timeout_ns;
		q.submit_wq = o->submit_wq;
	}
	if (o->engine >= s->info.engine_count) {
		snprintf(why, whylen, "simgpu has %u engines, engine %u asked for",
			 s->info.engine_count, o->engine);
		return -ENOENT;
	}
	if (drmIoctl(dev->fd, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &q)) {
		int ret = -errno;

		snprintf(why, whylen, "simgpu QUEUE_CREATE: %s", strerror(errno));
		return ret;
	}
	*queue = q.queue_id;
	return 0;
}

static void simgpu_queue_destroy(struct drmb_device *dev, uint32_t queue)
{
	struct drm_simgpu_queue_destroy q = { .queue_id = queue };

	drmIoctl(dev->fd, DRM_IOCTL_SIMGPU_QUEUE_DESTROY, &q);
}

static unsigned int simgpu_max_batch(struct drmb_device *dev)
{
	return ((struct simgpu *)dev->priv)->max_jobs;
}

static int simgpu_submit(struct drmb_device *dev, uint32_t queue, struct drmb_job *jobs,
			 unsigned int njobs, uint64_t *first_seqno)
{
	struct simgpu *s = dev->priv;
	struct drm_simgpu_submit sub = {
		.queue_id = queue,
		.job_count = njobs,
		.jobs = (uintptr_t)s->jobs,
		.job_stride = sizeof(*s->jobs),
	};
	unsigned int i;

	if (!njobs || njobs > s->max_jobs)
		return -E2BIG;
	for (i = 0; i < njobs; i++) {
		struct drm_simgpu_job *j = &s->jobs[i];
		struct drm_simgpu_sync *sy = &s->syncs[2 * i];
		unsigned int n = 0;

		memset(j, 0, sizeof(*j));
		j->duration_ns = jobs[i].duration_ns;
		if (jobs[i].wait_syncobj) {
			sy[n].flags = SIMGPU_SYNC_WAIT |
				      (jobs[i].wait_point ? SIMGPU_SYNC_TIMELINE : 0);
			sy[n].handle = jobs[i].wait_syncobj;
			sy[n++].point = jobs[i].wait_point;
		}
		if (jobs[i].signal_syncobj) {
			sy[n].flags = SIMGPU_SYNC_SIGNAL |
				      (jobs[i].signal_point ? SIMGPU_SYNC_TIMELINE : 0);
			sy[n].handle = jobs[i].signal_syncobj;
			sy[n++].point = jobs[i].signal_point;
		}
		j->syncs = (uintptr_t)sy;
		j->sync_count = n;
		if (jobs[i].in_fence_fd >= 0) {
			j->flags |= SIMGPU_JOB_IN_FENCE_FD;
			j->in_fence_fd = jobs[i].in_fence_fd;
		}
		if (jobs[i].want_out_fence)
			j->flags |= SIMGPU_JOB_OUT_FENCE_FD;
	}
	if (drmIoctl(dev->fd, DRM_IOCTL_SIMGPU_SUBMIT, &sub))
		return -errno;
	for (i = 0; i < njobs; i++)
		jobs[i].out_fence_fd = jobs[i].want_out_fence ? s->jobs[i].out_fence_fd : -1;
	if (first_seqno)
		*first_seqno = sub.first_seqno;
	return 0;
}

static int simgpu_job_times(struct drmb_device *dev, uint32_t queue, uint64_t seqno,
			    struct drmb_job_times *t)
{
	struct drm_simgpu_job_record r;
	struct drm_simgpu_job_query q = {
		.queue_id = queue,
		.count = 1,
		.first_seqno = seqno,
		.records = (uintptr_t)&r,
		.record_size = sizeof(r),
	};

	if (drmIoctl(dev->fd, DRM_IOCTL_SIMGPU_JOB_QUERY, &q))
		return -errno;
	if (r.status != SIMGPU_JOB_STATUS_DONE)
		return -EBUSY;
	t->ioctl_ns = r.ioctl_ns;
	t->run_job_ns = r.run_job_ns;
	t->engine_start_ns = r.engine_start_ns;
	t->signal_ns = r.signal_ns;
	return r.error;
}

static int simgpu_bo_create(struct drmb_device *dev, uint64_t size, uint32_t *bo)
{
	struct drm_simgpu_bo_create c = { .size = size };

	if (drmIoctl(dev->fd, DRM_IOCTL_SIMGPU_BO_CREATE, &c))
		return -errno;
	*bo = c.handle;
	return 0;
}

static void simgpu_bo_destroy(struct drmb_device *dev, uint32_t bo)
{
	struct drm_gem_close c = { .handle = bo };

	drmIoctl(dev->fd, DRM_IOCTL_GEM_CLOSE, &c);
}

/* The low 4 GiB are the VM's kernel-reserved range, as a driver keeps one. */
#define SIMGPU_BENCH_KERNEL_VA (4ull << 30)

static int simgpu_vm_create(struct drmb_device *dev, const struct drmb_vm_opts *o,
			    uint32_t *vm, char *why, size_t whylen)
{
	static const uint32_t prealloc[] = {
		[DRMB_VM_PREALLOC_DEFAULT] = SIMGPU_VM_PREALLOC_DEFAULT,
		[DRMB_VM_PREALLOC_NONE] = SIMGPU_VM_PREALLOC_NONE,
		[DRMB_VM_PREALLOC_PER_OP] = SIMGPU_VM_PREALLOC_PER_OP,
		[DRMB_VM_PREALLOC_BATCHED] = SIMGPU_VM_PREALLOC_BATCHED,
	};
	struct drm_simgpu_vm_create c = {
		.flags = o->huge ? SIMGPU_VM_CREATE_HUGE_PAGES : 0,
		.kernel_va_size = SIMGPU_BENCH_KERNEL_VA,
	};

	if (!(dev->caps & DRMB_CAP_VM_BIND)) {
		snprintf(why, whylen, "%s", dev->novm);
		return -EOPNOTSUPP;
	}
	if ((unsigned int)o->prealloc >= sizeof(prealloc) / sizeof(prealloc[0])) {
		snprintf(why, whylen, "unknown page-table preallocation policy %d", o->prealloc);
		return -EINVAL;
	}
	c.prealloc = prealloc[o->prealloc];
	if (drmIoctl(dev->fd, DRM_IOCTL_SIMGPU_VM_CREATE, &c)) {
		int ret = -errno;

		snprintf(why, whylen, "simgpu VM_CREATE: %s", strerror(errno));
		return ret;
	}
	*vm = c.vm_id;
	return 0;
}

static void simgpu_vm_destroy(struct drmb_device *dev, uint32_t vm)
{
	struct drm_simgpu_vm_destroy d = { .vm_id = vm };

	drmIoctl(dev->fd, DRM_IOCTL_SIMGPU_VM_DESTROY, &d);
}

static unsigned int simgpu_vm_max_ops(struct drmb_device *dev)
{
	return SIMGPU_VM_MAX_BIND_OPS;
}

static uint64_t simgpu_vm_first_va(struct drmb_device *dev)
{
	return SIMGPU_BENCH_KERNEL_VA;
}

static int simgpu_vm_bind_flags(struct drmb_device *dev, uint32_t vm,
				const struct drmb_vm_op *ops, unsigned int nops,
				uint32_t flags, uint32_t wait, uint32_t signal,
				uint64_t *seqno)
{
	struct simgpu *s = dev->priv;
	struct drm_simgpu_sync syncs[2];
	struct drm_simgpu_vm_bind b = {
		.vm_id = vm,
		.flags = flags,
		.op_count = nops,
		.op_stride = sizeof(*s->bind_ops),
		.ops = (uintptr_t)s->bind_ops,
		.syncs = (uintptr_t)syncs,
	};
	unsigned int i;

	memset(syncs, 0, sizeof(syncs));
	if (wait) {
		syncs[b.sync_count].flags = SIMGPU_SYNC_WAIT;
		syncs[b.sync_count++].handle = wait;
	}
	if (signal) {
		syncs[b.sync_count].flags = SIMGPU_SYNC_SIGNAL;
		syncs[b.sync_count++].handle = signal;
	}
	if (!b.sync_count)
		b.syncs = 0;

	if (!nops || nops > SIMGPU_VM_MAX_BIND_OPS)
		return -E2BIG;
	for (i = 0; i < nops; i++) {
		struct drm_simgpu_vm_bind_op *o = &s->bind_ops[i];

		memset(o, 0, sizeof(*o));
		o->op = ops[i].type == DRMB_VM_MAP ? SIMGPU_VM_BIND_OP_MAP :
			ops[i].type == DRMB_VM_MAP_NULL ? SIMGPU_VM_BIND_OP_MAP_NULL :
							  SIMGPU_VM_BIND_OP_UNMAP;
		if (ops[i].type == DRMB_VM_MAP) {
			o->handle = ops[i].bo;
			o->bo_offset = ops[i].bo_offset;
		}
		o->va = ops[i].va;
		o->size = ops[i].size;
	}
	if (drmIoctl(dev->fd, DRM_IOCTL_SIMGPU_VM_BIND, &b))
		return -errno;
	if (seqno)
		*seqno = b.seqno;
	return 0;
}

static int simgpu_vm_bind(struct drmb_device *dev, uint32_t vm,
			  const struct drmb_vm_op *ops, unsigned int nops,
			  uint64_t *seqno)
{
	return simgpu_vm_bind_flags(dev, vm, ops, nops, 0, 0, 0, seqno);
}

static int simgpu_vm_bind_async(struct drmb_device *dev, uint32_t vm,
				const struct drmb_vm_op *ops, unsigned int nops,
				uint32_t wait, uint32_t signal, uint64_t *seqno)
{
	return simgpu_vm_bind_flags(dev, vm, ops, nops, SIMGPU_VM_BIND_ASYNC,
				    wait, signal, seqno);
}

static int simgpu_vm_bind_times(struct drmb_device *dev, uint32_t vm, uint64_t seqno,
				struct drmb_bind_times *t)
{
	struct drm_simgpu_vm_bind_record r;
	struct drm_simgpu_vm_bind_query q = {
		.vm_id = vm,
		.count = 1,
		.first_seqno = seqno,
		.records = (uintptr_t)&r,
		.record_size = sizeof(r),
	};

	if (drmIoctl(dev->fd, DRM_IOCTL_SIMGPU_VM_BIND_QUERY, &q))
		return -errno;
	if (r.status != SIMGPU_JOB_STATUS_DONE)
		return -EBUSY;
	t->ioctl_ns = r.ioctl_ns;
	t->run_ns = r.run_ns;
	t->pt_done_ns = r.pt_done_ns;
	t->signal_ns = r.signal_ns;
	return r.error;
}

static int simgpu_vm_stats(struct drmb_device *dev, uint32_t vm, struct drmb_vm_stats *st)
{
	struct drm_simgpu_vm_query q = { .vm_id = vm };

	if (drmIoctl(dev->fd, DRM_IOCTL_SIMGPU_VM_QUERY, &q))
		return -errno;
	st->mappings = q.mappings;
	st->tables_live = q.tables_live;
	st->tables_preallocated = q.tables_preallocated;
	st->tables_prealloc_used = q.tables_prealloc_used;
	st->tables_returned = q.tables_returned;
	st->tables_allocated_late = q.tables_allocated_late;
	st->tables_freed = q.tables_freed;
	st->prealloc_ns = q.prealloc_ns;
	st->apply_ns = q.apply_ns;
	return 0;
}

const struct drmb_backend drmb_backend_simgpu = {
	.name = "simgpu",
	.summary = "simgpu (kmod/): virtual GPU on drm_sched, kernel stage timestamps",
	.driver = "simgpu",
	.open = simgpu_open,
	.close = simgpu_close,
	.describe = simgpu_describe,
	.queue_create = simgpu_queue_create,
	.queue_destroy = simgpu_queue_destroy,
	.max_batch = simgpu_max_batch,
	.submit = simgpu_submit,
	.job_times = simgpu_job_times,
	.bo_create = simgpu_bo_create,
	.bo_destroy = simgpu_bo_destroy,
	.vm_create = simgpu_vm_create,
	.vm_destroy = simgpu_vm_destroy,
	.vm_bind = simgpu_vm_bind,
	.vm_bind_async = simgpu_vm_bind_async,
	.vm_bind_times = simgpu_vm_bind_times,
	.vm_stats = simgpu_vm_stats,
	.vm_first_va = simgpu_vm_first_va,
	.vm_max_ops = simgpu_vm_max_ops,
};
