/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only place simgpu knows that kernels differ.
 *
 * simgpu_compat_gen.h is generated at build time by gen-compat.sh, which
 * greps the headers of the kernel being built against. Each wrapper here
 * picks an implementation by those SIMGPU_HAVE_* probes, never by
 * LINUX_VERSION_CODE: Debian's 6.1 carries backported scheduler API.
 */
#ifndef SIMGPU_COMPAT_H
#define SIMGPU_COMPAT_H

#include <linux/dma-resv.h>
#include <linux/eventfd.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/gpu_scheduler.h>
#include <drm/simgpu_drm.h>

#include "simgpu_compat_gen.h"

#if SIMGPU_HAVE_DRM_EXEC
#include <drm/drm_exec.h>
#endif
#if SIMGPU_HAVE_DRM_GPUVM
#include <drm/drm_gpuvm.h>
#endif
#if SIMGPU_HAVE_FAUX_DEVICE
#include <linux/device/faux.h>
#else
#include <linux/platform_device.h>
#endif

/* Scheduler priorities: 6.1 counts up from MIN, later kernels down. */
#if SIMGPU_HAVE_SCHED_PRIORITY_LOW
#define SIMGPU_SCHED_PRIORITY_LOW	DRM_SCHED_PRIORITY_LOW
#else
#define SIMGPU_SCHED_PRIORITY_LOW	DRM_SCHED_PRIORITY_MIN
#endif

#if SIMGPU_HAVE_SCHED_STAT_RESET
#define SIMGPU_SCHED_STAT_RESET		DRM_GPU_SCHED_STAT_RESET
#else
#define SIMGPU_SCHED_STAT_RESET		DRM_GPU_SCHED_STAT_NOMINAL
#endif

/*
 * Destroy an entity. 6.1's drm_sched_entity_fini() leaks a reference to
 * the entity's last scheduled fence when the entity still has queued jobs
 * (its client was killed while they waited for another client's work) and
 * that fence has signalled: it takes a reference for its kill callback and
 * drops none when dma_fence_add_callback() finds the fence signalled. That
 * fence's parent is simgpu's, so the module could never be unloaded. The
 * reworked teardown that made last_scheduled RCU-protected has no such
 * leak. On older schedulers a stopped (killed) entity first lets its last
 * scheduled job finish and drops that fence itself: kill_jobs then
 * finishes the queued jobs at once, still after it, as it would have.
 */
static inline void simgpu_sched_entity_destroy(struct drm_sched_entity *entity)
{
#if !SIMGPU_HAVE_SCHED_LAST_SCHEDULED_RCU
	struct dma_fence *last = NULL;
	bool stopped;

	drm_sched_entity_flush(entity, MAX_WAIT_SCHED_ENTITY_Q_EMPTY);
	spin_lock(&entity->rq_lock);
	stopped = entity->stopped;
	spin_unlock(&entity->rq_lock);
	if (stopped && spsc_queue_count(&entity->job_queue)) {
		/* The scheduler is done with the entity; fini waits for it too. */
		wait_for_completion(&entity->entity_idle);
		last = entity->last_scheduled;
		entity->last_scheduled = NULL;
		complete(&entity->entity_idle);
	}
	if (last) {
		dma_fence_wait(last, false);
		dma_fence_put(last);
	}
	drm_sched_entity_fini(entity);
#else
	drm_sched_entity_destroy(entity);
#endif
}

/*
 * timedout_job found no hang: the job goes back on the pending list and
 * the timeout is armed again. Newer schedulers do both for NO_HANG; older
 * ones took the job off the list before the call and re-arm the timeout
 * after any return but ENODEV, so the driver puts it back (as etnaviv).
 */
static inline enum drm_gpu_sched_stat
simgpu_sched_no_hang(struct drm_sched_job *job)
{
#if SIMGPU_HAVE_SCHED_STAT_NO_HANG
	return DRM_GPU_SCHED_STAT_NO_HANG;
#else
	struct drm_gpu_scheduler *sched = job->sched;

	spin_lock(&sched->job_list_lock);
	list_add(&job->list, &sched->pending_list);
	spin_unlock(&sched->job_list_lock);
	return DRM_GPU_SCHED_STAT_NOMINAL;
#endif
}

/*
 * Stop the scheduler's submission and wait until a run_job in progress, and
 * what the scheduler does right after it (installing its fence callback),
 * has finished; then let it go again. The submit work item on workqueue
 * schedulers, the scheduler thread on older ones.
 */
static inline void simgpu_sched_pause(struct drm_gpu_scheduler *sched)
{
#if SIMGPU_HAVE_SCHED_WQUEUE_STOP
	drm_sched_wqueue_stop(sched);
#else
	kthread_park(sched->thread);
#endif
}

static inline void simgpu_sched_resume(struct drm_gpu_scheduler *sched)
{
#if SIMGPU_HAVE_SCHED_WQUEUE_STOP
	drm_sched_wqueue_start(sched);
#else
	kthread_unpark(sched->thread);
#endif
}

struct simgpu_sched_params {
	const struct drm_sched_backend_ops *ops;
	struct workqueue_struct *submit_wq;
	u32 num_rqs;
	u32 credit_limit;
	long timeout;
	const char *name;
	struct device *dev;
};

static inline int simgpu_sched_init_compat(struct drm_gpu_scheduler *sched,
					   const struct simgpu_sched_params *p)
{
#if SIMGPU_HAVE_SCHED_INIT_ARGS
	const struct drm_sched_init_args args = {
		.ops = p->ops,
#if SIMGPU_HAVE_SCHED_SUBMIT_WQ
		.submit_wq = p->submit_wq,
#endif
#if SIMGPU_HAVE_SCHED_ARGS_NUM_RQS
		.num_rqs = p->num_rqs,
#endif
		.credit_limit = p->credit_limit,
		.hang_limit = 0,
		.timeout = p->timeout,
		.name = p->name,
		.dev = p->dev,
	};

	return drm_sched_init(sched, &args);
#elif SIMGPU_HAVE_SCHED_SUBMIT_WQ
	return drm_sched_init(sched, p->ops, p->submit_wq, p->num_rqs,
			      p->credit_limit, 0, p->timeout, NULL, NULL,
			      p->name, p->dev);
#else
	/*
	 * 6.1 without the args struct Debian backported later (a 6.1 tree
	 * built from source): jobs against hw_submission, no submit_wq.
	 */
	return drm_sched_init(sched, p->ops, p->credit_limit, 0, p->timeout,
			      NULL, NULL, p->name, p->dev);
#endif
}

static inline int simgpu_sched_job_init_compat(struct drm_sched_job *job,
					       struct drm_sched_entity *entity,
					       u32 credits, struct drm_file *file)
{
#if SIMGPU_HAVE_SCHED_JOB_CLIENT_ID
	return drm_sched_job_init(job, entity, credits, file, file->client_id);
#elif SIMGPU_HAVE_SCHED_JOB_CREDITS
	return drm_sched_job_init(job, entity, credits, file);
#else
	/* 6.1 counts jobs, not credits: callers reject credits != 1. */
	return drm_sched_job_init(job, entity, file);
#endif
}

static inline void simgpu_hrtimer_setup(struct hrtimer *timer,
					enum hrtimer_restart (*fn)(struct hrtimer *),
					clockid_t clock, enum hrtimer_mode mode)
{
#if SIMGPU_HAVE_HRTIMER_SETUP
	hrtimer_setup(timer, fn, clock, mode);
#else
	hrtimer_init(timer, clock, mode);
	timer->function = fn;
#endif
}

/* Where the scheduler has fewer run queues than priorities, use its lowest. */
static inline enum drm_sched_priority
simgpu_sched_clamp_priority(enum drm_sched_priority prio, u32 num_rqs)
{
#if SIMGPU_HAVE_SCHED_SUBMIT_WQ
	if (prio >= num_rqs)
		prio = num_rqs - 1;
#endif
	return prio;
}

#if SIMGPU_HAVE_SCHED_CANCEL_JOB
#define SIMGPU_SCHED_OPS_CANCEL_JOB(fn)	.cancel_job = (fn),
#else
#define SIMGPU_SCHED_OPS_CANCEL_JOB(fn)
#endif

#if SIMGPU_HAVE_DRM_DRIVER_DATE
#define SIMGPU_DRIVER_DATE(d)		.date = (d),
#else
#define SIMGPU_DRIVER_DATE(d)
#endif

/*
 * Locking the reservation objects of a set of distinct BOs and reserving
 * @num_fences fence slots in each: drm_exec where the kernel has it, else
 * the older ww_acquire helper of the GEM core.
 */
struct simgpu_resv_ctx {
#if SIMGPU_HAVE_DRM_EXEC
	struct drm_exec exec;
#else
	struct ww_acquire_ctx ticket;
	struct drm_gem_object **objs;
	u32 count;
#endif
};

static inline int simgpu_resv_lock(struct simgpu_resv_ctx *ctx,
				   struct drm_gem_object **objs, u32 count,
				   u32 num_fences)
{
	int ret;
#if SIMGPU_HAVE_DRM_EXEC
	drm_exec_init(&ctx->exec, DRM_EXEC_INTERRUPTIBLE_WAIT, count);
	drm_exec_until_all_locked(&ctx->exec) {
		ret = drm_exec_prepare_array(&ctx->exec, objs, count,
					     num_fences);
		drm_exec_retry_on_contention(&ctx->exec);
		if (ret)
			break;
	}
	if (ret)
		drm_exec_fini(&ctx->exec);
#else
	u32 i;

	ctx->objs = objs;
	ctx->count = count;
	ret = drm_gem_lock_reservations(objs, count, &ctx->ticket);
	if (ret)
		return ret;
	for (i = 0; i < count; i++) {
		ret = dma_resv_reserve_fences(objs[i]->resv, num_fences);
		if (ret) {
			drm_gem_unlock_reservations(objs, count, &ctx->ticket);
			break;
		}
	}
#endif
	return ret;
}

static inline void simgpu_resv_unlock(struct simgpu_resv_ctx *ctx)
{
#if SIMGPU_HAVE_DRM_EXEC
	drm_exec_fini(&ctx->exec);
#else
	drm_gem_unlock_reservations(ctx->objs, ctx->count, &ctx->ticket);
#endif
}

/*
 * drm_gpuvm's GEM gpuva lists need DRIVER_GEM_GPUVA where the flag exists
 * (without it the lists are not initialised); later kernels always do it.
 */
#if SIMGPU_HAVE_DRIVER_GEM_GPUVA
#define SIMGPU_DRIVER_GEM_GPUVA		DRIVER_GEM_GPUVA
#else
#define SIMGPU_DRIVER_GEM_GPUVA		0
#endif

#if SIMGPU_HAVE_DRM_GPUVM
/* drm_gpuvm_sm_map: positional arguments, later a struct drm_gpuvm_map_req. */
static inline int simgpu_gpuvm_sm_map(struct drm_gpuvm *gpuvm, void *priv,
				      u64 addr, u64 range,
				      struct drm_gem_object *obj, u64 offset)
{
#if SIMGPU_HAVE_GPUVM_MAP_REQ
	const struct drm_gpuvm_map_req req = {
		.map.va.addr = addr,
		.map.va.range = range,
		.map.gem.obj = obj,
		.map.gem.offset = offset,
	};

	return drm_gpuvm_sm_map(gpuvm, priv, &req);
#else
	return drm_gpuvm_sm_map(gpuvm, priv, addr, range, obj, offset);
#endif
}

/* The caller holds @obj's reservation lock; renamed _locked later. */
static inline struct drm_gpuvm_bo *
simgpu_gpuvm_bo_obtain(struct drm_gpuvm *gpuvm, struct drm_gem_object *obj)
{
#if SIMGPU_HAVE_GPUVM_BO_OBTAIN_LOCKED
	return drm_gpuvm_bo_obtain_locked(gpuvm, obj);
#else
	return drm_gpuvm_bo_obtain(gpuvm, obj);
#endif
}
#endif

/* vm_flags became read-only behind helpers that assert the mmap lock. */
static inline void simgpu_vm_flags_set(struct vm_area_struct *vma,
				       vm_flags_t set, vm_flags_t clear)
{
#if SIMGPU_HAVE_VM_FLAGS_SET
	vm_flags_mod(vma, set, clear);
#else
	vma->vm_flags = (vma->vm_flags | set) & ~clear;
#endif
}

/* eventfd_signal() lost its count argument (it always added 1). */
static inline void simgpu_eventfd_signal(struct eventfd_ctx *ctx)
{
#if SIMGPU_HAVE_EVENTFD_SIGNAL_NO_COUNT
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

/*
 * The GEM file operations with a driver mmap in front of drm_gem_mmap: the
 * members of DRM_GEM_FOPS other than .mmap, which vary by kernel.
 */
#if SIMGPU_HAVE_FOP_UNSIGNED_OFFSET
#define SIMGPU_FOPS_UNSIGNED_OFFSET	.fop_flags = FOP_UNSIGNED_OFFSET,
#else
#define SIMGPU_FOPS_UNSIGNED_OFFSET
#endif
#if SIMGPU_HAVE_GEM_GET_UNMAPPED_AREA
#define SIMGPU_FOPS_GET_UNMAPPED_AREA	.get_unmapped_area = drm_gem_get_unmapped_area,
#else
#define SIMGPU_FOPS_GET_UNMAPPED_AREA
#endif

/* The device the DRM device hangs off: a faux device where there is one. */
static inline struct device *simgpu_parent_create(const char *name)
{
#if SIMGPU_HAVE_FAUX_DEVICE
	struct faux_device *fdev = faux_device_create(name, NULL, NULL);

	return fdev ? &fdev->dev : ERR_PTR(-ENODEV);
#else
	struct platform_device *pdev =
		platform_device_register_simple(name, -1, NULL, 0);

	return IS_ERR(pdev) ? ERR_CAST(pdev) : &pdev->dev;
#endif
}

static inline void simgpu_parent_destroy(struct device *dev)
{
#if SIMGPU_HAVE_FAUX_DEVICE
	faux_device_destroy(to_faux_device(dev));
#else
	platform_device_unregister(to_platform_device(dev));
#endif
}

/*
 * What the rest of simgpu asks about the kernel; the SIMGPU_HAVE_* probes
 * themselves are used in this file only.
 */
#define SIMGPU_HAS_VM_BIND		SIMGPU_HAVE_DRM_GPUVM
#define SIMGPU_HAS_SUBMIT_WQ		SIMGPU_HAVE_SCHED_SUBMIT_WQ
#define SIMGPU_HAS_JOB_CREDITS		SIMGPU_HAVE_SCHED_JOB_CREDITS
/*
 * The driver picks its number of run queues: drm_sched_init()'s argument
 * since the workqueue scheduler, a drm_sched_init_args member until
 * upstream removed it at v7.2-rc1 (the Fair policy collapses run queues
 * to one; Debian's 7.2.13 and 7.3-rc7 still have the member).
 */
#define SIMGPU_HAS_NUM_RQS_CHOICE	(SIMGPU_HAVE_SCHED_SUBMIT_WQ &&		\
					 (SIMGPU_HAVE_SCHED_ARGS_NUM_RQS ||	\
					  !SIMGPU_HAVE_SCHED_INIT_ARGS))

/* The SIMGPU_FEATURE_* bits DEV_QUERY reports that the kernel decides. */
static inline u64 simgpu_compat_features(void)
{
	u64 f = 0;

	if (SIMGPU_HAVE_SYNCOBJ_EVENTFD)
		f |= SIMGPU_FEATURE_SYNCOBJ_EVENTFD;
	if (SIMGPU_HAVE_DRM_EXEC)
		f |= SIMGPU_FEATURE_DRM_EXEC;
	if (SIMGPU_HAVE_SCHED_SUBMIT_WQ)
		f |= SIMGPU_FEATURE_SUBMIT_WQ_CHOICE;
	if (SIMGPU_HAS_NUM_RQS_CHOICE)
		f |= SIMGPU_FEATURE_NUM_RQS;
	if (SIMGPU_HAVE_SCHED_JOB_CREDITS)
		f |= SIMGPU_FEATURE_JOB_CREDITS;
	if (SIMGPU_HAVE_FAUX_DEVICE)
		f |= SIMGPU_FEATURE_FAUX_DEVICE;
	if (SIMGPU_HAVE_DRM_GPUVM)
		f |= SIMGPU_FEATURE_VM_BIND;
	return f;
}

/* The fdinfo keys every DRM file has: drm_show_fdinfo() prints them on 6.5+. */
static inline void simgpu_show_fdinfo_common(struct seq_file *m, struct file *f)
{
#if SIMGPU_HAVE_DRM_SHOW_FDINFO
	drm_show_fdinfo(m, f);
#else
	struct drm_file *file = f->private_data;

	seq_printf(m, "drm-driver:\t%s\n", file->minor->dev->driver->name);
#endif
}

#endif /* SIMGPU_COMPAT_H */
