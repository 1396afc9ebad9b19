/* SPDX-License-Identifier: MIT */
/*
 * simgpu: a virtual DRM render device for measuring the kernel's submission
 * and fence paths. This header is the one definition of its ABI; the module
 * (kmod/) and the benchmarks (bench/) both include it. docs/simgpu.md
 * describes every ioctl, structure and errno.
 */
#ifndef _SIMGPU_DRM_H_
#define _SIMGPU_DRM_H_

/*
 * Userspace finds drm.h through libdrm's include dir, as for every DRM uAPI
 * header; the module build finds the kernel's copy as <drm/drm.h> because this
 * header lives outside include/uapi/drm.
 */
#ifdef __KERNEL__
#include <drm/drm.h>
#else
#include "drm.h"
#endif

#if defined(__cplusplus)
extern "C" {
#endif

#define SIMGPU_UAPI_MAJOR 1
#define SIMGPU_UAPI_MINOR 2

/*
 * Ioctl numbers. Numbers not listed return -EINVAL. A block whose DEV_QUERY
 * feature bit is 0 on this kernel returns -EOPNOTSUPP.
 */
enum drm_simgpu_ioctl_id {
	DRM_SIMGPU_DEV_QUERY = 0x00,
	DRM_SIMGPU_BO_CREATE = 0x01,
	DRM_SIMGPU_BO_MMAP_OFFSET = 0x02,
	DRM_SIMGPU_QUEUE_CREATE = 0x03,
	DRM_SIMGPU_QUEUE_DESTROY = 0x04,
	DRM_SIMGPU_QUEUE_QUERY = 0x05,
	DRM_SIMGPU_SUBMIT = 0x06,
	DRM_SIMGPU_JOB_QUERY = 0x07,

	/* GPU VA spaces and VM_BIND: -EOPNOTSUPP where SIMGPU_FEATURE_VM_BIND is 0 */
	DRM_SIMGPU_VM_CREATE = 0x08,
	DRM_SIMGPU_VM_DESTROY = 0x09,
	DRM_SIMGPU_VM_BIND = 0x0a,
	DRM_SIMGPU_VM_QUERY = 0x0b,
	DRM_SIMGPU_VM_BIND_QUERY = 0x0c,

	/*
	 * User-mode submission queues: -EOPNOTSUPP where
	 * SIMGPU_FEATURE_USER_QUEUES is 0
	 */
	DRM_SIMGPU_USERQ_CREATE = 0x10,
	DRM_SIMGPU_USERQ_DESTROY = 0x11,
	DRM_SIMGPU_USERQ_KICK = 0x12,
	DRM_SIMGPU_USERQ_WAIT = 0x13,
	DRM_SIMGPU_USERQ_QUERY = 0x14,
	DRM_SIMGPU_USERQ_BRIDGE = 0x15,
	DRM_SIMGPU_USERQ_SYNC_UPDATE = 0x16,
};

/* DEV_QUERY feature bits (struct drm_simgpu_dev_info.features) */
/* Timeline syncobjs as SUBMIT wait/signal points: always set. */
#define SIMGPU_FEATURE_TIMELINE_SYNCOBJ		(1ull << 0)
/* The DRM core has DRM_IOCTL_SYNCOBJ_EVENTFD on this kernel. */
#define SIMGPU_FEATURE_SYNCOBJ_EVENTFD		(1ull << 1)
/* SUBMIT locks BO reservations with drm_exec (else ww_acquire by hand). */
#define SIMGPU_FEATURE_DRM_EXEC			(1ull << 2)
/* The scheduler's submit workqueue can be chosen (submit_wq knobs). */
#define SIMGPU_FEATURE_SUBMIT_WQ_CHOICE		(1ull << 3)
/* The number of scheduler run queues can be chosen (num_rqs). */
#define SIMGPU_FEATURE_NUM_RQS			(1ull << 4)
/* Jobs can carry more than one scheduler credit. */
#define SIMGPU_FEATURE_JOB_CREDITS		(1ull << 5)
/* Queues can own a scheduler (SIMGPU_QUEUE_CREATE_OWN_SCHED): always set. */
#define SIMGPU_FEATURE_QUEUE_OWN_SCHED		(1ull << 6)
/* A test-only delay injection is active: see inject_path/inject_delay_ns. */
#define SIMGPU_FEATURE_INJECTION_ACTIVE		(1ull << 7)
/* The device is a faux device (else a platform device). Informational. */
#define SIMGPU_FEATURE_FAUX_DEVICE		(1ull << 8)
/* VM_CREATE/VM_DESTROY/VM_BIND/VM_QUERY work (kernels with drm_gpuvm) */
#define SIMGPU_FEATURE_VM_BIND			(1ull << 32)
/* USERQ_* ioctls work: user-mode submission queues */
#define SIMGPU_FEATURE_USER_QUEUES		(1ull << 33)

/* Submit workqueue choices (dev_info.submit_wq, queue_create.submit_wq) */
/* Module default for queues; for the module: drm_sched's own per scheduler */
#define SIMGPU_SUBMIT_WQ_DEFAULT		0
/* Each scheduler allocates its own ordered workqueue (drm_sched default). */
#define SIMGPU_SUBMIT_WQ_PER_SCHED		1
/* One ordered workqueue shared by every scheduler of the device. */
#define SIMGPU_SUBMIT_WQ_SHARED			2
/* As SHARED, but a WQ_HIGHPRI workqueue. */
#define SIMGPU_SUBMIT_WQ_SHARED_HIGHPRI		3
/* The kernel has no submit workqueue (a scheduler kthread): 6.1. */
#define SIMGPU_SUBMIT_WQ_KTHREAD		4

/* Test-only injection paths (dev_info.inject_path) */
#define SIMGPU_INJECT_NONE			0
#define SIMGPU_INJECT_IOCTL			1 /* at SUBMIT ioctl entry */
#define SIMGPU_INJECT_RUN_JOB			2 /* in run_job, before the engine */
#define SIMGPU_INJECT_FENCE_SIGNAL		3 /* engine end -> hw fence signal */
#define SIMGPU_INJECT_SYNCOBJ_SIGNAL		4 /* hw fence -> syncobj signal */
#define SIMGPU_INJECT_VM_BIND			5 /* at VM_BIND ioctl entry */
#define SIMGPU_INJECT_VM_PT_ALLOC		6 /* per page-table page allocated */
#define SIMGPU_INJECT_FW_POLL			7 /* firmware model: doorbell found work */
#define SIMGPU_INJECT_FW_KICK			8 /* at USERQ_KICK entry, before the wake */
/*
 * The inject_path module parameter's spelling of each SIMGPU_INJECT_*, in
 * index order: the driver parses it, drmbench prints it.
 */
#define SIMGPU_INJECT_PATH_NAMES { \
	"none", "ioctl", "run_job", "fence_signal", "syncobj_signal", \
	"vm_bind", "pt_alloc", "fw_poll", "fw_kick", \
}

/**
 * struct drm_simgpu_dev_info - what this build of simgpu on this kernel does
 *
 * Filled by DRM_IOCTL_SIMGPU_DEV_QUERY. New fields are only ever appended.
 */
struct drm_simgpu_dev_info {
	__u32 uapi_major;
	__u32 uapi_minor;
	/** @features: SIMGPU_FEATURE_* */
	__u64 features;
	__u32 engine_count;
	/** @num_rqs: run queues of each engine's scheduler */
	__u32 num_rqs;
	/** @credit_limit: default credit limit (jobs on an engine) */
	__u32 credit_limit;
	/** @submit_wq: SIMGPU_SUBMIT_WQ_* of the engine schedulers */
	__u32 submit_wq;
	/** @job_timeout_ns: default job timeout */
	__u64 job_timeout_ns;
	/** @job_ring_size: job records kept per queue for JOB_QUERY */
	__u32 job_ring_size;
	__u32 max_queues;
	__u32 max_jobs_per_submit;
	__u32 max_syncs_per_job;
	__u32 max_bos_per_job;
	__u32 max_credit_limit;
	__u64 max_job_duration_ns;
	__u64 max_bo_size;
	/** @inject_path: SIMGPU_INJECT_*; NONE unless a test set it */
	__u32 inject_path;
	__u32 pad;
	__u64 inject_delay_ns;
	/**
	 * @vm_tables_live: page-table pages of all VMs of the device, tables
	 * and pages reserved for binds (what vm_max_pt_pages_total caps)
	 */
	__u64 vm_tables_live;
	/** @userq_max_queues: user queues per file */
	__u32 userq_max_queues;
	/** @userq_max_ring_size: largest USERQ_CREATE ring_size, bytes */
	__u32 userq_max_ring_size;
	/** @userq_record_ring_size: job records kept per user queue */
	__u32 userq_record_ring_size;
	/** @userq_fw_policy: SIMGPU_USERQ_FW_* used for FW_DEFAULT */
	__u32 userq_fw_policy;
	/** @userq_poll_interval_us: default POLL interval */
	__u32 userq_poll_interval_us;
	/** @userq_idle_timeout_us: default time without work before INACTIVE */
	__u32 userq_idle_timeout_us;
	/** @userq_stall_timeout_ms: a queue blocked on a wait this long is killed */
	__u32 userq_stall_timeout_ms;
	__u32 pad2;
};

/**
 * struct drm_simgpu_dev_query - DRM_IOCTL_SIMGPU_DEV_QUERY
 * @size: in: bytes at @info; out: sizeof the kernel's struct
 *        drm_simgpu_dev_info. min(in, out) bytes are written.
 * @flags: must be 0
 * @info: user pointer to a struct drm_simgpu_dev_info, or 0 to only learn
 *        @size
 */
struct drm_simgpu_dev_query {
	__u32 size;
	__u32 flags;
	__u64 info;
};

/**
 * struct drm_simgpu_bo_create - DRM_IOCTL_SIMGPU_BO_CREATE
 * @size: in: bytes (rounded up to pages); out: the rounded size
 * @flags: must be 0
 * @handle: out: GEM handle
 */
struct drm_simgpu_bo_create {
	__u64 size;
	__u32 flags;
	__u32 handle;
};

/**
 * struct drm_simgpu_bo_mmap_offset - DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET
 * @handle: GEM handle
 * @flags: must be 0
 * @offset: out: fake offset to mmap() on the DRM fd
 */
struct drm_simgpu_bo_mmap_offset {
	__u32 handle;
	__u32 flags;
	__u64 offset;
};

#define SIMGPU_QUEUE_PRIORITY_LOW		0
#define SIMGPU_QUEUE_PRIORITY_NORMAL		1
#define SIMGPU_QUEUE_PRIORITY_HIGH		2

/* The queue gets its own drm_gpu_scheduler (1:1 entity, firmware style). */
#define SIMGPU_QUEUE_CREATE_OWN_SCHED		(1u << 0)

/**
 * struct drm_simgpu_queue_create - DRM_IOCTL_SIMGPU_QUEUE_CREATE
 * @engine: engine index, < dev_info.engine_count
 * @priority: SIMGPU_QUEUE_PRIORITY_*: the engine scheduler's run queue
 * @flags: SIMGPU_QUEUE_CREATE_*
 * @credit_limit: OWN_SCHED only (else 0): jobs of this queue on the engine;
 *                0 = module default
 * @timeout_ns: OWN_SCHED only (else 0): job timeout; 0 = module default
 * @submit_wq: OWN_SCHED only (else 0): SIMGPU_SUBMIT_WQ_*
 * @queue_id: out: queue id, never 0
 * @vm_id: the VM (VM_CREATE) its jobs run in, 0 for none. The queue holds
 *         the VM: VM_DESTROY fails with -EBUSY until the queue is destroyed,
 *         and SUBMIT fails with -EIO once the VM is unusable.
 * @pad: must be 0
 */
struct drm_simgpu_queue_create {
	__u32 engine;
	__u32 priority;
	__u32 flags;
	__u32 credit_limit;
	__u64 timeout_ns;
	__u32 submit_wq;
	__u32 queue_id;
	__u32 vm_id;
	__u32 pad;
};

/**
 * struct drm_simgpu_queue_destroy - DRM_IOCTL_SIMGPU_QUEUE_DESTROY
 * @queue_id: queue to destroy; its queued jobs are cancelled
 * @pad: must be 0
 */
struct drm_simgpu_queue_destroy {
	__u32 queue_id;
	__u32 pad;
};

#define SIMGPU_QUEUE_STATE_ACTIVE		0
/* A job of the queue timed out: SUBMIT fails with -EIO, later jobs cancel. */
#define SIMGPU_QUEUE_STATE_TIMEDOUT		1

/**
 * struct drm_simgpu_queue_query - DRM_IOCTL_SIMGPU_QUEUE_QUERY
 *
 * Everything but @queue_id and @flags is output.
 */
struct drm_simgpu_queue_query {
	__u32 queue_id;
	__u32 flags;
	/** @state: SIMGPU_QUEUE_STATE_* */
	__u32 state;
	/** @error: 0, or the negative errno that put the queue in @state */
	__s32 error;
	/** @guilty_seqno: the job that timed out, 0 if none */
	__u64 guilty_seqno;
	/** @last_submitted_seqno: seqnos start at 1; 0 before any submit */
	__u64 last_submitted_seqno;
	/** @last_signalled_seqno: highest seqno whose fence has signalled */
	__u64 last_signalled_seqno;
	__u32 engine;
	__u32 priority;
	/** @run_queue: the scheduler run queue the priority mapped to */
	__u32 run_queue;
	/** @queue_flags: the SIMGPU_QUEUE_CREATE_* flags it was created with */
	__u32 queue_flags;
	__u32 credit_limit;
	__u32 submit_wq;
	__u64 timeout_ns;
	/** @vm_id: the VM the queue was created on, 0 for none */
	__u32 vm_id;
	__u32 pad;
};

/* struct drm_simgpu_sync.flags */
#define SIMGPU_SYNC_WAIT			(1u << 0)
#define SIMGPU_SYNC_SIGNAL			(1u << 1)
/* @point is a timeline point (>= 1); without it @point must be 0 */
#define SIMGPU_SYNC_TIMELINE			(1u << 2)

/**
 * struct drm_simgpu_sync - a syncobj a job waits on or signals
 * @flags: exactly one of WAIT and SIGNAL, optionally TIMELINE
 * @handle: DRM syncobj handle
 * @point: timeline point with SIMGPU_SYNC_TIMELINE, else 0
 */
struct drm_simgpu_sync {
	__u32 flags;
	__u32 handle;
	__u64 point;
};

/* struct drm_simgpu_bo_ref.flags: at least one */
#define SIMGPU_BO_REF_READ			(1u << 0)
#define SIMGPU_BO_REF_WRITE			(1u << 1)

/**
 * struct drm_simgpu_bo_ref - a BO a job uses, for implicit sync
 * @handle: GEM handle
 * @flags: SIMGPU_BO_REF_*: the job waits for the BO's writers (READ) or
 *         for all its users (WRITE), and is added to its reservation object
 *         with that usage
 */
struct drm_simgpu_bo_ref {
	__u32 handle;
	__u32 flags;
};

/* struct drm_simgpu_job.flags */
#define SIMGPU_JOB_IN_FENCE_FD			(1u << 0)
#define SIMGPU_JOB_OUT_FENCE_FD			(1u << 1)

/**
 * struct drm_simgpu_job - one job of a SUBMIT batch
 * @duration_ns: engine time; 0 completes in run_job
 * @syncs: user pointer to @sync_count struct drm_simgpu_sync
 * @bos: user pointer to @bo_count struct drm_simgpu_bo_ref
 * @sync_count: syncobj waits and signals
 * @bo_count: BOs for implicit sync
 * @flags: SIMGPU_JOB_*
 * @in_fence_fd: with SIMGPU_JOB_IN_FENCE_FD a sync_file fd to wait on,
 *               else must be 0
 * @out_fence_fd: out: with SIMGPU_JOB_OUT_FENCE_FD a new sync_file fd that
 *                signals when the job completes (valid only on success)
 * @credits: scheduler credits the job takes; 0 means 1
 */
struct drm_simgpu_job {
	__u64 duration_ns;
	__u64 syncs;
	__u64 bos;
	__u32 sync_count;
	__u32 bo_count;
	__u32 flags;
	__s32 in_fence_fd;
	__s32 out_fence_fd;
	__u32 credits;
};

/**
 * struct drm_simgpu_submit - DRM_IOCTL_SIMGPU_SUBMIT
 * @queue_id: queue the jobs run on, in array order
 * @job_count: jobs in the batch, 1..dev_info.max_jobs_per_submit
 * @jobs: user pointer to @job_count elements of @job_stride bytes
 * @job_stride: sizeof(struct drm_simgpu_job)
 * @flags: must be 0
 * @first_seqno: out: per-queue sequence number of the first job; the batch
 *               has first_seqno .. first_seqno + job_count - 1
 */
struct drm_simgpu_submit {
	__u32 queue_id;
	__u32 job_count;
	__u64 jobs;
	__u32 job_stride;
	__u32 flags;
	__u64 first_seqno;
};

/* struct drm_simgpu_job_record.status */
#define SIMGPU_JOB_STATUS_QUEUED		0 /* submitted, not run yet */
#define SIMGPU_JOB_STATUS_RUNNING		1 /* run_job called */
#define SIMGPU_JOB_STATUS_DONE			2 /* fence signalled, see error */

/**
 * struct drm_simgpu_job_record - a job's life in CLOCK_MONOTONIC ns
 *
 * A stage not reached yet reads 0.
 */
struct drm_simgpu_job_record {
	__u64 seqno;
	__u64 duration_ns;
	/** @ioctl_ns: SUBMIT entered the driver */
	__u64 ioctl_ns;
	/** @run_job_ns: the scheduler called run_job */
	__u64 run_job_ns;
	/** @engine_start_ns: the engine started it (after earlier jobs) */
	__u64 engine_start_ns;
	/** @engine_end_ns: the engine finished it (start + duration) */
	__u64 engine_end_ns;
	/** @signal_ns: the hardware fence was signalled */
	__u64 signal_ns;
	/** @status: SIMGPU_JOB_STATUS_* */
	__u32 status;
	/** @error: 0, -ETIMEDOUT, -ECANCELED: the fence's error */
	__s32 error;
};

/**
 * struct drm_simgpu_job_query - DRM_IOCTL_SIMGPU_JOB_QUERY
 * @queue_id: the queue
 * @count: records to read, 1..dev_info.job_ring_size
 * @first_seqno: seqno of the first record
 * @records: user pointer to @count elements of @record_size bytes
 * @record_size: sizeof(struct drm_simgpu_job_record)
 * @flags: must be 0
 */
struct drm_simgpu_job_query {
	__u32 queue_id;
	__u32 count;
	__u64 first_seqno;
	__u64 records;
	__u32 record_size;
	__u32 flags;
};


/* VM_CREATE flags */
/* Map 2 MiB blocks where the VA, the size and the BO offset allow it. */
#define SIMGPU_VM_CREATE_HUGE_PAGES		(1u << 0)

/* Page-table preallocation policies (vm_create.prealloc, vm_query) */
/* The module default (module parameter vm_prealloc). */
#define SIMGPU_VM_PREALLOC_DEFAULT		0
/* No preallocation: tables are allocated while the ops are applied. */
#define SIMGPU_VM_PREALLOC_NONE			1
/* Before applying, reserve each op's worst case on its own. */
#define SIMGPU_VM_PREALLOC_PER_OP		2
/*
 * Before applying, reserve the batch's worst case, where consecutive ops
 * in the same 2 MiB / 1 GiB / 512 GiB span share its table (msm's scheme:
 * sorted batches need fewer pages).
 */
#define SIMGPU_VM_PREALLOC_BATCHED		3

/* GPU VA bits: four levels of 512-entry tables of 4 KiB pages. */
#define SIMGPU_VM_VA_BITS			48

/**
 * struct drm_simgpu_vm_create - DRM_IOCTL_SIMGPU_VM_CREATE
 *
 * A GPU VA space of 2^SIMGPU_VM_VA_BITS bytes. [@kernel_va_start,
 * @kernel_va_start + @kernel_va_size) is kept by the kernel (as nouveau's
 * VM_INIT kernel-managed range); VM_BIND may use every other page.
 *
 * @flags: SIMGPU_VM_CREATE_*
 * @prealloc: SIMGPU_VM_PREALLOC_*
 * @kernel_va_start: in: page aligned
 * @kernel_va_size: in: page aligned; 0 means no kernel range
 * @vm_id: out: VM id, never 0
 * @pad: must be 0
 */
struct drm_simgpu_vm_create {
	__u32 flags;
	__u32 prealloc;
	__u64 kernel_va_start;
	__u64 kernel_va_size;
	__u32 vm_id;
	__u32 pad;
};

/**
 * struct drm_simgpu_vm_destroy - DRM_IOCTL_SIMGPU_VM_DESTROY
 * @vm_id: VM to destroy; its mappings and page tables go with it
 * @pad: must be 0
 */
struct drm_simgpu_vm_destroy {
	__u32 vm_id;
	__u32 pad;
};

/* struct drm_simgpu_vm_bind_op.op */
/* Map @size bytes of BO @handle from @bo_offset at @va. */
#define SIMGPU_VM_BIND_OP_MAP			0
/* Sparse: map @va..@va+@size to nothing (reads 0, writes dropped). */
#define SIMGPU_VM_BIND_OP_MAP_NULL		1
/* Unmap @va..@va+@size; mappings crossing its ends are split. */
#define SIMGPU_VM_BIND_OP_UNMAP			2

/**
 * struct drm_simgpu_vm_bind_op - one op of a VM_BIND batch
 * @op: SIMGPU_VM_BIND_OP_*
 * @handle: MAP: GEM handle; else 0
 * @bo_offset: MAP: page-aligned offset in the BO; else 0
 * @va: page-aligned GPU VA
 * @size: page-aligned bytes, not 0
 * @flags: must be 0
 * @pad: must be 0
 */
struct drm_simgpu_vm_bind_op {
	__u32 op;
	__u32 handle;
	__u64 bo_offset;
	__u64 va;
	__u64 size;
	__u32 flags;
	__u32 pad;
};

/**
 * struct drm_simgpu_vm_bind - DRM_IOCTL_SIMGPU_VM_BIND
 *
 * Applies the ops in array order. Synchronously by default: the page
 * tables are updated when the ioctl returns (after every asynchronous bind
 * queued before). With SIMGPU_VM_BIND_ASYNC the VA bookkeeping is updated
 * now and the page-table update becomes a job on the VM's bind queue that
 * runs, in order, once its wait syncobjs signalled, and signals its signal
 * syncobjs when the page tables are updated (msm's model). Ops may always
 * overlap earlier ops of the batch: each is applied with drm_gpuvm's
 * split/merge semantics on the result of the ones before.
 *
 * @vm_id: the VM
 * @flags: SIMGPU_VM_BIND_*
 * @op_count: 1..SIMGPU_VM_MAX_BIND_OPS
 * @op_stride: sizeof(struct drm_simgpu_vm_bind_op)
 * @ops: user pointer to @op_count elements of @op_stride bytes
 * @sync_count: ASYNC only (else 0): syncobjs at @syncs, up to
 *              dev_info.max_syncs_per_job
 * @pad: must be 0
 * @syncs: user pointer to @sync_count struct drm_simgpu_sync
 * @seqno: out: the bind's per-VM sequence number (from 1), the key of its
 *         record in VM_BIND_QUERY; set only when the ioctl succeeds
 */
struct drm_simgpu_vm_bind {
	__u32 vm_id;
	__u32 flags;
	__u32 op_count;
	__u32 op_stride;
	__u64 ops;
	__u32 sync_count;
	__u32 pad;
	__u64 syncs;
	__u64 seqno;
};

#define SIMGPU_VM_MAX_BIND_OPS			4096

/* struct drm_simgpu_vm_bind.flags */
/* Queue the page-table update as a job on the VM's bind queue. */
#define SIMGPU_VM_BIND_ASYNC			(1u << 0)
/*
 * With ASYNC: fail with -EAGAIN instead of waiting when the VM's reserved
 * page-table pages in flight would exceed the vm_max_inflight_pages cap.
 */
#define SIMGPU_VM_BIND_NONBLOCK			(1u << 1)

/* struct drm_simgpu_vm_query.mapping: what @va translated to */
#define SIMGPU_VM_MAPPING_NONE			0
#define SIMGPU_VM_MAPPING_BO			1
#define SIMGPU_VM_MAPPING_NULL			2

/**
 * struct drm_simgpu_vm_query - DRM_IOCTL_SIMGPU_VM_QUERY
 *
 * Walks the VM's page table for @va, as the GPU would, and reports the VM's
 * page-table counters. Everything after @va is output.
 */
struct drm_simgpu_vm_query {
	__u32 vm_id;
	/** @flags: must be 0 */
	__u32 flags;
	/** @va: the GPU VA to translate */
	__u64 va;
	/** @mapping: SIMGPU_VM_MAPPING_* */
	__u32 mapping;
	/** @handle: MAPPING_BO: a handle of the BO in this file, else 0 */
	__u32 handle;
	/** @bo_offset: MAPPING_BO: the byte of the BO @va reads */
	__u64 bo_offset;
	/** @page_size: the leaf's size: 4 KiB or 2 MiB; 0 if unmapped */
	__u64 page_size;
	/** @vm_flags: the SIMGPU_VM_CREATE_* flags */
	__u32 vm_flags;
	/** @prealloc: the SIMGPU_VM_PREALLOC_* policy in use (not DEFAULT) */
	__u32 prealloc;
	__u64 kernel_va_start;
	__u64 kernel_va_size;
	/** @mappings: drm_gpuva mappings in the VM */
	__u64 mappings;
	/** @binds: VM_BIND calls that succeeded */
	__u64 binds;
	/** @bind_ops: ops of those calls */
	__u64 bind_ops;
	/** @tables_live: page-table pages in use, the root included */
	__u64 tables_live;
	/** @tables_preallocated: pages reserved before applying ops */
	__u64 tables_preallocated;
	/** @tables_prealloc_used: of those, pages that became tables */
	__u64 tables_prealloc_used;
	/** @tables_returned: of those, pages freed unused after the batch */
	__u64 tables_returned;
	/** @tables_allocated_late: pages allocated while applying ops */
	__u64 tables_allocated_late;
	/** @tables_freed: tables freed because they became empty */
	__u64 tables_freed;
	/** @prealloc_ns: time spent reserving pages */
	__u64 prealloc_ns;
	/** @apply_ns: time spent applying ops (gpuvm and page table) */
	__u64 apply_ns;
	/**
	 * @last_bind_ioctl_ns: the last successful VM_BIND entered the driver
	 * (CLOCK_MONOTONIC); @last_bind_apply_ns: its ops were checked and
	 * its pages reserved, applying began; @last_bind_done_ns: the page
	 * tables were updated. 0 before the first bind.
	 */
	__u64 last_bind_ioctl_ns;
	__u64 last_bind_apply_ns;
	__u64 last_bind_done_ns;
	/** @last_bind_seqno: seqno of the last successful VM_BIND, 0 if none */
	__u64 last_bind_seqno;
	/** @unusable: 1 once a bind failed half-way (binds and SUBMITs: -EIO) */
	__u32 unusable;
	/** @queues: queues created on this VM and not destroyed */
	__u32 queues;
};

/* Bind records kept per VM for VM_BIND_QUERY: the last this many binds. */
#define SIMGPU_VM_BIND_RECORDS			1024

/**
 * struct drm_simgpu_vm_bind_record - a bind's life in CLOCK_MONOTONIC ns
 *
 * A stage not reached yet reads 0. A synchronous bind's record is complete
 * when VM_BIND returns; its @signal_ns equals @pt_done_ns.
 */
struct drm_simgpu_vm_bind_record {
	__u64 seqno;
	/** @ioctl_ns: VM_BIND entered the driver */
	__u64 ioctl_ns;
	/**
	 * @run_ns: asynchronous: the bind job's run_job began; synchronous:
	 * the ops were checked and the pages reserved, applying began
	 */
	__u64 run_ns;
	/** @pt_done_ns: the page tables were updated */
	__u64 pt_done_ns;
	/** @signal_ns: the fence of the signal syncobjs signalled */
	__u64 signal_ns;
	/** @op_count: ops of the bind */
	__u32 op_count;
	/** @flags: the SIMGPU_VM_BIND_* flags of the call */
	__u32 flags;
	/** @status: SIMGPU_JOB_STATUS_* (RUNNING: run, not yet signalled) */
	__u32 status;
	/** @error: 0, or the fence's error (-ENOMEM: the VM became unusable) */
	__s32 error;
};

/**
 * struct drm_simgpu_vm_bind_query - DRM_IOCTL_SIMGPU_VM_BIND_QUERY
 * @vm_id: the VM
 * @count: records to read, 1..SIMGPU_VM_BIND_RECORDS
 * @first_seqno: seqno (struct drm_simgpu_vm_bind.seqno) of the first record
 * @records: user pointer to @count elements of @record_size bytes
 * @record_size: sizeof(struct drm_simgpu_vm_bind_record)
 * @flags: must be 0
 */
struct drm_simgpu_vm_bind_query {
	__u32 vm_id;
	__u32 count;
	__u64 first_seqno;
	__u64 records;
	__u32 record_size;
	__u32 flags;
};

/*
 * User-mode submission queues (after panthor's user-submission RFC).
 *
 * USERQ_CREATE gives userspace three mappings of the DRM fd: a ring of
 * struct drm_simgpu_userq_job descriptors, a user I/O page (struct
 * drm_simgpu_userq_io) and a doorbell page. Userspace submits with no
 * ioctl: it writes descriptors, advances @insert, writes the doorbell. A
 * firmware model in the kernel notices the doorbell (by busy polling,
 * polling every P us, or only when kicked: SIMGPU_USERQ_FW_*), copies each
 * descriptor out of the ring, checks the copy, runs it on the engine for
 * its duration and writes its signal value into a 64-bit sync object.
 *
 * Sync objects are naturally aligned __u64 counters in the queue's sync BO
 * (a BO_CREATE BO named at USERQ_CREATE; queues may share one). They only
 * move forward: a job whose signal value is below the object's current
 * value faults the queue. Userspace waits by spinning on the mapped BO, by
 * USERQ_WAIT, or through the queue's eventfd (SIMGPU_USERQ_JOB_NOTIFY).
 * USERQ_BRIDGE ties sync objects to DRM syncobjs both ways.
 *
 * Memory-ordering contract (C11 terms; docs/simgpu.md has the reasoning):
 *  - Producer: descriptor stores, then a release store of @insert, then a
 *    store to the doorbell (a changed __u32 at offset 0, e.g. a counter),
 *    then a seq_cst fence and a load of @state: if INACTIVE, USERQ_KICK.
 *  - Firmware: acquire load of @insert after noticing the doorbell; each
 *    descriptor is copied once and only the copy is used; release store of
 *    @extract once the copy is made (the slot may then be reused).
 *  - Deactivation: the firmware stores @state = INACTIVE, a full barrier,
 *    then re-reads @insert and reactivates if work arrived; with the
 *    producer's fence this cannot lose a doorbell.
 *  - Completion: the record's timestamps, then a release store of the
 *    signal value (one 64-bit single-copy-atomic store). An acquire load
 *    that sees the value also sees the job's effects.
 * Nothing the kernel reads from the ring, the user I/O page or the sync BO
 * is trusted: bad contents fault that queue only (SIMGPU_USERQ_FAULT_*).
 */

/* struct drm_simgpu_userq_create.fw_policy, dev_info.userq_fw_policy */
/* The module default (module parameter userq_fw_policy). */
#define SIMGPU_USERQ_FW_DEFAULT			0
/* The firmware thread spins on the doorbell: lowest latency, a CPU busy. */
#define SIMGPU_USERQ_FW_BUSY			1
/* The firmware thread looks at the doorbell every poll_interval_us. */
#define SIMGPU_USERQ_FW_POLL			2
/* The firmware thread sleeps until USERQ_KICK: one ioctl per submission. */
#define SIMGPU_USERQ_FW_SLEEP			3

/* struct drm_simgpu_userq_create.flags */
/* @eventfd is an eventfd signalled for NOTIFY jobs and on a fault. */
#define SIMGPU_USERQ_CREATE_EVENTFD		(1u << 0)

/**
 * struct drm_simgpu_userq_create - DRM_IOCTL_SIMGPU_USERQ_CREATE
 *
 * Creates a user queue on @engine with its own firmware thread. mmap() the
 * three offsets on the DRM fd (MAP_SHARED, PROT_READ | PROT_WRITE): the
 * ring (@ring_size bytes), the user I/O page and the doorbell page (one
 * page each). The queue starts ACTIVE.
 *
 * @engine: engine index, < dev_info.engine_count
 * @flags: SIMGPU_USERQ_CREATE_*
 * @ring_size: bytes, a power of two, 4096..dev_info.userq_max_ring_size
 * @sync_handle: GEM handle of the sync BO (see above)
 * @fw_policy: SIMGPU_USERQ_FW_*
 * @poll_interval_us: FW_POLL: 1..1000000; 0 = module default. Else 0.
 * @idle_timeout_us: time without work before the firmware makes the queue
 *                   INACTIVE (it then needs USERQ_KICK); 0 = module default
 * @eventfd: with SIMGPU_USERQ_CREATE_EVENTFD an eventfd, else must be 0
 * @queue_id: out: user queue id, never 0 (its own id space)
 * @pad: must be 0
 * @ring_mmap_offset: out
 * @io_mmap_offset: out
 * @doorbell_mmap_offset: out
 */
struct drm_simgpu_userq_create {
	__u32 engine;
	__u32 flags;
	__u32 ring_size;
	__u32 sync_handle;
	__u32 fw_policy;
	__u32 poll_interval_us;
	__u32 idle_timeout_us;
	__s32 eventfd;
	__u32 queue_id;
	__u32 pad;
	__u64 ring_mmap_offset;
	__u64 io_mmap_offset;
	__u64 doorbell_mmap_offset;
};

/**
 * struct drm_simgpu_userq_destroy - DRM_IOCTL_SIMGPU_USERQ_DESTROY
 * @queue_id: the queue; its firmware thread stops, jobs not yet run are
 *            dropped and their bridges signalled with -ECANCELED
 * @pad: must be 0
 */
struct drm_simgpu_userq_destroy {
	__u32 queue_id;
	__u32 pad;
};

/* struct drm_simgpu_userq_io.state */
#define SIMGPU_USERQ_STATE_ACTIVE		0 /* the firmware watches the doorbell */
#define SIMGPU_USERQ_STATE_INACTIVE		1 /* idle: USERQ_KICK to reactivate */
#define SIMGPU_USERQ_STATE_FAULTY		2 /* stopped for good, see @fault */

/* Why a queue is FAULTY (userq_io.fault, userq_query.fault) */
#define SIMGPU_USERQ_FAULT_NONE			0
/* A descriptor had an unknown op, unknown flags or non-zero reserved bits. */
#define SIMGPU_USERQ_FAULT_BAD_DESCRIPTOR	1
/*
 * @insert was not a multiple of the descriptor size, went backwards or
 * got more than ring_size ahead of @extract.
 */
#define SIMGPU_USERQ_FAULT_BAD_INSERT		2
/* A sync object offset was unaligned or outside the sync BO. */
#define SIMGPU_USERQ_FAULT_BAD_SYNC_OFFSET	3
/* duration_ns above dev_info.max_job_duration_ns. */
#define SIMGPU_USERQ_FAULT_BAD_DURATION		4
/* A signal value below the sync object's current value. */
#define SIMGPU_USERQ_FAULT_SYNC_BACKWARDS	5
/* Blocked on a wait for longer than dev_info.userq_stall_timeout_ms. */
#define SIMGPU_USERQ_FAULT_STALLED		6
/* A DRM syncobj fence bridged into the queue signalled with an error. */
#define SIMGPU_USERQ_FAULT_BRIDGE_ERROR		7

/**
 * struct drm_simgpu_userq_io - the user I/O page (mmap io_mmap_offset)
 * @insert: written by userspace: descriptor bytes written since creation,
 *          free running (ring position = @insert % ring_size)
 * @extract: written by the kernel: descriptor bytes the firmware consumed
 * @state: written by the kernel: SIMGPU_USERQ_STATE_*
 * @fault: written by the kernel: SIMGPU_USERQ_FAULT_* once FAULTY
 * @completed_seqno: written by the kernel: the last job completed
 *
 * The two halves sit on separate cache lines. The kernel keeps its own
 * copy of everything it writes here and never reads it back.
 */
struct drm_simgpu_userq_io {
	__u64 insert;
	__u64 user_pad[7];
	__u64 extract;
	__u32 state;
	__u32 fault;
	__u64 completed_seqno;
	__u64 kernel_pad[5];
};

/* struct drm_simgpu_userq_job.op: 0 is invalid, so a zeroed slot faults */
/* Run on the engine for duration_ns, then write the signal value. */
#define SIMGPU_USERQ_OP_RUN			1

/* struct drm_simgpu_userq_job.flags */
/* Before running, wait until sync object @wait_offset >= @wait_value. */
#define SIMGPU_USERQ_JOB_WAIT			(1u << 0)
/* After writing the signal value, signal the queue's eventfd. */
#define SIMGPU_USERQ_JOB_NOTIFY			(1u << 1)

/**
 * struct drm_simgpu_userq_job - one ring descriptor (64 bytes)
 *
 * The job with ring bytes [n * 64, n * 64 + 64) has seqno n + 1.
 *
 * @op: SIMGPU_USERQ_OP_*
 * @flags: SIMGPU_USERQ_JOB_*
 * @duration_ns: engine time, <= dev_info.max_job_duration_ns
 * @signal_offset: byte offset in the sync BO of the sync object set on
 *                 completion (8-byte aligned)
 * @signal_value: the value written there
 * @wait_offset: with SIMGPU_USERQ_JOB_WAIT, the sync object waited on;
 *               else must be 0
 * @wait_value: with SIMGPU_USERQ_JOB_WAIT, the value waited for; else 0
 * @user_data: echoed in the job's record
 * @reserved: must be 0
 */
struct drm_simgpu_userq_job {
	__u32 op;
	__u32 flags;
	__u64 duration_ns;
	__u64 signal_offset;
	__u64 signal_value;
	__u64 wait_offset;
	__u64 wait_value;
	__u64 user_data;
	__u64 reserved;
};

/**
 * struct drm_simgpu_userq_kick - DRM_IOCTL_SIMGPU_USERQ_KICK
 *
 * Makes an INACTIVE queue ACTIVE and wakes its firmware thread (always,
 * so it is also the doorbell of FW_SLEEP queues). -EIO if FAULTY.
 *
 * @queue_id: the queue
 * @flags: must be 0
 */
struct drm_simgpu_userq_kick {
	__u32 queue_id;
	__u32 flags;
};

/**
 * struct drm_simgpu_userq_wait - DRM_IOCTL_SIMGPU_USERQ_WAIT
 *
 * Sleeps until sync object @offset of the queue's sync BO is >= @value.
 * 0: reached; -ETIME: @deadline_ns passed; -EIO: the queue is FAULTY (or
 * was destroyed) and the value was not reached; -EINVAL: bad offset.
 *
 * @queue_id: the queue whose sync BO holds the object
 * @flags: must be 0
 * @offset: 8-byte aligned byte offset in the sync BO
 * @value: the value waited for
 * @deadline_ns: absolute CLOCK_MONOTONIC deadline; 0 = only check
 * @current_value: out: the object's value when the ioctl returned
 */
struct drm_simgpu_userq_wait {
	__u32 queue_id;
	__u32 flags;
	__u64 offset;
	__u64 value;
	__s64 deadline_ns;
	__u64 current_value;
};

/* struct drm_simgpu_userq_job_record.status */
#define SIMGPU_USERQ_JOB_STATUS_WAITING		0 /* seen, blocked on its wait */
#define SIMGPU_USERQ_JOB_STATUS_RUNNING		1 /* on the engine */
#define SIMGPU_USERQ_JOB_STATUS_DONE		2 /* signal value written */
#define SIMGPU_USERQ_JOB_STATUS_DROPPED		3 /* queue faulted or destroyed */

/**
 * struct drm_simgpu_userq_job_record - a user job's life, CLOCK_MONOTONIC ns
 *
 * The same stages as struct drm_simgpu_job_record, with the doorbell in
 * place of the ioctl. A stage not reached yet reads 0.
 */
struct drm_simgpu_userq_job_record {
	__u64 seqno;
	__u64 user_data;
	__u64 duration_ns;
	/** @seen_ns: the firmware noticed the doorbell (or kick) and took it */
	__u64 seen_ns;
	/** @engine_start_ns: its wait was met and the engine started it */
	__u64 engine_start_ns;
	/** @engine_end_ns: the engine finished it */
	__u64 engine_end_ns;
	/** @complete_ns: the signal value was written */
	__u64 complete_ns;
	/** @status: SIMGPU_USERQ_JOB_STATUS_* */
	__u32 status;
	/** @error: 0, or why the job was dropped (-EIO, -ECANCELED) */
	__s32 error;
};

/**
 * struct drm_simgpu_userq_query - DRM_IOCTL_SIMGPU_USERQ_QUERY
 *
 * The queue's state and counters; with @record_count > 0 also the records
 * of jobs @first_seqno.. (the last dev_info.userq_record_ring_size jobs;
 * older ones, which newer jobs overwrote: -ENODATA, as JOB_QUERY and
 * VM_BIND_QUERY; jobs the firmware has not taken yet: -ENOENT). Everything
 * but @queue_id, @flags and the record request fields is output.
 */
struct drm_simgpu_userq_query {
	__u32 queue_id;
	/** @flags: must be 0 */
	__u32 flags;
	/** @state: SIMGPU_USERQ_STATE_* */
	__u32 state;
	/** @fault: SIMGPU_USERQ_FAULT_* */
	__u32 fault;
	/** @fault_seqno: the job that faulted the queue, 0 if none (or insert) */
	__u64 fault_seqno;
	/** @fault_value: the offending value (offset, insert, op, duration) */
	__u64 fault_value;
	/** @seen_seqno: the last job the firmware took from the ring */
	__u64 seen_seqno;
	/** @completed_seqno: the last job whose signal value was written */
	__u64 completed_seqno;
	/** @doorbells: doorbell changes the firmware noticed */
	__u64 doorbells;
	/** @kicks: USERQ_KICK calls */
	__u64 kicks;
	/** @deactivations: times the queue went INACTIVE when idle */
	__u64 deactivations;
	/** @fw_wakeups: times the firmware thread woke or polled */
	__u64 fw_wakeups;
	/** @fw_tid: the firmware thread's TID (its CPU time: /proc/TID/schedstat) */
	__u32 fw_tid;
	/** @fw_policy: SIMGPU_USERQ_FW_* in use (not DEFAULT) */
	__u32 fw_policy;
	__u32 poll_interval_us;
	__u32 idle_timeout_us;
	__u32 engine;
	__u32 ring_size;
	/** @first_seqno: in: the first record wanted */
	__u64 first_seqno;
	/** @records: in: user pointer to @record_count records, or 0 */
	__u64 records;
	/** @record_count: in: 0..dev_info.userq_record_ring_size */
	__u32 record_count;
	/** @record_size: in: sizeof(struct drm_simgpu_userq_job_record) */
	__u32 record_size;
};

/* struct drm_simgpu_userq_bridge.op */
/*
 * When sync object @offset reaches @value, signal DRM syncobj @handle
 * (binary, or timeline @point). The syncobj gets its fence at once, so
 * kernel submissions made after the ioctl can wait on it.
 */
#define SIMGPU_USERQ_BRIDGE_TO_SYNCOBJ		0
/*
 * When DRM syncobj @handle (or timeline @point) signals, set sync object
 * @offset to @value, so user jobs can wait on kernel work. The syncobj
 * must already have its fence (-ENOENT otherwise).
 */
#define SIMGPU_USERQ_BRIDGE_FROM_SYNCOBJ	1

/**
 * struct drm_simgpu_userq_bridge - DRM_IOCTL_SIMGPU_USERQ_BRIDGE
 *
 * The RFC's XGS queue entries. A TO_SYNCOBJ fence never depends on a
 * timer for correctness: it signals when the value is reached, or with an
 * error when the queue faults (a stall included) or is destroyed.
 *
 * @queue_id: the queue whose sync BO holds the object
 * @op: SIMGPU_USERQ_BRIDGE_*
 * @offset: 8-byte aligned byte offset in the sync BO
 * @value: TO: the value awaited; FROM: the value written
 * @handle: DRM syncobj handle
 * @flags: SIMGPU_SYNC_TIMELINE or 0
 * @point: with SIMGPU_SYNC_TIMELINE the timeline point (>= 1), else 0
 */
struct drm_simgpu_userq_bridge {
	__u32 queue_id;
	__u32 op;
	__u64 offset;
	__u64 value;
	__u32 handle;
	__u32 flags;
	__u64 point;
};

/**
 * struct drm_simgpu_userq_sync_update - DRM_IOCTL_SIMGPU_USERQ_SYNC_UPDATE
 *
 * The CPU changed sync objects of the queue's sync BO: re-check waiters,
 * bridges and jobs blocked on a wait (the RFC's SYNC_UPDATE). Engine
 * writes need no such call.
 *
 * @queue_id: the queue
 * @flags: must be 0
 */
struct drm_simgpu_userq_sync_update {
	__u32 queue_id;
	__u32 flags;
};

#define DRM_IOCTL_SIMGPU(dir, name, type) \
	DRM_IO##dir(DRM_COMMAND_BASE + DRM_SIMGPU_##name, type)

#define DRM_IOCTL_SIMGPU_DEV_QUERY \
	DRM_IOCTL_SIMGPU(WR, DEV_QUERY, struct drm_simgpu_dev_query)
#define DRM_IOCTL_SIMGPU_BO_CREATE \
	DRM_IOCTL_SIMGPU(WR, BO_CREATE, struct drm_simgpu_bo_create)
#define DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET \
	DRM_IOCTL_SIMGPU(WR, BO_MMAP_OFFSET, struct drm_simgpu_bo_mmap_offset)
#define DRM_IOCTL_SIMGPU_QUEUE_CREATE \
	DRM_IOCTL_SIMGPU(WR, QUEUE_CREATE, struct drm_simgpu_queue_create)
#define DRM_IOCTL_SIMGPU_QUEUE_DESTROY \
	DRM_IOCTL_SIMGPU(W, QUEUE_DESTROY, struct drm_simgpu_queue_destroy)
#define DRM_IOCTL_SIMGPU_QUEUE_QUERY \
	DRM_IOCTL_SIMGPU(WR, QUEUE_QUERY, struct drm_simgpu_queue_query)
#define DRM_IOCTL_SIMGPU_SUBMIT \
	DRM_IOCTL_SIMGPU(WR, SUBMIT, struct drm_simgpu_submit)
#define DRM_IOCTL_SIMGPU_JOB_QUERY \
	DRM_IOCTL_SIMGPU(W, JOB_QUERY, struct drm_simgpu_job_query)
#define DRM_IOCTL_SIMGPU_VM_CREATE \
	DRM_IOCTL_SIMGPU(WR, VM_CREATE, struct drm_simgpu_vm_create)
#define DRM_IOCTL_SIMGPU_VM_DESTROY \
	DRM_IOCTL_SIMGPU(W, VM_DESTROY, struct drm_simgpu_vm_destroy)
/* VM_BIND was W before @seqno was appended; the kernel accepts both. */
#define DRM_IOCTL_SIMGPU_VM_BIND \
	DRM_IOCTL_SIMGPU(WR, VM_BIND, struct drm_simgpu_vm_bind)
#define DRM_IOCTL_SIMGPU_VM_QUERY \
	DRM_IOCTL_SIMGPU(WR, VM_QUERY, struct drm_simgpu_vm_query)
#define DRM_IOCTL_SIMGPU_USERQ_CREATE \
	DRM_IOCTL_SIMGPU(WR, USERQ_CREATE, struct drm_simgpu_userq_create)
#define DRM_IOCTL_SIMGPU_USERQ_DESTROY \
	DRM_IOCTL_SIMGPU(W, USERQ_DESTROY, struct drm_simgpu_userq_destroy)
#define DRM_IOCTL_SIMGPU_USERQ_KICK \
	DRM_IOCTL_SIMGPU(W, USERQ_KICK, struct drm_simgpu_userq_kick)
#define DRM_IOCTL_SIMGPU_USERQ_WAIT \
	DRM_IOCTL_SIMGPU(WR, USERQ_WAIT, struct drm_simgpu_userq_wait)
#define DRM_IOCTL_SIMGPU_USERQ_QUERY \
	DRM_IOCTL_SIMGPU(WR, USERQ_QUERY, struct drm_simgpu_userq_query)
#define DRM_IOCTL_SIMGPU_USERQ_BRIDGE \
	DRM_IOCTL_SIMGPU(W, USERQ_BRIDGE, struct drm_simgpu_userq_bridge)
#define DRM_IOCTL_SIMGPU_USERQ_SYNC_UPDATE \
	DRM_IOCTL_SIMGPU(W, USERQ_SYNC_UPDATE, struct drm_simgpu_userq_sync_update)
#define DRM_IOCTL_SIMGPU_VM_BIND_QUERY \
	DRM_IOCTL_SIMGPU(W, VM_BIND_QUERY, struct drm_simgpu_vm_bind_query)

#if defined(__cplusplus)
}
#endif

#endif /* _SIMGPU_DRM_H_ */
