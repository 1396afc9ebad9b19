// SPDX-License-Identifier: MIT
/*
 * test-device.c: DEV_QUERY, reserved ioctls, BOs, the injection report and
 * the device-wide caps.
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

TEST(test_dev_query, "dev-query")
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

TEST(test_reserved_ioctls, "reserved-ioctls")
{
	char buf[64] = { 0 };

	/* Numbers no ioctl has: the gap before the user queues, and after. */
	CHECK(sg_ioctl(fd, DRM_IOWR(DRM_COMMAND_BASE + DRM_SIMGPU_VM_BIND_QUERY + 1, buf), buf) == -EINVAL);
	CHECK(sg_ioctl(fd, DRM_IOWR(DRM_COMMAND_BASE + DRM_SIMGPU_USERQ_SYNC_UPDATE + 1, buf), buf) == -EINVAL);
	return PASS;
}

TEST(test_bo, "bo-create-mmap")
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

TEST(test_injection_report, "injection-report")
{
	bool on = info.features & SIMGPU_FEATURE_INJECTION_ACTIVE;

	CHECK(on == (info.inject_path != SIMGPU_INJECT_NONE));
	CHECK(on == (info.inject_delay_ns != 0));
	if (on)
		return why(PASS, "injection active: path %u, %llu ns",
			   info.inject_path, (unsigned long long)info.inject_delay_ns);
	return PASS;
}

/*
 * K11: user queues (a firmware kthread each) and OWN_SCHED queues (a
 * scheduler and workqueue each) were capped per file only, and files are
 * not. Five files try 16 user queues each: at most userq_max_total (64 by
 * default) succeed, the rest get -EBUSY. With own_sched_max_total lowered
 * to 2, a third OWN_SCHED queue, from another file, gets -EBUSY.
 */
TEST(test_device_wide_caps, "device-wide-caps")
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
