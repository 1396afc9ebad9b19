/* SPDX-License-Identifier: GPL-2.0 */
/*
 * simgpu's page-table format (simgpu_pgtable.c), private to the VM code.
 *
 * simgpu_pgtable.c is not a translation unit of its own: simgpu_vm.c
 * includes it, so its functions stay static and the compiler inlines and
 * specialises them into the bind path as it did while they lived in
 * simgpu_vm.c (calls across files cost a VM_BIND of 64 4 KiB pages 1.4%).
 */
#ifndef SIMGPU_PGTABLE_H
#define SIMGPU_PGTABLE_H

#include <linux/mm.h>

#include "simgpu_drv.h"

#if SIMGPU_HAS_VM_BIND

/*
 * Page-table entries. A leaf (level 0, or a 2 MiB block at level 1) holds
 * the BO's per-VM id and the byte offset in the BO; a table entry holds the
 * physical address of the next-level table.
 */
#define PTE_VALID		BIT_ULL(0)
#define PTE_TABLE		BIT_ULL(1)
#define PTE_NULL		BIT_ULL(2)
#define PTE_OFFSET_MASK		GENMASK_ULL(43, 12)
#define PTE_BO_SHIFT		44
#define PTE_BO_MAX		((1u << (63 - PTE_BO_SHIFT)) - 1)
#define PTE_ADDR_MASK		GENMASK_ULL(51, 12)

#define PT_ENTRIES		512
#define PT_LEVELS		4
#define PT_BLOCK_LEVEL		1
#define VM_VA_END		BIT_ULL(SIMGPU_VM_VA_BITS)

/* Bytes one entry of a table at @level maps. */
static inline u64 pt_entry_span(u32 level)
{
	return 1ull << (PAGE_SHIFT + 9 * level);
}

static inline u32 pt_index(u64 va, u32 level)
{
	return (va >> (PAGE_SHIFT + 9 * level)) & (PT_ENTRIES - 1);
}

static inline bool pte_is_table(u64 pte, u32 level)
{
	return level > 0 && (pte & PTE_TABLE);
}

static inline u64 *pte_table(u64 pte)
{
	return phys_to_virt(pte & PTE_ADDR_MASK);
}

/* A table's count of non-zero entries lives in its page's private field. */
static inline void pt_count_add(u64 *table, long delta)
{
	struct page *page = virt_to_page(table);

	set_page_private(page, page_private(page) + delta);
}

static inline unsigned long pt_count(u64 *table)
{
	return page_private(virt_to_page(table));
}

#endif /* SIMGPU_HAS_VM_BIND */
#endif
