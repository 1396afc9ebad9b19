// SPDX-License-Identifier: GPL-2.0
/*
 * simgpu's page-table format: four levels of 512-entry tables, each one
 * 4 KiB page, mapping 4 KiB pages and, where the VM allows it, 2 MiB
 * blocks (simgpu_pgtable.h). Here: table pages (reserved in a VM's pool
 * or allocated late, counted against the VM's cap and the device's), map,
 * clear and prune of a range, and the worst-case count of tables a bind
 * can need, which the preallocation policies reserve. simgpu_vm.c drives
 * it from drm_gpuvm's split steps and includes this file (see
 * simgpu_pgtable.h for why).
 */

#include <linux/mm.h>
#include <linux/slab.h>

#include "simgpu_drv.h"
#include "simgpu_pgtable.h"

#if SIMGPU_HAS_VM_BIND

/*
 * Count @n more page-table pages in @counter unless that takes it above
 * @cap. A compare-and-exchange rather than add-then-undo: a refused bind
 * must not make a concurrent bind in another VM see a transient overshoot.
 */
static bool simgpu_pt_pages_try_add(atomic64_t *counter, u64 n, u64 cap)
{
	s64 old = atomic64_read(counter);

	do {
		if (n > cap || (u64)old > cap - n)
			return false;
	} while (!atomic64_try_cmpxchg(counter, &old, old + n));
	return true;
}

/*
 * The one place both caps are checked, whatever path takes pages: the
 * VM's (vm_max_pt_pages) and the device's, of all VMs of all files
 * (vm_max_pt_pages_total). Reserving a batch counts it here once, so
 * neither taking a reserved page for a table in run_job nor allocating
 * the reserved pages costs an atomic per page.
 */
static bool simgpu_pt_pages_charge(struct simgpu_vm *vm, u64 n)
{
	if (!n)
		return true;
	if (!simgpu_pt_pages_try_add(&vm->pt_pages, n,
				     READ_ONCE(simgpu_vm_max_pt_pages)))
		return false;
	if (!simgpu_pt_pages_try_add(&vm->sdev->vm_pt_pages, n,
				     READ_ONCE(simgpu_vm_max_pt_pages_total))) {
		atomic64_sub(n, &vm->pt_pages);
		return false;
	}
	return true;
}

static void simgpu_pt_pages_uncharge(struct simgpu_vm *vm, u64 n)
{
	if (!n)
		return;
	atomic64_sub(n, &vm->pt_pages);
	atomic64_sub(n, &vm->sdev->vm_pt_pages);
}

/*
 * Test-only fault injection: the page-table page allocation that counts
 * test_pt_alloc_fail_after down to 0 fails, so the tests can reach the
 * failure paths of reserving (no state change) and of applying (the VM
 * turns unusable). Races between VMs only move which allocation fails.
 * The caller has charged the page.
 */
static struct page *simgpu_pt_page_alloc(gfp_t gfp)
{
	u32 n = READ_ONCE(simgpu_test_pt_alloc_fail_after);

	simgpu_inject_delay(SIMGPU_INJECT_VM_PT_ALLOC);
	if (unlikely(n > 0)) {
		WRITE_ONCE(simgpu_test_pt_alloc_fail_after, n - 1);
		if (n == 1)
			return NULL;
	}
	return alloc_page(gfp | __GFP_ZERO);
}

/*
 * A page for a new table: from the pool reserved for this batch, else
 * allocated now ("late"), which is what preallocation exists to avoid.
 */
static u64 *simgpu_pt_alloc(struct simgpu_vm *vm)
{
	struct page *page;

	page = list_first_entry_or_null(&vm->pool, struct page, lru);
	if (page) {
		list_del(&page->lru);
		vm->stats.tables_prealloc_used++;
	} else {
		if (!simgpu_pt_pages_charge(vm, 1))
			return NULL;
		/*
		 * In run_job (the fence signalling path) without reclaim;
		 * in the ioctl charged to the caller's memory cgroup.
		 */
		page = simgpu_pt_page_alloc(vm->in_run_job ?
					    GFP_NOWAIT | __GFP_NOWARN :
					    GFP_KERNEL_ACCOUNT);
		if (!page) {
			simgpu_pt_pages_uncharge(vm, 1);
			return NULL;
		}
		vm->stats.tables_allocated_late++;
	}
	set_page_private(page, 0);
	vm->stats.tables_live++;
	return page_address(page);
}

static void simgpu_pt_free(struct simgpu_vm *vm, u64 *table)
{
	struct page *page = virt_to_page(table);

	set_page_private(page, 0);
	__free_page(page);
	simgpu_pt_pages_uncharge(vm, 1);
	vm->stats.tables_live--;
}

static int simgpu_pool_fill(struct simgpu_vm *vm, struct list_head *pool,
			    u64 count)
{
	u64 start = ktime_get_ns();
	struct page *page;
	int ret = 0;

	/* Fail before allocating anything, rather than at a cap. */
	if (!simgpu_pt_pages_charge(vm, count))
		return -ENOSPC;
	for (; count; count--) {
		/* A bind of a huge range: let a killed caller go. */
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		/* Charged to the caller's memory cgroup. */
		page = simgpu_pt_page_alloc(GFP_KERNEL_ACCOUNT);
		if (!page) {
			ret = -ENOMEM;
			break;
		}
		list_add(&page->lru, pool);
		vm->stats.tables_preallocated++;
	}
	/* The pages not allocated; the caller drains those that were. */
	simgpu_pt_pages_uncharge(vm, count);
	vm->stats.prealloc_ns += ktime_get_ns() - start;
	return ret;
}

/* Unused reserved pages go back once the batch is applied (or failed). */
static void simgpu_pool_drain(struct simgpu_vm *vm, struct list_head *pool)
{
	struct page *page, *tmp;
	u64 n = 0;

	list_for_each_entry_safe(page, tmp, pool, lru) {
		list_del(&page->lru);
		__free_page(page);
		n++;
	}
	simgpu_pt_pages_uncharge(vm, n);
	vm->stats.tables_returned += n;
}

/* Can [va, va + span) be one 2 MiB block mapping @leaf (its first page)? */
static bool simgpu_pt_block_ok(struct simgpu_vm *vm, u64 leaf, u64 va, u64 end)
{
	u64 span = pt_entry_span(PT_BLOCK_LEVEL);

	return vm->huge && IS_ALIGNED(va, span) && end - va >= span &&
	       ((leaf & PTE_NULL) || IS_ALIGNED(leaf & PTE_OFFSET_MASK, span));
}

/*
 * Write leaves for [va, end) into @table of @level; @leaf is the entry of
 * the first page and advances with the VA unless it is a NULL mapping.
 * The range was unmapped by drm_gpuvm's split steps before, so entries are
 * empty or are empty tables left for pruning.
 */
static int simgpu_pt_map(struct simgpu_vm *vm, u64 *table, u32 level,
			 u64 va, u64 end, u64 leaf)
{
	u64 span = pt_entry_span(level);
	int ret;

	while (va < end) {
		u64 next = min(round_down(va, span) + span, end);
		u64 *pte = &table[pt_index(va, level)];

		if (level == 0) {
			if (!*pte)
				pt_count_add(table, 1);
			*pte = leaf | PTE_VALID;
		} else if (level == PT_BLOCK_LEVEL &&
			   simgpu_pt_block_ok(vm, leaf, va, end)) {
			if (pte_is_table(*pte, level)) {
				/* Emptied by the unmap step before. */
				simgpu_pt_free(vm, pte_table(*pte));
				vm->stats.tables_freed++;
				pt_count_add(table, -1);
				*pte = 0;
			}
			if (!*pte)
				pt_count_add(table, 1);
			*pte = leaf | PTE_VALID;
		} else {
			u64 *child;

			/* A leaf here would have been cleared by the split steps. */
			if (*pte && !pte_is_table(*pte, level))
				return -EEXIST;
			if (!*pte) {
				child = simgpu_pt_alloc(vm);
				if (!child)
					return -ENOMEM;
				*pte = virt_to_phys(child) | PTE_TABLE |
				       PTE_VALID;
				pt_count_add(table, 1);
			}
			ret = simgpu_pt_map(vm, pte_table(*pte), level - 1, va,
					    next, leaf);
			if (ret)
				return ret;
		}
		if (!(leaf & PTE_NULL))
			leaf += next - va;
		va = next;
	}
	return 0;
}

/*
 * Clear the leaves of [va, end). A 2 MiB block only partly inside is split
 * into a table of 4 KiB leaves first, which needs a page. Tables left empty
 * stay until simgpu_pt_prune(), so that a remap does not free and
 * reallocate them.
 */
static int simgpu_pt_clear(struct simgpu_vm *vm, u64 *table, u32 level,
			   u64 va, u64 end)
{
	u64 span = pt_entry_span(level);
	int ret;

	while (va < end) {
		u64 next = min(round_down(va, span) + span, end);
		u64 *pte = &table[pt_index(va, level)];

		if (!*pte) {
			va = next;
			continue;
		}
		if (level == 0 ||
		    (!pte_is_table(*pte, level) && next - va == span)) {
			*pte = 0;
			pt_count_add(table, -1);
		} else {
			if (!pte_is_table(*pte, level)) {
				u64 *child = simgpu_pt_alloc(vm);
				u64 leaf = *pte;
				u32 i;

				if (!child)
					return -ENOMEM;
				for (i = 0; i < PT_ENTRIES; i++) {
					child[i] = leaf;
					if (!(leaf & PTE_NULL))
						leaf += PAGE_SIZE;
				}
				pt_count_add(child, PT_ENTRIES);
				*pte = virt_to_phys(child) | PTE_TABLE |
				       PTE_VALID;
			}
			ret = simgpu_pt_clear(vm, pte_table(*pte), level - 1,
					      va, next);
			if (ret)
				return ret;
		}
		va = next;
	}
	return 0;
}

/* Free the tables below @table in [va, end) that hold no entry. */
static void simgpu_pt_prune(struct simgpu_vm *vm, u64 *table, u32 level,
			    u64 va, u64 end)
{
	u64 span = pt_entry_span(level);

	while (va < end) {
		u64 next = min(round_down(va, span) + span, end);
		u64 *pte = &table[pt_index(va, level)];

		if (pte_is_table(*pte, level)) {
			u64 *child = pte_table(*pte);

			simgpu_pt_prune(vm, child, level - 1, va, next);
			if (!pt_count(child)) {
				simgpu_pt_free(vm, child);
				vm->stats.tables_freed++;
				*pte = 0;
				pt_count_add(table, -1);
			}
		}
		va = next;
	}
}

/*
 * Worst-case table pages a map of [va, va + size) may need, by level:
 * one per 512 GiB, 1 GiB and 2 MiB span it touches (fewer 2 MiB tables
 * where blocks can be used). With @shared, spans equal to the last span
 * counted for the previous op are not counted again: msm's sharing for
 * sorted batches. @last holds the last span counted per level.
 */
static u64 simgpu_pt_worst_case(struct simgpu_vm *vm, u64 va, u64 size,
				u64 bo_offset, bool null, bool shared,
				u64 last[PT_LEVELS])
{
	u64 end = va + size, pages = 0;
	u32 level;

	for (level = PT_LEVELS - 1; level-- > 0;) {
		/* A table at @level covers one entry of the level above. */
		u32 shift = PAGE_SHIFT + 9 * (level + 1);
		u64 first = va >> shift, final = (end - 1) >> shift;
		u64 n = final - first + 1;

		if (level == 0 && vm->huge &&
		    (null || IS_ALIGNED(bo_offset - va, SZ_2M))) {
			/* Only the partial 2 MiB ends need 4 KiB tables. */
			bool head = !IS_ALIGNED(va, SZ_2M);
			bool tail = !IS_ALIGNED(end, SZ_2M);

			n = head + tail;
			if (first == final && n)
				n = 1;
			if (!head)
				first = ~0ull;
			if (!tail)
				final = head ? first : ~0ull;
		}
		if (shared && n && first == last[level])
			n--;
		if (n)
			last[level] = final;
		pages += n;
	}
	return pages;
}

/* An unmap splits at most the blocks at its two ends. */
static u64 simgpu_pt_unmap_worst_case(struct simgpu_vm *vm, u64 va, u64 size)
{
	u64 end = va + size;

	if (!vm->huge)
		return 0;
	if ((va >> 21) == ((end - 1) >> 21))
		return !IS_ALIGNED(va, SZ_2M) || !IS_ALIGNED(end, SZ_2M);
	return !IS_ALIGNED(va, SZ_2M) + !IS_ALIGNED(end, SZ_2M);
}

/* Whatever path fails, nothing of the VM may outlive it: free every table. */
static void simgpu_pt_free_all(struct simgpu_vm *vm, u64 *table, u32 level)
{
	u32 i;

	for (i = 0; level > 0 && i < PT_ENTRIES; i++)
		if (pte_is_table(table[i], level))
			simgpu_pt_free_all(vm, pte_table(table[i]), level - 1);
	simgpu_pt_free(vm, table);
}

#endif /* SIMGPU_HAS_VM_BIND */
