// SPDX-License-Identifier: MIT
/*
 * simgpu: the project's virtual DRM driver (kmod/). Submits jobs through
 * DRM_IOCTL_SIMGPU_SUBMIT and reads the kernel's per-job stage timestamps
 * back with JOB_QUERY; GPU VA spaces through VM_CREATE/VM_BIND/VM_QUERY
 * where the kernel has drm_gpuvm; user-mode submission queues (mapped ring,
 * user I/O page, doorbell and sync BO) where the module has them. The ABI is
 * kmod/include/uapi/drm/simgpu_drm.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>

#include "backend.h"
#include "device.h"
#include "measure.h"
#include "result.h"
#include "userq.h"
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
	if (!(s->info.features & SIMGPU_FEATURE_VM_BIND)) {
		const char *no_vm = "simgpu reports VM_BIND unsupported on this kernel (no drm_gpuvm; 6.12 or later has it)";

		drmb_device_withdraw(dev, DRMB_GROUP_VM_BIND, "%s", no_vm);
		drmb_device_withdraw(dev, DRMB_GROUP_VM_BIND_ASYNC, "%s", no_vm);
	}
	if (!(s->info.features & SIMGPU_FEATURE_USER_QUEUES)) {
		drmb_device_withdraw(dev, DRMB_GROUP_USERQ,
				     "this simgpu (uAPI %u.%u) does not report SIMGPU_FEATURE_USER_QUEUES",
				     s->info.uapi_major, s->info.uapi_minor);
		drmb_device_withdraw(dev, DRMB_GROUP_USERQ_BRIDGE, "%s",
				     dev->withdrawn[DRMB_GROUP_USERQ]);
	}
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
	if (i->features & SIMGPU_FEATURE_USER_QUEUES)
		ret |= drmb_kv_set(kv, "simgpu-userq",
				   "fw-policy=%s poll-us=%u idle-us=%u stall-ms=%u max-ring=%u",
				   i->userq_fw_policy <= SIMGPU_USERQ_FW_SLEEP ?
				   drmb_fw_policy_names[i->userq_fw_policy] : "unknown",
				   i->userq_poll_interval_us, i->userq_idle_timeout_us,
				   i->userq_stall_timeout_ms, i->userq_max_ring_size);
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

/* ---- user-mode submission queues ---------------------------------------- */

#define SIMGPU_USERQ_DESC sizeof(struct drm_simgpu_userq_job)
#define SIMGPU_USERQ_MIN_RING 4096

struct simgpu_userq {
	struct drmb_userq_ring r;	/* over the mappings below */
	struct drm_simgpu_userq_job *ring;
	struct drm_simgpu_userq_io *io;
	uint32_t *doorbell;
	uint64_t *sync;			/* the mapped sync BO */
	size_t ring_size, page_size, sync_size;
	uint32_t sync_bo;
};

static const uint32_t simgpu_fw_policy[] = {
	[DRMB_FW_DEFAULT] = SIMGPU_USERQ_FW_DEFAULT,
	[DRMB_FW_BUSY] = SIMGPU_USERQ_FW_BUSY,
	[DRMB_FW_POLL] = SIMGPU_USERQ_FW_POLL,
	[DRMB_FW_SLEEP] = SIMGPU_USERQ_FW_SLEEP,
};

static void *map_offset(struct drmb_device *dev, uint64_t offset, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, dev->fd, (off_t)offset);

	return p == MAP_FAILED ? NULL : p;
}

static void userq_unmap(struct simgpu_userq *p)
{
	if (p->ring)
		munmap(p->ring, p->ring_size);
	if (p->io)
		munmap(p->io, p->page_size);
	if (p->doorbell)
		munmap(p->doorbell, p->page_size);
	if (p->sync)
		munmap(p->sync, p->sync_size);
	p->ring = NULL;
	p->io = NULL;
	p->doorbell = NULL;
	p->sync = NULL;
}

static int userq_query(struct drmb_device *dev, struct drmb_userq *q,
		       struct drm_simgpu_userq_query *uq, struct drm_simgpu_userq_job_record *rec,
		       uint64_t seqno)
{
	memset(uq, 0, sizeof(*uq));
	uq->queue_id = q->id;
	if (rec) {
		uq->first_seqno = seqno;
		uq->records = (uintptr_t)rec;
		uq->record_count = 1;
		uq->record_size = sizeof(*rec);
	}
	return drmIoctl(dev->fd, DRM_IOCTL_SIMGPU_USERQ_QUERY, uq) ? -errno : 0;
}

static void simgpu_userq_destroy(struct drmb_device *dev, struct drmb_userq *q)
{
	struct simgpu_userq *p = q->priv;
	struct drm_simgpu_userq_destroy d = { .queue_id = q->id };

	if (p) {
		userq_unmap(p);
		if (q->id)
			drmIoctl(dev->fd, DRM_IOCTL_SIMGPU_USERQ_DESTROY, &d);
		if (p->sync_bo)
			simgpu_bo_destroy(dev, p->sync_bo);
		free(p);
	}
	drmb_userq_reset(q);
}

static int simgpu_userq_create(struct drmb_device *dev, const struct drmb_userq_opts *o,
			       struct drmb_userq *q, char *why, size_t whylen)
{
	const struct drm_simgpu_dev_info *info = &((struct simgpu *)dev->priv)->info;
	struct drm_simgpu_bo_mmap_offset mo = { 0 };
	struct drm_simgpu_userq_create c = { 0 };
	struct drm_simgpu_userq_query uq;
	struct simgpu_userq *p;
	int ret;

	memset(q, 0, sizeof(*q));
	q->eventfd = -1;
	ret = drmb_userq_opts_check(o, "simgpu", info->engine_count, SIMGPU_USERQ_MIN_RING,
				    info->userq_max_ring_size, SIMGPU_USERQ_DESC, why, whylen);
	if (ret)
		return ret;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	q->priv = p;
	p->page_size = (size_t)sysconf(_SC_PAGESIZE);
	p->ring_size = o->ring_size;
	p->sync_size = ((size_t)o->nsyncs * sizeof(uint64_t) + p->page_size - 1) &
		       ~(p->page_size - 1);
	ret = simgpu_bo_create(dev, p->sync_size, &p->sync_bo);
	if (ret) {
		snprintf(why, whylen, "simgpu BO_CREATE (sync BO): %s", strerror(-ret));
		goto err;
	}
	mo.handle = p->sync_bo;
	if (drmIoctl(dev->fd, DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET, &mo)) {
		ret = -errno;
		snprintf(why, whylen, "simgpu BO_MMAP_OFFSET (sync BO): %s", strerror(errno));
		goto err;
	}
	p->sync = map_offset(dev, mo.offset, p->sync_size);
	if (!p->sync) {
		ret = -errno;
		snprintf(why, whylen, "mmap of the sync BO: %s", strerror(errno));
		goto err;
	}
	if (o->want_eventfd) {
		q->eventfd = eventfd(0, EFD_CLOEXEC);
		if (q->eventfd < 0) {
			ret = -errno;
			snprintf(why, whylen, "eventfd: %s", strerror(errno));
			goto err;
		}
		c.flags |= SIMGPU_USERQ_CREATE_EVENTFD;
		c.eventfd = q->eventfd;
	}
	c.engine = o->engine;
	c.ring_size = o->ring_size;
	c.sync_handle = p->sync_bo;
	c.fw_policy = simgpu_fw_policy[o->fw_policy];
	/* The interval is only accepted with an explicit POLL policy. */
	c.poll_interval_us = o->fw_policy == DRMB_FW_POLL ? o->poll_interval_us : 0;
	c.idle_timeout_us = o->idle_timeout_us;
	if (drmIoctl(dev->fd, DRM_IOCTL_SIMGPU_USERQ_CREATE, &c)) {
		ret = -errno;
		snprintf(why, whylen, "simgpu USERQ_CREATE: %s", strerror(errno));
		goto err;
	}
	q->id = c.queue_id;
	p->ring = map_offset(dev, c.ring_mmap_offset, p->ring_size);
	p->io = map_offset(dev, c.io_mmap_offset, p->page_size);
	p->doorbell = map_offset(dev, c.doorbell_mmap_offset, p->page_size);
	if (!p->ring || !p->io || !p->doorbell) {
		ret = -errno;
		snprintf(why, whylen, "mmap of the user queue's ring, I/O or doorbell page: %s",
			 strerror(errno));
		goto err;
	}
	ret = userq_query(dev, q, &uq, NULL, 0);
	if (ret) {
		snprintf(why, whylen, "simgpu USERQ_QUERY: %s", strerror(-ret));
		goto err;
	}
	q->fw_policy = uq.fw_policy == SIMGPU_USERQ_FW_BUSY ? DRMB_FW_BUSY :
		       uq.fw_policy == SIMGPU_USERQ_FW_POLL ? DRMB_FW_POLL : DRMB_FW_SLEEP;
	q->ring_jobs = p->ring_size / SIMGPU_USERQ_DESC;
	q->nsyncs = p->sync_size / sizeof(uint64_t);
	p->r = (struct drmb_userq_ring) {
		.ring = p->ring,
		.ring_size = p->ring_size,
		.insert_io = (uint64_t *)&p->io->insert,
		.extract_io = (const uint64_t *)&p->io->extract,
		.state_io = &p->io->state,
		.state_inactive = SIMGPU_USERQ_STATE_INACTIVE,
		.state_faulty = SIMGPU_USERQ_STATE_FAULTY,
		.doorbell = p->doorbell,
		.sync = p->sync,
		.nsyncs = q->nsyncs,
	};
	return 0;

err:
	simgpu_userq_destroy(dev, q);
	return ret;
}

static int userq_kick(struct drmb_device *dev, struct drmb_userq *q)
{
	struct drm_simgpu_userq_kick k = { .queue_id = q->id };

	return drmIoctl(dev->fd, DRM_IOCTL_SIMGPU_USERQ_KICK, &k) ? -errno : 0;
}

static void simgpu_userq_encode(void *desc, const struct drmb_userq_job *j, uint64_t seqno)
{
	struct drm_simgpu_userq_job d = {
		.op = SIMGPU_USERQ_OP_RUN,
		.duration_ns = j->duration_ns,
		.signal_offset = (uint64_t)j->signal_sync * sizeof(uint64_t),
		.signal_value = j->signal_value,
		.user_data = seqno,
	};

	if (j->wait) {
		d.flags |= SIMGPU_USERQ_JOB_WAIT;
		d.wait_offset = (uint64_t)j->wait_sync * sizeof(uint64_t);
		d.wait_value = j->wait_value;
	}
	if (j->notify)
		d.flags |= SIMGPU_USERQ_JOB_NOTIFY;
	memcpy(desc, &d, sizeof(d));
}

static int simgpu_userq_submit(struct drmb_device *dev, struct drmb_userq *q,
			       const struct drmb_userq_job *jobs, unsigned int njobs,
			       uint64_t *first_seqno)
{
	struct simgpu_userq *p = q->priv;
	int ret = drmb_userq_ring_submit(&p->r, jobs, njobs, simgpu_userq_encode,
					 SIMGPU_USERQ_DESC, first_seqno);

	if (ret < 0)
		return ret;
	if (ret || q->fw_policy == DRMB_FW_SLEEP)
		return userq_kick(dev, q);
	return 0;
}

static int simgpu_userq_wait(struct drmb_device *dev, struct drmb_userq *q, unsigned int sync,
			     uint64_t value, enum drmb_userq_wait how, uint64_t timeout_ns)
{
	struct simgpu_userq *p = q->priv;
	struct drm_simgpu_userq_wait w = {
		.queue_id = q->id,
		.offset = (uint64_t)sync * sizeof(uint64_t),
		.value = value,
	};

	if (sync >= q->nsyncs)
		return -EINVAL;
	if (how != DRMB_USERQ_WAIT_IOCTL)
		return drmb_userq_ring_wait(&p->r, q->eventfd, sync, value, how, timeout_ns);
	/* Only here: ring_wait() reads the clock itself, one read is ~100 ns. */
	w.deadline_ns = (int64_t)(drmb_now_ns() + timeout_ns);
	return drmIoctl(dev->fd, DRM_IOCTL_SIMGPU_USERQ_WAIT, &w) ? -errno : 0;
}

static int simgpu_userq_bridge(struct drmb_device *dev, struct drmb_userq *q,
			       enum drmb_userq_bridge_dir dir, unsigned int sync, uint64_t value,
			       uint32_t syncobj, uint64_t point)
{
	struct drm_simgpu_userq_bridge b = {
		.queue_id = q->id,
		.op = dir == DRMB_BRIDGE_TO_SYNCOBJ ? SIMGPU_USERQ_BRIDGE_TO_SYNCOBJ :
						      SIMGPU_USERQ_BRIDGE_FROM_SYNCOBJ,
		.offset = (uint64_t)sync * sizeof(uint64_t),
		.value = value,
		.handle = syncobj,
		.flags = point ? SIMGPU_SYNC_TIMELINE : 0,
		.point = point,
	};

	if (sync >= q->nsyncs)
		return -EINVAL;
	return drmIoctl(dev->fd, DRM_IOCTL_SIMGPU_USERQ_BRIDGE, &b) ? -errno : 0;
}

static int simgpu_userq_job_times(struct drmb_device *dev, struct drmb_userq *q,
				  uint64_t seqno, struct drmb_userq_times *t)
{
	struct drm_simgpu_userq_job_record r;
	struct drm_simgpu_userq_query uq;
	int ret;

	memset(&r, 0, sizeof(r));
	ret = userq_query(dev, q, &uq, &r, seqno);
	if (ret)
		return ret;
	if (r.status == SIMGPU_USERQ_JOB_STATUS_DROPPED)
		return r.error ? r.error : -ECANCELED;
	if (r.status != SIMGPU_USERQ_JOB_STATUS_DONE)
		return -EBUSY;
	t->seen_ns = r.seen_ns;
	t->engine_start_ns = r.engine_start_ns;
	t->engine_end_ns = r.engine_end_ns;
	t->complete_ns = r.complete_ns;
	return 0;
}

static int simgpu_userq_stats(struct drmb_device *dev, struct drmb_userq *q,
			      struct drmb_userq_stats *st)
{
	struct drm_simgpu_userq_query uq;
	uint64_t ns;
	int ret;

	ret = userq_query(dev, q, &uq, NULL, 0);
	if (ret)
		return ret;
	st->fw_tid = (int)uq.fw_tid;
	st->fw_cpu_ns = uq.fw_tid && !drmb_task_cpu_ns((int)uq.fw_tid, &ns) ? (int64_t)ns : -1;
	st->doorbells = uq.doorbells;
	st->kicks = uq.kicks;
	st->deactivations = uq.deactivations;
	st->fw_wakeups = uq.fw_wakeups;
	st->completed_seqno = uq.completed_seqno;
	return 0;
}

static const struct drmb_submit_ops simgpu_submit_ops = {
	.queue_create = simgpu_queue_create,
	.queue_destroy = simgpu_queue_destroy,
	.submit = simgpu_submit,
	.max_batch = simgpu_max_batch,
	.durations = 1,
};

static const struct drmb_stage_records_ops simgpu_stage_records = {
	.job_times = simgpu_job_times,
};

static const struct drmb_vm_bind_ops simgpu_vm_bind_ops = {
	.bo_create = simgpu_bo_create,
	.bo_destroy = simgpu_bo_destroy,
	.vm_create = simgpu_vm_create,
	.vm_destroy = simgpu_vm_destroy,
	.vm_bind = simgpu_vm_bind,
	.vm_stats = simgpu_vm_stats,
	.first_va = simgpu_vm_first_va,
	.max_ops = simgpu_vm_max_ops,
};

static const struct drmb_vm_bind_async_ops simgpu_vm_bind_async_ops = {
	.vm_bind = simgpu_vm_bind_async,
	.bind_times = simgpu_vm_bind_times,
};

static const struct drmb_userq_ops simgpu_userq_ops = {
	.create = simgpu_userq_create,
	.destroy = simgpu_userq_destroy,
	.submit = simgpu_userq_submit,
	.wait = simgpu_userq_wait,
	.job_times = simgpu_userq_job_times,
	.stats = simgpu_userq_stats,
};

static const struct drmb_userq_bridge_ops simgpu_userq_bridge_ops = {
	.bridge = simgpu_userq_bridge,
};

const struct drmb_backend drmb_backend_simgpu = {
	.name = "simgpu",
	.summary = "simgpu (kmod/): virtual GPU on drm_sched, kernel stage timestamps",
	.driver = "simgpu",
	.open = simgpu_open,
	.close = simgpu_close,
	.describe = simgpu_describe,
	.nop = &drmb_drm_nop,
	.syncobj = &drmb_drm_syncobj,
	.timeline = &drmb_drm_timeline,
	.syncobj_eventfd = &drmb_drm_syncobj_eventfd,
	.sync_file = &drmb_drm_sync_file,
	.submit = &simgpu_submit_ops,
	.stage_records = &simgpu_stage_records,
	.vm_bind = &simgpu_vm_bind_ops,
	.vm_bind_async = &simgpu_vm_bind_async_ops,
	.userq = &simgpu_userq_ops,
	.userq_bridge = &simgpu_userq_bridge_ops,
};
