// SPDX-License-Identifier: MIT
/*
 * DRM device discovery and capability probes. A capability is believed only
 * after a real call succeeds: DRM_CAP values say what the core offers, not
 * what this driver and kernel accept.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <xf86drm.h>

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

int drmb_device_open(struct drmb_device *dev, const char *driver, uint64_t need,
		     char *why, size_t whylen)
{
	int node = need & DRMB_OPEN_PRIMARY ? DRM_NODE_PRIMARY : DRM_NODE_RENDER;
	drmDevicePtr devs[64];
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
	n = drmGetDevices2(0, devs, 64);
	if (n <= 0) {
		snprintf(why, whylen, "no DRM devices (%s)",
			 n < 0 ? strerror(-n) : "none enumerated");
		return -ENODEV;
	}
	ret = -ENODEV;
	for (i = 0; i < n && ret; i++) {
		if (!(devs[i]->available_nodes & (1 << node)))
			continue;
		if (open_node(dev, devs[i]->nodes[node]))
			continue;
		if ((!driver || !strcmp(dev->driver, driver)) && (dev->caps & need) == need)
			ret = 0;
		else
			drmb_device_close(dev);
	}
	drmFreeDevices(devs, n);
	if (ret)
		snprintf(why, whylen, "no render node%s%s%s", driver ? " of driver " : "",
			 driver ? driver : "", need & DRMB_CAP_SYNCOBJ ? " with syncobj support" : "");
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
	drmDevicePtr devs[64];
	size_t off = 0;
	int n, i, j;

	buf[0] = '\0';
	n = drmGetDevices2(0, devs, 64);
	for (i = 0; i < n && off < len; i++) {
		struct drmb_device d;
		drmVersionPtr v;
		int fd;

		for (j = 0; j < DRM_NODE_MAX; j++) {
			if (!(devs[i]->available_nodes & (1 << j)))
				continue;
			/* One entry per node; capabilities from the render node. */
			if (j != DRM_NODE_RENDER) {
				off += snprintf(buf + off, len - off, "%s%s", off ? "; " : "",
						devs[i]->nodes[j]);
				continue;
			}
			memset(&d, 0, sizeof(d));
			if (open_node(&d, devs[i]->nodes[j])) {
				off += snprintf(buf + off, len - off, "%s%s=unopenable",
						off ? "; " : "", devs[i]->nodes[j]);
				continue;
			}
			fd = d.fd;
			v = drmGetVersion(fd);
			off += snprintf(buf + off, len - off, "%s%s=%s/%d.%d.%d/syncobj=%s,timeline=%s,eventfd=%s",
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
	}
	if (n > 0)
		drmFreeDevices(devs, n);
	if (!buf[0])
		snprintf(buf, len, "none");
}

/* ---- sw_sync ------------------------------------------------------------- */

/* From drivers/dma-buf/sync_debug.h (a debugfs ABI, in no uapi header). */
struct sw_sync_create_fence_data {
	__u32 value;
	char name[32];
	__s32 fence;
};
#define SW_SYNC_IOC_CREATE_FENCE _IOWR('W', 0, struct sw_sync_create_fence_data)
#define SW_SYNC_IOC_INC _IOW('W', 1, __u32)

int drmb_sw_sync_open(int *timeline, char *why, size_t whylen)
{
	static const char *const paths[] = {
		"/sys/kernel/debug/sync/sw_sync", "/sys/kernel/sync/sw_sync",
	};
	size_t i;
	int err = ENOENT;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		*timeline = open(paths[i], O_RDWR | O_CLOEXEC);
		if (*timeline >= 0)
			return 0;
		if (errno != ENOENT)
			err = errno;
	}
	snprintf(why, whylen, "no sw_sync timeline (%s): needs CONFIG_SW_SYNC and debugfs mounted, as root",
		 strerror(err));
	return err == EACCES || err == EPERM ? -EACCES : -ENODEV;
}

int drmb_sw_sync_fence(int timeline, uint32_t value)
{
	struct sw_sync_create_fence_data d = { .value = value, .name = "drmbench" };

	return ioctl(timeline, SW_SYNC_IOC_CREATE_FENCE, &d) ? -errno : d.fence;
}

int drmb_sw_sync_inc(int timeline, uint32_t by)
{
	return ioctl(timeline, SW_SYNC_IOC_INC, &by) ? -errno : 0;
}
