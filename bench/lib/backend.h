/* SPDX-License-Identifier: MIT */
/*
 * The one way benchmarks reach a backend: thin wrappers over its capability
 * groups (struct drmb_backend in drmb.h). Each returns -EOPNOTSUPP when the
 * device lacks the group (or an optional op of it), so no benchmark tests a
 * function pointer or names a backend.
 */
#ifndef DRMB_BACKEND_H
#define DRMB_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include <drm.h>

#include "drmb.h"

/* DRMB_NEEDS() of the groups a backend's table fills in. */
uint32_t drmb_backend_groups(const struct drmb_backend *b);

/*
 * Opens b's device into dev (zeroed first, fd -1, every group of b
 * present), for the runner and tests. 0, or -errno with why.
 */
int drmb_backend_open(const struct drmb_backend *b, struct drmb_device *dev,
		      char *why, size_t whylen);
void drmb_backend_close(struct drmb_device *dev);

/* From a backend's open(): this device does not have group g after all. */
void drmb_device_withdraw(struct drmb_device *dev, enum drmb_group g,
			  const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Non-zero when dev has every group in needs. */
static inline int drmb_device_has(const struct drmb_device *dev, uint32_t needs)
{
	return (dev->groups & needs) == needs;
}

/*
 * The table of group g (member of struct drmb_backend) when dev has the
 * group, else NULL. For measured loops: a benchmark resolves it (and
 * checks the optional ops it calls) once in setup and calls its ops in the
 * loop, which then makes the same call it made before the contract; a
 * wrapper below costs about ten instructions a call for its checks.
 */
#define DRMB_GROUP_OPS(dev, g, member) \
	((dev)->groups & DRMB_NEEDS(g) ? (dev)->backend->member : NULL)

/*
 * 0 when dev has every group in needs, else -EOPNOTSUPP and
 * "backend B has no GROUP[: reason]" for the first missing one in why.
 */
int drmb_device_lacks(const struct drmb_device *dev, uint32_t needs,
		      char *why, size_t whylen);

/* "submit,syncobj": the names of the groups, or "none". */
void drmb_groups_describe(uint32_t groups, char *buf, size_t len);

/* DRMB_GROUP_NOP */
int drmb_nop(struct drmb_device *dev);

/* DRMB_GROUP_SYNCOBJ */
int drmb_syncobj_create(struct drmb_device *dev, uint32_t flags, uint32_t *handle);
void drmb_syncobj_destroy(struct drmb_device *dev, uint32_t handle);
int drmb_syncobj_reset(struct drmb_device *dev, const uint32_t *handles, unsigned int n);
int drmb_syncobj_signal(struct drmb_device *dev, const uint32_t *handles, unsigned int n);
int drmb_syncobj_wait(struct drmb_device *dev, uint32_t *handles, unsigned int n,
		      int64_t timeout_ns, uint32_t flags, uint32_t *first);

/* DRMB_GROUP_TIMELINE */
int drmb_timeline_signal(struct drmb_device *dev, const uint32_t *handles,
			 const uint64_t *points, unsigned int n);
int drmb_timeline_wait(struct drmb_device *dev, uint32_t *handles, uint64_t *points,
		       unsigned int n, int64_t timeout_ns, uint32_t flags, uint32_t *first);
int drmb_timeline_query(struct drmb_device *dev, uint32_t *handles, uint64_t *points,
			unsigned int n);
int drmb_timeline_transfer(struct drmb_device *dev, uint32_t dst, uint64_t dst_point,
			   uint32_t src, uint64_t src_point, uint32_t flags);

/* DRMB_GROUP_SYNCOBJ_EVENTFD */
int drmb_syncobj_eventfd(struct drmb_device *dev, uint32_t handle, uint64_t point,
			 int efd, uint32_t flags);

/* DRMB_GROUP_SYNC_FILE */
int drmb_sync_file_import(struct drmb_device *dev, uint32_t handle, int sync_file);
int drmb_sync_file_export(struct drmb_device *dev, uint32_t handle, int *sync_file);

/* DRMB_GROUP_DMABUF_FENCE */
int drmb_dmabuf_bo_create(struct drmb_device *dev, uint32_t *bo, int *dmabuf);
void drmb_dmabuf_bo_destroy(struct drmb_device *dev, uint32_t bo);
int drmb_dmabuf_fence_attach(struct drmb_device *dev, uint32_t bo, uint32_t *fence);
int drmb_dmabuf_fence_signal(struct drmb_device *dev, uint32_t fence);

/* DRMB_GROUP_SUBMIT */
int drmb_queue_create(struct drmb_device *dev, const struct drmb_queue_opts *o,
		      uint32_t *queue, char *why, size_t whylen);
void drmb_queue_destroy(struct drmb_device *dev, uint32_t queue);
int drmb_submit(struct drmb_device *dev, uint32_t queue, struct drmb_job *jobs,
		unsigned int njobs, uint64_t *first_seqno);
/* 0 without SUBMIT. */
unsigned int drmb_submit_max_batch(struct drmb_device *dev);
/* Non-zero when submit() honours a job's duration_ns. */
int drmb_submit_durations(const struct drmb_device *dev);

/* DRMB_GROUP_STAGE_RECORDS */
int drmb_job_times(struct drmb_device *dev, uint32_t queue, uint64_t seqno,
		   struct drmb_job_times *t);

/* DRMB_GROUP_VM_BIND */
int drmb_bo_create(struct drmb_device *dev, uint64_t size, uint32_t *bo);
void drmb_bo_destroy(struct drmb_device *dev, uint32_t bo);
int drmb_vm_create(struct drmb_device *dev, const struct drmb_vm_opts *o,
		   uint32_t *vm, char *why, size_t whylen);
void drmb_vm_destroy(struct drmb_device *dev, uint32_t vm);
int drmb_vm_bind(struct drmb_device *dev, uint32_t vm, const struct drmb_vm_op *ops,
		 unsigned int nops, uint64_t *seqno);
int drmb_vm_stats(struct drmb_device *dev, uint32_t vm, struct drmb_vm_stats *st);
/* 0 without VM_BIND. */
uint64_t drmb_vm_first_va(struct drmb_device *dev);
unsigned int drmb_vm_max_ops(struct drmb_device *dev);

/* DRMB_GROUP_VM_BIND_ASYNC */
int drmb_vm_bind_async(struct drmb_device *dev, uint32_t vm, const struct drmb_vm_op *ops,
		       unsigned int nops, uint32_t wait, uint32_t signal, uint64_t *seqno);
int drmb_vm_bind_times(struct drmb_device *dev, uint32_t vm, uint64_t seqno,
		       struct drmb_bind_times *t);

/* DRMB_GROUP_USERQ */
int drmb_userq_create(struct drmb_device *dev, const struct drmb_userq_opts *o,
		      struct drmb_userq *q, char *why, size_t whylen);
void drmb_userq_destroy(struct drmb_device *dev, struct drmb_userq *q);
int drmb_userq_submit(struct drmb_device *dev, struct drmb_userq *q,
		      const struct drmb_userq_job *jobs, unsigned int njobs,
		      uint64_t *first_seqno);
int drmb_userq_wait(struct drmb_device *dev, struct drmb_userq *q, unsigned int sync,
		    uint64_t value, enum drmb_userq_wait how, uint64_t timeout_ns);
int drmb_userq_job_times(struct drmb_device *dev, struct drmb_userq *q, uint64_t seqno,
			 struct drmb_userq_times *t);
int drmb_userq_stats(struct drmb_device *dev, struct drmb_userq *q,
		     struct drmb_userq_stats *st);

/* DRMB_GROUP_USERQ_BRIDGE */
int drmb_userq_bridge(struct drmb_device *dev, struct drmb_userq *q,
		      enum drmb_userq_bridge_dir dir, unsigned int sync, uint64_t value,
		      uint32_t syncobj, uint64_t point);

#endif
