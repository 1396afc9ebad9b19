/* SPDX-License-Identifier: GPL-2.0 */
/*
 * simgpu private structures. The model is described in the DOC: Overview
 * comment of simgpu_drv.c.
 */
#ifndef SIMGPU_DRV_H
#define SIMGPU_DRV_H

#include <linux/dma-fence.h>
#include <linux/err.h>
#include <linux/hrtimer.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include <drm/drm_device.h>
#include <drm/drm_file.h>
#include <drm/gpu_scheduler.h>
#include <drm/simgpu_drm.h>

#include "simgpu_compat.h"

#define SIMGPU_MAX_ENGINES		16
#define SIMGPU_MAX_QUEUES		64	/* per file */
#define SIMGPU_MAX_JOBS_PER_SUBMIT	256
#define SIMGPU_MAX_SYNCS_PER_JOB	64
#define SIMGPU_MAX_BOS_PER_JOB		256
#define SIMGPU_MAX_CREDIT_LIMIT		1024
#define SIMGPU_MAX_JOB_DURATION_NS	(60ull * NSEC_PER_SEC)
#define SIMGPU_MAX_TIMEOUT_NS		(600ull * NSEC_PER_SEC)
#define SIMGPU_MAX_BO_SIZE		BIT_ULL(32)
#define SIMGPU_MAX_INJECT_DELAY_NS	(10ull * NSEC_PER_MSEC)
/* Job records kept per queue for JOB_QUERY: a power of two. */
#define SIMGPU_JOB_RING_SIZE		1024
#define SIMGPU_MAX_VMS			64	/* per file */
#define SIMGPU_VM_CREATE_FLAGS		SIMGPU_VM_CREATE_HUGE_PAGES
#define SIMGPU_VM_BIND_FLAGS		(SIMGPU_VM_BIND_ASYNC | SIMGPU_VM_BIND_NONBLOCK)
#define SIMGPU_USERQ_MAX_QUEUES		16	/* per file: one kthread each */
#define SIMGPU_USERQ_MAX_RING_SIZE	SZ_1M
/* A sync BO is pinned and mapped whole while queues use it. */
#define SIMGPU_USERQ_MAX_SYNC_BO_SIZE	SZ_1M
/* Job records kept per user queue: a power of two. */
#define SIMGPU_USERQ_RECORD_RING_SIZE	1024
/*
 * mmap offsets of user-queue pages start here: far above the GEM fake
 * offsets (drm_vma_manager's range), as panthor's user MMIO offset.
 */
#define SIMGPU_USERQ_MMAP_OFFSET	(1ull << 56)

/* Module parameters, parsed and checked once at load (simgpu_drv.c). */
struct simgpu_params {
	u32 engines;
	u32 credit_limit;
	u64 job_timeout_ns;
	u32 num_rqs;
	u32 submit_wq;		/* SIMGPU_SUBMIT_WQ_* */
	u32 inject_path;	/* SIMGPU_INJECT_* */
	u64 inject_delay_ns;
	u32 vm_prealloc;	/* SIMGPU_VM_PREALLOC_*, not DEFAULT */
	u32 userq_fw_policy;	/* SIMGPU_USERQ_FW_*, not DEFAULT */
	u32 userq_poll_interval_us;
	u32 userq_idle_timeout_us;
};

extern struct simgpu_params simgpu_params;
/* TEST ONLY, in debugfs: see simgpu_pt_page_alloc() (simgpu_debugfs.c). */
extern u32 simgpu_test_pt_alloc_fail_after;
/* Writable at run time: device-wide caps on what files create. */
extern uint simgpu_userq_max_total;
extern uint simgpu_own_sched_max_total;
/* Writable at run time: the page-table pages a VM, and all VMs, may hold. */
extern ulong simgpu_vm_max_pt_pages;
extern ulong simgpu_vm_max_pt_pages_total;
/* Writable at run time: the throttling cap of asynchronous binds. */
extern ulong simgpu_vm_max_inflight_pages;
/* Writable at run time: the user-queue stall backstop. */
extern uint simgpu_userq_stall_timeout_ms;

struct simgpu_device;
struct simgpu_vm;

/*
 * struct simgpu_records - a ring of the last records by seqno
 * (simgpu_records.c): a slot is any struct with a u64 seqno in it.
 */
struct simgpu_records {
	void *slots;
	u32 mask;
};

int __simgpu_records_init(struct simgpu_records *r, u32 count, size_t slot_size);
/* A ring of @count (a power of two) slots of @type, keyed by @member. */
#define simgpu_records_init(r, count, type, member) \
	__simgpu_records_init(r, count, sizeof(type) +			\
			      BUILD_BUG_ON_ZERO(sizeof(((type *)0)->member) != sizeof(u64)))
void simgpu_records_fini(struct simgpu_records *r);

/*
 * Macros taking the ring's slot type (the one given to
 * simgpu_records_init()): they are on the submit, completion and bind
 * paths the benchmarks measure, where a slot size and a seqno offset read
 * at run time cost instructions per job that constants do not.
 */
#define simgpu_records_slot(r, seqno, type) \
	((type *)(r)->slots + ((seqno) & (r)->mask))

/*
 * The @type slot of seqno @seqno, or NULL when a newer record took it. For
 * the seqnos simgpu handed out itself (job completion, the firmware's
 * steps): it skips simgpu_records_find()'s range checks, which a seqno from
 * userspace needs and which cost those paths instructions per job.
 */
#define simgpu_records_lookup(r, seqno, type, member) ({			\
	u64 __seqno = (seqno);							\
	type *__slot = simgpu_records_slot(r, __seqno, type);			\
										\
	__slot->member == __seqno ? __slot : NULL;				\
})

/*
 * The @type slot of seqno @seqno, given that @last is the newest seqno
 * given out; ERR_PTR(-ENOENT) for 0 or a seqno above @last,
 * ERR_PTR(-ENODATA) for one whose record a newer one overwrote.
 */
#define simgpu_records_find(r, seqno, last, type, member) ({			\
	u64 __find = (seqno);							\
	type *__found;								\
										\
	!__find || __find > (last) ? ERR_PTR(-ENOENT) :				\
	(__found = simgpu_records_lookup(r, __find, type, member)) ?		\
	(void *)__found : ERR_PTR(-ENODATA);					\
})

/*
 * A hardware fence: the parent fence of one scheduler job (a SUBMIT job or
 * an asynchronous bind), which the job's scheduler fence holds until it is
 * released. It keeps alive what that scheduler fence points to: the module
 * and a queue's own scheduler (the fence reads its name). A job killed
 * before run_job gets its fence signalled as parent all the same
 * (simgpu_hw_fence_job_done()).
 */
struct simgpu_hw_fence {
	struct dma_fence base;
	/* The lock of a fence no engine runs (a killed job's). */
	spinlock_t lock;
	/* Referenced; kept until the fence is freed. */
	struct simgpu_sched *sched;
};

/*
 * struct simgpu_engine - a fake engine: executes one job at a time, in the
 * order run_job handed them over, each for its duration, and signals the job's
 * hardware fence from an hrtimer in hard-irq context, as an interrupt handler
 * would. Several schedulers may feed one engine (queues with their own
 * scheduler); the engine's lock orders them.
 */
struct simgpu_engine {
	struct simgpu_device *sdev;
	u32 index;
	/* Protects @active and is the lock of every hw fence of this engine. */
	spinlock_t lock;
	/* Jobs handed to the engine and not signalled, in execution order. */
	struct list_head active;
	struct hrtimer timer;
	u64 fence_context;
	u64 fence_seqno;
};

/*
 * struct simgpu_sched - a drm_gpu_scheduler feeding an engine: one per
 * engine (shared by the queues on it) or one per OWN_SCHED queue. An own
 * scheduler is referenced by its queue and by its jobs' hardware fences:
 * drm_sched's fences read its name as long as a sync_file keeps them.
 */
struct simgpu_sched {
	struct drm_gpu_scheduler base;
	/* Only for @own: the device's schedulers live as long as it. */
	struct kref ref;
	bool own;
	struct simgpu_engine *engine;
	char name[24];
	u32 credit_limit;
	u32 submit_wq;
	u64 timeout_ns;
	/*
	 * Jobs initialised and not yet freed. The device's schedulers are
	 * torn down at rmmod, waiting for zero; an own scheduler counts one
	 * more until its queue retires it, and whoever brings the count to
	 * zero has @fini_work finish it, so a queue's teardown never waits
	 * for work it depends on (another client's, say).
	 */
	atomic_t live_jobs;
	wait_queue_head_t idle_wq;
	struct work_struct fini_work;
};

struct simgpu_device {
	struct drm_device drm;
	struct device *parent;
	/* The shared submit workqueue, if SIMGPU_SUBMIT_WQ_SHARED* was asked. */
	struct workqueue_struct *shared_wq;
	struct workqueue_struct *shared_highpri_wq;
	u32 engine_count;
	struct simgpu_engine engines[SIMGPU_MAX_ENGINES];
	struct simgpu_sched scheds[SIMGPU_MAX_ENGINES];
	/*
	 * User queues and own schedulers of all files: per-file caps do not
	 * bound them, since files are not.
	 */
	atomic_t userqs_live;
	atomic_t own_scheds_live;
	/* Open files, queues and VMs not yet freed: debugfs's "live". */
	atomic_t files_live;
	atomic_t queues_live;
	atomic_t vms_live;
	struct dentry *debugfs;
	/* Finishes retired own schedulers; drained at rmmod. */
	struct workqueue_struct *retire_wq;
	/*
	 * Page-table pages of every VM, tables and reserved pages: what
	 * vm_max_pt_pages_total caps, and the proof that teardown frees them.
	 */
	atomic64_t vm_pt_pages;
	/* Runs asynchronous VM_BIND jobs: one entity per VM. */
	struct drm_gpu_scheduler bind_sched;
	bool bind_sched_ready;
	/* Fence context of the bind jobs' hardware fences; run_job's seqno. */
	u64 bind_fence_context;
	u64 bind_fence_seqno;
	/* Bind jobs not yet freed; the scheduler goes once it is zero. */
	atomic_t bind_jobs_live;
	wait_queue_head_t bind_idle_wq;
	/* User queues: sync BOs in use (under @userq_lock), bridge work. */
	struct mutex userq_lock;
	struct list_head userq_sync_bos;
	struct workqueue_struct *userq_wq;
};

struct simgpu_file {
	struct simgpu_device *sdev;
	struct drm_file *file;
	/* queue id -> struct simgpu_queue; ids start at 1 */
	struct xarray queues;
	/* vm id -> struct simgpu_vm; ids start at 1 */
	struct xarray vms;
	/* user queue id -> struct simgpu_userq; ids start at 1 */
	struct xarray userqs;
};

/*
 * struct simgpu_queue - a submission queue: one drm_sched_entity on its
 * engine's scheduler (or on its own scheduler), plus the ring of job records
 * JOB_QUERY reads. Jobs hold a reference, so the queue outlives its destroy
 * ioctl until its last job is freed.
 */
struct simgpu_queue {
	struct kref ref;
	struct simgpu_device *sdev;
	struct simgpu_engine *engine;
	struct simgpu_sched *sched;	/* shared, or @own_sched */
	struct simgpu_sched *own_sched;
	struct drm_sched_entity entity;
	u32 id;
	u32 flags;
	u32 priority;
	u32 run_queue;

	/* Serialises job arm + push and seqno allocation of SUBMIT. */
	struct mutex submit_lock;
	u64 last_submitted_seqno;

	/* Protects the records and the state below; taken in hard irq. */
	spinlock_t state_lock;
	struct simgpu_records records;
	u64 last_signalled_seqno;
	u32 state;		/* SIMGPU_QUEUE_STATE_* */
	int error;
	u64 guilty_seqno;
	bool destroyed;

	/* The VM the queue was created on (referenced), or NULL; its id. */
	struct simgpu_vm *vm;
	u32 vm_id;

	/* Engine time of its completed jobs (fdinfo), under . */
	u64 busy_ns;
};

/*
 * struct simgpu_job - one job. The hardware fence is a separate object: the
 * scheduler keeps it (as its parent fence) after the job is freed.
 */
struct simgpu_job {
	struct drm_sched_job base;
	struct simgpu_queue *queue;
	struct simgpu_sched *sched;
	/* Allocated at submit, initialised by run_job: no allocation there. */
	struct simgpu_hw_fence *hw_fence;
	bool hw_fence_live;
	/* drm_sched_job_arm() was called: the scheduler fence is out. */
	bool armed;
	/* On engine->active while the engine owns the job. */
	struct list_head link;
	u64 seqno;
	u64 duration_ns;
	ktime_t engine_end;
	/* When the engine saw the job complete; 0 before. */
	u64 signal_ns;
};

static inline struct simgpu_device *to_simgpu_device(struct drm_device *drm)
{
	return container_of(drm, struct simgpu_device, drm);
}

static inline struct simgpu_sched *to_simgpu_sched(struct drm_gpu_scheduler *s)
{
	return container_of(s, struct simgpu_sched, base);
}

static inline struct simgpu_job *to_simgpu_job(struct drm_sched_job *job)
{
	return container_of(job, struct simgpu_job, base);
}

/*
 * The syncobjs a scheduler job (a SUBMIT job, an asynchronous bind) signals:
 * looked up at ioctl time, where a bad handle fails, and given the job's
 * finished fence once it is armed (simgpu_syncobj.c).
 */
struct simgpu_signals {
	u32 count;
	struct drm_syncobj **syncobjs;
	struct dma_fence_chain **chains;	/* NULL for a binary syncobj */
	u64 *points;
};

#if SIMGPU_HAS_VM_BIND
/* Page-table counters of a VM, reported by VM_QUERY. */
struct simgpu_vm_stats {
	u64 binds;
	u64 bind_ops;
	u64 tables_live;
	u64 tables_preallocated;
	u64 tables_prealloc_used;
	u64 tables_returned;
	u64 tables_allocated_late;
	u64 tables_freed;
	u64 prealloc_ns;
	u64 apply_ns;
	/* Stage times of the last successful bind, CLOCK_MONOTONIC ns. */
	u64 last_ioctl_ns;
	u64 last_apply_ns;
	u64 last_done_ns;
};

/*
 * A bind's record and, until a query sees it signalled, a reference to the
 * fence of its signal syncobjs: the fence's own timestamp is the signal
 * time, read without a callback that could outlive the job.
 */
struct simgpu_bind_slot {
	struct drm_simgpu_vm_bind_record rec;
	struct dma_fence *fence;
};

/*
 * struct simgpu_vm - a GPU VA space: the drm_gpuvm keeping the mappings and
 * the 4-level page table they are written to. @lock serialises binds,
 * queries and teardown; the ioctls hold a drm_gpuvm reference.
 */
struct simgpu_vm {
	struct drm_gpuvm base;
	struct simgpu_device *sdev;
	struct mutex lock;
	u64 *root;		/* NULL once destroyed */
	u32 flags;		/* SIMGPU_VM_CREATE_* */
	u32 prealloc;		/* SIMGPU_VM_PREALLOC_* */
	bool huge;
	/* A bind failed half-way: the VM takes no more binds (-EIO). */
	bool unusable;
	/* VM_DESTROY began: binds fail with -ENOENT. */
	bool dying;
	u64 kernel_va_start;
	u64 kernel_va_size;
	/* Pages reserved for the batch being applied (page->lru). */
	struct list_head pool;
	/* Page-table pages allocated: tables and reserved pages. */
	atomic64_t pt_pages;
	/* Per-VM BO ids that page-table leaves carry -> struct simgpu_vm_bo */
	struct xarray bo_ids;
	struct simgpu_vm_stats stats;

	/* The bind queue of asynchronous binds. */
	struct drm_sched_entity entity;
	/* The last asynchronous bind queued; synchronous binds wait for it. */
	struct dma_fence *last_fence;
	/*
	 * Serialises the page table between run_job and VM_QUERY; synchronous
	 * binds own it by holding @lock with no asynchronous bind pending.
	 */
	struct mutex pt_lock;
	/* run_job is applying: late allocations may not reclaim. */
	bool in_run_job;
	/* Pages reserved by queued asynchronous binds, for throttling. */
	atomic64_t inflight_pages;
	wait_queue_head_t throttle_wq;

	/* Queues created on the VM and not destroyed: VM_DESTROY is -EBUSY. */
	u32 queues;

	/* Protects @records and @last_bind_seqno. */
	spinlock_t records_lock;
	/* The last SIMGPU_VM_BIND_RECORDS binds, by seqno modulo the size. */
	struct simgpu_records records;
	u64 last_bind_seqno;
};

#define SIMGPU_PT_OP_MAP	0
#define SIMGPU_PT_OP_CLEAR	1
#define SIMGPU_PT_OP_PRUNE	2

/* A page-table update recorded at ioctl time for an asynchronous bind. */
struct simgpu_pt_op {
	struct list_head link;
	u32 kind;		/* SIMGPU_PT_OP_* */
	u64 va, end, leaf;
};

/* A vm_bo kept alive until the job clearing its leaves is done. */
struct simgpu_held_bo {
	struct list_head link;
	struct drm_gpuvm_bo *vm_bo;
};

/*
 * struct simgpu_bind_job - an asynchronous VM_BIND: the page-table updates
 * decided at ioctl time, the pages reserved for them, and the syncobjs.
 */
struct simgpu_bind_job {
	struct drm_sched_job base;
	struct simgpu_vm *vm;		/* referenced */
	struct list_head pt_ops;
	struct list_head pool;		/* reserved pages (page->lru) */
	struct list_head held;
	u64 pages;			/* counted in vm->inflight_pages */
	u64 ioctl_ns;
	/* The bind's record; 0 when the ioctl failed and has none. */
	u64 seqno;
	bool hold_failed;
	struct simgpu_signals signals;
	/* The parent of the job's scheduler fence: pins the module. */
	struct simgpu_hw_fence *fence;
	bool fence_live;
};

/* A BO in a VM, with the id its leaves carry in the page table. */
struct simgpu_vm_bo {
	struct drm_gpuvm_bo base;
	u32 id;
	/* VM_QUERY finds it by id under RCU only: freed after a grace period. */
	struct rcu_head rcu;
};

/*
 * A mapping. @pending and @link_vm_bo carry the gpuva-list change decided
 * during drm_gpuvm's split steps until it is applied under the BO's lock.
 */
struct simgpu_va {
	struct drm_gpuva base;
	struct list_head pending;
	struct drm_gpuvm_bo *link_vm_bo;
};
#endif

/* simgpu_drv.c */
void simgpu_inject_spin(void);

/*
 * Test-only: busy-wait inject_delay_ns if @path is the injected one: the
 * ioctl and run_job paths, both in process context. A spin, not a sleep, so
 * the delay is exact. The engine delays its own paths without spinning.
 */
static inline void simgpu_inject_delay(u32 path)
{
	if (unlikely(simgpu_params.inject_path == path))
		simgpu_inject_spin();
}

/* simgpu_gem.c */
int simgpu_ioctl_bo_create(struct drm_device *dev, void *data,
			   struct drm_file *file);
int simgpu_ioctl_bo_mmap_offset(struct drm_device *dev, void *data,
				struct drm_file *file);

/* simgpu_sched.c */
int simgpu_engines_init(struct simgpu_device *sdev);
void simgpu_engines_fini(struct simgpu_device *sdev);
int simgpu_sched_init(struct simgpu_device *sdev, struct simgpu_sched *s,
		      struct simgpu_engine *engine, u32 credit_limit,
		      u64 timeout_ns, u32 submit_wq, const char *name);
void simgpu_sched_retire(struct simgpu_sched *s);
bool simgpu_sched_job_get(struct simgpu_sched *s);
void simgpu_sched_put(struct simgpu_sched *s);
void simgpu_job_free(struct simgpu_job *job);
extern const struct dma_fence_ops simgpu_hw_fence_ops;
void simgpu_fence_module_get(void);
void simgpu_fence_module_put(void);
struct simgpu_hw_fence *simgpu_hw_fence_alloc(struct simgpu_sched *sched);
void simgpu_hw_fence_job_done(struct simgpu_hw_fence *hw, bool live,
			      struct drm_sched_fence *s_fence);

/* simgpu_submit.c */
void simgpu_queue_put(struct simgpu_queue *queue);
void simgpu_queues_destroy(struct simgpu_file *sfile);
int simgpu_ioctl_queue_create(struct drm_device *dev, void *data,
			      struct drm_file *file);
int simgpu_ioctl_queue_destroy(struct drm_device *dev, void *data,
			       struct drm_file *file);
int simgpu_ioctl_queue_query(struct drm_device *dev, void *data,
			     struct drm_file *file);
int simgpu_ioctl_submit(struct drm_device *dev, void *data,
			struct drm_file *file);
int simgpu_ioctl_job_query(struct drm_device *dev, void *data,
			   struct drm_file *file);

/* simgpu_syncobj.c */
int simgpu_check_sync(const struct drm_simgpu_sync *sync);
int simgpu_signals_init(struct simgpu_signals *sig, u32 max);
int simgpu_job_add_sync(struct drm_file *file, struct drm_sched_job *job,
			struct simgpu_signals *sig,
			const struct drm_simgpu_sync *sync);
void simgpu_signals_publish(struct simgpu_signals *sig, struct dma_fence *fence);
void simgpu_signals_fini(struct simgpu_signals *sig);

/* simgpu_debugfs.c */
void simgpu_debugfs_init(struct simgpu_device *sdev);
void simgpu_debugfs_fini(struct simgpu_device *sdev);

/*
 * simgpu_fdinfo.c. On the engine, with the queue's state lock held: the
 * job completed. Inline: it is on every job's completion path.
 */
static inline void simgpu_fdinfo_job_done(struct simgpu_queue *queue,
					  u64 start_ns, u64 end_ns)
{
	if (start_ns && end_ns > start_ns)
		queue->busy_ns += end_ns - start_ns;
}

void simgpu_show_fdinfo(struct seq_file *m, struct file *f);

/* simgpu_userq.c */
int simgpu_userq_init(struct simgpu_device *sdev);
void simgpu_userq_fini(struct simgpu_device *sdev);
void simgpu_userqs_destroy(struct simgpu_file *sfile);
int simgpu_userq_mmap(struct file *filp, struct vm_area_struct *vma);
int simgpu_ioctl_userq_create(struct drm_device *dev, void *data,
			      struct drm_file *file);
int simgpu_ioctl_userq_destroy(struct drm_device *dev, void *data,
			       struct drm_file *file);
int simgpu_ioctl_userq_kick(struct drm_device *dev, void *data,
			    struct drm_file *file);
int simgpu_ioctl_userq_wait(struct drm_device *dev, void *data,
			    struct drm_file *file);
int simgpu_ioctl_userq_query(struct drm_device *dev, void *data,
			     struct drm_file *file);
int simgpu_ioctl_userq_bridge(struct drm_device *dev, void *data,
			      struct drm_file *file);
int simgpu_ioctl_userq_sync_update(struct drm_device *dev, void *data,
				   struct drm_file *file);

/* simgpu_vm.c */
int simgpu_vm_prealloc_parse(const char *name);
int simgpu_vm_init(struct simgpu_device *sdev);
void simgpu_vm_fini(struct simgpu_device *sdev);
void simgpu_vms_destroy(struct simgpu_file *sfile);
int simgpu_ioctl_vm_create(struct drm_device *dev, void *data,
			   struct drm_file *file);
int simgpu_ioctl_vm_destroy(struct drm_device *dev, void *data,
			    struct drm_file *file);
int simgpu_ioctl_vm_bind(struct drm_device *dev, void *data,
			 struct drm_file *file);
int simgpu_ioctl_vm_query(struct drm_device *dev, void *data,
			  struct drm_file *file);
int simgpu_ioctl_vm_bind_query(struct drm_device *dev, void *data,
			       struct drm_file *file);
struct simgpu_vm *simgpu_vm_queue_attach(struct simgpu_file *sfile, u32 vm_id);
void simgpu_vm_queue_detach(struct simgpu_vm *vm);
void simgpu_vm_put(struct simgpu_vm *vm);
int simgpu_vm_check_usable(struct simgpu_vm *vm);

#endif /* SIMGPU_DRV_H */
