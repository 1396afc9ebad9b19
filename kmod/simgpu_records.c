// SPDX-License-Identifier: GPL-2.0
/*
 * simgpu record rings: the records by seqno that JOB_QUERY, VM_BIND_QUERY
 * and USERQ_QUERY read. A ring keeps the last @count records (a power of
 * two); the record of seqno n is in slot n % count, and a slot whose
 * record's seqno is not n was overwritten by a newer one. The caller owns
 * the locking and the seqno counter.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/log2.h>
#include <linux/slab.h>

#include "simgpu_drv.h"

int __simgpu_records_init(struct simgpu_records *r, u32 count,
			  size_t slot_size, size_t seqno_offset)
{
	if (WARN_ON(!is_power_of_2(count)))
		return -EINVAL;
	r->slots = kvcalloc(count, slot_size, GFP_KERNEL_ACCOUNT);
	if (!r->slots)
		return -ENOMEM;
	r->slot_size = slot_size;
	r->seqno_offset = seqno_offset;
	r->mask = count - 1;
	return 0;
}

void simgpu_records_fini(struct simgpu_records *r)
{
	kvfree(r->slots);
	r->slots = NULL;
}

void *simgpu_records_slot(const struct simgpu_records *r, u64 seqno)
{
	return (u8 *)r->slots + (seqno & r->mask) * r->slot_size;
}

/*
 * The slot of seqno @seqno, given that @last is the newest seqno given
 * out; ERR_PTR(-ENOENT) for 0 or a seqno above @last, ERR_PTR(-ENODATA)
 * for one whose record a newer one overwrote.
 */
void *simgpu_records_find(const struct simgpu_records *r, u64 seqno, u64 last)
{
	void *slot;

	if (!seqno || seqno > last)
		return ERR_PTR(-ENOENT);
	slot = simgpu_records_slot(r, seqno);
	if (*(u64 *)((u8 *)slot + r->seqno_offset) != seqno)
		return ERR_PTR(-ENODATA);
	return slot;
}
