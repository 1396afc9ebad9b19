// SPDX-License-Identifier: MIT
/*
 * Capability groups: which a backend has, which an opened device withdrew,
 * and the wrappers benchmarks call instead of the tables' ops.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "appendf.h"
#include "backend.h"

const char *const drmb_group_names[] = {
	[DRMB_GROUP_NOP] = "nop",
	[DRMB_GROUP_SYNCOBJ] = "syncobj",
	[DRMB_GROUP_TIMELINE] = "timeline",
	[DRMB_GROUP_SYNCOBJ_EVENTFD] = "syncobj-eventfd",
	[DRMB_GROUP_SYNC_FILE] = "sync-file",
	[DRMB_GROUP_DMABUF_FENCE] = "dmabuf-fence",
	[DRMB_GROUP_SUBMIT] = "submit",
	[DRMB_GROUP_STAGE_RECORDS] = "stage-records",
	[DRMB_GROUP_VM_BIND] = "vm-bind",
	[DRMB_GROUP_VM_BIND_ASYNC] = "vm-bind-async",
	[DRMB_GROUP_USERQ] = "userq",
	[DRMB_GROUP_USERQ_BRIDGE] = "userq-bridge",
	NULL,
};

uint32_t drmb_backend_groups(const struct drmb_backend *b)
{
	const void *const t[DRMB_GROUP_NR] = {
		[DRMB_GROUP_NOP] = b->nop,
		[DRMB_GROUP_SYNCOBJ] = b->syncobj,
		[DRMB_GROUP_TIMELINE] = b->timeline,
		[DRMB_GROUP_SYNCOBJ_EVENTFD] = b->syncobj_eventfd,
		[DRMB_GROUP_SYNC_FILE] = b->sync_file,
		[DRMB_GROUP_DMABUF_FENCE] = b->dmabuf_fence,
		[DRMB_GROUP_SUBMIT] = b->submit,
		[DRMB_GROUP_STAGE_RECORDS] = b->stage_records,
		[DRMB_GROUP_VM_BIND] = b->vm_bind,
		[DRMB_GROUP_VM_BIND_ASYNC] = b->vm_bind_async,
		[DRMB_GROUP_USERQ] = b->userq,
		[DRMB_GROUP_USERQ_BRIDGE] = b->userq_bridge,
	};
	uint32_t groups = 0;
	int g;

	for (g = 0; g < DRMB_GROUP_NR; g++)
		if (t[g])
			groups |= DRMB_NEEDS(g);
	return groups;
}

int drmb_backend_open(const struct drmb_backend *b, struct drmb_device *dev,
		      char *why, size_t whylen)
{
	memset(dev, 0, sizeof(*dev));
	dev->fd = -1;
	dev->backend = b;
	dev->groups = drmb_backend_groups(b);
	return b->open(dev, why, whylen);
}

void drmb_backend_close(struct drmb_device *dev)
{
	if (dev->backend && dev->backend->close)
		dev->backend->close(dev);
}

void drmb_device_withdraw(struct drmb_device *dev, enum drmb_group g, const char *fmt, ...)
{
	va_list ap;

	dev->groups &= ~DRMB_NEEDS(g);
	va_start(ap, fmt);
	vsnprintf(dev->withdrawn[g], sizeof(dev->withdrawn[g]), fmt, ap);
	va_end(ap);
}

int drmb_device_lacks(const struct drmb_device *dev, uint32_t needs, char *why, size_t whylen)
{
	int g;

	for (g = 0; g < DRMB_GROUP_NR; g++) {
		if (!(needs & DRMB_NEEDS(g)) || (dev->groups & DRMB_NEEDS(g)))
			continue;
		snprintf(why, whylen, "backend %s has no %s%s%s", dev->backend->name,
			 drmb_group_names[g], dev->withdrawn[g][0] ? ": " : "",
			 dev->withdrawn[g]);
		return -EOPNOTSUPP;
	}
	return 0;
}

/* Calls op of the group's table, or returns -EOPNOTSUPP. */
#define CALL(dev, g, member, op, ...) do {					\
	const __typeof__(*(dev)->backend->member) *t_ =				\
		DRMB_GROUP_OPS(dev, g, member);					\
										\
	return t_ && t_->op ? t_->op(__VA_ARGS__) : -EOPNOTSUPP;		\
} while (0)

/* The same for an op returning nothing. */
#define CALL_VOID(dev, g, member, op, ...) do {					\
	const __typeof__(*(dev)->backend->member) *t_ =				\
		DRMB_GROUP_OPS(dev, g, member);					\
										\
	if (t_ && t_->op)							\
		t_->op(__VA_ARGS__);						\
} while (0)

int drmb_nop(struct drmb_device *dev)
{
	CALL(dev, DRMB_GROUP_NOP, nop, nop, dev);
}

int drmb_syncobj_create(struct drmb_device *dev, uint32_t flags, uint32_t *handle)
{
	CALL(dev, DRMB_GROUP_SYNCOBJ, syncobj, create, dev, flags, handle);
}

void drmb_syncobj_destroy(struct drmb_device *dev, uint32_t handle)
{
	CALL_VOID(dev, DRMB_GROUP_SYNCOBJ, syncobj, destroy, dev, handle);
}

int drmb_syncobj_reset(struct drmb_device *dev, const uint32_t *handles, unsigned int n)
{
	CALL(dev, DRMB_GROUP_SYNCOBJ, syncobj, reset, dev, handles, n);
}

int drmb_syncobj_signal(struct drmb_device *dev, const uint32_t *handles, unsigned int n)
{
	CALL(dev, DRMB_GROUP_SYNCOBJ, syncobj, signal, dev, handles, n);
}

int drmb_syncobj_wait(struct drmb_device *dev, uint32_t *handles, unsigned int n,
		      int64_t timeout_ns, uint32_t flags, uint32_t *first)
{
	CALL(dev, DRMB_GROUP_SYNCOBJ, syncobj, wait, dev, handles, n, timeout_ns, flags, first);
}

int drmb_timeline_signal(struct drmb_device *dev, const uint32_t *handles,
			 const uint64_t *points, unsigned int n)
{
	CALL(dev, DRMB_GROUP_TIMELINE, timeline, signal, dev, handles, points, n);
}

int drmb_timeline_wait(struct drmb_device *dev, uint32_t *handles, uint64_t *points,
		       unsigned int n, int64_t timeout_ns, uint32_t flags, uint32_t *first)
{
	CALL(dev, DRMB_GROUP_TIMELINE, timeline, wait, dev, handles, points, n, timeout_ns,
	     flags, first);
}

int drmb_timeline_query(struct drmb_device *dev, uint32_t *handles, uint64_t *points,
			unsigned int n)
{
	CALL(dev, DRMB_GROUP_TIMELINE, timeline, query, dev, handles, points, n);
}

int drmb_timeline_transfer(struct drmb_device *dev, uint32_t dst, uint64_t dst_point,
			   uint32_t src, uint64_t src_point, uint32_t flags)
{
	CALL(dev, DRMB_GROUP_TIMELINE, timeline, transfer, dev, dst, dst_point, src,
	     src_point, flags);
}

int drmb_syncobj_eventfd(struct drmb_device *dev, uint32_t handle, uint64_t point,
			 int efd, uint32_t flags)
{
	CALL(dev, DRMB_GROUP_SYNCOBJ_EVENTFD, syncobj_eventfd, eventfd, dev, handle, point,
	     efd, flags);
}

int drmb_sync_file_import(struct drmb_device *dev, uint32_t handle, int sync_file)
{
	CALL(dev, DRMB_GROUP_SYNC_FILE, sync_file, import, dev, handle, sync_file);
}

int drmb_sync_file_export(struct drmb_device *dev, uint32_t handle, int *sync_file)
{
	CALL(dev, DRMB_GROUP_SYNC_FILE, sync_file, export, dev, handle, sync_file);
}

int drmb_dmabuf_bo_create(struct drmb_device *dev, uint32_t *bo, int *dmabuf)
{
	CALL(dev, DRMB_GROUP_DMABUF_FENCE, dmabuf_fence, bo_create, dev, bo, dmabuf);
}

void drmb_dmabuf_bo_destroy(struct drmb_device *dev, uint32_t bo)
{
	CALL_VOID(dev, DRMB_GROUP_DMABUF_FENCE, dmabuf_fence, bo_destroy, dev, bo);
}

int drmb_dmabuf_fence_attach(struct drmb_device *dev, uint32_t bo, uint32_t *fence)
{
	CALL(dev, DRMB_GROUP_DMABUF_FENCE, dmabuf_fence, attach, dev, bo, fence);
}

int drmb_dmabuf_fence_signal(struct drmb_device *dev, uint32_t fence)
{
	CALL(dev, DRMB_GROUP_DMABUF_FENCE, dmabuf_fence, signal, dev, fence);
}

int drmb_queue_create(struct drmb_device *dev, const struct drmb_queue_opts *o,
		      uint32_t *queue, char *why, size_t whylen)
{
	int ret = drmb_device_lacks(dev, DRMB_NEEDS(DRMB_GROUP_SUBMIT), why, whylen);

	return ret ? ret : dev->backend->submit->queue_create(dev, o, queue, why, whylen);
}

void drmb_queue_destroy(struct drmb_device *dev, uint32_t queue)
{
	CALL_VOID(dev, DRMB_GROUP_SUBMIT, submit, queue_destroy, dev, queue);
}

int drmb_submit(struct drmb_device *dev, uint32_t queue, struct drmb_job *jobs,
		unsigned int njobs, uint64_t *first_seqno)
{
	CALL(dev, DRMB_GROUP_SUBMIT, submit, submit, dev, queue, jobs, njobs, first_seqno);
}

unsigned int drmb_submit_max_batch(struct drmb_device *dev)
{
	const struct drmb_submit_ops *t = DRMB_GROUP_OPS(dev, DRMB_GROUP_SUBMIT, submit);

	return t && t->max_batch ? t->max_batch(dev) : 0;
}

int drmb_submit_durations(const struct drmb_device *dev)
{
	const struct drmb_submit_ops *t = DRMB_GROUP_OPS(dev, DRMB_GROUP_SUBMIT, submit);

	return t && t->durations;
}

int drmb_job_times(struct drmb_device *dev, uint32_t queue, uint64_t seqno,
		   struct drmb_job_times *t)
{
	CALL(dev, DRMB_GROUP_STAGE_RECORDS, stage_records, job_times, dev, queue, seqno, t);
}

int drmb_bo_create(struct drmb_device *dev, uint64_t size, uint32_t *bo)
{
	CALL(dev, DRMB_GROUP_VM_BIND, vm_bind, bo_create, dev, size, bo);
}

void drmb_bo_destroy(struct drmb_device *dev, uint32_t bo)
{
	CALL_VOID(dev, DRMB_GROUP_VM_BIND, vm_bind, bo_destroy, dev, bo);
}

int drmb_vm_create(struct drmb_device *dev, const struct drmb_vm_opts *o,
		   uint32_t *vm, char *why, size_t whylen)
{
	int ret = drmb_device_lacks(dev, DRMB_NEEDS(DRMB_GROUP_VM_BIND), why, whylen);

	return ret ? ret : dev->backend->vm_bind->vm_create(dev, o, vm, why, whylen);
}

void drmb_vm_destroy(struct drmb_device *dev, uint32_t vm)
{
	CALL_VOID(dev, DRMB_GROUP_VM_BIND, vm_bind, vm_destroy, dev, vm);
}

int drmb_vm_bind(struct drmb_device *dev, uint32_t vm, const struct drmb_vm_op *ops,
		 unsigned int nops, uint64_t *seqno)
{
	CALL(dev, DRMB_GROUP_VM_BIND, vm_bind, vm_bind, dev, vm, ops, nops, seqno);
}

int drmb_vm_stats(struct drmb_device *dev, uint32_t vm, struct drmb_vm_stats *st)
{
	CALL(dev, DRMB_GROUP_VM_BIND, vm_bind, vm_stats, dev, vm, st);
}

uint64_t drmb_vm_first_va(struct drmb_device *dev)
{
	const struct drmb_vm_bind_ops *t = DRMB_GROUP_OPS(dev, DRMB_GROUP_VM_BIND, vm_bind);

	return t && t->first_va ? t->first_va(dev) : 0;
}

unsigned int drmb_vm_max_ops(struct drmb_device *dev)
{
	const struct drmb_vm_bind_ops *t = DRMB_GROUP_OPS(dev, DRMB_GROUP_VM_BIND, vm_bind);

	return t && t->max_ops ? t->max_ops(dev) : 0;
}

int drmb_vm_bind_async(struct drmb_device *dev, uint32_t vm, const struct drmb_vm_op *ops,
		       unsigned int nops, uint32_t wait, uint32_t signal, uint64_t *seqno)
{
	CALL(dev, DRMB_GROUP_VM_BIND_ASYNC, vm_bind_async, vm_bind, dev, vm, ops, nops, wait,
	     signal, seqno);
}

int drmb_vm_bind_times(struct drmb_device *dev, uint32_t vm, uint64_t seqno,
		       struct drmb_bind_times *t)
{
	CALL(dev, DRMB_GROUP_VM_BIND_ASYNC, vm_bind_async, bind_times, dev, vm, seqno, t);
}

int drmb_userq_create(struct drmb_device *dev, const struct drmb_userq_opts *o,
		      struct drmb_userq *q, char *why, size_t whylen)
{
	int ret = drmb_device_lacks(dev, DRMB_NEEDS(DRMB_GROUP_USERQ), why, whylen);

	if (ret) {
		memset(q, 0, sizeof(*q));
		q->eventfd = -1;
		return ret;
	}
	return dev->backend->userq->create(dev, o, q, why, whylen);
}

void drmb_userq_destroy(struct drmb_device *dev, struct drmb_userq *q)
{
	CALL_VOID(dev, DRMB_GROUP_USERQ, userq, destroy, dev, q);
}

int drmb_userq_submit(struct drmb_device *dev, struct drmb_userq *q,
		      const struct drmb_userq_job *jobs, unsigned int njobs,
		      uint64_t *first_seqno)
{
	CALL(dev, DRMB_GROUP_USERQ, userq, submit, dev, q, jobs, njobs, first_seqno);
}

int drmb_userq_wait(struct drmb_device *dev, struct drmb_userq *q, unsigned int sync,
		    uint64_t value, enum drmb_userq_wait how, uint64_t timeout_ns)
{
	CALL(dev, DRMB_GROUP_USERQ, userq, wait, dev, q, sync, value, how, timeout_ns);
}

int drmb_userq_job_times(struct drmb_device *dev, struct drmb_userq *q, uint64_t seqno,
			 struct drmb_userq_times *t)
{
	CALL(dev, DRMB_GROUP_USERQ, userq, job_times, dev, q, seqno, t);
}

int drmb_userq_stats(struct drmb_device *dev, struct drmb_userq *q,
		     struct drmb_userq_stats *st)
{
	CALL(dev, DRMB_GROUP_USERQ, userq, stats, dev, q, st);
}

int drmb_userq_bridge(struct drmb_device *dev, struct drmb_userq *q,
		      enum drmb_userq_bridge_dir dir, unsigned int sync, uint64_t value,
		      uint32_t syncobj, uint64_t point)
{
	CALL(dev, DRMB_GROUP_USERQ_BRIDGE, userq_bridge, bridge, dev, q, dir, sync, value,
	     syncobj, point);
}

void drmb_groups_describe(uint32_t groups, char *buf, size_t len)
{
	size_t off = 0;
	int g;

	buf[0] = '\0';
	for (g = 0; g < DRMB_GROUP_NR; g++)
		if (groups & DRMB_NEEDS(g))
			drmb_appendf(buf, len, &off, "%s%s", off ? "," : "", drmb_group_names[g]);
	if (!groups)
		snprintf(buf, len, "none");
}
