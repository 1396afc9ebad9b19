// SPDX-License-Identifier: MIT
/*
 * virtio-gpu: the upstream paravirtual GPU driver QEMU gives a guest
 * (-device virtio-gpu-pci, or virtio-gpu-gl-pci for virgl 3D).
 *
 * Its render node carries the core syncobj ioctls on newer kernels (6.12: yes,
 * 6.1: no), so the syncobj benchmarks run on it. With virgl 3D, jobs are
 * submitted through DRM_IOCTL_VIRTGPU_EXECBUFFER with in/out syncobjs
 * (seeds/002) and an out-fence fd; each job is one virgl NOP that the host
 * renderer decodes and fences. Without 3D the kernel refuses EXECBUFFER (ENOSYS), so
 * the submit group is withdrawn unless a real probe submit signalled.
 *
 * The kernel keeps no per-job stage timestamps: no job_times(), a submit
 * benchmark reports totals only.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>
#include <virtgpu_drm.h>

#include "appendf.h"
#include "backend.h"
#include "device.h"
#include "result.h"

/*
 * Kernel ABI that bookworm's libdrm (2.4.114) header lacks, from
 * include/uapi/drm/virtgpu_drm.h. Each guard is the newest name of its group.
 */
#ifndef VIRTGPU_EXECBUF_RING_IDX
#define VIRTGPU_EXECBUF_RING_IDX 0x04
#endif
#ifndef VIRTGPU_PARAM_SUPPORTED_CAPSET_IDs
#define VIRTGPU_PARAM_RESOURCE_BLOB 3
#define VIRTGPU_PARAM_HOST_VISIBLE 4
#define VIRTGPU_PARAM_CROSS_DEVICE 5
#define VIRTGPU_PARAM_CONTEXT_INIT 6
#define VIRTGPU_PARAM_SUPPORTED_CAPSET_IDs 7
#endif
#ifndef VIRTGPU_EXECBUF_SYNCOBJ_RESET	/* the syncobj series, seeds/002 */
#define VIRTGPU_EXECBUF_SYNCOBJ_RESET 0x01
struct drm_virtgpu_execbuffer_syncobj {
	__u32 handle;
	__u32 flags;
	__u64 point;
};
#endif

/*
 * The current layout under our own name: libdrm's struct of the same name may
 * be the older, shorter one. The ioctl number encodes the size; the DRM
 * core zero-fills a shorter copy and ignores the tail a kernel does not know,
 * so on 6.1 the syncobj fields are silently dropped: submit() refuses
 * syncobj jobs on a node without the syncobj group for that reason.
 */
struct virtgpu_execbuffer {
	__u32 flags;
	__u32 size;
	__u64 command;
	__u64 bo_handles;
	__u32 num_bo_handles;
	__s32 fence_fd;
	__u32 ring_idx;
	__u32 syncobj_stride;
	__u32 num_in_syncobjs;
	__u32 num_out_syncobjs;
	__u64 in_syncobjs;
	__u64 out_syncobjs;
};
_Static_assert(sizeof(struct virtgpu_execbuffer) == 64, "virtgpu execbuffer ABI");
#define VIRTGPU_IOCTL_EXECBUFFER \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VIRTGPU_EXECBUFFER, struct virtgpu_execbuffer)

/*
 * The smallest command stream virglrenderer accepts: one header dword,
 * VIRGL_CCMD_NOP (0) with a payload length of 0 (bits 16..31), which its
 * decoder dispatches to a no-op: the host still parses it and fences the
 * submit, but does no GL work that would swamp the path being measured.
 */
static const uint32_t virgl_nop[1] = { 0 };

/* Capset ids (enum virtio_gpu_capset in the virtio spec), for describe(). */
static const char *const capset_names[] = {
	[1] = "virgl", [2] = "virgl2", [3] = "gfxstream-vulkan", [4] = "venus",
	[5] = "cross-domain", [6] = "drm",
};

/* A probe submit's fence gets this long: a TCG guest is slow, not stuck. */
#define PROBE_TIMEOUT_MS 10000

struct virtio_gpu {
	int has_3d;
	int has_context_init;
	int capsets_known;		/* the kernel knows SUPPORTED_CAPSET_IDs */
	uint32_t capset_mask;
	int queue_open;			/* one virgl context per open file */
	uint64_t next_seqno;
	char nosubmit[128];		/* why the submit group was withdrawn */
};

/* 0 and the value, or -errno (EINVAL: the kernel does not know param). */
static int virtgpu_getparam(int fd, uint64_t param, uint32_t *value)
{
	/* The kernel writes an int through the user pointer in .value. */
	int v = 0;
	struct drm_virtgpu_getparam gp = { .param = param, .value = (uintptr_t)&v };

	if (drmIoctl(fd, DRM_IOCTL_VIRTGPU_GETPARAM, &gp))
		return -errno;
	*value = (uint32_t)v;
	return 0;
}

static int execbuffer(struct drmb_device *dev, struct drmb_job *job)
{
	struct drm_virtgpu_execbuffer_syncobj in = { 0 }, out = { 0 };
	struct virtgpu_execbuffer eb = {
		.size = sizeof(virgl_nop),
		.command = (uintptr_t)virgl_nop,
		.fence_fd = -1,
		.syncobj_stride = sizeof(in),
	};

	if (job->wait_syncobj) {
		in.handle = job->wait_syncobj;
		in.point = job->wait_point;
		eb.in_syncobjs = (uintptr_t)&in;
		eb.num_in_syncobjs = 1;
	}
	if (job->signal_syncobj) {
		out.handle = job->signal_syncobj;
		out.point = job->signal_point;
		eb.out_syncobjs = (uintptr_t)&out;
		eb.num_out_syncobjs = 1;
	}
	if (job->in_fence_fd >= 0) {
		eb.flags |= VIRTGPU_EXECBUF_FENCE_FD_IN;
		eb.fence_fd = job->in_fence_fd;
	}
	if (job->want_out_fence)
		eb.flags |= VIRTGPU_EXECBUF_FENCE_FD_OUT;
	if (drmIoctl(dev->fd, VIRTGPU_IOCTL_EXECBUFFER, &eb))
		return -errno;
	job->out_fence_fd = job->want_out_fence ? eb.fence_fd : -1;
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * One NOP through the whole path the benchmarks use: its out-fence fd must
 * signal, and with syncobjs its out-syncobj must get and signal the fence.
 * 0, or -errno with the reason in v->nosubmit.
 */
static int probe_submit(struct drmb_device *dev, struct virtio_gpu *v)
{
	struct drmb_job job = { .in_fence_fd = -1, .want_out_fence = 1 };
	struct pollfd pfd = { .events = POLLIN };
	uint32_t syncobj = 0;
	int ret;

	if (drmb_device_has(dev, DRMB_NEEDS(DRMB_GROUP_SYNCOBJ)) &&
	    drmSyncobjCreate(dev->fd, 0, &syncobj)) {
		ret = -errno;
		snprintf(v->nosubmit, sizeof(v->nosubmit), "SYNCOBJ_CREATE: %s", strerror(errno));
		return ret;
	}
	job.signal_syncobj = syncobj;
	ret = execbuffer(dev, &job);
	if (ret) {
		snprintf(v->nosubmit, sizeof(v->nosubmit), "probe EXECBUFFER (virgl NOP): %s",
			 strerror(-ret));
		goto out;
	}
	pfd.fd = job.out_fence_fd;
	ret = poll(&pfd, 1, PROBE_TIMEOUT_MS);
	close(pfd.fd);
	if (ret != 1) {
		ret = ret < 0 ? -errno : -ETIMEDOUT;
		snprintf(v->nosubmit, sizeof(v->nosubmit),
			 "probe EXECBUFFER's out-fence did not signal within %d ms: %s",
			 PROBE_TIMEOUT_MS, strerror(-ret));
		goto out;
	}
	ret = 0;
	if (syncobj && drmSyncobjWait(dev->fd, &syncobj, 1,
				      (int64_t)(now_ns() + PROBE_TIMEOUT_MS * 1000000ull),
				      0, NULL)) {
		ret = -errno;
		snprintf(v->nosubmit, sizeof(v->nosubmit),
			 "probe EXECBUFFER's out-syncobj did not signal: %s", strerror(errno));
	}
out:
	if (syncobj)
		drmSyncobjDestroy(dev->fd, syncobj);
	return ret;
}

static int virtio_gpu_open(struct drmb_device *dev, char *why, size_t whylen)
{
	struct virtio_gpu *v;
	uint32_t val = 0;
	int ret;

	ret = drmb_device_open(dev, "virtio_gpu", 0, why, whylen);
	if (ret) {
		if (ret == -ENODEV)
			snprintf(why, whylen, "no virtio_gpu render node (QEMU: -device virtio-gpu-pci; scripts/vm-run --virtio-gpu)");
		return ret;
	}
	v = calloc(1, sizeof(*v));
	if (!v) {
		drmb_device_close(dev);
		return -ENOMEM;
	}
	ret = virtgpu_getparam(dev->fd, VIRTGPU_PARAM_3D_FEATURES, &val);
	if (ret) {
		snprintf(why, whylen, "VIRTGPU_GETPARAM 3D_FEATURES: %s", strerror(-ret));
		free(v);
		drmb_device_close(dev);
		return ret;
	}
	v->has_3d = !!val;
	/* Parameters newer than the kernel answer EINVAL: recorded as unknown. */
	v->has_context_init = !virtgpu_getparam(dev->fd, VIRTGPU_PARAM_CONTEXT_INIT, &val) && val;
	v->capsets_known = !virtgpu_getparam(dev->fd, VIRTGPU_PARAM_SUPPORTED_CAPSET_IDs,
					     &v->capset_mask);
	dev->priv = v;
	/*
	 * No CONTEXT_INIT: the first EXECBUFFER creates the file's default
	 * context, which is virgl's. An explicit init would only be needed for
	 * another capset (venus, drm native contexts) or for several rings.
	 */
	if (!v->has_3d)
		snprintf(v->nosubmit, sizeof(v->nosubmit),
			 "virtio-gpu without 3D (no virgl on the host): EXECBUFFER returns ENOSYS");
	else
		probe_submit(dev, v);
	if (v->nosubmit[0])
		drmb_device_withdraw(dev, DRMB_GROUP_SUBMIT, "%s", v->nosubmit);
	return 0;
}

static void virtio_gpu_close(struct drmb_device *dev)
{
	free(dev->priv);
	dev->priv = NULL;
	drmb_device_close(dev);
}

static int virtio_gpu_describe(struct drmb_device *dev, struct drmb_kvlist *kv)
{
	const struct virtio_gpu *v = dev->priv;
	char caps[128] = "";
	size_t off = 0;
	unsigned int id;
	int ret = 0;

	if (!v->capsets_known)
		snprintf(caps, sizeof(caps), "unknown");
	for (id = 0; v->capsets_known && id < 32 && off < sizeof(caps); id++) {
		if (!(v->capset_mask & (1u << id)))
			continue;
		if (id < sizeof(capset_names) / sizeof(capset_names[0]) && capset_names[id])
			drmb_appendf(caps, sizeof(caps), &off, "%s%s",
				     off ? "," : "", capset_names[id]);
		else
			drmb_appendf(caps, sizeof(caps), &off, "%s%u",
				     off ? "," : "", id);
	}
	if (!caps[0])
		snprintf(caps, sizeof(caps), "none");
	ret |= drmb_kv_set(kv, "virtio-gpu-3d", "%s", v->has_3d ? "yes" : "no");
	ret |= drmb_kv_set(kv, "virtio-gpu-capsets", "%s", caps);
	ret |= drmb_kv_set(kv, "virtio-gpu-context-init", "%s",
			   v->has_context_init ? "yes" : "no");
	if (drmb_device_has(dev, DRMB_NEEDS(DRMB_GROUP_SUBMIT)))
		ret |= drmb_kv_set(kv, "virtio-gpu-submit", "virgl-nop");
	else
		ret |= drmb_kv_set(kv, "virtio-gpu-submit", "no: %s", v->nosubmit);
	return ret ? -ENOMEM : 0;
}

static int virtio_gpu_queue_create(struct drmb_device *dev, const struct drmb_queue_opts *o,
				   uint32_t *queue, char *why, size_t whylen)
{
	struct virtio_gpu *v = dev->priv;

	/* Without CONTEXT_INIT rings, a file has one context and one timeline. */
	if (v->queue_open || o->engine || o->own_sched) {
		snprintf(why, whylen, "virtio-gpu has one queue per open file (engine 0, no own scheduler)");
		return -EOPNOTSUPP;
	}
	if (o->priority != 1) {
		snprintf(why, whylen, "virtio-gpu has no queue priorities");
		return -EOPNOTSUPP;
	}
	v->queue_open = 1;
	*queue = 1;
	return 0;
}

static void virtio_gpu_queue_destroy(struct drmb_device *dev, uint32_t queue)
{
	((struct virtio_gpu *)dev->priv)->queue_open = 0;
}

/* EXECBUFFER takes one command stream: a batch of N would be N ioctls. */
static unsigned int virtio_gpu_max_batch(struct drmb_device *dev)
{
	return 1;
}

static int virtio_gpu_submit(struct drmb_device *dev, uint32_t queue, struct drmb_job *jobs,
			     unsigned int njobs, uint64_t *first_seqno)
{
	struct virtio_gpu *v = dev->priv;
	struct drmb_job *j = jobs;
	int ret;

	if (njobs != 1)
		return -E2BIG;
	/* A NOP has no engine time to stretch; syncobjs need the newer ABI. */
	if (j->duration_ns)
		return -EOPNOTSUPP;
	if ((j->wait_syncobj || j->signal_syncobj) &&
	    !drmb_device_has(dev, DRMB_NEEDS(DRMB_GROUP_SYNCOBJ)))
		return -EOPNOTSUPP;
	ret = execbuffer(dev, j);
	if (ret)
		return ret;
	if (first_seqno)
		*first_seqno = v->next_seqno;
	v->next_seqno++;
	return 0;
}

static const struct drmb_submit_ops virtio_gpu_submit_ops = {
	.queue_create = virtio_gpu_queue_create,
	.queue_destroy = virtio_gpu_queue_destroy,
	.submit = virtio_gpu_submit,
	.max_batch = virtio_gpu_max_batch,
};

const struct drmb_backend drmb_backend_virtio_gpu = {
	.name = "virtio-gpu",
	.summary = "virtio-gpu (QEMU): syncobjs on its node (6.12, not 6.1); virgl NOP submits with 3D",
	.driver = "virtio_gpu",
	.open = virtio_gpu_open,
	.close = virtio_gpu_close,
	.describe = virtio_gpu_describe,
	.nop = &drmb_drm_nop,
	.syncobj = &drmb_drm_syncobj,
	.timeline = &drmb_drm_timeline,
	.syncobj_eventfd = &drmb_drm_syncobj_eventfd,
	.sync_file = &drmb_drm_sync_file,
	.submit = &virtio_gpu_submit_ops,
};
