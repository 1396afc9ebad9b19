// SPDX-License-Identifier: GPL-2.0
/*
 * simgpu queues and the batched SUBMIT ioctl.
 *
 * SUBMIT works in the order upstream drivers do: copy and check everything
 * the user passed, look up every handle and take every reference, lock the
 * BOs; only then, under the queue's submit lock, arm the jobs, publish their
 * finished fences (syncobjs, reservation objects, sync_files) and push them.
 * Every failure happens before anything is published.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/dma-fence-chain.h>
#include <linux/dma-resv.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/sync_file.h>
#include <linux/uaccess.h>

#include <drm/drm_gem.h>
#include <drm/drm_syncobj.h>

#include "simgpu_drv.h"

static void simgpu_queue_release(struct kref *ref)
{
	struct simgpu_queue *queue = container_of(ref, struct simgpu_queue, ref);

	mutex_destroy(&queue->submit_lock);
	/* Its SUBMITs may read the VM until the last queue reference goes. */
	if (queue->vm)
		simgpu_vm_put(queue->vm);
	simgpu_records_fini(&queue->records);
	simgpu_sched_put(queue->own_sched);
	atomic_dec(&queue->sdev->queues_live);
	kfree(queue);
}

void simgpu_queue_put(struct simgpu_queue *queue)
{
	kref_put(&queue->ref, simgpu_queue_release);
}

static struct simgpu_queue *simgpu_queue_get(struct simgpu_file *sfile, u32 id)
{
	struct simgpu_queue *queue;

	xa_lock(&sfile->queues);
	queue = xa_load(&sfile->queues, id);
	if (queue)
		kref_get(&queue->ref);
	xa_unlock(&sfile->queues);

	return queue;
}

/* The queue is already out of the file's xarray. */
static void simgpu_queue_destroy(struct simgpu_queue *queue)
{
	/* Under the submit lock, so no SUBMIT pushes to a dying entity. */
	mutex_lock(&queue->submit_lock);
	spin_lock_irq(&queue->state_lock);
	queue->destroyed = true;
	spin_unlock_irq(&queue->state_lock);
	mutex_unlock(&queue->submit_lock);

	/* Queued jobs now reach run_job quickly: it cancels them. */
	simgpu_sched_entity_destroy(&queue->entity);
	if (queue->own_sched)
		simgpu_sched_retire(queue->own_sched);
	if (queue->vm)
		simgpu_vm_queue_detach(queue->vm);
	simgpu_queue_put(queue);
}

void simgpu_queues_destroy(struct simgpu_file *sfile)
{
	struct simgpu_queue *queue;
	unsigned long id;

	xa_for_each(&sfile->queues, id, queue) {
		xa_erase(&sfile->queues, id);
		simgpu_queue_destroy(queue);
	}
	xa_destroy(&sfile->queues);
}

static enum drm_sched_priority simgpu_sched_priority(u32 priority)
{
	enum drm_sched_priority prio;

	switch (priority) {
	case SIMGPU_QUEUE_PRIORITY_LOW:
		prio = SIMGPU_SCHED_PRIORITY_LOW;
		break;
	case SIMGPU_QUEUE_PRIORITY_HIGH:
		prio = DRM_SCHED_PRIORITY_HIGH;
		break;
	default:
		prio = DRM_SCHED_PRIORITY_NORMAL;
		break;
	}
	/*
	 * With fewer run queues than priorities the scheduler would clamp and
	 * complain: clamp here, to the lowest run queue it has.
	 */
	return simgpu_sched_clamp_priority(prio, simgpu_params.num_rqs);
}

/*
 * DRM_IOCTL_SIMGPU_QUEUE_CREATE: create a queue (a scheduler entity) on an
 * engine with a priority that selects the scheduler run queue. With
 * SIMGPU_QUEUE_CREATE_OWN_SCHED the queue gets its own scheduler in front of
 * the engine, with its own credit limit, timeout and submit workqueue.
 * With a @vm_id the queue's jobs run in that VM: the queue holds it.
 *
 * -EINVAL: unknown flags, engine or priority; scheduler parameters without
 *          OWN_SCHED, or out of range; non-zero pad
 * -EOPNOTSUPP: a submit workqueue choice this kernel's scheduler lacks; a
 *              @vm_id where VM_BIND is unsupported
 * -ENOENT: unknown VM (or being destroyed)
 * -EBUSY: the file has SIMGPU_MAX_QUEUES queues, or the device
 *         own_sched_max_total OWN_SCHED queues
 * -ENOMEM
 */
int simgpu_ioctl_queue_create(struct drm_device *dev, void *data,
			      struct drm_file *file)
{
	struct simgpu_device *sdev = to_simgpu_device(dev);
	struct simgpu_file *sfile = file->driver_priv;
	struct drm_simgpu_queue_create *args = data;
	bool own = args->flags & SIMGPU_QUEUE_CREATE_OWN_SCHED;
	struct drm_gpu_scheduler *sched_list[1];
	struct simgpu_queue *queue;
	char name[24];
	u32 id, wq;
	int ret;

	if (args->flags & ~SIMGPU_QUEUE_CREATE_OWN_SCHED || args->pad)
		return -EINVAL;
	if (args->engine >= sdev->engine_count ||
	    args->priority > SIMGPU_QUEUE_PRIORITY_HIGH)
		return -EINVAL;
	if (!own && (args->credit_limit || args->timeout_ns || args->submit_wq))
		return -EINVAL;
	if (args->credit_limit > SIMGPU_MAX_CREDIT_LIMIT ||
	    args->timeout_ns > SIMGPU_MAX_TIMEOUT_NS ||
	    args->submit_wq > SIMGPU_SUBMIT_WQ_KTHREAD)
		return -EINVAL;
	wq = args->submit_wq ?: simgpu_params.submit_wq;
	/* Kernels with a submit workqueue have no scheduler kthread, and back. */
	if (SIMGPU_HAS_SUBMIT_WQ ? wq == SIMGPU_SUBMIT_WQ_KTHREAD :
					  wq != SIMGPU_SUBMIT_WQ_KTHREAD)
		return -EOPNOTSUPP;

	queue = kzalloc(sizeof(*queue), GFP_KERNEL);
	if (!queue)
		return -ENOMEM;
	ret = simgpu_records_init(&queue->records, SIMGPU_JOB_RING_SIZE,
				  struct drm_simgpu_job_record, seqno);
	if (ret)
		goto err_free;
	kref_init(&queue->ref);
	mutex_init(&queue->submit_lock);
	spin_lock_init(&queue->state_lock);
	queue->sdev = sdev;
	queue->engine = &sdev->engines[args->engine];
	queue->flags = args->flags;
	queue->priority = args->priority;
	queue->sched = &sdev->scheds[args->engine];
	if (args->vm_id) {
		queue->vm = simgpu_vm_queue_attach(sfile, args->vm_id);
		if (IS_ERR(queue->vm)) {
			ret = PTR_ERR(queue->vm);
			queue->vm = NULL;
			goto err_free;
		}
		queue->vm_id = args->vm_id;
	}

	if (own) {
		queue->own_sched = kzalloc(sizeof(*queue->own_sched), GFP_KERNEL);
		if (!queue->own_sched) {
			ret = -ENOMEM;
			goto err_free;
		}
		kref_init(&queue->own_sched->ref);
		queue->own_sched->own = true;
		if (atomic_inc_return(&sdev->own_scheds_live) >
		    READ_ONCE(simgpu_own_sched_max_total)) {
			atomic_dec(&sdev->own_scheds_live);
			ret = -EBUSY;
			goto err_free;
		}
		snprintf(name, sizeof(name), "simgpu-e%u-q", args->engine);
		ret = simgpu_sched_init(sdev, queue->own_sched, queue->engine,
					args->credit_limit ?: simgpu_params.credit_limit,
					args->timeout_ns ?: simgpu_params.job_timeout_ns,
					wq, name);
		if (ret) {
			atomic_dec(&sdev->own_scheds_live);
			goto err_free;
		}
		queue->sched = queue->own_sched;
	}

	queue->run_queue = simgpu_sched_priority(args->priority);
	sched_list[0] = &queue->sched->base;
	ret = drm_sched_entity_init(&queue->entity, queue->run_queue,
				    sched_list, 1, NULL);
	if (ret)
		goto err_sched_fini;

	/* The id is reserved, then the queue published once complete. */
	ret = xa_alloc(&sfile->queues, &id, NULL,
		       XA_LIMIT(1, SIMGPU_MAX_QUEUES), GFP_KERNEL);
	if (ret)
		goto err_entity_destroy;

	queue->id = id;
	atomic_inc(&sdev->queues_live);
	xa_store(&sfile->queues, id, queue, GFP_KERNEL);
	args->queue_id = id;
	return 0;

err_entity_destroy:
	simgpu_sched_entity_destroy(&queue->entity);
err_sched_fini:
	if (queue->own_sched)
		simgpu_sched_retire(queue->own_sched);
err_free:
	if (queue->vm) {
		simgpu_vm_queue_detach(queue->vm);
		simgpu_vm_put(queue->vm);
	}
	simgpu_records_fini(&queue->records);
	simgpu_sched_put(queue->own_sched);
	kfree(queue);
	return ret;
}

/*
 * DRM_IOCTL_SIMGPU_QUEUE_DESTROY: destroy a queue. Its jobs not yet on the
 * engine are cancelled (fences signal -ECANCELED); jobs on the engine finish.
 *
 * -EINVAL: non-zero pad
 * -ENOENT: no such queue
 */
int simgpu_ioctl_queue_destroy(struct drm_device *dev, void *data,
			       struct drm_file *file)
{
	struct simgpu_file *sfile = file->driver_priv;
	struct drm_simgpu_queue_destroy *args = data;
	struct simgpu_queue *queue;

	if (args->pad)
		return -EINVAL;

	queue = xa_erase(&sfile->queues, args->queue_id);
	if (!queue)
		return -ENOENT;

	simgpu_queue_destroy(queue);
	return 0;
}

/*
 * DRM_IOCTL_SIMGPU_QUEUE_QUERY: a queue's state (active, or timed out with
 * the guilty job's seqno), its seqno progress and scheduler parameters.
 *
 * -EINVAL: non-zero flags
 * -ENOENT: no such queue
 */
int simgpu_ioctl_queue_query(struct drm_device *dev, void *data,
			     struct drm_file *file)
{
	struct simgpu_file *sfile = file->driver_priv;
	struct drm_simgpu_queue_query *args = data;
	struct simgpu_queue *queue;

	if (args->flags)
		return -EINVAL;

	queue = simgpu_queue_get(sfile, args->queue_id);
	if (!queue)
		return -ENOENT;

	spin_lock_irq(&queue->state_lock);
	args->state = queue->state;
	args->error = queue->error;
	args->guilty_seqno = queue->guilty_seqno;
	args->last_submitted_seqno = queue->last_submitted_seqno;
	args->last_signalled_seqno = queue->last_signalled_seqno;
	spin_unlock_irq(&queue->state_lock);

	args->engine = queue->engine->index;
	args->priority = queue->priority;
	args->run_queue = queue->run_queue;
	args->queue_flags = queue->flags;
	args->credit_limit = queue->sched->credit_limit;
	args->submit_wq = queue->sched->submit_wq;
	args->timeout_ns = queue->sched->timeout_ns;
	args->vm_id = queue->vm_id;
	args->pad = 0;

	simgpu_queue_put(queue);
	return 0;
}

/*
 * DRM_IOCTL_SIMGPU_JOB_QUERY: copy the timestamp records of @count jobs
 * from @first_seqno on. The queue keeps the records of its last
 * SIMGPU_JOB_RING_SIZE submitted jobs.
 *
 * -EINVAL: non-zero flags, count 0, seqno 0, record_size not the record's
 * -E2BIG: count above SIMGPU_JOB_RING_SIZE
 * -ENOENT: no such queue, or a seqno not submitted yet
 * -ENODATA: a seqno whose record was overwritten by newer jobs
 * -EFAULT, -ENOMEM
 */
int simgpu_ioctl_job_query(struct drm_device *dev, void *data,
			   struct drm_file *file)
{
	struct simgpu_file *sfile = file->driver_priv;
	struct drm_simgpu_job_query *args = data;
	struct drm_simgpu_job_record *recs;
	struct simgpu_queue *queue;
	u32 i;
	int ret = 0;

	if (args->flags || !args->count || !args->first_seqno ||
	    args->record_size != sizeof(*recs))
		return -EINVAL;
	if (args->count > SIMGPU_JOB_RING_SIZE)
		return -E2BIG;

	queue = simgpu_queue_get(sfile, args->queue_id);
	if (!queue)
		return -ENOENT;

	recs = kvmalloc_array(args->count, sizeof(*recs), GFP_KERNEL);
	if (!recs) {
		ret = -ENOMEM;
		goto out_put;
	}

	spin_lock_irq(&queue->state_lock);
	for (i = 0; i < args->count; i++) {
		const struct drm_simgpu_job_record *rec =
			simgpu_records_find(&queue->records,
					    args->first_seqno + i,
					    queue->last_submitted_seqno,
					    struct drm_simgpu_job_record, seqno);

		if (IS_ERR(rec)) {
			ret = PTR_ERR(rec);
			break;
		}
		recs[i] = *rec;
	}
	spin_unlock_irq(&queue->state_lock);

	if (!ret && copy_to_user(u64_to_user_ptr(args->records), recs,
				 array_size(args->count, sizeof(*recs))))
		ret = -EFAULT;

	kvfree(recs);
out_put:
	simgpu_queue_put(queue);
	return ret;
}

/* Submit-time state of one job; the job itself is what the scheduler sees. */
struct simgpu_submit_job {
	struct drm_simgpu_job args;
	struct simgpu_job *job;		/* NULL once pushed */
	struct drm_simgpu_sync *syncs;
	struct simgpu_signals signals;
	struct drm_simgpu_bo_ref *bo_refs;
	struct drm_gem_object **bos;
	struct sync_file *out_sync_file;
	int out_fd;
};

struct simgpu_submit {
	struct drm_file *file;
	struct simgpu_queue *queue;
	u64 ioctl_ns;
	u32 count;
	struct simgpu_submit_job *jobs;
	/* Every BO of the batch, once: what gets locked. */
	struct drm_gem_object **objs;
	u32 obj_count;
	bool locked;
	struct simgpu_resv_ctx resv;
};

#define SIMGPU_BO_REF_FLAGS (SIMGPU_BO_REF_READ | SIMGPU_BO_REF_WRITE)
#define SIMGPU_JOB_FLAGS (SIMGPU_JOB_IN_FENCE_FD | SIMGPU_JOB_OUT_FENCE_FD)

static int simgpu_check_bo_refs(const struct drm_simgpu_bo_ref *refs, u32 n)
{
	u32 i, j;

	for (i = 0; i < n; i++) {
		if (!refs[i].flags || refs[i].flags & ~SIMGPU_BO_REF_FLAGS)
			return -EINVAL;
		/* Bounded by SIMGPU_MAX_BOS_PER_JOB, so quadratic is fine. */
		for (j = 0; j < i; j++)
			if (refs[i].handle == refs[j].handle)
				return -EINVAL;
	}
	return 0;
}

/* Copy the job array and each job's arrays in, and check them all. */
static int simgpu_submit_copy_in(struct simgpu_submit *sub,
				 const struct drm_simgpu_submit *args)
{
	u32 credit_limit = sub->queue->sched->credit_limit;
	u32 i, k;
	int ret;

	for (i = 0; i < sub->count; i++) {
		struct simgpu_submit_job *sj = &sub->jobs[i];
		struct drm_simgpu_job *a = &sj->args;

		if (copy_from_user(a, u64_to_user_ptr(args->jobs +
						      (u64)i * args->job_stride),
				   sizeof(*a)))
			return -EFAULT;

		if (a->flags & ~SIMGPU_JOB_FLAGS)
			return -EINVAL;
		if (!(a->flags & SIMGPU_JOB_IN_FENCE_FD) && a->in_fence_fd)
			return -EINVAL;
		if (a->duration_ns > SIMGPU_MAX_JOB_DURATION_NS)
			return -EINVAL;
		if (a->sync_count > SIMGPU_MAX_SYNCS_PER_JOB ||
		    a->bo_count > SIMGPU_MAX_BOS_PER_JOB)
			return -E2BIG;
		if (!a->credits)
			a->credits = 1;
		if (!SIMGPU_HAS_JOB_CREDITS && a->credits != 1)
			return -EOPNOTSUPP;
		/* The scheduler could never run it. */
		if (a->credits > credit_limit)
			return -EINVAL;

		if (a->sync_count) {
			sj->syncs = memdup_array_user(u64_to_user_ptr(a->syncs),
						      a->sync_count,
						      sizeof(*sj->syncs));
			if (IS_ERR(sj->syncs)) {
				ret = PTR_ERR(sj->syncs);
				sj->syncs = NULL;
				return ret;
			}
			for (k = 0; k < a->sync_count; k++) {
				ret = simgpu_check_sync(&sj->syncs[k]);
				if (ret)
					return ret;
			}
		}

		if (a->bo_count) {
			sj->bo_refs = memdup_array_user(u64_to_user_ptr(a->bos),
							a->bo_count,
							sizeof(*sj->bo_refs));
			if (IS_ERR(sj->bo_refs)) {
				ret = PTR_ERR(sj->bo_refs);
				sj->bo_refs = NULL;
				return ret;
			}
			ret = simgpu_check_bo_refs(sj->bo_refs, a->bo_count);
			if (ret)
				return ret;
			sub->obj_count += a->bo_count;
		}
	}
	return 0;
}

static struct simgpu_job *simgpu_job_create(struct simgpu_submit *sub,
					    const struct drm_simgpu_job *a)
{
	struct simgpu_queue *queue = sub->queue;
	struct simgpu_job *job;
	int ret;

	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job)
		return ERR_PTR(-ENOMEM);
	/* A racing QUEUE_DESTROY may have finished the queue's scheduler. */
	if (!simgpu_sched_job_get(queue->sched)) {
		kfree(job);
		return ERR_PTR(-ENOENT);
	}
	INIT_LIST_HEAD(&job->link);
	kref_get(&queue->ref);
	job->queue = queue;
	job->sched = queue->sched;
	job->duration_ns = a->duration_ns;

	/* Allocated here so run_job, in the fence signalling path, need not. */
	job->hw_fence = simgpu_hw_fence_alloc(job->sched);
	if (!job->hw_fence) {
		ret = -ENOMEM;
		goto err_free;
	}

	ret = simgpu_sched_job_init_compat(&job->base, &queue->entity,
					   a->credits, sub->file);
	if (ret)
		goto err_free;

	return job;

err_free:
	simgpu_job_free(job);
	return ERR_PTR(ret);
}

static int simgpu_submit_add_syncs(struct simgpu_submit *sub,
				   struct simgpu_submit_job *sj)
{
	struct drm_sched_job *job = &sj->job->base;
	struct dma_fence *fence;
	u32 k;
	int ret;

	if (sj->args.flags & SIMGPU_JOB_IN_FENCE_FD) {
		fence = sync_file_get_fence(sj->args.in_fence_fd);
		if (!fence)
			return -EINVAL;
		/* The reference is consumed even on failure. */
		ret = drm_sched_job_add_dependency(job, fence);
		if (ret)
			return ret;
	}

	ret = simgpu_signals_init(&sj->signals, sj->args.sync_count);
	if (ret)
		return ret;
	for (k = 0; k < sj->args.sync_count; k++) {
		ret = simgpu_job_add_sync(sub->file, job, &sj->signals,
					  &sj->syncs[k]);
		if (ret)
			return ret;
	}
	return 0;
}

static int simgpu_submit_lookup_bos(struct simgpu_submit *sub,
				    struct simgpu_submit_job *sj)
{
	u32 k;

	if (!sj->args.bo_count)
		return 0;

	sj->bos = kcalloc(sj->args.bo_count, sizeof(*sj->bos), GFP_KERNEL);
	if (!sj->bos)
		return -ENOMEM;
	for (k = 0; k < sj->args.bo_count; k++) {
		sj->bos[k] = drm_gem_object_lookup(sub->file,
						   sj->bo_refs[k].handle);
		if (!sj->bos[k])
			return -ENOENT;
		sub->objs[sub->obj_count++] = sj->bos[k];
	}
	return 0;
}

/*
 * Reserve the out-fence fd now and tell userspace its number, so that
 * nothing can fail once the jobs are published.
 */
static int simgpu_submit_reserve_fd(struct simgpu_submit_job *sj,
				    const struct drm_simgpu_submit *args, u32 i)
{
	struct drm_simgpu_job __user *ujob =
		u64_to_user_ptr(args->jobs + (u64)i * args->job_stride);

	sj->out_fd = get_unused_fd_flags(O_CLOEXEC);
	if (sj->out_fd < 0)
		return sj->out_fd;
	if (put_user(sj->out_fd, &ujob->out_fence_fd))
		return -EFAULT;
	return 0;
}

static int simgpu_submit_prepare(struct simgpu_submit *sub,
				 const struct drm_simgpu_submit *args)
{
	u32 i;
	int ret;

	if (sub->obj_count) {
		sub->objs = kvmalloc_array(sub->obj_count, sizeof(*sub->objs),
					   GFP_KERNEL);
		if (!sub->objs)
			return -ENOMEM;
		sub->obj_count = 0;
	}

	for (i = 0; i < sub->count; i++) {
		struct simgpu_submit_job *sj = &sub->jobs[i];

		sj->job = simgpu_job_create(sub, &sj->args);
		if (IS_ERR(sj->job)) {
			ret = PTR_ERR(sj->job);
			sj->job = NULL;
			return ret;
		}
		ret = simgpu_submit_add_syncs(sub, sj);
		if (ret)
			return ret;
		ret = simgpu_submit_lookup_bos(sub, sj);
		if (ret)
			return ret;
		if (sj->args.flags & SIMGPU_JOB_OUT_FENCE_FD) {
			ret = simgpu_submit_reserve_fd(sj, args, i);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int simgpu_cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

/* Lock every BO of the batch once, reserve fence slots, add implicit deps. */
static int simgpu_submit_lock_bos(struct simgpu_submit *sub)
{
	u32 i, k, n = 0;
	int ret;

	if (!sub->obj_count)
		return 0;

	/* Jobs of one batch may share BOs: lock each once. */
	sort(sub->objs, sub->obj_count, sizeof(*sub->objs), simgpu_cmp_ptr, NULL);
	for (i = 0; i < sub->obj_count; i++)
		if (!n || sub->objs[n - 1] != sub->objs[i])
			sub->objs[n++] = sub->objs[i];
	sub->obj_count = n;

	ret = simgpu_resv_lock(&sub->resv, sub->objs, sub->obj_count,
			       sub->count);
	if (ret)
		return ret;
	sub->locked = true;

	for (i = 0; i < sub->count; i++) {
		struct simgpu_submit_job *sj = &sub->jobs[i];

		for (k = 0; k < sj->args.bo_count; k++) {
			ret = drm_sched_job_add_implicit_dependencies(&sj->job->base,
								      sj->bos[k],
								      sj->bo_refs[k].flags &
								      SIMGPU_BO_REF_WRITE);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static void simgpu_submit_unlock_bos(struct simgpu_submit *sub)
{
	if (!sub->locked)
		return;
	simgpu_resv_unlock(&sub->resv);
	sub->locked = false;
}

static void simgpu_submit_publish(struct simgpu_submit_job *sj)
{
	struct dma_fence *finished = &sj->job->base.s_fence->finished;
	u32 k;

	simgpu_signals_publish(&sj->signals, finished);

	for (k = 0; k < sj->args.bo_count; k++)
		dma_resv_add_fence(sj->bos[k]->resv, finished,
				   sj->bo_refs[k].flags & SIMGPU_BO_REF_WRITE ?
				   DMA_RESV_USAGE_WRITE : DMA_RESV_USAGE_READ);
}

/* Arm, publish and push the batch, in order, under the submit lock. */
static int simgpu_submit_commit(struct simgpu_submit *sub, u64 *first_seqno)
{
	struct simgpu_queue *queue = sub->queue;
	u64 seqno;
	u32 i;
	int ret;

	ret = mutex_lock_interruptible(&queue->submit_lock);
	if (ret)
		return ret;

	spin_lock_irq(&queue->state_lock);
	ret = queue->destroyed ? -ENOENT : queue->state ? -EIO : 0;
	spin_unlock_irq(&queue->state_lock);
	if (!ret && queue->vm)
		ret = simgpu_vm_check_usable(queue->vm);
	if (ret)
		goto out_unlock;

	for (i = 0; i < sub->count; i++) {
		drm_sched_job_arm(&sub->jobs[i].job->base);
		sub->jobs[i].job->armed = true;
	}

	/* The last step that can fail: armed jobs are still only ours. */
	for (i = 0; i < sub->count; i++) {
		struct simgpu_submit_job *sj = &sub->jobs[i];

		if (sj->out_fd < 0)
			continue;
		sj->out_sync_file =
			sync_file_create(&sj->job->base.s_fence->finished);
		if (!sj->out_sync_file) {
			ret = -ENOMEM;
			goto out_unlock;
		}
	}

	seqno = queue->last_submitted_seqno + 1;
	*first_seqno = seqno;
	spin_lock_irq(&queue->state_lock);
	for (i = 0; i < sub->count; i++) {
		struct simgpu_submit_job *sj = &sub->jobs[i];
		struct drm_simgpu_job_record *rec =
			simgpu_records_slot(&queue->records, seqno + i,
					    struct drm_simgpu_job_record);

		sj->job->seqno = seqno + i;
		memset(rec, 0, sizeof(*rec));
		rec->seqno = seqno + i;
		rec->duration_ns = sj->args.duration_ns;
		rec->ioctl_ns = sub->ioctl_ns;
		rec->status = SIMGPU_JOB_STATUS_QUEUED;
	}
	queue->last_submitted_seqno = seqno + sub->count - 1;
	spin_unlock_irq(&queue->state_lock);

	for (i = 0; i < sub->count; i++) {
		struct simgpu_submit_job *sj = &sub->jobs[i];

		simgpu_submit_publish(sj);
		drm_sched_entity_push_job(&sj->job->base);
		/* The scheduler owns the job now and may already free it. */
		sj->job = NULL;
	}

out_unlock:
	mutex_unlock(&queue->submit_lock);
	return ret;
}

static void simgpu_submit_cleanup(struct simgpu_submit *sub)
{
	u32 i, k;

	simgpu_submit_unlock_bos(sub);

	for (i = 0; sub->jobs && i < sub->count; i++) {
		struct simgpu_submit_job *sj = &sub->jobs[i];

		if (sj->out_sync_file)
			fput(sj->out_sync_file->file);
		if (sj->out_fd >= 0)
			put_unused_fd(sj->out_fd);
		simgpu_signals_fini(&sj->signals);
		for (k = 0; sj->bos && k < sj->args.bo_count; k++)
			if (sj->bos[k])
				drm_gem_object_put(sj->bos[k]);
		if (sj->job)
			simgpu_job_free(sj->job);
		kfree(sj->bos);
		kfree(sj->bo_refs);
		kfree(sj->syncs);
	}
	kvfree(sub->jobs);
	kvfree(sub->objs);
}

/*
 * DRM_IOCTL_SIMGPU_SUBMIT: queue @job_count jobs on a queue, in order. Each
 * job waits for its wait syncobjs (binary, or a timeline point), its in-fence
 * sync_file and, through their reservation objects, the users of its BOs;
 * then runs on the queue's engine for its duration; then signals its signal
 * syncobjs (binary, or a new timeline point), its out-fence sync_file and its
 * BOs' reservation objects. Returns the first job's per-queue seqno.
 *
 * -EINVAL: non-zero flags, in_fence_fd without its flag,
 *          job_count 0, job_stride not the job's size, a duration above
 *          SIMGPU_MAX_JOB_DURATION_NS, credits above the queue's credit
 *          limit, bad sync flags or points (a timeline point without
 *          SIMGPU_SYNC_TIMELINE, 0 with it, no fence at a wait point), bad
 *          BO flags or a BO listed twice in a job, an in_fence_fd that is no
 *          sync_file
 * -E2BIG: more than SIMGPU_MAX_JOBS_PER_SUBMIT jobs, SIMGPU_MAX_SYNCS_PER_JOB
 *         syncs or SIMGPU_MAX_BOS_PER_JOB BOs in a job
 * -EOPNOTSUPP: credits other than 1 on a kernel whose scheduler counts jobs
 * -ENOENT: no such queue (or destroyed meanwhile), unknown syncobj or BO
 * -EIO: the queue timed out (QUEUE_QUERY says which job), or its VM is
 *       unusable after a bind failed half-way (VM_QUERY's @unusable)
 * -EFAULT, -ENOMEM, -EMFILE, -EINTR, -ERESTARTSYS
 */
int simgpu_ioctl_submit(struct drm_device *dev, void *data,
			struct drm_file *file)
{
	struct simgpu_file *sfile = file->driver_priv;
	struct drm_simgpu_submit *args = data;
	struct simgpu_submit sub = {
		.file = file,
		.ioctl_ns = ktime_get_ns(),
	};
	u64 first_seqno = 0;
	u32 i;
	int ret;

	simgpu_inject_delay(SIMGPU_INJECT_IOCTL);

	if (args->flags || !args->job_count ||
	    args->job_stride != sizeof(struct drm_simgpu_job))
		return -EINVAL;
	if (args->job_count > SIMGPU_MAX_JOBS_PER_SUBMIT)
		return -E2BIG;

	sub.queue = simgpu_queue_get(sfile, args->queue_id);
	if (!sub.queue)
		return -ENOENT;

	sub.count = args->job_count;
	sub.jobs = kvcalloc(sub.count, sizeof(*sub.jobs), GFP_KERNEL);
	if (!sub.jobs) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < sub.count; i++)
		sub.jobs[i].out_fd = -1;

	ret = simgpu_submit_copy_in(&sub, args);
	if (ret)
		goto out;
	ret = simgpu_submit_prepare(&sub, args);
	if (ret)
		goto out;
	ret = simgpu_submit_lock_bos(&sub);
	if (ret)
		goto out;
	ret = simgpu_submit_commit(&sub, &first_seqno);
	if (ret)
		goto out;

	for (i = 0; i < sub.count; i++) {
		struct simgpu_submit_job *sj = &sub.jobs[i];

		if (sj->out_sync_file) {
			fd_install(sj->out_fd, sj->out_sync_file->file);
			sj->out_sync_file = NULL;
			sj->out_fd = -1;
		}
	}
	args->first_seqno = first_seqno;

out:
	simgpu_submit_cleanup(&sub);
	simgpu_queue_put(sub.queue);
	return ret;
}
