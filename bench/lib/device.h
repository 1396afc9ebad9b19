/* SPDX-License-Identifier: MIT */
/*
 * DRM devices through libdrm: enumeration, opening a render node by driver
 * name, capability probes. Kernel ABI that bookworm's libdrm (2.4.114) does
 * not wrap is defined here, from include/uapi/drm/drm.h.
 */
#ifndef DRMB_DEVICE_H
#define DRMB_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include <xf86drm.h>

#include "drmb.h"

#ifndef DRM_IOCTL_SYNCOBJ_EVENTFD
struct drm_syncobj_eventfd {
	__u32 handle;
	__u32 flags;	/* DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE or 0 */
	__u64 point;
	__s32 fd;
	__u32 pad;
};
#define DRM_IOCTL_SYNCOBJ_EVENTFD DRM_IOWR(0xCF, struct drm_syncobj_eventfd)
#endif

/* Backends that can run the core syncobj benchmarks, default first. */
extern const char *const drmb_syncobj_backends[];

/* Overrides the render node every backend opens (CLI --device). */
extern const char *drmb_device_override;

/*
 * Opens the first render node whose driver is `driver` (NULL: any driver)
 * and that has every DRMB_CAP_* in need. -ENODEV with a reason when there
 * is none.
 */
/* In need: open the primary (card) node; vgem allows dumb BOs only there. */
#define DRMB_OPEN_PRIMARY (1ull << 63)
int drmb_device_open(struct drmb_device *dev, const char *driver, uint64_t need,
		     char *why, size_t whylen);
void drmb_device_close(struct drmb_device *dev);

/* "renderD128=simgpu/1.0.0/syncobj,timeline,eventfd; ..." or "none". */
void drmb_devices_describe(char *buf, size_t len);

/* Direct syncobj calls for the probes and benchmarks (0 or -errno). */
int drmb_syncobj_eventfd(int fd, uint32_t handle, uint64_t point,
			 int efd, uint32_t flags);


/*
 * sw_sync (debugfs, CONFIG_SW_SYNC): a CPU-signalled fence timeline, the
 * one way to give a binary syncobj or a sync_file a real unsignalled fence
 * without a GPU. open: 0 or -errno with a reason.
 */
int drmb_sw_sync_open(int *timeline, char *why, size_t whylen);
/* A fence signalled when the timeline reaches value; returns a sync_file fd. */
int drmb_sw_sync_fence(int timeline, uint32_t value);
int drmb_sw_sync_inc(int timeline, uint32_t by);

#endif
