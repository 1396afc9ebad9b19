// SPDX-License-Identifier: GPL-2.0
/*
 * simgpu record rings: the records by seqno that JOB_QUERY, VM_BIND_QUERY
 * and USERQ_QUERY read. A ring keeps the last @count records (a power of
 * two); the record of seqno n is in slot n % count, and a slot whose
 * record's seqno is not n was overwritten by a newer one. The caller owns
 * the locking and the seqno counter. The accessors are macros in
 * simgpu_drv.h, typed by the slot: they are on the measured paths.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/log2.h>
#include <linux/slab.h>

#include "simgpu_drv.h"

int __simgpu_records_init(struct simgpu_records *r, u32 count, size_t slot_size)
{
	if (WARN_ON(!is_power_of_2(count)))
		return -EINVAL;
	r->slots = kvcalloc(count, slot_size, GFP_KERNEL_ACCOUNT);
	if (!r->slots)
		return -ENOMEM;
	r->mask = count - 1;
	return 0;
}

void simgpu_records_fini(struct simgpu_records *r)
{
	kvfree(r->slots);
	r->slots = NULL;
}
