// SPDX-License-Identifier: MIT
/*
 * test-userq.c: user-mode queues: the ring, doorbell and firmware thread,
 * waits, bridges to and from syncobjs, bad jobs and bad arguments.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
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

#include "helpers.h"

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

TEST(test_userq_wait_modes, "userq-wait-modes")
{
	uint32_t policy;
	int mode;

	USERQ_REQUIRE();
	for (policy = SIMGPU_USERQ_FW_DEFAULT; policy <= SIMGPU_USERQ_FW_SLEEP; policy++)
		for (mode = WAIT_SPIN; mode <= WAIT_EVENTFD; mode++) {
			enum result r = userq_roundtrip(policy, mode);

			if (r != PASS) {
				char inner[sizeof(harness_reason)];

				snprintf(inner, sizeof(inner), "%s", harness_reason);
				return why(r, "policy %s, wait mode %d: %s",
					   policy_names[policy], mode, inner);
			}
		}
	return PASS;
}

/* The firmware thread is a real thread whose CPU time userspace can read. */
TEST(test_userq_fw_thread, "userq-fw-thread")
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

TEST(test_userq_inactive_kick, "userq-inactive-kick")
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

TEST(test_userq_wait_deadline, "userq-wait-deadline")
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

TEST(test_userq_bridge_to_binary, "userq-bridge-to-binary")
{
	USERQ_REQUIRE();
	return userq_bridge_to(0);
}

TEST(test_userq_bridge_to_timeline, "userq-bridge-to-timeline")
{
	USERQ_REQUIRE();
	return userq_bridge_to(4);
}

TEST(test_userq_bridge_from_binary, "userq-bridge-from-binary")
{
	USERQ_REQUIRE();
	return userq_bridge_from(0);
}

TEST(test_userq_bridge_from_timeline, "userq-bridge-from-timeline")
{
	USERQ_REQUIRE();
	return userq_bridge_from(2);
}

/* A kernel job that times out hands the FROM bridge an errored fence. */
TEST(test_userq_bridge_error, "userq-bridge-error")
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

TEST(test_userq_bad_input, "userq-bad-input")
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
			char inner[sizeof(harness_reason)];

			snprintf(inner, sizeof(inner), "%s", harness_reason);
			why(res, "%s: %s", userq_bad_cases[i].name, inner);
			break;
		}
	}
	close(fd2);
	set_stall_ms(saved);
	return res;
}

/* A TO bridge whose value never comes is failed by the stall backstop. */
TEST(test_userq_bridge_stall, "userq-bridge-stall")
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
TEST(test_userq_doorbell_storm, "userq-doorbell-storm")
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
TEST(test_userq_teardown, "userq-teardown")
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
TEST(test_userq_concurrent_destroy, "userq-concurrent-destroy")
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

TEST(test_userq_bad_args, "userq-bad-args")
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

TEST(test_userq_limit, "userq-limit")
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
TEST(test_userq_shared_sync_bo, "userq-shared-sync-bo")
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
TEST(test_userq_ring_wrap, "userq-ring-wrap")
{
	struct uq_opts o = { .policy = SIMGPU_USERQ_FW_BUSY };
	struct drm_simgpu_userq_job_record r[8];
	struct drm_simgpu_userq_job j;
	uint64_t i, n = 3 * 4096 / 64;
	struct uq q;

	USERQ_REQUIRE();
	/* Past the record ring too, so the first record is evicted. */
	if (n <= info.userq_record_ring_size)
		n = info.userq_record_ring_size + 8;
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
	/* Evicted is -ENODATA, as JOB_QUERY's; not taken yet -ENOENT. */
	CHECK(userq_records(fd, q.id, 1, 1, r) == -ENODATA);
	CHECK(userq_records(fd, q.id, n + 1, 1, r) == -ENOENT);
	uq_close(&q);
	return PASS;
}

struct hog {
	bool stop;
	uint64_t cpu_ns;
};

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
TEST(test_userq_fw_yields, "userq-fw-yields")
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
TEST(test_userq_wait_far_past, "userq-wait-far-past")
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
TEST(test_userq_sync_bo_cap, "userq-sync-bo-cap")
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
