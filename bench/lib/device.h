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

/* Overrides the render node every backend opens (CLI --device). */
extern const char *drmb_device_override;

/* drmb_device_open() flags. */
enum {
	DRMB_OPEN_PRIMARY = 1u << 0,	/* the card node: vgem's dumb BOs live there */
	DRMB_OPEN_SYNCOBJ = 1u << 1,	/* only a node with DRM syncobjs */
};

/*
 * For a backend's open(): opens the first node whose driver is `driver`
 * (NULL: any driver) that the flags allow, and withdraws the syncobj groups
 * it probed missing. Keeps dev's backend and groups. -ENODEV with a reason
 * when there is none.
 */
int drmb_device_open(struct drmb_device *dev, const char *driver, unsigned int flags,
		     char *why, size_t whylen);
void drmb_device_close(struct drmb_device *dev);

/* The groups of the DRM core, for backends whose nodes have them. */
extern const struct drmb_nop_ops drmb_drm_nop;
extern const struct drmb_syncobj_ops drmb_drm_syncobj;
extern const struct drmb_timeline_ops drmb_drm_timeline;
extern const struct drmb_syncobj_eventfd_ops drmb_drm_syncobj_eventfd;
extern const struct drmb_sync_file_ops drmb_drm_sync_file;

/* "renderD128=simgpu/1.0.0/syncobj,timeline,eventfd; ..." or "none". */
void drmb_devices_describe(char *buf, size_t len);


/* ---- vgem (include/uapi/drm/vgem_drm.h, not in bookworm's libdrm) ---- */

/* A small dumb BO and its dma-buf (vgem allows dumb BOs on its card node). */
int drmb_vgem_bo_create(int fd, uint32_t *handle, int *dmabuf);
/* Attaches a write fence to the BO's reservation object. */
int drmb_vgem_fence_attach(int fd, uint32_t handle, uint32_t *fence);
int drmb_vgem_fence_signal(int fd, uint32_t fence);
/* The fences a reader of the dma-buf waits for, as a sync_file fd (5.20+). */
int drmb_dmabuf_export_sync_file(int dmabuf);

/*
 * A fence the CPU signals, for paths that need a real unsignalled fence
 * (a binary syncobj wait without WAIT_FOR_SUBMIT, a sync_file): sw_sync
 * when the kernel has it (CONFIG_SW_SYNC, debugfs; not in Debian's
 * kernels), else a vgem fence.
 */
struct drmb_cpu_fence {
	const char *kind;	/* "sw_sync" or "vgem" */
	int timeline;		/* sw_sync */
	uint32_t value;
	struct drmb_device vgem;
	uint32_t bo, fence;
	int dmabuf;
};

/* 0, or -ENODEV with a reason naming both sources. */
int drmb_cpu_fence_open(struct drmb_cpu_fence *f, char *why, size_t whylen);
/* A new unsignalled fence as a sync_file fd (>= 0), or -errno. */
int drmb_cpu_fence_new(struct drmb_cpu_fence *f);
/* Signals the fence made last. */
int drmb_cpu_fence_signal(struct drmb_cpu_fence *f);
void drmb_cpu_fence_close(struct drmb_cpu_fence *f);

#endif
