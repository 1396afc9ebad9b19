// SPDX-License-Identifier: MIT
/*
 * vgem: the kernel's virtual GEM driver. Its fences live in a BO's
 * reservation object and are signalled by an ioctl, so the implicit-sync
 * wake paths (dma-buf poll, exported sync_file) can be measured anywhere.
 */
#include <unistd.h>

#include <xf86drm.h>

#include "device.h"

static int vgem_open(struct drmb_device *dev, char *why, size_t whylen)
{
	return drmb_device_open(dev, "vgem", DRMB_OPEN_PRIMARY, why, whylen);
}

static int vgem_bo_create(struct drmb_device *dev, uint32_t *bo, int *dmabuf)
{
	return drmb_vgem_bo_create(dev->fd, bo, dmabuf);
}

static void vgem_bo_destroy(struct drmb_device *dev, uint32_t bo)
{
	drmCloseBufferHandle(dev->fd, bo);
}

static int vgem_attach(struct drmb_device *dev, uint32_t bo, uint32_t *fence)
{
	return drmb_vgem_fence_attach(dev->fd, bo, fence);
}

static int vgem_signal(struct drmb_device *dev, uint32_t fence)
{
	return drmb_vgem_fence_signal(dev->fd, fence);
}

static const struct drmb_dmabuf_fence_ops vgem_dmabuf_fence = {
	.bo_create = vgem_bo_create,
	.bo_destroy = vgem_bo_destroy,
	.attach = vgem_attach,
	.signal = vgem_signal,
};

const struct drmb_backend drmb_backend_vgem = {
	.name = "vgem",
	.summary = "virtual GEM (vgem.ko): fences in reservation objects",
	.driver = "vgem",
	.open = vgem_open,
	.close = drmb_device_close,
	.dmabuf_fence = &vgem_dmabuf_fence,
};
