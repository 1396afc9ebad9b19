// SPDX-License-Identifier: MIT
/* User-queue ring arithmetic and the names of the user-queue enums. */
#include <errno.h>
#include <stdio.h>

#include "userq.h"

const char *const drmb_fw_policy_names[] = {
	[DRMB_FW_DEFAULT] = "default",
	[DRMB_FW_BUSY] = "busy",
	[DRMB_FW_POLL] = "poll",
	[DRMB_FW_SLEEP] = "sleep",
	NULL,
};

const char *const drmb_userq_wait_names[] = {
	[DRMB_USERQ_WAIT_SPIN] = "spin",
	[DRMB_USERQ_WAIT_IOCTL] = "ioctl",
	[DRMB_USERQ_WAIT_EVENTFD] = "eventfd",
	NULL,
};

int drmb_userq_ring_check(uint64_t ring_size, uint64_t min, uint64_t max,
			  uint32_t desc_size, char *why, size_t whylen)
{
	if (!ring_size || (ring_size & (ring_size - 1))) {
		snprintf(why, whylen, "ring size %llu is not a power of two",
			 (unsigned long long)ring_size);
		return -EINVAL;
	}
	if (!desc_size || ring_size % desc_size) {
		snprintf(why, whylen, "ring size %llu does not hold whole %u-byte descriptors",
			 (unsigned long long)ring_size, desc_size);
		return -EINVAL;
	}
	if (ring_size < min || ring_size > max) {
		snprintf(why, whylen, "ring size %llu outside the driver's %llu..%llu bytes",
			 (unsigned long long)ring_size, (unsigned long long)min,
			 (unsigned long long)max);
		return -ERANGE;
	}
	return 0;
}

int64_t drmb_userq_ring_space(uint64_t insert, uint64_t extract, uint32_t ring_size,
			      uint32_t desc_size)
{
	uint64_t used;

	if (extract > insert || extract % desc_size)
		return -EIO;
	used = insert - extract;
	if (used > ring_size)
		return -EIO;
	return (int64_t)((ring_size - used) / desc_size);
}
