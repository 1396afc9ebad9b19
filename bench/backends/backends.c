// SPDX-License-Identifier: MIT
/* The one table of backends: one entry per file in bench/backends/. */
#include <string.h>

#include "drmb.h"

extern const struct drmb_backend drmb_backend_drm;
extern const struct drmb_backend drmb_backend_syncobj;
extern const struct drmb_backend drmb_backend_vgem;
extern const struct drmb_backend drmb_backend_simgpu;
extern const struct drmb_backend drmb_backend_virtio_gpu;
extern const struct drmb_backend drmb_backend_null;

const struct drmb_backend *const drmb_backends[] = {
	&drmb_backend_drm,
	&drmb_backend_syncobj,
	&drmb_backend_vgem,
	&drmb_backend_simgpu,
	&drmb_backend_virtio_gpu,
	&drmb_backend_null,
	NULL,
};

const struct drmb_backend *drmb_backend_find(const char *name)
{
	const struct drmb_backend *const *b;

	for (b = drmb_backends; *b; b++)
		if (!strcmp((*b)->name, name))
			return *b;
	return NULL;
}
