// SPDX-License-Identifier: GPL-2.0
/*
 * simgpu engines and the DRM GPU schedulers feeding them.
 *
 * An engine is the "hardware": it runs the jobs run_job hands it one after
 * another, each for its duration, and signals their hardware fences from an
 * hrtimer, in hard-irq context the way an interrupt handler would (the
 * drm_sched KUnit mock scheduler's design; PREEMPT_RT kernels run it in
 * softirq, since the fence locks are not raw spinlocks). A job of duration
 * 0 handed to an idle engine completes inside run_job.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "simgpu_drv.h"

static const char *simgpu_fence_get_driver_name(struct dma_fence *fence)
{
	return "simgpu";
}

/*
 * A static name: a sync_file may keep the fence past the device's lifetime,
 * so the name must not live in the device.
 */
static const char *simgpu_fence_get_timeline_name(struct dma_fence *fence)
{
	return "simgpu-engine";
}

static void simgpu_sched_fini_work(struct work_struct *work);

static void simgpu_sched_release(struct kref *ref)
{
	kfree(container_of(ref, struct simgpu_sched, ref));
}

/* Drop a reference to an own scheduler; the device's are not counted. */
void simgpu_sched_put(struct simgpu_sched *s)
{
	if (s && s->own)
		kref_put(&s->ref, simgpu_sched_release);
}

/*
 * Every fence simgpu implements pins the module from its allocation until
 * it is freed: a sync_file, syncobj or another driver may keep it after
 * every simgpu file is closed, and its ops, lock and scheduler live in the
 * module. The reference goes last, from an RCU callback: module exit waits
 * for those with rcu_barrier().
 */
void simgpu_fence_module_get(void)
{
	__module_get(THIS_MODULE);
}

void simgpu_fence_module_put(void)
{
	module_put(THIS_MODULE);
}

static void simgpu_hw_fence_free(struct simgpu_hw_fence *hw)
{
	simgpu_sched_put(hw->sched);
	kfree(hw);
	simgpu_fence_module_put();
}

static void simgpu_hw_fence_free_rcu(struct rcu_head *rcu)
{
	simgpu_hw_fence_free(container_of(rcu, struct simgpu_hw_fence,
					  base.rcu));
}

/*
 * Called when the scheduler fence holding us as parent is released. Its
 * memory goes after an RCU grace period: lockless readers of it (and of
 * the scheduler name it points to) may still be there.
 */
static void simgpu_hw_fence_release(struct dma_fence *fence)
{
	call_rcu(&fence->rcu, simgpu_hw_fence_free_rcu);
}

const struct dma_fence_ops simgpu_hw_fence_ops = {
	.get_driver_name = simgpu_fence_get_driver_name,
	.get_timeline_name = simgpu_fence_get_timeline_name,
	.release = simgpu_hw_fence_release,
};

/* In the ioctl, so that run_job (the fence signalling path) need not. */
struct simgpu_hw_fence *simgpu_hw_fence_alloc(struct simgpu_sched *sched)
{
	struct simgpu_hw_fence *hw = kzalloc(sizeof(*hw), GFP_KERNEL);

	if (!hw)
		return NULL;
	simgpu_fence_module_get();
	spin_lock_init(&hw->lock);
	if (sched && sched->own)
		kref_get(&sched->ref);
	hw->sched = sched;
	return hw;
}

/*
 * The job is being freed. A fence run_job initialised (@live) loses the
 * job's reference. A job that was armed but never ran (killed with its
 * entity) left its scheduler fence without a parent: @hw becomes that
 * parent, signalled, so it keeps the scheduler alive for as long as the
 * scheduler fence exists, as the parent of a job that ran does. Else @hw
 * was never seen by anyone.
 */
void simgpu_hw_fence_job_done(struct simgpu_hw_fence *hw, bool live,
			      struct drm_sched_fence *s_fence)
{
	if (!hw)
		return;
	if (live) {
		dma_fence_put(&hw->base);
		return;
	}
	if (!s_fence) {
		/* In the ioctl that failed: its open file pins the module. */
		simgpu_hw_fence_free(hw);
		return;
	}
	dma_fence_init(&hw->base, &simgpu_hw_fence_ops, &hw->lock,
		       dma_fence_context_alloc(1), 1);
	dma_fence_set_error(&hw->base, -ECANCELED);
	dma_fence_signal(&hw->base);
	/* Release: pairs with the acquire of drm_sched's deadline path. */
	if (cmpxchg_release(&s_fence->parent, NULL, &hw->base))
		dma_fence_put(&hw->base);
}

static struct drm_simgpu_job_record *
simgpu_record(struct simgpu_queue *queue, u64 seqno)
{
	lockdep_assert_held(&queue->state_lock);
	/* NULL when a newer job took the slot: this one's record was evicted. */
	return simgpu_records_lookup(&queue->records, seqno,
				     struct drm_simgpu_job_record, seqno);
}

static void simgpu_record_engine(struct simgpu_job *job, u64 run_ns,
				 u64 start_ns, u64 end_ns)
{
	struct simgpu_queue *queue = job->queue;
	struct drm_simgpu_job_record *rec;
	unsigned long flags;

	spin_lock_irqsave(&queue->state_lock, flags);
	rec = simgpu_record(queue, job->seqno);
	if (rec) {
		if (run_ns)
			rec->run_job_ns = run_ns;
		rec->engine_start_ns = start_ns;
		rec->engine_end_ns = end_ns;
		rec->status = SIMGPU_JOB_STATUS_RUNNING;
	}
	spin_unlock_irqrestore(&queue->state_lock, flags);
}

/*
 * Test-only delays, applied by the engine without spinning in its irq
 * context: completion is seen late (fence_signal), or the fence signal is
 * held back after completion was seen (syncobj_signal).
 */
static u64 simgpu_inject_ns(u32 path)
{
	if (unlikely(simgpu_params.inject_path == path))
		return simgpu_params.inject_delay_ns;
	return 0;
}

/* When the engine next has something to do for @job: see it done, or signal. */
static ktime_t simgpu_job_due(const struct simgpu_job *job)
{
	if (job->signal_ns)
		return ns_to_ktime(job->signal_ns +
				   simgpu_inject_ns(SIMGPU_INJECT_SYNCOBJ_SIGNAL));
	return ktime_add_ns(job->engine_end,
			    simgpu_inject_ns(SIMGPU_INJECT_FENCE_SIGNAL));
}

/* Called with the engine lock held: the job leaves the engine, signalled. */
static void simgpu_engine_complete(struct simgpu_job *job, int error)
{
	struct simgpu_queue *queue = job->queue;
	struct drm_simgpu_job_record *rec;

	list_del_init(&job->link);
	if (error) {
		dma_fence_set_error(&job->hw_fence->base, error);
		/* 6.1's scheduler does not pass the hw fence error on. */
		dma_fence_set_error(&job->base.s_fence->finished, error);
	}
	if (!job->signal_ns)
		job->signal_ns = ktime_get_ns();

	spin_lock(&queue->state_lock);
	rec = simgpu_record(queue, job->seqno);
	if (rec) {
		rec->signal_ns = job->signal_ns;
		simgpu_fdinfo_job_done(queue, rec->engine_start_ns, rec->engine_end_ns);
		rec->error = error;
		rec->status = SIMGPU_JOB_STATUS_DONE;
	}
	if (job->seqno > queue->last_signalled_seqno)
		queue->last_signalled_seqno = job->seqno;
	spin_unlock(&queue->state_lock);

	dma_fence_signal_locked(&job->hw_fence->base);
}

/* The next engine event: the head's signal, or the next job's completion. */
static ktime_t simgpu_engine_next(struct simgpu_engine *engine)
{
	struct simgpu_job *job;
	ktime_t next = KTIME_MAX;

	lockdep_assert_held(&engine->lock);
	list_for_each_entry(job, &engine->active, link) {
		next = min(next, simgpu_job_due(job));
		if (!job->signal_ns)
			break;
	}
	return next;
}

static void simgpu_engine_arm(struct simgpu_engine *engine)
{
	ktime_t next = simgpu_engine_next(engine);

	if (next != KTIME_MAX)
		hrtimer_start(&engine->timer, next, HRTIMER_MODE_ABS);
}

/*
 * After jobs left the engine early (timeout, cancel): a job that was waiting
 * behind them starts now instead of at their planned end, and the ones after
 * it follow on. A job already running keeps its times.
 */
static void simgpu_engine_restart(struct simgpu_engine *engine)
{
	ktime_t now = ktime_get(), prev_end = 0;
	struct simgpu_job *job;

	lockdep_assert_held(&engine->lock);
	list_for_each_entry(job, &engine->active, link) {
		ktime_t start = ktime_sub_ns(job->engine_end, job->duration_ns);
		ktime_t new_start = prev_end ?: min(start, now);

		if (new_start != start) {
			job->engine_end = ktime_add_ns(new_start, job->duration_ns);
			simgpu_record_engine(job, 0, ktime_to_ns(new_start),
					     ktime_to_ns(job->engine_end));
		}
		prev_end = job->engine_end;
	}
	simgpu_engine_arm(engine);
}

/*
 * The engine's "interrupt": note the completion of every job whose time is
 * up and signal, in order, those whose signal is not held back.
 */
static enum hrtimer_restart simgpu_engine_timer(struct hrtimer *timer)
{
	struct simgpu_engine *engine =
		container_of(timer, struct simgpu_engine, timer);
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	struct simgpu_job *job, *next;
	unsigned long flags;
	bool held = false;
	ktime_t now;

	spin_lock_irqsave(&engine->lock, flags);
	now = ktime_get();
	list_for_each_entry_safe(job, next, &engine->active, link) {
		if (ktime_after(simgpu_job_due(job), now)) {
			if (!job->signal_ns)
				break;
			/* Fences of one engine signal in order. */
			held = true;
			continue;
		}
		if (!job->signal_ns) {
			job->signal_ns = ktime_get_ns();
			now = ns_to_ktime(job->signal_ns);
			if (ktime_after(simgpu_job_due(job), now))
				held = true;
		}
		if (!held)
			simgpu_engine_complete(job, 0);
	}
	now = simgpu_engine_next(engine);
	if (now != KTIME_MAX) {
		hrtimer_set_expires(timer, now);
		ret = HRTIMER_RESTART;
	}
	spin_unlock_irqrestore(&engine->lock, flags);

	return ret;
}

static struct dma_fence *simgpu_run_job(struct drm_sched_job *sched_job)
{
	struct simgpu_job *job = to_simgpu_job(sched_job);
	struct simgpu_engine *engine = job->sched->engine;
	struct simgpu_queue *queue = job->queue;
	struct dma_fence *fence = &job->hw_fence->base;
	u64 run_ns = ktime_get_ns();
	struct simgpu_job *last;
	unsigned long flags;
	ktime_t start;
	int error;

	simgpu_inject_delay(SIMGPU_INJECT_RUN_JOB);

	spin_lock_irqsave(&engine->lock, flags);
	dma_fence_init(fence, &simgpu_hw_fence_ops, &engine->lock,
		       engine->fence_context, ++engine->fence_seqno);
	/* One reference is the job's, the returned one the scheduler's. */
	dma_fence_get(fence);
	job->hw_fence_live = true;

	/*
	 * Jobs of a timed-out or destroyed queue, and jobs the scheduler gave
	 * an error (killed entity), do not use the engine.
	 */
	spin_lock(&queue->state_lock);
	error = queue->destroyed ? -ECANCELED : queue->error;
	spin_unlock(&queue->state_lock);
	if (!error)
		error = sched_job->s_fence->finished.error;

	start = ktime_get();
	last = list_empty(&engine->active) ? NULL :
	       list_last_entry(&engine->active, struct simgpu_job, link);
	if (last && ktime_before(start, last->engine_end))
		start = last->engine_end;
	job->engine_end = ktime_add_ns(start, error ? 0 : job->duration_ns);

	if (error) {
		simgpu_record_engine(job, run_ns, 0, 0);
		simgpu_engine_complete(job, error == -ETIMEDOUT ? -ECANCELED : error);
	} else {
		simgpu_record_engine(job, run_ns, ktime_to_ns(start),
				     ktime_to_ns(job->engine_end));
		list_add_tail(&job->link, &engine->active);
		if (!last && !job->duration_ns &&
		    !simgpu_inject_ns(SIMGPU_INJECT_FENCE_SIGNAL) &&
		    !simgpu_inject_ns(SIMGPU_INJECT_SYNCOBJ_SIGNAL))
			simgpu_engine_complete(job, 0);
		else if (!last || last->signal_ns)
			/* It is the next job to complete: its time may come first. */
			simgpu_engine_arm(engine);
	}
	spin_unlock_irqrestore(&engine->lock, flags);

	return fence;
}

static void simgpu_queue_mark_timedout(struct simgpu_queue *queue, u64 seqno)
{
	unsigned long flags;

	spin_lock_irqsave(&queue->state_lock, flags);
	if (queue->state == SIMGPU_QUEUE_STATE_ACTIVE) {
		queue->state = SIMGPU_QUEUE_STATE_TIMEDOUT;
		queue->error = -ETIMEDOUT;
		queue->guilty_seqno = seqno;
	}
	spin_unlock_irqrestore(&queue->state_lock, flags);
}

/*
 * Has @job occupied the engine for its scheduler's whole timeout? Its clock
 * starts when run_job hands it over, but the engine runs the jobs of every
 * scheduler in front of it one after another: a job waiting behind another
 * queue's long job has not run at all, and blaming it would fault a queue
 * for another's work.
 */
static bool simgpu_job_hung(const struct simgpu_job *job)
{
	ktime_t start = ktime_sub_ns(job->engine_end, job->duration_ns);

	return ktime_to_ns(ktime_sub(ktime_get(), start)) >=
	       (s64)job->sched->timeout_ns;
}

/*
 * The scheduler took the job off its pending list before calling us and will
 * not free it. It arms the timeout before run_job, so first wait for the
 * run_job step to be over: after that the job is on the engine or done, and
 * nothing but us still uses it. If it has not yet run on the engine for a
 * whole timeout (it waited behind other queues' jobs), it is no hang: it
 * goes back to the scheduler with a new timeout. If it has, "reset" the
 * engine without it, fail its fence and put its queue in the timed-out
 * state (QUEUE_QUERY reports it, SUBMIT refuses it, its jobs on the engine
 * are cancelled now, its queued ones in run_job). A hung or finished job is
 * freed here.
 */
static enum drm_gpu_sched_stat simgpu_timedout_job(struct drm_sched_job *sched_job)
{
	struct simgpu_job *job = to_simgpu_job(sched_job);
	struct drm_gpu_scheduler *sched = sched_job->sched;
	struct simgpu_engine *engine = job->sched->engine;
	struct simgpu_job *other, *next;
	enum drm_gpu_sched_stat stat;
	unsigned long flags;
	bool waiting = false;

	simgpu_sched_pause(sched);

	spin_lock_irqsave(&engine->lock, flags);
	if (job->hw_fence_live &&
	    !dma_fence_is_signaled_locked(&job->hw_fence->base) &&
	    !simgpu_job_hung(job)) {
		waiting = true;
	} else if (job->hw_fence_live &&
		   !dma_fence_is_signaled_locked(&job->hw_fence->base)) {
		simgpu_queue_mark_timedout(job->queue, job->seqno);
		simgpu_engine_complete(job, -ETIMEDOUT);
		/* The queue's context is lost: its other jobs on the engine too. */
		list_for_each_entry_safe(other, next, &engine->active, link)
			if (other->queue == job->queue)
				simgpu_engine_complete(other, -ECANCELED);
		simgpu_engine_restart(engine);
	}
	spin_unlock_irqrestore(&engine->lock, flags);

	if (waiting) {
		/* Back on the list while submission is paused. */
		stat = simgpu_sched_no_hang(sched_job);
		simgpu_sched_resume(sched);
		return stat;
	}
	simgpu_sched_resume(sched);
	simgpu_job_free(job);

	return SIMGPU_SCHED_STAT_RESET;
}

static void simgpu_free_job(struct drm_sched_job *sched_job)
{
	simgpu_job_free(to_simgpu_job(sched_job));
}

/* Cancel the jobs of @sched (all if NULL) that are on the engine. */
static void simgpu_engine_cancel(struct simgpu_engine *engine,
				 struct simgpu_sched *sched)
{
	struct simgpu_job *job, *next;
	unsigned long flags;

	spin_lock_irqsave(&engine->lock, flags);
	list_for_each_entry_safe(job, next, &engine->active, link)
		if (!sched || job->sched == sched)
			simgpu_engine_complete(job, -ECANCELED);
	simgpu_engine_restart(engine);
	spin_unlock_irqrestore(&engine->lock, flags);
}

/* Kernels whose drm_sched_fini() cancels pending jobs call this. */
static void __maybe_unused simgpu_cancel_job(struct drm_sched_job *sched_job)
{
	struct simgpu_job *job = to_simgpu_job(sched_job);
	struct simgpu_engine *engine = job->sched->engine;
	unsigned long flags;

	spin_lock_irqsave(&engine->lock, flags);
	if (!list_empty(&job->link)) {
		simgpu_engine_complete(job, -ECANCELED);
		simgpu_engine_restart(engine);
	}
	spin_unlock_irqrestore(&engine->lock, flags);
}

static const struct drm_sched_backend_ops simgpu_sched_ops = {
	.run_job = simgpu_run_job,
	.timedout_job = simgpu_timedout_job,
	.free_job = simgpu_free_job,
	SIMGPU_SCHED_OPS_CANCEL_JOB(simgpu_cancel_job)
};

void simgpu_job_free(struct simgpu_job *job)
{
	struct simgpu_sched *sched = job->sched;
	struct simgpu_queue *queue = job->queue;

	/* Before the cleanup drops the job's scheduler fence reference. */
	simgpu_hw_fence_job_done(job->hw_fence, job->hw_fence_live,
				 job->armed ? job->base.s_fence : NULL);
	drm_sched_job_cleanup(&job->base);
	kfree(job);

	/* The queue reference keeps an own scheduler alive past this. */
	if (atomic_dec_and_test(&sched->live_jobs)) {
		if (sched->own)
			queue_work(sched->engine->sdev->retire_wq,
				   &sched->fini_work);
		else
			wake_up_all(&sched->idle_wq);
	}
	simgpu_queue_put(queue);
}

static struct workqueue_struct *simgpu_submit_wq(struct simgpu_device *sdev,
						 u32 submit_wq)
{
	switch (submit_wq) {
	case SIMGPU_SUBMIT_WQ_SHARED:
		return sdev->shared_wq;
	case SIMGPU_SUBMIT_WQ_SHARED_HIGHPRI:
		return sdev->shared_highpri_wq;
	default:
		return NULL;	/* drm_sched allocates its own */
	}
}

int simgpu_sched_init(struct simgpu_device *sdev, struct simgpu_sched *s,
		      struct simgpu_engine *engine, u32 credit_limit,
		      u64 timeout_ns, u32 submit_wq, const char *name)
{
	struct simgpu_sched_params p = {
		.ops = &simgpu_sched_ops,
		.submit_wq = simgpu_submit_wq(sdev, submit_wq),
		.num_rqs = simgpu_params.num_rqs,
		.credit_limit = credit_limit,
		.timeout = max(1ul, nsecs_to_jiffies(timeout_ns)),
		.name = s->name,
		.dev = sdev->drm.dev,
	};

	strscpy(s->name, name, sizeof(s->name));
	s->engine = engine;
	s->credit_limit = credit_limit;
	s->timeout_ns = timeout_ns;
	s->submit_wq = submit_wq;
	atomic_set(&s->live_jobs, s->own ? 1 : 0);
	init_waitqueue_head(&s->idle_wq);
	INIT_WORK(&s->fini_work, simgpu_sched_fini_work);

	return simgpu_sched_init_compat(&s->base, &p);
}

/*
 * The scheduler's entities must be gone. Jobs still on the engine are
 * cancelled rather than waited for, and drm_sched_fini() only runs once every
 * job was freed: on older kernels it does not free pending jobs. At rmmod
 * (the device's schedulers) no job exists: each holds the module.
 */
static void simgpu_sched_fini(struct simgpu_sched *s)
{
	simgpu_engine_cancel(s->engine, s);
	wait_event(s->idle_wq, !atomic_read(&s->live_jobs));
	drm_sched_fini(&s->base);
}

static void simgpu_sched_fini_work(struct work_struct *work)
{
	struct simgpu_sched *s = container_of(work, struct simgpu_sched,
					      fini_work);

	drm_sched_fini(&s->base);
	atomic_dec(&s->engine->sdev->own_scheds_live);
	simgpu_sched_put(s);
}

/*
 * Count a new job of @s. An own scheduler whose count reached zero was
 * finished (or is being): it takes no more jobs, and its count stays zero,
 * so that it is finished once.
 */
bool simgpu_sched_job_get(struct simgpu_sched *s)
{
	if (s->own)
		return atomic_inc_not_zero(&s->live_jobs);
	atomic_inc(&s->live_jobs);
	return true;
}

/*
 * An own scheduler whose entity is gone. Its jobs on the engine are
 * cancelled; jobs killed with the entity may still wait for their
 * dependencies, which can be another client's work: the last of them to be
 * freed finishes the scheduler (simgpu_job_free()), nobody waits here.
 */
void simgpu_sched_retire(struct simgpu_sched *s)
{
	simgpu_engine_cancel(s->engine, s);
	/* The reference @fini_work drops. */
	kref_get(&s->ref);
	if (atomic_dec_and_test(&s->live_jobs))
		simgpu_sched_fini_work(&s->fini_work);
}

int simgpu_engines_init(struct simgpu_device *sdev)
{
	char name[24];
	u32 i;
	int ret;

	sdev->retire_wq = alloc_workqueue("simgpu-retire", WQ_UNBOUND, 0);
	if (!sdev->retire_wq)
		return -ENOMEM;

	for (i = 0; i < sdev->engine_count; i++) {
		struct simgpu_engine *engine = &sdev->engines[i];

		engine->sdev = sdev;
		engine->index = i;
		spin_lock_init(&engine->lock);
		INIT_LIST_HEAD(&engine->active);
		simgpu_hrtimer_setup(&engine->timer, simgpu_engine_timer,
				     CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
		engine->fence_context = dma_fence_context_alloc(1);

		snprintf(name, sizeof(name), "simgpu-e%u", i);
		ret = simgpu_sched_init(sdev, &sdev->scheds[i], engine,
					simgpu_params.credit_limit,
					simgpu_params.job_timeout_ns,
					simgpu_params.submit_wq, name);
		if (ret)
			goto err_fini;
	}

	return 0;

err_fini:
	while (i--) {
		simgpu_sched_fini(&sdev->scheds[i]);
		hrtimer_cancel(&sdev->engines[i].timer);
	}
	destroy_workqueue(sdev->retire_wq);
	return ret;
}

void simgpu_engines_fini(struct simgpu_device *sdev)
{
	u32 i;

	/* Own schedulers retired by the last jobs: finish them first. */
	destroy_workqueue(sdev->retire_wq);
	for (i = 0; i < sdev->engine_count; i++) {
		simgpu_sched_fini(&sdev->scheds[i]);
		hrtimer_cancel(&sdev->engines[i].timer);
	}
}
