// SPDX-License-Identifier: MIT
/*
 * drm-ioctl: the cheapest DRM ioctl (GET_CAP) on a render node: what the
 * DRM core's ioctl dispatch costs before any driver work. On a backend
 * without a kernel driver, the cheapest call into it.
 */
#include <errno.h>

#include "backend.h"
#include "measure.h"

/* The loop calls the backend's op itself: no group check inside the timing. */
static int drm_ioctl_run(struct drmb_case *c, struct drmb_samples *s)
{
	const struct drmb_nop_ops *t = DRMB_GROUP_OPS(c->dev, DRMB_GROUP_NOP, nop);

	if (!t || !t->nop)
		return drmb_why(c, -EOPNOTSUPP, "backend %s has no nop op",
				c->dev->backend->name);
	return drmb_measure_device(c, s, t->nop);
}

const struct drmb_bench drmb_bench_drm_ioctl = {
	.name = "drm-ioctl",
	.id = "DrmIoctl",
	.summary = "bare DRM ioctl (GET_CAP) round trip on a render node",
	.flags = DRMB_BENCH_NEEDS_DEVICE | DRMB_BENCH_THROUGHPUT,
	.needs = DRMB_NEEDS(DRMB_GROUP_NOP),
	.run = drm_ioctl_run,
};
