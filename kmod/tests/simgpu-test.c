// SPDX-License-Identifier: MIT
/*
 * simgpu-test: functional tests of the simgpu module, run where it is loaded
 * (a guest; see run-in-guest.sh). One line per test: "ok NAME",
 * "FAIL NAME: reason" or "SKIP NAME: reason", then "N passed, N failed,
 * N skipped". Exit 0 if all passed, 1 if any failed, 4 if all were skipped
 * (kselftest's convention).
 *
 * Tests assert behaviour, never speed: timestamps are only compared for
 * order, and waits have generous deadlines that only a hang exceeds.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/sync_file.h>

#include <xf86drm.h>
#include <drm/simgpu_drm.h>

#include "simgpu-fuzz.h"

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

static int fd = -1;
static struct drm_simgpu_dev_info info;
static char reason[256];

enum result { PASS, FAIL, SKIP };

/* Record why a test failed or skipped; returns the result for chaining. */
static enum result why(enum result r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return r;
}

#define CHECK(cond) do { \
	if (!(cond)) \
		return why(FAIL, "line %d: %s (errno %d %s)", __LINE__, #cond, \
			   errno, strerror(errno)); \
} while (0)

/* ioctl returning 0 or -errno, restarting on signals. */
static int sg_ioctl(int f, unsigned long req, void *arg)
{
	return drmIoctl(f, req, arg) ? -errno : 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int queue_create(int f, uint32_t engine, uint32_t prio, uint32_t flags,
			uint64_t timeout_ns, uint32_t *id)
{
	struct drm_simgpu_queue_create c = {
		.engine = engine, .priority = prio, .flags = flags,
		.timeout_ns = timeout_ns,
	};
	int ret = sg_ioctl(f, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &c);

	*id = c.queue_id;
	return ret;
}

static int queue_destroy(int f, uint32_t id)
{
	struct drm_simgpu_queue_destroy d = { .queue_id = id };

	return sg_ioctl(f, DRM_IOCTL_SIMGPU_QUEUE_DESTROY, &d);
}

static int queue_query(int f, uint32_t id, struct drm_simgpu_queue_query *q)
{
	memset(q, 0, sizeof(*q));
	q->queue_id = id;
	return sg_ioctl(f, DRM_IOCTL_SIMGPU_QUEUE_QUERY, q);
}

static int submit(int f, uint32_t queue, struct drm_simgpu_job *jobs,
		  uint32_t n, uint64_t *first)
{
	struct drm_simgpu_submit s = {
		.queue_id = queue, .job_count = n,
		.jobs = (uintptr_t)jobs, .job_stride = sizeof(*jobs),
	};
	int ret = sg_ioctl(f, DRM_IOCTL_SIMGPU_SUBMIT, &s);

	if (first)
		*first = s.first_seqno;
	return ret;
}

/* One job signalling binary syncobj @out (if non-zero). */
static int submit_one(int f, uint32_t queue, uint64_t duration_ns,
		      uint32_t out, uint64_t *seqno)
{
	struct drm_simgpu_sync sig = {
		.flags = SIMGPU_SYNC_SIGNAL, .handle = out,
	};
	struct drm_simgpu_job job = {
		.duration_ns = duration_ns,
		.syncs = (uintptr_t)&sig, .sync_count = out ? 1 : 0,
	};

	return submit(f, queue, &job, 1, seqno);
}

static int job_query(int f, uint32_t queue, uint64_t seqno, uint32_t count,
		     struct drm_simgpu_job_record *recs)
{
	struct drm_simgpu_job_query q = {
		.queue_id = queue, .count = count, .first_seqno = seqno,
		.records = (uintptr_t)recs, .record_size = sizeof(*recs),
	};

	return sg_ioctl(f, DRM_IOCTL_SIMGPU_JOB_QUERY, &q);
}

static int wait_syncobj(uint32_t h)
{
	return drmSyncobjWait(fd, &h, 1, now_ns() + HANG_NS, 0, NULL);
}

static int wait_point(uint32_t h, uint64_t point)
{
	return drmSyncobjTimelineWait(fd, &h, &point, 1, now_ns() + HANG_NS,
				      0, NULL);
}

static uint32_t syncobj(void)
{
	uint32_t h = 0;

	if (drmSyncobjCreate(fd, 0, &h))
		return 0;
	return h;
}

/* Wait until the queue's jobs up to @seqno have signalled. */
static int wait_seqno(int f, uint32_t queue, uint64_t seqno)
{
	struct drm_simgpu_queue_query q;
	uint64_t deadline = now_ns() + HANG_NS;

	do {
		if (queue_query(f, queue, &q))
			return -errno;
		if (q.last_signalled_seqno >= seqno)
			return 0;
		usleep(1000);
	} while (now_ns() < deadline);
	return -ETIMEDOUT;
}

static bool record_ordered(const struct drm_simgpu_job_record *r)
{
	return r->ioctl_ns && r->ioctl_ns <= r->run_job_ns &&
	       r->run_job_ns <= r->engine_start_ns &&
	       r->engine_start_ns <= r->engine_end_ns &&
	       r->engine_end_ns <= r->signal_ns;
}

/* --- tests ------------------------------------------------------------ */

static enum result test_dev_query(void)
{
	struct drm_simgpu_dev_query q = { 0 };
	struct drm_simgpu_dev_info small;

	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_DEV_QUERY, &q) == 0);
	CHECK(q.size == sizeof(info));
	CHECK(info.uapi_major == SIMGPU_UAPI_MAJOR);
	CHECK(info.engine_count >= 1);
	CHECK(info.features & SIMGPU_FEATURE_TIMELINE_SYNCOBJ);
	CHECK(info.features & SIMGPU_FEATURE_USER_QUEUES);
	CHECK(info.userq_max_queues >= 2 && info.userq_max_ring_size >= 4096);
	CHECK(info.userq_record_ring_size &&
	      !(info.userq_record_ring_size & (info.userq_record_ring_size - 1)));
	CHECK(info.userq_fw_policy >= SIMGPU_USERQ_FW_BUSY &&
	      info.userq_fw_policy <= SIMGPU_USERQ_FW_SLEEP);
	CHECK(info.userq_poll_interval_us && info.userq_idle_timeout_us &&
	      info.userq_stall_timeout_ms);
	CHECK(info.job_ring_size && !(info.job_ring_size & (info.job_ring_size - 1)));
	CHECK(info.credit_limit >= 1 && info.job_timeout_ns > 0);

	/* An older, smaller struct gets only its bytes. */
	memset(&small, 0xa5, sizeof(small));
	q.size = 8;
	q.info = (uintptr_t)&small;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_DEV_QUERY, &q) == 0);
	CHECK(small.uapi_major == SIMGPU_UAPI_MAJOR && small.engine_count == 0xa5a5a5a5);

	q.flags = 1;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_DEV_QUERY, &q) == -EINVAL);
	q.flags = 0;
	q.size = sizeof(small);
	q.info = 8;	/* unmapped */
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_DEV_QUERY, &q) == -EFAULT);
	return PASS;
}

static enum result test_reserved_ioctls(void)
{
	char buf[64] = { 0 };

	/* Numbers no ioctl has: the gap before the user queues, and after. */
	CHECK(sg_ioctl(fd, DRM_IOWR(DRM_COMMAND_BASE + DRM_SIMGPU_VM_BIND_QUERY + 1, buf), buf) == -EINVAL);
	CHECK(sg_ioctl(fd, DRM_IOWR(DRM_COMMAND_BASE + DRM_SIMGPU_USERQ_SYNC_UPDATE + 1, buf), buf) == -EINVAL);
	return PASS;
}

static enum result test_bo(void)
{
	struct drm_simgpu_bo_create c = { .size = 5000 };
	struct drm_simgpu_bo_mmap_offset m = { 0 };
	struct drm_gem_close cl = { 0 };
	uint32_t *p;

	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_BO_CREATE, &c) == 0);
	CHECK(c.handle && c.size == 8192);
	m.handle = c.handle;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET, &m) == 0);
	p = mmap(NULL, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, m.offset);
	CHECK(p != MAP_FAILED);
	p[0] = 0xdeadbeef;
	p[2047] = 42;
	CHECK(p[0] == 0xdeadbeef && p[2047] == 42 && p[1] == 0);
	munmap(p, c.size);

	struct drm_simgpu_bo_create bad = { .size = 4096, .flags = 1 };

	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_BO_CREATE, &bad) == -EINVAL);
	bad.flags = 0;
	bad.size = 0;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_BO_CREATE, &bad) == -EINVAL);
	bad.size = info.max_bo_size + 1;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_BO_CREATE, &bad) == -E2BIG);
	m.flags = 1;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET, &m) == -EINVAL);
	m.flags = 0;
	m.handle = 0xfffff;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET, &m) == -ENOENT);

	cl.handle = c.handle;
	CHECK(sg_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &cl) == 0);
	m.handle = c.handle;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET, &m) == -ENOENT);
	return PASS;
}

static enum result test_queue_lifecycle(void)
{
	struct drm_simgpu_queue_query q;
	uint32_t id[3], e;
	int p;

	for (p = SIMGPU_QUEUE_PRIORITY_LOW; p <= SIMGPU_QUEUE_PRIORITY_HIGH; p++) {
		e = p % info.engine_count;
		CHECK(queue_create(fd, e, p, 0, 0, &id[p]) == 0);
		CHECK(id[p] != 0);
		CHECK(queue_query(fd, id[p], &q) == 0);
		CHECK(q.state == SIMGPU_QUEUE_STATE_ACTIVE && q.error == 0);
		CHECK(q.engine == e && q.priority == (uint32_t)p);
		CHECK(q.last_submitted_seqno == 0 && q.guilty_seqno == 0);
		CHECK(q.credit_limit == info.credit_limit);
		CHECK(q.timeout_ns == info.job_timeout_ns);
		CHECK(q.run_queue < 4);
	}
	/* Distinct priorities use distinct run queues when there are enough. */
	if (info.num_rqs >= 3) {
		struct drm_simgpu_queue_query lo, hi;

		CHECK(queue_query(fd, id[0], &lo) == 0 && queue_query(fd, id[2], &hi) == 0);
		CHECK(lo.run_queue != hi.run_queue);
	}
	for (p = 0; p < 3; p++)
		CHECK(queue_destroy(fd, id[p]) == 0);
	CHECK(queue_destroy(fd, id[0]) == -ENOENT);
	CHECK(queue_query(fd, id[0], &q) == -ENOENT);
	return PASS;
}

static enum result test_queue_bad_input(void)
{
	struct drm_simgpu_queue_create c = { 0 };
	struct drm_simgpu_queue_destroy d = { 0 };
	struct drm_simgpu_queue_query q = { 0 };
	uint32_t id;

	c.flags = 1u << 31;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &c) == -EINVAL);
	c.flags = 0;
	c.engine = info.engine_count;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &c) == -EINVAL);
	c.engine = 0;
	c.priority = SIMGPU_QUEUE_PRIORITY_HIGH + 1;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &c) == -EINVAL);
	c.priority = 0;
	/* Scheduler knobs belong to queues that own a scheduler. */
	c.credit_limit = 4;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &c) == -EINVAL);
	c.credit_limit = 0;
	c.timeout_ns = MS;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &c) == -EINVAL);
	c.flags = SIMGPU_QUEUE_CREATE_OWN_SCHED;
	c.timeout_ns = 0;
	c.credit_limit = info.max_credit_limit + 1;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &c) == -EINVAL);
	c.credit_limit = 0;
	c.submit_wq = SIMGPU_SUBMIT_WQ_KTHREAD + 1;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &c) == -EINVAL);

	d.queue_id = 0x7fff;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_QUEUE_DESTROY, &d) == -ENOENT);
	CHECK(queue_create(fd, 0, 0, 0, 0, &id) == 0);
	d.queue_id = id;
	d.pad = 1;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_QUEUE_DESTROY, &d) == -EINVAL);
	q.queue_id = id;
	q.flags = 1;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_QUEUE_QUERY, &q) == -EINVAL);
	CHECK(queue_destroy(fd, id) == 0);
	return PASS;
}

static enum result test_queue_limit(void)
{
	uint32_t ids[256], n, id;
	int ret = 0;

	for (n = 0; n < info.max_queues; n++)
		CHECK(queue_create(fd, 0, 1, 0, 0, &ids[n]) == 0);
	ret = queue_create(fd, 0, 1, 0, 0, &id);
	for (n = 0; n < info.max_queues; n++)
		queue_destroy(fd, ids[n]);
	CHECK(ret == -EBUSY);
	return PASS;
}

static enum result test_submit_wq_choice(void)
{
	static const uint32_t wqs[] = {
		SIMGPU_SUBMIT_WQ_PER_SCHED, SIMGPU_SUBMIT_WQ_SHARED,
		SIMGPU_SUBMIT_WQ_SHARED_HIGHPRI,
	};
	struct drm_simgpu_queue_create c = {
		.flags = SIMGPU_QUEUE_CREATE_OWN_SCHED, .credit_limit = 2,
	};
	struct drm_simgpu_queue_query q;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		uint32_t so = syncobj();

		c.submit_wq = wqs[i];
		if (!(info.features & SIMGPU_FEATURE_SUBMIT_WQ_CHOICE)) {
			CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &c) == -EOPNOTSUPP);
			continue;
		}
		CHECK(so);
		CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &c) == 0);
		CHECK(queue_query(fd, c.queue_id, &q) == 0);
		CHECK(q.submit_wq == wqs[i] && q.credit_limit == 2);
		CHECK(q.queue_flags == SIMGPU_QUEUE_CREATE_OWN_SCHED);
		CHECK(submit_one(fd, c.queue_id, 0, so, NULL) == 0);
		CHECK(wait_syncobj(so) == 0);
		CHECK(queue_destroy(fd, c.queue_id) == 0);
		drmSyncobjDestroy(fd, so);
	}
	if (!(info.features & SIMGPU_FEATURE_SUBMIT_WQ_CHOICE)) {
		c.submit_wq = SIMGPU_SUBMIT_WQ_KTHREAD;
		CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &c) == 0);
		CHECK(queue_destroy(fd, c.queue_id) == 0);
		return why(PASS, "");
	}
	c.submit_wq = SIMGPU_SUBMIT_WQ_KTHREAD;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &c) == -EOPNOTSUPP);
	return PASS;
}

static enum result test_submit_zero_duration(void)
{
	struct drm_simgpu_job_record r;
	uint32_t q, so = syncobj();
	uint64_t seqno;

	CHECK(so);
	CHECK(queue_create(fd, 0, 1, 0, 0, &q) == 0);
	CHECK(submit_one(fd, q, 0, so, &seqno) == 0);
	CHECK(seqno == 1);
	CHECK(wait_syncobj(so) == 0);
	CHECK(wait_seqno(fd, q, seqno) == 0);
	CHECK(job_query(fd, q, seqno, 1, &r) == 0);
	CHECK(r.seqno == seqno && r.status == SIMGPU_JOB_STATUS_DONE && r.error == 0);
	CHECK(record_ordered(&r));
	CHECK(r.engine_start_ns == r.engine_end_ns);
	CHECK(submit_one(fd, q, 0, so, &seqno) == 0);
	CHECK(seqno == 2);
	CHECK(queue_destroy(fd, q) == 0);
	drmSyncobjDestroy(fd, so);
	return PASS;
}

static enum result test_submit_duration(void)
{
	struct drm_simgpu_job_record r;
	uint32_t q, so = syncobj();
	uint64_t seqno, t0 = now_ns();

	CHECK(so);
	CHECK(queue_create(fd, 0, 1, 0, 0, &q) == 0);
	CHECK(submit_one(fd, q, 20 * MS, so, &seqno) == 0);
	CHECK(wait_syncobj(so) == 0);
	CHECK(wait_seqno(fd, q, seqno) == 0);
	CHECK(job_query(fd, q, seqno, 1, &r) == 0);
	CHECK(r.status == SIMGPU_JOB_STATUS_DONE && r.error == 0);
	CHECK(record_ordered(&r));
	CHECK(r.ioctl_ns >= t0);
	/* The engine model: the job occupies the engine for its duration. */
	CHECK(r.engine_end_ns - r.engine_start_ns == 20 * MS);
	CHECK(r.duration_ns == 20 * MS);
	CHECK(queue_destroy(fd, q) == 0);
	drmSyncobjDestroy(fd, so);
	return PASS;
}

static enum result test_job_in_flight_status(void)
{
	struct drm_simgpu_job_record r;
	uint32_t q, so = syncobj();
	uint64_t seqno;

	CHECK(so);
	CHECK(queue_create(fd, 0, 1, 0, 0, &q) == 0);
	CHECK(submit_one(fd, q, 500 * MS, so, &seqno) == 0);
	CHECK(job_query(fd, q, seqno, 1, &r) == 0);
	CHECK(r.status == SIMGPU_JOB_STATUS_QUEUED || r.status == SIMGPU_JOB_STATUS_RUNNING);
	CHECK(r.signal_ns == 0);
	CHECK(wait_syncobj(so) == 0);
	CHECK(wait_seqno(fd, q, seqno) == 0);
	CHECK(job_query(fd, q, seqno, 1, &r) == 0);
	CHECK(r.status == SIMGPU_JOB_STATUS_DONE && record_ordered(&r));
	CHECK(queue_destroy(fd, q) == 0);
	drmSyncobjDestroy(fd, so);
	return PASS;
}

static enum result test_batch_order(void)
{
	struct drm_simgpu_job jobs[8];
	struct drm_simgpu_job_record r[8];
	struct drm_simgpu_sync sig = { .flags = SIMGPU_SYNC_SIGNAL };
	uint32_t q, so = syncobj();
	uint64_t first, first2;
	int i;

	CHECK(so);
	CHECK(queue_create(fd, 0, 1, 0, 0, &q) == 0);
	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < 8; i++)
		jobs[i].duration_ns = (i % 2) * 2 * MS;
	sig.handle = so;
	jobs[7].syncs = (uintptr_t)&sig;
	jobs[7].sync_count = 1;
	CHECK(submit(fd, q, jobs, 8, &first) == 0);
	CHECK(first == 1);
	CHECK(submit(fd, q, jobs, 8, &first2) == 0);
	CHECK(first2 == 9);
	CHECK(wait_seqno(fd, q, 16) == 0);
	CHECK(job_query(fd, q, first, 8, r) == 0);
	for (i = 0; i < 8; i++) {
		CHECK(r[i].seqno == first + i && r[i].status == SIMGPU_JOB_STATUS_DONE);
		CHECK(record_ordered(&r[i]));
		/* One engine runs one job at a time, in submission order. */
		if (i)
			CHECK(r[i].engine_start_ns >= r[i - 1].engine_end_ns);
	}
	CHECK(queue_destroy(fd, q) == 0);
	drmSyncobjDestroy(fd, so);
	return PASS;
}

/* B (on another engine/queue) waits on A: B runs only after A signalled. */
static enum result check_dependency(struct drm_simgpu_sync *a_sig,
				    struct drm_simgpu_sync *b_wait,
				    uint32_t b_flags, int in_fd)
{
	struct drm_simgpu_job a = {
		.duration_ns = 100 * MS, .syncs = (uintptr_t)a_sig,
		.sync_count = a_sig ? 1 : 0,
	};
	struct drm_simgpu_job b = {
		.syncs = (uintptr_t)b_wait, .sync_count = b_wait ? 1 : 0,
		.flags = b_flags, .in_fence_fd = in_fd,
	};
	struct drm_simgpu_job_record ra, rb;
	uint32_t qa, qb;
	uint64_t sa, sb;

	CHECK(queue_create(fd, 0, 1, 0, 0, &qa) == 0);
	CHECK(queue_create(fd, info.engine_count > 1, 1, 0, 0, &qb) == 0);
	CHECK(submit(fd, qa, &a, 1, &sa) == 0);
	CHECK(submit(fd, qb, &b, 1, &sb) == 0);
	CHECK(wait_seqno(fd, qb, sb) == 0);
	CHECK(wait_seqno(fd, qa, sa) == 0);
	CHECK(job_query(fd, qa, sa, 1, &ra) == 0);
	CHECK(job_query(fd, qb, sb, 1, &rb) == 0);
	CHECK(record_ordered(&ra) && record_ordered(&rb));
	CHECK(rb.run_job_ns >= ra.signal_ns);
	CHECK(queue_destroy(fd, qa) == 0);
	CHECK(queue_destroy(fd, qb) == 0);
	return PASS;
}

static enum result test_dep_binary_syncobj(void)
{
	uint32_t so = syncobj();
	struct drm_simgpu_sync sig = { .flags = SIMGPU_SYNC_SIGNAL, .handle = so };
	struct drm_simgpu_sync wait = { .flags = SIMGPU_SYNC_WAIT, .handle = so };
	enum result r;

	if (!so)
		return why(FAIL, "syncobj create failed");
	r = check_dependency(&sig, &wait, 0, 0);
	drmSyncobjDestroy(fd, so);
	return r;
}

static enum result test_dep_timeline_syncobj(void)
{
	uint32_t so = syncobj();
	struct drm_simgpu_sync sig = {
		.flags = SIMGPU_SYNC_SIGNAL | SIMGPU_SYNC_TIMELINE,
		.handle = so, .point = 5,
	};
	struct drm_simgpu_sync wait = {
		.flags = SIMGPU_SYNC_WAIT | SIMGPU_SYNC_TIMELINE,
		.handle = so, .point = 5,
	};
	enum result r;
	uint64_t value = 0;

	if (!so)
		return why(FAIL, "syncobj create failed");
	r = check_dependency(&sig, &wait, 0, 0);
	if (r != PASS)
		return r;
	CHECK(wait_point(so, 5) == 0);
	CHECK(drmSyncobjQuery(fd, &so, &value, 1) == 0);
	CHECK(value == 5);
	drmSyncobjDestroy(fd, so);
	return PASS;
}

static enum result test_dep_in_fence(void)
{
	uint32_t so = syncobj(), qa, qb;
	struct drm_simgpu_job b = { .flags = SIMGPU_JOB_IN_FENCE_FD };
	struct drm_simgpu_job_record ra, rb;
	uint64_t sa, sb;

	CHECK(so);
	CHECK(queue_create(fd, 0, 1, 0, 0, &qa) == 0);
	CHECK(queue_create(fd, info.engine_count > 1, 1, 0, 0, &qb) == 0);
	CHECK(submit_one(fd, qa, 100 * MS, so, &sa) == 0);
	/* A's finished fence, as a sync_file, is B's in-fence. */
	CHECK(drmSyncobjExportSyncFile(fd, so, &b.in_fence_fd) == 0);
	CHECK(submit(fd, qb, &b, 1, &sb) == 0);
	CHECK(wait_seqno(fd, qb, sb) == 0 && wait_seqno(fd, qa, sa) == 0);
	CHECK(job_query(fd, qa, sa, 1, &ra) == 0 && job_query(fd, qb, sb, 1, &rb) == 0);
	CHECK(record_ordered(&ra) && record_ordered(&rb));
	CHECK(rb.run_job_ns >= ra.signal_ns);
	close(b.in_fence_fd);
	CHECK(queue_destroy(fd, qa) == 0 && queue_destroy(fd, qb) == 0);
	drmSyncobjDestroy(fd, so);
	return PASS;
}

static enum result test_out_fence(void)
{
	struct drm_simgpu_job job = {
		.duration_ns = 5 * MS, .flags = SIMGPU_JOB_OUT_FENCE_FD,
	};
	struct drm_simgpu_job b = { .flags = SIMGPU_JOB_IN_FENCE_FD };
	struct drm_simgpu_job_record ra, rb;
	struct pollfd pfd;
	uint32_t q;
	uint64_t sa, sb;

	CHECK(queue_create(fd, 0, 1, 0, 0, &q) == 0);
	CHECK(submit(fd, q, &job, 1, &sa) == 0);
	CHECK(job.out_fence_fd > 2);
	pfd.fd = job.out_fence_fd;
	pfd.events = POLLIN;
	CHECK(poll(&pfd, 1, HANG_NS / MS) == 1 && (pfd.revents & POLLIN));
	/* The out-fence feeds another job as its in-fence. */
	b.in_fence_fd = job.out_fence_fd;
	CHECK(submit(fd, q, &b, 1, &sb) == 0);
	CHECK(wait_seqno(fd, q, sb) == 0);
	CHECK(job_query(fd, q, sa, 1, &ra) == 0 && job_query(fd, q, sb, 1, &rb) == 0);
	CHECK(rb.run_job_ns >= ra.signal_ns);
	close(job.out_fence_fd);
	CHECK(queue_destroy(fd, q) == 0);
	return PASS;
}

static enum result test_implicit_sync_bo(void)
{
	struct drm_simgpu_bo_create c = { .size = 4096 };
	struct drm_simgpu_bo_ref wr = { .flags = SIMGPU_BO_REF_WRITE };
	struct drm_simgpu_bo_ref rd = { .flags = SIMGPU_BO_REF_READ };
	struct drm_simgpu_job a = {
		.duration_ns = 100 * MS, .bos = (uintptr_t)&wr, .bo_count = 1,
	};
	struct drm_simgpu_job b = { .bos = (uintptr_t)&rd, .bo_count = 1 };
	struct drm_simgpu_job_record ra, rb;
	struct drm_gem_close cl = { 0 };
	uint32_t qa, qb;
	uint64_t sa, sb;

	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_BO_CREATE, &c) == 0);
	wr.handle = rd.handle = c.handle;
	CHECK(queue_create(fd, 0, 1, 0, 0, &qa) == 0);
	CHECK(queue_create(fd, info.engine_count > 1, 1, 0, 0, &qb) == 0);
	CHECK(submit(fd, qa, &a, 1, &sa) == 0);
	CHECK(submit(fd, qb, &b, 1, &sb) == 0);
	CHECK(wait_seqno(fd, qb, sb) == 0 && wait_seqno(fd, qa, sa) == 0);
	CHECK(job_query(fd, qa, sa, 1, &ra) == 0 && job_query(fd, qb, sb, 1, &rb) == 0);
	/* The reader waited for the writer through the BO's dma_resv. */
	CHECK(rb.run_job_ns >= ra.signal_ns);

	/* A batch sharing one BO between jobs locks it once. */
	struct drm_simgpu_job two[2] = { b, b };

	CHECK(submit(fd, qb, two, 2, &sb) == 0);
	CHECK(wait_seqno(fd, qb, sb + 1) == 0);
	CHECK(queue_destroy(fd, qa) == 0 && queue_destroy(fd, qb) == 0);
	cl.handle = c.handle;
	CHECK(sg_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &cl) == 0);
	return PASS;
}

static enum result test_credits(void)
{
	struct drm_simgpu_job job = { .credits = 2 };
	uint32_t q;
	uint64_t s;
	int ret;

	/* A job may take at most the whole credit limit. */
	job.credits = info.credit_limit < 2 ? info.credit_limit : 2;
	CHECK(queue_create(fd, 0, 1, 0, 0, &q) == 0);
	ret = submit(fd, q, &job, 1, &s);
	if (info.features & SIMGPU_FEATURE_JOB_CREDITS || job.credits == 1) {
		CHECK(ret == 0);
		CHECK(wait_seqno(fd, q, s) == 0);
	} else {
		CHECK(ret == -EOPNOTSUPP);
	}
	job.credits = info.credit_limit + 1;
	CHECK(submit(fd, q, &job, 1, &s) == (info.features & SIMGPU_FEATURE_JOB_CREDITS ?
					     -EINVAL : -EOPNOTSUPP));
	CHECK(queue_destroy(fd, q) == 0);
	return PASS;
}

static enum result test_submit_bad_input(void)
{
	struct drm_simgpu_submit s = { 0 };
	struct drm_simgpu_job job = { 0 };
	struct drm_simgpu_sync sync = { 0 };
	struct drm_simgpu_bo_ref bos[2] = { 0 };
	struct drm_simgpu_bo_create c = { .size = 4096 };
	struct drm_simgpu_queue_query qq;
	static struct drm_simgpu_job many[512];
	uint32_t q, so = syncobj(), fresh = syncobj();
	int devnull = open("/dev/null", O_RDONLY);

	CHECK(so && fresh && devnull >= 0);
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_BO_CREATE, &c) == 0);
	CHECK(queue_create(fd, 0, 1, 0, 0, &q) == 0);

	s.queue_id = q;
	s.jobs = (uintptr_t)&job;
	s.job_count = 1;
	s.job_stride = sizeof(job);
	s.flags = 1;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_SUBMIT, &s) == -EINVAL);
	s.flags = 0;
	s.job_count = 0;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_SUBMIT, &s) == -EINVAL);
	s.job_count = info.max_jobs_per_submit + 1;
	s.jobs = (uintptr_t)many;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_SUBMIT, &s) == -E2BIG);
	s.jobs = (uintptr_t)&job;
	s.job_count = 1;
	s.job_stride = sizeof(job) - 8;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_SUBMIT, &s) == -EINVAL);
	s.job_stride = sizeof(job);
	s.queue_id = 0x7fff;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_SUBMIT, &s) == -ENOENT);
	s.queue_id = q;
	s.jobs = 8;	/* unmapped */
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_SUBMIT, &s) == -EFAULT);
	s.jobs = (uintptr_t)&job;

#define BAD_JOB(expect) CHECK(submit(fd, q, &job, 1, NULL) == (expect))
	job.flags = 1u << 30;
	BAD_JOB(-EINVAL);
	job.flags = 0;
	job.in_fence_fd = 3;
	BAD_JOB(-EINVAL);
	job.in_fence_fd = devnull;
	job.flags = SIMGPU_JOB_IN_FENCE_FD;
	BAD_JOB(-EINVAL);
	job.flags = 0;
	job.in_fence_fd = 0;
	job.duration_ns = info.max_job_duration_ns + 1;
	BAD_JOB(-EINVAL);
	job.duration_ns = 0;
	job.sync_count = info.max_syncs_per_job + 1;
	BAD_JOB(-E2BIG);
	job.sync_count = 0;
	job.bo_count = info.max_bos_per_job + 1;
	BAD_JOB(-E2BIG);

	job.syncs = (uintptr_t)&sync;
	job.sync_count = 1;
	job.bo_count = 0;
	sync.handle = so;
	sync.flags = 0;
	BAD_JOB(-EINVAL);
	sync.flags = SIMGPU_SYNC_WAIT | SIMGPU_SYNC_SIGNAL;
	BAD_JOB(-EINVAL);
	sync.flags = SIMGPU_SYNC_SIGNAL | (1u << 7);
	BAD_JOB(-EINVAL);
	sync.flags = SIMGPU_SYNC_SIGNAL;
	sync.point = 3;	/* a point without TIMELINE */
	BAD_JOB(-EINVAL);
	sync.flags = SIMGPU_SYNC_SIGNAL | SIMGPU_SYNC_TIMELINE;
	sync.point = 0;	/* TIMELINE without a point */
	BAD_JOB(-EINVAL);
	sync.point = 0;
	sync.flags = SIMGPU_SYNC_SIGNAL;
	sync.handle = 0xfffff;
	BAD_JOB(-ENOENT);
	sync.flags = SIMGPU_SYNC_WAIT;
	BAD_JOB(-ENOENT);
	sync.handle = fresh;	/* binary, never signalled: no fence */
	BAD_JOB(-EINVAL);
	sync.flags = SIMGPU_SYNC_WAIT | SIMGPU_SYNC_TIMELINE;
	sync.point = 7;		/* point never submitted */
	BAD_JOB(-EINVAL);
	sync.point = 0;
	job.syncs = 8;
	sync.flags = SIMGPU_SYNC_SIGNAL;
	BAD_JOB(-EFAULT);
	job.syncs = 0;
	job.sync_count = 0;

	job.bos = (uintptr_t)bos;
	job.bo_count = 1;
	bos[0].handle = c.handle;
	bos[0].flags = 0;
	BAD_JOB(-EINVAL);
	bos[0].flags = 1u << 5;
	BAD_JOB(-EINVAL);
	bos[0].flags = SIMGPU_BO_REF_READ;
	bos[0].handle = 0xfffff;
	BAD_JOB(-ENOENT);
	bos[0].handle = c.handle;
	bos[1] = bos[0];
	job.bo_count = 2;	/* the same BO twice */
	BAD_JOB(-EINVAL);
	job.bo_count = 0;
	job.bos = 0;
#undef BAD_JOB

	/* Nothing was submitted, nothing leaked a seqno or a fence. */
	CHECK(queue_query(fd, q, &qq) == 0);
	CHECK(qq.last_submitted_seqno == 0 && qq.state == SIMGPU_QUEUE_STATE_ACTIVE);
	CHECK(submit(fd, q, &job, 1, NULL) == 0);
	CHECK(queue_query(fd, q, &qq) == 0 && qq.last_submitted_seqno == 1);
	CHECK(queue_destroy(fd, q) == 0);
	drmSyncobjDestroy(fd, so);
	drmSyncobjDestroy(fd, fresh);
	close(devnull);
	return PASS;
}

static enum result test_job_query(void)
{
	struct drm_simgpu_job_query jq = { 0 };
	struct drm_simgpu_job_record r[2];
	static struct drm_simgpu_job jobs[256];
	uint64_t s, total = 0;
	uint32_t q;

	CHECK(queue_create(fd, 0, 1, 0, 0, &q) == 0);
	CHECK(submit(fd, q, jobs, 1, &s) == 0);
	CHECK(wait_seqno(fd, q, s) == 0);

	jq.queue_id = q;
	jq.count = 1;
	jq.first_seqno = 1;
	jq.records = (uintptr_t)r;
	jq.record_size = sizeof(r[0]);
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_JOB_QUERY, &jq) == 0);
	jq.flags = 1;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_JOB_QUERY, &jq) == -EINVAL);
	jq.flags = 0;
	jq.record_size = sizeof(r[0]) - 8;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_JOB_QUERY, &jq) == -EINVAL);
	jq.record_size = sizeof(r[0]);
	jq.first_seqno = 0;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_JOB_QUERY, &jq) == -EINVAL);
	jq.first_seqno = 2;	/* not submitted yet */
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_JOB_QUERY, &jq) == -ENOENT);
	jq.first_seqno = 1;
	jq.count = 2;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_JOB_QUERY, &jq) == -ENOENT);
	jq.count = 0;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_JOB_QUERY, &jq) == -EINVAL);
	jq.count = info.job_ring_size + 1;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_JOB_QUERY, &jq) == -E2BIG);
	jq.count = 1;
	jq.records = 8;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_JOB_QUERY, &jq) == -EFAULT);
	jq.records = (uintptr_t)r;
	jq.queue_id = 0x7fff;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_JOB_QUERY, &jq) == -ENOENT);

	/* Overrun the ring: the oldest records are gone, the newest kept. */
	while (total < info.job_ring_size + 1) {
		CHECK(submit(fd, q, jobs, 256, &s) == 0);
		total += 256;
	}
	CHECK(wait_seqno(fd, q, s + 255) == 0);
	CHECK(job_query(fd, q, 1, 1, r) == -ENODATA);
	CHECK(job_query(fd, q, s + 254, 2, r) == 0);
	CHECK(r[1].seqno == s + 255 && r[1].status == SIMGPU_JOB_STATUS_DONE);
	CHECK(queue_destroy(fd, q) == 0);
	return PASS;
}

static enum result test_timeout(void)
{
	struct drm_simgpu_job_record r;
	struct drm_simgpu_queue_query qq;
	uint32_t q, so = syncobj(), so2 = syncobj();
	uint64_t s;

	CHECK(so && so2);
	/* Own scheduler: a short timeout without touching the module's. */
	CHECK(queue_create(fd, 0, 1, SIMGPU_QUEUE_CREATE_OWN_SCHED, 100 * MS, &q) == 0);
	CHECK(queue_query(fd, q, &qq) == 0 && qq.timeout_ns == 100 * MS);
	CHECK(submit_one(fd, q, 10000 * MS, so, &s) == 0);
	/* Queued behind the hung job: cancelled by the queue's error state. */
	CHECK(submit_one(fd, q, 0, so2, NULL) == 0);
	CHECK(wait_syncobj(so) == 0);
	CHECK(wait_syncobj(so2) == 0);
	CHECK(queue_query(fd, q, &qq) == 0);
	CHECK(qq.state == SIMGPU_QUEUE_STATE_TIMEDOUT);
	CHECK(qq.error == -ETIMEDOUT && qq.guilty_seqno == s);
	CHECK(job_query(fd, q, s, 1, &r) == 0);
	CHECK(r.status == SIMGPU_JOB_STATUS_DONE && r.error == -ETIMEDOUT);
	CHECK(r.signal_ns < r.engine_end_ns);
	CHECK(wait_seqno(fd, q, s + 1) == 0);
	CHECK(job_query(fd, q, s + 1, 1, &r) == 0);
	CHECK(r.status == SIMGPU_JOB_STATUS_DONE && r.error == -ECANCELED);
	CHECK(submit_one(fd, q, 0, 0, NULL) == -EIO);
	CHECK(queue_destroy(fd, q) == 0);

	/* Other queues on the engine are unaffected. */
	CHECK(queue_create(fd, 0, 1, 0, 0, &q) == 0);
	CHECK(submit_one(fd, q, 0, so, &s) == 0);
	CHECK(wait_seqno(fd, q, s) == 0);
	CHECK(job_query(fd, q, s, 1, &r) == 0 && r.error == 0);
	CHECK(queue_destroy(fd, q) == 0);
	drmSyncobjDestroy(fd, so);
	drmSyncobjDestroy(fd, so2);
	return PASS;
}

/*
 * A timeout as short as the kernel allows races the scheduler's run_job
 * step and normal completion: every job must still signal, whether it
 * completed or was failed by the timeout, and the queue must end up in a
 * consistent state.
 */
static enum result test_timeout_race(void)
{
	static struct drm_simgpu_job jobs[64];
	struct drm_simgpu_queue_query qq;
	uint64_t s = 0;
	uint32_t q;
	int i, ret = 0;

	CHECK(queue_create(fd, 0, 1, SIMGPU_QUEUE_CREATE_OWN_SCHED, 1, &q) == 0);
	for (i = 0; i < 64; i++)
		jobs[i].duration_ns = i % 8 ? 0 : 20000;
	for (i = 0; i < 40 && !ret; i++) {
		ret = submit(fd, q, jobs, 64, &s);
		CHECK(ret == 0 || ret == -EIO);
	}
	CHECK(queue_query(fd, q, &qq) == 0);
	CHECK(wait_seqno(fd, q, qq.last_submitted_seqno) == 0);
	CHECK(queue_query(fd, q, &qq) == 0);
	CHECK(qq.state == (ret ? SIMGPU_QUEUE_STATE_TIMEDOUT : qq.state));
	CHECK(qq.state == SIMGPU_QUEUE_STATE_ACTIVE || qq.guilty_seqno != 0);
	CHECK(queue_destroy(fd, q) == 0);
	return why(PASS, "%s", qq.state ? "a job timed out" : "no job timed out");
}

static enum result test_queue_destroy_with_jobs(void)
{
	struct drm_simgpu_job jobs[32];
	struct drm_simgpu_sync sig;
	uint32_t q, so = syncobj();
	int i;

	CHECK(so);
	CHECK(queue_create(fd, 0, 1, 0, 0, &q) == 0);
	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < 32; i++)
		jobs[i].duration_ns = 50 * MS;
	sig = (struct drm_simgpu_sync){ .flags = SIMGPU_SYNC_SIGNAL, .handle = so };
	jobs[31].syncs = (uintptr_t)&sig;
	jobs[31].sync_count = 1;
	CHECK(submit(fd, q, jobs, 32, NULL) == 0);
	CHECK(queue_destroy(fd, q) == 0);
	/* The last job's fence still signals: cancelled, not lost. */
	CHECK(wait_syncobj(so) == 0);

	/* Same with a queue owning its scheduler. */
	CHECK(drmSyncobjReset(fd, &so, 1) == 0);
	CHECK(queue_create(fd, 0, 1, SIMGPU_QUEUE_CREATE_OWN_SCHED, 0, &q) == 0);
	CHECK(submit(fd, q, jobs, 32, NULL) == 0);
	CHECK(queue_destroy(fd, q) == 0);
	CHECK(wait_syncobj(so) == 0);
	drmSyncobjDestroy(fd, so);
	return PASS;
}

static enum result test_cancel_spares_others(void)
{
	struct drm_simgpu_job_record before, after;
	uint32_t qa, qb;
	uint64_t sa;

	/* A runs on the engine; B, with its own scheduler, waits behind it. */
	CHECK(queue_create(fd, 0, 1, 0, 0, &qa) == 0);
	CHECK(queue_create(fd, 0, 1, SIMGPU_QUEUE_CREATE_OWN_SCHED, 0, &qb) == 0);
	CHECK(submit_one(fd, qa, 300 * MS, 0, &sa) == 0);
	CHECK(submit_one(fd, qb, 100 * MS, 0, NULL) == 0);
	CHECK(job_query(fd, qa, sa, 1, &before) == 0);
	/* Destroying B cancels its job on the engine, not A's. */
	CHECK(queue_destroy(fd, qb) == 0);
	CHECK(wait_seqno(fd, qa, sa) == 0);
	CHECK(job_query(fd, qa, sa, 1, &after) == 0);
	CHECK(after.error == 0 && record_ordered(&after));
	if (before.status == SIMGPU_JOB_STATUS_RUNNING)
		CHECK(after.engine_start_ns == before.engine_start_ns);
	CHECK(after.engine_end_ns - after.engine_start_ns == 300 * MS);
	CHECK(queue_destroy(fd, qa) == 0);
	return PASS;
}

struct submitter {
	int fd;
	uint32_t queue;
	int bad;	/* first unexpected return value, 0 if none */
	int ok;
};

/* Submits until the queue or the fd goes away under it. */
static void *submitter_thread(void *arg)
{
	struct submitter *t = arg;
	int i, ret;

	for (i = 0; i < 100000; i++) {
		ret = submit_one(t->fd, t->queue, (i % 3) * 100000, 0, NULL);
		if (ret == -ENOENT || ret == -EBADF)
			break;
		if (ret) {
			t->bad = ret;
			break;
		}
		__atomic_add_fetch(&t->ok, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* Destroy the queue once the submitter is under way (or has given up). */
static void destroy_when_busy(struct submitter *t)
{
	uint64_t deadline = now_ns() + HANG_NS;

	while (__atomic_load_n(&t->ok, __ATOMIC_ACQUIRE) < 20 && !t->bad &&
	       now_ns() < deadline)
		usleep(1000);
}

static enum result test_concurrent_destroy(void)
{
	struct submitter t = { .fd = fd };
	pthread_t th;

	CHECK(queue_create(fd, 0, 1, 0, 0, &t.queue) == 0);
	CHECK(pthread_create(&th, NULL, submitter_thread, &t) == 0);
	destroy_when_busy(&t);
	CHECK(queue_destroy(fd, t.queue) == 0);
	CHECK(pthread_join(th, NULL) == 0);
	if (t.bad)
		return why(FAIL, "SUBMIT racing QUEUE_DESTROY returned %d", t.bad);
	CHECK(t.ok >= 20);

	t = (struct submitter){ .fd = fd, .bad = 0 };
	CHECK(queue_create(fd, 0, 1, SIMGPU_QUEUE_CREATE_OWN_SCHED, 0, &t.queue) == 0);
	CHECK(pthread_create(&th, NULL, submitter_thread, &t) == 0);
	destroy_when_busy(&t);
	CHECK(queue_destroy(fd, t.queue) == 0);
	CHECK(pthread_join(th, NULL) == 0);
	if (t.bad)
		return why(FAIL, "SUBMIT racing QUEUE_DESTROY (own sched) returned %d", t.bad);
	return PASS;
}

/* Garbage in every field must give a documented errno, never worse. */
static enum result test_submit_garbage(void)
{
	static const int allowed[] = {
		0, -EINVAL, -E2BIG, -ENOENT, -EFAULT, -EOPNOTSUPP, -EMFILE,
	};
	struct drm_simgpu_job jobs[4];
	struct drm_simgpu_sync syncs[4];
	struct drm_simgpu_bo_ref bos[4];
	uint32_t q, so = syncobj();
	unsigned int i, k, n, accepted = 0;
	int ret;

	CHECK(so);
	CHECK(queue_create(fd, 0, 1, 0, 0, &q) == 0);
	srand(1234);
	for (i = 0; i < 3000; i++) {
		unsigned char *b;

		b = (unsigned char *)jobs;
		for (k = 0; k < sizeof(jobs); k++)
			b[k] = rand();
		b = (unsigned char *)syncs;
		for (k = 0; k < sizeof(syncs); k++)
			b[k] = rand();
		b = (unsigned char *)bos;
		for (k = 0; k < sizeof(bos); k++)
			b[k] = rand();
		for (k = 0; k < 4; k++) {
			/* Keep some fields plausible so deeper checks are reached. */
			if (rand() % 2) {
				jobs[k].syncs = (uintptr_t)syncs;
				jobs[k].sync_count %= 5;
				jobs[k].duration_ns %= 1000;
				jobs[k].credits %= 2;
				jobs[k].flags &= rand() % 2 ? 0 : 3;
				jobs[k].in_fence_fd = jobs[k].flags & 1 ? rand() % 8 : 0;
			}
			if (rand() % 2) {
				jobs[k].bos = (uintptr_t)bos;
				jobs[k].bo_count %= 5;
			}
			if (rand() % 2) {
				syncs[k].flags &= 7;
				syncs[k].handle = rand() % 2 ? so : syncs[k].handle % 8;
				syncs[k].point %= 3;
			}
			bos[k].flags &= 3;
			bos[k].handle %= 8;
		}
		n = 1 + rand() % 4;
		ret = submit(fd, q, jobs, n, NULL);
		for (k = 0; k < ARRAY_SIZE(allowed); k++)
			if (ret == allowed[k])
				break;
		if (k == ARRAY_SIZE(allowed))
			return why(FAIL, "iteration %u: SUBMIT returned %d", i, ret);
		accepted += !ret;
		for (k = 0; !ret && k < n; k++)
			if (jobs[k].flags & SIMGPU_JOB_OUT_FENCE_FD)
				close(jobs[k].out_fence_fd);
	}
	CHECK(queue_destroy(fd, q) == 0);
	drmSyncobjDestroy(fd, so);
	/* Some must get through, or the deeper paths were never reached. */
	CHECK(accepted > 0);
	return why(PASS, "%u of 3000 random batches accepted", accepted);
}

static enum result test_close_with_jobs(void)
{
	struct drm_simgpu_job jobs[64];
	uint32_t q, q2;
	int f = open_simgpu(), i;

	CHECK(f >= 0);
	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < 64; i++)
		jobs[i].duration_ns = (i % 4) * 10 * MS;
	CHECK(queue_create(f, 0, 1, 0, 0, &q) == 0);
	CHECK(queue_create(f, info.engine_count - 1, 2, SIMGPU_QUEUE_CREATE_OWN_SCHED, 0, &q2) == 0);
	CHECK(submit(f, q, jobs, 64, NULL) == 0);
	CHECK(submit(f, q2, jobs, 64, NULL) == 0);
	close(f);

	/* The device still works for everyone else. */
	CHECK(queue_create(fd, 0, 1, 0, 0, &q) == 0);
	CHECK(submit(fd, q, jobs, 1, NULL) == 0);
	CHECK(wait_seqno(fd, q, 1) == 0);
	CHECK(queue_destroy(fd, q) == 0);
	return PASS;
}

static enum result test_syncobj_eventfd(void)
{
	struct simgpu_test_syncobj_eventfd ev = { 0 };
	uint32_t q, so = syncobj();
	uint64_t v = 0;
	int efd;

	if (!(info.features & SIMGPU_FEATURE_SYNCOBJ_EVENTFD))
		return why(SKIP, "kernel has no DRM_IOCTL_SYNCOBJ_EVENTFD");
	CHECK(so);
	efd = eventfd(0, 0);
	CHECK(efd >= 0);
	CHECK(queue_create(fd, 0, 1, 0, 0, &q) == 0);
	ev.handle = so;
	ev.point = 2;
	ev.fd = efd;
	CHECK(sg_ioctl(fd, SIMGPU_TEST_IOCTL_SYNCOBJ_EVENTFD, &ev) == 0);
	struct drm_simgpu_sync sig = {
		.flags = SIMGPU_SYNC_SIGNAL | SIMGPU_SYNC_TIMELINE,
		.handle = so, .point = 2,
	};
	struct drm_simgpu_job job = { .syncs = (uintptr_t)&sig, .sync_count = 1 };

	CHECK(submit(fd, q, &job, 1, NULL) == 0);
	CHECK(read(efd, &v, sizeof(v)) == sizeof(v) && v >= 1);
	close(efd);
	CHECK(queue_destroy(fd, q) == 0);
	drmSyncobjDestroy(fd, so);
	return PASS;
}

static enum result test_injection_report(void)
{
	bool on = info.features & SIMGPU_FEATURE_INJECTION_ACTIVE;

	CHECK(on == (info.inject_path != SIMGPU_INJECT_NONE));
	CHECK(on == (info.inject_delay_ns != 0));
	if (on)
		return why(PASS, "injection active: path %u, %llu ns",
			   info.inject_path, (unsigned long long)info.inject_delay_ns);
	return PASS;
}

/* --- GPU VA spaces and VM_BIND ------------------------------------------ */

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)
/* Tests keep the low 4 GiB for the kernel, as a driver would. */
#define VM_KERNEL_SIZE (4 * GiB)
#define VA0 (8 * GiB)

/* SKIP where the kernel has no drm_gpuvm, after checking the ioctls say so. */
static enum result vm_unsupported(void)
{
	struct drm_simgpu_vm_create c = { 0 };

	if (sg_ioctl(fd, DRM_IOCTL_SIMGPU_VM_CREATE, &c) != -EOPNOTSUPP)
		return why(FAIL, "VM_BIND feature bit 0 but VM_CREATE did not return -EOPNOTSUPP");
	return why(SKIP, "VM_BIND unsupported on this kernel (no drm_gpuvm): VM_CREATE returns -EOPNOTSUPP");
}

#define VM_REQUIRE() do { \
	if (!(info.features & SIMGPU_FEATURE_VM_BIND)) \
		return vm_unsupported(); \
} while (0)

static int vm_create(int f, uint32_t flags, uint32_t prealloc, uint32_t *id)
{
	struct drm_simgpu_vm_create c = {
		.flags = flags, .prealloc = prealloc,
		.kernel_va_start = 0, .kernel_va_size = VM_KERNEL_SIZE,
	};
	int ret = sg_ioctl(f, DRM_IOCTL_SIMGPU_VM_CREATE, &c);

	*id = c.vm_id;
	return ret;
}

static int vm_destroy(int f, uint32_t id)
{
	struct drm_simgpu_vm_destroy d = { .vm_id = id };

	return sg_ioctl(f, DRM_IOCTL_SIMGPU_VM_DESTROY, &d);
}

static int vm_bind(int f, uint32_t id, struct drm_simgpu_vm_bind_op *ops, uint32_t n)
{
	struct drm_simgpu_vm_bind b = {
		.vm_id = id, .op_count = n, .op_stride = sizeof(*ops),
		.ops = (uintptr_t)ops,
	};

	return sg_ioctl(f, DRM_IOCTL_SIMGPU_VM_BIND, &b);
}

static int vm_query(int f, uint32_t id, uint64_t va, struct drm_simgpu_vm_query *q)
{
	memset(q, 0, sizeof(*q));
	q->vm_id = id;
	q->va = va;
	return sg_ioctl(f, DRM_IOCTL_SIMGPU_VM_QUERY, q);
}

static struct drm_simgpu_vm_bind_op op_map(uint32_t h, uint64_t off, uint64_t va, uint64_t size)
{
	return (struct drm_simgpu_vm_bind_op){
		.op = SIMGPU_VM_BIND_OP_MAP, .handle = h, .bo_offset = off,
		.va = va, .size = size,
	};
}

static struct drm_simgpu_vm_bind_op op_null(uint64_t va, uint64_t size)
{
	return (struct drm_simgpu_vm_bind_op){
		.op = SIMGPU_VM_BIND_OP_MAP_NULL, .va = va, .size = size,
	};
}

static struct drm_simgpu_vm_bind_op op_unmap(uint64_t va, uint64_t size)
{
	return (struct drm_simgpu_vm_bind_op){
		.op = SIMGPU_VM_BIND_OP_UNMAP, .va = va, .size = size,
	};
}

static uint32_t bo(uint64_t size)
{
	struct drm_simgpu_bo_create c = { .size = size };

	return sg_ioctl(fd, DRM_IOCTL_SIMGPU_BO_CREATE, &c) ? 0 : c.handle;
}

static void bo_close(uint32_t h)
{
	struct drm_gem_close c = { .handle = h };

	sg_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

/* Does @va translate to (@mapping, @handle, @off) with @page_size leaves? */
static bool translates(uint32_t vm, uint64_t va, uint32_t mapping,
		       uint32_t handle, uint64_t off, uint64_t page_size)
{
	struct drm_simgpu_vm_query q;

	if (vm_query(fd, vm, va, &q))
		return false;
	if (q.mapping != mapping) {
		snprintf(reason, sizeof(reason), "va %#llx: mapping %u, want %u",
			 (unsigned long long)va, q.mapping, mapping);
		return false;
	}
	if (mapping == SIMGPU_VM_MAPPING_BO &&
	    (q.handle != handle || q.bo_offset != off))
		return false;
	if (page_size && q.page_size != page_size)
		return false;
	return true;
}

#define MAPS_BO(vm, va, h, off, ps) translates(vm, va, SIMGPU_VM_MAPPING_BO, h, off, ps)
#define UNMAPPED(vm, va) translates(vm, va, SIMGPU_VM_MAPPING_NONE, 0, 0, 0)
#define MAPS_NULL(vm, va) translates(vm, va, SIMGPU_VM_MAPPING_NULL, 0, 0, 0)

static uint64_t vm_mappings(uint32_t vm)
{
	struct drm_simgpu_vm_query q;

	return vm_query(fd, vm, 0, &q) ? ~0ull : q.mappings;
}

static enum result test_vm_map_translate(void)
{
	struct drm_simgpu_vm_bind_op ops[2];
	uint32_t vm, h = bo(1 * MiB);

	VM_REQUIRE();
	CHECK(h);
	CHECK(vm_create(fd, 0, 0, &vm) == 0 && vm);
	ops[0] = op_map(h, 0, VA0, 1 * MiB);
	ops[1] = op_map(h, 64 * KiB, VA0 + 4 * MiB, 64 * KiB);
	CHECK(vm_bind(fd, vm, ops, 2) == 0);
	CHECK(MAPS_BO(vm, VA0, h, 0, 4 * KiB));
	CHECK(MAPS_BO(vm, VA0 + 0x12345, h, 0x12345, 4 * KiB));
	CHECK(MAPS_BO(vm, VA0 + 1 * MiB - 1, h, 1 * MiB - 1, 4 * KiB));
	CHECK(UNMAPPED(vm, VA0 + 1 * MiB));
	CHECK(UNMAPPED(vm, VA0 - 1));
	CHECK(MAPS_BO(vm, VA0 + 4 * MiB + 8 * KiB, h, 72 * KiB, 4 * KiB));
	CHECK(UNMAPPED(vm, VA0 + 4 * MiB + 64 * KiB));
	CHECK(vm_mappings(vm) == 2);
	CHECK(vm_destroy(fd, vm) == 0);
	bo_close(h);
	return PASS;
}

static enum result test_vm_partial_unmap(void)
{
	struct drm_simgpu_vm_bind_op op;
	uint32_t vm, h = bo(64 * KiB), i;

	VM_REQUIRE();
	CHECK(h);
	CHECK(vm_create(fd, 0, 0, &vm) == 0);
	op = op_map(h, 0, VA0, 64 * KiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	op = op_unmap(VA0 + 16 * KiB, 16 * KiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	for (i = 0; i < 16; i++) {
		uint64_t va = VA0 + i * 4 * KiB;

		if (i >= 4 && i < 8)
			CHECK(UNMAPPED(vm, va));
		else
			CHECK(MAPS_BO(vm, va, h, i * 4 * KiB, 4 * KiB));
	}
	/* One mapping split in two: drm_gpuvm's remap with prev and next. */
	CHECK(vm_mappings(vm) == 2);
	/* Trim the head, then unmap a range holding nothing. */
	op = op_unmap(VA0, 8 * KiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	CHECK(UNMAPPED(vm, VA0) && MAPS_BO(vm, VA0 + 8 * KiB, h, 8 * KiB, 4 * KiB));
	op = op_unmap(VA0 + 1 * GiB, 1 * GiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	CHECK(vm_mappings(vm) == 2);
	CHECK(vm_destroy(fd, vm) == 0);
	bo_close(h);
	return PASS;
}

static enum result test_vm_remap(void)
{
	struct drm_simgpu_vm_bind_op op;
	uint32_t vm, a = bo(4 * MiB), b = bo(1 * MiB);

	VM_REQUIRE();
	CHECK(a && b);
	CHECK(vm_create(fd, 0, 0, &vm) == 0);
	op = op_map(a, 0, VA0, 4 * MiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	/* B over the middle of A: A is split around it. */
	op = op_map(b, 256 * KiB, VA0 + 1 * MiB, 512 * KiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	CHECK(MAPS_BO(vm, VA0 + 1 * MiB - 4 * KiB, a, 1 * MiB - 4 * KiB, 0));
	CHECK(MAPS_BO(vm, VA0 + 1 * MiB, b, 256 * KiB, 0));
	CHECK(MAPS_BO(vm, VA0 + 1 * MiB + 508 * KiB, b, 764 * KiB, 0));
	CHECK(MAPS_BO(vm, VA0 + 1 * MiB + 512 * KiB, a, 1 * MiB + 512 * KiB, 0));
	CHECK(MAPS_BO(vm, VA0 + 4 * MiB - 4 * KiB, a, 4 * MiB - 4 * KiB, 0));
	CHECK(vm_mappings(vm) == 3);
	/* A again over everything: one mapping. */
	op = op_map(a, 0, VA0, 4 * MiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	CHECK(MAPS_BO(vm, VA0 + 1 * MiB, a, 1 * MiB, 0));
	CHECK(vm_mappings(vm) == 1);
	CHECK(vm_destroy(fd, vm) == 0);
	bo_close(a);
	bo_close(b);
	return PASS;
}

static enum result test_vm_sparse(void)
{
	struct drm_simgpu_vm_bind_op ops[2];
	uint32_t vm, h = bo(64 * KiB);

	VM_REQUIRE();
	CHECK(h);
	CHECK(vm_create(fd, 0, 0, &vm) == 0);
	ops[0] = op_null(VA0, 1 * MiB);
	ops[1] = op_map(h, 0, VA0 + 512 * KiB, 64 * KiB);
	CHECK(vm_bind(fd, vm, ops, 2) == 0);
	CHECK(MAPS_NULL(vm, VA0));
	CHECK(MAPS_NULL(vm, VA0 + 512 * KiB - 4 * KiB));
	CHECK(MAPS_BO(vm, VA0 + 512 * KiB, h, 0, 4 * KiB));
	CHECK(MAPS_NULL(vm, VA0 + 576 * KiB));
	CHECK(UNMAPPED(vm, VA0 + 1 * MiB));
	CHECK(vm_mappings(vm) == 3);
	ops[0] = op_unmap(VA0, 1 * MiB);
	CHECK(vm_bind(fd, vm, ops, 1) == 0);
	CHECK(UNMAPPED(vm, VA0) && UNMAPPED(vm, VA0 + 512 * KiB));
	CHECK(vm_mappings(vm) == 0);
	CHECK(vm_destroy(fd, vm) == 0);
	bo_close(h);
	return PASS;
}

static enum result test_vm_huge(void)
{
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_vm_query q;
	uint32_t vm, h = bo(8 * MiB), plain;

	VM_REQUIRE();
	CHECK(h);
	CHECK(vm_create(fd, SIMGPU_VM_CREATE_HUGE_PAGES, 0, &vm) == 0);
	op = op_map(h, 2 * MiB, VA0, 4 * MiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	CHECK(MAPS_BO(vm, VA0 + 4 * KiB, h, 2 * MiB + 4 * KiB, 2 * MiB));
	CHECK(MAPS_BO(vm, VA0 + 3 * MiB, h, 3 * MiB + 2 * MiB, 2 * MiB));
	/* Punching a 4 KiB hole splits one block into 4 KiB leaves. */
	op = op_unmap(VA0 + 1 * MiB, 4 * KiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	CHECK(UNMAPPED(vm, VA0 + 1 * MiB));
	CHECK(MAPS_BO(vm, VA0 + 1 * MiB - 4 * KiB, h, 3 * MiB - 4 * KiB, 4 * KiB));
	CHECK(MAPS_BO(vm, VA0 + 1 * MiB + 4 * KiB, h, 3 * MiB + 4 * KiB, 4 * KiB));
	CHECK(MAPS_BO(vm, VA0 + 2 * MiB, h, 4 * MiB, 2 * MiB));
	/* Misaligned BO offset: no block possible. */
	op = op_map(h, 4 * KiB, VA0 + 16 * MiB, 2 * MiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	CHECK(MAPS_BO(vm, VA0 + 16 * MiB, h, 4 * KiB, 4 * KiB));
	/* Sparse blocks too. */
	op = op_null(VA0 + 32 * MiB, 2 * MiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	CHECK(vm_query(fd, vm, VA0 + 33 * MiB, &q) == 0);
	CHECK(q.mapping == SIMGPU_VM_MAPPING_NULL && q.page_size == 2 * MiB);
	CHECK(vm_destroy(fd, vm) == 0);

	/* Without the flag the same map uses 4 KiB leaves. */
	CHECK(vm_create(fd, 0, 0, &plain) == 0);
	op = op_map(h, 2 * MiB, VA0, 4 * MiB);
	CHECK(vm_bind(fd, plain, &op, 1) == 0);
	CHECK(MAPS_BO(plain, VA0 + 3 * MiB, h, 5 * MiB, 4 * KiB));
	CHECK(vm_destroy(fd, plain) == 0);
	bo_close(h);
	return PASS;
}

static uint64_t dev_tables_live(void)
{
	struct drm_simgpu_dev_info i = { 0 };
	struct drm_simgpu_dev_query q = { .size = sizeof(i), .info = (uintptr_t)&i };

	return sg_ioctl(fd, DRM_IOCTL_SIMGPU_DEV_QUERY, &q) ? ~0ull : i.vm_tables_live;
}

static enum result test_vm_teardown_frees_tables(void)
{
	struct drm_simgpu_vm_bind_op ops[8];
	struct drm_simgpu_vm_query q;
	uint64_t before = dev_tables_live();
	uint32_t vm, h = bo(4 * MiB), flags;
	int f, i;

	VM_REQUIRE();
	CHECK(h && before != ~0ull);
	for (flags = 0; flags <= SIMGPU_VM_CREATE_HUGE_PAGES; flags++) {
		CHECK(vm_create(fd, flags, 0, &vm) == 0);
		for (i = 0; i < 8; i++)	/* spans of every level */
			ops[i] = op_map(h, 0, VA0 + (uint64_t)i * 77 * GiB + i * 4 * KiB, 4 * MiB);
		CHECK(vm_bind(fd, vm, ops, 8) == 0);
		CHECK(vm_query(fd, vm, 0, &q) == 0 && q.tables_live > 8);
		CHECK(dev_tables_live() == before + q.tables_live);
		/* Unmapping everything frees every table but the root. */
		ops[0] = op_unmap(VM_KERNEL_SIZE, (1ull << SIMGPU_VM_VA_BITS) - VM_KERNEL_SIZE);
		CHECK(vm_bind(fd, vm, ops, 1) == 0);
		CHECK(vm_query(fd, vm, 0, &q) == 0 && q.tables_live == 1);
		CHECK(vm_bind(fd, vm, ops + 1, 7) == 0);
		CHECK(vm_destroy(fd, vm) == 0);
		CHECK(dev_tables_live() == before);
	}

	/* Closing the file destroys its VMs with their mappings. */
	f = open_simgpu();
	CHECK(f >= 0);
	{
		struct drm_simgpu_bo_create bc = { .size = 4 * MiB };
		struct drm_simgpu_vm_bind_op op;

		CHECK(sg_ioctl(f, DRM_IOCTL_SIMGPU_BO_CREATE, &bc) == 0);
		CHECK(vm_create(f, 0, 0, &vm) == 0);
		op = op_map(bc.handle, 0, VA0, 4 * MiB);
		CHECK(vm_bind(f, vm, &op, 1) == 0);
		CHECK(dev_tables_live() > before);
	}
	close(f);
	CHECK(dev_tables_live() == before);
	bo_close(h);
	return PASS;
}

/*
 * The same ops, shuffled and overlapping, under each policy and with and
 * without huge pages: identical translations; the counters add up.
 */
static enum result test_vm_policies_identical(void)
{
	enum { NOPS = 96, NPROBE = 400 };
	static const uint32_t policies[] = {
		SIMGPU_VM_PREALLOC_NONE, SIMGPU_VM_PREALLOC_PER_OP,
		SIMGPU_VM_PREALLOC_BATCHED,
	};
	struct drm_simgpu_vm_bind_op ops[NOPS];
	static struct drm_simgpu_vm_query ref[NPROBE];
	uint32_t h = bo(8 * MiB), vm, p, flags, i;
	uint64_t probe[NPROBE];

	VM_REQUIRE();
	CHECK(h);
	srand(5);
	for (i = 0; i < NOPS; i++) {
		uint64_t va = VA0 + (uint64_t)(rand() % 64) * 256 * KiB;
		uint64_t size = (uint64_t)(1 + rand() % 1024) * 4 * KiB;
		uint64_t off = (uint64_t)(rand() % 2) * 2 * MiB + (rand() % 2) * 4 * KiB;

		switch (rand() % 4) {
		case 0:
			ops[i] = op_null(va, size);
			break;
		case 1:
			ops[i] = op_unmap(va, size);
			break;
		default:
			ops[i] = op_map(h, off, va, size);
		}
	}
	for (i = 0; i < NPROBE; i++)
		probe[i] = VA0 + (uint64_t)(rand() % (24 * 1024)) * 4 * KiB;

	for (flags = 0; flags <= SIMGPU_VM_CREATE_HUGE_PAGES; flags++) {
		for (p = 0; p < 3; p++) {
			struct drm_simgpu_vm_query q, s;

			CHECK(vm_create(fd, flags, policies[p], &vm) == 0);
			CHECK(vm_bind(fd, vm, ops, NOPS / 2) == 0);
			CHECK(vm_bind(fd, vm, ops + NOPS / 2, NOPS / 2) == 0);
			for (i = 0; i < NPROBE; i++) {
				CHECK(vm_query(fd, vm, probe[i], &q) == 0);
				if (!p) {
					ref[i] = q;
					continue;
				}
				if (q.mapping != ref[i].mapping || q.handle != ref[i].handle ||
				    q.bo_offset != ref[i].bo_offset || q.page_size != ref[i].page_size)
					return why(FAIL, "huge %u, policy %u: va %#llx differs from policy none",
						   flags, policies[p], (unsigned long long)probe[i]);
			}
			CHECK(vm_query(fd, vm, 0, &s) == 0);
			CHECK(s.prealloc == policies[p]);
			if (policies[p] == SIMGPU_VM_PREALLOC_NONE) {
				CHECK(s.tables_preallocated == 0 && s.tables_allocated_late > 0);
			} else {
				CHECK(s.tables_allocated_late == 0);
				CHECK(s.tables_preallocated > 0);
			}
			CHECK(s.tables_preallocated == s.tables_prealloc_used + s.tables_returned);
			CHECK(s.tables_live == 1 + s.tables_prealloc_used +
			      s.tables_allocated_late - s.tables_freed);
			CHECK(vm_destroy(fd, vm) == 0);
		}
	}
	bo_close(h);
	return PASS;
}

/* msm's point: a sorted batch of small maps in one 2 MiB span shares tables. */
static enum result test_vm_batched_sharing(void)
{
	static struct drm_simgpu_vm_bind_op ops[512];
	uint64_t pre[2];
	uint32_t h = bo(2 * MiB), vm, p, i;

	VM_REQUIRE();
	CHECK(h);
	for (i = 0; i < 512; i++)
		ops[i] = op_map(h, i * 4 * KiB, VA0 + i * 4 * KiB, 4 * KiB);
	for (p = 0; p < 2; p++) {
		struct drm_simgpu_vm_query s;

		CHECK(vm_create(fd, 0, p ? SIMGPU_VM_PREALLOC_BATCHED :
				SIMGPU_VM_PREALLOC_PER_OP, &vm) == 0);
		CHECK(vm_bind(fd, vm, ops, 512) == 0);
		CHECK(vm_query(fd, vm, 0, &s) == 0);
		pre[p] = s.tables_preallocated;
		/* Three tables below the root map all of it, either way. */
		CHECK(s.tables_prealloc_used == 3 && s.tables_live == 4);
		CHECK(MAPS_BO(vm, VA0 + 511 * 4 * KiB, h, 511 * 4 * KiB, 4 * KiB));
		CHECK(vm_destroy(fd, vm) == 0);
	}
	CHECK(pre[0] == 3 * 512);
	CHECK(pre[1] == 3);
	bo_close(h);
	return why(PASS, "pages preallocated for 512 sorted 4 KiB maps: per-op %llu, batched %llu",
		   (unsigned long long)pre[0], (unsigned long long)pre[1]);
}

static enum result test_vm_bad_input(void)
{
	struct drm_simgpu_vm_bind_op ops[2];
	struct drm_simgpu_vm_bind b;
	struct drm_simgpu_vm_create c;
	struct drm_simgpu_vm_query before, after;
	uint32_t vm, h = bo(64 * KiB);
	const uint64_t top = 1ull << SIMGPU_VM_VA_BITS;
	struct {
		struct drm_simgpu_vm_bind_op op;
		int err;
	} bad[] = {
		{ op_map(h, 0, VA0 + 1, 4 * KiB), -EINVAL },		/* unaligned va */
		{ op_map(h, 0, VA0, 4 * KiB + 1), -EINVAL },		/* unaligned size */
		{ op_map(h, 1, VA0, 4 * KiB), -EINVAL },		/* unaligned offset */
		{ op_map(h, 0, VA0, 0), -EINVAL },			/* empty */
		{ op_map(h, 0, VA0, 128 * KiB), -EINVAL },		/* past the BO */
		{ op_map(h, 64 * KiB, VA0, 4 * KiB), -EINVAL },		/* offset at BO end */
		{ op_map(h, ~0ull & ~4095ull, VA0, 4 * KiB), -EINVAL },	/* offset wraps */
		{ op_map(h + 1000, 0, VA0, 4 * KiB), -ENOENT },		/* unknown handle */
		{ op_map(h, 0, 0, 4 * KiB), -ERANGE },			/* kernel range */
		{ op_map(h, 0, VM_KERNEL_SIZE - 4 * KiB, 8 * KiB), -ERANGE },
		{ op_map(h, 0, top - 4 * KiB, 8 * KiB), -ERANGE },	/* past the end */
		{ op_null(top, 4 * KiB), -ERANGE },
		{ op_unmap(~0ull & ~4095ull, 8 * KiB), -EOVERFLOW },	/* wraps */
		{ op_null(VA0, 4 * KiB), 0 },				/* fixed below */
		{ op_unmap(VA0, 4 * KiB), 0 },
		{ { .op = 3, .va = VA0, .size = 4 * KiB }, -EINVAL },	/* unknown op */
	};
	unsigned int i;

	VM_REQUIRE();
	CHECK(h);
	bad[13].op.handle = h;		/* a handle on MAP_NULL */
	bad[13].err = -EINVAL;
	bad[14].op.bo_offset = 4096;	/* an offset on UNMAP */
	bad[14].err = -EINVAL;
	CHECK(vm_create(fd, 0, 0, &vm) == 0);
	ops[0] = op_map(h, 0, VA0, 64 * KiB);
	CHECK(vm_bind(fd, vm, ops, 1) == 0);
	CHECK(vm_query(fd, vm, VA0, &before) == 0);

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int ret;

		/* Preceded by a valid op: the whole batch is refused. */
		ops[0] = op_unmap(VA0, 64 * KiB);
		ops[1] = bad[i].op;
		ret = vm_bind(fd, vm, ops, 2);
		if (ret != bad[i].err)
			return why(FAIL, "bad op %u: %d, want %d", i, ret, bad[i].err);
	}
	ops[1] = op_map(h, 0, VA0, 4 * KiB);
	ops[1].flags = 1;
	CHECK(vm_bind(fd, vm, ops, 2) == -EINVAL);
	ops[1].flags = 0;
	ops[1].pad = 1;
	CHECK(vm_bind(fd, vm, ops, 2) == -EINVAL);

	memset(&b, 0, sizeof(b));
	b.vm_id = vm;
	b.op_stride = sizeof(ops[0]);
	b.ops = (uintptr_t)ops;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_VM_BIND, &b) == -EINVAL);	/* count 0 */
	b.op_count = SIMGPU_VM_MAX_BIND_OPS + 1;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_VM_BIND, &b) == -E2BIG);
	b.op_count = 1;
	b.op_stride = 8;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_VM_BIND, &b) == -EINVAL);
	b.op_stride = sizeof(ops[0]);
	b.flags = 4;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_VM_BIND, &b) == -EINVAL);
	b.flags = SIMGPU_VM_BIND_NONBLOCK;	/* without ASYNC */
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_VM_BIND, &b) == -EINVAL);
	b.flags = 0;
	b.sync_count = 1;			/* syncs without ASYNC */
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_VM_BIND, &b) == -EINVAL);
	{
		struct drm_simgpu_sync sy[2] = { { 0 } };

		b.flags = SIMGPU_VM_BIND_ASYNC;
		b.syncs = (uintptr_t)sy;
		b.sync_count = 1000;
		CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_VM_BIND, &b) == -E2BIG);
		b.sync_count = 1;
		sy[0].flags = SIMGPU_SYNC_WAIT | SIMGPU_SYNC_SIGNAL;
		CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_VM_BIND, &b) == -EINVAL);
		sy[0].flags = SIMGPU_SYNC_SIGNAL;
		sy[0].point = 3;		/* a point without TIMELINE */
		CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_VM_BIND, &b) == -EINVAL);
		sy[0].point = 0;
		sy[0].handle = 0xdead;		/* unknown syncobj */
		CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_VM_BIND, &b) == -ENOENT);
		sy[0].flags = SIMGPU_SYNC_WAIT;
		CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_VM_BIND, &b) == -ENOENT);
		b.syncs = 8;			/* unmapped */
		CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_VM_BIND, &b) == -EFAULT);
		b.syncs = 0;
		b.sync_count = 0;
		b.flags = 0;
	}
	b.ops = 8;	/* unmapped */
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_VM_BIND, &b) == -EFAULT);
	b.ops = (uintptr_t)ops;
	b.vm_id = vm + 1000;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_VM_BIND, &b) == -ENOENT);

	/* Nothing changed. */
	CHECK(vm_query(fd, vm, VA0, &after) == 0);
	CHECK(after.mapping == SIMGPU_VM_MAPPING_BO && after.handle == h);
	CHECK(after.mappings == before.mappings && after.tables_live == before.tables_live);
	CHECK(after.binds == before.binds && after.bind_ops == before.bind_ops);

	CHECK(vm_query(fd, vm + 1000, 0, &after) == -ENOENT);
	after.vm_id = vm;
	after.flags = 1;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_VM_QUERY, &after) == -EINVAL);
	CHECK(vm_destroy(fd, vm + 1000) == -ENOENT);
	CHECK(vm_destroy(fd, vm) == 0);
	CHECK(vm_destroy(fd, vm) == -ENOENT);

	memset(&c, 0, sizeof(c));
	c.flags = 2;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_VM_CREATE, &c) == -EINVAL);
	c.flags = 0;
	c.prealloc = 4;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_VM_CREATE, &c) == -EINVAL);
	c.prealloc = 0;
	c.pad = 1;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_VM_CREATE, &c) == -EINVAL);
	c.pad = 0;
	c.kernel_va_size = 4095;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_VM_CREATE, &c) == -EINVAL);
	c.kernel_va_start = top - 4096;
	c.kernel_va_size = 8192;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_VM_CREATE, &c) == -ERANGE);
	bo_close(h);
	return PASS;
}

/* Bind stage stamps are ordered and inside the call; counters move. */
static enum result test_vm_bind_timestamps(void)
{
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_vm_query q;
	uint32_t vm, h = bo(2 * MiB);
	uint64_t t0, t1;

	VM_REQUIRE();
	CHECK(h);
	CHECK(vm_create(fd, 0, SIMGPU_VM_PREALLOC_PER_OP, &vm) == 0);
	CHECK(vm_query(fd, vm, 0, &q) == 0);
	CHECK(q.last_bind_ioctl_ns == 0 && q.binds == 0 && q.apply_ns == 0);
	op = op_map(h, 0, VA0, 2 * MiB);
	t0 = now_ns();
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	t1 = now_ns();
	CHECK(vm_query(fd, vm, 0, &q) == 0);
	CHECK(t0 <= q.last_bind_ioctl_ns);
	CHECK(q.last_bind_ioctl_ns <= q.last_bind_apply_ns);
	CHECK(q.last_bind_apply_ns <= q.last_bind_done_ns);
	CHECK(q.last_bind_done_ns <= t1);
	CHECK(q.binds == 1 && q.bind_ops == 1);
	CHECK(q.apply_ns == q.last_bind_done_ns - q.last_bind_apply_ns);
	CHECK(q.tables_preallocated == 3 && q.tables_returned == 0);
	CHECK(vm_destroy(fd, vm) == 0);
	bo_close(h);
	return PASS;
}

struct binder {
	uint32_t vm, bo;
	int bad;	/* first unexpected return value, 0 if none */
	int ok;
};

/* Maps and unmaps until the VM goes away under it. */
static void *binder_thread(void *arg)
{
	struct binder *t = arg;
	struct drm_simgpu_vm_bind_op ops[2];
	int i, ret;

	for (i = 0; i < 100000; i++) {
		ops[0] = op_map(t->bo, 0, VA0 + (i % 64) * 2 * MiB, 1 * MiB);
		ops[1] = op_unmap(VA0 + ((i + 32) % 64) * 2 * MiB, 2 * MiB);
		ret = vm_bind(fd, t->vm, ops, 2);
		if (ret == -ENOENT)
			break;
		if (ret) {
			t->bad = ret;
			break;
		}
		t->ok++;
	}
	return NULL;
}

/* VM_DESTROY racing binds on the same VM: -ENOENT after, nothing leaks. */
static enum result test_vm_destroy_while_binding(void)
{
	uint64_t before = dev_tables_live();
	struct binder t[2];
	pthread_t th[2];
	uint32_t h = bo(1 * MiB);
	int round, k, binds = 0;

	VM_REQUIRE();
	CHECK(h);
	for (round = 0; round < 20; round++) {
		uint32_t vm;

		CHECK(vm_create(fd, round % 2 ? SIMGPU_VM_CREATE_HUGE_PAGES : 0, 1 + round % 3,
				&vm) == 0);
		for (k = 0; k < 2; k++) {
			t[k] = (struct binder){ .vm = vm, .bo = h };
			CHECK(pthread_create(&th[k], NULL, binder_thread, &t[k]) == 0);
		}
		usleep(1000 * (1 + round % 5));
		CHECK(vm_destroy(fd, vm) == 0);
		for (k = 0; k < 2; k++) {
			pthread_join(th[k], NULL);
			if (t[k].bad)
				return why(FAIL, "round %d: VM_BIND returned %d", round, t[k].bad);
			binds += t[k].ok;
		}
	}
	CHECK(dev_tables_live() == before);
	/* Some binds must have run before the destroys, or nothing raced. */
	CHECK(binds > 0);
	bo_close(h);
	return why(PASS, "%d binds before 20 destroys", binds);
}

#define PT_FAIL_KNOB "/sys/module/simgpu/parameters/test_pt_alloc_fail_after"

static int pt_fail_after(int n)
{
	FILE *f = fopen(PT_FAIL_KNOB, "w");
	int ret;

	if (!f)
		return -errno;
	ret = fprintf(f, "%d\n", n) > 0 ? 0 : -EIO;
	return fclose(f) ? -errno : ret;
}

/*
 * A page-table allocation failing while reserving leaves the VM as it was
 * and usable; failing while applying (policy none) leaves the earlier ops
 * applied and the VM refusing binds with -EIO; either way teardown frees
 * every table.
 */
static enum result test_vm_pt_alloc_failure(void)
{
	uint64_t before = dev_tables_live();
	struct drm_simgpu_vm_bind_op ops[2];
	struct drm_simgpu_vm_query q;
	uint32_t vm, h = bo(64 * KiB);
	int ret;

	VM_REQUIRE();
	CHECK(h);
	if (pt_fail_after(0))
		return why(SKIP, "cannot write %s (not root?)", PT_FAIL_KNOB);

	CHECK(vm_create(fd, 0, SIMGPU_VM_PREALLOC_PER_OP, &vm) == 0);
	ops[0] = op_map(h, 0, VA0, 64 * KiB);
	CHECK(pt_fail_after(2) == 0);	/* the second of 3 reserved pages */
	ret = vm_bind(fd, vm, ops, 1);
	pt_fail_after(0);
	CHECK(ret == -ENOMEM);
	CHECK(vm_query(fd, vm, VA0, &q) == 0);
	CHECK(q.mapping == SIMGPU_VM_MAPPING_NONE && q.mappings == 0 && q.tables_live == 1);
	CHECK(q.tables_preallocated == q.tables_returned);
	CHECK(vm_bind(fd, vm, ops, 1) == 0);	/* still usable */
	CHECK(MAPS_BO(vm, VA0, h, 0, 4 * KiB));
	CHECK(vm_destroy(fd, vm) == 0);

	CHECK(vm_create(fd, 0, SIMGPU_VM_PREALLOC_NONE, &vm) == 0);
	ops[0] = op_map(h, 0, VA0, 64 * KiB);
	ops[1] = op_map(h, 0, VA0 + 512 * GiB, 64 * KiB);	/* 3 more tables */
	CHECK(pt_fail_after(5) == 0);
	ret = vm_bind(fd, vm, ops, 2);
	pt_fail_after(0);
	CHECK(ret == -ENOMEM);
	CHECK(MAPS_BO(vm, VA0, h, 0, 4 * KiB));
	CHECK(UNMAPPED(vm, VA0 + 512 * GiB));
	CHECK(vm_query(fd, vm, 0, &q) == 0);
	CHECK(q.mappings == 1 && q.tables_live == 4);	/* half-built tables pruned */
	ops[0] = op_unmap(VA0, 64 * KiB);
	CHECK(vm_bind(fd, vm, ops, 1) == -EIO);
	CHECK(vm_destroy(fd, vm) == 0);
	CHECK(dev_tables_live() == before);
	bo_close(h);
	return PASS;
}

static int vm_bind_async(int f, uint32_t id, struct drm_simgpu_vm_bind_op *ops, uint32_t n,
			 struct drm_simgpu_sync *syncs, uint32_t nsyncs, uint32_t flags)
{
	struct drm_simgpu_vm_bind b = {
		.vm_id = id, .flags = SIMGPU_VM_BIND_ASYNC | flags, .op_count = n,
		.op_stride = sizeof(*ops), .ops = (uintptr_t)ops,
		.sync_count = nsyncs, .syncs = (uintptr_t)syncs,
	};

	/* Not drmIoctl(): it retries -EAGAIN, which NONBLOCK returns. */
	if (flags & SIMGPU_VM_BIND_NONBLOCK)
		return ioctl(f, DRM_IOCTL_SIMGPU_VM_BIND, &b) ? -errno : 0;
	return sg_ioctl(f, DRM_IOCTL_SIMGPU_VM_BIND, &b);
}

/* Async binds update the page table when their job runs, in order. */
static enum result test_vm_async_bind(void)
{
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_sync sig = { .flags = SIMGPU_SYNC_SIGNAL };
	uint32_t vm, a = bo(4 * MiB), b = bo(1 * MiB), s1 = syncobj(), s2 = syncobj();

	VM_REQUIRE();
	CHECK(a && b && s1 && s2);
	CHECK(vm_create(fd, 0, SIMGPU_VM_PREALLOC_BATCHED, &vm) == 0);
	op = op_map(a, 0, VA0, 4 * MiB);
	sig.handle = s1;
	CHECK(vm_bind_async(fd, vm, &op, 1, &sig, 1, 0) == 0);
	CHECK(wait_syncobj(s1) == 0);
	CHECK(MAPS_BO(vm, VA0 + 1 * MiB, a, 1 * MiB, 4 * KiB));

	/* Async then sync without waiting: the sync bind goes after. */
	op = op_unmap(VA0, 4 * MiB);
	CHECK(vm_bind_async(fd, vm, &op, 1, NULL, 0, 0) == 0);
	op = op_map(a, 0, VA0, 4 * MiB);
	CHECK(vm_bind_async(fd, vm, &op, 1, NULL, 0, 0) == 0);
	op = op_map(b, 0, VA0 + 1 * MiB, 1 * MiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	CHECK(MAPS_BO(vm, VA0 + 1 * MiB + 4 * KiB, b, 4 * KiB, 4 * KiB));
	CHECK(MAPS_BO(vm, VA0 + 2 * MiB, a, 2 * MiB, 4 * KiB));
	CHECK(vm_mappings(vm) == 3);

	/* A timeline point as the signal. */
	sig.flags = SIMGPU_SYNC_SIGNAL | SIMGPU_SYNC_TIMELINE;
	sig.handle = s2;
	sig.point = 5;
	op = op_unmap(VA0, 4 * MiB);
	CHECK(vm_bind_async(fd, vm, &op, 1, &sig, 1, 0) == 0);
	CHECK(wait_point(s2, 5) == 0);
	CHECK(UNMAPPED(vm, VA0 + 1 * MiB) && UNMAPPED(vm, VA0 + 2 * MiB));
	CHECK(vm_destroy(fd, vm) == 0);
	drmSyncobjDestroy(fd, s1);
	drmSyncobjDestroy(fd, s2);
	bo_close(a);
	bo_close(b);
	return PASS;
}

/*
 * submit -> bind waiting on it -> submit waiting on the bind: what a
 * sparse-residency app chains with syncobjs.
 */
static enum result test_vm_async_submit_chain(void)
{
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_sync bsync[2], jsync[2];
	struct drm_simgpu_job job = { 0 };
	struct drm_simgpu_job_record rec[2];
	struct drm_simgpu_vm_query q;
	uint32_t vm, q0, h = bo(64 * KiB), s1 = syncobj(), s2 = syncobj(), s3 = syncobj();
	uint64_t seq1, seq2;
	int mapped_early;

	VM_REQUIRE();
	CHECK(h && s1 && s2 && s3);
	CHECK(queue_create(fd, 0, 1, 0, 0, &q0) == 0);
	CHECK(vm_create(fd, 0, 0, &vm) == 0);
	CHECK(submit_one(fd, q0, 300 * MS, s1, &seq1) == 0);
	bsync[0] = (struct drm_simgpu_sync){ .flags = SIMGPU_SYNC_WAIT, .handle = s1 };
	bsync[1] = (struct drm_simgpu_sync){ .flags = SIMGPU_SYNC_SIGNAL, .handle = s2 };
	op = op_map(h, 0, VA0, 64 * KiB);
	CHECK(vm_bind_async(fd, vm, &op, 1, bsync, 2, 0) == 0);
	CHECK(vm_query(fd, vm, VA0, &q) == 0);
	mapped_early = q.mapping != SIMGPU_VM_MAPPING_NONE;
	CHECK(job_query(fd, q0, seq1, 1, rec) == 0);
	/* While the first job has not finished, the bind cannot have run. */
	if (rec[0].status != SIMGPU_JOB_STATUS_DONE)
		CHECK(!mapped_early);
	jsync[0] = (struct drm_simgpu_sync){ .flags = SIMGPU_SYNC_WAIT, .handle = s2 };
	jsync[1] = (struct drm_simgpu_sync){ .flags = SIMGPU_SYNC_SIGNAL, .handle = s3 };
	job.syncs = (uintptr_t)jsync;
	job.sync_count = 2;
	CHECK(submit(fd, q0, &job, 1, &seq2) == 0);
	CHECK(wait_syncobj(s3) == 0);
	CHECK(MAPS_BO(vm, VA0, h, 0, 4 * KiB));
	CHECK(vm_query(fd, vm, VA0, &q) == 0);
	CHECK(job_query(fd, q0, seq1, 2, rec) == 0);
	/* Ordered: job 1 signalled <= bind applied <= job 2 ran. */
	CHECK(rec[0].signal_ns <= q.last_bind_apply_ns);
	CHECK(q.last_bind_apply_ns <= q.last_bind_done_ns);
	CHECK(q.last_bind_done_ns <= rec[1].run_job_ns);
	CHECK(vm_destroy(fd, vm) == 0);
	CHECK(queue_destroy(fd, q0) == 0);
	drmSyncobjDestroy(fd, s1);
	drmSyncobjDestroy(fd, s2);
	drmSyncobjDestroy(fd, s3);
	bo_close(h);
	return PASS;
}

#define INFLIGHT_KNOB "/sys/module/simgpu/parameters/vm_max_inflight_pages"

static int set_knob(const char *path, unsigned long v)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -errno;
	ret = fprintf(f, "%lu\n", v) > 0 ? 0 : -EIO;
	return fclose(f) ? -errno : ret;
}

/* msm-style throttling: NONBLOCK gets -EAGAIN, a blocking bind waits. */
static enum result test_vm_async_throttle(void)
{
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_sync w = { .flags = SIMGPU_SYNC_WAIT };
	struct drm_simgpu_job_record rec;
	uint32_t vm, q0, h = bo(64 * KiB), s1 = syncobj();
	uint64_t seq, t_done;
	int ret, eagain = 0;

	VM_REQUIRE();
	CHECK(h && s1);
	if (set_knob(INFLIGHT_KNOB, 4))
		return why(SKIP, "cannot write %s (not root?)", INFLIGHT_KNOB);
	CHECK(queue_create(fd, 0, 1, 0, 0, &q0) == 0);
	CHECK(vm_create(fd, 0, SIMGPU_VM_PREALLOC_PER_OP, &vm) == 0);
	CHECK(submit_one(fd, q0, 300 * MS, s1, &seq) == 0);
	w.handle = s1;
	/* 3 pages reserved until the job signals: under the cap of 4. */
	op = op_map(h, 0, VA0, 4 * KiB);
	ret = vm_bind_async(fd, vm, &op, 1, &w, 1, 0);
	if (!ret) {
		op = op_map(h, 0, VA0 + 1 * GiB, 4 * KiB);	/* 3 more: over */
		ret = vm_bind_async(fd, vm, &op, 1, NULL, 0, SIMGPU_VM_BIND_NONBLOCK);
		CHECK(job_query(fd, q0, seq, 1, &rec) == 0);
		/* -EAGAIN unless the first bind already ran. */
		eagain = ret == -EAGAIN;
		if (rec.status != SIMGPU_JOB_STATUS_DONE && ret != -EAGAIN)
			ret = -1000 + ret;
		else
			ret = 0;
	}
	if (!ret) {
		ret = vm_bind_async(fd, vm, &op, 1, NULL, 0, 0);	/* blocks */
		t_done = now_ns();
		if (!ret && (job_query(fd, q0, seq, 1, &rec) ||
			     rec.status != SIMGPU_JOB_STATUS_DONE || rec.signal_ns > t_done))
			ret = -2000;
	}
	set_knob(INFLIGHT_KNOB, 65536);
	if (ret)
		return why(FAIL, "throttled bind returned %d", ret);
	CHECK(vm_destroy(fd, vm) == 0);
	CHECK(queue_destroy(fd, q0) == 0);
	drmSyncobjDestroy(fd, s1);
	bo_close(h);
	return why(PASS, "NONBLOCK bind over the cap: %s", eagain ? "-EAGAIN" :
		   "not tried, the first bind had already run");
}

/*
 * An asynchronous bind failing in run_job (a late page-table allocation,
 * policy none) leaves the VM unusable: its fence carries the error, later
 * binds get -EIO, and teardown still frees every table.
 */
static enum result test_vm_async_failure(void)
{
	uint64_t before = dev_tables_live();
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_sync sig = { .flags = SIMGPU_SYNC_SIGNAL };
	uint32_t vm, h = bo(64 * KiB), s1 = syncobj();
	int ret;

	VM_REQUIRE();
	CHECK(h && s1);
	if (pt_fail_after(0))
		return why(SKIP, "cannot write %s (not root?)", PT_FAIL_KNOB);
	CHECK(vm_create(fd, 0, SIMGPU_VM_PREALLOC_NONE, &vm) == 0);
	op = op_map(h, 0, VA0, 64 * KiB);
	sig.handle = s1;
	CHECK(pt_fail_after(2) == 0);	/* the second table of run_job */
	ret = vm_bind_async(fd, vm, &op, 1, &sig, 1, 0);
	if (ret) {
		pt_fail_after(0);
		return why(FAIL, "async bind: %d", ret);
	}
	ret = wait_syncobj(s1);
	pt_fail_after(0);
	CHECK(ret == 0);
	CHECK(UNMAPPED(vm, VA0));
	op = op_unmap(VA0, 64 * KiB);
	CHECK(vm_bind(fd, vm, &op, 1) == -EIO);
	CHECK(vm_bind_async(fd, vm, &op, 1, NULL, 0, 0) == -EIO);
	CHECK(vm_destroy(fd, vm) == 0);
	CHECK(dev_tables_live() == before);
	drmSyncobjDestroy(fd, s1);
	bo_close(h);
	return PASS;
}

/* VM_DESTROY with binds queued behind a running job waits for them. */
static enum result test_vm_async_destroy_in_flight(void)
{
	uint64_t before = dev_tables_live(), seq;
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_sync sy[2];
	uint32_t vm, q0, h = bo(2 * MiB), s1 = syncobj(), s2 = syncobj();
	int i;

	VM_REQUIRE();
	CHECK(h && s1 && s2);
	CHECK(queue_create(fd, 0, 1, 0, 0, &q0) == 0);
	CHECK(vm_create(fd, SIMGPU_VM_CREATE_HUGE_PAGES, 0, &vm) == 0);
	CHECK(submit_one(fd, q0, 100 * MS, s1, &seq) == 0);
	sy[0] = (struct drm_simgpu_sync){ .flags = SIMGPU_SYNC_WAIT, .handle = s1 };
	sy[1] = (struct drm_simgpu_sync){ .flags = SIMGPU_SYNC_SIGNAL, .handle = s2 };
	for (i = 0; i < 8; i++) {
		op = op_map(h, 0, VA0 + (uint64_t)i * 3 * GiB, 2 * MiB);
		CHECK(vm_bind_async(fd, vm, &op, 1, sy, 2, 0) == 0);
	}
	CHECK(vm_destroy(fd, vm) == 0);
	CHECK(wait_syncobj(s2) == 0);
	CHECK(dev_tables_live() == before);
	CHECK(queue_destroy(fd, q0) == 0);
	drmSyncobjDestroy(fd, s1);
	drmSyncobjDestroy(fd, s2);
	bo_close(h);
	return PASS;
}

/* A BO whose handle is closed stays mapped until unmapped. */
static enum result test_vm_bo_close_while_mapped(void)
{
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_vm_query q;
	uint32_t vm, h = bo(64 * KiB);

	VM_REQUIRE();
	CHECK(h);
	CHECK(vm_create(fd, 0, 0, &vm) == 0);
	op = op_map(h, 0, VA0, 64 * KiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	bo_close(h);
	CHECK(vm_query(fd, vm, VA0 + 4 * KiB, &q) == 0);
	CHECK(q.mapping == SIMGPU_VM_MAPPING_BO && q.handle == 0 && q.bo_offset == 4 * KiB);
	op = op_unmap(VA0 + 16 * KiB, 4 * KiB);	/* a remap of the orphan */
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	op = op_unmap(VA0, 64 * KiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	CHECK(vm_mappings(vm) == 0);
	CHECK(vm_destroy(fd, vm) == 0);
	return PASS;
}

/* A bind (async with @flags & ASYNC) returning its seqno in *@seqno. */
static int vm_bind_seq(int f, uint32_t id, struct drm_simgpu_vm_bind_op *ops, uint32_t n,
		       struct drm_simgpu_sync *syncs, uint32_t nsyncs, uint32_t flags,
		       uint64_t *seqno)
{
	struct drm_simgpu_vm_bind b = {
		.vm_id = id, .flags = flags, .op_count = n,
		.op_stride = sizeof(*ops), .ops = (uintptr_t)ops,
		.sync_count = nsyncs, .syncs = (uintptr_t)syncs,
		.seqno = 12345,	/* an output: must not come back */
	};
	int ret = sg_ioctl(f, DRM_IOCTL_SIMGPU_VM_BIND, &b);

	*seqno = b.seqno;
	return ret;
}

static int bind_query(int f, uint32_t vm, uint64_t seqno, uint32_t count,
		      struct drm_simgpu_vm_bind_record *recs)
{
	struct drm_simgpu_vm_bind_query q = {
		.vm_id = vm, .count = count, .first_seqno = seqno,
		.records = (uintptr_t)recs, .record_size = sizeof(*recs),
	};

	return sg_ioctl(f, DRM_IOCTL_SIMGPU_VM_BIND_QUERY, &q);
}

static bool bind_record_ordered(const struct drm_simgpu_vm_bind_record *r)
{
	return r->status == SIMGPU_JOB_STATUS_DONE && r->ioctl_ns &&
	       r->ioctl_ns <= r->run_ns && r->run_ns <= r->pt_done_ns &&
	       r->pt_done_ns <= r->signal_ns;
}

/*
 * Every successful bind gets a seqno and a record of its stages, sync and
 * async alike; failed binds get neither; old records are overwritten.
 */
static enum result test_vm_bind_records(void)
{
	struct drm_simgpu_vm_bind_record r[3];
	struct drm_simgpu_vm_bind_query bq;
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_sync sy[2];
	struct drm_simgpu_vm_query q;
	uint32_t vm, q0, h = bo(64 * KiB), s1 = syncobj(), s2 = syncobj();
	uint64_t t0, t1, seq, jseq, i;

	VM_REQUIRE();
	CHECK(h && s1 && s2);
	CHECK(vm_create(fd, 0, SIMGPU_VM_PREALLOC_BATCHED, &vm) == 0);
	CHECK(bind_query(fd, vm, 1, 1, r) == -ENOENT);

	/* Synchronous: complete when the ioctl returns, signal == pt done. */
	op = op_map(h, 0, VA0, 64 * KiB);
	t0 = now_ns();
	CHECK(vm_bind_seq(fd, vm, &op, 1, NULL, 0, 0, &seq) == 0 && seq == 1);
	t1 = now_ns();
	CHECK(bind_query(fd, vm, 1, 1, r) == 0);
	CHECK(r[0].seqno == 1 && r[0].op_count == 1 && r[0].flags == 0 && r[0].error == 0);
	CHECK(bind_record_ordered(&r[0]));
	CHECK(t0 <= r[0].ioctl_ns && r[0].signal_ns == r[0].pt_done_ns && r[0].signal_ns <= t1);

	/* A refused bind changes nothing: no seqno, no record. */
	op.size = 1000;
	CHECK(vm_bind_seq(fd, vm, &op, 1, NULL, 0, 0, &seq) == -EINVAL && seq == 0);
	CHECK(bind_query(fd, vm, 2, 1, r) == -ENOENT);

	/* Asynchronous, held back by a running job: queued, then done. */
	CHECK(queue_create(fd, 0, 1, 0, 0, &q0) == 0);
	CHECK(submit_one(fd, q0, 200 * MS, s1, &jseq) == 0);
	sy[0] = (struct drm_simgpu_sync){ .flags = SIMGPU_SYNC_WAIT, .handle = s1 };
	sy[1] = (struct drm_simgpu_sync){ .flags = SIMGPU_SYNC_SIGNAL, .handle = s2 };
	op = op_unmap(VA0, 16 * KiB);
	CHECK(vm_bind_seq(fd, vm, &op, 1, sy, 2, SIMGPU_VM_BIND_ASYNC, &seq) == 0 && seq == 2);
	CHECK(bind_query(fd, vm, 2, 1, r) == 0);
	CHECK(r[0].seqno == 2 && r[0].flags == SIMGPU_VM_BIND_ASYNC && r[0].ioctl_ns);
	{
		struct drm_simgpu_job_record jr;

		CHECK(job_query(fd, q0, jseq, 1, &jr) == 0);
		/* Before the job signalled the bind cannot have run. */
		if (jr.status != SIMGPU_JOB_STATUS_DONE)
			CHECK(r[0].status == SIMGPU_JOB_STATUS_QUEUED && !r[0].run_ns &&
			      !r[0].signal_ns);
	}
	CHECK(wait_syncobj(s2) == 0);
	t1 = now_ns();
	CHECK(bind_query(fd, vm, 1, 2, r) == 0);
	CHECK(r[0].seqno == 1 && r[1].seqno == 2);
	CHECK(bind_record_ordered(&r[1]) && r[1].error == 0 && r[1].signal_ns <= t1);
	CHECK(vm_query(fd, vm, 0, &q) == 0 && q.last_bind_seqno == 2 && q.binds == 2);

	/*
	 * A caller built before @seqno was appended (DRM_IOW, 40 bytes) still
	 * binds; the DRM core copies nothing back, the record is there.
	 */
	{
		struct drm_simgpu_vm_bind old = {
			.vm_id = vm, .op_count = 1, .op_stride = sizeof(op),
			.ops = (uintptr_t)&op, .seqno = 777,
		};
		unsigned long old_nr = _IOC(_IOC_WRITE, DRM_IOCTL_BASE,
					    DRM_COMMAND_BASE + DRM_SIMGPU_VM_BIND,
					    offsetof(struct drm_simgpu_vm_bind, seqno));

		op = op_null(VA0 + 2 * MiB, 4 * KiB);
		CHECK(sg_ioctl(fd, old_nr, &old) == 0 && old.seqno == 777);
		CHECK(vm_query(fd, vm, VA0 + 2 * MiB, &q) == 0 && q.last_bind_seqno == 3);
		CHECK(q.mapping == SIMGPU_VM_MAPPING_NULL);
		CHECK(bind_query(fd, vm, 3, 1, r) == 0 && bind_record_ordered(&r[0]));
	}

	/* Bad queries. */
	bq = (struct drm_simgpu_vm_bind_query){
		.vm_id = vm, .count = 1, .first_seqno = 1,
		.records = (uintptr_t)r, .record_size = sizeof(r[0]),
	};
#define BAD_BQ(field, val, err) do { \
	struct drm_simgpu_vm_bind_query b2 = bq; \
	b2.field = val; \
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_VM_BIND_QUERY, &b2) == (err)); \
} while (0)
	BAD_BQ(flags, 1, -EINVAL);
	BAD_BQ(count, 0, -EINVAL);
	BAD_BQ(first_seqno, 0, -EINVAL);
	BAD_BQ(record_size, sizeof(r[0]) - 8, -EINVAL);
	BAD_BQ(count, SIMGPU_VM_BIND_RECORDS + 1, -E2BIG);
	BAD_BQ(count, 4, -ENOENT);	/* seqnos 1..3 exist */
	BAD_BQ(vm_id, vm + 100, -ENOENT);
	BAD_BQ(records, 8, -EFAULT);
#undef BAD_BQ

	/* The ring keeps the last SIMGPU_VM_BIND_RECORDS binds. */
	op = op_null(VA0 + 1 * MiB, 4 * KiB);
	for (i = 0; i < SIMGPU_VM_BIND_RECORDS; i++)
		CHECK(vm_bind_seq(fd, vm, &op, 1, NULL, 0, 0, &seq) == 0 && seq == 4 + i);
	CHECK(bind_query(fd, vm, 3, 1, r) == -ENODATA);
	CHECK(bind_query(fd, vm, 4, 1, r) == 0 && r[0].seqno == 4);
	CHECK(bind_query(fd, vm, seq, 1, r) == 0 && bind_record_ordered(&r[0]));

	CHECK(vm_destroy(fd, vm) == 0);
	CHECK(queue_destroy(fd, q0) == 0);
	drmSyncobjDestroy(fd, s1);
	drmSyncobjDestroy(fd, s2);
	bo_close(h);
	return PASS;
}

static int queue_create_vm(int f, uint32_t vm, uint32_t *id)
{
	struct drm_simgpu_queue_create c = { .priority = 1, .vm_id = vm };
	int ret = sg_ioctl(f, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &c);

	*id = c.queue_id;
	return ret;
}

/*
 * Queues created on a VM: QUEUE_QUERY reports it, VM_DESTROY is -EBUSY while
 * they exist, and once an asynchronous bind failed half-way their SUBMITs
 * fail with -EIO while other queues keep working.
 */
static enum result test_vm_queue(void)
{
	uint64_t before = dev_tables_live(), seq;
	struct drm_simgpu_queue_create qc = { .priority = 1 };
	struct drm_simgpu_vm_bind_record rec;
	struct drm_simgpu_queue_query qq;
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_vm_query vq;
	struct drm_simgpu_sync sig = { .flags = SIMGPU_SYNC_SIGNAL };
	uint32_t vm, qv, qv2, qn, h = bo(64 * KiB), s1 = syncobj();
	int ret;

	if (!(info.features & SIMGPU_FEATURE_VM_BIND)) {
		/* No VM can exist: naming one is unsupported, not unknown. */
		qc.vm_id = 1;
		CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &qc) == -EOPNOTSUPP);
		return vm_unsupported();
	}
	CHECK(h && s1);
	CHECK(vm_create(fd, 0, SIMGPU_VM_PREALLOC_NONE, &vm) == 0);
	qc.vm_id = vm + 100;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &qc) == -ENOENT);
	qc.vm_id = vm;
	qc.pad = 1;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &qc) == -EINVAL);
	CHECK(queue_create_vm(fd, vm, &qv) == 0);
	CHECK(queue_create_vm(fd, vm, &qv2) == 0);
	CHECK(queue_create(fd, 0, 1, 0, 0, &qn) == 0);
	CHECK(queue_query(fd, qv, &qq) == 0 && qq.vm_id == vm);
	CHECK(queue_query(fd, qn, &qq) == 0 && qq.vm_id == 0);
	/* A caller built before vm_id was appended gets a queue without VM. */
	{
		struct drm_simgpu_queue_create old = { .priority = 1, .vm_id = vm };
		unsigned long old_nr = _IOC(_IOC_READ | _IOC_WRITE, DRM_IOCTL_BASE,
					    DRM_COMMAND_BASE + DRM_SIMGPU_QUEUE_CREATE,
					    offsetof(struct drm_simgpu_queue_create, vm_id));
		uint32_t qo;

		CHECK(sg_ioctl(fd, old_nr, &old) == 0 && old.queue_id);
		qo = old.queue_id;
		CHECK(queue_query(fd, qo, &qq) == 0 && qq.vm_id == 0);
		CHECK(queue_destroy(fd, qo) == 0);
	}
	CHECK(vm_query(fd, vm, 0, &vq) == 0 && vq.queues == 2 && !vq.unusable);

	/* The VM is held: destroy refused, nothing changed. */
	op = op_map(h, 0, VA0, 64 * KiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	CHECK(vm_destroy(fd, vm) == -EBUSY);
	CHECK(MAPS_BO(vm, VA0, h, 0, 4 * KiB));
	CHECK(submit_one(fd, qv, 0, 0, &seq) == 0);
	CHECK(wait_seqno(fd, qv, seq) == 0);
	CHECK(queue_destroy(fd, qv2) == 0);
	CHECK(vm_query(fd, vm, 0, &vq) == 0 && vq.queues == 1);
	CHECK(vm_destroy(fd, vm) == -EBUSY);

	/* A bind failing in run_job makes the VM unusable: SUBMIT -EIO. */
	if (pt_fail_after(0))
		return why(SKIP, "cannot write %s (not root?)", PT_FAIL_KNOB);
	op = op_map(h, 0, VA0 + 1 * GiB, 64 * KiB);
	sig.handle = s1;
	CHECK(pt_fail_after(2) == 0);
	ret = vm_bind_seq(fd, vm, &op, 1, &sig, 1, SIMGPU_VM_BIND_ASYNC, &seq);
	if (!ret)
		ret = wait_syncobj(s1);
	pt_fail_after(0);
	CHECK(ret == 0);
	CHECK(bind_query(fd, vm, seq, 1, &rec) == 0);
	CHECK(rec.status == SIMGPU_JOB_STATUS_DONE && rec.error == -ENOMEM);
	CHECK(vm_query(fd, vm, 0, &vq) == 0 && vq.unusable == 1);
	CHECK(submit_one(fd, qv, 0, 0, NULL) == -EIO);
	CHECK(queue_query(fd, qv, &qq) == 0 && qq.state == SIMGPU_QUEUE_STATE_ACTIVE);
	CHECK(submit_one(fd, qn, 0, 0, &seq) == 0);
	CHECK(wait_seqno(fd, qn, seq) == 0);
	/* A new queue on the unusable VM is allowed; its SUBMITs fail too. */
	CHECK(queue_create_vm(fd, vm, &qv2) == 0);
	CHECK(submit_one(fd, qv2, 0, 0, NULL) == -EIO);
	CHECK(queue_destroy(fd, qv2) == 0);

	CHECK(queue_destroy(fd, qv) == 0);
	CHECK(vm_destroy(fd, vm) == 0);
	/* Gone: a queue can no longer name it. */
	CHECK(queue_create_vm(fd, vm, &qv) == -ENOENT);
	CHECK(dev_tables_live() == before);
	CHECK(queue_destroy(fd, qn) == 0);

	/* Closing the file with a queue still on its VM frees everything. */
	{
		int f = open_simgpu();
		uint32_t v2, q2;

		CHECK(f >= 0);
		CHECK(vm_create(f, 0, 0, &v2) == 0);
		CHECK(queue_create_vm(f, v2, &q2) == 0);
		CHECK(submit_one(f, q2, 10 * MS, 0, NULL) == 0);
		close(f);
	}
	CHECK(dev_tables_live() == before);
	drmSyncobjDestroy(fd, s1);
	bo_close(h);
	return PASS;
}

/* A probe's translation, for comparing two VMs. */
static bool same_translation(uint32_t a, uint32_t b, uint64_t va)
{
	struct drm_simgpu_vm_query qa, qb;

	if (vm_query(fd, a, va, &qa) || vm_query(fd, b, va, &qb))
		return false;
	return qa.mapping == qb.mapping && qa.handle == qb.handle &&
	       qa.bo_offset == qb.bo_offset && qa.page_size == qb.page_size;
}

/*
 * Ops of one batch may always overlap: the batch gives the same page table
 * as its ops bound one call each, sync and async, under every policy.
 */
static enum result test_vm_overlap_batch(void)
{
	enum { NOPS = 9 };
	static const uint32_t policies[] = {
		SIMGPU_VM_PREALLOC_NONE, SIMGPU_VM_PREALLOC_PER_OP,
		SIMGPU_VM_PREALLOC_BATCHED,
	};
	struct drm_simgpu_vm_bind_op ops[NOPS];
	struct drm_simgpu_sync sig = { .flags = SIMGPU_SYNC_SIGNAL };
	uint32_t a = bo(8 * MiB), b = bo(4 * MiB), s1 = syncobj();
	uint32_t batch_vm, single_vm, flags, p, i, mode, combo;
	uint64_t va, seq;

	VM_REQUIRE();
	CHECK(a && b && s1);
	sig.handle = s1;
	ops[0] = op_map(a, 0, VA0, 8 * MiB);			/* base */
	ops[1] = op_map(b, 0, VA0 + 1 * MiB, 2 * MiB);		/* remap inside */
	ops[2] = op_unmap(VA0 + 2 * MiB, 64 * KiB);		/* hole in op 1 */
	ops[3] = op_null(VA0 + 2 * MiB + 32 * KiB, 1 * MiB);	/* across the hole */
	ops[4] = op_map(a, 4 * MiB, VA0 + 4 * MiB, 4 * MiB);	/* same as op 0 */
	ops[5] = op_unmap(VA0 + 6 * MiB - 4 * KiB, 8 * KiB);	/* splits a 2 MiB block */
	ops[6] = op_map(b, 2 * MiB, VA0 + 7 * MiB, 2 * MiB);	/* past op 0's end */
	ops[7] = op_unmap(VA0 + 1 * MiB, 4 * KiB);		/* trims op 1 */
	ops[8] = op_map(a, 0, VA0 + 3 * MiB, 4 * KiB);		/* into op 3 */

	/* Every combination: huge (bit 0), async (bit 1), policy (combo / 4). */
	for (combo = 0; combo < 12; combo++) {
		flags = combo & 1;
		mode = (combo >> 1) & 1;
		p = combo / 4;
		CHECK(vm_create(fd, flags, policies[p], &batch_vm) == 0);
		CHECK(vm_create(fd, flags, policies[p], &single_vm) == 0);
		if (mode) {
			CHECK(vm_bind_seq(fd, batch_vm, ops, NOPS, &sig, 1,
					  SIMGPU_VM_BIND_ASYNC, &seq) == 0);
			CHECK(wait_syncobj(s1) == 0);
		} else {
			CHECK(vm_bind(fd, batch_vm, ops, NOPS) == 0);
		}
		for (i = 0; i < NOPS; i++)
			CHECK(vm_bind(fd, single_vm, &ops[i], 1) == 0);
		CHECK(vm_mappings(batch_vm) == vm_mappings(single_vm));
		for (va = VA0 - 64 * KiB; va < VA0 + 10 * MiB; va += 4 * KiB)
			if (!same_translation(batch_vm, single_vm, va))
				return why(FAIL, "huge %u, policy %u, %s: va %#llx differs",
					   flags, policies[p], mode ? "async" : "sync",
					   (unsigned long long)va);
		/* Spot checks that the ops really overlapped. */
		CHECK(MAPS_BO(batch_vm, VA0, a, 0, 0));
		CHECK(UNMAPPED(batch_vm, VA0 + 1 * MiB));
		CHECK(MAPS_BO(batch_vm, VA0 + 1 * MiB + 4 * KiB, b, 4 * KiB, 4 * KiB));
		CHECK(MAPS_NULL(batch_vm, VA0 + 2 * MiB + 32 * KiB));
		CHECK(UNMAPPED(batch_vm, VA0 + 2 * MiB));
		CHECK(MAPS_BO(batch_vm, VA0 + 3 * MiB, a, 0, 4 * KiB));
		CHECK(UNMAPPED(batch_vm, VA0 + 6 * MiB));
		CHECK(MAPS_BO(batch_vm, VA0 + 8 * MiB, b, 3 * MiB, 0));
		CHECK(vm_destroy(fd, batch_vm) == 0);
		CHECK(vm_destroy(fd, single_vm) == 0);
	}
	drmSyncobjDestroy(fd, s1);
	bo_close(a);
	bo_close(b);
	return PASS;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * A blocking asynchronous bind waiting on the throttling cap is
 * interruptible: a signal without SA_RESTART makes VM_BIND fail with
 * EINTR, with no seqno, no bind counted, no page reserved, the VM usable,
 * and every table freed at VM_DESTROY.
 */
static enum result test_vm_throttle_interrupted(void)
{
	uint64_t before = dev_tables_live(), seq, jseq, t_fire = 0;
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct itimerval it = { .it_value = { .tv_usec = 300000 } };
	struct drm_simgpu_vm_query q0, q1;
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_sync w = { .flags = SIMGPU_SYNC_WAIT };
	struct drm_simgpu_job_record jr;
	struct drm_simgpu_vm_bind b;
	uint32_t vm, qid, h = bo(64 * KiB), s1 = syncobj();
	int ret, err;

	VM_REQUIRE();
	CHECK(h && s1);
	if (set_knob(INFLIGHT_KNOB, 4))
		return why(SKIP, "cannot write %s (not root?)", INFLIGHT_KNOB);
	CHECK(queue_create(fd, 0, 1, 0, 0, &qid) == 0);
	CHECK(vm_create(fd, 0, SIMGPU_VM_PREALLOC_PER_OP, &vm) == 0);
	/* Holds the first bind back far longer than the timer. */
	CHECK(submit_one(fd, qid, 3000 * MS, s1, &jseq) == 0);
	w.handle = s1;
	op = op_map(h, 0, VA0, 4 * KiB);	/* 3 pages in flight, cap 4 */
	ret = vm_bind_seq(fd, vm, &op, 1, &w, 1, SIMGPU_VM_BIND_ASYNC, &seq);
	if (!ret)
		ret = vm_query(fd, vm, 0, &q0);

	/* Not drmIoctl(): it restarts on EINTR. */
	op = op_map(h, 0, VA0 + 1 * GiB, 4 * KiB);	/* 3 more: over the cap */
	b = (struct drm_simgpu_vm_bind){
		.vm_id = vm, .flags = SIMGPU_VM_BIND_ASYNC, .op_count = 1,
		.op_stride = sizeof(op), .ops = (uintptr_t)&op,
	};
	err = 0;
	if (!ret) {
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = 0;	/* no SA_RESTART */
		sigaction(SIGALRM, &sa, &old);
		t_fire = now_ns() + 300 * MS;
		setitimer(ITIMER_REAL, &it, NULL);
		err = ioctl(fd, DRM_IOCTL_SIMGPU_VM_BIND, &b) ? errno : 0;
		memset(&it, 0, sizeof(it));
		setitimer(ITIMER_REAL, &it, NULL);
		sigaction(SIGALRM, &old, NULL);
	}
	set_knob(INFLIGHT_KNOB, 65536);
	CHECK(ret == 0);
	CHECK(job_query(fd, qid, jseq, 1, &jr) == 0);
	/* Only a hold that ended before the timer fired excuses a non-EINTR. */
	if (err != EINTR && jr.status == SIMGPU_JOB_STATUS_DONE && jr.signal_ns < t_fire)
		return why(SKIP, "the 3 s job finished before the 300 ms timer: guest too slow");
	if (err != EINTR)
		return why(FAIL, "blocked VM_BIND returned %s, want EINTR",
			   err ? strerror(err) : "success");
	CHECK(b.seqno == 0);
	/* No state change: same counters, no mapping, nothing reserved. */
	CHECK(vm_query(fd, vm, VA0 + 1 * GiB, &q1) == 0);
	CHECK(q1.mapping == SIMGPU_VM_MAPPING_NONE);
	CHECK(q1.binds == q0.binds && q1.last_bind_seqno == q0.last_bind_seqno);
	CHECK(q1.tables_preallocated == q0.tables_preallocated);
	CHECK(q1.tables_allocated_late == q0.tables_allocated_late && !q1.unusable);
	/* The VM still binds once the first bind ran. */
	CHECK(vm_bind_seq(fd, vm, &op, 1, NULL, 0, 0, &seq) == 0 && seq == 2);
	CHECK(MAPS_BO(vm, VA0, h, 0, 4 * KiB) && MAPS_BO(vm, VA0 + 1 * GiB, h, 0, 4 * KiB));
	CHECK(vm_destroy(fd, vm) == 0);
	CHECK(dev_tables_live() == before);
	CHECK(queue_destroy(fd, qid) == 0);
	drmSyncobjDestroy(fd, s1);
	bo_close(h);
	return PASS;
}

/* --- user-mode submission queues --------------------------------------- */

#define SYNC_BO_SIZE 4096ull
#define STALL_KNOB "/sys/module/simgpu/parameters/userq_stall_timeout_ms"

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

static int userq_create(int f, struct drm_simgpu_userq_create *c)
{
	return sg_ioctl(f, DRM_IOCTL_SIMGPU_USERQ_CREATE, c);
}

static int userq_destroy(int f, uint32_t id)
{
	struct drm_simgpu_userq_destroy d = { .queue_id = id };

	return sg_ioctl(f, DRM_IOCTL_SIMGPU_USERQ_DESTROY, &d);
}

static int userq_kick(int f, uint32_t id)
{
	struct drm_simgpu_userq_kick k = { .queue_id = id };

	return sg_ioctl(f, DRM_IOCTL_SIMGPU_USERQ_KICK, &k);
}

static int userq_query(int f, uint32_t id, struct drm_simgpu_userq_query *q)
{
	memset(q, 0, sizeof(*q));
	q->queue_id = id;
	return sg_ioctl(f, DRM_IOCTL_SIMGPU_USERQ_QUERY, q);
}

static int userq_records(int f, uint32_t id, uint64_t seqno, uint32_t n,
			 struct drm_simgpu_userq_job_record *recs)
{
	struct drm_simgpu_userq_query q = {
		.queue_id = id, .first_seqno = seqno, .records = (uintptr_t)recs,
		.record_count = n, .record_size = sizeof(*recs),
	};

	return sg_ioctl(f, DRM_IOCTL_SIMGPU_USERQ_QUERY, &q);
}

static int userq_wait(int f, uint32_t id, uint64_t offset, uint64_t value,
		      int64_t deadline, uint64_t *current)
{
	struct drm_simgpu_userq_wait w = {
		.queue_id = id, .offset = offset, .value = value,
		.deadline_ns = deadline,
	};
	int ret = sg_ioctl(f, DRM_IOCTL_SIMGPU_USERQ_WAIT, &w);

	if (current)
		*current = w.current_value;
	return ret;
}

static int userq_bridge(int f, uint32_t id, uint32_t op, uint64_t offset,
			uint64_t value, uint32_t handle, uint64_t point)
{
	struct drm_simgpu_userq_bridge b = {
		.queue_id = id, .op = op, .offset = offset, .value = value,
		.handle = handle, .flags = point ? SIMGPU_SYNC_TIMELINE : 0,
		.point = point,
	};

	return sg_ioctl(f, DRM_IOCTL_SIMGPU_USERQ_BRIDGE, &b);
}

static int userq_sync_update(int f, uint32_t id)
{
	struct drm_simgpu_userq_sync_update u = { .queue_id = id };

	return sg_ioctl(f, DRM_IOCTL_SIMGPU_USERQ_SYNC_UPDATE, &u);
}

static void *map(int f, uint64_t offset, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, f, offset);

	return p == MAP_FAILED ? NULL : p;
}

static uint32_t bo_on(int f, uint64_t size)
{
	struct drm_simgpu_bo_create c = { .size = size };

	return sg_ioctl(f, DRM_IOCTL_SIMGPU_BO_CREATE, &c) ? 0 : c.handle;
}

static void *bo_map(int f, uint32_t h, uint64_t size)
{
	struct drm_simgpu_bo_mmap_offset o = { .handle = h };

	if (sg_ioctl(f, DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET, &o))
		return NULL;
	return map(f, o.offset, size);
}

static void uq_close(struct uq *q)
{
	if (q->id)
		userq_destroy(q->f, q->id);
	if (q->ring)
		munmap(q->ring, q->ring_size);
	if (q->io)
		munmap(q->io, 4096);
	if (q->bell)
		munmap((void *)q->bell, 4096);
	if (q->sync)
		munmap(q->sync, SYNC_BO_SIZE);
	if (q->own_sync && q->sync_handle) {
		struct drm_gem_close gc = { .handle = q->sync_handle };

		drmIoctl(q->f, DRM_IOCTL_GEM_CLOSE, &gc);
	}
	if (q->efd >= 0)
		close(q->efd);
	memset(q, 0, sizeof(*q));
	q->efd = -1;
}

/* Create a user queue and map everything; 0 or -errno (q closed then). */
static int uq_open(struct uq *q, int f, const struct uq_opts *o)
{
	struct drm_simgpu_userq_create c = {
		.fw_policy = o->policy,
		.ring_size = o->ring_size ?: 4096,
		.idle_timeout_us = o->idle_timeout_us,
	};
	int ret;

	memset(q, 0, sizeof(*q));
	q->f = f;
	q->efd = -1;
	q->ring_size = c.ring_size;
	q->sync_handle = o->sync_handle;
	if (!q->sync_handle) {
		q->sync_handle = bo_on(f, SYNC_BO_SIZE);
		q->own_sync = true;
		if (!q->sync_handle)
			return -ENOMEM;
	}
	c.sync_handle = q->sync_handle;
	if (o->eventfd) {
		q->efd = eventfd(0, EFD_NONBLOCK);
		if (q->efd < 0)
			return -errno;
		c.flags = SIMGPU_USERQ_CREATE_EVENTFD;
		c.eventfd = q->efd;
	}
	ret = userq_create(f, &c);
	if (ret) {
		uq_close(q);
		return ret;
	}
	q->id = c.queue_id;
	q->ring = map(f, c.ring_mmap_offset, q->ring_size);
	q->io = map(f, c.io_mmap_offset, 4096);
	q->bell = map(f, c.doorbell_mmap_offset, 4096);
	q->sync = bo_map(f, q->sync_handle, SYNC_BO_SIZE);
	if (!q->ring || !q->io || !q->bell || !q->sync) {
		ret = -errno ?: -ENOMEM;
		uq_close(q);
		return ret;
	}
	return 0;
}

/*
 * The producer side of the memory-ordering contract: descriptor, release
 * of insert, doorbell, full fence, then a kick if the queue went inactive
 * (or always with @kick, the doorbell of FW_SLEEP queues).
 */
static int uq_ring(struct uq *q, uint64_t insert, bool kick)
{
	__atomic_store_n(&q->io->insert, insert, __ATOMIC_RELEASE);
	*q->bell = *q->bell + 1;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (kick || __atomic_load_n(&q->io->state, __ATOMIC_RELAXED) ==
		    SIMGPU_USERQ_STATE_INACTIVE)
		return userq_kick(q->f, q->id);
	return 0;
}

/* Push @job; returns its seqno, or 0 if the kick failed. */
static uint64_t uq_push(struct uq *q, const struct drm_simgpu_userq_job *job,
			bool kick)
{
	uint64_t slot = q->next_insert % q->ring_size;

	memcpy((char *)q->ring + slot, job, sizeof(*job));
	q->next_insert += sizeof(*job);
	if (uq_ring(q, q->next_insert, kick))
		return 0;
	return q->next_insert / sizeof(*job);
}

static struct drm_simgpu_userq_job uq_job(uint64_t duration_ns,
					  uint64_t offset, uint64_t value)
{
	struct drm_simgpu_userq_job j = {
		.op = SIMGPU_USERQ_OP_RUN, .duration_ns = duration_ns,
		.signal_offset = offset, .signal_value = value,
		.user_data = value ^ 0x5a5a,
	};

	return j;
}

/* Spin on the mapped sync object, as a user-mode driver would. */
static int uq_spin(struct uq *q, uint64_t offset, uint64_t value)
{
	uint64_t deadline = now_ns() + HANG_NS;

	while (__atomic_load_n(&q->sync[offset / 8], __ATOMIC_ACQUIRE) < value) {
		if (now_ns() > deadline)
			return -ETIMEDOUT;
		sched_yield();
	}
	return 0;
}

static int uq_wait_state(struct uq *q, uint32_t state)
{
	struct drm_simgpu_userq_query qq;
	uint64_t deadline = now_ns() + HANG_NS;

	do {
		if (userq_query(q->f, q->id, &qq))
			return -errno;
		if (qq.state == state)
			return 0;
		usleep(1000);
	} while (now_ns() < deadline);
	return -ETIMEDOUT;
}

static bool userq_record_ordered(const struct drm_simgpu_userq_job_record *r)
{
	return r->seen_ns && r->seen_ns <= r->engine_start_ns &&
	       r->engine_start_ns <= r->engine_end_ns &&
	       r->engine_end_ns <= r->complete_ns &&
	       r->status == SIMGPU_USERQ_JOB_STATUS_DONE && !r->error;
}

#define USERQ_REQUIRE() do { \
	if (!(info.features & SIMGPU_FEATURE_USER_QUEUES)) \
		return why(SKIP, "user queues unsupported (SIMGPU_FEATURE_USER_QUEUES is 0)"); \
} while (0)

enum wait_mode { WAIT_SPIN, WAIT_IOCTL, WAIT_EVENTFD };

static const char *const policy_names[] = { "default", "busy", "poll", "sleep" };

/* One job through one queue of @policy, completion seen by @mode. */
static enum result userq_roundtrip(uint32_t policy, enum wait_mode mode)
{
	struct uq_opts o = { .policy = policy, .eventfd = mode == WAIT_EVENTFD };
	struct drm_simgpu_userq_job_record r;
	struct drm_simgpu_userq_query qq;
	struct drm_simgpu_userq_job job;
	bool kick = policy == SIMGPU_USERQ_FW_SLEEP;
	uint64_t seqno, v = 0;
	struct uq q;
	int i;

	CHECK(uq_open(&q, fd, &o) == 0);
	CHECK(q.io->state == SIMGPU_USERQ_STATE_ACTIVE);
	for (i = 1; i <= 3; i++) {
		job = uq_job(i == 2 ? 2 * MS : 0, 8 * mode, i);
		if (mode == WAIT_EVENTFD)
			job.flags = SIMGPU_USERQ_JOB_NOTIFY;
		seqno = uq_push(&q, &job, kick);
		CHECK(seqno == (uint64_t)i);
		switch (mode) {
		case WAIT_SPIN:
			CHECK(uq_spin(&q, 0, i) == 0);
			break;
		case WAIT_IOCTL:
			CHECK(userq_wait(fd, q.id, 8, i, now_ns() + HANG_NS, &v) == 0);
			CHECK(v == (uint64_t)i);
			break;
		case WAIT_EVENTFD: {
			struct pollfd p = { .fd = q.efd, .events = POLLIN };

			CHECK(poll(&p, 1, HANG_NS / MS) == 1);
			CHECK(read(q.efd, &v, sizeof(v)) == sizeof(v) && v >= 1);
			CHECK(q.sync[2] == (uint64_t)i);
			break;
		}
		}
		CHECK(q.io->completed_seqno == seqno && q.io->extract == seqno * 64);
		CHECK(userq_records(fd, q.id, seqno, 1, &r) == 0);
		CHECK(userq_record_ordered(&r));
		CHECK(r.seqno == seqno && r.user_data == ((uint64_t)i ^ 0x5a5a));
		CHECK(r.duration_ns == job.duration_ns);
		CHECK(r.engine_end_ns - r.engine_start_ns >= job.duration_ns);
	}
	CHECK(userq_query(fd, q.id, &qq) == 0);
	CHECK(qq.state != SIMGPU_USERQ_STATE_FAULTY && qq.fault == 0);
	CHECK(qq.seen_seqno == 3 && qq.completed_seqno == 3);
	CHECK(qq.fw_policy == (policy ?: info.userq_fw_policy));
	CHECK(qq.fw_tid > 0 && qq.ring_size == 4096 && qq.engine == 0);
	if (policy == SIMGPU_USERQ_FW_SLEEP)
		CHECK(qq.kicks >= 3);
	else
		CHECK(qq.doorbells >= 1);
	uq_close(&q);
	return PASS;
}

static enum result test_userq_wait_modes(void)
{
	uint32_t policy;
	int mode;

	USERQ_REQUIRE();
	for (policy = SIMGPU_USERQ_FW_DEFAULT; policy <= SIMGPU_USERQ_FW_SLEEP; policy++)
		for (mode = WAIT_SPIN; mode <= WAIT_EVENTFD; mode++) {
			enum result r = userq_roundtrip(policy, mode);

			if (r != PASS) {
				char inner[sizeof(reason)];

				snprintf(inner, sizeof(inner), "%s", reason);
				return why(r, "policy %s, wait mode %d: %s",
					   policy_names[policy], mode, inner);
			}
		}
	return PASS;
}

/* The firmware thread is a real thread whose CPU time userspace can read. */
static enum result test_userq_fw_thread(void)
{
	struct uq_opts o = { .policy = SIMGPU_USERQ_FW_POLL };
	struct drm_simgpu_userq_query qq;
	char path[64];
	struct uq q;
	FILE *f;
	unsigned long long run_ns = 0;

	USERQ_REQUIRE();
	CHECK(uq_open(&q, fd, &o) == 0);
	CHECK(userq_query(fd, q.id, &qq) == 0);
	CHECK(qq.poll_interval_us == info.userq_poll_interval_us);
	CHECK(qq.idle_timeout_us == info.userq_idle_timeout_us);
	snprintf(path, sizeof(path), "/proc/%u/schedstat", qq.fw_tid);
	f = fopen(path, "r");
	if (!f) {
		uq_close(&q);
		return why(SKIP, "no %s (kernel without CONFIG_SCHED_INFO?)", path);
	}
	CHECK(fscanf(f, "%llu", &run_ns) == 1);
	fclose(f);
	uq_close(&q);
	/* The thread is gone with its queue (once reaped). */
	{
		uint64_t deadline = now_ns() + HANG_NS;

		while (access(path, F_OK) == 0)
			CHECK(now_ns() < deadline);
	}
	return PASS;
}

static enum result test_userq_inactive_kick(void)
{
	struct uq_opts o = { .policy = SIMGPU_USERQ_FW_POLL, .idle_timeout_us = 20000 };
	struct drm_simgpu_userq_query qq;
	struct drm_simgpu_userq_job job = uq_job(0, 0, 1);
	struct uq q;

	USERQ_REQUIRE();
	CHECK(uq_open(&q, fd, &o) == 0);
	CHECK(uq_wait_state(&q, SIMGPU_USERQ_STATE_INACTIVE) == 0);
	CHECK(q.io->state == SIMGPU_USERQ_STATE_INACTIVE);
	CHECK(userq_query(fd, q.id, &qq) == 0 && qq.deactivations >= 1 && qq.kicks == 0);

	/* A doorbell alone does not wake an inactive queue ... */
	memcpy(q.ring, &job, sizeof(job));
	__atomic_store_n(&q.io->insert, 64, __ATOMIC_RELEASE);
	*q.bell = *q.bell + 1;
	usleep(50000);
	CHECK(userq_query(fd, q.id, &qq) == 0);
	CHECK(qq.state == SIMGPU_USERQ_STATE_INACTIVE && qq.completed_seqno == 0);
	/* ... the kick does. */
	CHECK(userq_kick(fd, q.id) == 0);
	CHECK(userq_query(fd, q.id, &qq) == 0 && qq.kicks == 1);
	CHECK(uq_spin(&q, 0, 1) == 0);
	CHECK(userq_query(fd, q.id, &qq) == 0 && qq.completed_seqno == 1);
	q.next_insert = 64;

	/* The producer protocol kicks by itself after the next deactivation. */
	CHECK(uq_wait_state(&q, SIMGPU_USERQ_STATE_INACTIVE) == 0);
	job = uq_job(0, 0, 2);
	CHECK(uq_push(&q, &job, false) == 2);
	CHECK(userq_wait(fd, q.id, 0, 2, now_ns() + HANG_NS, NULL) == 0);
	CHECK(userq_query(fd, q.id, &qq) == 0 && qq.deactivations >= 2 && qq.kicks == 2);
	uq_close(&q);
	return PASS;
}

static enum result test_userq_wait_deadline(void)
{
	struct uq_opts o = { .policy = SIMGPU_USERQ_FW_SLEEP };
	uint64_t v = 1;
	struct uq q;

	USERQ_REQUIRE();
	CHECK(uq_open(&q, fd, &o) == 0);
	CHECK(userq_wait(fd, q.id, 16, 1, now_ns() + 20 * MS, &v) == -ETIME && v == 0);
	CHECK(userq_wait(fd, q.id, 16, 1, 0, &v) == -ETIME);
	CHECK(userq_wait(fd, q.id, 16, 0, 0, &v) == 0);
	/* CPU writes count too, with or without SYNC_UPDATE. */
	q.sync[2] = 7;
	CHECK(userq_sync_update(fd, q.id) == 0);
	CHECK(userq_wait(fd, q.id, 16, 7, now_ns() + HANG_NS, &v) == 0 && v == 7);
	CHECK(userq_wait(fd, q.id, 17, 1, 0, NULL) == -EINVAL);
	CHECK(userq_wait(fd, q.id, SYNC_BO_SIZE, 1, 0, NULL) == -EINVAL);
	uq_close(&q);
	return PASS;
}

static uint64_t job_signal_ns(uint32_t kq, uint64_t seqno)
{
	struct drm_simgpu_job_record r;

	if (job_query(fd, kq, seqno, 1, &r))
		return 0;
	return r.signal_ns;
}

/* user job -> TO bridge -> DRM syncobj -> kernel SUBMIT waiting on it. */
static enum result userq_bridge_to(uint64_t point)
{
	struct uq_opts o = { .policy = SIMGPU_USERQ_FW_POLL };
	struct drm_simgpu_userq_job_record ur;
	struct drm_simgpu_job_record kr;
	struct drm_simgpu_userq_job job = uq_job(5 * MS, 24, 3);
	uint32_t so = syncobj(), done = syncobj(), kq;
	struct drm_simgpu_sync syncs[2] = {
		{ .flags = SIMGPU_SYNC_WAIT | (point ? SIMGPU_SYNC_TIMELINE : 0),
		  .handle = so, .point = point },
		{ .flags = SIMGPU_SYNC_SIGNAL, .handle = done },
	};
	struct drm_simgpu_job kjob = { .syncs = (uintptr_t)syncs, .sync_count = 2 };
	uint64_t ks, us;
	struct uq q;

	CHECK(so && done);
	CHECK(uq_open(&q, fd, &o) == 0);
	CHECK(queue_create(fd, 0, 1, 0, 0, &kq) == 0);
	CHECK(userq_bridge(fd, q.id, SIMGPU_USERQ_BRIDGE_TO_SYNCOBJ, 24, 3, so, point) == 0);
	CHECK(submit(fd, kq, &kjob, 1, &ks) == 0);
	/* The kernel job waits for the user job that is not even written. */
	usleep(20000);
	CHECK(drmSyncobjWait(fd, &done, 1, 0, 0, NULL) == -ETIME);
	CHECK(job_query(fd, kq, ks, 1, &kr) == 0 && kr.run_job_ns == 0);
	/* A lower value does not signal it. */
	q.sync[3] = 2;
	CHECK(userq_sync_update(fd, q.id) == 0);
	CHECK(drmSyncobjWait(fd, &done, 1, 0, 0, NULL) == -ETIME);
	us = uq_push(&q, &job, false);
	CHECK(us == 1);
	CHECK(wait_syncobj(done) == 0);
	CHECK(userq_records(fd, q.id, us, 1, &ur) == 0 && userq_record_ordered(&ur));
	CHECK(job_query(fd, kq, ks, 1, &kr) == 0 && kr.error == 0);
	CHECK(kr.run_job_ns >= ur.complete_ns);
	CHECK(queue_destroy(fd, kq) == 0);
	uq_close(&q);
	drmSyncobjDestroy(fd, so);
	drmSyncobjDestroy(fd, done);
	return PASS;
}

/* kernel SUBMIT -> DRM syncobj -> FROM bridge -> user job with JOB_WAIT. */
static enum result userq_bridge_from(uint64_t point)
{
	struct uq_opts o = { .policy = SIMGPU_USERQ_FW_SLEEP };
	struct drm_simgpu_userq_job_record ur;
	struct drm_simgpu_userq_job job = uq_job(0, 40, 1);
	uint32_t so = syncobj(), kq;
	struct drm_simgpu_sync sig = {
		.flags = SIMGPU_SYNC_SIGNAL | (point ? SIMGPU_SYNC_TIMELINE : 0),
		.handle = so, .point = point,
	};
	struct drm_simgpu_job kjob = {
		.duration_ns = 30 * MS, .syncs = (uintptr_t)&sig, .sync_count = 1,
	};
	uint64_t ks, us, v;
	struct uq q;

	CHECK(so);
	CHECK(uq_open(&q, fd, &o) == 0);
	CHECK(queue_create(fd, 0, 1, 0, 0, &kq) == 0);
	/* Nothing to wait for yet. */
	CHECK(userq_bridge(fd, q.id, SIMGPU_USERQ_BRIDGE_FROM_SYNCOBJ, 32, 5, so, point) == -ENOENT);
	CHECK(submit(fd, kq, &kjob, 1, &ks) == 0);
	CHECK(userq_bridge(fd, q.id, SIMGPU_USERQ_BRIDGE_FROM_SYNCOBJ, 32, 5, so, point) == 0);
	job.flags = SIMGPU_USERQ_JOB_WAIT;
	job.wait_offset = 32;
	job.wait_value = 5;
	us = uq_push(&q, &job, true);
	CHECK(us == 1);
	CHECK(userq_wait(fd, q.id, 40, 1, now_ns() + HANG_NS, &v) == 0);
	CHECK(q.sync[4] == 5);
	CHECK(userq_records(fd, q.id, us, 1, &ur) == 0 && userq_record_ordered(&ur));
	CHECK(ur.engine_start_ns >= job_signal_ns(kq, ks) && job_signal_ns(kq, ks));
	/* A fence already signalled still writes its value. */
	CHECK(userq_bridge(fd, q.id, SIMGPU_USERQ_BRIDGE_FROM_SYNCOBJ, 48, 9, so, point) == 0);
	CHECK(userq_wait(fd, q.id, 48, 9, now_ns() + HANG_NS, NULL) == 0);
	CHECK(queue_destroy(fd, kq) == 0);
	uq_close(&q);
	drmSyncobjDestroy(fd, so);
	return PASS;
}

static enum result test_userq_bridge_to_binary(void)
{
	USERQ_REQUIRE();
	return userq_bridge_to(0);
}

static enum result test_userq_bridge_to_timeline(void)
{
	USERQ_REQUIRE();
	return userq_bridge_to(4);
}

static enum result test_userq_bridge_from_binary(void)
{
	USERQ_REQUIRE();
	return userq_bridge_from(0);
}

static enum result test_userq_bridge_from_timeline(void)
{
	USERQ_REQUIRE();
	return userq_bridge_from(2);
}

/* Wait for the eventfd to count, as a user-mode driver's event loop would. */
static int efd_wait(int efd)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t v;

	if (poll(&p, 1, HANG_NS / MS) != 1)
		return -ETIMEDOUT;
	return read(efd, &v, sizeof(v)) == sizeof(v) ? 0 : -errno;
}

static int set_stall_ms(unsigned long ms);

/* A kernel job that times out hands the FROM bridge an errored fence. */
static enum result test_userq_bridge_error(void)
{
	struct uq_opts o = { .policy = SIMGPU_USERQ_FW_POLL, .eventfd = true };
	struct drm_simgpu_userq_query qq;
	uint32_t so = syncobj(), to = syncobj(), kq;
	struct uq q;

	USERQ_REQUIRE();
	CHECK(so && to);
	CHECK(uq_open(&q, fd, &o) == 0);
	CHECK(queue_create(fd, 0, 1, SIMGPU_QUEUE_CREATE_OWN_SCHED, 50 * MS, &kq) == 0);
	CHECK(submit_one(fd, kq, 10000 * MS, so, NULL) == 0);
	CHECK(userq_bridge(fd, q.id, SIMGPU_USERQ_BRIDGE_FROM_SYNCOBJ, 0, 1, so, 0) == 0);
	/* A TO bridge of the queue fails with it. */
	CHECK(userq_bridge(fd, q.id, SIMGPU_USERQ_BRIDGE_TO_SYNCOBJ, 8, 1, to, 0) == 0);
	CHECK(uq_wait_state(&q, SIMGPU_USERQ_STATE_FAULTY) == 0);
	CHECK(userq_query(fd, q.id, &qq) == 0);
	CHECK(qq.fault == SIMGPU_USERQ_FAULT_BRIDGE_ERROR);
	CHECK((int64_t)qq.fault_value == -ETIMEDOUT);
	CHECK(q.io->fault == SIMGPU_USERQ_FAULT_BRIDGE_ERROR);
	CHECK(wait_syncobj(to) == 0);
	CHECK(efd_wait(q.efd) == 0);
	CHECK(q.sync[0] == 0);
	CHECK(queue_destroy(fd, kq) == 0);
	uq_close(&q);
	drmSyncobjDestroy(fd, so);
	drmSyncobjDestroy(fd, to);
	return PASS;
}

/* What a bad-input case does to its queue, and the fault it must cause. */
struct userq_bad_case {
	const char *name;
	uint32_t fault;
	uint64_t fault_value;
	bool fault_seqno;	/* the fault names the job (else 0: the insert) */
	void (*apply)(struct uq *q);
};

static void push_raw(struct uq *q, struct drm_simgpu_userq_job *j)
{
	uq_push(q, j, true);
}

static void bad_zeroed(struct uq *q)
{
	struct drm_simgpu_userq_job j = { 0 };

	push_raw(q, &j);
}

static void bad_flags(struct uq *q)
{
	struct drm_simgpu_userq_job j = uq_job(0, 0, 1);

	j.flags = 1u << 7;
	push_raw(q, &j);
}

static void bad_reserved(struct uq *q)
{
	struct drm_simgpu_userq_job j = uq_job(0, 0, 1);

	j.reserved = 3;
	push_raw(q, &j);
}

static void bad_wait_fields(struct uq *q)
{
	struct drm_simgpu_userq_job j = uq_job(0, 0, 1);

	j.wait_value = 4;
	push_raw(q, &j);
}

static void bad_insert_unaligned(struct uq *q)
{
	uq_ring(q, 65, true);
}

static void bad_insert_past_ring(struct uq *q)
{
	uq_ring(q, q->ring_size + 64, true);
}

static void bad_insert_backwards(struct uq *q)
{
	struct drm_simgpu_userq_job j = uq_job(0, 0, 1);

	push_raw(q, &j);
	uq_spin(q, 0, 1);
	uq_ring(q, 0, true);
}

static void bad_sync_unaligned(struct uq *q)
{
	struct drm_simgpu_userq_job j = uq_job(0, 12, 1);

	push_raw(q, &j);
}

static void bad_sync_past_bo(struct uq *q)
{
	struct drm_simgpu_userq_job j = uq_job(0, SYNC_BO_SIZE, 1);

	push_raw(q, &j);
}

static void bad_wait_past_bo(struct uq *q)
{
	struct drm_simgpu_userq_job j = uq_job(0, 0, 1);

	j.flags = SIMGPU_USERQ_JOB_WAIT;
	j.wait_offset = 1ull << 40;
	push_raw(q, &j);
}

static void bad_duration(struct uq *q)
{
	struct drm_simgpu_userq_job j = uq_job(61000 * MS, 0, 1);

	push_raw(q, &j);
}

static void bad_backwards(struct uq *q)
{
	struct drm_simgpu_userq_job a = uq_job(0, 0, 5), b = uq_job(0, 0, 3);

	push_raw(q, &a);
	push_raw(q, &b);
}

static void bad_stall(struct uq *q)
{
	struct drm_simgpu_userq_job j = uq_job(0, 8, 1);

	j.flags = SIMGPU_USERQ_JOB_WAIT;
	j.wait_offset = 16;
	j.wait_value = 1;
	push_raw(q, &j);
}

static const struct userq_bad_case userq_bad_cases[] = {
	{ "zeroed descriptor", SIMGPU_USERQ_FAULT_BAD_DESCRIPTOR, 0, true, bad_zeroed },
	{ "unknown flags", SIMGPU_USERQ_FAULT_BAD_DESCRIPTOR, 1u << 7, true, bad_flags },
	{ "reserved != 0", SIMGPU_USERQ_FAULT_BAD_DESCRIPTOR, 3, true, bad_reserved },
	{ "wait fields without WAIT", SIMGPU_USERQ_FAULT_BAD_DESCRIPTOR, 4, true, bad_wait_fields },
	{ "insert unaligned", SIMGPU_USERQ_FAULT_BAD_INSERT, 65, false, bad_insert_unaligned },
	{ "insert past ring", SIMGPU_USERQ_FAULT_BAD_INSERT, 4096 + 64, false, bad_insert_past_ring },
	{ "insert backwards", SIMGPU_USERQ_FAULT_BAD_INSERT, 0, false, bad_insert_backwards },
	{ "sync offset unaligned", SIMGPU_USERQ_FAULT_BAD_SYNC_OFFSET, 12, true, bad_sync_unaligned },
	{ "sync offset past BO", SIMGPU_USERQ_FAULT_BAD_SYNC_OFFSET, SYNC_BO_SIZE, true, bad_sync_past_bo },
	{ "wait offset past BO", SIMGPU_USERQ_FAULT_BAD_SYNC_OFFSET, 1ull << 40, true, bad_wait_past_bo },
	{ "duration too long", SIMGPU_USERQ_FAULT_BAD_DURATION, 61000 * MS, true, bad_duration },
	{ "signal value backwards", SIMGPU_USERQ_FAULT_SYNC_BACKWARDS, 3, true, bad_backwards },
	{ "stall", SIMGPU_USERQ_FAULT_STALLED, 16, true, bad_stall },
};

/* A queue that must still work: one job, completion by WAIT. */
static int userq_still_works(struct uq *q, uint64_t offset)
{
	struct drm_simgpu_userq_job j;
	uint64_t v = q->sync[offset / 8] + 1;

	j = uq_job(0, offset, v);
	if (!uq_push(q, &j, true))
		return -EIO;
	return userq_wait(q->f, q->id, offset, v, now_ns() + HANG_NS, NULL);
}

static enum result userq_bad_case_run(const struct userq_bad_case *c,
				      struct uq *bad, struct uq *same,
				      struct uq *other, uint32_t to)
{
	struct drm_simgpu_userq_job_record r;
	struct drm_simgpu_userq_query qq;

	CHECK(userq_bridge(fd, bad->id, SIMGPU_USERQ_BRIDGE_TO_SYNCOBJ, 2048, 1, to, 0) == 0);

	c->apply(bad);
	CHECK(uq_wait_state(bad, SIMGPU_USERQ_STATE_FAULTY) == 0);
	CHECK(userq_query(fd, bad->id, &qq) == 0);
	if (qq.fault != c->fault || bad->io->fault != c->fault)
		return why(FAIL, "fault %u (I/O page %u), value %llu: expected fault %u",
			   qq.fault, bad->io->fault,
			   (unsigned long long)qq.fault_value, c->fault);
	CHECK(bad->io->state == SIMGPU_USERQ_STATE_FAULTY);
	/*
	 * The stall case has two stalls with the same timeout: the job's wait
	 * and the pending bridge (offset 2048), created a moment earlier and
	 * checked by work that runs a jiffy or two late. On a loaded TCG host
	 * the firmware thread can take that long to reach the wait, and the
	 * bridge's stall, with no job to name, is the one reported. Both are
	 * the backstop working.
	 */
	if (c->fault == SIMGPU_USERQ_FAULT_STALLED && qq.fault_value == 2048) {
		CHECK(qq.fault_seqno == 0);
	} else {
		CHECK(qq.fault_value == c->fault_value);
	}
	if (c->fault_seqno && qq.fault_seqno) {
		CHECK(qq.fault_seqno == qq.seen_seqno);
		CHECK(userq_records(fd, bad->id, qq.fault_seqno, 1, &r) == 0);
		CHECK(r.status == SIMGPU_USERQ_JOB_STATUS_DROPPED && r.error == -EIO);
	} else if (c->fault_seqno) {
		CHECK(c->fault == SIMGPU_USERQ_FAULT_STALLED && qq.fault_value == 2048);
	} else {
		CHECK(qq.fault_seqno == 0);
	}
	/* The fault signals the bridge (with an error), waiters and eventfd. */
	CHECK(wait_syncobj(to) == 0);
	CHECK(userq_wait(fd, bad->id, 2048, 1, now_ns() + HANG_NS, NULL) == -EIO);
	CHECK(efd_wait(bad->efd) == 0);
	CHECK(userq_kick(fd, bad->id) == -EIO);
	CHECK(userq_bridge(fd, bad->id, SIMGPU_USERQ_BRIDGE_TO_SYNCOBJ, 2048, 1, to, 0) == -EIO);

	/* Nobody else noticed. */
	CHECK(userq_still_works(same, 1024) == 0);
	CHECK(userq_still_works(other, 1024) == 0);
	CHECK(userq_query(fd, same->id, &qq) == 0 && qq.fault == 0);
	return PASS;
}

static enum result userq_bad_case(const struct userq_bad_case *c, int fd2)
{
	struct uq_opts o = { .policy = SIMGPU_USERQ_FW_POLL, .eventfd = true };
	struct uq_opts o_same = { .policy = SIMGPU_USERQ_FW_SLEEP };
	struct uq_opts o_other = { .policy = SIMGPU_USERQ_FW_POLL };
	struct uq bad, same, other;
	uint32_t to = syncobj();
	enum result res;

	CHECK(to);
	CHECK(uq_open(&bad, fd, &o) == 0);
	/* Same file and same sync BO, and another file. */
	o_same.sync_handle = bad.sync_handle;
	if (uq_open(&same, fd, &o_same)) {
		uq_close(&bad);
		return why(FAIL, "second queue: errno %d", errno);
	}
	if (uq_open(&other, fd2, &o_other)) {
		uq_close(&same);
		uq_close(&bad);
		return why(FAIL, "queue of another file: errno %d", errno);
	}
	res = userq_bad_case_run(c, &bad, &same, &other, to);
	uq_close(&other);
	uq_close(&same);
	uq_close(&bad);
	drmSyncobjDestroy(fd, to);
	return res;
}

#define STALL_TEST_MS 300

static int set_stall_ms(unsigned long ms)
{
	return set_knob(STALL_KNOB, ms);
}

static enum result test_userq_bad_input(void)
{
	unsigned long saved = info.userq_stall_timeout_ms;
	enum result res = PASS;
	unsigned int i;
	int fd2;

	USERQ_REQUIRE();
	if (set_stall_ms(STALL_TEST_MS))
		return why(SKIP, "cannot write %s (not root?)", STALL_KNOB);
	fd2 = open_simgpu();
	CHECK(fd2 >= 0);
	for (i = 0; i < sizeof(userq_bad_cases) / sizeof(userq_bad_cases[0]); i++) {
		/*
		 * Each case has a bridge pending: only the stall case may let
		 * the backstop fire before its bad input is seen.
		 */
		if (set_stall_ms(userq_bad_cases[i].fault == SIMGPU_USERQ_FAULT_STALLED ?
				 STALL_TEST_MS : saved)) {
			res = why(FAIL, "cannot write %s", STALL_KNOB);
			break;
		}
		res = userq_bad_case(&userq_bad_cases[i], fd2);
		if (res != PASS) {
			char inner[sizeof(reason)];

			snprintf(inner, sizeof(inner), "%s", reason);
			why(res, "%s: %s", userq_bad_cases[i].name, inner);
			break;
		}
	}
	close(fd2);
	set_stall_ms(saved);
	return res;
}

/* A TO bridge whose value never comes is failed by the stall backstop. */
static enum result test_userq_bridge_stall(void)
{
	struct uq_opts o = { .policy = SIMGPU_USERQ_FW_SLEEP };
	unsigned long saved = info.userq_stall_timeout_ms;
	struct drm_simgpu_userq_query qq;
	uint32_t to = syncobj();
	struct uq q;

	USERQ_REQUIRE();
	CHECK(to);
	if (set_stall_ms(STALL_TEST_MS))
		return why(SKIP, "cannot write %s (not root?)", STALL_KNOB);
	CHECK(uq_open(&q, fd, &o) == 0);
	CHECK(userq_bridge(fd, q.id, SIMGPU_USERQ_BRIDGE_TO_SYNCOBJ, 0, 1, to, 0) == 0);
	CHECK(wait_syncobj(to) == 0);
	CHECK(userq_query(fd, q.id, &qq) == 0);
	CHECK(qq.state == SIMGPU_USERQ_STATE_FAULTY && qq.fault == SIMGPU_USERQ_FAULT_STALLED);
	set_stall_ms(saved);
	uq_close(&q);
	drmSyncobjDestroy(fd, to);
	return PASS;
}

struct storm {
	struct uq *q;
	bool stop;		/* atomic */
	unsigned long rings;	/* atomic */
};

static void *storm_thread(void *arg)
{
	struct storm *s = arg;
	unsigned long n;

	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		*s->q->bell = *s->q->bell + 1;
		n = __atomic_add_fetch(&s->rings, 1, __ATOMIC_RELAXED);
		if (!(n & 63))
			userq_kick(s->q->f, s->q->id);
	}
	return NULL;
}

/* Doorbells and kicks as fast as a thread can: no work, no harm. */
static enum result test_userq_doorbell_storm(void)
{
	struct uq_opts o = { .policy = SIMGPU_USERQ_FW_POLL };
	struct drm_simgpu_userq_query qq;
	struct uq storm_q, victim, other;
	struct storm s = { .q = &storm_q };
	pthread_t t;
	int i, fd2;

	USERQ_REQUIRE();
	fd2 = open_simgpu();
	CHECK(fd2 >= 0);
	CHECK(uq_open(&storm_q, fd, &o) == 0);
	CHECK(uq_open(&victim, fd, &o) == 0);
	CHECK(uq_open(&other, fd2, &o) == 0);
	CHECK(pthread_create(&t, NULL, storm_thread, &s) == 0);
	/* Jobs on the others for as long as the storm takes to get going. */
	for (i = 0; i < 20 || __atomic_load_n(&s.rings, __ATOMIC_RELAXED) < 4096; i++) {
		CHECK(userq_still_works(&victim, 0) == 0);
		CHECK(userq_still_works(&other, 0) == 0);
		CHECK(i < 100000);
	}
	__atomic_store_n(&s.stop, true, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	CHECK(userq_query(fd, storm_q.id, &qq) == 0);
	CHECK(qq.state != SIMGPU_USERQ_STATE_FAULTY && qq.completed_seqno == 0);
	CHECK(qq.kicks >= 1);
	/* The stormed queue itself still works. */
	CHECK(userq_still_works(&storm_q, 0) == 0);
	uq_close(&other);
	uq_close(&victim);
	uq_close(&storm_q);
	close(fd2);
	return PASS;
}

struct waiter {
	struct uq *q;
	int ret;
};

static void *waiter_thread(void *arg)
{
	struct waiter *w = arg;

	w->ret = userq_wait(w->q->f, w->q->id, 8, 1, now_ns() + HANG_NS, NULL);
	return NULL;
}

/* Destroy, close and munmap while the firmware is in the middle of jobs. */
static enum result test_userq_teardown(void)
{
	struct uq_opts busy = { .policy = SIMGPU_USERQ_FW_BUSY };
	struct uq_opts sleep = { .policy = SIMGPU_USERQ_FW_SLEEP };
	struct drm_simgpu_userq_job j = uq_job(5000 * MS, 0, 1);
	struct drm_simgpu_userq_job_record r;
	struct drm_simgpu_userq_query qq;
	struct waiter w;
	uint32_t to = syncobj(), id;
	pthread_t t;
	struct uq q;
	int fd2;

	USERQ_REQUIRE();
	CHECK(to);
	/* Destroy with a job on the engine, a bridge and a waiter pending. */
	CHECK(uq_open(&q, fd, &busy) == 0);
	CHECK(userq_bridge(fd, q.id, SIMGPU_USERQ_BRIDGE_TO_SYNCOBJ, 0, 1, to, 0) == 0);
	CHECK(uq_push(&q, &j, false) == 1);
	w.q = &q;
	w.ret = 1;
	CHECK(pthread_create(&t, NULL, waiter_thread, &w) == 0);
	{
		uint64_t deadline = now_ns() + HANG_NS;

		do {
			CHECK(userq_query(fd, q.id, &qq) == 0);
			CHECK(now_ns() < deadline);
		} while (qq.seen_seqno < 1);
	}
	CHECK(userq_records(fd, q.id, 1, 1, &r) == 0);
	usleep(20000);
	id = q.id;
	CHECK(userq_destroy(fd, id) == 0);
	pthread_join(t, NULL);
	/* The waiter either slept (-EIO) or came after the destroy (-ENOENT). */
	CHECK(w.ret == -EIO || w.ret == -ENOENT);
	CHECK(wait_syncobj(to) == 0);
	CHECK(userq_query(fd, id, &qq) == -ENOENT);
	CHECK(userq_destroy(fd, id) == -ENOENT);
	/* munmap after destroy: the pages are still ours until then. */
	q.io->insert = 12345;
	*q.bell = 1;
	CHECK(q.io->insert == 12345);
	q.id = 0;
	uq_close(&q);

	/* Close the file with jobs running and queued on two queues. */
	fd2 = open_simgpu();
	CHECK(fd2 >= 0);
	CHECK(uq_open(&q, fd2, &sleep) == 0);
	CHECK(uq_push(&q, &j, true) == 1);
	CHECK(uq_push(&q, &j, true) == 2);
	{
		uint32_t to2 = 0;

		CHECK(drmSyncobjCreate(fd2, 0, &to2) == 0);
		CHECK(userq_bridge(fd2, q.id, SIMGPU_USERQ_BRIDGE_TO_SYNCOBJ, 0, 2, to2, 0) == 0);
	}
	q.id = 0;
	{
		struct uq q2;

		CHECK(uq_open(&q2, fd2, &busy) == 0);
		CHECK(uq_push(&q2, &j, false) == 1);
		usleep(20000);
		close(fd2);
		/* Mappings outlive the file too. */
		q2.io->insert = 1;
		q2.id = 0;
		q2.own_sync = false;
		uq_close(&q2);
	}
	q.own_sync = false;
	uq_close(&q);
	drmSyncobjDestroy(fd, to);
	return PASS;
}

struct userq_racer {
	int f;
	uint32_t so;
	bool stop;		/* atomic */
	int bad_ret;		/* first undocumented return, 0 if none */
	unsigned long calls;
};

/* USERQ ioctls on whatever ids exist right now: only documented errnos. */
static void *userq_racer_thread(void *arg)
{
	struct userq_racer *r = arg;
	unsigned int seed = 1;

	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		uint32_t id = 1 + rand_r(&seed) % 4;
		struct drm_simgpu_userq_query qq;
		int ret;

		switch (rand_r(&seed) % 5) {
		case 0:
			ret = userq_kick(r->f, id);
			break;
		case 1:
			ret = userq_wait(r->f, id, 0, 1ull << 40, now_ns() + 2 * MS, NULL);
			if (ret == -ETIME)
				ret = 0;
			break;
		case 2:
			ret = userq_query(r->f, id, &qq);
			break;
		case 3:
			ret = userq_bridge(r->f, id, SIMGPU_USERQ_BRIDGE_TO_SYNCOBJ,
					   8, 1ull << 40, r->so, 0);
			break;
		default:
			ret = userq_sync_update(r->f, id);
			break;
		}
		if (ret && ret != -ENOENT && ret != -EIO && !r->bad_ret)
			r->bad_ret = ret;
		r->calls++;
	}
	return NULL;
}

/* Queues created and destroyed, with jobs in flight, under ioctl fire. */
static enum result test_userq_concurrent_destroy(void)
{
	struct uq_opts o = { .idle_timeout_us = 1000 };
	struct userq_racer r = { .f = fd };
	pthread_t t[2];
	struct uq q;
	int i, k;

	USERQ_REQUIRE();
	r.so = syncobj();
	CHECK(r.so);
	for (k = 0; k < 2; k++)
		CHECK(pthread_create(&t[k], NULL, userq_racer_thread, &r) == 0);
	for (i = 0; i < 40; i++) {
		struct drm_simgpu_userq_job j = uq_job(i % 3 ? MS : 0, 0, 1);

		o.policy = 1 + i % 3;
		CHECK(uq_open(&q, fd, &o) == 0);
		uq_push(&q, &j, true);
		if (i % 2)
			usleep(1000);
		uq_close(&q);
	}
	__atomic_store_n(&r.stop, true, __ATOMIC_RELAXED);
	for (k = 0; k < 2; k++)
		pthread_join(t[k], NULL);
	drmSyncobjDestroy(fd, r.so);
	if (r.bad_ret)
		return why(FAIL, "an ioctl racing destroy returned %d", r.bad_ret);
	return why(PASS, "%lu racing ioctls", r.calls);
}

static enum result test_userq_bad_args(void)
{
	/* Never idle during the test: its state must not change. */
	struct uq_opts o = { .policy = SIMGPU_USERQ_FW_POLL, .idle_timeout_us = 60000000 };
	struct drm_simgpu_userq_create c;
	struct drm_simgpu_userq_query qq, before;
	struct drm_simgpu_userq_kick k = { 0 };
	struct drm_simgpu_userq_wait w = { 0 };
	struct drm_simgpu_userq_sync_update u = { 0 };
	struct drm_simgpu_userq_destroy d = { 0 };
	uint32_t so = syncobj(), h = bo_on(fd, 4096);
	struct uq q;
	int efd = eventfd(0, 0);

	USERQ_REQUIRE();
	CHECK(so && h && efd >= 0);
	CHECK(uq_open(&q, fd, &o) == 0);
	CHECK(userq_query(fd, q.id, &before) == 0);

#define GOOD_CREATE() (memset(&c, 0, sizeof(c)), c.ring_size = 4096, c.sync_handle = h)
#define BAD_CREATE(field, val, err) do { \
	GOOD_CREATE(); c.field = (val); \
	CHECK(userq_create(fd, &c) == (err)); \
} while (0)
	BAD_CREATE(ring_size, 0, -EINVAL);
	BAD_CREATE(ring_size, 2048, -EINVAL);
	BAD_CREATE(ring_size, 3 * 4096, -EINVAL);
	BAD_CREATE(ring_size, info.userq_max_ring_size * 2, -EINVAL);
	BAD_CREATE(engine, info.engine_count, -EINVAL);
	BAD_CREATE(flags, 1u << 5, -EINVAL);
	BAD_CREATE(pad, 1, -EINVAL);
	BAD_CREATE(fw_policy, SIMGPU_USERQ_FW_SLEEP + 1, -EINVAL);
	BAD_CREATE(eventfd, efd, -EINVAL);
	BAD_CREATE(sync_handle, 0xdead, -ENOENT);
	GOOD_CREATE();
	c.fw_policy = SIMGPU_USERQ_FW_SLEEP;
	c.poll_interval_us = 100;
	CHECK(userq_create(fd, &c) == -EINVAL);
	c.fw_policy = SIMGPU_USERQ_FW_POLL;
	c.poll_interval_us = 2000000;
	CHECK(userq_create(fd, &c) == -EINVAL);
	GOOD_CREATE();
	c.flags = SIMGPU_USERQ_CREATE_EVENTFD;
	c.eventfd = -1;
	CHECK(userq_create(fd, &c) == -EBADF);
	c.eventfd = fd;	/* not an eventfd */
	CHECK(userq_create(fd, &c) == -EINVAL);
#undef BAD_CREATE
#undef GOOD_CREATE

	d.queue_id = 999;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_USERQ_DESTROY, &d) == -ENOENT);
	d.queue_id = q.id;
	d.pad = 1;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_USERQ_DESTROY, &d) == -EINVAL);
	k.queue_id = 999;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_USERQ_KICK, &k) == -ENOENT);
	k.queue_id = q.id;
	k.flags = 1;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_USERQ_KICK, &k) == -EINVAL);
	w.queue_id = q.id;
	w.flags = 1;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_USERQ_WAIT, &w) == -EINVAL);
	w.flags = 0;
	w.queue_id = 0;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_USERQ_WAIT, &w) == -ENOENT);
	u.queue_id = q.id;
	u.flags = 2;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_USERQ_SYNC_UPDATE, &u) == -EINVAL);
	u.flags = 0;
	u.queue_id = 999;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_USERQ_SYNC_UPDATE, &u) == -ENOENT);

	memset(&qq, 0, sizeof(qq));
	qq.queue_id = q.id;
	qq.flags = 1;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_USERQ_QUERY, &qq) == -EINVAL);
	CHECK(userq_query(fd, 999, &qq) == -ENOENT);
	{
		struct drm_simgpu_userq_job_record r[2];
		struct drm_simgpu_userq_query rq = {
			.queue_id = q.id, .first_seqno = 1, .records = (uintptr_t)r,
			.record_count = 1, .record_size = sizeof(r[0]) - 8,
		};

		CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_USERQ_QUERY, &rq) == -EINVAL);
		rq.record_size = sizeof(r[0]);
		rq.first_seqno = 0;
		CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_USERQ_QUERY, &rq) == -EINVAL);
		rq.first_seqno = 1;
		rq.record_count = info.userq_record_ring_size + 1;
		CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_USERQ_QUERY, &rq) == -E2BIG);
		/* Not seen yet. */
		rq.record_count = 1;
		CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_USERQ_QUERY, &rq) == -ENOENT);
	}

	CHECK(userq_bridge(fd, q.id, 2, 0, 1, so, 0) == -EINVAL);
	CHECK(userq_bridge(fd, q.id, SIMGPU_USERQ_BRIDGE_TO_SYNCOBJ, 4, 1, so, 0) == -EINVAL);
	CHECK(userq_bridge(fd, q.id, SIMGPU_USERQ_BRIDGE_TO_SYNCOBJ, SYNC_BO_SIZE, 1, so, 0) == -EINVAL);
	CHECK(userq_bridge(fd, q.id, SIMGPU_USERQ_BRIDGE_TO_SYNCOBJ, 0, 1, 0xdead, 0) == -ENOENT);
	CHECK(userq_bridge(fd, 999, SIMGPU_USERQ_BRIDGE_TO_SYNCOBJ, 0, 1, so, 0) == -ENOENT);
	{
		struct drm_simgpu_userq_bridge b = {
			.queue_id = q.id, .handle = so, .flags = SIMGPU_SYNC_TIMELINE,
		};

		CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_USERQ_BRIDGE, &b) == -EINVAL);
		b.flags = 0;
		b.point = 3;
		CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_USERQ_BRIDGE, &b) == -EINVAL);
		b.point = 0;
		b.flags = 1u << 4;
		CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_USERQ_BRIDGE, &b) == -EINVAL);
	}
	/* mmap: only whole regions, shared. */
	{
		struct drm_simgpu_userq_create c2 = {
			.ring_size = 8192, .sync_handle = h,
		};
		void *p;

		CHECK(userq_create(fd, &c2) == 0);
		CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			   c2.ring_mmap_offset) == MAP_FAILED);
		CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd,
			   c2.io_mmap_offset) == MAP_FAILED);
		CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			   c2.io_mmap_offset + 8192) == MAP_FAILED);
		p = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, c2.ring_mmap_offset);
		CHECK(p != MAP_FAILED);
		munmap(p, 8192);
		CHECK(userq_destroy(fd, c2.queue_id) == 0);
		/* A destroyed queue's offsets map nothing any more. */
		CHECK(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd,
			   c2.io_mmap_offset) == MAP_FAILED);
	}

	/* Nothing changed, and the queue works. */
	CHECK(userq_query(fd, q.id, &qq) == 0);
	CHECK(qq.state == before.state && qq.kicks == before.kicks &&
	      qq.seen_seqno == 0 && qq.fault == 0);
	CHECK(userq_still_works(&q, 0) == 0);
	uq_close(&q);
	close(efd);
	drmSyncobjDestroy(fd, so);
	bo_close(h);
	return PASS;
}

static enum result test_userq_limit(void)
{
	struct uq_opts o = { .policy = SIMGPU_USERQ_FW_SLEEP };
	struct drm_simgpu_userq_create c = { .ring_size = 4096 };
	int f1 = open_simgpu();
	uint32_t h = bo_on(f1, 4096), ids[64], n = 0, i;
	struct uq q;
	enum result res = PASS;

	USERQ_REQUIRE();
	/* A file of its own: no queue another test left behind counts. */
	CHECK(f1 >= 0 && h && info.userq_max_queues <= 64);
	c.sync_handle = h;
	c.fw_policy = SIMGPU_USERQ_FW_SLEEP;
	for (i = 0; i < info.userq_max_queues; i++) {
		c.queue_id = 0;
		if (userq_create(f1, &c)) {
			res = why(FAIL, "queue %u of %u: errno %d", i + 1,
				  info.userq_max_queues, errno);
			break;
		}
		ids[n++] = c.queue_id;
	}
	if (res == PASS && userq_create(f1, &c) != -EBUSY)
		res = why(FAIL, "queue %u past the limit did not get -EBUSY",
			  info.userq_max_queues + 1);
	/* The limit is per file. */
	if (res == PASS && uq_open(&q, fd, &o) != 0)
		res = why(FAIL, "another file could not create a user queue");
	else if (res == PASS)
		uq_close(&q);
	for (i = 0; i < n; i++)
		userq_destroy(f1, ids[i]);
	close(f1);
	return res;
}

/* A sync BO shared by two queues: one queue's job waits on the other's. */
static enum result test_userq_shared_sync_bo(void)
{
	struct uq_opts oa = { .policy = SIMGPU_USERQ_FW_SLEEP };
	struct uq_opts ob = { .policy = SIMGPU_USERQ_FW_POLL };
	struct drm_simgpu_userq_job_record ra, rb;
	struct drm_simgpu_userq_job ja = uq_job(0, 8, 1), jb = uq_job(10 * MS, 0, 1);
	struct uq a, b;

	USERQ_REQUIRE();
	CHECK(uq_open(&a, fd, &oa) == 0);
	ob.sync_handle = a.sync_handle;
	CHECK(uq_open(&b, fd, &ob) == 0);
	ja.flags = SIMGPU_USERQ_JOB_WAIT;
	ja.wait_offset = 0;
	ja.wait_value = 1;
	CHECK(uq_push(&a, &ja, true) == 1);
	usleep(10000);
	CHECK(a.sync[1] == 0);
	CHECK(uq_push(&b, &jb, false) == 1);
	CHECK(userq_wait(fd, a.id, 8, 1, now_ns() + HANG_NS, NULL) == 0);
	CHECK(userq_records(fd, a.id, 1, 1, &ra) == 0 && userq_record_ordered(&ra));
	CHECK(userq_records(fd, b.id, 1, 1, &rb) == 0 && userq_record_ordered(&rb));
	CHECK(ra.engine_start_ns >= rb.complete_ns);
	uq_close(&b);
	uq_close(&a);
	return PASS;
}

/* A full ring of jobs: the firmware frees slots as it copies them. */
static enum result test_userq_ring_wrap(void)
{
	struct uq_opts o = { .policy = SIMGPU_USERQ_FW_BUSY };
	struct drm_simgpu_userq_job_record r[8];
	struct drm_simgpu_userq_job j;
	uint64_t i, n = 3 * 4096 / 64;
	struct uq q;

	USERQ_REQUIRE();
	CHECK(uq_open(&q, fd, &o) == 0);
	for (i = 1; i <= n; i++) {
		uint64_t deadline = now_ns() + HANG_NS;

		/* Wait for a free slot: extract is the consumer's progress. */
		while (q.next_insert - __atomic_load_n(&q.io->extract, __ATOMIC_ACQUIRE) >=
		       q.ring_size)
			CHECK(now_ns() < deadline);
		j = uq_job(0, 0, i);
		CHECK(uq_push(&q, &j, false) == i);
	}
	CHECK(userq_wait(fd, q.id, 0, n, now_ns() + HANG_NS, NULL) == 0);
	CHECK(userq_records(fd, q.id, n - 7, 8, r) == 0);
	for (i = 0; i < 8; i++)
		CHECK(r[i].seqno == n - 7 + i && userq_record_ordered(&r[i]));
	uq_close(&q);
	return PASS;
}

/*
 * --- Robustness (issue 17): what any client, however hostile, may not do to
 * the kernel. Each test is the reproducer of a bug that was found.
 */

/* The timeline name a sync_file reports for its only fence. */
static int sync_file_timeline(int sf, char *name, size_t len)
{
	struct sync_fence_info fi;
	struct sync_file_info si = {
		.num_fences = 1, .sync_fence_info = (uintptr_t)&fi,
	};

	memset(&fi, 0, sizeof(fi));
	if (ioctl(sf, SYNC_IOC_FILE_INFO, &si))
		return -errno;
	snprintf(name, len, "%s", fi.obj_name);
	return 0;
}

static bool fd_signalled(int f, int timeout_ms)
{
	struct pollfd pfd = { .fd = f, .events = POLLIN };

	return poll(&pfd, 1, timeout_ms) == 1 && (pfd.revents & POLLIN);
}

/*
 * K1: the scheduler fence of a job on an OWN_SCHED queue reads its timeline
 * name from the queue's drm_gpu_scheduler. A sync_file keeps the fence after
 * QUEUE_DESTROY, so the scheduler must stay until the fence goes. New
 * schedulers on another engine (another name) reuse freed memory: a freed
 * scheduler shows as a changed name here, and as an oops on poisoned memory
 * in a guest with slub_debug. 7.x kernels name a signalled fence
 * "signaled-timeline" without asking the driver.
 */
static enum result test_fence_outlives_own_sched(void)
{
	struct drm_simgpu_job job = { .flags = SIMGPU_JOB_OUT_FENCE_FD };
	char name[64], before[64];
	uint32_t q, others[8];
	unsigned int i;
	bool same;

	if (info.engine_count < 2)
		return why(SKIP, "needs 2 engines: the scheduler names differ by engine");
	CHECK(queue_create(fd, 0, 1, SIMGPU_QUEUE_CREATE_OWN_SCHED, 0, &q) == 0);
	CHECK(submit(fd, q, &job, 1, NULL) == 0);
	CHECK(fd_signalled(job.out_fence_fd, HANG_NS / MS));
	CHECK(sync_file_timeline(job.out_fence_fd, before, sizeof(before)) == 0);
	CHECK(!strcmp(before, "simgpu-e0-q") || !strcmp(before, "signaled-timeline"));
	CHECK(queue_destroy(fd, q) == 0);
	/* The job's last references go from the scheduler's free work. */
	usleep(200 * 1000);
	for (i = 0; i < ARRAY_SIZE(others); i++)
		CHECK(queue_create(fd, 1, 1, SIMGPU_QUEUE_CREATE_OWN_SCHED, 0,
				   &others[i]) == 0);
	CHECK(sync_file_timeline(job.out_fence_fd, name, sizeof(name)) == 0);
	same = !strcmp(name, before);
	for (i = 0; i < ARRAY_SIZE(others); i++)
		CHECK(queue_destroy(fd, others[i]) == 0);
	close(job.out_fence_fd);
	if (!same)
		return why(FAIL, "the fence's timeline name changed from '%s' to '%s' after its queue was destroyed: it reads a freed scheduler",
			   before, name);
	return PASS;
}

static long module_refcnt(void)
{
	FILE *f = fopen("/sys/module/simgpu/refcnt", "r");
	long n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

/* Wait until the module's count drops below @n; the last count seen. */
static long refcnt_drops_below(long n)
{
	uint64_t deadline = now_ns() + HANG_NS;
	long now;

	while ((now = module_refcnt()) >= n && now_ns() < deadline)
		usleep(10 * 1000);
	return now;
}

/*
 * A fence of a file that is closed already: closing @sf (a sync_file), its
 * last holder, must drop a reference to the module.
 */
static enum result fence_pins_module(int sf, const char *what)
{
	long held, after;

	CHECK(fd_signalled(sf, HANG_NS / MS));
	/* The closed file's jobs are freed by the scheduler's work. */
	usleep(100 * 1000);
	held = module_refcnt();
	close(sf);
	after = refcnt_drops_below(held);
	if (after >= held)
		return why(FAIL, "%s: closing the last holder of simgpu's fence left simgpu's refcnt at %ld: the fence held no reference, rmmod would unload its ops",
			   what, after);
	return PASS;
}

/*
 * K3: a sync_file keeps simgpu's fences after every simgpu file is closed;
 * their ops (and the scheduler they name) are in the module, so they must
 * hold it: rmmod then says "in use" instead of leaving the sync_file with
 * freed text. Seen through /sys/module/simgpu/refcnt, which must drop when
 * the sync_file goes: a SUBMIT out-fence and an asynchronous bind's fence,
 * from a file closed before them.
 */
static enum result test_fence_pins_module(void)
{
	struct drm_simgpu_job job = { .flags = SIMGPU_JOB_OUT_FENCE_FD };
	enum result r;
	uint32_t q;
	int f, sf;

	if (module_refcnt() < 0)
		return why(SKIP, "no /sys/module/simgpu/refcnt (simgpu built in?)");
	f = open_simgpu();
	CHECK(f >= 0);
	CHECK(queue_create(f, 0, 1, 0, 0, &q) == 0);
	CHECK(submit(f, q, &job, 1, NULL) == 0);
	close(f);
	r = fence_pins_module(job.out_fence_fd, "SUBMIT out-fence");
	if (r != PASS || !(info.features & SIMGPU_FEATURE_VM_BIND))
		return r;

	{
		struct drm_simgpu_vm_bind_op op = op_null(VA0, 2 * MiB);
		struct drm_simgpu_sync sig = { .flags = SIMGPU_SYNC_SIGNAL };
		uint32_t vm;

		f = open_simgpu();
		CHECK(f >= 0);
		CHECK(drmSyncobjCreate(f, 0, &sig.handle) == 0);
		CHECK(vm_create(f, 0, 0, &vm) == 0);
		CHECK(vm_bind_async(f, vm, &op, 1, &sig, 1, 0) == 0);
		CHECK(drmSyncobjExportSyncFile(f, sig.handle, &sf) == 0);
		close(f);
		return fence_pins_module(sf, "VM_BIND fence");
	}
}

/*
 * The child of exit_blocked(): on its own file, a job on an OWN_SCHED queue
 * (or an asynchronous bind) that waits for @sf, the parent's long job.
 * Tells the parent it is ready, then waits to be killed.
 */
static void exit_blocked_child(int sf, bool bind, int ready)
{
	int f = open_simgpu();
	int ok = 0;

	if (f >= 0 && !bind) {
		struct drm_simgpu_job job = {
			.flags = SIMGPU_JOB_IN_FENCE_FD, .in_fence_fd = sf,
		};
		uint32_t q;

		ok = queue_create(f, 0, 1, SIMGPU_QUEUE_CREATE_OWN_SCHED, 0, &q) == 0 &&
		     submit(f, q, &job, 1, NULL) == 0;
	} else if (f >= 0) {
		struct drm_simgpu_vm_bind_op op = op_null(VA0, 2 * MiB);
		struct drm_simgpu_sync wait = { .flags = SIMGPU_SYNC_WAIT };
		uint32_t vm;

		ok = drmSyncobjCreate(f, 0, &wait.handle) == 0 &&
		     drmSyncobjImportSyncFile(f, wait.handle, sf) == 0 &&
		     vm_create(f, 0, 0, &vm) == 0 &&
		     vm_bind_async(f, vm, &op, 1, &wait, 1, 0) == 0;
	}
	if (write(ready, ok ? "y" : "n", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

/*
 * K4: a process killed with work that depends on another client's job must
 * exit without waiting for that job. The parent runs a 30 s job on its own
 * scheduler (no timeout meanwhile); the child queues work depending on it
 * and is killed. Its exit (the DRM file's release) may wait for its
 * entity's bounded flush, not for the parent's job: when waitpid()
 * returns, that job must still be running.
 */
static enum result exit_blocked(bool bind)
{
	struct drm_simgpu_job job = {
		.duration_ns = 30000 * MS, .flags = SIMGPU_JOB_OUT_FENCE_FD,
	};
	int pipefd[2], status;
	bool still_running;
	uint32_t q;
	pid_t pid;
	char c;

	CHECK(queue_create(fd, 1 % info.engine_count, 1, SIMGPU_QUEUE_CREATE_OWN_SCHED,
			   60000 * MS, &q) == 0);
	CHECK(submit(fd, q, &job, 1, NULL) == 0);
	CHECK(pipe(pipefd) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		close(pipefd[0]);
		exit_blocked_child(job.out_fence_fd, bind, pipefd[1]);
	}
	close(pipefd[1]);
	c = 0;
	if (read(pipefd[0], &c, 1) != 1)
		c = 0;
	close(pipefd[0]);
	kill(pid, SIGKILL);
	CHECK(waitpid(pid, &status, 0) == pid);
	still_running = !fd_signalled(job.out_fence_fd, 0);
	/* Cancels the parent's job on the engine. */
	CHECK(queue_destroy(fd, q) == 0);
	close(job.out_fence_fd);
	if (c != 'y')
		return why(FAIL, "the child could not queue its dependent work");
	if (!still_running)
		return why(FAIL, "the killed child's exit waited for the other client's 30 s job");
	return PASS;
}

static enum result test_exit_not_blocked_job(void)
{
	return exit_blocked(false);
}

static enum result test_exit_not_blocked_bind(void)
{
	VM_REQUIRE();
	return exit_blocked(true);
}

/*
 * The child of test_killed_queued_no_leak(): a job of queue Q finishes, a
 * 3 s job runs on another scheduler and Q's next job waits for it; then
 * the child kills itself with that job still queued.
 */
static void killed_queued_child(void)
{
	struct drm_simgpu_sync wait = { .flags = SIMGPU_SYNC_WAIT };
	struct drm_simgpu_job waiter = {
		.syncs = (uintptr_t)&wait, .sync_count = 1,
	};
	uint32_t q, other, done;
	int f = open_simgpu();

	if (f < 0 || queue_create(f, 0, 1, 0, 0, &q) ||
	    queue_create(f, 1 % info.engine_count, 1, SIMGPU_QUEUE_CREATE_OWN_SCHED,
			 60000 * MS, &other) ||
	    drmSyncobjCreate(f, 0, &done) || drmSyncobjCreate(f, 0, &wait.handle))
		_exit(3);
	if (submit_one(f, q, 0, done, NULL) ||
	    drmSyncobjWait(f, &done, 1, now_ns() + HANG_NS, 0, NULL))
		_exit(3);
	if (submit_one(f, other, 3000 * MS, wait.handle, NULL) ||
	    submit(f, q, &waiter, 1, NULL))
		_exit(3);
	kill(getpid(), SIGKILL);
	_exit(3);
}

/*
 * A client killed while a job of its queue waits for work on another
 * scheduler, after an earlier job of that queue finished: the entity's
 * teardown kills the waiting job. 6.1's drm_sched_entity_fini() leaked a
 * reference to the finished job's fence there, whose parent is simgpu's,
 * so the module could never be unloaded (a 25 s fuzz run in CI hit it;
 * this test left one reference per run before simgpu_sched_entity_destroy()).
 * The module's count must come back to what it was.
 */
static enum result test_killed_queued_no_leak(void)
{
	long before = module_refcnt(), after;
	int status;
	pid_t pid;

	if (before < 0)
		return why(SKIP, "no /sys/module/simgpu/refcnt");
	pid = fork();
	CHECK(pid >= 0);
	if (!pid)
		killed_queued_child();
	CHECK(waitpid(pid, &status, 0) == pid);
	if (!WIFSIGNALED(status))
		return why(FAIL, "the child could not set up its queues and jobs");
	after = refcnt_drops_below(before + 1);
	if (after > before)
		return why(FAIL, "%ld module references left after the killed client's teardown",
			   after - before);
	return PASS;
}

/*
 * K2: MAP_NULL on a VM without 2 MiB blocks takes one page-table page per
 * 2 MiB of VA; without a cap a client could make the kernel allocate most
 * of its memory (13 binds of 64 GiB took 1667 MiB of a 2 GiB guest). The
 * default cap (vm_max_pt_pages, 32768 pages) refuses 80 GiB before
 * allocating anything, takes 16 GiB, and refuses 64 GiB more with the VM
 * still usable.
 */
static enum result test_vm_pt_cap(void)
{
	struct drm_simgpu_vm_bind_op op = op_null(VA0, 80 * GiB);
	struct drm_simgpu_vm_query q;
	uint64_t before;
	uint32_t vm;
	int ret;

	VM_REQUIRE();
	CHECK(vm_create(fd, 0, SIMGPU_VM_PREALLOC_BATCHED, &vm) == 0);
	CHECK(vm_query(fd, vm, VA0, &q) == 0);
	before = q.tables_live;
	ret = vm_bind(fd, vm, &op, 1);
	if (!ret) {
		CHECK(vm_query(fd, vm, VA0, &q) == 0);
		CHECK(vm_destroy(fd, vm) == 0);
		return why(FAIL, "an 80 GiB MAP_NULL bind was taken: %llu page-table pages (%llu MiB) in one VM, no cap",
			   (unsigned long long)q.tables_live,
			   (unsigned long long)(q.tables_live * 4096 / MiB));
	}
	CHECK(ret == -ENOSPC);
	CHECK(vm_query(fd, vm, VA0, &q) == 0 && q.tables_live == before);
	op = op_null(VA0, 16 * GiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	op = op_null(VA0 + 16 * GiB, 64 * GiB);
	CHECK(vm_bind(fd, vm, &op, 1) == -ENOSPC);
	op = op_unmap(VA0, 16 * GiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	CHECK(vm_destroy(fd, vm) == 0);
	return PASS;
}

/*
 * K5: client A's long job on its own scheduler holds the engine; client B's
 * zero-length job on the engine's shared scheduler waits behind it for
 * longer than B's timeout. B's job never ran for a timeout: it must
 * complete without error and B's queue must stay ACTIVE (before the fix it
 * was failed -ETIMEDOUT and B's queue marked guilty).
 */
static enum result test_timeout_blames_runner(void)
{
	uint64_t a_ns = 2 * info.job_timeout_ns + 1000 * MS;
	struct drm_simgpu_queue_query qq;
	struct drm_simgpu_job_record r;
	uint64_t sa, sb, deadline = now_ns() + HANG_NS;
	int fb = open_simgpu();
	uint32_t qa, qb;

	CHECK(fb >= 0);
	if (a_ns > 60000 * MS)
		return why(SKIP, "job_timeout_ms is too long for a job to outlast it twice");
	CHECK(queue_create(fd, 0, 1, SIMGPU_QUEUE_CREATE_OWN_SCHED, 600000 * MS,
			   &qa) == 0);
	CHECK(queue_create(fb, 0, 1, 0, 0, &qb) == 0);
	CHECK(submit_one(fd, qa, a_ns, 0, &sa) == 0);
	/* B's job reaches the engine while A's runs. */
	do {
		CHECK(job_query(fd, qa, sa, 1, &r) == 0 && now_ns() < deadline);
	} while (r.status != SIMGPU_JOB_STATUS_RUNNING);
	CHECK(submit_one(fb, qb, 0, 0, &sb) == 0);
	CHECK(wait_seqno(fb, qb, sb) == 0);
	CHECK(job_query(fb, qb, sb, 1, &r) == 0 && r.status == SIMGPU_JOB_STATUS_DONE);
	CHECK(queue_query(fb, qb, &qq) == 0);
	CHECK(queue_destroy(fd, qa) == 0);
	close(fb);
	if (r.error || qq.state != SIMGPU_QUEUE_STATE_ACTIVE)
		return why(FAIL, "B's job waiting behind A's %llu ms job got error %d, B's queue state %u: B was blamed for A's job",
			   (unsigned long long)(a_ns / MS), r.error, qq.state);
	return PASS;
}

struct hog {
	bool stop;
	uint64_t cpu_ns;
};

static void pin_self(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Spin on CPU 0; report the CPU time it got. */
static void *hog_thread(void *arg)
{
	struct hog *h = arg;
	struct timespec ts;

	pin_self(0);
	while (!__atomic_load_n(&h->stop, __ATOMIC_RELAXED))
		;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	h->cpu_ns = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	return NULL;
}

/*
 * K6: a user queue's firmware thread draining zero-length jobs as fast as
 * a producer on another CPU pushes them must let other tasks on its CPU
 * run: outside the BUSY policy it never called cond_resched(), so on a
 * kernel without full preemption it kept the CPU (a soft lockup if it
 * lasts). A spinning thread shares CPU 0 with the firmware thread for 2 s
 * of that storm and must get at least a tenth of it. (Kernels with full or
 * lazy preemption pass either way.)
 */
static enum result test_userq_fw_yields(void)
{
	struct uq_opts o = { .policy = SIMGPU_USERQ_FW_POLL, .ring_size = 64 * 1024 };
	struct drm_simgpu_userq_job j;
	struct drm_simgpu_userq_query qq;
	struct hog h = { 0 };
	uint64_t end, value = 0;
	cpu_set_t set, all;
	pthread_t t;
	struct uq q;
	int ret;

	USERQ_REQUIRE();
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return why(SKIP, "needs 2 CPUs");
	CHECK(sched_getaffinity(0, sizeof(all), &all) == 0);
	CHECK(uq_open(&q, fd, &o) == 0);
	CHECK(userq_query(fd, q.id, &qq) == 0);
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	CHECK(sched_setaffinity(qq.fw_tid, sizeof(set), &set) == 0);
	CHECK(pthread_create(&t, NULL, hog_thread, &h) == 0);
	pin_self(1);
	end = now_ns() + 2000 * MS;
	while (now_ns() < end) {
		uint64_t free = q.ring_size - (q.next_insert -
			__atomic_load_n(&q.io->extract, __ATOMIC_ACQUIRE));

		/* Keep the ring full: the firmware never runs out of work. */
		if (free < sizeof(j))
			continue;
		for (; free >= sizeof(j); free -= sizeof(j)) {
			j = uq_job(0, 0, ++value);
			memcpy((char *)q.ring + q.next_insert % q.ring_size, &j,
			       sizeof(j));
			q.next_insert += sizeof(j);
		}
		if (uq_ring(&q, q.next_insert, false))
			break;
	}
	__atomic_store_n(&h.stop, true, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	sched_setaffinity(0, sizeof(all), &all);
	ret = userq_wait(fd, q.id, 0, value, now_ns() + HANG_NS, NULL);
	uq_close(&q);
	CHECK(ret == 0);
	if (h.cpu_ns < 200 * MS)
		return why(FAIL, "a thread sharing the firmware thread's CPU got %llu ms of 2000 while the queue drained %llu jobs: the firmware thread does not yield",
			   (unsigned long long)(h.cpu_ns / MS), (unsigned long long)value);
	return PASS;
}

/*
 * K14: USERQ_WAIT computed deadline_ns - now, which overflows for deadlines
 * near S64_MIN into a wait of centuries. A deadline in the past, however
 * far, is -ETIME at once. A timer signal without SA_RESTART bounds the old
 * behaviour (EINTR after 2 s).
 */
static enum result test_userq_wait_far_past(void)
{
	struct uq_opts o = { .policy = SIMGPU_USERQ_FW_POLL };
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct drm_simgpu_userq_wait w = { .value = 1 };
	struct uq q;
	int ret;

	USERQ_REQUIRE();
	CHECK(uq_open(&q, fd, &o) == 0);
	w.queue_id = q.id;
	w.deadline_ns = INT64_MIN + 1;
	CHECK(sigaction(SIGALRM, &sa, &old) == 0);
	alarm(2);
	/* Not drmIoctl(): it would restart after the signal. */
	ret = ioctl(fd, DRM_IOCTL_SIMGPU_USERQ_WAIT, &w) ? -errno : 0;
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	uq_close(&q);
	if (ret == -EINTR)
		return why(FAIL, "USERQ_WAIT with deadline_ns INT64_MIN + 1 slept until a signal: the remaining time overflowed");
	CHECK(ret == -ETIME);
	return PASS;
}

/*
 * K12: USERQ_CREATE pinned and vmapped the whole sync BO, up to the 4 GiB a
 * BO may have: a client could pin gigabytes of kernel memory per queue.
 * Sync BOs above 1 MiB are refused with -E2BIG.
 */
static enum result test_userq_sync_bo_cap(void)
{
	struct drm_simgpu_userq_create c = { .ring_size = 4096 };
	uint32_t h;
	int ret;

	USERQ_REQUIRE();
	h = bo_on(fd, 64 * MiB);
	CHECK(h);
	c.sync_handle = h;
	ret = userq_create(fd, &c);
	if (!ret)
		userq_destroy(fd, c.queue_id);
	bo_close(h);
	if (!ret)
		return why(FAIL, "a 64 MiB sync BO was taken: USERQ_CREATE pins and maps all of it");
	CHECK(ret == -E2BIG);
	return PASS;
}

#define USERQ_TOTAL_KNOB "/sys/module/simgpu/parameters/userq_max_total"
#define OWN_SCHED_TOTAL_KNOB "/sys/module/simgpu/parameters/own_sched_max_total"

static long read_knob(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/*
 * K11: user queues (a firmware kthread each) and OWN_SCHED queues (a
 * scheduler and workqueue each) were capped per file only, and files are
 * not. Five files try 16 user queues each: at most userq_max_total (64 by
 * default) succeed, the rest get -EBUSY. With own_sched_max_total lowered
 * to 2, a third OWN_SCHED queue, from another file, gets -EBUSY.
 */
static enum result test_device_wide_caps(void)
{
	struct drm_simgpu_userq_create c = { .ring_size = 4096,
					     .fw_policy = SIMGPU_USERQ_FW_SLEEP };
	long total = read_knob(USERQ_TOTAL_KNOB), own = read_knob(OWN_SCHED_TOTAL_KNOB);
	int files[5], i, k, made = 0, busy = 0, ret = 0;
	uint32_t h[5], q[3];

	USERQ_REQUIRE();
	for (i = 0; i < 5; i++) {
		files[i] = open_simgpu();
		CHECK(files[i] >= 0);
		h[i] = bo_on(files[i], 4096);
		CHECK(h[i]);
		for (k = 0; k < 16; k++) {
			c.sync_handle = h[i];
			ret = userq_create(files[i], &c);
			if (!ret)
				made++;
			else if (ret == -EBUSY)
				busy++;
			else
				break;
		}
		CHECK(ret == 0 || ret == -EBUSY);
	}
	if (total < 0 || made > total) {
		for (i = 0; i < 5; i++)
			close(files[i]);
		return why(FAIL, "5 files made %d user queues (%d refused): no device-wide cap (userq_max_total %ld)",
			   made, busy, total);
	}
	CHECK(made == total && busy == 80 - total);

	CHECK(own >= 0 && set_knob(OWN_SCHED_TOTAL_KNOB, 2) == 0);
	ret = queue_create(files[0], 0, 1, SIMGPU_QUEUE_CREATE_OWN_SCHED, 0, &q[0]);
	if (!ret)
		ret = queue_create(files[1], 0, 1, SIMGPU_QUEUE_CREATE_OWN_SCHED, 0, &q[1]);
	if (!ret)
		ret = queue_create(files[2], 0, 1, SIMGPU_QUEUE_CREATE_OWN_SCHED, 0, &q[2]);
	set_knob(OWN_SCHED_TOTAL_KNOB, own);
	for (i = 0; i < 5; i++)
		close(files[i]);
	CHECK(ret == -EBUSY);
	return PASS;
}

struct test {
	const char *name;
	enum result (*fn)(void);
};

static const struct test tests[] = {
	{ "dev-query", test_dev_query },
	{ "reserved-ioctls", test_reserved_ioctls },
	{ "bo-create-mmap", test_bo },
	{ "queue-lifecycle", test_queue_lifecycle },
	{ "queue-bad-input", test_queue_bad_input },
	{ "queue-limit", test_queue_limit },
	{ "queue-submit-wq", test_submit_wq_choice },
	{ "submit-zero-duration", test_submit_zero_duration },
	{ "submit-duration", test_submit_duration },
	{ "job-in-flight-status", test_job_in_flight_status },
	{ "submit-batch-order", test_batch_order },
	{ "dep-binary-syncobj", test_dep_binary_syncobj },
	{ "dep-timeline-syncobj", test_dep_timeline_syncobj },
	{ "dep-in-fence", test_dep_in_fence },
	{ "out-fence", test_out_fence },
	{ "implicit-sync-bo", test_implicit_sync_bo },
	{ "job-credits", test_credits },
	{ "submit-bad-input", test_submit_bad_input },
	{ "job-query", test_job_query },
	{ "timeout", test_timeout },
	{ "timeout-race", test_timeout_race },
	{ "queue-destroy-with-jobs", test_queue_destroy_with_jobs },
	{ "cancel-spares-others", test_cancel_spares_others },
	{ "concurrent-destroy", test_concurrent_destroy },
	{ "submit-garbage", test_submit_garbage },
	{ "close-with-jobs", test_close_with_jobs },
	{ "syncobj-eventfd", test_syncobj_eventfd },
	{ "injection-report", test_injection_report },
	{ "vm-map-translate", test_vm_map_translate },
	{ "vm-partial-unmap", test_vm_partial_unmap },
	{ "vm-remap", test_vm_remap },
	{ "vm-sparse", test_vm_sparse },
	{ "vm-huge", test_vm_huge },
	{ "vm-teardown-frees-tables", test_vm_teardown_frees_tables },
	{ "vm-policies-identical", test_vm_policies_identical },
	{ "vm-batched-sharing", test_vm_batched_sharing },
	{ "vm-bad-input", test_vm_bad_input },
	{ "vm-bo-close-while-mapped", test_vm_bo_close_while_mapped },
	{ "vm-bind-timestamps", test_vm_bind_timestamps },
	{ "vm-destroy-while-binding", test_vm_destroy_while_binding },
	{ "vm-pt-alloc-failure", test_vm_pt_alloc_failure },
	{ "vm-async-bind", test_vm_async_bind },
	{ "vm-async-submit-chain", test_vm_async_submit_chain },
	{ "vm-async-throttle", test_vm_async_throttle },
	{ "vm-async-destroy-in-flight", test_vm_async_destroy_in_flight },
	{ "vm-async-failure", test_vm_async_failure },
	{ "vm-bind-records", test_vm_bind_records },
	{ "vm-queue", test_vm_queue },
	{ "vm-overlap-batch", test_vm_overlap_batch },
	{ "vm-throttle-interrupted", test_vm_throttle_interrupted },
	{ "userq-wait-modes", test_userq_wait_modes },
	{ "userq-fw-thread", test_userq_fw_thread },
	{ "userq-inactive-kick", test_userq_inactive_kick },
	{ "userq-wait-deadline", test_userq_wait_deadline },
	{ "userq-shared-sync-bo", test_userq_shared_sync_bo },
	{ "userq-ring-wrap", test_userq_ring_wrap },
	{ "userq-bridge-to-binary", test_userq_bridge_to_binary },
	{ "userq-bridge-to-timeline", test_userq_bridge_to_timeline },
	{ "userq-bridge-from-binary", test_userq_bridge_from_binary },
	{ "userq-bridge-from-timeline", test_userq_bridge_from_timeline },
	{ "userq-bridge-error", test_userq_bridge_error },
	{ "userq-bridge-stall", test_userq_bridge_stall },
	{ "userq-bad-input", test_userq_bad_input },
	{ "userq-doorbell-storm", test_userq_doorbell_storm },
	{ "userq-teardown", test_userq_teardown },
	{ "userq-concurrent-destroy", test_userq_concurrent_destroy },
	{ "userq-bad-args", test_userq_bad_args },
	{ "userq-limit", test_userq_limit },
	{ "fence-outlives-own-sched", test_fence_outlives_own_sched },
	{ "fence-pins-module", test_fence_pins_module },
	{ "vm-pt-cap", test_vm_pt_cap },
	{ "timeout-blames-runner", test_timeout_blames_runner },
	{ "userq-fw-yields", test_userq_fw_yields },
	{ "userq-wait-far-past", test_userq_wait_far_past },
	{ "userq-sync-bo-cap", test_userq_sync_bo_cap },
	{ "device-wide-caps", test_device_wide_caps },
	{ "exit-not-blocked-job", test_exit_not_blocked_job },
	{ "exit-not-blocked-bind", test_exit_not_blocked_bind },
	{ "killed-queued-no-leak", test_killed_queued_no_leak },
};

/* The first render node whose driver is simgpu, by name, not by path. */
int open_simgpu(void)
{
	struct dirent *de;
	DIR *dir = opendir("/dev/dri");
	int f = -1;

	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		char path[300];
		drmVersionPtr v;

		if (strncmp(de->d_name, "renderD", 7))
			continue;
		snprintf(path, sizeof(path), "/dev/dri/%s", de->d_name);
		f = open(path, O_RDWR | O_CLOEXEC);
		if (f < 0)
			continue;
		v = drmGetVersion(f);
		if (v && !strcmp(v->name, "simgpu")) {
			drmFreeVersion(v);
			break;
		}
		drmFreeVersion(v);
		close(f);
		f = -1;
	}
	closedir(dir);
	return f;
}

int main(int argc, char **argv)
{
	struct drm_simgpu_dev_query q = {
		.size = sizeof(info), .info = (uintptr_t)&info,
	};
	const char *only = argc > 1 ? argv[1] : NULL;
	unsigned int i, pass = 0, fail = 0, skip = 0;

	for (i = 1; i < (unsigned int)argc; i++)
		if (!strcmp(argv[i], "--fuzz"))
			return simgpu_fuzz_main(argc, argv);
	fd = open_simgpu();
	if (fd < 0 || sg_ioctl(fd, DRM_IOCTL_SIMGPU_DEV_QUERY, &q)) {
		for (i = 0; i < ARRAY_SIZE(tests); i++)
			printf("SKIP %s: no /dev/dri render node of driver simgpu (module not loaded?)\n",
			       tests[i].name);
		printf("0 passed, 0 failed, %u skipped\n", i);
		return 4;
	}

	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		enum result r;

		if (only && strcmp(only, tests[i].name))
			continue;
		reason[0] = 0;
		errno = 0;
		r = tests[i].fn();
		if (r == PASS) {
			pass++;
			printf("ok %s%s%s\n", tests[i].name, reason[0] ? ": " : "", reason);
		} else if (r == SKIP) {
			skip++;
			printf("SKIP %s: %s\n", tests[i].name, reason);
		} else {
			fail++;
			printf("FAIL %s: %s\n", tests[i].name, reason);
		}
		fflush(stdout);
	}
	printf("%u passed, %u failed, %u skipped\n", pass, fail, skip);
	if (fail)
		return 1;
	return pass ? 0 : 4;
}
