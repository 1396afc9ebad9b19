/* SPDX-License-Identifier: MIT */
/*
 * helpers: what several of simgpu's test files use: ioctl wrappers that
 * return 0 or -errno, syncobj waits with a hang deadline, VM and user-queue
 * helpers, the module's knobs, and the device fixture every test runs in
 * (helpers.c). The fixture opens the device in the test's own process:
 * @fd and @info are that process's.
 */
#ifndef HELPERS_H
#define HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xf86drm.h>
#include <drm/simgpu_drm.h>

#include "harness.h"

/* bookworm's libdrm predates DRM_IOCTL_SYNCOBJ_EVENTFD: the kernel ABI. */
struct simgpu_test_syncobj_eventfd {
	uint32_t handle;
	uint32_t flags;
	uint64_t point;
	int32_t fd;
	uint32_t pad;
};
#define SIMGPU_TEST_IOCTL_SYNCOBJ_EVENTFD \
	DRM_IOWR(0xCF, struct simgpu_test_syncobj_eventfd)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MS (1000ull * 1000ull)
/* Only a hang takes this long: TCG guests are slow, never this slow. */
#define HANG_NS (20000ull * MS)

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)
/* Tests keep the low 4 GiB for the kernel, as a driver would. */
#define VM_KERNEL_SIZE (4 * GiB)
#define VA0 (8 * GiB)

#define VM_REQUIRE() do { \
	if (!(info.features & SIMGPU_FEATURE_VM_BIND)) \
		return vm_unsupported(); \
} while (0)

#define MAPS_BO(vm, va, h, off, ps) translates(vm, va, SIMGPU_VM_MAPPING_BO, h, off, ps)
#define UNMAPPED(vm, va) translates(vm, va, SIMGPU_VM_MAPPING_NONE, 0, 0, 0)
#define MAPS_NULL(vm, va) translates(vm, va, SIMGPU_VM_MAPPING_NULL, 0, 0, 0)

#define SYNC_BO_SIZE 4096ull
#define STALL_KNOB PARAM_DIR "/userq_stall_timeout_ms"

/* A user queue as userspace sees it: its three mappings and its sync BO. */
struct uq {
	int f;
	uint32_t id;
	uint32_t sync_handle;
	bool own_sync;
	uint32_t ring_size;
	struct drm_simgpu_userq_job *ring;
	struct drm_simgpu_userq_io *io;
	volatile uint32_t *bell;
	uint64_t *sync;
	int efd;
	uint64_t next_insert;
};

struct uq_opts {
	uint32_t policy;
	uint32_t ring_size;
	uint32_t idle_timeout_us;
	uint32_t sync_handle;		/* 0: a new sync BO */
	bool eventfd;
};

#define USERQ_REQUIRE() do { \
	if (!(info.features & SIMGPU_FEATURE_USER_QUEUES)) \
		return why(SKIP, "user queues unsupported (SIMGPU_FEATURE_USER_QUEUES is 0)"); \
} while (0)

/* Test-only knobs: debugfs where the module has them, else parameters. */
#define DEBUGFS_DIR "/sys/kernel/debug/simgpu"
#define PARAM_DIR "/sys/module/simgpu/parameters"
#define PT_FAIL_KNOB DEBUGFS_DIR "/test_pt_alloc_fail_after"
#define INFLIGHT_KNOB PARAM_DIR "/vm_max_inflight_pages"
#define PT_VM_KNOB PARAM_DIR "/vm_max_pt_pages"
#define PT_TOTAL_KNOB PARAM_DIR "/vm_max_pt_pages_total"
#define STALL_TEST_MS 300
#define USERQ_TOTAL_KNOB PARAM_DIR "/userq_max_total"
#define OWN_SCHED_TOTAL_KNOB PARAM_DIR "/own_sched_max_total"

/*
 * Bad-input tables: each case sets up to two fields of a known-good ioctl
 * argument and names the errno the ioctl must return, e.g.
 *
 *	{ "unknown flag", { SET(struct drm_simgpu_queue_create, flags, 1u << 31) }, -EINVAL },
 *
 * run_bad_cases() copies @good into @target before each case (the struct
 * the fields belong to; @arg is what the ioctl gets, which may point to
 * it), and counts each case as one check.
 */
struct bad_field {
	size_t off, size;	/* size 0: no field */
	uint64_t value;
};

struct bad_case {
	const char *what;
	struct bad_field set[2];
	int err;
};

#define SET(type, field, v) \
	{ offsetof(type, field), sizeof(((type *)0)->field), (uint64_t)(v) }

enum result run_bad_cases(int f, unsigned long req, void *arg, void *target,
			  const void *good, size_t size,
			  const struct bad_case *cases, size_t n);

#define CHECK_BAD_CASES(req, arg, target, good, cases) do { \
	enum result r_ = run_bad_cases(fd, req, arg, target, good, \
				       sizeof(*(target)), cases, \
				       ARRAY_SIZE(cases)); \
	if (r_ != PASS) \
		return r_; \
} while (0)

/* The test's device fd and what DEV_QUERY said (the fixture sets both). */
extern int fd;
extern struct drm_simgpu_dev_info info;
extern const struct harness_fixture simgpu_fixture;

/* The first render node whose driver is simgpu, or -1 (simgpu-fuzz.h). */
int open_simgpu(void);

int sg_ioctl(int f, unsigned long req, void *arg);
uint64_t now_ns(void);
int queue_create(int f, uint32_t engine, uint32_t prio, uint32_t flags,
	uint64_t timeout_ns, uint32_t *id);
int queue_destroy(int f, uint32_t id);
int queue_query(int f, uint32_t id, struct drm_simgpu_queue_query *q);
int submit(int f, uint32_t queue, struct drm_simgpu_job *jobs,
	uint32_t n, uint64_t *first);
int submit_one(int f, uint32_t queue, uint64_t duration_ns,
	uint32_t out, uint64_t *seqno);
int job_query(int f, uint32_t queue, uint64_t seqno, uint32_t count,
	struct drm_simgpu_job_record *recs);
int wait_syncobj(uint32_t h);
int wait_point(uint32_t h, uint64_t point);
uint32_t syncobj(void);
int wait_seqno(int f, uint32_t queue, uint64_t seqno);
bool record_ordered(const struct drm_simgpu_job_record *r);
enum result vm_unsupported(void);
int vm_create(int f, uint32_t flags, uint32_t prealloc, uint32_t *id);
int vm_destroy(int f, uint32_t id);
int vm_bind(int f, uint32_t id, struct drm_simgpu_vm_bind_op *ops, uint32_t n);
int vm_query(int f, uint32_t id, uint64_t va, struct drm_simgpu_vm_query *q);
struct drm_simgpu_vm_bind_op op_map(uint32_t h, uint64_t off, uint64_t va, uint64_t size);
struct drm_simgpu_vm_bind_op op_null(uint64_t va, uint64_t size);
struct drm_simgpu_vm_bind_op op_unmap(uint64_t va, uint64_t size);
uint32_t bo(uint64_t size);
void bo_close(uint32_t h);
bool translates(uint32_t vm, uint64_t va, uint32_t mapping,
	uint32_t handle, uint64_t off, uint64_t page_size);
uint64_t vm_mappings(uint32_t vm);
uint64_t dev_tables_live(void);
int pt_fail_after(int n);
int vm_bind_async(int f, uint32_t id, struct drm_simgpu_vm_bind_op *ops, uint32_t n,
	struct drm_simgpu_sync *syncs, uint32_t nsyncs, uint32_t flags);
int set_knob(const char *path, unsigned long v);
int vm_bind_seq(int f, uint32_t id, struct drm_simgpu_vm_bind_op *ops, uint32_t n,
	struct drm_simgpu_sync *syncs, uint32_t nsyncs, uint32_t flags,
	uint64_t *seqno);
int bind_query(int f, uint32_t vm, uint64_t seqno, uint32_t count,
	struct drm_simgpu_vm_bind_record *recs);
bool bind_record_ordered(const struct drm_simgpu_vm_bind_record *r);
int queue_create_vm(int f, uint32_t vm, uint32_t *id);
int userq_create(int f, struct drm_simgpu_userq_create *c);
int userq_destroy(int f, uint32_t id);
int userq_kick(int f, uint32_t id);
int userq_query(int f, uint32_t id, struct drm_simgpu_userq_query *q);
int userq_records(int f, uint32_t id, uint64_t seqno, uint32_t n,
	struct drm_simgpu_userq_job_record *recs);
int userq_wait(int f, uint32_t id, uint64_t offset, uint64_t value,
	int64_t deadline, uint64_t *current);
int userq_bridge(int f, uint32_t id, uint32_t op, uint64_t offset,
	uint64_t value, uint32_t handle, uint64_t point);
int userq_sync_update(int f, uint32_t id);
void *map(int f, uint64_t offset, size_t size);
uint32_t bo_on(int f, uint64_t size);
void *bo_map(int f, uint32_t h, uint64_t size);
void uq_close(struct uq *q);
int uq_open(struct uq *q, int f, const struct uq_opts *o);
int uq_ring(struct uq *q, uint64_t insert, bool kick);
uint64_t uq_push(struct uq *q, const struct drm_simgpu_userq_job *job,
	bool kick);
struct drm_simgpu_userq_job uq_job(uint64_t duration_ns,
	uint64_t offset, uint64_t value);
int uq_spin(struct uq *q, uint64_t offset, uint64_t value);
int uq_wait_state(struct uq *q, uint32_t state);
bool userq_record_ordered(const struct drm_simgpu_userq_job_record *r);
int efd_wait(int efd);
int set_stall_ms(unsigned long ms);
int sync_file_timeline(int sf, char *name, size_t len);
bool fd_signalled(int f, int timeout_ms);
long module_refcnt(void);
long refcnt_drops_below(long n);
void pin_self(int cpu);
long read_knob(const char *path);
void on_alarm(int sig);

#endif
