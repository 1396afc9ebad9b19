// SPDX-License-Identifier: GPL-2.0
/*
 * simgpu user-mode submission queues (after panthor's user-submission RFC).
 *
 * A user queue is a ring of job descriptors, a user I/O page and a doorbell
 * page, all allocated here and mapped into userspace through the DRM fd, plus
 * a firmware model: one kernel thread per queue that notices the doorbell
 * (spinning, polling or only when kicked), copies each descriptor out of the
 * ring once, checks the copy, "runs" it for its duration and writes its
 * signal value into a 64-bit sync object of a GEM BO (the sync BO, mapped
 * into the kernel for the queue's life and shared by the queues naming it).
 *
 * Nothing read from the ring, the I/O page or the sync BO is trusted: a bad
 * value faults that queue only. A fault, a destroy or the stall backstop
 * signals every bridge fence of the queue with an error, so a dma_fence
 * handed to the DRM core always signals in bounded time while correctness
 * never depends on a timer: values reached signal the fences.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-fence-chain.h>
#include <linux/eventfd.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <drm/drm_gem.h>
#include <drm/drm_syncobj.h>

#include "simgpu_drv.h"

#define SIMGPU_USERQ_CREATE_FLAGS	SIMGPU_USERQ_CREATE_EVENTFD
#define SIMGPU_USERQ_JOB_FLAGS		(SIMGPU_USERQ_JOB_WAIT | SIMGPU_USERQ_JOB_NOTIFY)
#define SIMGPU_USERQ_JOB_SIZE		sizeof(struct drm_simgpu_userq_job)
#define SIMGPU_USERQ_MAX_POLL_US	1000000

/* mmap offsets: a window per queue id, above every GEM fake offset. */
#define SIMGPU_USERQ_WINDOW_SHIFT	24
#define SIMGPU_USERQ_IO_OFFSET		(8ull << 20)
#define SIMGPU_USERQ_DOORBELL_OFFSET	(SIMGPU_USERQ_IO_OFFSET + PAGE_SIZE)

/*
 * A sync BO: the GEM object's pages held and mapped into the kernel, and
 * what is waiting on its sync objects. One per BO, shared by its queues.
 */
struct simgpu_sync_bo {
	struct list_head link;		/* sdev->userq_sync_bos */
	unsigned int users;		/* under sdev->userq_lock */
	struct drm_gem_object *obj;
	struct page **pages;
	u64 *map;
	u64 size;
	/* USERQ_WAIT sleepers. */
	wait_queue_head_t wq;
	/* Protects @queues and @bridges. */
	spinlock_t lock;
	struct list_head queues;	/* live queues naming this BO */
	struct list_head bridges;	/* pending TO_SYNCOBJ bridges */
};

struct simgpu_userq {
	struct kref ref;
	struct simgpu_device *sdev;
	/* Counted in sdev->userqs_live (until released). */
	bool counted;
	struct simgpu_sync_bo *sbo;
	struct list_head sbo_link;	/* sbo->queues while alive */
	u32 id;
	u32 engine;
	u32 ring_size;
	u32 policy;
	u32 poll_interval_us;
	u32 idle_timeout_us;

	/* Ring pages, then the I/O page, then the doorbell page. */
	struct page **pages;
	u32 ring_pages;
	void *ring;
	struct drm_simgpu_userq_io *io;
	u32 *doorbell;

	struct eventfd_ctx *eventfd;
	struct task_struct *fw;		/* referenced */
	/* KICK happened since the firmware last looked. */
	atomic_t kicked;
	/* The firmware sleeps until a sync object changes: wake it. */
	bool fw_blocked;

	/* Firmware-private: only the firmware thread touches these. */
	u32 last_doorbell;
	u64 extract;

	/* Protects everything below. */
	spinlock_t lock;
	bool dead;			/* destroy began */
	u32 state;			/* SIMGPU_USERQ_STATE_* */
	u32 fault;
	u64 fault_seqno;
	u64 fault_value;
	u64 seen_seqno;
	u64 completed_seqno;
	u64 doorbells;
	u64 kicks;
	u64 deactivations;
	u64 fw_wakeups;
	struct simgpu_records records;
	struct list_head from_bridges;

	u64 fence_context;
	atomic64_t fence_seqno;
	struct delayed_work stall_work;
};

/* A TO_SYNCOBJ bridge: its fence carries its own lock, it may outlive us. */
struct simgpu_bridge_fence {
	struct dma_fence base;
	spinlock_t lock;	/* the fence's lock, and only that */
};

struct simgpu_to_bridge {
	struct list_head link;		/* sbo->bridges */
	struct simgpu_userq *queue;	/* not referenced: removed before free */
	struct simgpu_bridge_fence *fence;
	u64 offset;
	u64 value;
	u64 deadline_ns;
};

struct simgpu_from_bridge {
	struct list_head link;		/* queue->from_bridges */
	struct simgpu_userq *queue;	/* referenced */
	struct dma_fence *fence;
	struct dma_fence_cb cb;
	struct work_struct work;
	u64 offset;
	u64 value;
};

uint simgpu_userq_stall_timeout_ms = 10000;

static void simgpu_userq_stall_work(struct work_struct *work);

static const char *simgpu_bridge_get_driver_name(struct dma_fence *fence)
{
	return "simgpu";
}

static const char *simgpu_bridge_get_timeline_name(struct dma_fence *fence)
{
	return "simgpu-userq";
}

static void simgpu_bridge_fence_free_rcu(struct rcu_head *rcu)
{
	kfree(container_of(rcu, struct simgpu_bridge_fence, base.rcu));
	simgpu_fence_module_put();
}

/* The fence pins the module until it is freed (simgpu_fence_module_get()). */
static void simgpu_bridge_fence_release(struct dma_fence *fence)
{
	call_rcu(&fence->rcu, simgpu_bridge_fence_free_rcu);
}

static const struct dma_fence_ops simgpu_bridge_fence_ops = {
	.get_driver_name = simgpu_bridge_get_driver_name,
	.get_timeline_name = simgpu_bridge_get_timeline_name,
	.release = simgpu_bridge_fence_release,
};

static u64 simgpu_userq_stall_ns(void)
{
	return (u64)max(READ_ONCE(simgpu_userq_stall_timeout_ms), 1u) *
	       NSEC_PER_MSEC;
}

static bool simgpu_sync_offset_ok(const struct simgpu_sync_bo *sbo, u64 offset)
{
	return !(offset & 7) && offset < sbo->size;
}

static u64 simgpu_sync_read(const struct simgpu_sync_bo *sbo, u64 offset)
{
	/* Acquire: pairs with the release store that wrote the value. */
	return smp_load_acquire(&sbo->map[offset / sizeof(u64)]);
}

/* --- sync BOs ----------------------------------------------------------- */

static void simgpu_sync_bo_free(struct simgpu_sync_bo *sbo)
{
	vunmap(sbo->map);
	drm_gem_put_pages(sbo->obj, sbo->pages, true, true);
	drm_gem_object_put(sbo->obj);
	kfree(sbo);
}

/*
 * Everything is allocated before @userq_lock is taken: the last put of a
 * queue takes the lock from bridge work, which fences depend on, so the
 * lock is never held across an allocation that may reclaim. A racing
 * first user of the same BO wins; the loser's copy is dropped.
 */
static struct simgpu_sync_bo *simgpu_sync_bo_get(struct simgpu_device *sdev,
						 struct drm_gem_object *obj)
{
	struct simgpu_sync_bo *sbo, *new;
	int ret;

	if (obj->size > SIMGPU_USERQ_MAX_SYNC_BO_SIZE)
		return ERR_PTR(-E2BIG);

	new = kzalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return ERR_PTR(-ENOMEM);
	/* Holding the shmem pages keeps them resident and the same as mmap's. */
	new->pages = drm_gem_get_pages(obj);
	if (IS_ERR(new->pages)) {
		ret = PTR_ERR(new->pages);
		goto err_free;
	}
	new->map = vmap(new->pages, obj->size >> PAGE_SHIFT, VM_MAP,
			PAGE_KERNEL);
	if (!new->map) {
		ret = -ENOMEM;
		goto err_put_pages;
	}
	drm_gem_object_get(obj);
	new->obj = obj;
	new->size = obj->size;
	new->users = 1;
	init_waitqueue_head(&new->wq);
	spin_lock_init(&new->lock);
	INIT_LIST_HEAD(&new->queues);
	INIT_LIST_HEAD(&new->bridges);

	mutex_lock(&sdev->userq_lock);
	list_for_each_entry(sbo, &sdev->userq_sync_bos, link) {
		if (sbo->obj == obj) {
			sbo->users++;
			mutex_unlock(&sdev->userq_lock);
			simgpu_sync_bo_free(new);
			return sbo;
		}
	}
	list_add(&new->link, &sdev->userq_sync_bos);
	mutex_unlock(&sdev->userq_lock);
	return new;

err_put_pages:
	drm_gem_put_pages(obj, new->pages, false, false);
err_free:
	kfree(new);
	return ERR_PTR(ret);
}

static void simgpu_sync_bo_put(struct simgpu_device *sdev,
			       struct simgpu_sync_bo *sbo)
{
	mutex_lock(&sdev->userq_lock);
	if (--sbo->users) {
		mutex_unlock(&sdev->userq_lock);
		return;
	}
	list_del(&sbo->link);
	mutex_unlock(&sdev->userq_lock);
	simgpu_sync_bo_free(sbo);
}

static void simgpu_bridges_signal(struct list_head *list, int error)
{
	struct simgpu_to_bridge *b, *next;

	list_for_each_entry_safe(b, next, list, link) {
		list_del(&b->link);
		if (error)
			dma_fence_set_error(&b->fence->base, error);
		dma_fence_signal(&b->fence->base);
		dma_fence_put(&b->fence->base);
		kfree(b);
	}
}

/*
 * A sync object of @sbo changed (engine, FROM bridge or SYNC_UPDATE): wake
 * USERQ_WAIT sleepers and firmware threads blocked on a wait, and signal
 * the bridges whose value is reached. Cheap when nobody waits.
 */
static void simgpu_sync_bo_written(struct simgpu_sync_bo *sbo)
{
	struct simgpu_to_bridge *b, *next;
	struct simgpu_userq *queue;
	LIST_HEAD(done);

	/* Pairs with the barrier in set_current_state() of the sleepers. */
	smp_mb();
	if (wq_has_sleeper(&sbo->wq))
		wake_up_all(&sbo->wq);

	spin_lock(&sbo->lock);
	list_for_each_entry(queue, &sbo->queues, sbo_link)
		if (READ_ONCE(queue->fw_blocked))
			wake_up_process(queue->fw);
	list_for_each_entry_safe(b, next, &sbo->bridges, link)
		if (simgpu_sync_read(sbo, b->offset) >= b->value)
			list_move_tail(&b->link, &done);
	spin_unlock(&sbo->lock);

	simgpu_bridges_signal(&done, 0);
}

/* Signal @queue's pending TO_SYNCOBJ bridges with @error. */
static void simgpu_userq_fail_bridges(struct simgpu_userq *queue, int error)
{
	struct simgpu_sync_bo *sbo = queue->sbo;
	struct simgpu_to_bridge *b, *next;
	LIST_HEAD(failed);

	spin_lock(&sbo->lock);
	list_for_each_entry_safe(b, next, &sbo->bridges, link)
		if (b->queue == queue)
			list_move_tail(&b->link, &failed);
	spin_unlock(&sbo->lock);

	simgpu_bridges_signal(&failed, error);
}

/* --- queue state -------------------------------------------------------- */

static void simgpu_userq_release(struct kref *ref)
{
	struct simgpu_userq *queue = container_of(ref, struct simgpu_userq, ref);
	u32 i;

	/* Userspace mappings hold their own page references. */
	vunmap(queue->ring);
	for (i = 0; queue->pages && i < queue->ring_pages + 2; i++)
		if (queue->pages[i])
			__free_page(queue->pages[i]);
	kvfree(queue->pages);
	simgpu_records_fini(&queue->records);
	if (queue->eventfd)
		eventfd_ctx_put(queue->eventfd);
	if (queue->fw)
		put_task_struct(queue->fw);
	simgpu_sync_bo_put(queue->sdev, queue->sbo);
	if (queue->counted)
		atomic_dec(&queue->sdev->userqs_live);
	kfree(queue);
}

static void simgpu_userq_put(struct simgpu_userq *queue)
{
	kref_put(&queue->ref, simgpu_userq_release);
}

static struct simgpu_userq *simgpu_userq_get(struct simgpu_file *sfile, u32 id)
{
	struct simgpu_userq *queue;

	xa_lock(&sfile->userqs);
	queue = xa_load(&sfile->userqs, id);
	if (queue)
		kref_get(&queue->ref);
	xa_unlock(&sfile->userqs);
	return queue;
}

static void simgpu_userq_set_state(struct simgpu_userq *queue, u32 state)
{
	lockdep_assert_held(&queue->lock);
	queue->state = state;
	/* Release: @fault and the records are visible before the state. */
	smp_store_release(&queue->io->state, state);
}

static bool simgpu_userq_stopped(struct simgpu_userq *queue)
{
	return READ_ONCE(queue->state) == SIMGPU_USERQ_STATE_FAULTY ||
	       READ_ONCE(queue->dead);
}

static struct drm_simgpu_userq_job_record *
simgpu_userq_record(struct simgpu_userq *queue, u64 seqno)
{
	lockdep_assert_held(&queue->lock);
	return simgpu_records_lookup(&queue->records, seqno,
				     struct drm_simgpu_userq_job_record, seqno);
}

static void simgpu_userq_drop(struct simgpu_userq *queue, u64 seqno, int error)
{
	struct drm_simgpu_userq_job_record *rec;

	spin_lock(&queue->lock);
	rec = simgpu_userq_record(queue, seqno);
	if (rec) {
		rec->status = SIMGPU_USERQ_JOB_STATUS_DROPPED;
		rec->error = error;
	}
	spin_unlock(&queue->lock);
}

/*
 * Mark @queue FAULTY for @reason (the first fault wins): its firmware stops
 * taking jobs, the job it holds is dropped, its bridges fail, its waiters
 * and its eventfd are woken. Other queues, even on the same sync BO, go on.
 */
static void simgpu_userq_fault(struct simgpu_userq *queue, u32 reason,
			       u64 seqno, u64 value)
{
	struct drm_simgpu_userq_job_record *rec;

	spin_lock(&queue->lock);
	if (queue->dead || queue->state == SIMGPU_USERQ_STATE_FAULTY) {
		spin_unlock(&queue->lock);
		return;
	}
	/*
	 * Before FAULTY is visible, so a query never sees it half done. No job
	 * seen yet (seqno 0) has no record, though slot 0 reads as seqno 0.
	 */
	rec = queue->seen_seqno ?
	      simgpu_userq_record(queue, queue->seen_seqno) : NULL;
	if (rec && rec->status != SIMGPU_USERQ_JOB_STATUS_DONE) {
		rec->status = SIMGPU_USERQ_JOB_STATUS_DROPPED;
		rec->error = -EIO;
	}
	queue->fault = reason;
	queue->fault_seqno = seqno;
	queue->fault_value = value;
	WRITE_ONCE(queue->io->fault, reason);
	simgpu_userq_set_state(queue, SIMGPU_USERQ_STATE_FAULTY);
	spin_unlock(&queue->lock);

	simgpu_userq_fail_bridges(queue, -EIO);
	wake_up_process(queue->fw);
	wake_up_all(&queue->sbo->wq);
	if (queue->eventfd)
		simgpu_eventfd_signal(queue->eventfd);
}

/* --- the firmware model ------------------------------------------------- */

/*
 * Sleep until @until (NULL: for ever), a kick or kthread_stop(). Kthreads
 * take no signals: only those wake an interruptible sleep.
 */
static void simgpu_fw_sleep(struct simgpu_userq *queue, ktime_t *until)
{
	set_current_state(TASK_INTERRUPTIBLE);
	if (!kthread_should_stop() && !atomic_read(&queue->kicked))
		schedule_hrtimeout_range(until, 0, HRTIMER_MODE_ABS);
	__set_current_state(TASK_RUNNING);
}

/* Block until sync object @offset >= @value: 0, or a fault or stop. */
static int simgpu_fw_wait(struct simgpu_userq *queue, u64 seqno, u64 offset,
			  u64 value)
{
	ktime_t deadline = ktime_add_ns(ktime_get(), simgpu_userq_stall_ns());
	int ret = 0;

	WRITE_ONCE(queue->fw_blocked, true);
	for (;;) {
		/* The barrier pairs with simgpu_sync_bo_written(). */
		set_current_state(TASK_INTERRUPTIBLE);
		if (simgpu_sync_read(queue->sbo, offset) >= value)
			break;
		if (kthread_should_stop() || simgpu_userq_stopped(queue)) {
			ret = -ECANCELED;
			break;
		}
		if (ktime_after(ktime_get(), deadline)) {
			__set_current_state(TASK_RUNNING);
			simgpu_userq_fault(queue, SIMGPU_USERQ_FAULT_STALLED,
					   seqno, offset);
			ret = -EIO;
			break;
		}
		schedule_hrtimeout(&deadline, HRTIMER_MODE_ABS);
	}
	__set_current_state(TASK_RUNNING);
	WRITE_ONCE(queue->fw_blocked, false);
	return ret;
}

/* The engine time of a job: a BUSY firmware spins, the others sleep. */
static int simgpu_fw_run(struct simgpu_userq *queue, u64 duration_ns)
{
	ktime_t end = ktime_add_ns(ktime_get(), duration_ns);

	while (ktime_before(ktime_get(), end)) {
		if (kthread_should_stop() || simgpu_userq_stopped(queue))
			return -ECANCELED;
		if (queue->policy == SIMGPU_USERQ_FW_BUSY) {
			cond_resched();
			cpu_relax();
			continue;
		}
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule_hrtimeout(&end, HRTIMER_MODE_ABS);
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

/* Check a descriptor copy; on a bad one fault the queue and return false. */
static bool simgpu_fw_check(struct simgpu_userq *queue,
			    const struct drm_simgpu_userq_job *job, u64 seqno)
{
	const struct simgpu_sync_bo *sbo = queue->sbo;
	bool wait = job->flags & SIMGPU_USERQ_JOB_WAIT;
	u32 reason = SIMGPU_USERQ_FAULT_BAD_DESCRIPTOR;
	u64 value;

	if (job->op != SIMGPU_USERQ_OP_RUN) {
		value = job->op;
	} else if (job->flags & ~SIMGPU_USERQ_JOB_FLAGS) {
		value = job->flags;
	} else if (job->reserved) {
		value = job->reserved;
	} else if (!wait && (job->wait_offset || job->wait_value)) {
		value = job->wait_offset ?: job->wait_value;
	} else if (!simgpu_sync_offset_ok(sbo, job->signal_offset)) {
		reason = SIMGPU_USERQ_FAULT_BAD_SYNC_OFFSET;
		value = job->signal_offset;
	} else if (wait && !simgpu_sync_offset_ok(sbo, job->wait_offset)) {
		reason = SIMGPU_USERQ_FAULT_BAD_SYNC_OFFSET;
		value = job->wait_offset;
	} else if (job->duration_ns > SIMGPU_MAX_JOB_DURATION_NS) {
		reason = SIMGPU_USERQ_FAULT_BAD_DURATION;
		value = job->duration_ns;
	} else {
		return true;
	}
	simgpu_userq_fault(queue, reason, seqno, value);
	return false;
}

/* Run one descriptor copy: wait, engine time, signal. 0 or -errno. */
static int simgpu_fw_job(struct simgpu_userq *queue,
			 const struct drm_simgpu_userq_job *job, u64 seqno)
{
	struct drm_simgpu_userq_job_record *rec;
	struct simgpu_sync_bo *sbo = queue->sbo;
	u64 *sync = &sbo->map[job->signal_offset / sizeof(u64)];
	int ret;

	if (job->flags & SIMGPU_USERQ_JOB_WAIT) {
		ret = simgpu_fw_wait(queue, seqno, job->wait_offset,
				     job->wait_value);
		if (ret)
			return ret;
	}

	spin_lock(&queue->lock);
	rec = simgpu_userq_record(queue, seqno);
	if (rec) {
		rec->engine_start_ns = ktime_get_ns();
		rec->status = SIMGPU_USERQ_JOB_STATUS_RUNNING;
	}
	spin_unlock(&queue->lock);

	ret = simgpu_fw_run(queue, job->duration_ns);
	if (ret)
		return ret;

	/* Sync objects only move forward, whoever else writes them. */
	if (job->signal_value < simgpu_sync_read(sbo, job->signal_offset)) {
		simgpu_userq_fault(queue, SIMGPU_USERQ_FAULT_SYNC_BACKWARDS,
				   seqno, job->signal_value);
		return -EIO;
	}

	spin_lock(&queue->lock);
	/* A fault from outside (bridge, stall) while the job ran: drop it. */
	if (queue->state == SIMGPU_USERQ_STATE_FAULTY || queue->dead) {
		spin_unlock(&queue->lock);
		return -ECANCELED;
	}
	rec = simgpu_userq_record(queue, seqno);
	if (rec) {
		rec->engine_end_ns = ktime_get_ns();
		rec->complete_ns = ktime_get_ns();
		rec->status = SIMGPU_USERQ_JOB_STATUS_DONE;
	}
	queue->completed_seqno = seqno;
	WRITE_ONCE(queue->io->completed_seqno, seqno);
	spin_unlock(&queue->lock);

	/* The contract's completion store: everything before is visible. */
	smp_store_release(sync, job->signal_value);

	simgpu_sync_bo_written(sbo);
	if ((job->flags & SIMGPU_USERQ_JOB_NOTIFY) && queue->eventfd)
		simgpu_eventfd_signal(queue->eventfd);
	return 0;
}

/*
 * Take and run every job between our extract and the user's insert, then
 * look again. Returns whether a job was taken.
 */
static bool simgpu_fw_drain(struct simgpu_userq *queue)
{
	struct drm_simgpu_userq_job_record *rec;
	struct drm_simgpu_userq_job job;
	bool took = false;
	u64 insert, seqno;

	for (;;) {
		/* Acquire: pairs with the producer's release of @insert. */
		insert = smp_load_acquire(&queue->io->insert);
		if (insert == queue->extract)
			return took;
		if (insert % SIMGPU_USERQ_JOB_SIZE || insert < queue->extract ||
		    insert - queue->extract > queue->ring_size) {
			simgpu_userq_fault(queue, SIMGPU_USERQ_FAULT_BAD_INSERT,
					   0, insert);
			return took;
		}
		if (!took)
			simgpu_inject_delay(SIMGPU_INJECT_FW_POLL);

		while (queue->extract < insert) {
			if (kthread_should_stop() || simgpu_userq_stopped(queue))
				return took;
			/*
			 * A producer that keeps up with zero-length jobs keeps
			 * us here for ever: let others run (non-preemptible
			 * kernels would report a soft lockup).
			 */
			cond_resched();

			/* One copy; the ring slot is never read again. */
			memcpy(&job, queue->ring +
			       (queue->extract & (queue->ring_size - 1)),
			       sizeof(job));
			queue->extract += SIMGPU_USERQ_JOB_SIZE;
			seqno = queue->extract / SIMGPU_USERQ_JOB_SIZE;
			took = true;

			spin_lock(&queue->lock);
			rec = simgpu_records_slot(&queue->records, seqno,
						  struct drm_simgpu_userq_job_record);
			memset(rec, 0, sizeof(*rec));
			rec->seqno = seqno;
			rec->user_data = job.user_data;
			rec->duration_ns = job.duration_ns;
			rec->seen_ns = ktime_get_ns();
			rec->status = SIMGPU_USERQ_JOB_STATUS_WAITING;
			queue->seen_seqno = seqno;
			spin_unlock(&queue->lock);
			/* Release: the slot was copied, it may be reused. */
			smp_store_release(&queue->io->extract, queue->extract);

			/* A fault drops the job it names. */
			if (!simgpu_fw_check(queue, &job, seqno))
				return took;
			if (simgpu_fw_job(queue, &job, seqno)) {
				simgpu_userq_drop(queue, seqno,
						  READ_ONCE(queue->dead) ?
						  -ECANCELED : -EIO);
				return took;
			}
		}
	}
}

/*
 * Idle for idle_timeout_us: go INACTIVE, then look at @insert again after a
 * full barrier. A producer stores @insert, fences, then loads @state: one of
 * the two sees the other's store, so a submission is never left unnoticed.
 */
static bool simgpu_fw_deactivate(struct simgpu_userq *queue)
{
	spin_lock(&queue->lock);
	if (atomic_read(&queue->kicked) ||
	    queue->state != SIMGPU_USERQ_STATE_ACTIVE) {
		spin_unlock(&queue->lock);
		return false;
	}
	/* Counted with the state change, so a query sees both or neither. */
	simgpu_userq_set_state(queue, SIMGPU_USERQ_STATE_INACTIVE);
	queue->deactivations++;
	spin_unlock(&queue->lock);

	/* Dekker: pairs with the producer's fence between @insert and @state. */
	smp_mb();
	if (READ_ONCE(queue->io->insert) == queue->extract)
		return true;

	spin_lock(&queue->lock);
	if (queue->state == SIMGPU_USERQ_STATE_INACTIVE) {
		simgpu_userq_set_state(queue, SIMGPU_USERQ_STATE_ACTIVE);
		queue->deactivations--;
	}
	spin_unlock(&queue->lock);
	return false;
}

static int simgpu_fw_thread(void *data)
{
	struct simgpu_userq *queue = data;
	ktime_t idle_since = ktime_get(), until;
	bool kicked, rang;
	u32 bell;

	while (!kthread_should_stop()) {
		kicked = atomic_xchg(&queue->kicked, 0);
		bell = READ_ONCE(*queue->doorbell);
		rang = bell != queue->last_doorbell;

		spin_lock(&queue->lock);
		queue->fw_wakeups++;
		if (rang)
			queue->doorbells++;
		spin_unlock(&queue->lock);
		queue->last_doorbell = bell;

		if (simgpu_userq_stopped(queue)) {
			/* Faulty: nothing to do but wait for the end. */
			simgpu_fw_sleep(queue, NULL);
			continue;
		}
		if ((rang || kicked) && simgpu_fw_drain(queue))
			idle_since = ktime_get();
		if (simgpu_userq_stopped(queue))
			continue;

		until = ktime_add_us(idle_since, queue->idle_timeout_us);
		if (!ktime_before(ktime_get(), until)) {
			if (simgpu_fw_deactivate(queue)) {
				while (!kthread_should_stop() &&
				       !atomic_read(&queue->kicked))
					simgpu_fw_sleep(queue, NULL);
			}
			idle_since = ktime_get();
			continue;
		}

		switch (queue->policy) {
		case SIMGPU_USERQ_FW_BUSY:
			cond_resched();
			cpu_relax();
			break;
		case SIMGPU_USERQ_FW_POLL:
			until = min(until, ktime_add_us(ktime_get(),
							queue->poll_interval_us));
			simgpu_fw_sleep(queue, &until);
			break;
		default:
			simgpu_fw_sleep(queue, &until);
			break;
		}
	}
	return 0;
}

/* --- mmap --------------------------------------------------------------- */

static u64 simgpu_userq_mmap_base(u32 id)
{
	return SIMGPU_USERQ_MMAP_OFFSET + ((u64)id << SIMGPU_USERQ_WINDOW_SHIFT);
}

/*
 * mmap() of an offset at or above SIMGPU_USERQ_MMAP_OFFSET: one whole
 * region (ring, I/O page or doorbell) of a queue of this file, shared. The
 * pages are inserted up front; each mapping holds page references, so an
 * mmap outlives USERQ_DESTROY harmlessly until munmap.
 */
int simgpu_userq_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct drm_file *file = filp->private_data;
	struct simgpu_file *sfile = file->driver_priv;
	u64 offset = (u64)vma->vm_pgoff << PAGE_SHIFT;
	unsigned long size = vma->vm_end - vma->vm_start;
	u32 id = (offset - SIMGPU_USERQ_MMAP_OFFSET) >> SIMGPU_USERQ_WINDOW_SHIFT;
	struct simgpu_userq *queue;
	u32 first, count, i;
	u64 region;
	int ret = 0;

	if (!(vma->vm_flags & VM_SHARED) || (vma->vm_flags & VM_EXEC))
		return -EINVAL;

	queue = simgpu_userq_get(sfile, id);
	if (!queue)
		return -EINVAL;

	region = offset - simgpu_userq_mmap_base(id);
	if (region == 0) {
		first = 0;
		count = queue->ring_pages;
	} else if (region == SIMGPU_USERQ_IO_OFFSET) {
		first = queue->ring_pages;
		count = 1;
	} else if (region == SIMGPU_USERQ_DOORBELL_OFFSET) {
		first = queue->ring_pages + 1;
		count = 1;
	} else {
		ret = -EINVAL;
		goto out_put;
	}
	if (size != (unsigned long)count << PAGE_SHIFT) {
		ret = -EINVAL;
		goto out_put;
	}

	simgpu_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP, VM_MAYEXEC);
	for (i = 0; i < count && !ret; i++)
		ret = vm_insert_page(vma, vma->vm_start + i * PAGE_SIZE,
				     queue->pages[first + i]);
out_put:
	simgpu_userq_put(queue);
	return ret;
}

/* --- ioctls ------------------------------------------------------------- */

static int simgpu_userq_alloc_pages(struct simgpu_userq *queue)
{
	u32 i, n = queue->ring_pages + 2;

	queue->pages = kvcalloc(n, sizeof(*queue->pages), GFP_KERNEL_ACCOUNT);
	if (!queue->pages)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		/* Up to 1 MiB per queue: charged to the caller's cgroup. */
		queue->pages[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!queue->pages[i])
			return -ENOMEM;
	}
	queue->ring = vmap(queue->pages, queue->ring_pages, VM_MAP, PAGE_KERNEL);
	if (!queue->ring)
		return -ENOMEM;
	queue->io = page_address(queue->pages[queue->ring_pages]);
	queue->doorbell = page_address(queue->pages[queue->ring_pages + 1]);
	return 0;
}

/*
 * DRM_IOCTL_SIMGPU_USERQ_CREATE: create a user queue with its ring, I/O and
 * doorbell pages and its firmware thread, and return their mmap offsets.
 *
 * -EINVAL: unknown flags, non-zero pad, bad engine, ring_size, fw_policy
 *          or poll_interval_us; an eventfd without the flag; a sync BO
 *          that is imported
 * -ENOENT: no such sync BO handle
 * -EBADF, -EINVAL: with SIMGPU_USERQ_CREATE_EVENTFD, @eventfd is not an
 *                 eventfd
 * -EBUSY: the file has dev_info.userq_max_queues user queues, or the device
 *         userq_max_total
 * -E2BIG: the sync BO is larger than SIMGPU_USERQ_MAX_SYNC_BO_SIZE (1 MiB)
 * -ENOMEM
 */
int simgpu_ioctl_userq_create(struct drm_device *dev, void *data,
			      struct drm_file *file)
{
	struct simgpu_device *sdev = to_simgpu_device(dev);
	struct simgpu_file *sfile = file->driver_priv;
	struct drm_simgpu_userq_create *args = data;
	struct drm_gem_object *obj;
	struct simgpu_userq *queue;
	struct task_struct *fw;
	u32 policy, id;
	int ret;

	if (args->flags & ~SIMGPU_USERQ_CREATE_FLAGS || args->pad)
		return -EINVAL;
	if (args->engine >= sdev->engine_count ||
	    args->ring_size < SZ_4K ||
	    args->ring_size > SIMGPU_USERQ_MAX_RING_SIZE ||
	    !is_power_of_2(args->ring_size) ||
	    args->fw_policy > SIMGPU_USERQ_FW_SLEEP)
		return -EINVAL;
	policy = args->fw_policy ?: simgpu_params.userq_fw_policy;
	if (args->poll_interval_us &&
	    (policy != SIMGPU_USERQ_FW_POLL ||
	     args->poll_interval_us > SIMGPU_USERQ_MAX_POLL_US))
		return -EINVAL;
	if (!(args->flags & SIMGPU_USERQ_CREATE_EVENTFD) && args->eventfd)
		return -EINVAL;

	queue = kzalloc(sizeof(*queue), GFP_KERNEL);
	if (!queue)
		return -ENOMEM;
	kref_init(&queue->ref);
	spin_lock_init(&queue->lock);
	INIT_LIST_HEAD(&queue->from_bridges);
	INIT_LIST_HEAD(&queue->sbo_link);
	atomic_set(&queue->kicked, 0);
	atomic64_set(&queue->fence_seqno, 0);
	INIT_DELAYED_WORK(&queue->stall_work, simgpu_userq_stall_work);
	queue->sdev = sdev;
	queue->engine = args->engine;
	queue->ring_size = args->ring_size;
	queue->ring_pages = args->ring_size >> PAGE_SHIFT;
	queue->policy = policy;
	queue->poll_interval_us = policy != SIMGPU_USERQ_FW_POLL ? 0 :
				  args->poll_interval_us ?:
				  simgpu_params.userq_poll_interval_us;
	queue->idle_timeout_us = args->idle_timeout_us ?:
				 simgpu_params.userq_idle_timeout_us;
	queue->fence_context = dma_fence_context_alloc(1);

	obj = drm_gem_object_lookup(file, args->sync_handle);
	if (!obj) {
		kfree(queue);
		return -ENOENT;
	}
	/* An imported BO has no shmem pages of ours to hold. */
	if (!obj->filp) {
		drm_gem_object_put(obj);
		kfree(queue);
		return -EINVAL;
	}
	queue->sbo = simgpu_sync_bo_get(sdev, obj);
	drm_gem_object_put(obj);
	if (IS_ERR(queue->sbo)) {
		ret = PTR_ERR(queue->sbo);
		kfree(queue);
		return ret;
	}
	/* From here on the release function undoes everything. */
	queue->counted = true;
	if (atomic_inc_return(&sdev->userqs_live) >
	    READ_ONCE(simgpu_userq_max_total)) {
		ret = -EBUSY;
		goto err_put;
	}

	ret = simgpu_records_init(&queue->records, SIMGPU_USERQ_RECORD_RING_SIZE,
				  struct drm_simgpu_userq_job_record, seqno);
	if (!ret)
		ret = simgpu_userq_alloc_pages(queue);
	if (ret)
		goto err_put;

	if (args->flags & SIMGPU_USERQ_CREATE_EVENTFD) {
		queue->eventfd = eventfd_ctx_fdget(args->eventfd);
		if (IS_ERR(queue->eventfd)) {
			ret = PTR_ERR(queue->eventfd);
			queue->eventfd = NULL;
			goto err_put;
		}
	}

	ret = xa_alloc(&sfile->userqs, &id, NULL,
		       XA_LIMIT(1, SIMGPU_USERQ_MAX_QUEUES), GFP_KERNEL);
	if (ret)
		goto err_put;
	queue->id = id;

	fw = kthread_create(simgpu_fw_thread, queue, "simgpu-uq%u-%u",
			    args->engine, id);
	if (IS_ERR(fw)) {
		ret = PTR_ERR(fw);
		goto err_erase;
	}
	get_task_struct(fw);
	queue->fw = fw;

	spin_lock(&queue->sbo->lock);
	list_add_tail(&queue->sbo_link, &queue->sbo->queues);
	spin_unlock(&queue->sbo->lock);

	/*
	 * Started before it is published: once USERQ_DESTROY can find the
	 * queue, it may stop the thread and drop the queue's task reference.
	 */
	wake_up_process(fw);
	xa_store(&sfile->userqs, id, queue, GFP_KERNEL);

	args->queue_id = id;
	args->ring_mmap_offset = simgpu_userq_mmap_base(id);
	args->io_mmap_offset = args->ring_mmap_offset + SIMGPU_USERQ_IO_OFFSET;
	args->doorbell_mmap_offset = args->ring_mmap_offset +
				     SIMGPU_USERQ_DOORBELL_OFFSET;
	return 0;

err_erase:
	xa_erase(&sfile->userqs, id);
err_put:
	simgpu_userq_put(queue);
	return ret;
}

/* The queue is already out of the file's xarray. */
static void simgpu_userq_destroy(struct simgpu_userq *queue)
{
	struct simgpu_from_bridge *fb, *next;
	LIST_HEAD(removed);

	spin_lock(&queue->lock);
	queue->dead = true;
	spin_unlock(&queue->lock);

	spin_lock(&queue->sbo->lock);
	list_del_init(&queue->sbo_link);
	spin_unlock(&queue->sbo->lock);

	/* The firmware drops the job it is on and takes no more. */
	kthread_stop(queue->fw);
	cancel_delayed_work_sync(&queue->stall_work);
	simgpu_userq_fail_bridges(queue, -ECANCELED);

	/* A callback that already ran has queued its work: it sees @dead. */
	spin_lock(&queue->lock);
	list_for_each_entry_safe(fb, next, &queue->from_bridges, link)
		if (dma_fence_remove_callback(fb->fence, &fb->cb))
			list_move(&fb->link, &removed);
	spin_unlock(&queue->lock);
	list_for_each_entry_safe(fb, next, &removed, link) {
		dma_fence_put(fb->fence);
		kfree(fb);
		simgpu_userq_put(queue);
	}

	wake_up_all(&queue->sbo->wq);
	simgpu_userq_put(queue);
}

void simgpu_userqs_destroy(struct simgpu_file *sfile)
{
	struct simgpu_userq *queue;
	unsigned long id;

	xa_for_each(&sfile->userqs, id, queue) {
		xa_erase(&sfile->userqs, id);
		simgpu_userq_destroy(queue);
	}
	xa_destroy(&sfile->userqs);
}

/*
 * DRM_IOCTL_SIMGPU_USERQ_DESTROY: stop the queue's firmware, drop the jobs
 * not run, signal its bridges with -ECANCELED and wake its waiters (-EIO).
 * Mappings stay valid (and useless) until munmap.
 *
 * -EINVAL: non-zero pad
 * -ENOENT: no such queue
 */
int simgpu_ioctl_userq_destroy(struct drm_device *dev, void *data,
			       struct drm_file *file)
{
	struct simgpu_file *sfile = file->driver_priv;
	struct drm_simgpu_userq_destroy *args = data;
	struct simgpu_userq *queue;

	if (args->pad)
		return -EINVAL;

	/* A NULL entry is a queue being created: not ours to erase. */
	xa_lock(&sfile->userqs);
	queue = xa_load(&sfile->userqs, args->queue_id);
	if (queue)
		__xa_erase(&sfile->userqs, args->queue_id);
	xa_unlock(&sfile->userqs);
	if (!queue)
		return -ENOENT;

	simgpu_userq_destroy(queue);
	return 0;
}

/*
 * DRM_IOCTL_SIMGPU_USERQ_KICK: make an INACTIVE queue ACTIVE and wake its
 * firmware (the doorbell of FW_SLEEP queues).
 *
 * -EINVAL: non-zero flags
 * -ENOENT: no such queue
 * -EIO: the queue is FAULTY
 */
int simgpu_ioctl_userq_kick(struct drm_device *dev, void *data,
			    struct drm_file *file)
{
	struct simgpu_file *sfile = file->driver_priv;
	struct drm_simgpu_userq_kick *args = data;
	struct simgpu_userq *queue;
	int ret = 0;

	if (args->flags)
		return -EINVAL;

	queue = simgpu_userq_get(sfile, args->queue_id);
	if (!queue)
		return -ENOENT;

	simgpu_inject_delay(SIMGPU_INJECT_FW_KICK);

	spin_lock(&queue->lock);
	queue->kicks++;
	if (queue->state == SIMGPU_USERQ_STATE_FAULTY) {
		ret = -EIO;
	} else {
		if (queue->state == SIMGPU_USERQ_STATE_INACTIVE)
			simgpu_userq_set_state(queue, SIMGPU_USERQ_STATE_ACTIVE);
		atomic_set(&queue->kicked, 1);
	}
	spin_unlock(&queue->lock);

	if (!ret)
		wake_up_process(queue->fw);
	simgpu_userq_put(queue);
	return ret;
}

static bool simgpu_userq_wait_done(struct simgpu_userq *queue,
				   const struct drm_simgpu_userq_wait *args)
{
	return simgpu_sync_read(queue->sbo, args->offset) >= args->value ||
	       simgpu_userq_stopped(queue);
}

/*
 * DRM_IOCTL_SIMGPU_USERQ_WAIT: sleep until sync object @offset reaches
 * @value, the absolute CLOCK_MONOTONIC @deadline_ns passes, or the queue
 * faults or is destroyed.
 *
 * -EINVAL: non-zero flags, offset unaligned or outside the sync BO
 * -ENOENT: no such queue
 * -ETIME: the deadline passed (or was 0) and the value was not reached
 * -EIO: the queue is FAULTY or was destroyed and the value was not reached
 * -ERESTARTSYS: a signal (the ioctl is restarted)
 */
int simgpu_ioctl_userq_wait(struct drm_device *dev, void *data,
			    struct drm_file *file)
{
	struct simgpu_file *sfile = file->driver_priv;
	struct drm_simgpu_userq_wait *args = data;
	struct simgpu_userq *queue;
	struct simgpu_sync_bo *sbo;
	s64 left, now;
	int ret = 0;

	if (args->flags)
		return -EINVAL;

	queue = simgpu_userq_get(sfile, args->queue_id);
	if (!queue)
		return -ENOENT;
	sbo = queue->sbo;
	if (!simgpu_sync_offset_ok(sbo, args->offset)) {
		ret = -EINVAL;
		goto out_put;
	}

	/* Compared first: the difference of any two s64 may overflow. */
	now = ktime_get_ns();
	left = args->deadline_ns > now ? args->deadline_ns - now : 0;
	if (!simgpu_userq_wait_done(queue, args) && left > 0)
		ret = wait_event_interruptible_hrtimeout(sbo->wq,
							 simgpu_userq_wait_done(queue, args),
							 ns_to_ktime(left));

	args->current_value = simgpu_sync_read(sbo, args->offset);
	if (args->current_value >= args->value)
		ret = 0;
	else if (ret != -ERESTARTSYS)
		ret = simgpu_userq_stopped(queue) ? -EIO : -ETIME;
out_put:
	simgpu_userq_put(queue);
	return ret;
}

/*
 * DRM_IOCTL_SIMGPU_USERQ_QUERY: the queue's state, fault, counters and
 * firmware parameters, and optionally job records.
 *
 * -EINVAL: non-zero flags; with record_count: record_size not the
 *          record's, first_seqno 0, records 0
 * -E2BIG: record_count above dev_info.userq_record_ring_size
 * -ENOENT: no such queue, or a seqno the firmware has not taken yet
 * -ENODATA: a seqno whose record newer jobs overwrote
 * -EFAULT, -ENOMEM
 */
int simgpu_ioctl_userq_query(struct drm_device *dev, void *data,
			     struct drm_file *file)
{
	struct simgpu_file *sfile = file->driver_priv;
	struct drm_simgpu_userq_query *args = data;
	struct drm_simgpu_userq_job_record *recs = NULL;
	struct simgpu_userq *queue;
	u32 i, n = args->record_count;
	int ret = 0;

	if (args->flags)
		return -EINVAL;
	if (n && (args->record_size != sizeof(*recs) || !args->first_seqno ||
		  !args->records))
		return -EINVAL;
	if (n > SIMGPU_USERQ_RECORD_RING_SIZE)
		return -E2BIG;

	queue = simgpu_userq_get(sfile, args->queue_id);
	if (!queue)
		return -ENOENT;

	if (n) {
		recs = kvmalloc_array(n, sizeof(*recs), GFP_KERNEL);
		if (!recs) {
			ret = -ENOMEM;
			goto out_put;
		}
	}

	spin_lock(&queue->lock);
	args->state = queue->state;
	args->fault = queue->fault;
	args->fault_seqno = queue->fault_seqno;
	args->fault_value = queue->fault_value;
	args->seen_seqno = queue->seen_seqno;
	args->completed_seqno = queue->completed_seqno;
	args->doorbells = queue->doorbells;
	args->kicks = queue->kicks;
	args->deactivations = queue->deactivations;
	args->fw_wakeups = queue->fw_wakeups;
	for (i = 0; i < n; i++) {
		const struct drm_simgpu_userq_job_record *rec =
			simgpu_records_find(&queue->records,
					    args->first_seqno + i,
					    queue->seen_seqno,
					    struct drm_simgpu_userq_job_record, seqno);

		if (IS_ERR(rec)) {
			ret = PTR_ERR(rec);
			break;
		}
		recs[i] = *rec;
	}
	spin_unlock(&queue->lock);

	args->fw_tid = task_pid_vnr(queue->fw);
	args->fw_policy = queue->policy;
	args->poll_interval_us = queue->poll_interval_us;
	args->idle_timeout_us = queue->idle_timeout_us;
	args->engine = queue->engine;
	args->ring_size = queue->ring_size;

	if (!ret && n && copy_to_user(u64_to_user_ptr(args->records), recs,
				      array_size(n, sizeof(*recs))))
		ret = -EFAULT;
	kvfree(recs);
out_put:
	simgpu_userq_put(queue);
	return ret;
}

/*
 * The liveness backstop of TO_SYNCOBJ bridges: a bridge whose value is not
 * reached within userq_stall_timeout_ms faults its queue (STALLED), which
 * signals every bridge of the queue with an error. A value reached in time
 * signals the fence without this work ever deciding anything.
 */
static void simgpu_userq_stall_work(struct work_struct *work)
{
	struct simgpu_userq *queue =
		container_of(to_delayed_work(work), struct simgpu_userq,
			     stall_work);
	struct simgpu_sync_bo *sbo = queue->sbo;
	u64 now = ktime_get_ns(), next = U64_MAX, offset = 0;
	struct simgpu_to_bridge *b;
	bool stalled = false;

	spin_lock(&sbo->lock);
	list_for_each_entry(b, &sbo->bridges, link) {
		if (b->queue != queue)
			continue;
		if (b->deadline_ns <= now) {
			stalled = true;
			offset = b->offset;
			break;
		}
		next = min(next, b->deadline_ns);
	}
	spin_unlock(&sbo->lock);

	if (stalled)
		simgpu_userq_fault(queue, SIMGPU_USERQ_FAULT_STALLED, 0, offset);
	else if (next != U64_MAX && !READ_ONCE(queue->dead))
		queue_delayed_work(queue->sdev->userq_wq, &queue->stall_work,
				   nsecs_to_jiffies(next - now) + 1);
}

static int simgpu_bridge_to(struct simgpu_userq *queue, struct drm_file *file,
			    const struct drm_simgpu_userq_bridge *args)
{
	struct simgpu_sync_bo *sbo = queue->sbo;
	struct dma_fence_chain *chain = NULL;
	struct simgpu_bridge_fence *fence;
	struct drm_syncobj *syncobj;
	struct simgpu_to_bridge *b;
	unsigned long delay;
	int ret;

	/* A failed call leaves the syncobj alone. */
	if (simgpu_userq_stopped(queue))
		return -EIO;
	syncobj = drm_syncobj_find(file, args->handle);
	if (!syncobj)
		return -ENOENT;

	ret = -ENOMEM;
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	fence = kzalloc(sizeof(*fence), GFP_KERNEL);
	if (!b || !fence)
		goto err_free;
	if (args->flags & SIMGPU_SYNC_TIMELINE) {
		chain = dma_fence_chain_alloc();
		if (!chain)
			goto err_free;
	}

	spin_lock_init(&fence->lock);
	simgpu_fence_module_get();
	dma_fence_init(&fence->base, &simgpu_bridge_fence_ops, &fence->lock,
		       queue->fence_context,
		       atomic64_inc_return(&queue->fence_seqno));
	b->queue = queue;
	b->fence = fence;
	b->offset = args->offset;
	b->value = args->value;
	b->deadline_ns = ktime_get_ns() + simgpu_userq_stall_ns();

	/* Published first, so a SUBMIT after the ioctl depends on it. */
	if (chain)
		drm_syncobj_add_point(syncobj, chain, &fence->base, args->point);
	else
		drm_syncobj_replace_fence(syncobj, &fence->base);
	drm_syncobj_put(syncobj);

	spin_lock(&queue->lock);
	if (queue->state == SIMGPU_USERQ_STATE_FAULTY || queue->dead) {
		ret = queue->dead ? -ECANCELED : -EIO;
		spin_unlock(&queue->lock);
		/* Faulted since the check: the bridge fails like the others. */
		dma_fence_set_error(&fence->base, ret);
		dma_fence_signal(&fence->base);
		dma_fence_put(&fence->base);
		kfree(b);
		return 0;
	}
	/* Under both locks: a fault after this finds the bridge. */
	spin_lock(&sbo->lock);
	list_add_tail(&b->link, &sbo->bridges);
	spin_unlock(&sbo->lock);
	/*
	 * Under the lock: destroy sets @dead, then cancels the work. Earlier
	 * than a pending check only if the stall timeout was lowered since.
	 */
	delay = nsecs_to_jiffies(simgpu_userq_stall_ns()) + 1;
	if (!delayed_work_pending(&queue->stall_work) ||
	    time_before(jiffies + delay, queue->stall_work.timer.expires))
		mod_delayed_work(queue->sdev->userq_wq, &queue->stall_work,
				 delay);
	spin_unlock(&queue->lock);

	/* The value may already be there. */
	simgpu_sync_bo_written(sbo);
	return 0;

err_free:
	dma_fence_chain_free(chain);
	kfree(fence);
	kfree(b);
	drm_syncobj_put(syncobj);
	return ret;
}

static void simgpu_from_bridge_work(struct work_struct *work)
{
	struct simgpu_from_bridge *fb =
		container_of(work, struct simgpu_from_bridge, work);
	struct simgpu_userq *queue = fb->queue;
	struct simgpu_sync_bo *sbo = queue->sbo;
	int error = fb->fence->error;
	u64 *sync = &sbo->map[fb->offset / sizeof(u64)];
	bool dead;

	spin_lock(&queue->lock);
	list_del(&fb->link);
	dead = queue->dead;
	spin_unlock(&queue->lock);

	if (dead) {
		/* Nothing: the queue and its waiters are gone. */
	} else if (error) {
		simgpu_userq_fault(queue, SIMGPU_USERQ_FAULT_BRIDGE_ERROR, 0,
				   (u64)(s64)error);
	} else {
		/* Forward only; the CPU may have moved it further already. */
		if (simgpu_sync_read(sbo, fb->offset) < fb->value) {
			/* Release: the kernel work before is visible first. */
			smp_store_release(sync, fb->value);
		}
		simgpu_sync_bo_written(sbo);
	}

	dma_fence_put(fb->fence);
	kfree(fb);
	simgpu_userq_put(queue);
}

/* Fence signalling context, maybe hard irq: defer to process context. */
static void simgpu_from_bridge_cb(struct dma_fence *fence,
				  struct dma_fence_cb *cb)
{
	struct simgpu_from_bridge *fb =
		container_of(cb, struct simgpu_from_bridge, cb);

	queue_work(fb->queue->sdev->userq_wq, &fb->work);
}

static int simgpu_bridge_from(struct simgpu_userq *queue,
			      struct drm_file *file,
			      const struct drm_simgpu_userq_bridge *args)
{
	struct simgpu_from_bridge *fb;
	struct dma_fence *fence;
	int ret;

	/* No handle, or no fence (yet) at that point: nothing to wait for. */
	if (drm_syncobj_find_fence(file, args->handle, args->point, 0, &fence))
		return -ENOENT;

	fb = kzalloc(sizeof(*fb), GFP_KERNEL);
	if (!fb) {
		dma_fence_put(fence);
		return -ENOMEM;
	}
	INIT_WORK(&fb->work, simgpu_from_bridge_work);
	fb->fence = fence;
	fb->offset = args->offset;
	fb->value = args->value;
	fb->queue = queue;
	kref_get(&queue->ref);

	spin_lock(&queue->lock);
	if (queue->state == SIMGPU_USERQ_STATE_FAULTY || queue->dead) {
		spin_unlock(&queue->lock);
		ret = -EIO;
		goto err_free;
	}
	list_add_tail(&fb->link, &queue->from_bridges);
	ret = dma_fence_add_callback(fence, &fb->cb, simgpu_from_bridge_cb);
	spin_unlock(&queue->lock);
	/* -ENOENT: signalled already; write the value now all the same. */
	if (ret)
		queue_work(queue->sdev->userq_wq, &fb->work);
	return 0;

err_free:
	simgpu_userq_put(queue);
	dma_fence_put(fence);
	kfree(fb);
	return ret;
}

/*
 * DRM_IOCTL_SIMGPU_USERQ_BRIDGE: tie sync object @offset to DRM syncobj
 * @handle. TO_SYNCOBJ installs a fence in the syncobj (timeline: at
 * @point) now, signalled when the object reaches @value, or with -EIO when
 * the queue faults (a stall included) and -ECANCELED when it is destroyed.
 * FROM_SYNCOBJ writes @value once the syncobj's fence signals; a fence
 * error faults the queue (BRIDGE_ERROR).
 *
 * -EINVAL: unknown op or flags; point without TIMELINE or 0 with it;
 *          offset unaligned or outside the sync BO
 * -ENOENT: no such queue or syncobj; FROM: no fence at the point
 * -EIO: the queue is FAULTY
 * -ENOMEM
 */
int simgpu_ioctl_userq_bridge(struct drm_device *dev, void *data,
			      struct drm_file *file)
{
	struct simgpu_file *sfile = file->driver_priv;
	struct drm_simgpu_userq_bridge *args = data;
	bool timeline = args->flags & SIMGPU_SYNC_TIMELINE;
	struct simgpu_userq *queue;
	int ret;

	if (args->flags & ~SIMGPU_SYNC_TIMELINE ||
	    args->op > SIMGPU_USERQ_BRIDGE_FROM_SYNCOBJ ||
	    timeline != !!args->point)
		return -EINVAL;

	queue = simgpu_userq_get(sfile, args->queue_id);
	if (!queue)
		return -ENOENT;

	if (!simgpu_sync_offset_ok(queue->sbo, args->offset))
		ret = -EINVAL;
	else if (args->op == SIMGPU_USERQ_BRIDGE_TO_SYNCOBJ)
		ret = simgpu_bridge_to(queue, file, args);
	else
		ret = simgpu_bridge_from(queue, file, args);

	simgpu_userq_put(queue);
	return ret;
}

/*
 * DRM_IOCTL_SIMGPU_USERQ_SYNC_UPDATE: the CPU wrote sync objects of the
 * queue's sync BO: wake waiters and blocked firmware, check the bridges.
 *
 * -EINVAL: non-zero flags
 * -ENOENT: no such queue
 */
int simgpu_ioctl_userq_sync_update(struct drm_device *dev, void *data,
				   struct drm_file *file)
{
	struct simgpu_file *sfile = file->driver_priv;
	struct drm_simgpu_userq_sync_update *args = data;
	struct simgpu_userq *queue;

	if (args->flags)
		return -EINVAL;

	queue = simgpu_userq_get(sfile, args->queue_id);
	if (!queue)
		return -ENOENT;

	simgpu_sync_bo_written(queue->sbo);
	simgpu_userq_put(queue);
	return 0;
}

int simgpu_userq_init(struct simgpu_device *sdev)
{
	mutex_init(&sdev->userq_lock);
	INIT_LIST_HEAD(&sdev->userq_sync_bos);
	/* Bridge fences signal from it: it must progress under reclaim. */
	sdev->userq_wq = alloc_workqueue("simgpu-userq",
					 WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	return sdev->userq_wq ? 0 : -ENOMEM;
}

/* No file is open: only bridge work items may still be queued. */
void simgpu_userq_fini(struct simgpu_device *sdev)
{
	destroy_workqueue(sdev->userq_wq);
	mutex_destroy(&sdev->userq_lock);
}
