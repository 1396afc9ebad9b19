// SPDX-License-Identifier: MIT
/*
 * test-submit.c: kernel queues, SUBMIT, job records (JOB_QUERY), credits,
 * implicit sync and timeouts.
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

TEST(test_queue_lifecycle, "queue-lifecycle")
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

#define QC struct drm_simgpu_queue_create

TEST(test_queue_bad_input, "queue-bad-input")
{
	/* Each case breaks a queue that would be created without it. */
	const struct bad_case create_cases[] = {
		{ "unknown flag", { SET(QC, flags, 1u << 31) }, -EINVAL },
		{ "engine past the last", { SET(QC, engine, info.engine_count) }, -EINVAL },
		{ "priority above HIGH",
		  { SET(QC, priority, SIMGPU_QUEUE_PRIORITY_HIGH + 1) }, -EINVAL },
		/* Scheduler knobs belong to queues that own a scheduler. */
		{ "credit_limit, shared scheduler", { SET(QC, credit_limit, 4) }, -EINVAL },
		{ "timeout_ns, shared scheduler", { SET(QC, timeout_ns, MS) }, -EINVAL },
		{ "credit_limit above the max",
		  { SET(QC, flags, SIMGPU_QUEUE_CREATE_OWN_SCHED),
		    SET(QC, credit_limit, info.max_credit_limit + 1) }, -EINVAL },
		{ "unknown submit_wq",
		  { SET(QC, flags, SIMGPU_QUEUE_CREATE_OWN_SCHED),
		    SET(QC, submit_wq, SIMGPU_SUBMIT_WQ_KTHREAD + 1) }, -EINVAL },
	};
	const struct drm_simgpu_queue_create good = { 0 };
	struct drm_simgpu_queue_create c;
	struct drm_simgpu_queue_destroy d = { 0 };
	struct drm_simgpu_queue_query q = { 0 };
	uint32_t id;

	CHECK_BAD_CASES(DRM_IOCTL_SIMGPU_QUEUE_CREATE, &c, &c, &good, create_cases);

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

#undef QC

TEST(test_queue_limit, "queue-limit")
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

TEST(test_submit_wq_choice, "queue-submit-wq")
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
		return PASS;
	}
	c.submit_wq = SIMGPU_SUBMIT_WQ_KTHREAD;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &c) == -EOPNOTSUPP);
	return PASS;
}

TEST(test_submit_zero_duration, "submit-zero-duration")
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

TEST(test_submit_duration, "submit-duration")
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

TEST(test_job_in_flight_status, "job-in-flight-status")
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

TEST(test_batch_order, "submit-batch-order")
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

TEST(test_implicit_sync_bo, "implicit-sync-bo")
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

TEST(test_credits, "job-credits")
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

TEST(test_submit_bad_input, "submit-bad-input")
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

TEST(test_job_query, "job-query")
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

TEST(test_timeout, "timeout")
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
TEST(test_timeout_race, "timeout-race")
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

/*
 * K5: client A's long job on its own scheduler holds the engine; client B's
 * zero-length job on the engine's shared scheduler waits behind it for
 * longer than B's timeout. B's job never ran for a timeout: it must
 * complete without error and B's queue must stay ACTIVE (before the fix it
 * was failed -ETIMEDOUT and B's queue marked guilty).
 */
TEST(test_timeout_blames_runner, "timeout-blames-runner")
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
