// SPDX-License-Identifier: MIT
/*
 * simgpu: the project's virtual DRM driver (kmod/). Submits jobs through
 * DRM_IOCTL_SIMGPU_SUBMIT and reads the kernel's per-job stage timestamps
 * back with JOB_QUERY. The ABI is kmod/include/uapi/drm/simgpu_drm.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xf86drm.h>

#include "device.h"
#include "result.h"
#include "drm/simgpu_drm.h"

struct simgpu {
	struct drm_simgpu_dev_info info;
	/* Preallocated so submit() never allocates on the measured path. */
	struct drm_simgpu_job *jobs;
	struct drm_simgpu_sync *syncs;	/* two per job: one wait, one signal */
	unsigned int max_jobs;
};

static const char *const inject_paths[] = {
	[SIMGPU_INJECT_NONE] = "none",
	[SIMGPU_INJECT_IOCTL] = "ioctl",
	[SIMGPU_INJECT_RUN_JOB] = "run_job",
	[SIMGPU_INJECT_FENCE_SIGNAL] = "fence_signal",
	[SIMGPU_INJECT_SYNCOBJ_SIGNAL] = "syncobj_signal",
};

static int simgpu_open(struct drmb_device *dev, char *why, size_t whylen)
{
	struct drm_simgpu_dev_query q = { .size = sizeof(struct drm_simgpu_dev_info) };
	struct simgpu *s;
	int ret;

	ret = drmb_device_open(dev, "simgpu", 0, why, whylen);
	if (ret) {
		if (ret == -ENODEV)
			snprintf(why, whylen, "no simgpu render node (is simgpu.ko loaded? see docs/simgpu.md)");
		return ret;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		drmb_device_close(dev);
		return -ENOMEM;
	}
	q.info = (uintptr_t)&s->info;
	if (drmIoctl(dev->fd, DRM_IOCTL_SIMGPU_DEV_QUERY, &q)) {
		ret = -errno;
		snprintf(why, whylen, "simgpu DEV_QUERY: %s", strerror(errno));
		goto err_free;
	}
	if (s->info.uapi_major != SIMGPU_UAPI_MAJOR) {
		snprintf(why, whylen, "simgpu uAPI %u.%u, drmbench was built for %u.x",
			 s->info.uapi_major, s->info.uapi_minor, SIMGPU_UAPI_MAJOR);
		ret = -EOPNOTSUPP;
		goto err_free;
	}
	s->max_jobs = s->info.max_jobs_per_submit ? s->info.max_jobs_per_submit : 1;
	s->jobs = calloc(s->max_jobs, sizeof(*s->jobs));
	s->syncs = calloc(2 * (size_t)s->max_jobs, sizeof(*s->syncs));
	if (!s->jobs || !s->syncs) {
		ret = -ENOMEM;
		goto err_free;
	}
	dev->priv = s;
	dev->caps |= DRMB_CAP_SUBMIT | DRMB_CAP_STAGE_TIMES;
	return 0;

err_free:
	free(s->jobs);
	free(s->syncs);
	free(s);
	drmb_device_close(dev);
	return ret;
}

static void simgpu_close(struct drmb_device *dev)
{
	struct simgpu *s = dev->priv;

	if (s) {
		free(s->jobs);
		free(s->syncs);
		free(s);
	}
	dev->priv = NULL;
	drmb_device_close(dev);
}

static int simgpu_describe(struct drmb_device *dev, struct drmb_kvlist *kv)
{
	const struct drm_simgpu_dev_info *i = &((struct simgpu *)dev->priv)->info;
	int ret = 0;

	ret |= drmb_kv_set(kv, "simgpu-uapi", "%u.%u", i->uapi_major, i->uapi_minor);
	ret |= drmb_kv_set(kv, "simgpu-features", "0x%llx", (unsigned long long)i->features);
	ret |= drmb_kv_set(kv, "simgpu-engines", "%u", i->engine_count);
	ret |= drmb_kv_set(kv, "simgpu-sched", "credit-limit=%u num-rqs=%u submit-wq=%u timeout-ns=%llu",
			   i->credit_limit, i->num_rqs, i->submit_wq,
			   (unsigned long long)i->job_timeout_ns);
	/* Test-only injection changes what is measured: always say so. */
	ret |= drmb_kv_set(kv, "simgpu-inject", "%s delay-ns=%llu",
			   i->inject_path < sizeof(inject_paths) / sizeof(inject_paths[0]) &&
			   inject_paths[i->inject_path] ? inject_paths[i->inject_path] : "unknown",
			   (unsigned long long)i->inject_delay_ns);
	return ret ? -ENOMEM : 0;
}

static int simgpu_queue_create(struct drmb_device *dev, const struct drmb_queue_opts *o,
			       uint32_t *queue, char *why, size_t whylen)
{
	struct simgpu *s = dev->priv;
	struct drm_simgpu_queue_create q = {
		.engine = o->engine,
		.priority = o->priority,
	};

	if (o->own_sched) {
		if (!(s->info.features & SIMGPU_FEATURE_QUEUE_OWN_SCHED)) {
			snprintf(why, whylen, "simgpu on this kernel has no per-queue schedulers");
			return -EOPNOTSUPP;
		}
		q.flags = SIMGPU_QUEUE_CREATE_OWN_SCHED;
		q.credit_limit = o->credit_limit;
		q.timeout_ns = o->timeout_ns;
		q.submit_wq = o->submit_wq;
	}
	if (o->engine >= s->info.engine_count) {
		snprintf(why, whylen, "simgpu has %u engines, engine %u asked for",
			 s->info.engine_count, o->engine);
		return -ENOENT;
	}
	if (drmIoctl(dev->fd, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &q)) {
		int ret = -errno;

		snprintf(why, whylen, "simgpu QUEUE_CREATE: %s", strerror(errno));
		return ret;
	}
	*queue = q.queue_id;
	return 0;
}

static void simgpu_queue_destroy(struct drmb_device *dev, uint32_t queue)
{
	struct drm_simgpu_queue_destroy q = { .queue_id = queue };

	drmIoctl(dev->fd, DRM_IOCTL_SIMGPU_QUEUE_DESTROY, &q);
}

static unsigned int simgpu_max_batch(struct drmb_device *dev)
{
	return ((struct simgpu *)dev->priv)->max_jobs;
}

static int simgpu_submit(struct drmb_device *dev, uint32_t queue, struct drmb_job *jobs,
			 unsigned int njobs, uint64_t *first_seqno)
{
	struct simgpu *s = dev->priv;
	struct drm_simgpu_submit sub = {
		.queue_id = queue,
		.job_count = njobs,
		.jobs = (uintptr_t)s->jobs,
		.job_stride = sizeof(*s->jobs),
	};
	unsigned int i;

	if (!njobs || njobs > s->max_jobs)
		return -E2BIG;
	for (i = 0; i < njobs; i++) {
		struct drm_simgpu_job *j = &s->jobs[i];
		struct drm_simgpu_sync *sy = &s->syncs[2 * i];
		unsigned int n = 0;

		memset(j, 0, sizeof(*j));
		j->duration_ns = jobs[i].duration_ns;
		if (jobs[i].wait_syncobj) {
			sy[n].flags = SIMGPU_SYNC_WAIT |
				      (jobs[i].wait_point ? SIMGPU_SYNC_TIMELINE : 0);
			sy[n].handle = jobs[i].wait_syncobj;
			sy[n++].point = jobs[i].wait_point;
		}
		if (jobs[i].signal_syncobj) {
			sy[n].flags = SIMGPU_SYNC_SIGNAL |
				      (jobs[i].signal_point ? SIMGPU_SYNC_TIMELINE : 0);
			sy[n].handle = jobs[i].signal_syncobj;
			sy[n++].point = jobs[i].signal_point;
		}
		j->syncs = (uintptr_t)sy;
		j->sync_count = n;
		if (jobs[i].in_fence_fd >= 0) {
			j->flags |= SIMGPU_JOB_IN_FENCE_FD;
			j->in_fence_fd = jobs[i].in_fence_fd;
		}
		if (jobs[i].want_out_fence)
			j->flags |= SIMGPU_JOB_OUT_FENCE_FD;
	}
	if (drmIoctl(dev->fd, DRM_IOCTL_SIMGPU_SUBMIT, &sub))
		return -errno;
	for (i = 0; i < njobs; i++)
		jobs[i].out_fence_fd = jobs[i].want_out_fence ? s->jobs[i].out_fence_fd : -1;
	if (first_seqno)
		*first_seqno = sub.first_seqno;
	return 0;
}

static int simgpu_job_times(struct drmb_device *dev, uint32_t queue, uint64_t seqno,
			    struct drmb_job_times *t)
{
	struct drm_simgpu_job_record r;
	struct drm_simgpu_job_query q = {
		.queue_id = queue,
		.count = 1,
		.first_seqno = seqno,
		.records = (uintptr_t)&r,
		.record_size = sizeof(r),
	};

	if (drmIoctl(dev->fd, DRM_IOCTL_SIMGPU_JOB_QUERY, &q))
		return -errno;
	if (r.status != SIMGPU_JOB_STATUS_DONE)
		return -EBUSY;
	t->ioctl_ns = r.ioctl_ns;
	t->run_job_ns = r.run_job_ns;
	t->engine_start_ns = r.engine_start_ns;
	t->signal_ns = r.signal_ns;
	return r.error;
}

const struct drmb_backend drmb_backend_simgpu = {
	.name = "simgpu",
	.summary = "simgpu (kmod/): virtual GPU on drm_sched, kernel stage timestamps",
	.driver = "simgpu",
	.open = simgpu_open,
	.close = simgpu_close,
	.describe = simgpu_describe,
	.queue_create = simgpu_queue_create,
	.queue_destroy = simgpu_queue_destroy,
	.max_batch = simgpu_max_batch,
	.submit = simgpu_submit,
	.job_times = simgpu_job_times,
};
