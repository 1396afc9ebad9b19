// SPDX-License-Identifier: MIT
/*
 * vgem-fence: implicit sync through a BO's reservation object. A vgem write
 * fence is attached to a BO (untimed); the waiter polls the exported dma-buf
 * (POLLIN waits for writers) or a sync_file exported from it; the signaller
 * signals the vgem fence.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "device.h"
#include "measure.h"

enum { WAIT_DMABUF_POLL, WAIT_SYNC_FILE };
static const char *const waits[] = { "dmabuf-poll", "sync-file", NULL };

static const struct drmb_param vgem_params[] = {
	{ "wait", DRMB_PARAM_ENUM, "dmabuf-poll,sync-file", "what the waiter polls",
	  .choices = waits },
	{ NULL },
};

struct vgem_fence {
	struct drmb_device *dev;
	int dmabuf, sync_file, mode;
	uint32_t handle, fence;
};

static int vgem_setup(struct drmb_case *c)
{
	struct vgem_fence *v = c->priv;
	int ret;

	v->dev = c->dev;
	v->mode = drmb_case_int(c, "wait");
	v->sync_file = -1;
	ret = drmb_dmabuf_bo_create(v->dev, &v->handle, &v->dmabuf);
	return ret ? drmb_why(c, ret, "BO and dma-buf: %s", strerror(-ret)) : 0;
}

static void vgem_teardown(struct drmb_case *c)
{
	struct vgem_fence *v = c->priv;

	if (v->sync_file >= 0)
		close(v->sync_file);
	close(v->dmabuf);
	drmb_dmabuf_bo_destroy(v->dev, v->handle);
}

static int vgem_arm(struct drmb_case *c)
{
	struct vgem_fence *v = c->priv;
	int ret;

	ret = drmb_dmabuf_fence_attach(v->dev, v->handle, &v->fence);
	if (ret)
		return drmb_why(c, ret, "fence attach: %s", strerror(-ret));
	if (v->mode != WAIT_SYNC_FILE)
		return 0;
	if (v->sync_file >= 0)
		close(v->sync_file);
	v->sync_file = drmb_dmabuf_export_sync_file(v->dmabuf);
	if (v->sync_file < 0) {
		ret = v->sync_file;
		drmb_dmabuf_fence_signal(v->dev, v->fence);
		return drmb_why(c, ret, "DMA_BUF_IOCTL_EXPORT_SYNC_FILE: %s (kernel 5.20+)",
				strerror(-ret));
	}
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

	return drmb_dmabuf_fence_signal(v->dev, v->fence);
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
	.needs = DRMB_NEEDS(DRMB_GROUP_DMABUF_FENCE),
	.params = vgem_params,
	.priv_size = sizeof(struct vgem_fence),
	.setup = vgem_setup,
	.run = vgem_run,
	.teardown = vgem_teardown,
};
