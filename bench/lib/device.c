// SPDX-License-Identifier: MIT
/*
 * DRM device discovery and capability probes. A capability is believed only
 * after a real call succeeds: DRM_CAP values say what the core offers, not
 * what this driver and kernel accept.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <xf86drm.h>

#include "appendf.h"
#include "backend.h"
#include "device.h"

const char *drmb_device_override;

/* What probe_caps() found on a node. */
enum {
	CAP_SYNCOBJ = 1u << 0,
	CAP_TIMELINE = 1u << 1,
	CAP_EVENTFD = 1u << 2,		/* probed with a real call */
};

static int syncobj_eventfd(int fd, uint32_t handle, uint64_t point, int efd, uint32_t flags)
{
	struct drm_syncobj_eventfd args = {
		.handle = handle, .flags = flags, .point = point, .fd = efd,
	};

	return drmIoctl(fd, DRM_IOCTL_SYNCOBJ_EVENTFD, &args) ? -errno : 0;
}

static unsigned int probe_caps(int fd)
{
	unsigned int caps = 0;
	uint64_t v = 0;
	uint32_t handle;
	int efd;

	if (!drmGetCap(fd, DRM_CAP_SYNCOBJ, &v) && v)
		caps |= CAP_SYNCOBJ;
	v = 0;
	if (!drmGetCap(fd, DRM_CAP_SYNCOBJ_TIMELINE, &v) && v)
		caps |= CAP_TIMELINE;
	if (!(caps & CAP_SYNCOBJ) || drmSyncobjCreate(fd, 0, &handle))
		return caps;
	efd = eventfd(0, EFD_CLOEXEC);
	if (efd >= 0) {
		if (!syncobj_eventfd(fd, handle, 0, efd, 0))
			caps |= CAP_EVENTFD;
		close(efd);
	}
	drmSyncobjDestroy(fd, handle);
	return caps;
}

static int open_node(struct drmb_device *dev, const char *node, unsigned int *caps)
{
	drmVersionPtr ver;
	int fd = open(node, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	ver = drmGetVersion(fd);
	if (!ver) {
		close(fd);
		return -ENODEV;
	}
	dev->fd = fd;
	snprintf(dev->node, sizeof(dev->node), "%s", node);
	snprintf(dev->driver, sizeof(dev->driver), "%s", ver->name);
	drmFreeVersion(ver);
	*caps = probe_caps(fd);
	return 0;
}

/* The syncobj groups a node turned out not to have. */
static void withdraw_missing(struct drmb_device *dev, unsigned int caps)
{
	if (!(caps & CAP_SYNCOBJ))
		drmb_device_withdraw(dev, DRMB_GROUP_SYNCOBJ, "%s (%s): no DRM_CAP_SYNCOBJ",
				     dev->node, dev->driver);
	if (!(caps & CAP_TIMELINE))
		drmb_device_withdraw(dev, DRMB_GROUP_TIMELINE,
				     "%s (%s): no DRM_CAP_SYNCOBJ_TIMELINE",
				     dev->node, dev->driver);
	if (!(caps & CAP_EVENTFD))
		drmb_device_withdraw(dev, DRMB_GROUP_SYNCOBJ_EVENTFD,
				     "DRM_IOCTL_SYNCOBJ_EVENTFD not supported by this kernel (added in 6.6)");
}

#define MAX_NODES 64

/*
 * The DRM nodes of one type: libdrm's enumeration first, then any
 * /dev/dri node it missed. bookworm's libdrm (2.4.114) enumerates no device
 * on the 7.x "faux" bus, where simgpu and vgem live, so without the scan a
 * 7.x guest would seem to have no devices at all.
 */
static int collect_nodes(int type, char (*paths)[64], int max)
{
	const char *prefix = type == DRM_NODE_RENDER ? "renderD" : "card";
	drmDevicePtr devs[MAX_NODES];
	struct dirent *de;
	int n, i, j, count = 0;
	DIR *dir;

	n = drmGetDevices2(0, devs, MAX_NODES);
	for (i = 0; i < n && count < max; i++)
		if (devs[i]->available_nodes & (1 << type))
			snprintf(paths[count++], 64, "%s", devs[i]->nodes[type]);
	if (n > 0)
		drmFreeDevices(devs, n);

	dir = opendir("/dev/dri");
	while (dir && (de = readdir(dir)) && count < max) {
		char path[64];

		/* node names are renderD128, card0: a longer one is no node of ours */
		if (strncmp(de->d_name, prefix, strlen(prefix)) ||
		    strlen(de->d_name) >= sizeof(path) - sizeof("/dev/dri/"))
			continue;
		snprintf(path, sizeof(path), "/dev/dri/%.54s", de->d_name);
		for (j = 0; j < count && strcmp(paths[j], path); j++)
			;
		if (j == count)
			snprintf(paths[count++], 64, "%s", path);
	}
	if (dir)
		closedir(dir);
	return count;
}

int drmb_device_open(struct drmb_device *dev, const char *driver, unsigned int flags,
		     char *why, size_t whylen)
{
	int type = flags & DRMB_OPEN_PRIMARY ? DRM_NODE_PRIMARY : DRM_NODE_RENDER;
	char paths[MAX_NODES][64];
	unsigned int caps = 0;
	int n, i, ret;

	dev->fd = -1;
	if (drmb_device_override) {
		ret = open_node(dev, drmb_device_override, &caps);
		if (ret) {
			snprintf(why, whylen, "%s: %s", drmb_device_override, strerror(-ret));
			return ret;
		}
		if (driver && strcmp(dev->driver, driver)) {
			snprintf(why, whylen, "%s is driver %s, not %s",
				 dev->node, dev->driver, driver);
			drmb_device_close(dev);
			return -ENODEV;
		}
		withdraw_missing(dev, caps);
		return 0;
	}
	n = collect_nodes(type, paths, MAX_NODES);
	if (!n) {
		snprintf(why, whylen, "no DRM %s nodes on this machine",
			 type == DRM_NODE_RENDER ? "render" : "card");
		return -ENODEV;
	}
	ret = -ENODEV;
	for (i = 0; i < n && ret; i++) {
		if (open_node(dev, paths[i], &caps))
			continue;
		if ((!driver || !strcmp(dev->driver, driver)) &&
		    (!(flags & DRMB_OPEN_SYNCOBJ) || (caps & CAP_SYNCOBJ)))
			ret = 0;
		else
			drmb_device_close(dev);
	}
	if (ret) {
		snprintf(why, whylen, "no %s node%s%s%s", type == DRM_NODE_RENDER ? "render" : "card",
			 driver ? " of driver " : "", driver ? driver : "",
			 flags & DRMB_OPEN_SYNCOBJ ? " with syncobj support" : "");
		return ret;
	}
	withdraw_missing(dev, caps);
	return 0;
}

void drmb_device_close(struct drmb_device *dev)
{
	if (dev->fd >= 0)
		close(dev->fd);
	dev->fd = -1;
}

void drmb_devices_describe(char *buf, size_t len)
{
	char paths[MAX_NODES][64];
	size_t off = 0;
	unsigned int caps;
	int n, i;

	buf[0] = '\0';
	/* Capabilities from the render nodes; card nodes are only named. */
	n = collect_nodes(DRM_NODE_RENDER, paths, MAX_NODES);
	for (i = 0; i < n && off < len; i++) {
		struct drmb_device d;
		drmVersionPtr v;

		memset(&d, 0, sizeof(d));
		if (open_node(&d, paths[i], &caps)) {
			drmb_appendf(buf, len, &off, "%s%s=unopenable",
				     off ? "; " : "", paths[i]);
			continue;
		}
		v = drmGetVersion(d.fd);
		drmb_appendf(buf, len, &off, "%s%s=%s/%d.%d.%d/syncobj=%s,timeline=%s,eventfd=%s",
			     off ? "; " : "", d.node, d.driver,
			     v ? v->version_major : 0, v ? v->version_minor : 0,
			     v ? v->version_patchlevel : 0,
			     caps & CAP_SYNCOBJ ? "yes" : "no",
			     caps & CAP_TIMELINE ? "yes" : "no",
			     caps & CAP_EVENTFD ? "yes" : "no");
		if (v)
			drmFreeVersion(v);
		drmb_device_close(&d);
	}
	n = collect_nodes(DRM_NODE_PRIMARY, paths, MAX_NODES);
	for (i = 0; i < n && off < len; i++)
		drmb_appendf(buf, len, &off, "%s%s", off ? "; " : "", paths[i]);
	if (!buf[0])
		snprintf(buf, len, "none");
}

/* ---- vgem ----------------------------------------------------------------- */

struct drm_vgem_fence_attach {
	__u32 handle;
	__u32 flags;
#define VGEM_FENCE_WRITE 0x1
	__u32 out_fence;
	__u32 pad;
};

struct drm_vgem_fence_signal {
	__u32 fence;
	__u32 flags;
};

#define DRM_IOCTL_VGEM_FENCE_ATTACH \
	DRM_IOWR(DRM_COMMAND_BASE + 0x1, struct drm_vgem_fence_attach)
#define DRM_IOCTL_VGEM_FENCE_SIGNAL \
	DRM_IOW(DRM_COMMAND_BASE + 0x2, struct drm_vgem_fence_signal)

int drmb_vgem_bo_create(int fd, uint32_t *handle, int *dmabuf)
{
	struct drm_mode_create_dumb dumb = { .width = 1024, .height = 1, .bpp = 32 };
	int ret;

	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &dumb))
		return -errno;
	*handle = dumb.handle;
	if (drmPrimeHandleToFD(fd, dumb.handle, DRM_CLOEXEC | DRM_RDWR, dmabuf)) {
		ret = -errno;
		drmCloseBufferHandle(fd, dumb.handle);
		return ret;
	}
	return 0;
}

int drmb_vgem_fence_attach(int fd, uint32_t handle, uint32_t *fence)
{
	struct drm_vgem_fence_attach a = { .handle = handle, .flags = VGEM_FENCE_WRITE };

	if (drmIoctl(fd, DRM_IOCTL_VGEM_FENCE_ATTACH, &a))
		return -errno;
	*fence = a.out_fence;
	return 0;
}

int drmb_vgem_fence_signal(int fd, uint32_t fence)
{
	struct drm_vgem_fence_signal s = { .fence = fence };

	return drmIoctl(fd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &s) ? -errno : 0;
}

int drmb_dmabuf_export_sync_file(int dmabuf)
{
	/* DMA_BUF_SYNC_READ: what a reader waits for, i.e. the writers. */
	struct dma_buf_export_sync_file exp = { .flags = DMA_BUF_SYNC_READ, .fd = -1 };

	if (ioctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &exp))
		return errno == ENOTTY ? -EOPNOTSUPP : -errno;
	return exp.fd;
}

/* ---- CPU-signalled fences --------------------------------------------------- */

/* From drivers/dma-buf/sync_debug.h (a debugfs ABI, in no uapi header). */
struct sw_sync_create_fence_data {
	__u32 value;
	char name[32];
	__s32 fence;
};
#define SW_SYNC_IOC_CREATE_FENCE _IOWR('W', 0, struct sw_sync_create_fence_data)
#define SW_SYNC_IOC_INC _IOW('W', 1, __u32)

int drmb_cpu_fence_open(struct drmb_cpu_fence *f, char *why, size_t whylen)
{
	char vgem_why[128];
	int ret;

	memset(f, 0, sizeof(*f));
	f->vgem.fd = f->dmabuf = -1;
	f->timeline = open("/sys/kernel/debug/sync/sw_sync", O_RDWR | O_CLOEXEC);
	if (f->timeline >= 0) {
		f->kind = "sw_sync";
		return 0;
	}
	ret = drmb_device_open(&f->vgem, "vgem", DRMB_OPEN_PRIMARY, vgem_why, sizeof(vgem_why));
	if (!ret) {
		ret = drmb_vgem_bo_create(f->vgem.fd, &f->bo, &f->dmabuf);
		if (ret) {
			snprintf(vgem_why, sizeof(vgem_why), "vgem BO: %s", strerror(-ret));
			drmb_device_close(&f->vgem);
		}
	}
	if (ret) {
		snprintf(why, whylen, "no CPU-signalled fence: no sw_sync (CONFIG_SW_SYNC, debugfs) and %s",
			 vgem_why);
		return -ENODEV;
	}
	f->kind = "vgem";
	return 0;
}

int drmb_cpu_fence_new(struct drmb_cpu_fence *f)
{
	struct sw_sync_create_fence_data d = { .name = "drmbench" };
	int ret;

	if (f->timeline >= 0) {
		d.value = ++f->value;
		return ioctl(f->timeline, SW_SYNC_IOC_CREATE_FENCE, &d) ? -errno : d.fence;
	}
	ret = drmb_vgem_fence_attach(f->vgem.fd, f->bo, &f->fence);
	if (ret)
		return ret;
	ret = drmb_dmabuf_export_sync_file(f->dmabuf);
	if (ret < 0)
		drmb_vgem_fence_signal(f->vgem.fd, f->fence);
	return ret;
}

int drmb_cpu_fence_signal(struct drmb_cpu_fence *f)
{
	__u32 one = 1;

	if (f->timeline >= 0)
		return ioctl(f->timeline, SW_SYNC_IOC_INC, &one) ? -errno : 0;
	return drmb_vgem_fence_signal(f->vgem.fd, f->fence);
}

void drmb_cpu_fence_close(struct drmb_cpu_fence *f)
{
	if (f->timeline >= 0)
		close(f->timeline);
	if (f->dmabuf >= 0) {
		close(f->dmabuf);
		drmCloseBufferHandle(f->vgem.fd, f->bo);
	}
	drmb_device_close(&f->vgem);
	f->timeline = f->dmabuf = -1;
}


/* ---- the core DRM groups: any node's syncobjs through libdrm ---------------- */

static int drm_nop(struct drmb_device *dev)
{
	struct drm_get_cap cap = { .capability = DRM_CAP_SYNCOBJ };

	return drmIoctl(dev->fd, DRM_IOCTL_GET_CAP, &cap) ? -errno : 0;
}

const struct drmb_nop_ops drmb_drm_nop = {
	.nop = drm_nop,
};

static int drm_syncobj_create(struct drmb_device *dev, uint32_t flags, uint32_t *handle)
{
	return drmSyncobjCreate(dev->fd, flags, handle) ? -errno : 0;
}

static void drm_syncobj_destroy(struct drmb_device *dev, uint32_t handle)
{
	drmSyncobjDestroy(dev->fd, handle);
}

static int drm_syncobj_reset(struct drmb_device *dev, const uint32_t *handles, unsigned int n)
{
	return drmSyncobjReset(dev->fd, handles, n) ? -errno : 0;
}

static int drm_syncobj_signal(struct drmb_device *dev, const uint32_t *handles, unsigned int n)
{
	return drmSyncobjSignal(dev->fd, handles, n) ? -errno : 0;
}

static int drm_syncobj_wait(struct drmb_device *dev, uint32_t *handles, unsigned int n,
			    int64_t timeout_ns, uint32_t flags, uint32_t *first)
{
	return drmSyncobjWait(dev->fd, handles, n, timeout_ns, flags, first) ? -errno : 0;
}

const struct drmb_syncobj_ops drmb_drm_syncobj = {
	.create = drm_syncobj_create,
	.destroy = drm_syncobj_destroy,
	.reset = drm_syncobj_reset,
	.signal = drm_syncobj_signal,
	.wait = drm_syncobj_wait,
};

static int drm_timeline_signal(struct drmb_device *dev, const uint32_t *handles,
			       const uint64_t *points, unsigned int n)
{
	return drmSyncobjTimelineSignal(dev->fd, handles, (uint64_t *)points, n) ? -errno : 0;
}

static int drm_timeline_wait(struct drmb_device *dev, uint32_t *handles, uint64_t *points,
			     unsigned int n, int64_t timeout_ns, uint32_t flags, uint32_t *first)
{
	return drmSyncobjTimelineWait(dev->fd, handles, points, n, timeout_ns, flags, first) ?
	       -errno : 0;
}

static int drm_timeline_query(struct drmb_device *dev, uint32_t *handles, uint64_t *points,
			      unsigned int n)
{
	return drmSyncobjQuery(dev->fd, handles, points, n) ? -errno : 0;
}

static int drm_timeline_transfer(struct drmb_device *dev, uint32_t dst, uint64_t dst_point,
				 uint32_t src, uint64_t src_point, uint32_t flags)
{
	return drmSyncobjTransfer(dev->fd, dst, dst_point, src, src_point, flags) ? -errno : 0;
}

const struct drmb_timeline_ops drmb_drm_timeline = {
	.signal = drm_timeline_signal,
	.wait = drm_timeline_wait,
	.query = drm_timeline_query,
	.transfer = drm_timeline_transfer,
};

static int drm_syncobj_eventfd(struct drmb_device *dev, uint32_t handle, uint64_t point,
			       int efd, uint32_t flags)
{
	return syncobj_eventfd(dev->fd, handle, point, efd, flags);
}

const struct drmb_syncobj_eventfd_ops drmb_drm_syncobj_eventfd = {
	.eventfd = drm_syncobj_eventfd,
};

static int drm_sync_file_import(struct drmb_device *dev, uint32_t handle, int sync_file)
{
	return drmSyncobjImportSyncFile(dev->fd, handle, sync_file) ? -errno : 0;
}

static int drm_sync_file_export(struct drmb_device *dev, uint32_t handle, int *sync_file)
{
	return drmSyncobjExportSyncFile(dev->fd, handle, sync_file) ? -errno : 0;
}

const struct drmb_sync_file_ops drmb_drm_sync_file = {
	.import = drm_sync_file_import,
	.export = drm_sync_file_export,
};
