// SPDX-License-Identifier: MIT
/*
 * test-syncobj.c: dependencies through syncobjs, in-fences and out-fences,
 * SYNCOBJ_EVENTFD, and fences that outlive their scheduler or file.
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

TEST(test_dep_binary_syncobj, "dep-binary-syncobj")
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

TEST(test_dep_timeline_syncobj, "dep-timeline-syncobj")
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

TEST(test_dep_in_fence, "dep-in-fence")
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

TEST(test_out_fence, "out-fence")
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

TEST(test_syncobj_eventfd, "syncobj-eventfd")
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

/*
 * K1: the scheduler fence of a job on an OWN_SCHED queue reads its timeline
 * name from the queue's drm_gpu_scheduler. A sync_file keeps the fence after
 * QUEUE_DESTROY, so the scheduler must stay until the fence goes. New
 * schedulers on another engine (another name) reuse freed memory: a freed
 * scheduler shows as a changed name here, and as an oops on poisoned memory
 * in a guest with slub_debug. 7.x kernels name a signalled fence
 * "signaled-timeline" without asking the driver.
 */
TEST(test_fence_outlives_own_sched, "fence-outlives-own-sched")
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
TEST(test_fence_pins_module, "fence-pins-module")
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
