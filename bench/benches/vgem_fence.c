// SPDX-License-Identifier: MIT
/*
 * vgem-fence: implicit sync through a BO's reservation object. A vgem write
 * fence is attached to a BO (untimed); the waiter polls the exported dma-buf
 * (POLLIN waits for writers) or a sync_file exported from it; the signaller
 * signals the vgem fence.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <xf86drm.h>

#include "device.h"
#include "measure.h"

/* include/uapi/drm/vgem_drm.h: not shipped by bookworm's libdrm. */
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

enum { WAIT_DMABUF_POLL, WAIT_SYNC_FILE };
static const char *const waits[] = { "dmabuf-poll", "sync-file", NULL };

static const struct drmb_param vgem_params[] = {
	{ "wait", DRMB_PARAM_ENUM, "dmabuf-poll,sync-file", "what the waiter polls",
	  .choices = waits },
	{ NULL },
};

static const char *const vgem_backends[] = { "vgem", NULL };

struct vgem_fence {
	int fd, dmabuf, sync_file, mode;
	uint32_t handle, fence;
};

static int vgem_setup(struct drmb_case *c)
{
	struct vgem_fence *v = c->priv;
	struct drm_mode_create_dumb dumb = { .width = 1024, .height = 1, .bpp = 32 };
	int ret;

	v->fd = c->dev->fd;
	v->mode = drmb_case_int(c, "wait");
	v->sync_file = v->dmabuf = -1;
	if (drmIoctl(v->fd, DRM_IOCTL_MODE_CREATE_DUMB, &dumb))
		return drmb_why(c, -errno, "vgem CREATE_DUMB: %m");
	v->handle = dumb.handle;
	if (drmPrimeHandleToFD(v->fd, v->handle, DRM_CLOEXEC | DRM_RDWR, &v->dmabuf)) {
		ret = drmb_why(c, -errno, "PRIME_HANDLE_TO_FD: %m");
		drmCloseBufferHandle(v->fd, v->handle);
		return ret;
	}
	return 0;
}

static void vgem_teardown(struct drmb_case *c)
{
	struct vgem_fence *v = c->priv;

	if (v->sync_file >= 0)
		close(v->sync_file);
	close(v->dmabuf);
	drmCloseBufferHandle(v->fd, v->handle);
}

static int vgem_arm(struct drmb_case *c)
{
	struct vgem_fence *v = c->priv;
	struct drm_vgem_fence_attach attach = {
		.handle = v->handle, .flags = VGEM_FENCE_WRITE,
	};
	struct dma_buf_export_sync_file exp = { .flags = DMA_BUF_SYNC_READ, .fd = -1 };

	if (drmIoctl(v->fd, DRM_IOCTL_VGEM_FENCE_ATTACH, &attach))
		return drmb_why(c, -errno, "VGEM_FENCE_ATTACH: %m");
	v->fence = attach.out_fence;
	if (v->mode != WAIT_SYNC_FILE)
		return 0;
	if (v->sync_file >= 0)
		close(v->sync_file);
	v->sync_file = -1;
	/* DMA_BUF_SYNC_READ: the fences a reader waits for, i.e. the writer's. */
	if (ioctl(v->dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &exp)) {
		int ret = errno == ENOTTY ? -EOPNOTSUPP : -errno;
		struct drm_vgem_fence_signal sig = { .fence = v->fence };

		drmIoctl(v->fd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &sig);
		return drmb_why(c, ret, "DMA_BUF_IOCTL_EXPORT_SYNC_FILE: %s (kernel 5.20+)",
				strerror(-ret));
	}
	v->sync_file = exp.fd;
	return 0;
}

static int vgem_wait(struct drmb_case *c)
{
	struct vgem_fence *v = c->priv;
	struct pollfd pfd = {
		.fd = v->mode == WAIT_SYNC_FILE ? v->sync_file : v->dmabuf,
		.events = POLLIN,
	};

	return poll(&pfd, 1, -1) == 1 ? 0 : -errno;
}

static int vgem_signal(struct drmb_case *c)
{
	struct vgem_fence *v = c->priv;
	struct drm_vgem_fence_signal sig = { .fence = v->fence };

	return drmIoctl(v->fd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &sig) ? -errno : 0;
}

static const struct drmb_wake_ops vgem_ops = {
	.arm = vgem_arm, .wait = vgem_wait, .signal = vgem_signal,
};

static int vgem_run(struct drmb_case *c, struct drmb_samples *s)
{
	return drmb_measure_wake(c, s, &vgem_ops);
}

const struct drmb_bench drmb_bench_vgem_fence = {
	.name = "vgem-fence",
	.id = "VgemFence",
	.summary = "vgem fence signal to dma-buf / sync_file poller woken",
	.flags = DRMB_BENCH_TWO_THREADS | DRMB_BENCH_FLOOR_RATIO | DRMB_BENCH_NEEDS_DEVICE,
	.backends = vgem_backends,
	.params = vgem_params,
	.priv_size = sizeof(struct vgem_fence),
	.setup = vgem_setup,
	.run = vgem_run,
	.teardown = vgem_teardown,
};
