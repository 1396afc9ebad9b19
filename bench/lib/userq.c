// SPDX-License-Identifier: MIT
/* User-queue ring arithmetic, waiters, enum names; the producer is inline in userq.h. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "measure.h"
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

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

static int reached(const struct drmb_userq_ring *r, unsigned int sync, uint64_t value)
{
	return __atomic_load_n(&r->sync[sync], __ATOMIC_ACQUIRE) >= value;
}

static int faulty(const struct drmb_userq_ring *r)
{
	return __atomic_load_n(r->state_io, __ATOMIC_ACQUIRE) == r->state_faulty;
}

int drmb_userq_ring_wait(const struct drmb_userq_ring *r, int eventfd, unsigned int sync,
			 uint64_t value, enum drmb_userq_wait how, uint64_t timeout_ns)
{
	uint64_t deadline = drmb_now_ns() + timeout_ns;
	struct pollfd pfd = { .fd = eventfd, .events = POLLIN };
	unsigned long spins = 0;
	uint64_t now, count;

	if (sync >= r->nsyncs)
		return -EINVAL;
	switch (how) {
	case DRMB_USERQ_WAIT_SPIN:
		while (!reached(r, sync, value)) {
			/* The slow checks only every few thousand loads. */
			if (++spins % 4096 == 0) {
				if (faulty(r))
					return reached(r, sync, value) ? 0 : -EIO;
				if (drmb_now_ns() > deadline)
					return -ETIME;
			}
			cpu_relax();
		}
		return 0;
	case DRMB_USERQ_WAIT_EVENTFD:
		if (eventfd < 0)
			return -EINVAL;
		/* Counts of earlier notify jobs only cost one more check. */
		while (!reached(r, sync, value)) {
			if (faulty(r))
				return reached(r, sync, value) ? 0 : -EIO;
			now = drmb_now_ns();
			if (now > deadline)
				return -ETIME;
			if (poll(&pfd, 1, (int)((deadline - now) / 1000000 + 1)) < 0 &&
			    errno != EINTR)
				return -errno;
			if ((pfd.revents & POLLIN) && read(eventfd, &count, sizeof(count)) < 0 &&
			    errno != EAGAIN)
				return -errno;
		}
		return 0;
	default:
		return -EINVAL;
	}
}

int drmb_userq_opts_check(const struct drmb_userq_opts *o, const char *driver,
			  unsigned int engines, uint64_t min_ring, uint64_t max_ring,
			  uint32_t desc_size, char *why, size_t whylen)
{
	int ret;

	if ((unsigned int)o->fw_policy > DRMB_FW_SLEEP) {
		snprintf(why, whylen, "unknown firmware policy %d", o->fw_policy);
		return -EINVAL;
	}
	if (o->engine >= engines) {
		snprintf(why, whylen, "%s has %u engines, engine %u asked for",
			 driver, engines, o->engine);
		return -ENOENT;
	}
	ret = drmb_userq_ring_check(o->ring_size, min_ring, max_ring, desc_size, why, whylen);
	if (ret)
		return ret == -ERANGE ? -EOPNOTSUPP : ret;
	if (!o->nsyncs) {
		snprintf(why, whylen, "a user queue needs at least one sync object");
		return -EINVAL;
	}
	return 0;
}

void drmb_userq_reset(struct drmb_userq *q)
{
	if (q->eventfd >= 0)
		close(q->eventfd);
	memset(q, 0, sizeof(*q));
	q->eventfd = -1;
}
