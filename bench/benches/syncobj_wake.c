// SPDX-License-Identifier: MIT
/*
 * syncobj-wake: signal -> waiter woken through each DRM syncobj wait path,
 * on any render node with syncobjs. The signaller uses the core ioctls (or
 * a CPU-signalled fence where the path needs a real unsignalled fence); the
 * waiter blocks in the path under test.
 *
 *   wait-submit         SIGNAL -> WAIT(WAIT_FOR_SUBMIT) on a reset binary syncobj
 *   wait-fence          CPU fence (sw_sync or vgem) imported, WAIT (no flags)
 *   timeline            TIMELINE_SIGNAL(p) -> TIMELINE_WAIT(p, WAIT_FOR_SUBMIT)
 *   timeline-available  as timeline, waiting with WAIT_AVAILABLE
 *   eventfd             TIMELINE_SIGNAL(p) -> read() on a SYNCOBJ_EVENTFD eventfd
 *   sync-file           CPU fence -> syncobj -> exported sync_file, poll()
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <xf86drm.h>

#include "backend.h"
#include "device.h"
#include "measure.h"

enum {
	PATH_WAIT_SUBMIT, PATH_WAIT_FENCE, PATH_TIMELINE, PATH_TIMELINE_AVAILABLE,
	PATH_EVENTFD, PATH_SYNC_FILE,
};

static const char *const paths[] = {
	"wait-submit", "wait-fence", "timeline", "timeline-available", "eventfd",
	"sync-file", NULL,
};

static const struct drmb_param syncobj_wake_params[] = {
	{ "path", DRMB_PARAM_ENUM,
	  "wait-submit,wait-fence,timeline,timeline-available,eventfd,sync-file",
	  "wait path under test", .choices = paths },
	{ NULL },
};


struct syncobj_wake {
	struct drmb_device *dev;
	int path;
	uint32_t handle;
	uint64_t point;
	struct drmb_cpu_fence cpu;
	int have_cpu_fence;
	int efd;
	int sync_file;
};

static int uses_cpu_fence(int path)
{
	return path == PATH_WAIT_FENCE || path == PATH_SYNC_FILE;
}

static int uses_timeline(int path)
{
	return path == PATH_TIMELINE || path == PATH_TIMELINE_AVAILABLE ||
	       path == PATH_EVENTFD;
}

static uint32_t syncobj_wake_case_needs(const struct drmb_case *c)
{
	int path = drmb_case_int(c, "path");
	uint32_t needs = 0;

	if (uses_timeline(path))
		needs |= DRMB_NEEDS(DRMB_GROUP_TIMELINE);
	if (path == PATH_EVENTFD)
		needs |= DRMB_NEEDS(DRMB_GROUP_SYNCOBJ_EVENTFD);
	if (uses_cpu_fence(path))
		needs |= DRMB_NEEDS(DRMB_GROUP_SYNC_FILE);
	return needs;
}

static int syncobj_wake_setup(struct drmb_case *c)
{
	struct syncobj_wake *w = c->priv;
	int ret;

	w->dev = c->dev;
	w->path = drmb_case_int(c, "path");
	w->efd = w->sync_file = -1;
	if (uses_cpu_fence(w->path)) {
		ret = drmb_cpu_fence_open(&w->cpu, c->why, sizeof(c->why));
		if (ret)
			return ret;
		w->have_cpu_fence = 1;
	}
	if (w->path == PATH_EVENTFD) {
		w->efd = eventfd(0, EFD_CLOEXEC);
		if (w->efd < 0) {
			ret = drmb_why(c, -errno, "eventfd: %m");
			goto err_close;
		}
	}
	ret = drmb_syncobj_create(w->dev, 0, &w->handle);
	if (ret) {
		drmb_why(c, ret, "SYNCOBJ_CREATE: %s", strerror(-ret));
		goto err_close;
	}
	return 0;

err_close:
	if (w->have_cpu_fence)
		drmb_cpu_fence_close(&w->cpu);
	if (w->efd >= 0)
		close(w->efd);
	return ret;
}

static void syncobj_wake_teardown(struct drmb_case *c)
{
	struct syncobj_wake *w = c->priv;

	drmb_syncobj_destroy(w->dev, w->handle);
	if (w->have_cpu_fence)
		drmb_cpu_fence_close(&w->cpu);
	if (w->efd >= 0)
		close(w->efd);
	if (w->sync_file >= 0)
		close(w->sync_file);
}

/* Untimed: leave exactly one unsignalled thing for the waiter to block on. */
static int syncobj_wake_arm(struct drmb_case *c)
{
	struct syncobj_wake *w = c->priv;
	int fence, ret;

	switch (w->path) {
	case PATH_WAIT_SUBMIT:
		return drmb_syncobj_reset(w->dev, &w->handle, 1);
	case PATH_TIMELINE:
	case PATH_TIMELINE_AVAILABLE:
		w->point++;
		return 0;
	case PATH_EVENTFD:
		w->point++;
		return drmb_syncobj_eventfd(w->dev, w->handle, w->point, w->efd, 0);
	default:
		break;
	}
	/* wait-fence and sync-file: a fresh CPU fence behind the syncobj. */
	fence = drmb_cpu_fence_new(&w->cpu);
	if (fence < 0)
		return fence;
	ret = drmb_sync_file_import(w->dev, w->handle, fence);
	close(fence);
	if (ret || w->path != PATH_SYNC_FILE)
		return ret;
	if (w->sync_file >= 0)
		close(w->sync_file);
	w->sync_file = -1;
	return drmb_sync_file_export(w->dev, w->handle, &w->sync_file);
}

static int syncobj_wake_wait(struct drmb_case *c)
{
	struct syncobj_wake *w = c->priv;
	struct pollfd pfd;
	uint64_t v;

	switch (w->path) {
	case PATH_WAIT_SUBMIT:
		return drmb_syncobj_wait(w->dev, &w->handle, 1, INT64_MAX,
					 DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, NULL);
	case PATH_WAIT_FENCE:
		return drmb_syncobj_wait(w->dev, &w->handle, 1, INT64_MAX, 0, NULL);
	case PATH_TIMELINE:
	case PATH_TIMELINE_AVAILABLE:
		return drmb_timeline_wait(w->dev, &w->handle, &w->point, 1, INT64_MAX,
					  DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT |
					  (w->path == PATH_TIMELINE_AVAILABLE ?
					   DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE : 0),
					  NULL);
	case PATH_EVENTFD:
		return read(w->efd, &v, sizeof(v)) == sizeof(v) ? 0 : -errno;
	case PATH_SYNC_FILE:
		pfd.fd = w->sync_file;
		pfd.events = POLLIN;
		return poll(&pfd, 1, -1) == 1 ? 0 : -errno;
	}
	return -EINVAL;
}

static int syncobj_wake_signal(struct drmb_case *c)
{
	struct syncobj_wake *w = c->priv;

	switch (w->path) {
	case PATH_WAIT_SUBMIT:
		return drmb_syncobj_signal(w->dev, &w->handle, 1);
	case PATH_TIMELINE:
	case PATH_TIMELINE_AVAILABLE:
	case PATH_EVENTFD:
		return drmb_timeline_signal(w->dev, &w->handle, &w->point, 1);
	default:
		return drmb_cpu_fence_signal(&w->cpu);
	}
}

static const struct drmb_wake_ops syncobj_wake_ops = {
	.arm = syncobj_wake_arm,
	.wait = syncobj_wake_wait,
	.signal = syncobj_wake_signal,
};

static int syncobj_wake_run(struct drmb_case *c, struct drmb_samples *s)
{
	return drmb_measure_wake(c, s, &syncobj_wake_ops);
}

const struct drmb_bench drmb_bench_syncobj_wake = {
	.name = "syncobj-wake",
	.id = "SyncobjWake",
	.summary = "DRM syncobj signal to waiter woken, per wait path",
	.flags = DRMB_BENCH_TWO_THREADS | DRMB_BENCH_FLOOR_RATIO | DRMB_BENCH_NEEDS_DEVICE,
	.needs = DRMB_NEEDS(DRMB_GROUP_SYNCOBJ),
	.case_needs = syncobj_wake_case_needs,
	.params = syncobj_wake_params,
	.priv_size = sizeof(struct syncobj_wake),
	.setup = syncobj_wake_setup,
	.run = syncobj_wake_run,
	.teardown = syncobj_wake_teardown,
};
