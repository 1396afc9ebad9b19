/* SPDX-License-Identifier: MIT */
/*
 * drmbench core types: the two extension points (a benchmark descriptor and a
 * backend ops table) and the context a benchmark runs in.
 *
 * Library code returns 0 or -errno and never exits or prints to stdout; a
 * reason for a skip or failure is written into the case's `why` buffer and
 * printed by the CLI.
 */
#ifndef DRMB_H
#define DRMB_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#define DRMB_WHY_LEN 256

struct drmb_case;
struct drmb_samples;
struct drmb_kvlist;

/* ---- parameters ------------------------------------------------------- */

enum drmb_param_type {
	DRMB_PARAM_INT,		/* integer in [min, max]; k/M/G binary suffixes */
	DRMB_PARAM_ENUM,	/* one of .choices */
};

/*
 * A benchmark parameter. The default may be a comma-separated list: every
 * value is run as its own case (a sweep), and so may a -p value.
 */
struct drmb_param {
	const char *name;
	enum drmb_param_type type;
	const char *def;
	const char *help;
	int64_t min, max;			/* DRMB_PARAM_INT */
	const char *const *choices;		/* DRMB_PARAM_ENUM, NULL-ended */
	/*
	 * Left out of the case name while the value is the default: a
	 * parameter added after results were stored keeps their names, so
	 * compare and trend still pair old and new results.
	 */
	bool unnamed_at_default;
};

#define DRMB_MAX_PARAMS 12

/* ---- backends ---------------------------------------------------------- */

/*
 * Capability groups. A backend says what it can do by which group tables
 * it fills in: a non-NULL table IS the capability, and a benchmark says
 * which groups it needs (struct drmb_bench .needs). An opened device may
 * withdraw a group it turns out not to have (an old kernel, a host without
 * 3D) with drmb_device_withdraw() and one reason; the SKIP prints it.
 */
enum drmb_group {
	DRMB_GROUP_NOP,			/* the cheapest call into the driver */
	DRMB_GROUP_SYNCOBJ,		/* binary syncobjs */
	DRMB_GROUP_TIMELINE,		/* timeline points on syncobjs */
	DRMB_GROUP_SYNCOBJ_EVENTFD,	/* SYNCOBJ_EVENTFD (6.6+) */
	DRMB_GROUP_SYNC_FILE,		/* fences as sync_file fds */
	DRMB_GROUP_DMABUF_FENCE,	/* fences in a dma-buf's reservation */
	DRMB_GROUP_SUBMIT,		/* kernel job queues */
	DRMB_GROUP_STAGE_RECORDS,	/* per-job stage timestamps */
	DRMB_GROUP_VM_BIND,		/* BOs and synchronous VM_BIND */
	DRMB_GROUP_VM_BIND_ASYNC,	/* queued binds and their stage records */
	DRMB_GROUP_USERQ,		/* user-mode submission queues */
	DRMB_GROUP_USERQ_BRIDGE,	/* user-queue sync objects <-> syncobjs */
	DRMB_GROUP_NR,
};

#define DRMB_NEEDS(g) (1u << (g))

/* Parameter-style names of the groups ("vm-bind"), by enum drmb_group. */
extern const char *const drmb_group_names[];

/* An open DRM device, filled in by a backend's open(). */
struct drmb_device {
	int fd;				/* render node, or -1 for none */
	char node[64];			/* /dev/dri/renderD128 */
	char driver[32];		/* drmGetVersion()->name */
	/* DRMB_NEEDS() of the backend's groups this device has not withdrawn. */
	uint32_t groups;
	/* Why a group was withdrawn, by enum drmb_group ("" if it was not). */
	char withdrawn[DRMB_GROUP_NR][DRMB_WHY_LEN];
	void *priv;			/* backend private state */
	const struct drmb_backend *backend;
};

/* Per-run metrics a case may add (page-table counters + stage medians). */
#define DRMB_MAX_METRICS 16

/* A queue of a backend that can submit work (simgpu, virtio-gpu). */
struct drmb_queue_opts {
	uint32_t engine;
	uint32_t priority;		/* 0 low, 1 normal, 2 high */
	/* Own scheduler (firmware style); the rest only applies with it. */
	int own_sched;
	uint32_t credit_limit;		/* 0 = driver default */
	uint64_t timeout_ns;		/* 0 = driver default */
	uint32_t submit_wq;		/* backend-specific, 0 = default */
};

/* One job of a submit batch. */
struct drmb_job {
	uint64_t duration_ns;		/* engine time; 0 = complete at once */
	uint32_t wait_syncobj;		/* 0 = none */
	uint64_t wait_point;		/* 0 = binary */
	uint32_t signal_syncobj;	/* 0 = none */
	uint64_t signal_point;		/* 0 = binary */
	int in_fence_fd;		/* -1 = none */
	int want_out_fence;
	int out_fence_fd;		/* out: sync_file fd, else -1 */
};

/* Kernel-side stage timestamps of one job, CLOCK_MONOTONIC ns (0 = unknown). */
struct drmb_job_times {
	uint64_t ioctl_ns, run_job_ns, engine_start_ns, signal_ns;
};

/* GPU VA spaces (VM_BIND). Page-table preallocation policies: */
enum drmb_vm_prealloc {
	DRMB_VM_PREALLOC_DEFAULT,	/* the driver's default */
	DRMB_VM_PREALLOC_NONE,		/* tables allocated while binding */
	DRMB_VM_PREALLOC_PER_OP,	/* worst case reserved per op */
	DRMB_VM_PREALLOC_BATCHED,	/* reserved per batch, shared spans */
};

struct drmb_vm_opts {
	enum drmb_vm_prealloc prealloc;
	int huge;			/* allow 2 MiB block mappings */
};

enum drmb_vm_op_type { DRMB_VM_MAP, DRMB_VM_MAP_NULL, DRMB_VM_UNMAP };

/* One op of a vm_bind() batch; bo and bo_offset only for DRMB_VM_MAP. */
struct drmb_vm_op {
	enum drmb_vm_op_type type;
	uint32_t bo;
	uint64_t bo_offset;
	uint64_t va;
	uint64_t size;
};

/*
 * Kernel-side stage timestamps of one bind, CLOCK_MONOTONIC ns (0 = not
 * reached): the ioctl entered the driver, the bind ran (its job's run_job,
 * or a synchronous bind began applying), the page tables were updated, the
 * fence of its signal syncobjs signalled (synchronous: = pt_done_ns).
 */
struct drmb_bind_times {
	uint64_t ioctl_ns, run_ns, pt_done_ns, signal_ns;
};

/* A VM's page-table counters since it was created. */
struct drmb_vm_stats {
	uint64_t mappings;
	uint64_t tables_live;
	uint64_t tables_preallocated;
	uint64_t tables_prealloc_used;
	uint64_t tables_returned;
	uint64_t tables_allocated_late;
	uint64_t tables_freed;
	uint64_t prealloc_ns;
	uint64_t apply_ns;		/* applying ops, after checks and prealloc */
};

/*
 * User-mode submission queues (panthor's user-submission model): userspace
 * writes job descriptors into a mapped ring and rings a doorbell, a
 * firmware notices it and runs the jobs, and completion is a 64-bit value
 * written into a mapped sync object. No ioctl on the hot path unless the
 * firmware must be kicked.
 */

/* How the firmware notices a doorbell. */
enum drmb_fw_policy {
	DRMB_FW_DEFAULT,	/* the driver's default */
	DRMB_FW_BUSY,		/* spins on the doorbell */
	DRMB_FW_POLL,		/* looks every poll_interval_us */
	DRMB_FW_SLEEP,		/* sleeps until kicked: one ioctl per submission */
};

/* Parameter spellings of DRMB_FW_*, in enum order, NULL-ended. */
extern const char *const drmb_fw_policy_names[];

struct drmb_userq_opts {
	uint32_t engine;
	uint32_t ring_size;		/* bytes, a power of two */
	enum drmb_fw_policy fw_policy;
	uint32_t poll_interval_us;	/* DRMB_FW_POLL only; 0 = driver default */
	uint32_t idle_timeout_us;	/* idle time before inactive; 0 = default */
	unsigned int nsyncs;		/* 64-bit sync objects the queue may use */
	int want_eventfd;		/* notify jobs signal q->eventfd */
};

/* A queue as the benchmark sees it; the backend fills it at create. */
struct drmb_userq {
	uint32_t id;
	unsigned int ring_jobs;		/* descriptors the ring holds */
	unsigned int nsyncs;
	int eventfd;			/* -1 without want_eventfd */
	enum drmb_fw_policy fw_policy;	/* in use (never DEFAULT) */
	void *priv;			/* backend private state */
};

/* One job of a userq_submit() batch. */
struct drmb_userq_job {
	uint64_t duration_ns;		/* engine time */
	unsigned int signal_sync;	/* sync object set on completion */
	uint64_t signal_value;		/* ... to this; values never go back */
	int wait;			/* first wait for wait_sync >= wait_value */
	unsigned int wait_sync;
	uint64_t wait_value;
	int notify;			/* on completion also signal q->eventfd */
};

enum drmb_userq_wait {
	DRMB_USERQ_WAIT_SPIN,		/* load the mapped value until reached */
	DRMB_USERQ_WAIT_IOCTL,		/* sleep in the driver's wait ioctl */
	DRMB_USERQ_WAIT_EVENTFD,	/* block reading q->eventfd (notify jobs) */
};

extern const char *const drmb_userq_wait_names[];

/* Bridges between a sync object and a DRM syncobj (panthor's XGS queues). */
enum drmb_userq_bridge_dir {
	/* When sync >= value, signal the syncobj (point 0: binary). */
	DRMB_BRIDGE_TO_SYNCOBJ,
	/* When the syncobj (point) signals, set sync to value. */
	DRMB_BRIDGE_FROM_SYNCOBJ,
};

/* A user job's stages, CLOCK_MONOTONIC ns (0 = unknown). */
struct drmb_userq_times {
	uint64_t seen_ns;		/* the firmware took it from the ring */
	uint64_t engine_start_ns;	/* its wait met, the engine started it */
	uint64_t engine_end_ns;
	uint64_t complete_ns;		/* the signal value was written */
};

/* A queue's counters since creation. */
struct drmb_userq_stats {
	/* CPU time of the queue's firmware thread; -1 when unknown. */
	int64_t fw_cpu_ns;
	int fw_tid;			/* the firmware thread, 0 = none or unknown */
	uint64_t doorbells;		/* doorbell changes the firmware noticed */
	uint64_t kicks;			/* kick ioctls */
	uint64_t deactivations;		/* times it went inactive when idle */
	uint64_t fw_wakeups;		/* firmware wakeups or polls */
	uint64_t completed_seqno;
};

/*
 * The group tables. Every op returns 0 or -errno; benchmarks call them
 * through the wrappers in backend.h, never directly. Ops marked optional
 * may be NULL in a table that is present: the wrapper returns -EOPNOTSUPP.
 */
struct drmb_nop_ops {
	int (*nop)(struct drmb_device *dev);
};

/*
 * Syncobj handles and DRM_SYNCOBJ_* flag values as in the kernel's uAPI
 * (drm.h), whoever implements them. Timeouts are absolute CLOCK_MONOTONIC ns.
 */
struct drmb_syncobj_ops {
	int (*create)(struct drmb_device *dev, uint32_t flags, uint32_t *handle);
	void (*destroy)(struct drmb_device *dev, uint32_t handle);
	int (*reset)(struct drmb_device *dev, const uint32_t *handles, unsigned int n);
	int (*signal)(struct drmb_device *dev, const uint32_t *handles, unsigned int n);
	int (*wait)(struct drmb_device *dev, uint32_t *handles, unsigned int n,
		    int64_t timeout_ns, uint32_t flags, uint32_t *first);
};

struct drmb_timeline_ops {
	int (*signal)(struct drmb_device *dev, const uint32_t *handles,
		      const uint64_t *points, unsigned int n);
	int (*wait)(struct drmb_device *dev, uint32_t *handles, uint64_t *points,
		    unsigned int n, int64_t timeout_ns, uint32_t flags, uint32_t *first);
	int (*query)(struct drmb_device *dev, uint32_t *handles, uint64_t *points,
		     unsigned int n);
	/* point 0: binary. */
	int (*transfer)(struct drmb_device *dev, uint32_t dst, uint64_t dst_point,
			uint32_t src, uint64_t src_point, uint32_t flags);
};

struct drmb_syncobj_eventfd_ops {
	/* efd is signalled once point (0: binary) signals (flags: WAIT_AVAILABLE). */
	int (*eventfd)(struct drmb_device *dev, uint32_t handle, uint64_t point,
		       int efd, uint32_t flags);
};

/* Syncobj <-> sync_file; with SUBMIT also in/out fence fds on jobs. */
struct drmb_sync_file_ops {
	int (*import)(struct drmb_device *dev, uint32_t handle, int sync_file);
	int (*export)(struct drmb_device *dev, uint32_t handle, int *sync_file);
};

/* Fences in a BO's reservation object, signalled by the CPU (vgem). */
struct drmb_dmabuf_fence_ops {
	/* A small BO and its dma-buf fd. */
	int (*bo_create)(struct drmb_device *dev, uint32_t *bo, int *dmabuf);
	void (*bo_destroy)(struct drmb_device *dev, uint32_t bo);
	int (*attach)(struct drmb_device *dev, uint32_t bo, uint32_t *fence);
	int (*signal)(struct drmb_device *dev, uint32_t fence);
};

struct drmb_submit_ops {
	int (*queue_create)(struct drmb_device *dev, const struct drmb_queue_opts *o,
			    uint32_t *queue, char *why, size_t whylen);
	void (*queue_destroy)(struct drmb_device *dev, uint32_t queue);
	/* Jobs run in array order; *first_seqno numbers them for job_times(). */
	int (*submit)(struct drmb_device *dev, uint32_t queue, struct drmb_job *jobs,
		      unsigned int njobs, uint64_t *first_seqno);
	/* Largest batch submit() takes. */
	unsigned int (*max_batch)(struct drmb_device *dev);
	/* Non-zero: submit() honours duration_ns (else duration 0 only). */
	int durations;
};

struct drmb_stage_records_ops {
	/* -EBUSY while the job has not completed. */
	int (*job_times)(struct drmb_device *dev, uint32_t queue, uint64_t seqno,
			 struct drmb_job_times *t);
};

/*
 * BOs, and VA spaces bound synchronously (vm_bind returns once the page
 * tables are updated). first_va() is the lowest VA the benchmarks may bind;
 * max_ops() the largest vm_bind() batch.
 */
struct drmb_vm_bind_ops {
	int (*bo_create)(struct drmb_device *dev, uint64_t size, uint32_t *bo);
	void (*bo_destroy)(struct drmb_device *dev, uint32_t bo);
	int (*vm_create)(struct drmb_device *dev, const struct drmb_vm_opts *o,
			 uint32_t *vm, char *why, size_t whylen);
	void (*vm_destroy)(struct drmb_device *dev, uint32_t vm);
	/* *seqno (if not NULL): the bind's number for bind_times(). */
	int (*vm_bind)(struct drmb_device *dev, uint32_t vm,
		       const struct drmb_vm_op *ops, unsigned int nops,
		       uint64_t *seqno);
	int (*vm_stats)(struct drmb_device *dev, uint32_t vm, struct drmb_vm_stats *st);
	uint64_t (*first_va)(struct drmb_device *dev);
	unsigned int (*max_ops)(struct drmb_device *dev);
};

struct drmb_vm_bind_async_ops {
	/*
	 * Queue the batch on the VM's bind queue after binary syncobj @wait
	 * (0: none) signalled; @signal (0: none) signals once the page tables
	 * are updated. Returns once queued.
	 */
	int (*vm_bind)(struct drmb_device *dev, uint32_t vm,
		       const struct drmb_vm_op *ops, unsigned int nops,
		       uint32_t wait, uint32_t signal, uint64_t *seqno);
	/*
	 * The stage times of bind @seqno of @vm (either kind); -EBUSY while
	 * its fence has not signalled, the bind's error if it failed.
	 */
	int (*bind_times)(struct drmb_device *dev, uint32_t vm, uint64_t seqno,
			  struct drmb_bind_times *t);
};

/*
 * User-mode submission queues. submit() writes the descriptors, publishes
 * them, rings the doorbell and kicks the firmware when the queue went
 * inactive (or only wakes when kicked); -EAGAIN when the ring lacks room
 * for the batch, -EIO once the queue faulted. *first_seqno numbers the jobs
 * for job_times(). wait() returns 0 once sync >= value, -ETIME after
 * timeout_ns, -EIO if the queue faulted first.
 */
struct drmb_userq_ops {
	int (*create)(struct drmb_device *dev, const struct drmb_userq_opts *o,
		      struct drmb_userq *q, char *why, size_t whylen);
	void (*destroy)(struct drmb_device *dev, struct drmb_userq *q);
	int (*submit)(struct drmb_device *dev, struct drmb_userq *q,
		      const struct drmb_userq_job *jobs, unsigned int njobs,
		      uint64_t *first_seqno);
	int (*wait)(struct drmb_device *dev, struct drmb_userq *q, unsigned int sync,
		    uint64_t value, enum drmb_userq_wait how, uint64_t timeout_ns);
	/* Optional. */
	int (*job_times)(struct drmb_device *dev, struct drmb_userq *q, uint64_t seqno,
			 struct drmb_userq_times *t);
	int (*stats)(struct drmb_device *dev, struct drmb_userq *q,
		     struct drmb_userq_stats *st);
};

struct drmb_userq_bridge_ops {
	int (*bridge)(struct drmb_device *dev, struct drmb_userq *q,
		      enum drmb_userq_bridge_dir dir, unsigned int sync, uint64_t value,
		      uint32_t syncobj, uint64_t point);
};

enum {
	/*
	 * Used only when -b names it: never chosen for a benchmark by itself,
	 * so its figures never stand in for a device's.
	 */
	DRMB_BACKEND_EXPLICIT = 1u << 0,
};

/*
 * The backend: one const instance per file in bench/backends/, listed in
 * drmb_backends[]. open() returns -ENODEV/-EOPNOTSUPP with a reason in why
 * when the device is missing: the case is a SKIP. The runner picks, per
 * case, the first backend of the table whose opened device has every group
 * the case needs.
 */
struct drmb_backend {
	const char *name;
	const char *summary;
	const char *driver;		/* DRM driver name it binds to, NULL = any */
	unsigned int flags;		/* DRMB_BACKEND_* */
	int (*open)(struct drmb_device *dev, char *why, size_t whylen);
	void (*close)(struct drmb_device *dev);
	/* Optional: configuration keys for the result (versions, tunables). */
	int (*describe)(struct drmb_device *dev, struct drmb_kvlist *kv);
	/* The capability groups, NULL = absent. */
	const struct drmb_nop_ops *nop;
	const struct drmb_syncobj_ops *syncobj;
	const struct drmb_timeline_ops *timeline;
	const struct drmb_syncobj_eventfd_ops *syncobj_eventfd;
	const struct drmb_sync_file_ops *sync_file;
	const struct drmb_dmabuf_fence_ops *dmabuf_fence;
	const struct drmb_submit_ops *submit;
	const struct drmb_stage_records_ops *stage_records;
	const struct drmb_vm_bind_ops *vm_bind;
	const struct drmb_vm_bind_async_ops *vm_bind_async;
	const struct drmb_userq_ops *userq;
	const struct drmb_userq_bridge_ops *userq_bridge;
};

extern const struct drmb_backend *const drmb_backends[];
const struct drmb_backend *drmb_backend_find(const char *name);

/* ---- benchmarks -------------------------------------------------------- */

enum {
	/* Two threads (signaller and waiter): placement applies. */
	DRMB_BENCH_TWO_THREADS = 1u << 0,
	/* Samples are latencies judged against the futex floor of this run. */
	DRMB_BENCH_FLOOR_RATIO = 1u << 1,
	/* Needs a device: one whose backend has the groups in .needs. */
	DRMB_BENCH_NEEDS_DEVICE = 1u << 2,
	/* Samples time batches of ops: also report ops/s. */
	DRMB_BENCH_THROUGHPUT = 1u << 3,
};

/*
 * A benchmark: one file in bench/benches/ ending in one const descriptor,
 * listed once in bench/benches/benches.h. The harness expands every
 * parameter sweep into cases; per case it calls requires(), setup(), a
 * warm-up run(), the measured run()s, then teardown().
 */
struct drmb_bench {
	const char *name;		/* CLI name: "syncobj-wake" */
	const char *id;			/* result name: "SyncobjWake" */
	const char *summary;
	/* What the p50 means, for the summary line ("harness overhead"). */
	const char *headline;
	unsigned int flags;
	uint32_t needs;			/* DRMB_NEEDS() of every group it uses */
	/* Optional: groups only some cases use (the case's params are set). */
	uint32_t (*case_needs)(const struct drmb_case *c);
	const struct drmb_param *params;	/* NULL-name terminated */
	size_t priv_size;		/* zeroed per case, in c->priv */
	/* -EOPNOTSUPP/-ENODEV + reason in c->why => SKIP. Optional. */
	int (*requires)(struct drmb_case *c);
	int (*setup)(struct drmb_case *c);
	/* One measured pass: fill s (see measure.h). */
	int (*run)(struct drmb_case *c, struct drmb_samples *s);
	void (*teardown)(struct drmb_case *c);
};

extern const struct drmb_bench *const drmb_benches[];
const struct drmb_bench *drmb_bench_find(const char *name);

/* ---- a case: one benchmark with every parameter fixed ----------------- */

struct drmb_case {
	const struct drmb_bench *bench;
	/* Values by index of bench->params; the resolved text is in valstr. */
	int64_t val[DRMB_MAX_PARAMS];
	const char *valstr[DRMB_MAX_PARAMS];
	struct drmb_device *dev;	/* NULL unless DRMB_BENCH_NEEDS_DEVICE */
	const struct drmb_placement *placement;
	const struct drmb_env *env;
	size_t samples;			/* per run, requested */
	uint64_t max_run_ns;		/* stop a run early after this long */
	void *priv;
	char why[DRMB_WHY_LEN];
	/* Extra per-run metrics a run may add with drmb_case_metric(). */
	struct {
		const char *unit;
		double value;
	} metric[DRMB_MAX_METRICS];
	unsigned int nmetrics;
	/* The result file being written (trace files go beside it), or NULL. */
	const char *result_path;
	/* What the case wants the reader told (a file it wrote): summary + comment. */
	char note[DRMB_WHY_LEN];
};

int64_t drmb_case_int(const struct drmb_case *c, const char *param);
const char *drmb_case_str(const struct drmb_case *c, const char *param);
/* Adds (or replaces) a per-run metric such as "ioctl-to-run-ns/op". */
void drmb_case_metric(struct drmb_case *c, const char *unit, double value);
/* Formats a reason into c->why and returns err (for `return drmb_skip(...)`). */
int drmb_why(struct drmb_case *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
