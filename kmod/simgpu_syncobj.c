// SPDX-License-Identifier: GPL-2.0
/*
 * simgpu syncobj helpers shared by the two kinds of scheduler job, SUBMIT's
 * (simgpu_submit.c) and asynchronous VM_BIND's (simgpu_vm.c): check a
 * drm_simgpu_sync, turn a WAIT into a job dependency, look up SIGNAL
 * syncobjs at ioctl time and give them the job's finished fence once it
 * is armed.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-fence-chain.h>
#include <linux/slab.h>

#include <drm/drm_syncobj.h>

#include "simgpu_drv.h"

#define SIMGPU_SYNC_FLAGS \
	(SIMGPU_SYNC_WAIT | SIMGPU_SYNC_SIGNAL | SIMGPU_SYNC_TIMELINE)

int simgpu_check_sync(const struct drm_simgpu_sync *sync)
{
	u32 op = sync->flags & (SIMGPU_SYNC_WAIT | SIMGPU_SYNC_SIGNAL);

	if (sync->flags & ~SIMGPU_SYNC_FLAGS)
		return -EINVAL;
	if (op != SIMGPU_SYNC_WAIT && op != SIMGPU_SYNC_SIGNAL)
		return -EINVAL;
	/* Timeline points start at 1; binary syncobjs have no point. */
	if (!!(sync->flags & SIMGPU_SYNC_TIMELINE) != !!sync->point)
		return -EINVAL;
	return 0;
}

/* Room for @max signal syncobjs; nothing to allocate for 0. */
int simgpu_signals_init(struct simgpu_signals *sig, u32 max)
{
	memset(sig, 0, sizeof(*sig));
	if (!max)
		return 0;
	sig->syncobjs = kcalloc(max, sizeof(*sig->syncobjs), GFP_KERNEL);
	sig->chains = kcalloc(max, sizeof(*sig->chains), GFP_KERNEL);
	sig->points = kcalloc(max, sizeof(*sig->points), GFP_KERNEL);
	if (!sig->syncobjs || !sig->chains || !sig->points)
		return -ENOMEM;
	return 0;
}

/*
 * One checked sync of a scheduler job: a WAIT makes the fence at its point
 * a dependency of @job, a SIGNAL is looked up into @sig (with a chain node
 * for a timeline point), so a bad handle fails before anything is queued.
 */
int simgpu_job_add_sync(struct drm_file *file, struct drm_sched_job *job,
			struct simgpu_signals *sig,
			const struct drm_simgpu_sync *sync)
{
	struct dma_fence *fence;
	int ret;

	if (sync->flags & SIMGPU_SYNC_WAIT) {
		ret = drm_syncobj_find_fence(file, sync->handle, sync->point,
					     0, &fence);
		if (ret)
			return ret;
		/* The reference is consumed even on failure. */
		return drm_sched_job_add_dependency(job, fence);
	}

	sig->syncobjs[sig->count] = drm_syncobj_find(file, sync->handle);
	if (!sig->syncobjs[sig->count])
		return -ENOENT;
	sig->points[sig->count] = sync->point;
	if (sync->flags & SIMGPU_SYNC_TIMELINE) {
		sig->chains[sig->count] = dma_fence_chain_alloc();
		if (!sig->chains[sig->count]) {
			drm_syncobj_put(sig->syncobjs[sig->count]);
			sig->syncobjs[sig->count] = NULL;
			return -ENOMEM;
		}
	}
	sig->count++;
	return 0;
}

/* The armed job's @fence into every signal syncobj. Cannot fail. */
void simgpu_signals_publish(struct simgpu_signals *sig, struct dma_fence *fence)
{
	u32 k;

	for (k = 0; k < sig->count; k++) {
		if (sig->chains[k]) {
			drm_syncobj_add_point(sig->syncobjs[k], sig->chains[k],
					      fence, sig->points[k]);
			sig->chains[k] = NULL;
		} else {
			drm_syncobj_replace_fence(sig->syncobjs[k], fence);
		}
	}
}

void simgpu_signals_fini(struct simgpu_signals *sig)
{
	u32 k;

	for (k = 0; k < sig->count; k++) {
		drm_syncobj_put(sig->syncobjs[k]);
		dma_fence_chain_free(sig->chains[k]);
	}
	kfree(sig->syncobjs);
	kfree(sig->chains);
	kfree(sig->points);
	memset(sig, 0, sizeof(*sig));
}
