// SPDX-License-Identifier: MIT
/*
 * vgem: the kernel's virtual GEM driver. Its fences live in a BO's
 * reservation object and are signalled by an ioctl, so the implicit-sync
 * wake paths (dma-buf poll, exported sync_file) can be measured anywhere.
 */
#include "device.h"

static int vgem_open(struct drmb_device *dev, char *why, size_t whylen)
{
	return drmb_device_open(dev, "vgem", DRMB_OPEN_PRIMARY, why, whylen);
}

const struct drmb_backend drmb_backend_vgem = {
	.name = "vgem",
	.summary = "virtual GEM (vgem.ko): fences in reservation objects",
	.driver = "vgem",
	.open = vgem_open,
	.close = drmb_device_close,
};
