// SPDX-License-Identifier: MIT
/*
 * drm-ioctl: the cheapest DRM ioctl (GET_CAP) on a render node: what the
 * DRM core's ioctl dispatch costs before any driver work. On a backend
 * without a kernel driver, the cheapest call into it.
 */
#include "backend.h"
#include "measure.h"

static int drm_ioctl_op(struct drmb_case *c)
{
	return drmb_nop(c->dev);
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
	.needs = DRMB_NEEDS(DRMB_GROUP_NOP),
	.run = drm_ioctl_run,
};
