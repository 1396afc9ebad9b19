// SPDX-License-Identifier: MIT
/*
 * Generic backends: "drm", any render node (for the bare-ioctl floor), and
 * "syncobj", the first render node whose driver offers DRM syncobjs. They
 * bring nothing but the device and the DRM core's groups.
 */
#include "device.h"

static int drm_open(struct drmb_device *dev, char *why, size_t whylen)
{
	return drmb_device_open(dev, NULL, 0, why, whylen);
}

static int syncobj_open(struct drmb_device *dev, char *why, size_t whylen)
{
	return drmb_device_open(dev, NULL, DRMB_OPEN_SYNCOBJ, why, whylen);
}

const struct drmb_backend drmb_backend_drm = {
	.name = "drm",
	.summary = "any DRM render node",
	.open = drm_open,
	.close = drmb_device_close,
	.nop = &drmb_drm_nop,
};

const struct drmb_backend drmb_backend_syncobj = {
	.name = "syncobj",
	.summary = "first render node with DRM syncobj support (core ioctls only)",
	.open = syncobj_open,
	.close = drmb_device_close,
	.nop = &drmb_drm_nop,
	.syncobj = &drmb_drm_syncobj,
	.timeline = &drmb_drm_timeline,
	.syncobj_eventfd = &drmb_drm_syncobj_eventfd,
	.sync_file = &drmb_drm_sync_file,
};
