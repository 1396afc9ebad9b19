// SPDX-License-Identifier: GPL-2.0
/*
 * simgpu GPU VA spaces: VM_CREATE, VM_DESTROY, VM_BIND and VM_QUERY.
 *
 * A VM is a drm_gpuvm (the VA bookkeeping, split and merge of mappings) plus
 * the page table the "GPU" would walk (its format: simgpu_pgtable.c).
 * Binds are synchronous by default: the tables are updated when VM_BIND
 * returns, as with nouveau's default; asynchronous binds are jobs on the
 * VM's bind queue, as with msm. Every successful bind gets a seqno
 * and a record of its stage times, read back with VM_BIND_QUERY.
 *
 * Queues may be created on a VM: they hold it, VM_DESTROY refuses it
 * (-EBUSY) while they exist, and their SUBMITs fail (-EIO) once a bind
 * failed half-way and left the VM unusable.
 *
 * Page-table pages are reserved before a batch is applied according to the
 * VM's preallocation policy (none, per-op or batched, the scheme msm uses),
 * so that the trade-off between pages reserved and pages allocated while
 * applying can be measured.
 *
 * Kernels without drm_gpuvm get ioctls that return -EOPNOTSUPP and a zero
 * SIMGPU_FEATURE_VM_BIND.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-fence-chain.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_gem.h>
#include <drm/drm_print.h>
#include <drm/drm_syncobj.h>

#include "simgpu_drv.h"
#include "simgpu_pgtable.h"
/* One translation unit with the bind path on purpose: simgpu_pgtable.h. */
#include "simgpu_pgtable.c"

#if SIMGPU_HAS_VM_BIND

static inline struct simgpu_vm *to_simgpu_vm(struct drm_gpuvm *gpuvm)
{
	return container_of(gpuvm, struct simgpu_vm, base);
}

static inline struct simgpu_vm_bo *to_simgpu_vm_bo(struct drm_gpuvm_bo *vm_bo)
{
	return container_of(vm_bo, struct simgpu_vm_bo, base);
}

static const char * const simgpu_prealloc_names[] = {
	[SIMGPU_VM_PREALLOC_DEFAULT] = "default",
	[SIMGPU_VM_PREALLOC_NONE] = "none",
	[SIMGPU_VM_PREALLOC_PER_OP] = "per-op",
	[SIMGPU_VM_PREALLOC_BATCHED] = "batched",
};

int simgpu_vm_prealloc_parse(const char *name)
{
	int i = match_string(simgpu_prealloc_names,
			     ARRAY_SIZE(simgpu_prealloc_names), name);

	return i <= SIMGPU_VM_PREALLOC_DEFAULT ? -EINVAL : i;
}

/* The state of one bind op while drm_gpuvm walks its split steps. */
struct simgpu_bind_ctx {
	struct simgpu_vm *vm;
	/* MAP: the BO's vm_bo, referenced; NULL for MAP_NULL and UNMAP */
	struct drm_gpuvm_bo *vm_bo;
	/*
	 * gpuva list changes, done after the walk under each BO's own
	 * reservation lock, one at a time: new mappings to link first (they
	 * may share the vm_bo of a mapping being unlinked), then old ones.
	 */
	struct list_head link;
	struct list_head unlink;
	/* Asynchronous: page-table updates are recorded for run_job. */
	struct simgpu_bind_job *job;
	/* Teardown: only the mappings go; the tables are freed whole. */
	bool no_pt;
};

static int simgpu_pt_record(struct simgpu_bind_job *job, u32 kind, u64 va,
			    u64 end, u64 leaf)
{
	struct simgpu_pt_op *op = kmalloc(sizeof(*op), GFP_KERNEL);

	if (!op)
		return -ENOMEM;
	op->kind = kind;
	op->va = va;
	op->end = end;
	op->leaf = leaf;
	list_add_tail(&op->link, &job->pt_ops);
	return 0;
}

static int simgpu_ctx_pt_map(struct simgpu_bind_ctx *ctx, u64 va, u64 end,
			     u64 leaf)
{
	if (ctx->job)
		return simgpu_pt_record(ctx->job, SIMGPU_PT_OP_MAP, va, end, leaf);
	return simgpu_pt_map(ctx->vm, ctx->vm->root, PT_LEVELS - 1, va, end,
			     leaf);
}

static int simgpu_ctx_pt_clear(struct simgpu_bind_ctx *ctx, u64 va, u64 end)
{
	if (ctx->no_pt)
		return 0;
	if (ctx->job)
		return simgpu_pt_record(ctx->job, SIMGPU_PT_OP_CLEAR, va, end, 0);
	return simgpu_pt_clear(ctx->vm, ctx->vm->root, PT_LEVELS - 1, va, end);
}

static struct simgpu_va *simgpu_va_alloc(void)
{
	struct simgpu_va *va = kzalloc(sizeof(*va), GFP_KERNEL);

	if (va)
		INIT_LIST_HEAD(&va->pending);
	return va;
}

static u64 simgpu_leaf(struct drm_gpuvm_bo *vm_bo, u64 bo_offset)
{
	if (!vm_bo)
		return PTE_NULL;
	return ((u64)to_simgpu_vm_bo(vm_bo)->id << PTE_BO_SHIFT) | bo_offset;
}

static int simgpu_sm_step_map(struct drm_gpuva_op *op, void *priv)
{
	struct simgpu_bind_ctx *ctx = priv;
	struct simgpu_vm *vm = ctx->vm;
	struct simgpu_va *va;
	int ret;

	va = simgpu_va_alloc();
	if (!va)
		return -ENOMEM;

	ret = simgpu_ctx_pt_map(ctx, op->map.va.addr,
				op->map.va.addr + op->map.va.range,
				simgpu_leaf(ctx->vm_bo, op->map.gem.offset));
	if (ret) {
		/* Leaves written so far go; their tables are pruned later. */
		if (!ctx->job)
			simgpu_pt_clear(vm, vm->root, PT_LEVELS - 1,
					op->map.va.addr,
					op->map.va.addr + op->map.va.range);
		kfree(va);
		return ret;
	}

	drm_gpuva_map(&vm->base, &va->base, &op->map);
	if (ctx->vm_bo) {
		va->link_vm_bo = ctx->vm_bo;
		list_add_tail(&va->pending, &ctx->link);
	}
	return 0;
}

static void simgpu_defer_unlink(struct simgpu_bind_ctx *ctx,
				struct drm_gpuva *old)
{
	struct simgpu_va *va = container_of(old, struct simgpu_va, base);

	if (old->gem.obj)
		list_add_tail(&va->pending, &ctx->unlink);
	else
		kfree(va);
}

static int simgpu_sm_step_remap(struct drm_gpuva_op *op, void *priv)
{
	struct simgpu_bind_ctx *ctx = priv;
	struct drm_gpuva *old = op->remap.unmap->va;
	struct simgpu_va *prev = NULL, *next = NULL;
	u64 start = old->va.addr, end = old->va.addr + old->va.range;
	int ret;

	if (op->remap.prev) {
		prev = simgpu_va_alloc();
		if (!prev)
			return -ENOMEM;
		start = op->remap.prev->va.addr + op->remap.prev->va.range;
	}
	if (op->remap.next) {
		next = simgpu_va_alloc();
		if (!next) {
			kfree(prev);
			return -ENOMEM;
		}
		end = op->remap.next->va.addr;
	}

	/* The kept parts keep their leaves: only the middle is cleared. */
	ret = simgpu_ctx_pt_clear(ctx, start, end);
	if (ret) {
		kfree(prev);
		kfree(next);
		return ret;
	}

	drm_gpuva_remap(prev ? &prev->base : NULL, next ? &next->base : NULL,
			&op->remap);
	if (old->gem.obj) {
		if (prev) {
			prev->link_vm_bo = old->vm_bo;
			list_add_tail(&prev->pending, &ctx->link);
		}
		if (next) {
			next->link_vm_bo = old->vm_bo;
			list_add_tail(&next->pending, &ctx->link);
		}
	}
	simgpu_defer_unlink(ctx, old);
	return 0;
}

static int simgpu_sm_step_unmap(struct drm_gpuva_op *op, void *priv)
{
	struct simgpu_bind_ctx *ctx = priv;
	struct drm_gpuva *old = op->unmap.va;
	int ret;

	ret = simgpu_ctx_pt_clear(ctx, old->va.addr,
				  old->va.addr + old->va.range);
	if (ret)
		return ret;

	drm_gpuva_unmap(&op->unmap);
	simgpu_defer_unlink(ctx, old);
	return 0;
}

static int simgpu_bind_job_hold(struct simgpu_bind_job *job,
				struct drm_gpuvm_bo *vm_bo)
{
	struct simgpu_held_bo *h = kmalloc(sizeof(*h), GFP_KERNEL);

	if (!h)
		return -ENOMEM;
	h->vm_bo = drm_gpuvm_bo_get(vm_bo);
	list_add_tail(&h->link, &job->held);
	return 0;
}

/* Apply the gpuva list changes the walk collected. */
static void simgpu_bind_ctx_finish(struct simgpu_bind_ctx *ctx)
{
	struct simgpu_va *va, *tmp;

	list_for_each_entry_safe(va, tmp, &ctx->link, pending) {
		struct drm_gem_object *obj = va->base.gem.obj;

		list_del_init(&va->pending);
		dma_resv_lock(obj->resv, NULL);
		drm_gpuva_link(&va->base, va->link_vm_bo);
		dma_resv_unlock(obj->resv);
	}
	list_for_each_entry_safe(va, tmp, &ctx->unlink, pending) {
		struct drm_gem_object *obj = va->base.gem.obj;

		list_del_init(&va->pending);
		/* The vm_bo's reference may be the BO's last one. */
		drm_gem_object_get(obj);
		dma_resv_lock(obj->resv, NULL);
		/*
		 * Leaves carrying the BO's id stay until the job clears them:
		 * the id must not be reused before.
		 */
		if (ctx->job && simgpu_bind_job_hold(ctx->job, va->base.vm_bo))
			ctx->job->hold_failed = true;
		drm_gpuva_unlink(&va->base);
		dma_resv_unlock(obj->resv);
		drm_gem_object_put(obj);
		kfree(va);
	}
	if (ctx->vm_bo) {
		struct drm_gem_object *obj = ctx->vm_bo->obj;

		drm_gem_object_get(obj);
		dma_resv_lock(obj->resv, NULL);
		drm_gpuvm_bo_put(ctx->vm_bo);
		dma_resv_unlock(obj->resv);
		drm_gem_object_put(obj);
		ctx->vm_bo = NULL;
	}
}

static struct drm_gpuvm_bo *simgpu_vm_bo_alloc(void)
{
	struct simgpu_vm_bo *svbo = kzalloc(sizeof(*svbo), GFP_KERNEL);

	return svbo ? &svbo->base : NULL;
}

static void simgpu_vm_bo_free(struct drm_gpuvm_bo *vm_bo)
{
	struct simgpu_vm_bo *svbo = to_simgpu_vm_bo(vm_bo);

	if (svbo->id)
		xa_erase(&to_simgpu_vm(vm_bo->vm)->bo_ids, svbo->id);
	kfree_rcu(svbo, rcu);
}

static void simgpu_vm_free(struct drm_gpuvm *gpuvm)
{
	struct simgpu_vm *vm = to_simgpu_vm(gpuvm);
	u32 i;

	for (i = 0; vm->records.slots && i < SIMGPU_VM_BIND_RECORDS; i++) {
		struct simgpu_bind_slot *slot =
			simgpu_records_slot(&vm->records, i,
					    struct simgpu_bind_slot);

		dma_fence_put(slot->fence);
	}
	simgpu_records_fini(&vm->records);
	xa_destroy(&vm->bo_ids);
	atomic_dec(&vm->sdev->vms_live);
	kfree(vm);
}

static const struct drm_gpuvm_ops simgpu_gpuvm_ops = {
	.vm_free = simgpu_vm_free,
	.vm_bo_alloc = simgpu_vm_bo_alloc,
	.vm_bo_free = simgpu_vm_bo_free,
	.sm_step_map = simgpu_sm_step_map,
	.sm_step_remap = simgpu_sm_step_remap,
	.sm_step_unmap = simgpu_sm_step_unmap,
};

/* The vm_bo of @obj in @vm, with the per-VM id its leaves carry. */
static struct drm_gpuvm_bo *simgpu_vm_bo_get(struct simgpu_vm *vm,
					     struct drm_gem_object *obj)
{
	struct drm_gpuvm_bo *vm_bo;
	struct simgpu_vm_bo *svbo;
	int ret = 0;

	dma_resv_lock(obj->resv, NULL);
	vm_bo = simgpu_gpuvm_bo_obtain(&vm->base, obj);
	if (IS_ERR(vm_bo))
		goto out_unlock;
	svbo = to_simgpu_vm_bo(vm_bo);
	if (!svbo->id)
		ret = xa_alloc(&vm->bo_ids, &svbo->id, svbo,
			       XA_LIMIT(1, PTE_BO_MAX), GFP_KERNEL);
	if (ret) {
		drm_gpuvm_bo_put(vm_bo);
		vm_bo = ERR_PTR(ret == -EBUSY ? -ENOSPC : ret);
	}
out_unlock:
	dma_resv_unlock(obj->resv);
	return vm_bo;
}

static struct simgpu_vm *simgpu_vm_lookup(struct simgpu_file *sfile, u32 id)
{
	struct simgpu_vm *vm;

	xa_lock(&sfile->vms);
	vm = xa_load(&sfile->vms, id);
	if (vm)
		drm_gpuvm_get(&vm->base);
	xa_unlock(&sfile->vms);
	return vm;
}

void simgpu_vm_put(struct simgpu_vm *vm)
{
	drm_gpuvm_put(&vm->base);
}

/*
 * A queue is being created on VM @vm_id: the queue keeps the returned
 * reference and counts in vm->queues until simgpu_vm_queue_detach().
 */
struct simgpu_vm *simgpu_vm_queue_attach(struct simgpu_file *sfile, u32 vm_id)
{
	struct simgpu_vm *vm = simgpu_vm_lookup(sfile, vm_id);
	int ret = 0;

	if (!vm)
		return ERR_PTR(-ENOENT);
	mutex_lock(&vm->lock);
	/* VM_DESTROY took it before this queue could count. */
	if (vm->dying)
		ret = -ENOENT;
	else
		vm->queues++;
	mutex_unlock(&vm->lock);
	if (ret) {
		simgpu_vm_put(vm);
		return ERR_PTR(ret);
	}
	return vm;
}

/* The queue is destroyed: the VM may go, the reference stays with the queue. */
void simgpu_vm_queue_detach(struct simgpu_vm *vm)
{
	mutex_lock(&vm->lock);
	vm->queues--;
	mutex_unlock(&vm->lock);
}

/* SUBMIT on a queue of @vm: msm's rule, no work in a VM a bind broke. */
int simgpu_vm_check_usable(struct simgpu_vm *vm)
{
	return READ_ONCE(vm->unusable) ? -EIO : 0;
}

/*
 * DRM_IOCTL_SIMGPU_VM_CREATE: a new VA space of 2^SIMGPU_VM_VA_BITS bytes
 * with a kernel-reserved range and its page-table root.
 *
 * -EINVAL: unknown flags or policy, non-zero pad, unaligned kernel range
 * -ERANGE: kernel range outside the VA space or wrapping
 * -ENOSPC: SIMGPU_MAX_VMS VMs in this file
 * -ENOMEM (also: the root table would take all VMs of the device above
 *         vm_max_pt_pages_total)
 */
int simgpu_ioctl_vm_create(struct drm_device *dev, void *data,
			   struct drm_file *file)
{
	struct simgpu_file *sfile = file->driver_priv;
	struct drm_simgpu_vm_create *args = data;
	struct drm_gpu_scheduler *sched;
	struct drm_gem_object *r_obj;
	struct simgpu_vm *vm;
	u32 prealloc = args->prealloc;
	int ret;

	if (args->flags & ~SIMGPU_VM_CREATE_FLAGS || args->pad ||
	    prealloc > SIMGPU_VM_PREALLOC_BATCHED)
		return -EINVAL;
	if (!PAGE_ALIGNED(args->kernel_va_start) ||
	    !PAGE_ALIGNED(args->kernel_va_size))
		return -EINVAL;
	if (args->kernel_va_start >= VM_VA_END ||
	    args->kernel_va_size > VM_VA_END - args->kernel_va_start)
		return -ERANGE;
	if (prealloc == SIMGPU_VM_PREALLOC_DEFAULT)
		prealloc = simgpu_params.vm_prealloc;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	if (!vm)
		return -ENOMEM;
	vm->sdev = to_simgpu_device(dev);
	vm->flags = args->flags;
	vm->huge = args->flags & SIMGPU_VM_CREATE_HUGE_PAGES;
	vm->prealloc = prealloc;
	vm->kernel_va_start = args->kernel_va_start;
	vm->kernel_va_size = args->kernel_va_size;
	mutex_init(&vm->lock);
	mutex_init(&vm->pt_lock);
	init_waitqueue_head(&vm->throttle_wq);
	atomic64_set(&vm->inflight_pages, 0);
	INIT_LIST_HEAD(&vm->pool);
	xa_init_flags(&vm->bo_ids, XA_FLAGS_ALLOC1);
	spin_lock_init(&vm->records_lock);
	ret = simgpu_records_init(&vm->records, SIMGPU_VM_BIND_RECORDS,
				  struct simgpu_bind_slot, rec.seqno);
	if (ret) {
		kfree(vm);
		return ret;
	}

	vm->root = simgpu_pt_alloc(vm);
	if (!vm->root) {
		simgpu_records_fini(&vm->records);
		kfree(vm);
		return -ENOMEM;
	}
	/* The root is not a late allocation: no bind was being applied. */
	vm->stats.tables_allocated_late = 0;

	r_obj = drm_gpuvm_resv_object_alloc(dev);
	if (!r_obj) {
		ret = -ENOMEM;
		goto err_free_root;
	}
	sched = &vm->sdev->bind_sched;
	ret = drm_sched_entity_init(&vm->entity, DRM_SCHED_PRIORITY_NORMAL,
				    &sched, 1, NULL);
	if (ret) {
		drm_gem_object_put(r_obj);
		goto err_free_root;
	}
	drm_gpuvm_init(&vm->base, "simgpu-vm", 0, dev, r_obj, 0, VM_VA_END,
		       args->kernel_va_start, args->kernel_va_size,
		       &simgpu_gpuvm_ops);
	/* The gpuvm holds its own reference. */
	drm_gem_object_put(r_obj);
	/* From here on simgpu_vm_free() frees the VM. */
	atomic_inc(&vm->sdev->vms_live);

	ret = xa_alloc(&sfile->vms, &args->vm_id, vm,
		       XA_LIMIT(1, SIMGPU_MAX_VMS), GFP_KERNEL);
	if (ret) {
		ret = ret == -EBUSY ? -ENOSPC : ret;
		/* vm_free frees the VM, not the root. */
		simgpu_sched_entity_destroy(&vm->entity);
		simgpu_pt_free(vm, vm->root);
		simgpu_vm_put(vm);
		return ret;
	}
	return 0;

err_free_root:
	simgpu_pt_free(vm, vm->root);
	simgpu_records_fini(&vm->records);
	kfree(vm);
	return ret;
}

/* Unmap [start, end) of the user range, if not empty. */
static int simgpu_vm_unmap_range(struct simgpu_vm *vm, u64 start, u64 end)
{
	struct simgpu_bind_ctx ctx = { .vm = vm, .no_pt = true };
	int ret;

	if (start >= end)
		return 0;
	INIT_LIST_HEAD(&ctx.link);
	INIT_LIST_HEAD(&ctx.unlink);
	ret = drm_gpuvm_sm_unmap(&vm->base, &ctx, start, end - start);
	simgpu_bind_ctx_finish(&ctx);
	return ret;
}

static void simgpu_vm_teardown(struct simgpu_vm *vm)
{
	u64 kend = vm->kernel_va_start + vm->kernel_va_size;
	struct dma_fence *last;

	/* No bind queues or applies from here on (they see -ENOENT). */
	mutex_lock(&vm->lock);
	vm->dying = true;
	last = vm->last_fence;
	vm->last_fence = NULL;
	mutex_unlock(&vm->lock);
	dma_fence_put(last);
	/*
	 * Queued binds may wait for other clients' work: nothing here waits
	 * for them beyond the entity's own flush (killable; bounded at exit).
	 * A bind that runs later finds no table and applies nothing; its
	 * job holds the VM.
	 */
	simgpu_sched_entity_destroy(&vm->entity);

	mutex_lock(&vm->lock);
	/* Only the gpuva bookkeeping: the tables are freed whole below. */
	if (simgpu_vm_unmap_range(vm, 0, vm->kernel_va_start) ||
	    simgpu_vm_unmap_range(vm, kend, VM_VA_END))
		drm_warn(&vm->sdev->drm, "VM teardown: unmap failed\n");
	mutex_lock(&vm->pt_lock);
	simgpu_pt_free_all(vm, vm->root, PT_LEVELS - 1);
	vm->root = NULL;
	mutex_unlock(&vm->pt_lock);
	mutex_unlock(&vm->lock);
}

/*
 * DRM_IOCTL_SIMGPU_VM_DESTROY: unmap everything, free the page tables and
 * drop the VM.
 *
 * -EINVAL: non-zero pad
 * -ENOENT: unknown VM (or being destroyed by another call)
 * -EBUSY: queues were created on the VM and are not destroyed yet
 */
int simgpu_ioctl_vm_destroy(struct drm_device *dev, void *data,
			    struct drm_file *file)
{
	struct simgpu_file *sfile = file->driver_priv;
	struct drm_simgpu_vm_destroy *args = data;
	struct simgpu_vm *vm;
	int ret = 0;

	if (args->pad)
		return -EINVAL;

	vm = simgpu_vm_lookup(sfile, args->vm_id);
	if (!vm)
		return -ENOENT;
	/* Marked dying under the lock queue creation checks it under. */
	mutex_lock(&vm->lock);
	if (vm->queues)
		ret = -EBUSY;
	else if (vm->dying)
		ret = -ENOENT;
	else
		vm->dying = true;
	mutex_unlock(&vm->lock);
	if (!ret) {
		xa_erase(&sfile->vms, args->vm_id);
		simgpu_vm_teardown(vm);
		/* The file's reference. */
		simgpu_vm_put(vm);
	}
	simgpu_vm_put(vm);
	return ret;
}

void simgpu_vms_destroy(struct simgpu_file *sfile)
{
	struct simgpu_vm *vm;
	unsigned long id;

	xa_for_each(&sfile->vms, id, vm) {
		xa_erase(&sfile->vms, id);
		simgpu_vm_teardown(vm);
		simgpu_vm_put(vm);
	}
	xa_destroy(&sfile->vms);
}

/* Is [va, va + size) inside the VA space and clear of the kernel range? */
static int simgpu_vm_check_range(struct simgpu_vm *vm, u64 va, u64 size)
{
	u64 kend = vm->kernel_va_start + vm->kernel_va_size;

	if (!size || !PAGE_ALIGNED(va) || !PAGE_ALIGNED(size))
		return -EINVAL;
	if (va + size < va)
		return -EOVERFLOW;
	if (va + size > VM_VA_END)
		return -ERANGE;
	if (vm->kernel_va_size && va < kend && va + size > vm->kernel_va_start)
		return -ERANGE;
	return 0;
}

/*
 * Check one op and take a reference to its BO (MAP). Nothing of the VM
 * changes before every op of the batch has passed.
 */
static int simgpu_bind_op_check(struct simgpu_vm *vm, struct drm_file *file,
				const struct drm_simgpu_vm_bind_op *op,
				struct drm_gem_object **objp)
{
	struct drm_gem_object *obj;
	int ret;

	*objp = NULL;
	if (op->flags || op->pad || op->op > SIMGPU_VM_BIND_OP_UNMAP)
		return -EINVAL;
	ret = simgpu_vm_check_range(vm, op->va, op->size);
	if (ret)
		return ret;
	if (op->op != SIMGPU_VM_BIND_OP_MAP)
		return op->handle || op->bo_offset ? -EINVAL : 0;

	if (!PAGE_ALIGNED(op->bo_offset))
		return -EINVAL;
	obj = drm_gem_object_lookup(file, op->handle);
	if (!obj)
		return -ENOENT;
	if (op->bo_offset >= obj->size || op->size > obj->size - op->bo_offset) {
		drm_gem_object_put(obj);
		return -EINVAL;
	}
	*objp = obj;
	return 0;
}

static u64 simgpu_bind_prealloc_count(struct simgpu_vm *vm,
				      const struct drm_simgpu_vm_bind_op *ops,
				      u32 count)
{
	bool shared = vm->prealloc == SIMGPU_VM_PREALLOC_BATCHED;
	u64 last[PT_LEVELS], pages = 0;
	u32 i;

	if (vm->prealloc == SIMGPU_VM_PREALLOC_NONE)
		return 0;
	memset(last, 0xff, sizeof(last));
	for (i = 0; i < count; i++) {
		const struct drm_simgpu_vm_bind_op *op = &ops[i];

		if (op->op == SIMGPU_VM_BIND_OP_UNMAP)
			pages += simgpu_pt_unmap_worst_case(vm, op->va,
							    op->size);
		else
			pages += simgpu_pt_worst_case(vm, op->va, op->size,
						      op->bo_offset,
						      op->op != SIMGPU_VM_BIND_OP_MAP,
						      shared, last);
	}
	return pages;
}

static int simgpu_bind_op_apply(struct simgpu_vm *vm,
				const struct drm_simgpu_vm_bind_op *op,
				struct drm_gem_object *obj,
				struct simgpu_bind_job *job)
{
	struct simgpu_bind_ctx ctx = { .vm = vm, .job = job };
	int ret, pret;

	INIT_LIST_HEAD(&ctx.link);
	INIT_LIST_HEAD(&ctx.unlink);
	if (op->op == SIMGPU_VM_BIND_OP_UNMAP) {
		ret = drm_gpuvm_sm_unmap(&vm->base, &ctx, op->va, op->size);
	} else {
		if (obj) {
			ctx.vm_bo = simgpu_vm_bo_get(vm, obj);
			if (IS_ERR(ctx.vm_bo))
				return PTR_ERR(ctx.vm_bo);
		}
		ret = simgpu_gpuvm_sm_map(&vm->base, &ctx, op->va, op->size,
					  obj, op->bo_offset);
	}
	simgpu_bind_ctx_finish(&ctx);
	if (!job) {
		simgpu_pt_prune(vm, vm->root, PT_LEVELS - 1, op->va,
				op->va + op->size);
		return ret;
	}
	pret = simgpu_pt_record(job, SIMGPU_PT_OP_PRUNE, op->va,
				op->va + op->size, 0);
	if (job->hold_failed)
		pret = -ENOMEM;
	return ret ? ret : pret;
}

/* ---- bind records -------------------------------------------------------- */

static struct simgpu_bind_slot *simgpu_bind_slot(struct simgpu_vm *vm,
						 u64 seqno)
{
	return simgpu_records_slot(&vm->records, seqno, struct simgpu_bind_slot);
}

/*
 * Give a successful bind its seqno and record. @fence is what its signal
 * syncobjs get; NULL for a synchronous bind, whose record is complete.
 * Called under vm->lock, so seqnos follow the order binds took effect.
 */
static u64 simgpu_bind_record_add(struct simgpu_vm *vm,
				  const struct drm_simgpu_vm_bind_record *rec,
				  struct dma_fence *fence)
{
	struct simgpu_bind_slot *slot;
	struct dma_fence *old;
	u64 seqno;

	spin_lock(&vm->records_lock);
	seqno = ++vm->last_bind_seqno;
	slot = simgpu_bind_slot(vm, seqno);
	old = slot->fence;
	slot->rec = *rec;
	slot->rec.seqno = seqno;
	slot->fence = dma_fence_get(fence);
	spin_unlock(&vm->records_lock);
	dma_fence_put(old);
	return seqno;
}

/* run_job's stamps; the slot may already hold a newer bind's record. */
static void simgpu_bind_record_stage(struct simgpu_vm *vm, u64 seqno,
				     u64 run_ns, u64 pt_done_ns)
{
	struct simgpu_bind_slot *slot;

	if (!seqno)
		return;
	spin_lock(&vm->records_lock);
	slot = simgpu_records_lookup(&vm->records, seqno,
				     struct simgpu_bind_slot, rec.seqno);
	if (slot) {
		if (run_ns) {
			slot->rec.run_ns = run_ns;
			slot->rec.status = SIMGPU_JOB_STATUS_RUNNING;
		}
		if (pt_done_ns)
			slot->rec.pt_done_ns = pt_done_ns;
	}
	spin_unlock(&vm->records_lock);
}

/*
 * Complete the record once its fence signalled. The DRM core stores the
 * timestamp right after the signalled bit, in the same locked section: a
 * waiter that saw the bit may query first, so wait for the stamp rather
 * than report the bind as not signalled.
 */
static void simgpu_bind_slot_settle(struct simgpu_bind_slot *slot)
{
	struct dma_fence *fence = slot->fence;

	if (!fence || !test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags))
		return;
	slot->rec.signal_ns = ktime_to_ns(dma_fence_timestamp(fence));
	slot->rec.error = fence->error;
	slot->rec.status = SIMGPU_JOB_STATUS_DONE;
	slot->fence = NULL;
	dma_fence_put(fence);
}

/*
 * DRM_IOCTL_SIMGPU_VM_BIND_QUERY: copy the records of @count binds from
 * @first_seqno on. The VM keeps the records of its last
 * SIMGPU_VM_BIND_RECORDS successful binds.
 *
 * -EINVAL: non-zero flags, count 0, seqno 0, record_size not the record's
 * -E2BIG: count above SIMGPU_VM_BIND_RECORDS
 * -ENOENT: unknown VM, or a seqno not given out yet
 * -ENODATA: a seqno whose record newer binds overwrote
 * -EFAULT, -ENOMEM
 */
int simgpu_ioctl_vm_bind_query(struct drm_device *dev, void *data,
			       struct drm_file *file)
{
	struct simgpu_file *sfile = file->driver_priv;
	struct drm_simgpu_vm_bind_query *args = data;
	struct drm_simgpu_vm_bind_record *recs;
	struct simgpu_vm *vm;
	int ret = 0;
	u32 i;

	if (args->flags || !args->count || !args->first_seqno ||
	    args->record_size != sizeof(*recs))
		return -EINVAL;
	if (args->count > SIMGPU_VM_BIND_RECORDS)
		return -E2BIG;

	vm = simgpu_vm_lookup(sfile, args->vm_id);
	if (!vm)
		return -ENOENT;
	recs = kvmalloc_array(args->count, sizeof(*recs), GFP_KERNEL);
	if (!recs) {
		ret = -ENOMEM;
		goto out_put;
	}

	spin_lock(&vm->records_lock);
	for (i = 0; i < args->count; i++) {
		struct simgpu_bind_slot *slot =
			simgpu_records_find(&vm->records, args->first_seqno + i,
					    vm->last_bind_seqno,
					    struct simgpu_bind_slot, rec.seqno);

		if (IS_ERR(slot)) {
			ret = PTR_ERR(slot);
			break;
		}
		simgpu_bind_slot_settle(slot);
		recs[i] = slot->rec;
	}
	spin_unlock(&vm->records_lock);

	if (!ret && copy_to_user(u64_to_user_ptr(args->records), recs,
				 array_size(args->count, sizeof(*recs))))
		ret = -EFAULT;
	kvfree(recs);
out_put:
	simgpu_vm_put(vm);
	return ret;
}

/* ---- asynchronous binds ------------------------------------------------ */

static inline struct simgpu_bind_job *to_bind_job(struct drm_sched_job *j)
{
	return container_of(j, struct simgpu_bind_job, base);
}

/* Release the job's page reservation: throttled binds may go. */
static void simgpu_bind_job_unreserve(struct simgpu_bind_job *job)
{
	struct simgpu_vm *vm = job->vm;

	if (!job->pages)
		return;
	atomic64_sub(job->pages, &vm->inflight_pages);
	job->pages = 0;
	wake_up_all(&vm->throttle_wq);
}

/* Everything but the scheduler's part; the job was never armed or is done. */
static void simgpu_bind_job_free(struct simgpu_bind_job *job)
{
	struct simgpu_vm *vm = job->vm;
	struct simgpu_device *sdev = vm->sdev;
	struct simgpu_held_bo *h, *htmp;
	struct simgpu_pt_op *op, *otmp;

	list_for_each_entry_safe(op, otmp, &job->pt_ops, link)
		kfree(op);
	mutex_lock(&vm->pt_lock);
	simgpu_pool_drain(vm, &job->pool);
	mutex_unlock(&vm->pt_lock);
	simgpu_bind_job_unreserve(job);
	list_for_each_entry_safe(h, htmp, &job->held, link) {
		struct drm_gem_object *obj = h->vm_bo->obj;

		drm_gem_object_get(obj);
		dma_resv_lock(obj->resv, NULL);
		drm_gpuvm_bo_put(h->vm_bo);
		dma_resv_unlock(obj->resv);
		drm_gem_object_put(obj);
		kfree(h);
	}
	simgpu_signals_fini(&job->signals);
	simgpu_hw_fence_job_done(job->fence, false, NULL);
	simgpu_vm_put(vm);
	kfree(job);
	if (atomic_dec_and_test(&sdev->bind_jobs_live))
		wake_up_all(&sdev->bind_idle_wq);
}

/*
 * Apply the recorded updates with the reserved pages. This is the fence
 * signalling path: no lock held here is held while allocating with
 * reclaim, and a late allocation (policy none) may not reclaim either.
 */
static struct dma_fence *simgpu_bind_run_job(struct drm_sched_job *sched_job)
{
	struct simgpu_bind_job *job = to_bind_job(sched_job);
	struct simgpu_vm *vm = job->vm;
	u64 start = ktime_get_ns(), done;
	struct simgpu_pt_op *op;
	int ret = 0;

	simgpu_bind_record_stage(vm, job->seqno, start, 0);
	mutex_lock(&vm->pt_lock);
	list_splice_init(&job->pool, &vm->pool);
	vm->in_run_job = true;
	/* The VM was torn down without waiting for us: nothing to apply. */
	if (!vm->root)
		ret = -ECANCELED;
	list_for_each_entry(op, &job->pt_ops, link) {
		if (ret)
			break;
		if (op->kind == SIMGPU_PT_OP_MAP)
			ret = simgpu_pt_map(vm, vm->root, PT_LEVELS - 1, op->va,
					    op->end, op->leaf);
		else if (op->kind == SIMGPU_PT_OP_CLEAR)
			ret = simgpu_pt_clear(vm, vm->root, PT_LEVELS - 1,
					      op->va, op->end);
		else
			simgpu_pt_prune(vm, vm->root, PT_LEVELS - 1, op->va,
					op->end);
	}
	vm->in_run_job = false;
	simgpu_pool_drain(vm, &vm->pool);
	if (ret)
		WRITE_ONCE(vm->unusable, true);
	vm->stats.last_ioctl_ns = job->ioctl_ns;
	vm->stats.last_apply_ns = start;
	done = ktime_get_ns();
	vm->stats.last_done_ns = done;
	vm->stats.apply_ns += done - start;
	mutex_unlock(&vm->pt_lock);
	simgpu_bind_record_stage(vm, job->seqno, 0, done);
	simgpu_bind_job_unreserve(job);

	/* Done already; returned so the scheduler fence holds it as parent. */
	dma_fence_init(&job->fence->base, &simgpu_hw_fence_ops,
		       &job->fence->lock, vm->sdev->bind_fence_context,
		       ++vm->sdev->bind_fence_seqno);
	/* One reference is the job's, the returned one the scheduler's. */
	dma_fence_get(&job->fence->base);
	job->fence_live = true;
	if (ret) {
		dma_fence_set_error(&job->fence->base, ret);
		/* 6.1's scheduler does not pass the parent's error on. */
		dma_fence_set_error(&sched_job->s_fence->finished, ret);
	}
	dma_fence_signal(&job->fence->base);
	return &job->fence->base;
}

/* Bind jobs have no timeout (MAX_SCHEDULE_TIMEOUT); never called. */
static enum drm_gpu_sched_stat
simgpu_bind_timedout_job(struct drm_sched_job *sched_job)
{
	return SIMGPU_SCHED_STAT_RESET;
}

static void simgpu_bind_free_job(struct drm_sched_job *sched_job)
{
	struct simgpu_bind_job *job = to_bind_job(sched_job);

	/* Pushed, so armed: a killed job's fence becomes the parent. */
	simgpu_hw_fence_job_done(job->fence, job->fence_live,
				 sched_job->s_fence);
	job->fence = NULL;
	drm_sched_job_cleanup(sched_job);
	simgpu_bind_job_free(job);
}

static const struct drm_sched_backend_ops simgpu_bind_sched_ops = {
	.run_job = simgpu_bind_run_job,
	.timedout_job = simgpu_bind_timedout_job,
	.free_job = simgpu_bind_free_job,
};

int simgpu_vm_init(struct simgpu_device *sdev)
{
	const struct simgpu_sched_params p = {
		.ops = &simgpu_bind_sched_ops,
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
		.credit_limit = 64,
		.timeout = MAX_SCHEDULE_TIMEOUT,
		.name = "simgpu-bind",
		.dev = sdev->drm.dev,
	};
	int ret;

	sdev->bind_fence_context = dma_fence_context_alloc(1);
	atomic_set(&sdev->bind_jobs_live, 0);
	init_waitqueue_head(&sdev->bind_idle_wq);
	ret = simgpu_sched_init_compat(&sdev->bind_sched, &p);
	sdev->bind_sched_ready = !ret;
	return ret;
}

/* Every file is closed, so every VM entity is gone; jobs may still be freed. */
void simgpu_vm_fini(struct simgpu_device *sdev)
{
	if (!sdev->bind_sched_ready)
		return;
	wait_event(sdev->bind_idle_wq, !atomic_read(&sdev->bind_jobs_live));
	drm_sched_fini(&sdev->bind_sched);
	sdev->bind_sched_ready = false;
}

static void simgpu_bind_job_abort(struct simgpu_bind_job *job)
{
	drm_sched_job_cleanup(&job->base);
	simgpu_bind_job_free(job);
}

/*
 * The job, its wait dependencies and its signal syncobjs: everything that
 * can fail on bad input, before the VM is touched.
 */
static struct simgpu_bind_job *
simgpu_bind_job_create(struct simgpu_vm *vm, struct drm_file *file,
		       const struct drm_simgpu_vm_bind *args)
{
	struct drm_simgpu_sync *syncs = NULL;
	struct simgpu_bind_job *job;
	u32 k;
	int ret;

	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&job->pt_ops);
	INIT_LIST_HEAD(&job->pool);
	INIT_LIST_HEAD(&job->held);
	job->vm = vm;
	drm_gpuvm_get(&vm->base);
	atomic_inc(&vm->sdev->bind_jobs_live);

	job->fence = simgpu_hw_fence_alloc(NULL);
	ret = job->fence ? simgpu_sched_job_init_compat(&job->base, &vm->entity,
							1, file) : -ENOMEM;
	if (ret) {
		simgpu_bind_job_free(job);
		return ERR_PTR(ret);
	}
	if (!args->sync_count)
		return job;

	syncs = kvmalloc_array(args->sync_count, sizeof(*syncs), GFP_KERNEL);
	if (!syncs) {
		ret = -ENOMEM;
		goto err;
	}
	ret = simgpu_signals_init(&job->signals, args->sync_count);
	if (ret)
		goto err;
	if (copy_from_user(syncs, u64_to_user_ptr(args->syncs),
			   array_size(args->sync_count, sizeof(*syncs)))) {
		ret = -EFAULT;
		goto err;
	}
	for (k = 0; k < args->sync_count; k++) {
		ret = simgpu_check_sync(&syncs[k]);
		if (!ret)
			ret = simgpu_job_add_sync(file, &job->base, &job->signals,
						  &syncs[k]);
		if (ret)
			goto err;
	}
	kvfree(syncs);
	return job;

err:
	kvfree(syncs);
	simgpu_bind_job_abort(job);
	return ERR_PTR(ret);
}

/*
 * Nothing fails from here: the job is published. A bind whose ioctl
 * succeeded has a @rec to record and gets its seqno, returned.
 */
static u64 simgpu_bind_job_push(struct simgpu_vm *vm,
				struct simgpu_bind_job *job,
				const struct drm_simgpu_vm_bind_record *rec)
{
	struct dma_fence *finished;
	u64 seqno = 0;

	drm_sched_job_arm(&job->base);
	finished = &job->base.s_fence->finished;
	if (rec)
		seqno = simgpu_bind_record_add(vm, rec, finished);
	job->seqno = seqno;
	simgpu_signals_publish(&job->signals, finished);
	dma_fence_put(vm->last_fence);
	vm->last_fence = dma_fence_get(finished);
	drm_sched_entity_push_job(&job->base);
	return seqno;
}

/* Synchronous binds come after every asynchronous bind queued before. */
static int simgpu_vm_wait_idle(struct simgpu_vm *vm)
{
	long ret;

	if (!vm->last_fence)
		return 0;
	ret = dma_fence_wait(vm->last_fence, true);
	if (ret)
		return ret;
	dma_fence_put(vm->last_fence);
	vm->last_fence = NULL;
	return 0;
}

/*
 * msm's throttling: wait (or -EAGAIN) while the pages reserved by queued
 * binds and this one would exceed the cap; a bind larger than the cap runs
 * alone. Drops and retakes vm->lock while waiting.
 */
static int simgpu_bind_throttle(struct simgpu_vm *vm, u64 pages, bool nonblock)
{
	u64 cap = max(1ul, READ_ONCE(simgpu_vm_max_inflight_pages));
	int ret;

	for (;;) {
		u64 inflight = atomic64_read(&vm->inflight_pages);

		if (!inflight || inflight + pages <= cap)
			return 0;
		if (nonblock)
			return -EAGAIN;
		mutex_unlock(&vm->lock);
		ret = wait_event_interruptible(vm->throttle_wq,
			!atomic64_read(&vm->inflight_pages) ||
			atomic64_read(&vm->inflight_pages) + pages <= cap);
		mutex_lock(&vm->lock);
		if (ret)
			return ret;
		if (vm->dying)
			return -ENOENT;
	}
}

/*
 * DRM_IOCTL_SIMGPU_VM_BIND: apply a batch of MAP, MAP_NULL and UNMAP ops,
 * in order, synchronously. Page-table pages are reserved first according
 * to the VM's policy; the pages not used are freed when the batch is done.
 *
 * Errors before any op is applied leave the VM unchanged:
 * -EINVAL: unknown flags or op, non-zero pad/flags, syncs given, op_count 0,
 *          wrong op_stride, unaligned or empty range, handle or offset on a
 *          non-MAP op, BO range past the end of the BO
 * -E2BIG: op_count above SIMGPU_VM_MAX_BIND_OPS
 * -EOVERFLOW: va + size wraps
 * -ERANGE: range outside the VA space or inside the kernel range
 * -ENOENT: unknown VM or BO handle
 * -ENOSPC: too many BOs mapped in the VM; the page-table pages reserved
 *          would take the VM above vm_max_pt_pages, or all VMs of the
 *          device above vm_max_pt_pages_total
 * -EINTR: the caller was killed while pages were reserved
 * -EFAULT, -ENOMEM (reserving pages)
 * A failure while applying (-ENOMEM: a page allocated late, or one past
 * vm_max_pt_pages or vm_max_pt_pages_total under the policy none, a
 * mapping record) leaves the ops before it applied and marks the VM
 * unusable: later binds fail with -EIO, as msm does.
 *
 * On success @seqno numbers the bind's record for VM_BIND_QUERY.
 */
int simgpu_ioctl_vm_bind(struct drm_device *dev, void *data,
			 struct drm_file *file)
{
	struct simgpu_file *sfile = file->driver_priv;
	struct drm_simgpu_vm_bind *args = data;
	bool async = args->flags & SIMGPU_VM_BIND_ASYNC;
	struct drm_simgpu_vm_bind_record rec = {};
	struct simgpu_bind_job *job = NULL;
	struct drm_simgpu_vm_bind_op *ops;
	struct drm_gem_object **objs;
	u64 ioctl_ns = ktime_get_ns(), apply_ns, pages;
	struct simgpu_vm *vm;
	u32 i, checked = 0;
	int ret;

	simgpu_inject_delay(SIMGPU_INJECT_VM_BIND);
	/* An output: what the caller left there is not echoed back. */
	args->seqno = 0;
	if (args->flags & ~SIMGPU_VM_BIND_FLAGS || args->pad)
		return -EINVAL;
	if (!async && (args->flags || args->sync_count || args->syncs))
		return -EINVAL;
	if (args->sync_count > SIMGPU_MAX_SYNCS_PER_JOB)
		return -E2BIG;
	if (!args->op_count)
		return -EINVAL;
	if (args->op_count > SIMGPU_VM_MAX_BIND_OPS)
		return -E2BIG;
	if (args->op_stride != sizeof(*ops))
		return -EINVAL;

	vm = simgpu_vm_lookup(sfile, args->vm_id);
	if (!vm)
		return -ENOENT;

	ops = kvmalloc_array(args->op_count, sizeof(*ops), GFP_KERNEL);
	objs = kvcalloc(args->op_count, sizeof(*objs), GFP_KERNEL);
	if (!ops || !objs) {
		ret = -ENOMEM;
		goto out_free;
	}
	if (copy_from_user(ops, u64_to_user_ptr(args->ops),
			   array_size(args->op_count, sizeof(*ops)))) {
		ret = -EFAULT;
		goto out_free;
	}
	for (checked = 0; checked < args->op_count; checked++) {
		ret = simgpu_bind_op_check(vm, file, &ops[checked],
					   &objs[checked]);
		if (ret)
			goto out_put_objs;
	}
	if (async) {
		job = simgpu_bind_job_create(vm, file, args);
		if (IS_ERR(job)) {
			ret = PTR_ERR(job);
			job = NULL;
			goto out_put_objs;
		}
		job->ioctl_ns = ioctl_ns;
	}

	mutex_lock(&vm->lock);
	/* Destroyed while this bind looked it up. */
	if (vm->dying) {
		ret = -ENOENT;
		goto out_unlock;
	}
	if (!async) {
		ret = simgpu_vm_wait_idle(vm);
		if (ret)
			goto out_unlock;
	}
	if (READ_ONCE(vm->unusable)) {
		ret = -EIO;
		goto out_unlock;
	}

	pages = simgpu_bind_prealloc_count(vm, ops, args->op_count);
	if (async) {
		ret = simgpu_bind_throttle(vm, pages,
					   args->flags & SIMGPU_VM_BIND_NONBLOCK);
		if (ret)
			goto out_unlock;
		ret = simgpu_pool_fill(vm, &job->pool, pages);
		if (ret)
			goto out_unlock;
		job->pages = pages;
		atomic64_add(pages, &vm->inflight_pages);
	} else {
		ret = simgpu_pool_fill(vm, &vm->pool, pages);
		if (ret)
			goto out_drain;
	}

	apply_ns = ktime_get_ns();
	for (i = 0; i < args->op_count; i++) {
		ret = simgpu_bind_op_apply(vm, &ops[i], objs[i], job);
		if (ret) {
			WRITE_ONCE(vm->unusable, true);
			drm_dbg_driver(dev, "VM %u: bind op %u failed (%d)\n",
				       args->vm_id, i, ret);
			break;
		}
	}
	rec.ioctl_ns = ioctl_ns;
	rec.op_count = args->op_count;
	rec.flags = args->flags;
	if (async) {
		rec.status = SIMGPU_JOB_STATUS_QUEUED;
		/* What was decided must reach the page table, even on error. */
		args->seqno = simgpu_bind_job_push(vm, job, ret ? NULL : &rec);
		job = NULL;
	} else if (!ret) {
		vm->stats.last_done_ns = ktime_get_ns();
		vm->stats.last_ioctl_ns = ioctl_ns;
		vm->stats.last_apply_ns = apply_ns;
		vm->stats.apply_ns += vm->stats.last_done_ns - apply_ns;
		rec.run_ns = apply_ns;
		rec.pt_done_ns = vm->stats.last_done_ns;
		rec.signal_ns = rec.pt_done_ns;
		rec.status = SIMGPU_JOB_STATUS_DONE;
		args->seqno = simgpu_bind_record_add(vm, &rec, NULL);
	}
	if (!ret) {
		vm->stats.binds++;
		vm->stats.bind_ops += args->op_count;
	}

out_drain:
	if (!async)
		simgpu_pool_drain(vm, &vm->pool);
out_unlock:
	mutex_unlock(&vm->lock);
out_put_objs:
	if (job)
		simgpu_bind_job_abort(job);
	for (i = 0; i < checked; i++)
		if (objs[i])
			drm_gem_object_put(objs[i]);
out_free:
	kvfree(objs);
	kvfree(ops);
	simgpu_vm_put(vm);
	return ret;
}

/* The handle of @obj in @file: a debug path, so a walk of the handles. */
static u32 simgpu_handle_of(struct drm_file *file, struct drm_gem_object *obj)
{
	struct drm_gem_object *o;
	u32 found = 0;
	int id;

	spin_lock(&file->table_lock);
	idr_for_each_entry(&file->object_idr, o, id) {
		if (o == obj) {
			found = id;
			break;
		}
	}
	spin_unlock(&file->table_lock);
	return found;
}

/* Walk the page table for @va as the GPU would. */
static void simgpu_vm_translate(struct simgpu_vm *vm, struct drm_file *file,
				struct drm_simgpu_vm_query *args)
{
	u64 *table = vm->root;
	u32 level = PT_LEVELS - 1;
	struct drm_gem_object *obj;
	struct simgpu_vm_bo *svbo;
	u64 pte;

	for (;;) {
		pte = table[pt_index(args->va, level)];
		if (!(pte & PTE_VALID))
			return;
		if (!pte_is_table(pte, level))
			break;
		table = pte_table(pte);
		level--;
	}
	args->page_size = pt_entry_span(level);
	if (pte & PTE_NULL) {
		args->mapping = SIMGPU_VM_MAPPING_NULL;
		return;
	}
	args->mapping = SIMGPU_VM_MAPPING_BO;
	args->bo_offset = (pte & PTE_OFFSET_MASK) +
			  (args->va & (args->page_size - 1));
	/*
	 * A bind job whose run_job failed drops the vm_bos it held without
	 * the VM's locks, leaving leaves with their id: the vm_bo may be
	 * going while we look. Only the object's address is used, to find a
	 * handle of this file.
	 */
	rcu_read_lock();
	svbo = xa_load(&vm->bo_ids, pte >> PTE_BO_SHIFT);
	obj = svbo ? READ_ONCE(svbo->base.obj) : NULL;
	rcu_read_unlock();
	if (obj)
		args->handle = simgpu_handle_of(file, obj);
}

/*
 * DRM_IOCTL_SIMGPU_VM_QUERY: translate @va through the page table and
 * report the VM's counters.
 *
 * -EINVAL: non-zero flags
 * -ENOENT: unknown VM
 */
int simgpu_ioctl_vm_query(struct drm_device *dev, void *data,
			  struct drm_file *file)
{
	struct simgpu_file *sfile = file->driver_priv;
	struct drm_simgpu_vm_query *args = data;
	struct simgpu_vm *vm;
	struct drm_gpuva *va;
	u64 mappings = 0;

	if (args->flags)
		return -EINVAL;
	vm = simgpu_vm_lookup(sfile, args->vm_id);
	if (!vm)
		return -ENOENT;

	mutex_lock(&vm->lock);
	mutex_lock(&vm->pt_lock);
	args->mapping = SIMGPU_VM_MAPPING_NONE;
	args->handle = 0;
	args->bo_offset = 0;
	args->page_size = 0;
	if (vm->root && args->va < VM_VA_END)
		simgpu_vm_translate(vm, file, args);
	drm_gpuvm_for_each_va(va, &vm->base)
		mappings++;
	args->vm_flags = vm->flags;
	args->prealloc = vm->prealloc;
	args->kernel_va_start = vm->kernel_va_start;
	args->kernel_va_size = vm->kernel_va_size;
	/* The kernel-reserved range is a node of the tree, not a mapping. */
	args->mappings = mappings - !!vm->kernel_va_size;
	args->binds = vm->stats.binds;
	args->bind_ops = vm->stats.bind_ops;
	args->tables_live = vm->stats.tables_live;
	args->tables_preallocated = vm->stats.tables_preallocated;
	args->tables_prealloc_used = vm->stats.tables_prealloc_used;
	args->tables_returned = vm->stats.tables_returned;
	args->tables_allocated_late = vm->stats.tables_allocated_late;
	args->tables_freed = vm->stats.tables_freed;
	args->prealloc_ns = vm->stats.prealloc_ns;
	args->apply_ns = vm->stats.apply_ns;
	args->last_bind_ioctl_ns = vm->stats.last_ioctl_ns;
	args->last_bind_apply_ns = vm->stats.last_apply_ns;
	args->last_bind_done_ns = vm->stats.last_done_ns;
	args->unusable = READ_ONCE(vm->unusable);
	args->queues = vm->queues;
	spin_lock(&vm->records_lock);
	args->last_bind_seqno = vm->last_bind_seqno;
	spin_unlock(&vm->records_lock);
	mutex_unlock(&vm->pt_lock);
	mutex_unlock(&vm->lock);

	simgpu_vm_put(vm);
	return 0;
}

#else /* !SIMGPU_HAS_VM_BIND */

/*
 * No drm_gpuvm on this kernel: VM_BIND is reported unsupported
 * (SIMGPU_FEATURE_VM_BIND is 0) rather than reimplemented here.
 */
int simgpu_vm_prealloc_parse(const char *name)
{
	return SIMGPU_VM_PREALLOC_BATCHED;
}

void simgpu_vms_destroy(struct simgpu_file *sfile)
{
}

int simgpu_vm_init(struct simgpu_device *sdev)
{
	return 0;
}

void simgpu_vm_fini(struct simgpu_device *sdev)
{
}

int simgpu_ioctl_vm_create(struct drm_device *dev, void *data,
			   struct drm_file *file)
{
	return -EOPNOTSUPP;
}

int simgpu_ioctl_vm_destroy(struct drm_device *dev, void *data,
			    struct drm_file *file)
{
	return -EOPNOTSUPP;
}

int simgpu_ioctl_vm_bind(struct drm_device *dev, void *data,
			 struct drm_file *file)
{
	return -EOPNOTSUPP;
}

int simgpu_ioctl_vm_query(struct drm_device *dev, void *data,
			  struct drm_file *file)
{
	return -EOPNOTSUPP;
}

int simgpu_ioctl_vm_bind_query(struct drm_device *dev, void *data,
			       struct drm_file *file)
{
	return -EOPNOTSUPP;
}

/* No VM can exist, so a queue cannot name one. */
struct simgpu_vm *simgpu_vm_queue_attach(struct simgpu_file *sfile, u32 vm_id)
{
	return ERR_PTR(-EOPNOTSUPP);
}

void simgpu_vm_queue_detach(struct simgpu_vm *vm)
{
}

void simgpu_vm_put(struct simgpu_vm *vm)
{
}

int simgpu_vm_check_usable(struct simgpu_vm *vm)
{
	return 0;
}

#endif /* SIMGPU_HAS_VM_BIND */
