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
#include "device.h"

const char *drmb_device_override;

int drmb_syncobj_eventfd(int fd, uint32_t handle, uint64_t point,
			 int efd, uint32_t flags)
{
	struct drm_syncobj_eventfd args = {
		.handle = handle, .flags = flags, .point = point, .fd = efd,
	};

	return drmIoctl(fd, DRM_IOCTL_SYNCOBJ_EVENTFD, &args) ? -errno : 0;
}

static uint64_t probe_caps(int fd)
{
	uint64_t caps = 0, v = 0;
	uint32_t handle;
	int efd;

	if (!drmGetCap(fd, DRM_CAP_SYNCOBJ, &v) && v)
		caps |= DRMB_CAP_SYNCOBJ;
	v = 0;
	if (!drmGetCap(fd, DRM_CAP_SYNCOBJ_TIMELINE, &v) && v)
		caps |= DRMB_CAP_SYNCOBJ_TIMELINE;
	if (!(caps & DRMB_CAP_SYNCOBJ) || drmSyncobjCreate(fd, 0, &handle))
		return caps;
	efd = eventfd(0, EFD_CLOEXEC);
	if (efd >= 0) {
		if (!drmb_syncobj_eventfd(fd, handle, 0, efd, 0))
			caps |= DRMB_CAP_SYNCOBJ_EVENTFD;
		close(efd);
	}
	drmSyncobjDestroy(fd, handle);
	return caps;
}

static int open_node(struct drmb_device *dev, const char *node)
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
	dev->caps = probe_caps(fd);
	return 0;
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

int drmb_device_open(struct drmb_device *dev, const char *driver, uint64_t need,
		     char *why, size_t whylen)
{
	int type = need & DRMB_OPEN_PRIMARY ? DRM_NODE_PRIMARY : DRM_NODE_RENDER;
	char paths[MAX_NODES][64];
	int n, i, ret;

	need &= ~DRMB_OPEN_PRIMARY;
	memset(dev, 0, sizeof(*dev));
	dev->fd = -1;
	if (drmb_device_override) {
		ret = open_node(dev, drmb_device_override);
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
		if (open_node(dev, paths[i]))
			continue;
		if ((!driver || !strcmp(dev->driver, driver)) && (dev->caps & need) == need)
			ret = 0;
		else
			drmb_device_close(dev);
	}
	if (ret)
		snprintf(why, whylen, "no %s node%s%s%s", type == DRM_NODE_RENDER ? "render" : "card",
			 driver ? " of driver " : "", driver ? driver : "",
			 need & DRMB_CAP_SYNCOBJ ? " with syncobj support" : "");
	return ret;
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
	int n, i;

	buf[0] = '\0';
	/* Capabilities from the render nodes; card nodes are only named. */
	n = collect_nodes(DRM_NODE_RENDER, paths, MAX_NODES);
	for (i = 0; i < n && off < len; i++) {
		struct drmb_device d;
		drmVersionPtr v;

		memset(&d, 0, sizeof(d));
		if (open_node(&d, paths[i])) {
			drmb_appendf(buf, len, &off, "%s%s=unopenable",
				     off ? "; " : "", paths[i]);
			continue;
		}
		v = drmGetVersion(d.fd);
		drmb_appendf(buf, len, &off, "%s%s=%s/%d.%d.%d/syncobj=%s,timeline=%s,eventfd=%s",
			     off ? "; " : "", d.node, d.driver,
			     v ? v->version_major : 0, v ? v->version_minor : 0,
			     v ? v->version_patchlevel : 0,
			     d.caps & DRMB_CAP_SYNCOBJ ? "yes" : "no",
			     d.caps & DRMB_CAP_SYNCOBJ_TIMELINE ? "yes" : "no",
			     d.caps & DRMB_CAP_SYNCOBJ_EVENTFD ? "yes" : "no");
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

int drmb_device_require_vm_bind(struct drmb_case *c)
{
	const struct drmb_device *d = c->dev;

	if (!(d->caps & DRMB_CAP_VM_BIND))
		return drmb_why(c, -EOPNOTSUPP, "backend %s has no VM_BIND%s%s",
				d->backend->name, d->novm[0] ? ": " : "", d->novm);
	return 0;
}

int drmb_device_require_submit(struct drmb_case *c, int need_times)
{
	const struct drmb_device *d = c->dev;

	if (!(d->caps & DRMB_CAP_SUBMIT))
		return drmb_why(c, -EOPNOTSUPP, "backend %s cannot submit jobs%s%s",
				d->backend->name, d->nosubmit[0] ? ": " : "", d->nosubmit);
	if (need_times && !(d->caps & DRMB_CAP_STAGE_TIMES))
		return drmb_why(c, -EOPNOTSUPP, "backend %s keeps no per-job timestamps",
				d->backend->name);
	return 0;
}

int drmb_device_require_user_queues(struct drmb_case *c)
{
	const struct drmb_device *d = c->dev;

	if (!(d->caps & DRMB_CAP_USER_QUEUES) || !d->backend->userq_create)
		return drmb_why(c, -EOPNOTSUPP, "backend %s has no user-mode submission queues%s%s",
				d->backend->name, d->nouserq[0] ? ": " : "", d->nouserq);
	return 0;
}
