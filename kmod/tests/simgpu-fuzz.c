// SPDX-License-Identifier: MIT
/*
 * simgpu-test --fuzz SECONDS [--seed N] [--ioctls N] [--threads N]
 *
 * An ioctl fuzzer for simgpu and the DRM core paths it reaches (issue 17
 * item 2). Worker threads issue every simgpu ioctl and the DRM core ioctls
 * a simgpu client uses (GEM close, PRIME, syncobjs, sync_file and dma-buf
 * fds) with arguments that are sane (built from live objects), mutated (a
 * few fields flipped or replaced by edge values) or random bytes, and write
 * garbage into mapped user-queue rings, I/O pages, doorbells and sync BOs
 * while the firmware threads run. Meanwhile the main thread interrupts the
 * workers with signals and forks children that work on their own and on the
 * inherited file and are SIGKILLed with work in flight. The run is cut into
 * epochs: each opens fresh files, and ends by closing them with work in
 * flight. docs/simgpu.md "Fuzzing" has the design and its bounds.
 *
 * Each thread draws from its own generator, seeded from --seed and its
 * index, so a seed replays the same choices; the interleaving of threads and
 * the firmware's timing are not reproducible (--threads 1 removes the
 * first). The kernel's verdict is its log: the runner (scripts/vm-run) fails
 * the guest on any WARNING, BUG, Oops or hung task, and on a failed rmmod.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/sync_file.h>

#include <xf86drm.h>
#include <drm/simgpu_drm.h>

#include "simgpu-fuzz.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MS (1000ull * 1000ull)

/* bookworm's libdrm predates DRM_IOCTL_SYNCOBJ_EVENTFD: the kernel ABI. */
struct fz_syncobj_eventfd {
	uint32_t handle;
	uint32_t flags;
	uint64_t point;
	int32_t fd;
	uint32_t pad;
};
#define FZ_IOCTL_SYNCOBJ_EVENTFD DRM_IOWR(0xCF, struct fz_syncobj_eventfd)

/*
 * Bounds that keep the fuzzer from provoking what is not a bug (each is
 * named in docs/simgpu.md "Fuzzing"):
 * - FZ_MAX_CORE_HANDLES: the DRM core's syncobj array ioctls (WAIT,
 *   TIMELINE_WAIT, RESET, SIGNAL, TIMELINE_SIGNAL, QUERY) kmalloc_array()
 *   count_handles entries without __GFP_NOWARN, so a huge count is a page
 *   allocator WARNING by design of the core, not of simgpu.
 * - FZ_MAX_MAP_BO: mapping a shmem BO allocates all its pages, so only BOs
 *   up to this size are pooled (mapped, bound, submitted); bigger ones a
 *   mutated BO_CREATE made are closed at once. The guest has 1 GiB.
 * - FZ_VM_MAX_PT_PAGES: the per-VM page-table cap (module parameter
 *   vm_max_pt_pages, default 128 MiB) is lowered during the run so that
 *   the fuzzer's VMs hold little and reach it often; all VMs together
 *   are bounded by vm_max_pt_pages_total (an eighth of RAM), left as is.
 * - FZ_TRANSFER_FLAGS: SYNCOBJ_TRANSFER gets no flag but WAIT_FOR_SUBMIT.
 *   Debian's 6.12 drm_syncobj_find_fence() returns -EINVAL for unknown
 *   flags without putting the syncobj it has just looked up: a core leak
 *   (7.2 fixed it) that pins simgpu through the syncobj's fence, so rmmod
 *   would fail on every run for a bug that is not simgpu's.
 */
#define FZ_MAX_CORE_HANDLES	64
#define FZ_MAX_MAP_BO		(1ull << 20)
#define FZ_VM_MAX_PT_PAGES	2048
#define FZ_TRANSFER_FLAGS	DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT
#define PT_PAGES_KNOB		"/sys/module/simgpu/parameters/vm_max_pt_pages"

#define POOL		32
#define MAX_UQ		4
#define MAX_VM		4
#define NCTX		2
#define MAX_THREADS	16
#define SCRATCH		(256u << 10)
/* Mappings kept per file for the pokers, unmapped when the file goes. */
#define MAX_MAPS	64
#define MAX_ERRNO	134

/* ---- the operations and their statistics ------------------------------ */

#define OPS(X) \
	X(DEV_QUERY) X(BO_CREATE) X(BO_MMAP_OFFSET) X(QUEUE_CREATE) \
	X(QUEUE_DESTROY) X(QUEUE_QUERY) X(SUBMIT) X(JOB_QUERY) X(VM_CREATE) \
	X(VM_DESTROY) X(VM_BIND) X(VM_QUERY) X(VM_BIND_QUERY) X(USERQ_CREATE) \
	X(USERQ_DESTROY) X(USERQ_KICK) X(USERQ_WAIT) X(USERQ_QUERY) \
	X(USERQ_BRIDGE) X(USERQ_SYNC_UPDATE) X(SIMGPU_UNKNOWN) \
	X(GEM_CLOSE) X(PRIME_HANDLE_TO_FD) X(PRIME_FD_TO_HANDLE) \
	X(SYNCOBJ_CREATE) X(SYNCOBJ_DESTROY) X(SYNCOBJ_WAIT) \
	X(SYNCOBJ_TIMELINE_WAIT) X(SYNCOBJ_RESET) X(SYNCOBJ_SIGNAL) \
	X(SYNCOBJ_TIMELINE_SIGNAL) X(SYNCOBJ_QUERY) X(SYNCOBJ_TRANSFER) \
	X(SYNCOBJ_HANDLE_TO_FD) X(SYNCOBJ_FD_TO_HANDLE) X(SYNCOBJ_EVENTFD) \
	X(GET_CAP) X(VERSION) X(SYNC_MERGE) X(SYNC_FILE_INFO) X(DMABUF_SYNC) \
	X(DMABUF_EXPORT_SYNC_FILE) X(DMABUF_IMPORT_SYNC_FILE)

#define X_ENUM(n) OP_##n,
#define X_NAME(n) #n,
enum op { OPS(X_ENUM) NR_IOCTL_OPS };
static const char *const op_names[] = { OPS(X_NAME) };

/* Shared with forked children, so their ioctls are counted too. */
struct stats {
	uint64_t total;
	uint64_t n[NR_IOCTL_OPS][MAX_ERRNO + 1];
	uint64_t mmaps, mmap_fail, pokes, poke_faults, pushes;
	uint64_t signals, children, ctx_closes, epochs;
};
static struct stats *st;

/* ---- random numbers ----------------------------------------------------- */

struct rng {
	uint64_t s;
};

/* splitmix64: small, fast, and any seed is a good one. */
static uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t below(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

static bool chance(struct rng *r, unsigned int pct)
{
	return below(r, 100) < pct;
}

static const uint64_t edge[] = {
	0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 65, 127, 128, 255, 256,
	1023, 1024, 4095, 4096, 4097, 8192, 65535, 65536, 1u << 20, 1u << 21,
	0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x100000000ull,
	0x100001000ull, 1ull << 47, 1ull << 48, 0x7fffffffffffffffull,
	0x8000000000000000ull, 0xfffffffffffff000ull, ~0ull - 1, ~0ull,
};

/* A value for an integer field: an edge, a small number or any bits. */
static uint64_t anyval(struct rng *r)
{
	switch (below(r, 4)) {
	case 0: return edge[below(r, ARRAY_SIZE(edge))];
	case 1: return below(r, 16);
	case 2: return (uint32_t)rnd(r);
	default: return rnd(r);
	}
}

/* ---- contexts: a DRM file and the objects it holds --------------------- */

struct fuq {
	uint32_t id;
	uint32_t ring_size;
	uint32_t sync_handle;
	uint64_t insert;
	void *ring;
	struct drm_simgpu_userq_io *io;
	volatile uint32_t *bell;
	uint64_t *sync;
};

struct ctx {
	int fd;
	pthread_mutex_t lock;
	uint32_t bo[POOL];
	uint64_t bo_size[POOL];
	uint32_t queue[POOL];
	uint32_t vm[MAX_VM];
	uint32_t syncobj[POOL];
	int fds[POOL];
	struct fuq uq[MAX_UQ];
	int nuq;
	void *map[MAX_MAPS];
	size_t map_len[MAX_MAPS];
	int nmap;
};

struct thr {
	struct rng r;
	struct ctx *ctx;	/* the contexts of this epoch */
	int nctx;
	unsigned char *scratch;	/* SCRATCH bytes, a guard page after it */
	pthread_t tid;
	unsigned int idx;
};

static struct drm_simgpu_dev_info info;
static volatile int stop_epoch;
static volatile int stop_all;
static uint64_t max_ioctls;
static uint64_t deadline_ns;

static __thread sigjmp_buf poke_env;
static __thread volatile int poking;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* ioctl, counted by @op and errno; 0 or -errno (never restarted). */
static int fz_ioctl(enum op op, int f, unsigned long req, void *arg)
{
	int ret = ioctl(f, req, arg);
	int e = ret < 0 ? errno : 0;

	__atomic_fetch_add(&st->n[op][e > MAX_ERRNO || e < 0 ? MAX_ERRNO : e], 1,
			   __ATOMIC_RELAXED);
	__atomic_fetch_add(&st->total, 1, __ATOMIC_RELAXED);
	return -e;
}

/* Pick a live entry of a pool, or now and then something stale or made up. */
static uint32_t pick_u32(struct rng *r, struct ctx *c, const uint32_t *pool, int n)
{
	uint32_t v = 0;
	int i, at = below(r, n);

	if (chance(r, 8))
		return (uint32_t)anyval(r);
	/* The first live entry from a random slot on. */
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < n && !v; i++)
		v = pool[(at + i) % n];
	pthread_mutex_unlock(&c->lock);
	return v ?: (uint32_t)below(r, 8);
}

/* Put @v into a pool slot; returns the value it displaced (0 if none). */
static uint32_t put_u32(struct rng *r, struct ctx *c, uint32_t *pool, int n, uint32_t v)
{
	uint32_t old;
	int i = below(r, n);

	pthread_mutex_lock(&c->lock);
	old = pool[i];
	pool[i] = v;
	pthread_mutex_unlock(&c->lock);
	return old;
}

/* Take an entry out of a pool (the caller destroys it); 0 if none. */
static uint32_t take_u32(struct rng *r, struct ctx *c, uint32_t *pool, int n)
{
	uint32_t v;
	int i = below(r, n);

	pthread_mutex_lock(&c->lock);
	v = pool[i];
	pool[i] = 0;
	pthread_mutex_unlock(&c->lock);
	return v;
}

static int pick_fd(struct rng *r, struct ctx *c)
{
	int v;

	if (chance(r, 5))
		return chance(r, 50) ? -1 : (int)below(r, 64);
	pthread_mutex_lock(&c->lock);
	v = c->fds[below(r, POOL)];
	pthread_mutex_unlock(&c->lock);
	return v > 0 ? v : c->fd;
}

static void put_fd(struct rng *r, struct ctx *c, int v)
{
	int i = below(r, POOL), old;

	pthread_mutex_lock(&c->lock);
	old = c->fds[i];
	c->fds[i] = v;
	pthread_mutex_unlock(&c->lock);
	if (old > 0)
		close(old);
}

static void keep_map(struct ctx *c, void *p, size_t len)
{
	pthread_mutex_lock(&c->lock);
	if (c->nmap < MAX_MAPS) {
		c->map[c->nmap] = p;
		c->map_len[c->nmap++] = len;
		p = NULL;
	}
	pthread_mutex_unlock(&c->lock);
	if (p)
		munmap(p, len);
}

/* ---- argument generation ------------------------------------------------ */

/* Where the kernel may read and write: scratch, ends at a guard page. */
static void *scratch_at(struct thr *t, size_t len)
{
	if (len > SCRATCH)
		len = SCRATCH;
	if (chance(&t->r, 50))
		return t->scratch;
	/* Flush against the guard page: an overrun faults. */
	return t->scratch + ((SCRATCH - len) & ~7u);
}

/*
 * A user pointer the kernel will write @len bytes to: into scratch when
 * that fits, else one that faults (so no write can land on the fuzzer's
 * own memory whatever size a mutation made up).
 */
static uint64_t out_ptr(struct thr *t, uint64_t len)
{
	static const uint64_t bad[] = {
		0, 8, 0xffff888000000000ull, 0xffffffffffffff00ull, 1ull << 47,
	};

	if (len <= SCRATCH && !chance(&t->r, 6))
		return (uintptr_t)scratch_at(t, len);
	if (len <= SCRATCH && chance(&t->r, 50))
		return (uintptr_t)(t->scratch + SCRATCH); /* the guard page */
	return bad[below(&t->r, ARRAY_SIZE(bad))];
}

/*
 * Mutate @len bytes at @p: mostly one to three fields changed, now and then
 * everything random. Pointer fields the kernel writes through are repaired
 * by the caller afterwards.
 */
static bool mutate(struct rng *r, void *p, size_t len)
{
	unsigned char *b = p;
	unsigned int i, n;

	switch (below(r, 10)) {
	case 0: case 1: case 2: case 3: case 4: case 5:
		return false;
	case 9:
		for (i = 0; i < len; i++)
			b[i] = rnd(r);
		return true;
	default:
		n = 1 + below(r, 3);
		for (i = 0; i < n; i++) {
			size_t at = below(r, len / 4) * 4;
			uint64_t v = anyval(r);

			if (chance(r, 40)) {
				b[below(r, len)] ^= 1u << below(r, 8);
			} else if (at + 8 <= len && !(at & 7) && chance(r, 50)) {
				memcpy(b + at, &v, 8);
			} else {
				uint32_t w = v;

				memcpy(b + at, &w, 4);
			}
		}
		return true;
	}
}

static uint64_t duration(struct rng *r)
{
	switch (below(r, 20)) {
	case 0: return anyval(r);
	case 1: return below(r, 30 * MS);
	case 2: return chance(r, 5) ? 2500 * MS : below(r, 5 * MS);
	default: return below(r, 200000);
	}
}

static uint64_t point(struct rng *r)
{
	return chance(r, 10) ? anyval(r) : 1 + below(r, 16);
}

/* A CLOCK_MONOTONIC deadline: mostly now or a few ms ahead, else anything. */
static int64_t deadline(struct rng *r)
{
	switch (below(r, 10)) {
	case 0: return anyval(r);
	case 1: case 2: return 0;
	default: return now_ns() + below(r, 5 * MS);
	}
}

/* ---- the ioctls ----------------------------------------------------------- */

static void op_dev_query(struct thr *t, struct ctx *c)
{
	struct drm_simgpu_dev_query q = {
		.size = chance(&t->r, 80) ? sizeof(info) : below(&t->r, 2 * sizeof(info)),
	};

	mutate(&t->r, &q, sizeof(q));
	q.info = chance(&t->r, 10) ? 0 : out_ptr(t, q.size);
	fz_ioctl(OP_DEV_QUERY, c->fd, DRM_IOCTL_SIMGPU_DEV_QUERY, &q);
}

static void op_bo_create(struct thr *t, struct ctx *c)
{
	struct drm_simgpu_bo_create b = { .size = 4096 << below(&t->r, 5) };
	struct drm_gem_close gc = { 0 };

	mutate(&t->r, &b, sizeof(b));
	if (fz_ioctl(OP_BO_CREATE, c->fd, DRM_IOCTL_SIMGPU_BO_CREATE, &b))
		return;
	if (b.size > FZ_MAX_MAP_BO) {
		gc.handle = b.handle;
		fz_ioctl(OP_GEM_CLOSE, c->fd, DRM_IOCTL_GEM_CLOSE, &gc);
		return;
	}
	pthread_mutex_lock(&c->lock);
	{
		int i = below(&t->r, POOL);

		gc.handle = c->bo[i];
		c->bo[i] = b.handle;
		c->bo_size[i] = b.size;
	}
	pthread_mutex_unlock(&c->lock);
	/* A displaced BO is closed half of the time, else it leaks to close(). */
	if (gc.handle && chance(&t->r, 50))
		fz_ioctl(OP_GEM_CLOSE, c->fd, DRM_IOCTL_GEM_CLOSE, &gc);
}

/* A pooled BO and its size (0, 0 if none). */
static uint32_t pick_bo(struct thr *t, struct ctx *c, uint64_t *size)
{
	int i = below(&t->r, POOL);

	pthread_mutex_lock(&c->lock);
	*size = c->bo_size[i];
	i = c->bo[i];
	pthread_mutex_unlock(&c->lock);
	return i;
}

static void op_bo_mmap_offset(struct thr *t, struct ctx *c)
{
	struct drm_simgpu_bo_mmap_offset o = { 0 };
	uint64_t size, len;
	void *p;

	o.handle = pick_bo(t, c, &size);
	if (mutate(&t->r, &o, sizeof(o)))
		size = 4096;
	if (fz_ioctl(OP_BO_MMAP_OFFSET, c->fd, DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET, &o) ||
	    !size || size > FZ_MAX_MAP_BO)
		return;
	len = chance(&t->r, 90) ? size : 4096 * (1 + below(&t->r, 4));
	if (chance(&t->r, 5))
		o.offset += 4096 * below(&t->r, 4);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, o.offset);
	__atomic_fetch_add(&st->mmaps, 1, __ATOMIC_RELAXED);
	if (p == MAP_FAILED) {
		__atomic_fetch_add(&st->mmap_fail, 1, __ATOMIC_RELAXED);
		return;
	}
	keep_map(c, p, len);
}

static void op_queue_create(struct thr *t, struct ctx *c)
{
	struct drm_simgpu_queue_create q = {
		.engine = below(&t->r, info.engine_count + 1),
		.priority = below(&t->r, 4),
		.flags = chance(&t->r, 20) ? SIMGPU_QUEUE_CREATE_OWN_SCHED : 0,
	};
	struct drm_simgpu_queue_destroy d = { 0 };

	if (q.flags && chance(&t->r, 50)) {
		q.credit_limit = below(&t->r, 8);
		q.timeout_ns = chance(&t->r, 50) ? 0 : below(&t->r, 3000) * MS;
		q.submit_wq = below(&t->r, 5);
	}
	if (chance(&t->r, 20))
		q.vm_id = pick_u32(&t->r, c, c->vm, MAX_VM);
	mutate(&t->r, &q, sizeof(q));
	if (fz_ioctl(OP_QUEUE_CREATE, c->fd, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &q))
		return;
	d.queue_id = put_u32(&t->r, c, c->queue, POOL, q.queue_id);
	if (d.queue_id && chance(&t->r, 70))
		fz_ioctl(OP_QUEUE_DESTROY, c->fd, DRM_IOCTL_SIMGPU_QUEUE_DESTROY, &d);
}

static void op_queue_destroy(struct thr *t, struct ctx *c)
{
	struct drm_simgpu_queue_destroy d = {
		.queue_id = chance(&t->r, 50) ? take_u32(&t->r, c, c->queue, POOL) :
			    pick_u32(&t->r, c, c->queue, POOL),
	};

	mutate(&t->r, &d, sizeof(d));
	fz_ioctl(OP_QUEUE_DESTROY, c->fd, DRM_IOCTL_SIMGPU_QUEUE_DESTROY, &d);
}

static void op_queue_query(struct thr *t, struct ctx *c)
{
	struct drm_simgpu_queue_query q = {
		.queue_id = pick_u32(&t->r, c, c->queue, POOL),
	};

	mutate(&t->r, &q, sizeof(q));
	fz_ioctl(OP_QUEUE_QUERY, c->fd, DRM_IOCTL_SIMGPU_QUEUE_QUERY, &q);
}

static void fill_syncs(struct thr *t, struct ctx *c, struct drm_simgpu_sync *s, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		s[i].flags = chance(&t->r, 50) ? SIMGPU_SYNC_WAIT : SIMGPU_SYNC_SIGNAL;
		s[i].handle = pick_u32(&t->r, c, c->syncobj, POOL);
		s[i].point = 0;
		if (chance(&t->r, 40)) {
			s[i].flags |= SIMGPU_SYNC_TIMELINE;
			s[i].point = point(&t->r);
		}
		if (chance(&t->r, 10))
			mutate(&t->r, &s[i], sizeof(s[i]));
	}
}

static void op_submit(struct thr *t, struct ctx *c)
{
	unsigned int n = 1 + (chance(&t->r, 80) ? below(&t->r, 4) : below(&t->r, 300));
	size_t jlen = n * sizeof(struct drm_simgpu_job);
	struct drm_simgpu_job *jobs = (void *)t->scratch;
	unsigned char *extra = t->scratch + SCRATCH / 2;
	struct drm_simgpu_submit s = {
		.queue_id = pick_u32(&t->r, c, c->queue, POOL),
		.job_count = n,
		.job_stride = sizeof(*jobs),
		.jobs = (uintptr_t)jobs,
	};
	unsigned int i, j;

	memset(jobs, 0, jlen);
	for (i = 0; i < n; i++) {
		struct drm_simgpu_job *jb = &jobs[i];

		jb->duration_ns = duration(&t->r);
		if (chance(&t->r, 30) && extra + 64 * 16 < t->scratch + SCRATCH) {
			struct drm_simgpu_sync *sy = (void *)extra;

			jb->sync_count = 1 + below(&t->r, chance(&t->r, 90) ? 3 : 70);
			if (jb->sync_count > 64)
				jb->sync_count = 64;
			fill_syncs(t, c, sy, jb->sync_count);
			jb->syncs = (uintptr_t)sy;
			extra += jb->sync_count * sizeof(*sy);
		}
		if (chance(&t->r, 30) && extra + 8 * 40 < t->scratch + SCRATCH) {
			struct drm_simgpu_bo_ref *br = (void *)extra;
			uint64_t size;

			jb->bo_count = 1 + below(&t->r, chance(&t->r, 90) ? 3 : 40);
			for (j = 0; j < jb->bo_count; j++) {
				br[j].handle = pick_bo(t, c, &size);
				br[j].flags = 1 + below(&t->r, 3);
				if (chance(&t->r, 10))
					mutate(&t->r, &br[j], sizeof(br[j]));
			}
			jb->bos = (uintptr_t)br;
			extra += jb->bo_count * sizeof(*br);
		}
		if (chance(&t->r, 10)) {
			jb->flags |= SIMGPU_JOB_IN_FENCE_FD;
			jb->in_fence_fd = pick_fd(&t->r, c);
		}
		if (chance(&t->r, 10))
			jb->flags |= SIMGPU_JOB_OUT_FENCE_FD;
		if (chance(&t->r, 10))
			jb->credits = below(&t->r, 4);
		/* Each job's pointers are read only: any value is fair. */
		if (chance(&t->r, 5))
			mutate(&t->r, jb, sizeof(*jb));
	}
	mutate(&t->r, &s, sizeof(s));
	/*
	 * The kernel writes out_fence_fd back into the jobs: they stay in
	 * scratch, or point where every write faults.
	 */
	if (s.jobs < (uintptr_t)t->scratch || s.jobs >= (uintptr_t)t->scratch + SCRATCH ||
	    (uint64_t)s.job_count * s.job_stride > SCRATCH)
		s.jobs = out_ptr(t, SCRATCH + 1);
	if (fz_ioctl(OP_SUBMIT, c->fd, DRM_IOCTL_SIMGPU_SUBMIT, &s))
		return;
	for (i = 0; i < n && s.job_stride == sizeof(*jobs); i++)
		if ((jobs[i].flags & SIMGPU_JOB_OUT_FENCE_FD) && jobs[i].out_fence_fd > 2)
			put_fd(&t->r, c, jobs[i].out_fence_fd);
}

static void op_job_query(struct thr *t, struct ctx *c)
{
	struct drm_simgpu_job_query q = {
		.queue_id = pick_u32(&t->r, c, c->queue, POOL),
		.count = 1 + below(&t->r, 8),
		.first_seqno = 1 + below(&t->r, 64),
		.record_size = sizeof(struct drm_simgpu_job_record),
	};

	mutate(&t->r, &q, sizeof(q));
	q.records = out_ptr(t, (uint64_t)q.count * q.record_size);
	fz_ioctl(OP_JOB_QUERY, c->fd, DRM_IOCTL_SIMGPU_JOB_QUERY, &q);
}

static void op_vm_create(struct thr *t, struct ctx *c)
{
	struct drm_simgpu_vm_create v = {
		.flags = below(&t->r, 2),
		.prealloc = below(&t->r, 4),
	};
	struct drm_simgpu_vm_destroy d = { 0 };

	if (chance(&t->r, 20)) {
		v.kernel_va_start = below(&t->r, 1ull << 40) & ~0xfffull;
		v.kernel_va_size = below(&t->r, 1ull << 32) & ~0xfffull;
	}
	mutate(&t->r, &v, sizeof(v));
	if (fz_ioctl(OP_VM_CREATE, c->fd, DRM_IOCTL_SIMGPU_VM_CREATE, &v))
		return;
	d.vm_id = put_u32(&t->r, c, c->vm, MAX_VM, v.vm_id);
	if (d.vm_id)
		fz_ioctl(OP_VM_DESTROY, c->fd, DRM_IOCTL_SIMGPU_VM_DESTROY, &d);
}

static void op_vm_destroy(struct thr *t, struct ctx *c)
{
	struct drm_simgpu_vm_destroy d = {
		.vm_id = chance(&t->r, 30) ? take_u32(&t->r, c, c->vm, MAX_VM) :
			 pick_u32(&t->r, c, c->vm, MAX_VM),
	};

	mutate(&t->r, &d, sizeof(d));
	fz_ioctl(OP_VM_DESTROY, c->fd, DRM_IOCTL_SIMGPU_VM_DESTROY, &d);
}

/* A GPU VA: mostly in a few small windows so that ops overlap. */
static uint64_t gpu_va(struct rng *r)
{
	if (chance(r, 10))
		return anyval(r) & ~0xfffull;
	return (below(r, 4) << 30) + (below(r, 1024) << 12);
}

static void op_vm_bind(struct thr *t, struct ctx *c)
{
	unsigned int n = 1 + (chance(&t->r, 90) ? below(&t->r, 4) : below(&t->r, 600));
	struct drm_simgpu_vm_bind_op *ops = (void *)t->scratch;
	struct drm_simgpu_sync *sy = (void *)(t->scratch + SCRATCH / 2);
	struct drm_simgpu_vm_bind b = {
		.vm_id = pick_u32(&t->r, c, c->vm, MAX_VM),
		.op_count = n,
		.op_stride = sizeof(*ops),
		.ops = (uintptr_t)ops,
	};
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint64_t size;

		memset(&ops[i], 0, sizeof(ops[i]));
		ops[i].op = below(&t->r, 3);
		ops[i].va = gpu_va(&t->r);
		ops[i].size = (1 + below(&t->r, chance(&t->r, 95) ? 16 : 4096)) << 12;
		if (ops[i].op == SIMGPU_VM_BIND_OP_MAP) {
			ops[i].handle = pick_bo(t, c, &size);
			if (size && ops[i].size > size)
				ops[i].size = size;
			ops[i].bo_offset = size > 4096 && chance(&t->r, 30) ?
					   below(&t->r, size / 4096) << 12 : 0;
			if (ops[i].bo_offset + ops[i].size > size && size)
				ops[i].size = size - ops[i].bo_offset;
		}
		if (chance(&t->r, 8))
			mutate(&t->r, &ops[i], sizeof(ops[i]));
	}
	if (chance(&t->r, 40)) {
		b.flags = SIMGPU_VM_BIND_ASYNC | (chance(&t->r, 30) ? SIMGPU_VM_BIND_NONBLOCK : 0);
		if (chance(&t->r, 50)) {
			b.sync_count = 1 + below(&t->r, 3);
			fill_syncs(t, c, sy, b.sync_count);
			b.syncs = (uintptr_t)sy;
		}
	}
	mutate(&t->r, &b, sizeof(b));
	fz_ioctl(OP_VM_BIND, c->fd, DRM_IOCTL_SIMGPU_VM_BIND, &b);
}

static void op_vm_query(struct thr *t, struct ctx *c)
{
	struct drm_simgpu_vm_query q = {
		.vm_id = pick_u32(&t->r, c, c->vm, MAX_VM),
		.va = gpu_va(&t->r),
	};

	mutate(&t->r, &q, sizeof(q));
	fz_ioctl(OP_VM_QUERY, c->fd, DRM_IOCTL_SIMGPU_VM_QUERY, &q);
}

static void op_vm_bind_query(struct thr *t, struct ctx *c)
{
	struct drm_simgpu_vm_bind_query q = {
		.vm_id = pick_u32(&t->r, c, c->vm, MAX_VM),
		.count = 1 + below(&t->r, 8),
		.first_seqno = 1 + below(&t->r, 32),
		.record_size = sizeof(struct drm_simgpu_vm_bind_record),
	};

	mutate(&t->r, &q, sizeof(q));
	q.records = out_ptr(t, (uint64_t)q.count * q.record_size);
	fz_ioctl(OP_VM_BIND_QUERY, c->fd, DRM_IOCTL_SIMGPU_VM_BIND_QUERY, &q);
}

static void *map_fd(int f, uint64_t off, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, f, off);

	__atomic_fetch_add(&st->mmaps, 1, __ATOMIC_RELAXED);
	if (p == MAP_FAILED) {
		__atomic_fetch_add(&st->mmap_fail, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	return p;
}

static void op_userq_create(struct thr *t, struct ctx *c)
{
	struct drm_simgpu_userq_create q = {
		.engine = below(&t->r, info.engine_count),
		.ring_size = 4096 << below(&t->r, 3),
		/* BUSY spins a vCPU: rarely, TCG guests have two. */
		.fw_policy = chance(&t->r, 5) ? SIMGPU_USERQ_FW_BUSY :
			     chance(&t->r, 50) ? SIMGPU_USERQ_FW_POLL : SIMGPU_USERQ_FW_SLEEP,
	};
	struct drm_simgpu_userq_destroy d = { 0 };
	struct drm_simgpu_bo_mmap_offset o = { 0 };
	uint64_t size = 0;
	int efd = -1, i;
	struct fuq u = { 0 };

	q.sync_handle = pick_bo(t, c, &size);
	if (q.fw_policy == SIMGPU_USERQ_FW_POLL && chance(&t->r, 50))
		q.poll_interval_us = 1 + below(&t->r, 2000);
	if (chance(&t->r, 30))
		q.idle_timeout_us = below(&t->r, 200000);
	if (chance(&t->r, 30)) {
		efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		q.flags = SIMGPU_USERQ_CREATE_EVENTFD;
		q.eventfd = efd;
	}
	if (mutate(&t->r, &q, sizeof(q)))
		size = 0;
	if (fz_ioctl(OP_USERQ_CREATE, c->fd, DRM_IOCTL_SIMGPU_USERQ_CREATE, &q)) {
		if (efd >= 0)
			close(efd);
		return;
	}
	if (efd >= 0)
		put_fd(&t->r, c, efd);
	d.queue_id = q.queue_id;
	pthread_mutex_lock(&c->lock);
	i = c->nuq < MAX_UQ ? c->nuq++ : -1;
	pthread_mutex_unlock(&c->lock);
	if (i < 0 || !size || size > FZ_MAX_MAP_BO) {
		/* No slot for its mappings: destroy it now. */
		fz_ioctl(OP_USERQ_DESTROY, c->fd, DRM_IOCTL_SIMGPU_USERQ_DESTROY, &d);
		return;
	}
	u.ring_size = q.ring_size;
	u.sync_handle = q.sync_handle;
	u.ring = map_fd(c->fd, q.ring_mmap_offset, q.ring_size);
	u.io = map_fd(c->fd, q.io_mmap_offset, 4096);
	u.bell = map_fd(c->fd, q.doorbell_mmap_offset, 4096);
	o.handle = q.sync_handle;
	if (!fz_ioctl(OP_BO_MMAP_OFFSET, c->fd, DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET, &o)) {
		u.sync = map_fd(c->fd, o.offset, size);
		if (u.sync)
			keep_map(c, u.sync, size);
	}
	if (u.ring)
		keep_map(c, u.ring, u.ring_size);
	if (u.io)
		keep_map(c, u.io, 4096);
	if (u.bell)
		keep_map(c, (void *)u.bell, 4096);
	pthread_mutex_lock(&c->lock);
	u.id = q.queue_id;
	c->uq[i] = u;
	pthread_mutex_unlock(&c->lock);
}

/* A copy of a user queue slot of @c (id 0 if none). */
static struct fuq pick_uq(struct thr *t, struct ctx *c)
{
	struct fuq u = { 0 };

	pthread_mutex_lock(&c->lock);
	if (c->nuq)
		u = c->uq[below(&t->r, c->nuq)];
	pthread_mutex_unlock(&c->lock);
	return u;
}

static uint32_t pick_uq_id(struct thr *t, struct ctx *c)
{
	return chance(&t->r, 8) ? (uint32_t)anyval(&t->r) : pick_uq(t, c).id;
}

static void op_userq_destroy(struct thr *t, struct ctx *c)
{
	struct drm_simgpu_userq_destroy d = { .queue_id = pick_uq_id(t, c) };

	mutate(&t->r, &d, sizeof(d));
	fz_ioctl(OP_USERQ_DESTROY, c->fd, DRM_IOCTL_SIMGPU_USERQ_DESTROY, &d);
}

static void op_userq_kick(struct thr *t, struct ctx *c)
{
	struct drm_simgpu_userq_kick k = { .queue_id = pick_uq_id(t, c) };

	mutate(&t->r, &k, sizeof(k));
	fz_ioctl(OP_USERQ_KICK, c->fd, DRM_IOCTL_SIMGPU_USERQ_KICK, &k);
}

static uint64_t sync_offset(struct rng *r)
{
	return chance(r, 10) ? anyval(r) : below(r, 64) * 8;
}

static void op_userq_wait(struct thr *t, struct ctx *c)
{
	struct drm_simgpu_userq_wait w = {
		.queue_id = pick_uq_id(t, c),
		.offset = sync_offset(&t->r),
		.value = below(&t->r, 64),
	};

	mutate(&t->r, &w, sizeof(w));
	if (chance(&t->r, 80))
		w.deadline_ns = deadline(&t->r);
	fz_ioctl(OP_USERQ_WAIT, c->fd, DRM_IOCTL_SIMGPU_USERQ_WAIT, &w);
}

static void op_userq_query(struct thr *t, struct ctx *c)
{
	struct drm_simgpu_userq_query q = {
		.queue_id = pick_uq_id(t, c),
	};

	if (chance(&t->r, 50)) {
		q.first_seqno = 1 + below(&t->r, 64);
		q.record_count = 1 + below(&t->r, 8);
		q.record_size = sizeof(struct drm_simgpu_userq_job_record);
	}
	mutate(&t->r, &q, sizeof(q));
	q.records = q.record_count || chance(&t->r, 50) ?
		    out_ptr(t, (uint64_t)q.record_count * q.record_size) : 0;
	fz_ioctl(OP_USERQ_QUERY, c->fd, DRM_IOCTL_SIMGPU_USERQ_QUERY, &q);
}

static void op_userq_bridge(struct thr *t, struct ctx *c)
{
	struct drm_simgpu_userq_bridge b = {
		.queue_id = pick_uq_id(t, c),
		.op = below(&t->r, 2),
		.offset = sync_offset(&t->r),
		.value = below(&t->r, 64),
		.handle = pick_u32(&t->r, c, c->syncobj, POOL),
	};

	if (chance(&t->r, 40)) {
		b.flags = SIMGPU_SYNC_TIMELINE;
		b.point = point(&t->r);
	}
	mutate(&t->r, &b, sizeof(b));
	fz_ioctl(OP_USERQ_BRIDGE, c->fd, DRM_IOCTL_SIMGPU_USERQ_BRIDGE, &b);
}

static void op_userq_sync_update(struct thr *t, struct ctx *c)
{
	struct drm_simgpu_userq_sync_update u = { .queue_id = pick_uq_id(t, c) };

	mutate(&t->r, &u, sizeof(u));
	fz_ioctl(OP_USERQ_SYNC_UPDATE, c->fd, DRM_IOCTL_SIMGPU_USERQ_SYNC_UPDATE, &u);
}

/* Numbers simgpu does not define, and defined ones with the wrong size. */
static void op_simgpu_unknown(struct thr *t, struct ctx *c)
{
	unsigned int nr = DRM_COMMAND_BASE + below(&t->r, 0x40);
	unsigned int size = chance(&t->r, 50) ? below(&t->r, 256) : 8 * below(&t->r, 20);
	unsigned long req;

	switch (below(&t->r, 4)) {
	case 0: req = _IO(DRM_IOCTL_BASE, nr); break;
	case 1: req = _IOC(_IOC_READ, DRM_IOCTL_BASE, nr, size); break;
	case 2: req = _IOC(_IOC_WRITE, DRM_IOCTL_BASE, nr, size); break;
	default: req = _IOC(_IOC_READ | _IOC_WRITE, DRM_IOCTL_BASE, nr, size); break;
	}
	memset(t->scratch, 0, 256);
	if (chance(&t->r, 50))
		mutate(&t->r, t->scratch, 256);
	/* Only scratch is written: the size field is at most 255 bytes. */
	fz_ioctl(OP_SIMGPU_UNKNOWN, c->fd, req, t->scratch);
}

static void op_gem_close(struct thr *t, struct ctx *c)
{
	struct drm_gem_close g = { 0 };
	uint64_t size;
	int i = below(&t->r, POOL);

	if (chance(&t->r, 50)) {
		pthread_mutex_lock(&c->lock);
		g.handle = c->bo[i];
		c->bo[i] = 0;
		c->bo_size[i] = 0;
		pthread_mutex_unlock(&c->lock);
	} else {
		g.handle = pick_bo(t, c, &size);
	}
	mutate(&t->r, &g, sizeof(g));
	fz_ioctl(OP_GEM_CLOSE, c->fd, DRM_IOCTL_GEM_CLOSE, &g);
}

static void op_prime_h2fd(struct thr *t, struct ctx *c)
{
	struct drm_prime_handle p = { .flags = DRM_CLOEXEC | (chance(&t->r, 50) ? DRM_RDWR : 0) };
	uint64_t size;

	p.handle = pick_bo(t, c, &size);
	mutate(&t->r, &p, sizeof(p));
	if (!fz_ioctl(OP_PRIME_HANDLE_TO_FD, c->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p) &&
	    p.fd > 2)
		put_fd(&t->r, c, p.fd);
}

static void op_prime_fd2h(struct thr *t, struct ctx *c)
{
	struct drm_prime_handle p = { .fd = pick_fd(&t->r, c) };
	struct drm_gem_close g = { 0 };

	mutate(&t->r, &p, sizeof(p));
	if (fz_ioctl(OP_PRIME_FD_TO_HANDLE, c->fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p))
		return;
	/* An import of our own BO is that BO: the pool may hold it already. */
	if (chance(&t->r, 30)) {
		g.handle = p.handle;
		fz_ioctl(OP_GEM_CLOSE, c->fd, DRM_IOCTL_GEM_CLOSE, &g);
	}
}

static void op_syncobj_create(struct thr *t, struct ctx *c)
{
	struct drm_syncobj_create s = {
		.flags = chance(&t->r, 50) ? DRM_SYNCOBJ_CREATE_SIGNALED : 0,
	};
	struct drm_syncobj_destroy d = { 0 };

	mutate(&t->r, &s, sizeof(s));
	if (fz_ioctl(OP_SYNCOBJ_CREATE, c->fd, DRM_IOCTL_SYNCOBJ_CREATE, &s))
		return;
	d.handle = put_u32(&t->r, c, c->syncobj, POOL, s.handle);
	if (d.handle && chance(&t->r, 70))
		fz_ioctl(OP_SYNCOBJ_DESTROY, c->fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
}

static void op_syncobj_destroy(struct thr *t, struct ctx *c)
{
	struct drm_syncobj_destroy d = {
		.handle = chance(&t->r, 50) ? take_u32(&t->r, c, c->syncobj, POOL) :
			  pick_u32(&t->r, c, c->syncobj, POOL),
	};

	mutate(&t->r, &d, sizeof(d));
	fz_ioctl(OP_SYNCOBJ_DESTROY, c->fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
}

/* count_handles for the core's array ioctls: see FZ_MAX_CORE_HANDLES. */
static uint32_t core_count(struct rng *r)
{
	return chance(r, 90) ? 1 + below(r, 4) : below(r, FZ_MAX_CORE_HANDLES + 1);
}

/* @n syncobj handles and points into scratch; returns the handles. */
static uint32_t *handles(struct thr *t, struct ctx *c, uint32_t n, uint64_t **points)
{
	uint32_t *h = (void *)(t->scratch + SCRATCH / 4);
	uint64_t *p = (void *)(t->scratch + SCRATCH / 2);
	uint32_t i;

	for (i = 0; i < n; i++) {
		h[i] = pick_u32(&t->r, c, c->syncobj, POOL);
		p[i] = chance(&t->r, 30) ? 0 : point(&t->r);
	}
	if (points)
		*points = p;
	return h;
}

static void op_syncobj_wait(struct thr *t, struct ctx *c)
{
	struct drm_syncobj_wait w = {
		.count_handles = core_count(&t->r),
		.flags = below(&t->r, 4),
		.timeout_nsec = deadline(&t->r),
	};

	w.handles = (uintptr_t)handles(t, c, w.count_handles, NULL);
	mutate(&t->r, &w, sizeof(w));
	if (w.count_handles > FZ_MAX_CORE_HANDLES)
		w.count_handles = core_count(&t->r);
	fz_ioctl(OP_SYNCOBJ_WAIT, c->fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);
}

static void op_syncobj_twait(struct thr *t, struct ctx *c)
{
	struct drm_syncobj_timeline_wait w = {
		.count_handles = core_count(&t->r),
		.flags = below(&t->r, 8),
		.timeout_nsec = deadline(&t->r),
	};
	uint64_t *p;

	w.handles = (uintptr_t)handles(t, c, w.count_handles, &p);
	w.points = (uintptr_t)p;
	mutate(&t->r, &w, sizeof(w));
	if (w.count_handles > FZ_MAX_CORE_HANDLES)
		w.count_handles = core_count(&t->r);
	fz_ioctl(OP_SYNCOBJ_TIMELINE_WAIT, c->fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &w);
}

static void op_syncobj_array(struct thr *t, struct ctx *c, enum op op, unsigned long req)
{
	struct drm_syncobj_array a = { .count_handles = core_count(&t->r) };

	a.handles = (uintptr_t)handles(t, c, a.count_handles, NULL);
	mutate(&t->r, &a, sizeof(a));
	if (a.count_handles > FZ_MAX_CORE_HANDLES)
		a.count_handles = core_count(&t->r);
	fz_ioctl(op, c->fd, req, &a);
}

static void op_syncobj_reset(struct thr *t, struct ctx *c)
{
	op_syncobj_array(t, c, OP_SYNCOBJ_RESET, DRM_IOCTL_SYNCOBJ_RESET);
}

static void op_syncobj_signal(struct thr *t, struct ctx *c)
{
	op_syncobj_array(t, c, OP_SYNCOBJ_SIGNAL, DRM_IOCTL_SYNCOBJ_SIGNAL);
}

static void op_syncobj_tarray(struct thr *t, struct ctx *c, enum op op, unsigned long req)
{
	struct drm_syncobj_timeline_array a = {
		.count_handles = core_count(&t->r),
		.flags = chance(&t->r, 20) ? DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED : 0,
	};
	uint64_t *p;

	a.handles = (uintptr_t)handles(t, c, a.count_handles, &p);
	a.points = (uintptr_t)p;
	mutate(&t->r, &a, sizeof(a));
	if (a.count_handles > FZ_MAX_CORE_HANDLES)
		a.count_handles = core_count(&t->r);
	/* QUERY writes the points: into scratch or nowhere. */
	if (op == OP_SYNCOBJ_QUERY &&
	    (a.points < (uintptr_t)t->scratch || a.points >= (uintptr_t)t->scratch + SCRATCH))
		a.points = out_ptr(t, SCRATCH + 1);
	fz_ioctl(op, c->fd, req, &a);
}

static void op_syncobj_tsignal(struct thr *t, struct ctx *c)
{
	op_syncobj_tarray(t, c, OP_SYNCOBJ_TIMELINE_SIGNAL, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL);
}

static void op_syncobj_query(struct thr *t, struct ctx *c)
{
	op_syncobj_tarray(t, c, OP_SYNCOBJ_QUERY, DRM_IOCTL_SYNCOBJ_QUERY);
}

static void op_syncobj_transfer(struct thr *t, struct ctx *c)
{
	struct drm_syncobj_transfer x = {
		.src_handle = pick_u32(&t->r, c, c->syncobj, POOL),
		.dst_handle = pick_u32(&t->r, c, c->syncobj, POOL),
		.src_point = chance(&t->r, 50) ? 0 : point(&t->r),
		.dst_point = chance(&t->r, 50) ? 0 : point(&t->r),
		.flags = chance(&t->r, 20) ? DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT : 0,
	};

	mutate(&t->r, &x, sizeof(x));
	x.flags &= FZ_TRANSFER_FLAGS;
	fz_ioctl(OP_SYNCOBJ_TRANSFER, c->fd, DRM_IOCTL_SYNCOBJ_TRANSFER, &x);
}

static void op_syncobj_h2fd(struct thr *t, struct ctx *c)
{
	struct drm_syncobj_handle h = {
		.handle = pick_u32(&t->r, c, c->syncobj, POOL),
		.flags = chance(&t->r, 50) ? DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE : 0,
	};

	mutate(&t->r, &h, sizeof(h));
	if (!fz_ioctl(OP_SYNCOBJ_HANDLE_TO_FD, c->fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h) &&
	    h.fd > 2)
		put_fd(&t->r, c, h.fd);
}

static void op_syncobj_fd2h(struct thr *t, struct ctx *c)
{
	struct drm_syncobj_handle h = {
		.fd = pick_fd(&t->r, c),
		.flags = chance(&t->r, 50) ? DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE : 0,
	};
	struct drm_syncobj_destroy d = { 0 };

	if (h.flags)
		h.handle = pick_u32(&t->r, c, c->syncobj, POOL);
	mutate(&t->r, &h, sizeof(h));
	if (fz_ioctl(OP_SYNCOBJ_FD_TO_HANDLE, c->fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &h) ||
	    (h.flags & DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE))
		return;
	d.handle = put_u32(&t->r, c, c->syncobj, POOL, h.handle);
	if (d.handle && chance(&t->r, 70))
		fz_ioctl(OP_SYNCOBJ_DESTROY, c->fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
}

static void op_syncobj_eventfd(struct thr *t, struct ctx *c)
{
	struct fz_syncobj_eventfd e = {
		.handle = pick_u32(&t->r, c, c->syncobj, POOL),
		.flags = chance(&t->r, 20) ? DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE : 0,
		.point = chance(&t->r, 50) ? 0 : point(&t->r),
		.fd = -1,
	};
	int efd = chance(&t->r, 90) ? eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC) : -1;

	e.fd = efd >= 0 ? efd : pick_fd(&t->r, c);
	mutate(&t->r, &e, sizeof(e));
	fz_ioctl(OP_SYNCOBJ_EVENTFD, c->fd, FZ_IOCTL_SYNCOBJ_EVENTFD, &e);
	/* Closing it at once leaves the core a registration on a gone file. */
	if (efd >= 0) {
		if (chance(&t->r, 50))
			close(efd);
		else
			put_fd(&t->r, c, efd);
	}
}

static void op_get_cap(struct thr *t, struct ctx *c)
{
	struct drm_get_cap g = { .capability = below(&t->r, 0x20) };

	mutate(&t->r, &g, sizeof(g));
	fz_ioctl(OP_GET_CAP, c->fd, DRM_IOCTL_GET_CAP, &g);
}

static void op_version(struct thr *t, struct ctx *c)
{
	struct drm_version v = {
		.name_len = below(&t->r, 64),
		.date_len = below(&t->r, 64),
		.desc_len = below(&t->r, 64),
	};

	mutate(&t->r, &v, sizeof(v));
	v.name = (void *)(uintptr_t)out_ptr(t, v.name_len);
	v.date = (void *)(uintptr_t)out_ptr(t, v.date_len);
	v.desc = (void *)(uintptr_t)out_ptr(t, v.desc_len);
	fz_ioctl(OP_VERSION, c->fd, DRM_IOCTL_VERSION, &v);
}

static void op_sync_merge(struct thr *t, struct ctx *c)
{
	struct sync_merge_data m = { .fd2 = pick_fd(&t->r, c) };
	int f = pick_fd(&t->r, c);

	strcpy(m.name, "fuzz");
	mutate(&t->r, &m, sizeof(m));
	if (!fz_ioctl(OP_SYNC_MERGE, f, SYNC_IOC_MERGE, &m) && m.fence > 2)
		put_fd(&t->r, c, m.fence);
}

static void op_sync_file_info(struct thr *t, struct ctx *c)
{
	struct sync_file_info i = { .num_fences = below(&t->r, 4) };
	int f = pick_fd(&t->r, c);

	mutate(&t->r, &i, sizeof(i));
	i.sync_fence_info = out_ptr(t, (uint64_t)i.num_fences * sizeof(struct sync_fence_info));
	fz_ioctl(OP_SYNC_FILE_INFO, f, SYNC_IOC_FILE_INFO, &i);
}

static void op_dmabuf_sync(struct thr *t, struct ctx *c)
{
	struct dma_buf_sync s = {
		.flags = (chance(&t->r, 50) ? DMA_BUF_SYNC_END : 0) | (1 + below(&t->r, 3)),
	};

	mutate(&t->r, &s, sizeof(s));
	fz_ioctl(OP_DMABUF_SYNC, pick_fd(&t->r, c), DMA_BUF_IOCTL_SYNC, &s);
}

static void op_dmabuf_export(struct thr *t, struct ctx *c)
{
	struct dma_buf_export_sync_file e = { .flags = 1 + below(&t->r, 3), .fd = -1 };

	mutate(&t->r, &e, sizeof(e));
	if (!fz_ioctl(OP_DMABUF_EXPORT_SYNC_FILE, pick_fd(&t->r, c),
		      DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &e) && e.fd > 2)
		put_fd(&t->r, c, e.fd);
}

static void op_dmabuf_import(struct thr *t, struct ctx *c)
{
	struct dma_buf_import_sync_file i = {
		.flags = 1 + below(&t->r, 3), .fd = pick_fd(&t->r, c),
	};

	mutate(&t->r, &i, sizeof(i));
	fz_ioctl(OP_DMABUF_IMPORT_SYNC_FILE, pick_fd(&t->r, c),
		 DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &i);
}

/* ---- not ioctls: the mapped queue pages, fds, files --------------------- */

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	if (poking)
		siglongjmp(poke_env, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Store @v at @p unless the page is gone (a fault is counted, not fatal). */
static void poke64(void *p, uint64_t v)
{
	__atomic_fetch_add(&st->pokes, 1, __ATOMIC_RELAXED);
	if (sigsetjmp(poke_env, 1)) {
		poking = 0;
		__atomic_fetch_add(&st->poke_faults, 1, __ATOMIC_RELAXED);
		return;
	}
	poking = 1;
	__atomic_store_n((uint64_t *)p, v, __ATOMIC_RELEASE);
	poking = 0;
}

/*
 * Garbage where the firmware reads: ring descriptors (random or nearly
 * valid), insert, the doorbell, sync values.
 */
static void op_poke(struct thr *t, struct ctx *c)
{
	struct fuq u = pick_uq(t, c);
	struct drm_simgpu_userq_job j = { 0 };
	uint64_t *w;
	unsigned int i;

	if (!u.id)
		return;
	switch (below(&t->r, 4)) {
	case 0:
		if (!u.ring)
			return;
		w = (uint64_t *)((char *)u.ring + below(&t->r, u.ring_size / 8) * 8);
		for (i = 0; i < 1 + below(&t->r, 8) && (char *)(w + i) < (char *)u.ring + u.ring_size; i++)
			poke64(w + i, chance(&t->r, 50) ? anyval(&t->r) : 0);
		break;
	case 1:
		if (!u.io)
			return;
		w = chance(&t->r, 70) ? (uint64_t *)&u.io->insert : (uint64_t *)u.io + below(&t->r, 16);
		poke64(w, chance(&t->r, 50) ? anyval(&t->r) : below(&t->r, 64) * 64);
		break;
	case 2:
		if (!u.bell)
			return;
		poke64((void *)u.bell, rnd(&t->r));
		break;
	default:
		if (!u.sync)
			return;
		poke64(u.sync + below(&t->r, 64), chance(&t->r, 50) ? below(&t->r, 64) : anyval(&t->r));
		break;
	}
	(void)j;
}

/* A nearly valid descriptor pushed the documented way, so work runs. */
static void op_push(struct thr *t, struct ctx *c)
{
	struct fuq u = pick_uq(t, c);
	struct drm_simgpu_userq_job j = {
		.op = SIMGPU_USERQ_OP_RUN,
		.duration_ns = below(&t->r, 2 * MS),
		.signal_offset = below(&t->r, 64) * 8,
		.signal_value = below(&t->r, 64),
		.user_data = rnd(&t->r),
	};
	struct drm_simgpu_userq_kick k = { .queue_id = u.id };
	uint64_t ins, slot;
	unsigned int i;

	if (!u.id || !u.ring || !u.io || !u.bell)
		return;
	if (chance(&t->r, 20)) {
		j.flags |= SIMGPU_USERQ_JOB_WAIT;
		j.wait_offset = below(&t->r, 64) * 8;
		j.wait_value = below(&t->r, 64);
	}
	if (chance(&t->r, 20))
		j.flags |= SIMGPU_USERQ_JOB_NOTIFY;
	if (chance(&t->r, 5))
		mutate(&t->r, &j, sizeof(j));
	/* The insert the firmware last consumed, read as any producer would. */
	if (sigsetjmp(poke_env, 1)) {
		poking = 0;
		__atomic_fetch_add(&st->poke_faults, 1, __ATOMIC_RELAXED);
		return;
	}
	poking = 1;
	ins = __atomic_load_n(&u.io->extract, __ATOMIC_ACQUIRE);
	slot = ins % u.ring_size;
	for (i = 0; i < sizeof(j) / 8; i++)
		((uint64_t *)((char *)u.ring + slot))[i] = ((uint64_t *)&j)[i];
	__atomic_store_n(&u.io->insert, ins + sizeof(j), __ATOMIC_RELEASE);
	*u.bell = *u.bell + 1;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	poking = 0;
	__atomic_fetch_add(&st->pushes, 1, __ATOMIC_RELAXED);
	if (chance(&t->r, 50))
		fz_ioctl(OP_USERQ_KICK, c->fd, DRM_IOCTL_SIMGPU_USERQ_KICK, &k);
}

static void op_close_fd(struct thr *t, struct ctx *c)
{
	int i = below(&t->r, POOL), v;

	pthread_mutex_lock(&c->lock);
	v = c->fds[i];
	c->fds[i] = 0;
	pthread_mutex_unlock(&c->lock);
	if (v > 0)
		close(v);
}

struct op_desc {
	const char *name;
	void (*fn)(struct thr *t, struct ctx *c);
	unsigned int weight;
};

static const struct op_desc ops[] = {
	{ "dev-query", op_dev_query, 2 },
	{ "bo-create", op_bo_create, 6 },
	{ "bo-mmap-offset", op_bo_mmap_offset, 3 },
	{ "queue-create", op_queue_create, 5 },
	{ "queue-destroy", op_queue_destroy, 3 },
	{ "queue-query", op_queue_query, 4 },
	{ "submit", op_submit, 14 },
	{ "job-query", op_job_query, 4 },
	{ "vm-create", op_vm_create, 2 },
	{ "vm-destroy", op_vm_destroy, 1 },
	{ "vm-bind", op_vm_bind, 8 },
	{ "vm-query", op_vm_query, 3 },
	{ "vm-bind-query", op_vm_bind_query, 2 },
	{ "userq-create", op_userq_create, 2 },
	{ "userq-destroy", op_userq_destroy, 1 },
	{ "userq-kick", op_userq_kick, 3 },
	{ "userq-wait", op_userq_wait, 3 },
	{ "userq-query", op_userq_query, 3 },
	{ "userq-bridge", op_userq_bridge, 4 },
	{ "userq-sync-update", op_userq_sync_update, 2 },
	{ "simgpu-unknown", op_simgpu_unknown, 2 },
	{ "gem-close", op_gem_close, 3 },
	{ "prime-h2fd", op_prime_h2fd, 3 },
	{ "prime-fd2h", op_prime_fd2h, 3 },
	{ "syncobj-create", op_syncobj_create, 6 },
	{ "syncobj-destroy", op_syncobj_destroy, 3 },
	{ "syncobj-wait", op_syncobj_wait, 4 },
	{ "syncobj-twait", op_syncobj_twait, 3 },
	{ "syncobj-reset", op_syncobj_reset, 2 },
	{ "syncobj-signal", op_syncobj_signal, 2 },
	{ "syncobj-tsignal", op_syncobj_tsignal, 2 },
	{ "syncobj-query", op_syncobj_query, 2 },
	{ "syncobj-transfer", op_syncobj_transfer, 3 },
	{ "syncobj-h2fd", op_syncobj_h2fd, 4 },
	{ "syncobj-fd2h", op_syncobj_fd2h, 3 },
	{ "syncobj-eventfd", op_syncobj_eventfd, 2 },
	{ "get-cap", op_get_cap, 1 },
	{ "version", op_version, 1 },
	{ "sync-merge", op_sync_merge, 2 },
	{ "sync-file-info", op_sync_file_info, 2 },
	{ "dmabuf-sync", op_dmabuf_sync, 1 },
	{ "dmabuf-export", op_dmabuf_export, 2 },
	{ "dmabuf-import", op_dmabuf_import, 2 },
	{ "poke", op_poke, 6 },
	{ "push", op_push, 6 },
	{ "close-fd", op_close_fd, 2 },
};

/* The weights in use: ops[].weight, or 0 for an op --ops left out or --skip-ops named. */
static unsigned int weight[ARRAY_SIZE(ops)];
static unsigned int total_weight;

static void one_op(struct thr *t, struct ctx *c)
{
	unsigned int w = below(&t->r, total_weight), i;

	for (i = 0; i < ARRAY_SIZE(ops) - 1 && w >= weight[i]; i++)
		w -= weight[i];
	ops[i].fn(t, c);
}

/* --skip-ops a,b: never these (a known open finding, named: docs/simgpu.md). */
static bool skipped[ARRAY_SIZE(ops)];

/*
 * select_ops LIST: --ops a,b,c weights only these in (to narrow a finding
 * down); --skip-ops weights the named ones out.
 */
static int select_ops(const char *list, bool skip)
{
	char *copy = strdup(list), *tok, *save = NULL;
	unsigned int i;

	if (!copy)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < ARRAY_SIZE(ops) && strcmp(ops[i].name, tok); i++)
			;
		if (i == ARRAY_SIZE(ops)) {
			fprintf(stderr, "simgpu-test: --%sops: no operation '%s'; there are:",
				skip ? "skip-" : "", tok);
			for (i = 0; i < ARRAY_SIZE(ops); i++)
				fprintf(stderr, " %s", ops[i].name);
			fprintf(stderr, "\n");
			free(copy);
			return -1;
		}
		if (skip)
			skipped[i] = true;
		else
			weight[i] = ops[i].weight;
	}
	free(copy);
	return 0;
}

static bool out_of_budget(void)
{
	return stop_all || (max_ioctls && __atomic_load_n(&st->total, __ATOMIC_RELAXED) >= max_ioctls) ||
	       now_ns() >= deadline_ns;
}

/* ---- contexts, workers, children ---------------------------------------- */

static int ctx_open(struct ctx *c)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	c->fd = open_simgpu();
	return c->fd < 0 ? -1 : 0;
}

/* Close everything with whatever work is in flight: the file goes last. */
static void ctx_close(struct ctx *c)
{
	int i;

	for (i = 0; i < POOL; i++)
		if (c->fds[i] > 0)
			close(c->fds[i]);
	for (i = 0; i < c->nmap; i++)
		munmap(c->map[i], c->map_len[i]);
	if (c->fd >= 0)
		close(c->fd);
	pthread_mutex_destroy(&c->lock);
	c->fd = -1;
}

static unsigned char *scratch_alloc(void)
{
	unsigned char *p = mmap(NULL, SCRATCH + 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	mprotect(p + SCRATCH, 4096, PROT_NONE);
	return p;
}

static void *worker(void *arg)
{
	struct thr *t = arg;

	while (!stop_epoch && !out_of_budget())
		one_op(t, &t->ctx[below(&t->r, t->nctx)]);
	return NULL;
}

/*
 * A child: work on its own file and on the inherited ones until the parent
 * kills it (all of it in flight). It never returns.
 */
static void child(struct ctx *parent, uint64_t seed)
{
	struct ctx c[2];
	struct thr t = { .r = { seed }, .ctx = c, .nctx = 2 };
	int i;

	t.scratch = scratch_alloc();
	if (!t.scratch || ctx_open(&c[0]))
		_exit(0);
	/* The parent's file, shared: a second process on the same file. */
	memset(&c[1], 0, sizeof(c[1]));
	pthread_mutex_init(&c[1].lock, NULL);
	c[1].fd = parent->fd;
	for (i = 0; i < 4; i++) {
		op_queue_create(&t, &c[0]);
		op_syncobj_create(&t, &c[0]);
		op_bo_create(&t, &c[0]);
	}
	op_userq_create(&t, &c[0]);
	for (;;)
		one_op(&t, &c[below(&t.r, 4) ? 0 : 1]);
}

static void on_signal(int sig)
{
}

static void sleep_us(uint64_t us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

/*
 * One epoch: open the files, start the workers, and while they run send
 * them signals and fork children that are killed with work in flight;
 * then stop, join and close everything.
 */
static int epoch(struct rng *r, uint64_t seed, unsigned int nthreads, uint64_t ep)
{
	struct ctx c[NCTX];
	struct thr t[MAX_THREADS];
	uint64_t end = now_ns() + (300 + below(r, 2700)) * MS;
	pid_t kid = 0;
	uint64_t kill_at = 0;
	unsigned int i;
	int n = 0;

	for (i = 0; i < NCTX; i++)
		if (ctx_open(&c[i]))
			return -1;
	stop_epoch = 0;
	for (i = 0; i < nthreads; i++) {
		t[i].r.s = seed ^ (ep * 0x100000001b3ull) ^ ((i + 1) * 0x9e3779b97f4a7c15ull);
		t[i].ctx = c;
		t[i].nctx = NCTX;
		t[i].idx = i;
		t[i].scratch = scratch_alloc();
		if (!t[i].scratch || pthread_create(&t[i].tid, NULL, worker, &t[i]))
			return -1;
	}
	while (now_ns() < end && !out_of_budget()) {
		sleep_us(500 + below(r, 3000));
		if (chance(r, 30)) {
			pthread_kill(t[below(r, nthreads)].tid, SIGUSR1);
			__atomic_fetch_add(&st->signals, 1, __ATOMIC_RELAXED);
		}
		if (!kid && chance(r, 3)) {
			uint64_t cs = rnd(r);

			kid = fork();
			if (kid == 0)
				child(&c[below(r, NCTX)], cs);
			if (kid < 0)
				kid = 0;
			kill_at = now_ns() + below(r, 300) * MS;
			__atomic_fetch_add(&st->children, 1, __ATOMIC_RELAXED);
		}
		if (kid && now_ns() >= kill_at) {
			kill(kid, SIGKILL);
			waitpid(kid, NULL, 0);
			kid = 0;
		}
		/* A whole file closed under the workers' feet. */
		if (n++ > 50 && chance(r, 1)) {
			struct ctx *v = &c[below(r, NCTX)];
			int f = v->fd;

			if (f >= 0) {
				v->fd = open_simgpu();
				close(f);
				__atomic_fetch_add(&st->ctx_closes, 1, __ATOMIC_RELAXED);
			}
		}
	}
	if (kid) {
		kill(kid, SIGKILL);
		waitpid(kid, NULL, 0);
	}
	stop_epoch = 1;
	for (i = 0; i < nthreads; i++) {
		/* A worker may sleep in a wait: signals until it is out. */
		while (pthread_tryjoin_np(t[i].tid, NULL)) {
			pthread_kill(t[i].tid, SIGUSR1);
			sleep_us(1000);
		}
		munmap(t[i].scratch, SCRATCH + 4096);
	}
	for (i = 0; i < NCTX; i++)
		ctx_close(&c[i]);
	__atomic_fetch_add(&st->epochs, 1, __ATOMIC_RELAXED);
	return 0;
}

/* ---- setup, drain and report --------------------------------------------- */

static int write_knob(const char *path, unsigned long v, unsigned long *old)
{
	FILE *f = fopen(path, "r+");
	int ret = -1;

	if (!f)
		return -1;
	if (old && fscanf(f, "%lu", old) != 1)
		goto out;
	rewind(f);
	ret = fprintf(f, "%lu\n", v) > 0 ? 0 : -1;
out:
	if (fclose(f))
		ret = -1;
	return ret;
}

/*
 * The device still does work after the run: a job on every engine of a
 * fresh file completes (they run after whatever the run left queued).
 */
static int device_works(void)
{
	int f = open_simgpu(), ret = 0;
	uint32_t e;

	if (f < 0)
		return -ENODEV;
	for (e = 0; e < info.engine_count && !ret; e++) {
		struct drm_simgpu_queue_create q = { .engine = e, .priority = 1 };
		struct drm_simgpu_job job = { 0 };
		struct drm_simgpu_submit s = {
			.job_count = 1, .jobs = (uintptr_t)&job, .job_stride = sizeof(job),
		};
		struct drm_simgpu_queue_query qq = { 0 };
		uint64_t until = now_ns() + 60000 * MS;

		if (drmIoctl(f, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &q)) {
			ret = -errno;
			break;
		}
		s.queue_id = qq.queue_id = q.queue_id;
		if (drmIoctl(f, DRM_IOCTL_SIMGPU_SUBMIT, &s)) {
			ret = -errno;
			break;
		}
		do {
			if (drmIoctl(f, DRM_IOCTL_SIMGPU_QUEUE_QUERY, &qq)) {
				ret = -errno;
				break;
			}
			if (qq.last_signalled_seqno >= s.first_seqno)
				break;
			sleep_us(10000);
		} while (now_ns() < until);
		if (!ret && qq.last_signalled_seqno < s.first_seqno)
			ret = -ETIMEDOUT;
	}
	close(f);
	return ret;
}

/*
 * Close the fds a mutated call made that the pools never saw (an out-fence
 * fd written at a made-up job_stride, say): they hold fences, and a fence
 * pins the module. Counted, so a run shows how many there were.
 */
static void close_strays(void)
{
	char path[64], target[256];
	struct dirent *de;
	DIR *d = opendir("/proc/self/fd");
	unsigned int n = 0;

	if (!d)
		return;
	while ((de = readdir(d))) {
		int f = atoi(de->d_name);
		ssize_t len;

		if (f <= 2 || f == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", f);
		len = readlink(path, target, sizeof(target) - 1);
		target[len > 0 ? len : 0] = 0;
		if (n++ < 5)
			printf("fuzz: stray fd %d: %s\n", f, target);
		close(f);
	}
	closedir(d);
	printf("fuzz: %u stray fds closed\n", n);
}

/*
 * Every file is closed: whatever simgpu still holds (fences pin the module)
 * must go once the work in flight ends, bridges within the stall timeout.
 * Returns the module's reference count left after @ms (0: free to unload).
 */
static long refs_left(unsigned int ms, double *took)
{
	uint64_t start = now_ns(), until = start + ms * MS;
	long refs = -1;

	do {
		FILE *f = fopen("/sys/module/simgpu/refcnt", "r");

		if (!f)
			return -1;
		if (fscanf(f, "%ld", &refs) != 1)
			refs = -1;
		fclose(f);
		if (refs == 0)
			break;
		sleep_us(20000);
	} while (now_ns() < until);
	*took = (now_ns() - start) / 1e9;
	return refs;
}

/*
 * The module is still pinned: say by what, so a CI log names the leak
 * rather than just its count. A pin is an open simgpu file (any process
 * still holding one), an exported dma-buf (its exporter owns the module),
 * or else a fence simgpu implements (the rest of the count).
 */
static void explain_refs(long refs)
{
	char line[512];
	unsigned int bufs = 0;
	FILE *f = fopen("/sys/kernel/debug/dma_buf/bufinfo", "r");

	if (f) {
		while (fgets(line, sizeof(line), f))
			/* PRIME names every GEM export's exporter "drm". */
			if (strstr(line, "\tdrm\t") && bufs++ < 5)
				printf("fuzz: pinned by dma-buf: %s", line);
		fclose(f);
		printf("fuzz: %u GEM dma-bufs exported\n", bufs);
	} else {
		printf("fuzz: no dma_buf/bufinfo to count exported BOs (%s)\n", strerror(errno));
	}
	printf("fuzz: %ld references, %u of them dma-bufs (files are all closed): the rest are simgpu fences someone still holds\n",
	       refs, bufs);
}

static void report(double secs)
{
	unsigned int op, e;
	uint64_t ok = 0;

	printf("fuzz: %" PRIu64 " ioctls in %.1f s (%.0f/s), %" PRIu64 " epochs, %" PRIu64
	       " children killed, %" PRIu64 " signals, %" PRIu64 " files closed under use\n",
	       st->total, secs, st->total / (secs > 0 ? secs : 1), st->epochs, st->children,
	       st->signals, st->ctx_closes);
	printf("fuzz: %" PRIu64 " mmaps (%" PRIu64 " refused), %" PRIu64 " pokes into queue pages (%"
	       PRIu64 " faulted), %" PRIu64 " ring pushes\n",
	       st->mmaps, st->mmap_fail, st->pokes, st->poke_faults, st->pushes);
	printf("fuzz: %-26s %10s %10s  errno:count...\n", "ioctl", "calls", "ok");
	for (op = 0; op < NR_IOCTL_OPS; op++) {
		uint64_t calls = 0;

		for (e = 0; e <= MAX_ERRNO; e++)
			calls += st->n[op][e];
		ok += st->n[op][0];
		printf("fuzz: %-26s %10" PRIu64 " %10" PRIu64 " ", op_names[op], calls, st->n[op][0]);
		for (e = 1; e <= MAX_ERRNO; e++)
			if (st->n[op][e])
				printf(" %s:%" PRIu64, e == MAX_ERRNO ? "other" : strerrorname_np(e) ?: "?",
				       st->n[op][e]);
		printf("\n");
	}
	printf("fuzz: %" PRIu64 " of %" PRIu64 " ioctls succeeded\n", ok, st->total);
}

static int usage(void)
{
	fprintf(stderr, "usage: simgpu-test --fuzz SECONDS [--seed N] [--ioctls N] [--threads N] [--ops LIST] [--skip-ops LIST]\n"
		"  SECONDS     run this long (> 0)\n"
		"  --seed N    the seed to replay (default: from the clock, printed)\n"
		"  --ioctls N  stop after N ioctls too\n"
		"  --threads N worker threads, 1..%d (default 4)\n"
		"  --ops LIST  only these operations, comma-separated (names: --ops help)\n"
		"  --skip-ops LIST  never these operations\n",
		MAX_THREADS);
	return 2;
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && !*end;
}

int simgpu_fuzz_main(int argc, char **argv)
{
	struct drm_simgpu_dev_query q = { .size = sizeof(info), .info = (uintptr_t)&info };
	uint64_t secs = 0, seed = now_ns() ^ ((uint64_t)getpid() << 32), threads = 4, ep;
	unsigned long old_pt = 0;
	struct sigaction sa = { 0 };
	struct rng r;
	uint64_t start;
	double took = 0;
	bool knob, only = false;
	long refs;
	int i, f, ret;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--fuzz")) {
			if (!parse_u64(v, &secs) || !secs) {
				fprintf(stderr, "simgpu-test: --fuzz needs seconds > 0, not '%s'\n", v ?: "");
				return usage();
			}
		} else if (!strcmp(a, "--seed")) {
			if (!parse_u64(v, &seed)) {
				fprintf(stderr, "simgpu-test: --seed needs a number, not '%s'\n", v ?: "");
				return usage();
			}
		} else if (!strcmp(a, "--ioctls")) {
			if (!parse_u64(v, &max_ioctls) || !max_ioctls) {
				fprintf(stderr, "simgpu-test: --ioctls needs a count > 0, not '%s'\n", v ?: "");
				return usage();
			}
		} else if (!strcmp(a, "--ops")) {
			if (!v || select_ops(v, false))
				return usage();
			only = true;
		} else if (!strcmp(a, "--skip-ops")) {
			if (!v || select_ops(v, true))
				return usage();
		} else if (!strcmp(a, "--threads")) {
			if (!parse_u64(v, &threads) || !threads || threads > MAX_THREADS) {
				fprintf(stderr, "simgpu-test: --threads needs 1..%d, not '%s'\n",
					MAX_THREADS, v ?: "");
				return usage();
			}
		} else {
			fprintf(stderr, "simgpu-test: unknown fuzz argument '%s'\n", a);
			return usage();
		}
		i++;
	}
	if (!secs)
		return usage();

	printf("fuzz: seed %" PRIu64 " (replay:", seed);
	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "--seed") && (!i || strcmp(argv[i - 1], "--seed")))
			printf(" %s", argv[i]);
	printf(" --seed %" PRIu64 "), %" PRIu64 " threads\n", seed, threads);
	fflush(stdout);
	f = open_simgpu();
	if (f < 0 || drmIoctl(f, DRM_IOCTL_SIMGPU_DEV_QUERY, &q)) {
		printf("SKIP fuzz: no /dev/dri render node of driver simgpu (module not loaded?)\n");
		printf("0 passed, 0 failed, 1 skipped\n");
		return 4;
	}
	close(f);
	for (i = 0; i < (int)ARRAY_SIZE(ops); i++) {
		if (!only)
			weight[i] = ops[i].weight;
		if (skipped[i])
			weight[i] = 0;
		total_weight += weight[i];
	}
	if (!total_weight) {
		fprintf(stderr, "simgpu-test: --skip-ops left no operation to run\n");
		return usage();
	}
	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st == MAP_FAILED) {
		printf("FAIL fuzz: no memory for the statistics\n1 failed\n");
		return 1;
	}
	knob = !write_knob(PT_PAGES_KNOB, FZ_VM_MAX_PT_PAGES, &old_pt);
	if (!knob)
		printf("fuzz: cannot lower %s (%s): VMs keep the module's cap\n", PT_PAGES_KNOB,
		       strerror(errno));

	sa.sa_handler = on_signal;
	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART: waits see EINTR */
	sa.sa_handler = NULL;
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	r.s = seed;
	start = now_ns();
	deadline_ns = start + secs * 1000000000ull;
	ret = 0;
	for (ep = 0; !out_of_budget() && !ret; ep++)
		ret = epoch(&r, seed, threads, ep);
	report((now_ns() - start) / 1e9);
	if (ret) {
		printf("FAIL fuzz: cannot open simgpu or start a thread in epoch %" PRIu64 " (%s)\n",
		       ep, strerror(errno));
		printf("0 passed, 1 failed, 0 skipped\n");
		return 1;
	}
	close_strays();
	ret = device_works();
	if (knob && write_knob(PT_PAGES_KNOB, old_pt, NULL))
		printf("fuzz: cannot restore %s to %lu\n", PT_PAGES_KNOB, old_pt);
	if (ret) {
		printf("FAIL fuzz: seed %" PRIu64 ": the device does no work after the run (%s)\n",
		       seed, strerror(-ret));
		printf("0 passed, 1 failed, 0 skipped\n");
		return 1;
	}
	refs = refs_left(60000, &took);
	if (refs > 0) {
		printf("FAIL fuzz: seed %" PRIu64 ": simgpu still has %ld references %.1f s after every file was closed\n",
		       seed, refs, took);
		explain_refs(refs);
		printf("0 passed, 1 failed, 0 skipped\n");
		return 1;
	}
	if (refs == 0)
		printf("fuzz: simgpu's last reference went %.1f s after the last close\n", took);
	printf("ok fuzz: seed %" PRIu64 ", %" PRIu64 " ioctls, the device still works\n",
	       seed, st->total);
	printf("1 passed, 0 failed, 0 skipped\n");
	return 0;
}
