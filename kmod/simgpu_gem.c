// SPDX-License-Identifier: GPL-2.0
/*
 * simgpu buffer objects: plain GEM shmem objects. Jobs do not touch their
 * pages; BOs exist for implicit synchronisation through their reservation
 * objects and for CPU access through mmap.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_vma_manager.h>

#include "simgpu_drv.h"

/*
 * DRM_IOCTL_SIMGPU_BO_CREATE: create a shmem BO of at least @size bytes
 * (rounded up to pages, written back) and return a handle to it.
 *
 * -EINVAL: non-zero flags, size 0
 * -E2BIG: size above SIMGPU_MAX_BO_SIZE
 * -ENOMEM
 */
int simgpu_ioctl_bo_create(struct drm_device *dev, void *data,
			   struct drm_file *file)
{
	struct drm_simgpu_bo_create *args = data;
	struct drm_gem_shmem_object *shmem;
	u32 handle;
	int ret;

	if (args->flags || !args->size)
		return -EINVAL;
	if (args->size > SIMGPU_MAX_BO_SIZE)
		return -E2BIG;

	shmem = drm_gem_shmem_create(dev, PAGE_ALIGN(args->size));
	if (IS_ERR(shmem))
		return PTR_ERR(shmem);

	ret = drm_gem_handle_create(file, &shmem->base, &handle);
	/* The handle holds the reference from here on, or nothing does. */
	drm_gem_object_put(&shmem->base);
	if (ret)
		return ret;

	args->size = shmem->base.size;
	args->handle = handle;
	return 0;
}

/*
 * DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET: the fake offset at which mmap() of the
 * DRM fd maps the BO.
 *
 * -EINVAL: non-zero flags
 * -ENOENT: unknown handle
 * -ENOMEM
 */
int simgpu_ioctl_bo_mmap_offset(struct drm_device *dev, void *data,
				struct drm_file *file)
{
	struct drm_simgpu_bo_mmap_offset *args = data;
	struct drm_gem_object *obj;
	int ret;

	if (args->flags)
		return -EINVAL;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;

	ret = drm_gem_create_mmap_offset(obj);
	if (!ret)
		args->offset = drm_vma_node_offset_addr(&obj->vma_node);

	drm_gem_object_put(obj);
	return ret;
}
