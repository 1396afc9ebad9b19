// SPDX-License-Identifier: MIT
/*
 * null: a backend without a device (fio's null engine), so every device
 * benchmark's setup, run and teardown can run on any host. Everything is
 * in this process, behind one lock and one condition variable:
 *
 * - syncobjs are two counters (highest point submitted, highest signalled);
 *   a binary syncobj is point 1, and attaching a job's fence to one resets
 *   it, as replacing its fence does in the kernel;
 * - a kernel queue is a thread that takes its jobs in order, waits for their
 *   syncobj, "runs" them for their duration on the host clock and signals;
 *   the stage records are host clock readings (CLOCK_MONOTONIC);
 * - VM_BIND writes a 4-level in-memory page table (512 entries a table,
 *   4 KiB pages, 2 MiB blocks with huge), preallocating tables per op or
 *   per batch as asked; a VM's queued binds run on a thread of its own;
 * - a user queue is a malloc'd ring, I/O words, doorbell and sync objects,
 *   with a "firmware" thread that consumes the ring (the producer and the
 *   userspace waiters are the library's, as for simgpu).
 *
 * It has no sync_file fds and no dma-buf fences: benchmarks that need them
 * SKIP. Its results say `backend: null` (it only runs with -b null) and
 * carry a null-backend key, so compare never pairs them with a device's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "measure.h"
#include "result.h"
#include "userq.h"

#define NULL_ENGINES 4
#define NULL_MAX_BATCH 256
#define NULL_MAX_PENDING 4096		/* jobs queued on one kernel queue */
#define NULL_RECORDS 1024		/* job and bind records kept, by seqno */
#define NULL_MAX_QUEUES 64
#define NULL_MAX_VMS 16
#define NULL_MAX_BOS 4096
#define NULL_MAX_USERQS 16
#define NULL_MAX_WATCHES 64		/* eventfds and bridges waiting */
#define NULL_MAX_BIND_OPS 4096
#define NULL_MAX_RING (1u << 20)
#define NULL_FIRST_VA (4ull << 30)	/* as simgpu: the low 4 GiB are the kernel's */
#define NULL_VA_BITS 48
#define NULL_IDLE_US 10000		/* a user queue's default idle timeout */
#define NULL_POLL_US 100

/* ---- the device --------------------------------------------------------- */

struct null_syncobj {
	int live;
	uint64_t submitted, signalled;
};

/* What a watch waits for, and what it does then. */
enum { WATCH_EVENTFD, WATCH_TO_SYNCOBJ, WATCH_FROM_SYNCOBJ };

struct null_userq;

struct null_watch {
	int kind;
	uint32_t handle;		/* syncobj */
	uint64_t point;
	uint32_t flags;			/* WATCH_EVENTFD: DRM_SYNCOBJ_WAIT_FLAGS_* */
	int efd;
	struct null_userq *q;		/* the bridges */
	unsigned int sync;
	uint64_t value;
};

struct null_dev {
	pthread_mutex_t lock;
	pthread_cond_t changed;		/* any syncobj, sync object or queue moved */
	struct null_syncobj *syncobjs;	/* handle = index + 1 */
	uint32_t nsyncobjs;
	struct null_watch watch[NULL_MAX_WATCHES];
	unsigned int nwatch;
	struct null_queue *queues[NULL_MAX_QUEUES];	/* id = index + 1 */
	uint64_t bo_size[NULL_MAX_BOS];			/* handle = index + 1, 0 = free */
	struct null_vm *vms[NULL_MAX_VMS];		/* id = index + 1 */
};

static void lock(struct null_dev *nd)
{
	pthread_mutex_lock(&nd->lock);
}

static void unlock(struct null_dev *nd)
{
	pthread_mutex_unlock(&nd->lock);
}

/* Waits for a change until deadline (CLOCK_MONOTONIC ns, INT64_MAX: none). */
static int wait_change(struct null_dev *nd, int64_t deadline)
{
	struct timespec ts;

	if (deadline == INT64_MAX)
		return pthread_cond_wait(&nd->changed, &nd->lock) ? -EINVAL : 0;
	ts.tv_sec = deadline / 1000000000;
	ts.tv_nsec = deadline % 1000000000;
	return pthread_cond_timedwait(&nd->changed, &nd->lock, &ts) == ETIMEDOUT ? -ETIME : 0;
}

static void sleep_until(uint64_t t)
{
	struct timespec ts = { .tv_sec = t / 1000000000, .tv_nsec = t % 1000000000 };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static int null_nop(struct drmb_device *dev)
{
	struct null_dev *nd = dev->priv;

	/* The null driver's dispatch: its lock, taken and released. */
	lock(nd);
	unlock(nd);
	return 0;
}

static const struct drmb_nop_ops null_nop_ops = {
	.nop = null_nop,
};

/* ---- syncobjs (all under nd->lock) ---------------------------------------- */

static struct null_syncobj *syncobj(struct null_dev *nd, uint32_t handle)
{
	if (!handle || handle > nd->nsyncobjs || !nd->syncobjs[handle - 1].live)
		return NULL;
	return &nd->syncobjs[handle - 1];
}

static int reached(const struct null_syncobj *so, uint64_t point, uint32_t flags)
{
	uint64_t p = point ? point : 1;

	if (flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE)
		return so->submitted >= p;
	return so->signalled >= p;
}

/* A job's (or bridge's) fence is attached to point (0: the binary fence). */
static void attach(struct null_syncobj *so, uint64_t point)
{
	if (!point) {
		so->signalled = 0;
		so->submitted = 1;
	} else if (point > so->submitted) {
		so->submitted = point;
	}
}

static void set_sync(struct null_userq *q, unsigned int sync, uint64_t value);

/* Signals an eventfd; a full counter already says "signalled". */
static void poke(int efd)
{
	static const uint64_t one = 1;

	while (write(efd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

/* Something moved: fire the watches that are due, wake every waiter. */
static void changed(struct null_dev *nd)
{
	unsigned int i = 0;

	while (i < nd->nwatch) {
		struct null_watch *w = &nd->watch[i];
		struct null_syncobj *so = syncobj(nd, w->handle);
		int due = 0;

		if (w->kind == WATCH_EVENTFD || w->kind == WATCH_FROM_SYNCOBJ)
			due = !so || reached(so, w->point, w->flags);
		if (!due) {
			i++;
			continue;
		}
		if (w->kind == WATCH_EVENTFD && so)
			poke(w->efd);
		if (w->kind == WATCH_FROM_SYNCOBJ && so)
			set_sync(w->q, w->sync, w->value);
		*w = nd->watch[--nd->nwatch];
	}
	pthread_cond_broadcast(&nd->changed);
}

static void signal_point(struct null_dev *nd, struct null_syncobj *so, uint64_t point)
{
	uint64_t p = point ? point : 1;

	if (p > so->signalled)
		so->signalled = p;
	if (p > so->submitted)
		so->submitted = p;
	changed(nd);
}

static int null_syncobj_create(struct drmb_device *dev, uint32_t flags, uint32_t *handle)
{
	struct null_dev *nd = dev->priv;
	struct null_syncobj *so;
	uint32_t i;

	if (flags & ~DRM_SYNCOBJ_CREATE_SIGNALED)
		return -EINVAL;
	lock(nd);
	for (i = 0; i < nd->nsyncobjs && nd->syncobjs[i].live; i++)
		;
	if (i == nd->nsyncobjs) {
		uint32_t n = nd->nsyncobjs ? 2 * nd->nsyncobjs : 64;

		so = realloc(nd->syncobjs, n * sizeof(*so));
		if (!so) {
			unlock(nd);
			return -ENOMEM;
		}
		memset(so + nd->nsyncobjs, 0, (n - nd->nsyncobjs) * sizeof(*so));
		nd->syncobjs = so;
		nd->nsyncobjs = n;
	}
	so = &nd->syncobjs[i];
	so->live = 1;
	so->submitted = so->signalled = flags & DRM_SYNCOBJ_CREATE_SIGNALED ? 1 : 0;
	*handle = i + 1;
	unlock(nd);
	return 0;
}

static void null_syncobj_destroy(struct drmb_device *dev, uint32_t handle)
{
	struct null_dev *nd = dev->priv;
	struct null_syncobj *so;

	lock(nd);
	so = syncobj(nd, handle);
	if (so) {
		memset(so, 0, sizeof(*so));
		/* Its watches go, as a destroyed syncobj's eventfds do. */
		changed(nd);
	}
	unlock(nd);
}

/* Applies op to every handle, or to none if one is unknown: -ENOENT. */
static int for_each(struct null_dev *nd, const uint32_t *handles, const uint64_t *points,
		    unsigned int n, int reset)
{
	unsigned int i;

	lock(nd);
	for (i = 0; i < n; i++) {
		if (!syncobj(nd, handles[i])) {
			unlock(nd);
			return -ENOENT;
		}
	}
	for (i = 0; i < n; i++) {
		struct null_syncobj *so = syncobj(nd, handles[i]);

		if (reset)
			so->submitted = so->signalled = 0;
		else
			signal_point(nd, so, points ? points[i] : 0);
	}
	unlock(nd);
	return 0;
}

static int null_syncobj_reset(struct drmb_device *dev, const uint32_t *handles, unsigned int n)
{
	return for_each(dev->priv, handles, NULL, n, 1);
}

static int null_syncobj_signal(struct drmb_device *dev, const uint32_t *handles, unsigned int n)
{
	return for_each(dev->priv, handles, NULL, n, 0);
}

static int wait_points(struct drmb_device *dev, uint32_t *handles, const uint64_t *points,
		       unsigned int n, int64_t timeout_ns, uint32_t flags, uint32_t *first)
{
	struct null_dev *nd = dev->priv;
	unsigned int i, done;
	int ret = 0;

	if (!n || (flags & ~(DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL |
			     DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT |
			     DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE)))
		return -EINVAL;
	lock(nd);
	for (;;) {
		int at = -1;

		for (i = done = 0; i < n; i++) {
			struct null_syncobj *so = syncobj(nd, handles[i]);
			uint64_t p = points ? points[i] : 0;

			if (!so) {
				ret = -ENOENT;
				goto out;
			}
			/* No fence yet and not asked to wait for one: as the kernel. */
			if (!(flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT) &&
			    so->submitted < (p ? p : 1)) {
				ret = -EINVAL;
				goto out;
			}
			if (reached(so, p, flags)) {
				done++;
				if (at < 0)
					at = i;
			}
		}
		if (flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL ? done == n : done > 0) {
			if (first)
				*first = at;
			break;
		}
		ret = wait_change(nd, timeout_ns);
		if (ret)
			break;
	}
out:
	unlock(nd);
	return ret;
}

static int null_syncobj_wait(struct drmb_device *dev, uint32_t *handles, unsigned int n,
			     int64_t timeout_ns, uint32_t flags, uint32_t *first)
{
	return wait_points(dev, handles, NULL, n, timeout_ns, flags, first);
}

static const struct drmb_syncobj_ops null_syncobj_ops = {
	.create = null_syncobj_create,
	.destroy = null_syncobj_destroy,
	.reset = null_syncobj_reset,
	.signal = null_syncobj_signal,
	.wait = null_syncobj_wait,
};

static int null_timeline_signal(struct drmb_device *dev, const uint32_t *handles,
				const uint64_t *points, unsigned int n)
{
	return for_each(dev->priv, handles, points, n, 0);
}

static int null_timeline_wait(struct drmb_device *dev, uint32_t *handles, uint64_t *points,
			      unsigned int n, int64_t timeout_ns, uint32_t flags, uint32_t *first)
{
	return wait_points(dev, handles, points, n, timeout_ns, flags, first);
}

static int null_timeline_query(struct drmb_device *dev, uint32_t *handles, uint64_t *points,
			       unsigned int n)
{
	struct null_dev *nd = dev->priv;
	unsigned int i;
	int ret = 0;

	lock(nd);
	for (i = 0; i < n && !ret; i++) {
		struct null_syncobj *so = syncobj(nd, handles[i]);

		if (so)
			points[i] = so->signalled;
		else
			ret = -ENOENT;
	}
	unlock(nd);
	return ret;
}

static int null_timeline_transfer(struct drmb_device *dev, uint32_t dst, uint64_t dst_point,
				  uint32_t src, uint64_t src_point, uint32_t flags)
{
	struct null_dev *nd = dev->priv;
	struct null_syncobj *d, *s;
	int ret = 0;

	lock(nd);
	d = syncobj(nd, dst);
	s = syncobj(nd, src);
	if (!d || !s)
		ret = -ENOENT;
	/* A fence still pending would have to be chained: not modelled. */
	else if (!reached(s, src_point, 0))
		ret = -EOPNOTSUPP;
	else if (!dst_point)
		d->submitted = d->signalled = 1;
	else
		signal_point(nd, d, dst_point);
	changed(nd);
	unlock(nd);
	return ret;
}

static const struct drmb_timeline_ops null_timeline_ops = {
	.signal = null_timeline_signal,
	.wait = null_timeline_wait,
	.query = null_timeline_query,
	.transfer = null_timeline_transfer,
};

/* Adds a watch and fires it at once if it is due. */
static int add_watch(struct null_dev *nd, const struct null_watch *w)
{
	if (nd->nwatch == NULL_MAX_WATCHES)
		return -ENOSPC;
	nd->watch[nd->nwatch++] = *w;
	changed(nd);
	return 0;
}

static int null_syncobj_eventfd(struct drmb_device *dev, uint32_t handle, uint64_t point,
				int efd, uint32_t flags)
{
	struct null_watch w = {
		.kind = WATCH_EVENTFD, .handle = handle, .point = point, .flags = flags,
		.efd = efd,
	};
	struct null_dev *nd = dev->priv;
	int ret;

	if (flags & ~DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE)
		return -EINVAL;
	lock(nd);
	ret = syncobj(nd, handle) ? add_watch(nd, &w) : -ENOENT;
	unlock(nd);
	return ret;
}

static const struct drmb_syncobj_eventfd_ops null_syncobj_eventfd_ops = {
	.eventfd = null_syncobj_eventfd,
};

/* ---- kernel queues ---------------------------------------------------------- */

struct null_record {
	uint64_t seqno;
	int done, error;
	uint64_t t[4];			/* the stage times, in struct order */
};

struct null_queue {
	struct null_dev *nd;
	pthread_t thread;
	int stop;
	struct drmb_job pending[NULL_MAX_PENDING];
	uint64_t pending_seqno[NULL_MAX_PENDING];
	unsigned int head, count;
	uint64_t next_seqno;
	struct null_record rec[NULL_RECORDS];
};

static struct null_record *record(struct null_record *rec, uint64_t seqno)
{
	return &rec[seqno % NULL_RECORDS];
}

/* The queue's scheduler and engine: its jobs in order, one at a time. */
static void *queue_thread(void *arg)
{
	struct null_queue *q = arg;
	struct null_dev *nd = q->nd;

	lock(nd);
	for (;;) {
		struct null_record *r;
		struct null_syncobj *so;
		struct drmb_job j;
		uint64_t seqno;

		while (!q->stop && !q->count)
			wait_change(nd, INT64_MAX);
		if (q->stop)
			break;
		j = q->pending[q->head];
		seqno = q->pending_seqno[q->head];
		r = record(q->rec, seqno);
		while (!q->stop && j.wait_syncobj && (so = syncobj(nd, j.wait_syncobj)) &&
		       !reached(so, j.wait_point, 0))
			wait_change(nd, INT64_MAX);
		if (q->stop)
			break;
		r->t[1] = drmb_now_ns();	/* run_job */
		r->t[2] = drmb_now_ns();	/* engine start */
		unlock(nd);
		if (j.duration_ns)
			sleep_until(r->t[2] + j.duration_ns);
		lock(nd);
		so = j.signal_syncobj ? syncobj(nd, j.signal_syncobj) : NULL;
		if (so)
			signal_point(nd, so, j.signal_point);
		r->t[3] = drmb_now_ns();
		r->done = 1;
		q->head = (q->head + 1) % NULL_MAX_PENDING;
		q->count--;
		changed(nd);
	}
	unlock(nd);
	return NULL;
}

static int null_queue_create(struct drmb_device *dev, const struct drmb_queue_opts *o,
			     uint32_t *queue, char *why, size_t whylen)
{
	struct null_dev *nd = dev->priv;
	struct null_queue *q;
	unsigned int i;
	int ret;

	if (o->engine >= NULL_ENGINES) {
		snprintf(why, whylen, "null has %u engines, engine %u asked for",
			 NULL_ENGINES, o->engine);
		return -ENOENT;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->nd = nd;
	q->next_seqno = 1;
	lock(nd);
	for (i = 0; i < NULL_MAX_QUEUES && nd->queues[i]; i++)
		;
	if (i == NULL_MAX_QUEUES) {
		unlock(nd);
		free(q);
		snprintf(why, whylen, "null: %u queues open already", NULL_MAX_QUEUES);
		return -ENOSPC;
	}
	ret = -pthread_create(&q->thread, NULL, queue_thread, q);
	if (!ret)
		nd->queues[i] = q;
	unlock(nd);
	if (ret) {
		free(q);
		snprintf(why, whylen, "null: queue thread: %s", strerror(-ret));
		return ret;
	}
	*queue = i + 1;
	return 0;
}

static struct null_queue *queue_of(struct null_dev *nd, uint32_t id)
{
	return id && id <= NULL_MAX_QUEUES ? nd->queues[id - 1] : NULL;
}

static void null_queue_destroy(struct drmb_device *dev, uint32_t queue)
{
	struct null_dev *nd = dev->priv;
	struct null_queue *q;

	lock(nd);
	q = queue_of(nd, queue);
	if (q) {
		nd->queues[queue - 1] = NULL;
		q->stop = 1;
		changed(nd);
	}
	unlock(nd);
	if (q) {
		pthread_join(q->thread, NULL);
		free(q);
	}
}

static unsigned int null_max_batch(struct drmb_device *dev)
{
	return NULL_MAX_BATCH;
}

static int null_submit(struct drmb_device *dev, uint32_t queue, struct drmb_job *jobs,
		       unsigned int njobs, uint64_t *first_seqno)
{
	uint64_t now = drmb_now_ns();
	struct null_dev *nd = dev->priv;
	struct null_queue *q;
	unsigned int i;
	int ret = 0;

	if (!njobs || njobs > NULL_MAX_BATCH)
		return -E2BIG;
	for (i = 0; i < njobs; i++)
		if (jobs[i].in_fence_fd >= 0 || jobs[i].want_out_fence)
			return -EOPNOTSUPP;	/* no sync_file fds here */
	lock(nd);
	q = queue_of(nd, queue);
	if (!q)
		ret = -ENOENT;
	else if (q->count + njobs > NULL_MAX_PENDING)
		ret = -EBUSY;
	for (i = 0; !ret && i < njobs; i++)
		if ((jobs[i].wait_syncobj && !syncobj(nd, jobs[i].wait_syncobj)) ||
		    (jobs[i].signal_syncobj && !syncobj(nd, jobs[i].signal_syncobj)))
			ret = -ENOENT;
	for (i = 0; !ret && i < njobs; i++) {
		unsigned int at = (q->head + q->count++) % NULL_MAX_PENDING;
		struct null_record *r = record(q->rec, q->next_seqno);

		if (jobs[i].signal_syncobj)
			attach(syncobj(nd, jobs[i].signal_syncobj), jobs[i].signal_point);
		q->pending[at] = jobs[i];
		q->pending_seqno[at] = q->next_seqno;
		memset(r, 0, sizeof(*r));
		r->seqno = q->next_seqno++;
		r->t[0] = now;		/* the "ioctl" entered */
		jobs[i].out_fence_fd = -1;
	}
	if (!ret) {
		if (first_seqno)
			*first_seqno = q->next_seqno - njobs;
		changed(nd);
	}
	unlock(nd);
	return ret;
}

static const struct drmb_submit_ops null_submit_ops = {
	.queue_create = null_queue_create,
	.queue_destroy = null_queue_destroy,
	.submit = null_submit,
	.max_batch = null_max_batch,
	.durations = 1,
};

/* A record's times, or -EBUSY / -ENOENT (never recorded, or evicted). */
static int record_times(struct null_dev *nd, struct null_record *rec, uint64_t seqno,
			uint64_t t[4])
{
	struct null_record *r = record(rec, seqno);
	int ret;

	lock(nd);
	ret = r->seqno != seqno ? -ENOENT : !r->done ? -EBUSY : r->error;
	if (r->seqno == seqno && r->done)
		memcpy(t, r->t, sizeof(r->t));
	unlock(nd);
	return ret;
}

static int null_job_times(struct drmb_device *dev, uint32_t queue, uint64_t seqno,
			  struct drmb_job_times *t)
{
	struct null_dev *nd = dev->priv;
	struct null_queue *q = queue_of(nd, queue);
	uint64_t v[4];
	int ret;

	if (!q)
		return -ENOENT;
	ret = record_times(nd, q->rec, seqno, v);
	if (!ret)
		*t = (struct drmb_job_times){ v[0], v[1], v[2], v[3] };
	return ret;
}

static const struct drmb_stage_records_ops null_stage_records = {
	.job_times = null_job_times,
};

/* ---- VM_BIND on an in-memory page table ---------------------------------------- */

#define PT_SHIFT 9
#define PT_ENTRIES (1u << PT_SHIFT)
#define PAGE_SHIFT 12
#define BLOCK_SIZE (1ull << (PAGE_SHIFT + PT_SHIFT))	/* 2 MiB */
#define PTE_VALID 1ull
#define PTE_NULL 2ull				/* a MAP_NULL entry */

/*
 * Level 3 (the root) to 0 (4 KiB pages). A level-1 entry is a table or a
 * 2 MiB block (pte); used counts the slots in use.
 */
struct null_table {
	unsigned int used;
	struct null_table *child[PT_ENTRIES];
	uint64_t pte[PT_ENTRIES];
};

struct null_bind {
	struct drmb_vm_op *ops;
	unsigned int nops;
	uint32_t wait, signal;
	uint64_t seqno;
	struct null_bind *next;
};

struct null_vm {
	struct null_dev *nd;
	struct drmb_vm_opts o;
	struct null_table root;
	struct drmb_vm_stats st;
	struct null_table **reserve;	/* preallocated for the batch being applied */
	unsigned int nreserve;
	uint64_t next_seqno;
	struct null_record rec[NULL_RECORDS];
	/* The bind queue: its thread and what is queued on it. */
	pthread_t thread;
	int stop;
	struct null_bind *head, **tail;
};

static unsigned int index_at(uint64_t va, int level)
{
	return (va >> (PAGE_SHIFT + PT_SHIFT * level)) & (PT_ENTRIES - 1);
}

static struct null_table *table_new(struct null_vm *vm)
{
	struct null_table *t;

	if (vm->nreserve) {
		t = vm->reserve[--vm->nreserve];
		vm->st.tables_prealloc_used++;
	} else {
		t = calloc(1, sizeof(*t));
		if (!t)
			return NULL;
		vm->st.tables_allocated_late++;
	}
	vm->st.tables_live++;
	return t;
}

static void table_free(struct null_vm *vm, struct null_table *t, int level)
{
	unsigned int i;

	for (i = 0; level > 0 && i < PT_ENTRIES; i++)
		if (t->child[i])
			table_free(vm, t->child[i], level - 1);
	free(t);
	vm->st.tables_live--;
	vm->st.tables_freed++;
}

static uint64_t pte_of(const struct drmb_vm_op *op, uint64_t off)
{
	if (op->type == DRMB_VM_MAP_NULL)
		return PTE_VALID | PTE_NULL;
	return PTE_VALID | ((uint64_t)op->bo << 40) | (((op->bo_offset + off) >> PAGE_SHIFT) << 2);
}

/* The level-1 table covering va, made (and a block split) when make. */
static struct null_table *walk_to_l1(struct null_vm *vm, uint64_t va, int make)
{
	struct null_table *t = &vm->root;
	int level;

	for (level = 3; level > 1; level--) {
		unsigned int i = index_at(va, level);

		if (!t->child[i]) {
			if (!make || !(t->child[i] = table_new(vm)))
				return NULL;
			t->used++;
		}
		t = t->child[i];
	}
	return t;
}

/* The level-0 table under l1 slot i, splitting a block into one. */
static struct null_table *leaf(struct null_vm *vm, struct null_table *l1, unsigned int i)
{
	struct null_table *pt;
	unsigned int k;

	if (l1->child[i])
		return l1->child[i];
	pt = table_new(vm);
	if (!pt)
		return NULL;
	if (l1->pte[i]) {
		for (k = 0; k < PT_ENTRIES; k++)
			pt->pte[k] = l1->pte[i] & PTE_NULL ? l1->pte[i] : l1->pte[i] + (k << 2);
		pt->used = PT_ENTRIES;
		vm->st.mappings += PT_ENTRIES - 1;
		l1->pte[i] = 0;
	} else {
		l1->used++;
	}
	l1->child[i] = pt;
	return pt;
}

/* Frees the empty tables on va's path, bottom up. */
static void prune(struct null_vm *vm, uint64_t va)
{
	struct null_table *path[4];
	int level;

	path[3] = &vm->root;
	for (level = 3; level > 0 && path[level]; level--)
		path[level - 1] = path[level]->child[index_at(va, level)];
	for (level = 0; level < 3; level++) {
		struct null_table *t = path[level];

		if (!t || t->used)
			continue;
		path[level + 1]->child[index_at(va, level + 1)] = NULL;
		path[level + 1]->used--;
		table_free(vm, t, level);
	}
}

static int apply_map(struct null_vm *vm, const struct drmb_vm_op *op)
{
	uint64_t off = 0;

	while (off < op->size) {
		uint64_t va = op->va + off;
		struct null_table *l1 = walk_to_l1(vm, va, 1), *pt;
		unsigned int i;

		if (!l1)
			return -ENOMEM;
		i = index_at(va, 1);
		if (vm->o.huge && !(va % BLOCK_SIZE) && op->size - off >= BLOCK_SIZE &&
		    (op->type != DRMB_VM_MAP || !((op->bo_offset + off) % BLOCK_SIZE))) {
			if (l1->child[i]) {
				vm->st.mappings -= l1->child[i]->used;
				table_free(vm, l1->child[i], 0);
				l1->child[i] = NULL;
			} else if (l1->pte[i]) {
				vm->st.mappings--;
			} else {
				l1->used++;
			}
			l1->pte[i] = pte_of(op, off);
			vm->st.mappings++;
			off += BLOCK_SIZE;
			continue;
		}
		pt = leaf(vm, l1, i);
		if (!pt)
			return -ENOMEM;
		if (!pt->pte[index_at(va, 0)]) {
			pt->used++;
			vm->st.mappings++;
		}
		pt->pte[index_at(va, 0)] = pte_of(op, off);
		off += 1ull << PAGE_SHIFT;
	}
	return 0;
}

static int apply_unmap(struct null_vm *vm, const struct drmb_vm_op *op)
{
	uint64_t va = op->va, end = op->va + op->size;

	while (va < end) {
		struct null_table *l1 = walk_to_l1(vm, va, 0), *pt;
		unsigned int i = index_at(va, 1), k;
		uint64_t next = (va | (BLOCK_SIZE - 1)) + 1;

		if (!l1 || (!l1->child[i] && !l1->pte[i])) {
			va = next;	/* nothing mapped in this 2 MiB */
			continue;
		}
		if (l1->pte[i] && !(va % BLOCK_SIZE) && end - va >= BLOCK_SIZE) {
			l1->pte[i] = 0;
			l1->used--;
			vm->st.mappings--;
			prune(vm, va);
			va = next;
			continue;
		}
		pt = leaf(vm, l1, i);
		if (!pt)
			return -ENOMEM;
		for (k = index_at(va, 0); va < end && va < next; k++, va += 1ull << PAGE_SHIFT) {
			if (!pt->pte[k])
				continue;
			pt->pte[k] = 0;
			pt->used--;
			vm->st.mappings--;
		}
		prune(vm, va - 1);
	}
	return 0;
}

/* Tables an op may need at each level: the spans it touches, first..last. */
static void spans(const struct drmb_vm_op *op, int level, uint64_t *first, uint64_t *last)
{
	int shift = PAGE_SHIFT + PT_SHIFT * (level + 1);

	*first = op->va >> shift;
	*last = (op->va + op->size - 1) >> shift;
}

static int cmp_u64(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/*
 * The worst case of tables a batch's maps need below the root: per op
 * (every op its own spans) or batched (the spans of the batch counted
 * once), as simgpu's preallocation policies.
 */
static uint64_t worst_case(const struct drmb_vm_op *ops, unsigned int nops, int batched)
{
	uint64_t n = 0, *iv = batched ? malloc(2 * sizeof(uint64_t) * nops) : NULL;
	unsigned int i, m;
	int level;

	for (level = 0; level < 3; level++) {
		for (i = m = 0; i < nops; i++) {
			uint64_t f, l;

			if (ops[i].type == DRMB_VM_UNMAP)
				continue;
			spans(&ops[i], level, &f, &l);
			if (!iv) {
				n += l - f + 1;
				continue;
			}
			iv[2 * m] = f;
			iv[2 * m++ + 1] = l;
		}
		if (!iv)
			continue;
		/* Sorted by first, the overlapping spans merge. */
		qsort(iv, m, 2 * sizeof(uint64_t), cmp_u64);
		for (i = 0; i < m; i++) {
			uint64_t f = iv[2 * i], l = iv[2 * i + 1];

			while (i + 1 < m && iv[2 * (i + 1)] <= l + 1) {
				i++;
				if (iv[2 * i + 1] > l)
					l = iv[2 * i + 1];
			}
			n += l - f + 1;
		}
	}
	free(iv);
	return n;
}

/* Under nd->lock: checks the ops, 0 or -EINVAL/-ENOENT. */
static int check_ops(struct null_dev *nd, const struct drmb_vm_op *ops, unsigned int nops)
{
	unsigned int i;

	if (!nops || nops > NULL_MAX_BIND_OPS)
		return -EINVAL;
	for (i = 0; i < nops; i++) {
		const struct drmb_vm_op *o = &ops[i];

		if (!o->size || (o->va | o->size) % (1ull << PAGE_SHIFT) || o->va < NULL_FIRST_VA ||
		    o->va + o->size > 1ull << NULL_VA_BITS || o->va + o->size < o->va)
			return -EINVAL;
		if (o->type != DRMB_VM_MAP)
			continue;
		if (!o->bo || o->bo > NULL_MAX_BOS || !nd->bo_size[o->bo - 1])
			return -ENOENT;
		if (o->bo_offset % (1ull << PAGE_SHIFT) || o->bo_offset + o->size > nd->bo_size[o->bo - 1])
			return -EINVAL;
	}
	return 0;
}

/* Under nd->lock: preallocates, applies, returns the rest; fills r's times. */
static int apply(struct null_vm *vm, const struct drmb_vm_op *ops, unsigned int nops,
		 struct null_record *r)
{
	uint64_t t0 = drmb_now_ns(), need = 0, t1;
	unsigned int i;
	int ret = 0;

	r->t[1] = t0;
	if (vm->o.prealloc == DRMB_VM_PREALLOC_PER_OP)
		need = worst_case(ops, nops, 0);
	else if (vm->o.prealloc != DRMB_VM_PREALLOC_NONE)
		need = worst_case(ops, nops, 1);
	vm->reserve = need ? calloc(need, sizeof(*vm->reserve)) : NULL;
	for (vm->nreserve = 0; vm->reserve && vm->nreserve < need; vm->nreserve++) {
		vm->reserve[vm->nreserve] = calloc(1, sizeof(struct null_table));
		if (!vm->reserve[vm->nreserve])
			break;
	}
	vm->st.tables_preallocated += vm->nreserve;
	t1 = drmb_now_ns();
	vm->st.prealloc_ns += t1 - t0;
	for (i = 0; i < nops && !ret; i++)
		ret = ops[i].type == DRMB_VM_UNMAP ? apply_unmap(vm, &ops[i]) : apply_map(vm, &ops[i]);
	vm->st.tables_returned += vm->nreserve;
	while (vm->nreserve)
		free(vm->reserve[--vm->nreserve]);
	free(vm->reserve);
	vm->reserve = NULL;
	r->t[2] = r->t[3] = drmb_now_ns();
	vm->st.apply_ns += r->t[2] - t1;
	r->error = ret;
	r->done = 1;
	return ret;
}

static struct null_record *new_record(struct null_vm *vm, uint64_t now)
{
	struct null_record *r = record(vm->rec, vm->next_seqno);

	memset(r, 0, sizeof(*r));
	r->seqno = vm->next_seqno++;
	r->t[0] = now;
	return r;
}

/* The VM's bind queue: queued binds in order, each after its wait syncobj. */
static void *bind_thread(void *arg)
{
	struct null_vm *vm = arg;
	struct null_dev *nd = vm->nd;

	lock(nd);
	for (;;) {
		struct null_syncobj *so;
		struct null_bind *b;

		while (!vm->stop && !vm->head)
			wait_change(nd, INT64_MAX);
		if (vm->stop)
			break;
		b = vm->head;
		while (!vm->stop && b->wait && (so = syncobj(nd, b->wait)) && !reached(so, 0, 0))
			wait_change(nd, INT64_MAX);
		if (vm->stop)
			break;
		apply(vm, b->ops, b->nops, record(vm->rec, b->seqno));
		so = b->signal ? syncobj(nd, b->signal) : NULL;
		if (so)
			signal_point(nd, so, 0);
		record(vm->rec, b->seqno)->t[3] = drmb_now_ns();
		vm->head = b->next;
		if (!vm->head)
			vm->tail = &vm->head;
		free(b->ops);
		free(b);
		changed(nd);
	}
	unlock(nd);
	return NULL;
}

static int null_bo_create(struct drmb_device *dev, uint64_t size, uint32_t *bo)
{
	struct null_dev *nd = dev->priv;
	unsigned int i;

	if (!size || size % (1ull << PAGE_SHIFT))
		return -EINVAL;
	lock(nd);
	for (i = 0; i < NULL_MAX_BOS && nd->bo_size[i]; i++)
		;
	if (i < NULL_MAX_BOS)
		nd->bo_size[i] = size;
	unlock(nd);
	if (i == NULL_MAX_BOS)
		return -ENOSPC;
	*bo = i + 1;
	return 0;
}

static void null_bo_destroy(struct drmb_device *dev, uint32_t bo)
{
	struct null_dev *nd = dev->priv;

	lock(nd);
	if (bo && bo <= NULL_MAX_BOS)
		nd->bo_size[bo - 1] = 0;
	unlock(nd);
}

static struct null_vm *vm_of(struct null_dev *nd, uint32_t id)
{
	return id && id <= NULL_MAX_VMS ? nd->vms[id - 1] : NULL;
}

static int null_vm_create(struct drmb_device *dev, const struct drmb_vm_opts *o,
			  uint32_t *id, char *why, size_t whylen)
{
	struct null_dev *nd = dev->priv;
	struct null_vm *vm;
	unsigned int i;
	int ret;

	if ((unsigned int)o->prealloc > DRMB_VM_PREALLOC_BATCHED) {
		snprintf(why, whylen, "unknown page-table preallocation policy %d", o->prealloc);
		return -EINVAL;
	}
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->nd = nd;
	vm->o = *o;
	vm->next_seqno = 1;
	vm->tail = &vm->head;
	lock(nd);
	for (i = 0; i < NULL_MAX_VMS && nd->vms[i]; i++)
		;
	ret = i == NULL_MAX_VMS ? -ENOSPC : -pthread_create(&vm->thread, NULL, bind_thread, vm);
	if (!ret)
		nd->vms[i] = vm;
	unlock(nd);
	if (ret) {
		snprintf(why, whylen, "null VM: %s", strerror(-ret));
		free(vm);
		return ret;
	}
	*id = i + 1;
	return 0;
}

static void null_vm_destroy(struct drmb_device *dev, uint32_t id)
{
	struct null_dev *nd = dev->priv;
	struct null_bind *b;
	struct null_vm *vm;
	unsigned int i;

	lock(nd);
	vm = vm_of(nd, id);
	if (vm) {
		nd->vms[id - 1] = NULL;
		vm->stop = 1;
		changed(nd);
	}
	unlock(nd);
	if (!vm)
		return;
	pthread_join(vm->thread, NULL);
	while ((b = vm->head)) {
		vm->head = b->next;
		free(b->ops);
		free(b);
	}
	for (i = 0; i < PT_ENTRIES; i++)
		if (vm->root.child[i])
			table_free(vm, vm->root.child[i], 2);
	free(vm);
}

static int null_vm_bind(struct drmb_device *dev, uint32_t id, const struct drmb_vm_op *ops,
			unsigned int nops, uint64_t *seqno)
{
	uint64_t now = drmb_now_ns();
	struct null_dev *nd = dev->priv;
	struct null_record *r;
	struct null_vm *vm;
	int ret;

	lock(nd);
	vm = vm_of(nd, id);
	ret = vm ? check_ops(nd, ops, nops) : -ENOENT;
	if (!ret) {
		r = new_record(vm, now);
		if (seqno)
			*seqno = r->seqno;
		ret = apply(vm, ops, nops, r);
	}
	unlock(nd);
	return ret;
}

static int null_vm_stats(struct drmb_device *dev, uint32_t id, struct drmb_vm_stats *st)
{
	struct null_dev *nd = dev->priv;
	struct null_vm *vm;

	lock(nd);
	vm = vm_of(nd, id);
	if (vm)
		*st = vm->st;
	unlock(nd);
	return vm ? 0 : -ENOENT;
}

static uint64_t null_vm_first_va(struct drmb_device *dev)
{
	return NULL_FIRST_VA;
}

static unsigned int null_vm_max_ops(struct drmb_device *dev)
{
	return NULL_MAX_BIND_OPS;
}

static const struct drmb_vm_bind_ops null_vm_bind_ops = {
	.bo_create = null_bo_create,
	.bo_destroy = null_bo_destroy,
	.vm_create = null_vm_create,
	.vm_destroy = null_vm_destroy,
	.vm_bind = null_vm_bind,
	.vm_stats = null_vm_stats,
	.first_va = null_vm_first_va,
	.max_ops = null_vm_max_ops,
};

static int null_vm_bind_async(struct drmb_device *dev, uint32_t id,
			      const struct drmb_vm_op *ops, unsigned int nops,
			      uint32_t wait, uint32_t signal, uint64_t *seqno)
{
	uint64_t now = drmb_now_ns();
	struct null_dev *nd = dev->priv;
	struct null_bind *b;
	struct null_vm *vm;
	int ret;

	b = calloc(1, sizeof(*b));
	if (b)
		b->ops = malloc((nops ? nops : 1) * sizeof(*ops));
	if (!b || !b->ops) {
		free(b);
		return -ENOMEM;
	}
	memcpy(b->ops, ops, nops * sizeof(*ops));
	b->nops = nops;
	b->wait = wait;
	b->signal = signal;
	lock(nd);
	vm = vm_of(nd, id);
	ret = vm ? check_ops(nd, ops, nops) : -ENOENT;
	if (!ret && ((wait && !syncobj(nd, wait)) || (signal && !syncobj(nd, signal))))
		ret = -ENOENT;
	if (!ret) {
		b->seqno = new_record(vm, now)->seqno;
		if (seqno)
			*seqno = b->seqno;
		if (signal)
			attach(syncobj(nd, signal), 0);
		*vm->tail = b;
		vm->tail = &b->next;
		changed(nd);
	}
	unlock(nd);
	if (ret) {
		free(b->ops);
		free(b);
	}
	return ret;
}

static int null_vm_bind_times(struct drmb_device *dev, uint32_t id, uint64_t seqno,
			      struct drmb_bind_times *t)
{
	struct null_dev *nd = dev->priv;
	struct null_vm *vm = vm_of(nd, id);
	uint64_t v[4];
	int ret;

	if (!vm)
		return -ENOENT;
	ret = record_times(nd, vm->rec, seqno, v);
	if (!ret)
		*t = (struct drmb_bind_times){ v[0], v[1], v[2], v[3] };
	return ret;
}

static const struct drmb_vm_bind_async_ops null_vm_bind_async_ops = {
	.vm_bind = null_vm_bind_async,
	.bind_times = null_vm_bind_times,
};

/* ---- user queues: a malloc'd ring and a firmware thread ----------------------- */

enum { UQ_ACTIVE, UQ_INACTIVE, UQ_FAULTY };

/* One 64-byte descriptor. */
struct null_desc {
	uint64_t seqno, duration_ns, signal_value, wait_value;
	uint32_t signal_sync, wait_sync, wait, notify;
	uint64_t reserved[2];
};
_Static_assert(sizeof(struct null_desc) == 64, "null user-queue descriptor");

struct null_userq {
	struct null_dev *nd;
	struct drmb_userq_ring r;
	void *ring;
	uint64_t insert, extract;	/* the user I/O words */
	uint32_t state, doorbell;
	uint64_t *sync;
	int eventfd;
	enum drmb_fw_policy policy;
	uint64_t poll_ns, idle_ns;
	pthread_t fw;
	int fw_tid, stop, kicked, started;
	struct drmb_userq_stats st;
	struct null_record rec[NULL_RECORDS];	/* seen, start, end, complete */
};

/* Under nd->lock: sync objects only move forward. */
static void set_sync(struct null_userq *q, unsigned int sync, uint64_t value)
{
	if (value > __atomic_load_n(&q->sync[sync], __ATOMIC_RELAXED))
		__atomic_store_n(&q->sync[sync], value, __ATOMIC_RELEASE);
}

/* Under nd->lock: the bridges to syncobjs whose sync object got there. */
static void fire_to_syncobj(struct null_dev *nd, struct null_userq *q)
{
	unsigned int i = 0;

	while (i < nd->nwatch) {
		struct null_watch w = nd->watch[i];
		struct null_syncobj *so;

		if (w.kind != WATCH_TO_SYNCOBJ || w.q != q ||
		    __atomic_load_n(&q->sync[w.sync], __ATOMIC_ACQUIRE) < w.value) {
			i++;
			continue;
		}
		nd->watch[i] = nd->watch[--nd->nwatch];
		so = syncobj(nd, w.handle);
		if (so)
			signal_point(nd, so, w.point);
		/* Signalling fired other watches and moved the array: again. */
		i = 0;
	}
}

/* Runs the descriptor at extract: 0, or -EIO once the queue faulted. */
static int run_desc(struct null_userq *q)
{
	struct null_dev *nd = q->nd;
	struct null_desc d;
	struct null_record *r;
	uint64_t now = drmb_now_ns();

	memcpy(&d, (char *)q->ring + drmb_userq_ring_pos(q->extract, q->r.ring_size), sizeof(d));
	/* Copied out, as simgpu's firmware does: its slot is free again. */
	__atomic_store_n(&q->extract, q->extract + sizeof(d), __ATOMIC_RELEASE);
	lock(nd);
	r = record(q->rec, d.seqno);
	memset(r, 0, sizeof(*r));
	r->seqno = d.seqno;
	r->t[0] = now;
	while (!q->stop && d.wait &&
	       __atomic_load_n(&q->sync[d.wait_sync], __ATOMIC_ACQUIRE) < d.wait_value)
		wait_change(nd, INT64_MAX);
	r->t[1] = drmb_now_ns();
	unlock(nd);
	if (d.duration_ns)
		sleep_until(r->t[1] + d.duration_ns);
	lock(nd);
	r->t[2] = drmb_now_ns();
	if (d.signal_value < __atomic_load_n(&q->sync[d.signal_sync], __ATOMIC_RELAXED)) {
		/* A value going back faults the queue, as simgpu's firmware does. */
		r->error = -EINVAL;
		r->done = 1;
		__atomic_store_n(&q->state, UQ_FAULTY, __ATOMIC_RELEASE);
		changed(nd);
		unlock(nd);
		return -EIO;
	}
	/*
	 * Stamped before the store, as simgpu's firmware does: a waiter that
	 * spins on the value on another CPU may see it and stamp its wakeup
	 * before a stamp taken after, and its wake stage would go negative.
	 */
	r->t[3] = drmb_now_ns();
	set_sync(q, d.signal_sync, d.signal_value);
	r->done = 1;
	q->st.completed_seqno = d.seqno;
	fire_to_syncobj(nd, q);
	changed(nd);
	unlock(nd);
	if (d.notify && q->eventfd >= 0)
		poke(q->eventfd);
	return 0;
}

/* Idle: 1 when new work may be there, 0 to stop. */
static int fw_idle(struct null_userq *q, uint64_t *idle_since)
{
	struct null_dev *nd = q->nd;
	uint64_t now = drmb_now_ns();
	struct timespec ts;

	if (q->policy == DRMB_FW_BUSY && now - *idle_since < q->idle_ns)
		return !q->stop;
	if (q->policy == DRMB_FW_POLL && now - *idle_since < q->idle_ns) {
		ts.tv_sec = q->poll_ns / 1000000000;
		ts.tv_nsec = q->poll_ns % 1000000000;
		nanosleep(&ts, NULL);
		q->st.fw_wakeups++;
		return !q->stop;
	}
	/* Inactive until kicked; re-read insert after saying so (see submit). */
	if (q->policy != DRMB_FW_SLEEP) {
		__atomic_store_n(&q->state, UQ_INACTIVE, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(&q->insert, __ATOMIC_ACQUIRE) != q->extract) {
			__atomic_store_n(&q->state, UQ_ACTIVE, __ATOMIC_RELAXED);
			return 1;
		}
		q->st.deactivations++;
	}
	lock(nd);
	while (!q->stop && !q->kicked &&
	       (q->policy != DRMB_FW_SLEEP ||
		__atomic_load_n(&q->insert, __ATOMIC_ACQUIRE) == q->extract))
		wait_change(nd, INT64_MAX);
	q->kicked = 0;
	unlock(nd);
	q->st.fw_wakeups++;
	__atomic_store_n(&q->state, UQ_ACTIVE, __ATOMIC_RELAXED);
	*idle_since = drmb_now_ns();
	return !q->stop;
}

static void *fw_thread(void *arg)
{
	struct null_userq *q = arg;
	uint64_t idle_since = drmb_now_ns();
	uint32_t seen = 0;

	q->fw_tid = gettid();
	while (!q->stop) {
		uint32_t db = __atomic_load_n(&q->doorbell, __ATOMIC_RELAXED);

		if (db != seen) {
			q->st.doorbells++;
			seen = db;
		}
		if (__atomic_load_n(&q->insert, __ATOMIC_ACQUIRE) != q->extract) {
			if (run_desc(q))
				break;
			idle_since = drmb_now_ns();
			continue;
		}
		if (!fw_idle(q, &idle_since))
			break;
	}
	return NULL;
}

static void null_desc_encode(void *desc, const struct drmb_userq_job *j, uint64_t seqno)
{
	struct null_desc d = {
		.seqno = seqno,
		.duration_ns = j->duration_ns,
		.signal_value = j->signal_value,
		.wait_value = j->wait_value,
		.signal_sync = j->signal_sync,
		.wait_sync = j->wait_sync,
		.wait = j->wait,
		.notify = j->notify,
	};

	memcpy(desc, &d, sizeof(d));
}

static void null_userq_destroy(struct drmb_device *dev, struct drmb_userq *uq)
{
	struct null_dev *nd = dev->priv;
	struct null_userq *q = uq->priv;
	unsigned int i = 0;

	if (q) {
		lock(nd);
		q->stop = 1;
		while (i < nd->nwatch)
			if (nd->watch[i].q == q)
				nd->watch[i] = nd->watch[--nd->nwatch];
			else
				i++;
		changed(nd);
		unlock(nd);
		if (q->started)
			pthread_join(q->fw, NULL);
		free(q->ring);
		free(q->sync);
		free(q);
	}
	drmb_userq_reset(uq);
}

static int null_userq_create(struct drmb_device *dev, const struct drmb_userq_opts *o,
			     struct drmb_userq *uq, char *why, size_t whylen)
{
	struct null_userq *q;
	int ret;

	memset(uq, 0, sizeof(*uq));
	uq->eventfd = -1;
	ret = drmb_userq_opts_check(o, "null", NULL_ENGINES, 4096, NULL_MAX_RING,
				    sizeof(struct null_desc), why, whylen);
	if (ret)
		return ret;
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	uq->priv = q;
	q->nd = dev->priv;
	q->eventfd = -1;
	q->ring = calloc(1, o->ring_size);
	q->sync = calloc(o->nsyncs, sizeof(*q->sync));
	if (!q->ring || !q->sync) {
		ret = -ENOMEM;
		goto err;
	}
	if (o->want_eventfd) {
		uq->eventfd = q->eventfd = eventfd(0, EFD_CLOEXEC);
		if (q->eventfd < 0) {
			ret = -errno;
			snprintf(why, whylen, "eventfd: %s", strerror(errno));
			goto err;
		}
	}
	/* Without a driver default, a firmware that sleeps until kicked. */
	q->policy = o->fw_policy == DRMB_FW_DEFAULT ? DRMB_FW_SLEEP : o->fw_policy;
	q->poll_ns = 1000ull * (o->poll_interval_us ? o->poll_interval_us : NULL_POLL_US);
	q->idle_ns = 1000ull * (o->idle_timeout_us ? o->idle_timeout_us : NULL_IDLE_US);
	q->r = (struct drmb_userq_ring) {
		.ring = q->ring,
		.ring_size = o->ring_size,
		.insert_io = &q->insert,
		.extract_io = &q->extract,
		.state_io = &q->state,
		.state_inactive = UQ_INACTIVE,
		.state_faulty = UQ_FAULTY,
		.doorbell = &q->doorbell,
		.sync = q->sync,
		.nsyncs = o->nsyncs,
	};
	ret = -pthread_create(&q->fw, NULL, fw_thread, q);
	q->started = !ret;
	if (ret) {

		snprintf(why, whylen, "null firmware thread: %s", strerror(-ret));
		goto err;
	}
	uq->id = 1;
	uq->ring_jobs = o->ring_size / sizeof(struct null_desc);
	uq->nsyncs = o->nsyncs;
	uq->fw_policy = q->policy;
	return 0;

err:
	null_userq_destroy(dev, uq);
	return ret;
}

static int null_userq_kick(struct null_userq *q)
{
	lock(q->nd);
	q->kicked = 1;
	q->st.kicks++;
	changed(q->nd);
	unlock(q->nd);
	return 0;
}

static int null_userq_submit(struct drmb_device *dev, struct drmb_userq *uq,
			     const struct drmb_userq_job *jobs, unsigned int njobs,
			     uint64_t *first_seqno)
{
	struct null_userq *q = uq->priv;
	int ret = drmb_userq_ring_submit(&q->r, jobs, njobs, null_desc_encode,
					 sizeof(struct null_desc), first_seqno);

	if (ret < 0)
		return ret;
	return ret || q->policy == DRMB_FW_SLEEP ? null_userq_kick(q) : 0;
}

static int null_userq_wait(struct drmb_device *dev, struct drmb_userq *uq, unsigned int sync,
			   uint64_t value, enum drmb_userq_wait how, uint64_t timeout_ns)
{
	struct null_userq *q = uq->priv;
	int64_t deadline = (int64_t)(drmb_now_ns() + timeout_ns);
	int ret = 0;

	if (how != DRMB_USERQ_WAIT_IOCTL)
		return drmb_userq_ring_wait(&q->r, uq->eventfd, sync, value, how, timeout_ns);
	if (sync >= q->r.nsyncs)
		return -EINVAL;
	/* The "ioctl": sleep on the device until the firmware got there. */
	lock(q->nd);
	while (!ret && __atomic_load_n(&q->sync[sync], __ATOMIC_ACQUIRE) < value)
		ret = __atomic_load_n(&q->state, __ATOMIC_ACQUIRE) == UQ_FAULTY ? -EIO :
		      wait_change(q->nd, deadline);
	unlock(q->nd);
	return ret;
}

static int null_userq_job_times(struct drmb_device *dev, struct drmb_userq *uq,
				uint64_t seqno, struct drmb_userq_times *t)
{
	struct null_userq *q = uq->priv;
	uint64_t v[4];
	int ret = record_times(q->nd, q->rec, seqno, v);

	if (!ret)
		*t = (struct drmb_userq_times){ v[0], v[1], v[2], v[3] };
	return ret;
}

static int null_userq_stats(struct drmb_device *dev, struct drmb_userq *uq,
			    struct drmb_userq_stats *st)
{
	struct null_userq *q = uq->priv;
	uint64_t ns;

	lock(q->nd);
	*st = q->st;
	unlock(q->nd);
	st->fw_tid = q->fw_tid;
	st->fw_cpu_ns = q->fw_tid && !drmb_task_cpu_ns(q->fw_tid, &ns) ? (int64_t)ns : -1;
	return 0;
}

static const struct drmb_userq_ops null_userq_ops = {
	.create = null_userq_create,
	.destroy = null_userq_destroy,
	.submit = null_userq_submit,
	.wait = null_userq_wait,
	.job_times = null_userq_job_times,
	.stats = null_userq_stats,
};

static int null_userq_bridge(struct drmb_device *dev, struct drmb_userq *uq,
			     enum drmb_userq_bridge_dir dir, unsigned int sync, uint64_t value,
			     uint32_t handle, uint64_t point)
{
	struct null_watch w = {
		.kind = dir == DRMB_BRIDGE_TO_SYNCOBJ ? WATCH_TO_SYNCOBJ : WATCH_FROM_SYNCOBJ,
		.handle = handle, .point = point, .q = uq->priv, .sync = sync, .value = value,
	};
	struct null_dev *nd = dev->priv;
	struct null_syncobj *so;
	int ret;

	if (sync >= uq->nsyncs)
		return -EINVAL;
	lock(nd);
	so = syncobj(nd, handle);
	if (!so) {
		ret = -ENOENT;
	} else {
		if (w.kind == WATCH_TO_SYNCOBJ)
			attach(so, point);
		ret = add_watch(nd, &w);
		if (!ret)
			fire_to_syncobj(nd, w.q);
	}
	unlock(nd);
	return ret;
}

static const struct drmb_userq_bridge_ops null_userq_bridge_ops = {
	.bridge = null_userq_bridge,
};

/* ---- the backend ------------------------------------------------------------------ */

static int null_open(struct drmb_device *dev, char *why, size_t whylen)
{
	struct null_dev *nd = calloc(1, sizeof(*nd));
	pthread_condattr_t ca;

	if (!nd)
		return -ENOMEM;
	pthread_mutex_init(&nd->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&nd->changed, &ca);
	pthread_condattr_destroy(&ca);
	snprintf(dev->node, sizeof(dev->node), "none");
	snprintf(dev->driver, sizeof(dev->driver), "null");
	dev->priv = nd;
	return 0;
}

static void null_close(struct drmb_device *dev)
{
	struct null_dev *nd = dev->priv;
	unsigned int i;

	if (!nd)
		return;
	/* What a benchmark left behind goes, as a closed DRM file's does. */
	for (i = 0; i < NULL_MAX_QUEUES; i++)
		null_queue_destroy(dev, i + 1);
	for (i = 0; i < NULL_MAX_VMS; i++)
		null_vm_destroy(dev, i + 1);
	pthread_cond_destroy(&nd->changed);
	pthread_mutex_destroy(&nd->lock);
	free(nd->syncobjs);
	free(nd);
	dev->priv = NULL;
}

static int null_describe(struct drmb_device *dev, struct drmb_kvlist *kv)
{
	/* Never comparable with a device: compare refuses a differing key. */
	return drmb_kv_set(kv, "null-backend",
			   "no device: in-process queues, host-clock stages, in-memory page tables") ?
	       -ENOMEM : 0;
}

const struct drmb_backend drmb_backend_null = {
	.name = "null",
	.summary = "no device: in-process jobs, queues and page tables (the harness's own cost)",
	.flags = DRMB_BACKEND_EXPLICIT,
	.open = null_open,
	.close = null_close,
	.describe = null_describe,
	.nop = &null_nop_ops,
	.syncobj = &null_syncobj_ops,
	.timeline = &null_timeline_ops,
	.syncobj_eventfd = &null_syncobj_eventfd_ops,
	.submit = &null_submit_ops,
	.stage_records = &null_stage_records,
	.vm_bind = &null_vm_bind_ops,
	.vm_bind_async = &null_vm_bind_async_ops,
	.userq = &null_userq_ops,
	.userq_bridge = &null_userq_bridge_ops,
};
