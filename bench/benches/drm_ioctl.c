// SPDX-License-Identifier: MIT
/*
 * drm-ioctl: the cheapest DRM ioctl (GET_CAP) on a render node: what the
 * DRM core's ioctl dispatch costs before any driver work.
 */
#include <errno.h>

#include <xf86drm.h>

#include "measure.h"

static const char *const any_backend[] = { "drm", NULL };

static int drm_ioctl_op(struct drmb_case *c)
{
	struct drm_get_cap cap = { .capability = DRM_CAP_SYNCOBJ };

	return drmIoctl(c->dev->fd, DRM_IOCTL_GET_CAP, &cap) ? -errno : 0;
}

static int drm_ioctl_run(struct drmb_case *c, struct drmb_samples *s)
{
	return drmb_measure_loop(c, s, drm_ioctl_op);
}

const struct drmb_bench drmb_bench_drm_ioctl = {
	.name = "drm-ioctl",
	.id = "DrmIoctl",
	.summary = "bare DRM ioctl (GET_CAP) round trip on a render node",
	.flags = DRMB_BENCH_NEEDS_DEVICE | DRMB_BENCH_THROUGHPUT,
	.backends = any_backend,
	.run = drm_ioctl_run,
};
