/* SPDX-License-Identifier: MIT */
/*
 * User-queue ring arithmetic, shared by the backends that implement
 * struct drmb_backend's userq_*() ops and tested on its own. Insert and
 * extract are free-running byte counts (a descriptor's ring position is
 * the count modulo the ring size), as in panthor's user I/O page.
 */
#ifndef DRMB_USERQ_H
#define DRMB_USERQ_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "drmb.h"

/*
 * 0 if ring_size is a power of two in [min, max] holding whole
 * descriptors, else -EINVAL/-ERANGE with the reason in why.
 */
int drmb_userq_ring_check(uint64_t ring_size, uint64_t min, uint64_t max,
			  uint32_t desc_size, char *why, size_t whylen);

/*
 * Descriptors that fit between insert and extract, or -EIO when extract
 * is a value the firmware cannot have written (past insert, more than a
 * ring behind, not a whole descriptor): a producer never trusts it.
 */
int64_t drmb_userq_ring_space(uint64_t insert, uint64_t extract, uint32_t ring_size,
			      uint32_t desc_size);

/* Byte offset in the ring of the descriptor published at insert. */
static inline uint64_t drmb_userq_ring_pos(uint64_t insert, uint32_t ring_size)
{
	return insert & (ring_size - 1);
}

/*
 * The value a producer keeping at most `depth` jobs in flight must see
 * completed before it adds `batch` more after `submitted` (jobs numbered
 * from 1, job n signalling value n); 0 when it need not wait.
 */
static inline uint64_t drmb_userq_throttle(uint64_t submitted, unsigned int batch,
					   unsigned int depth)
{
	return submitted + batch > depth ? submitted + batch - depth : 0;
}

/*
 * The checks of a userq_create() every backend makes: the firmware policy,
 * the engine (of engines), the ring (ring_check) and at least one sync
 * object. 0, or -EINVAL/-ENOENT/-EOPNOTSUPP (a ring size the driver does
 * not take) with the reason, naming driver, in why.
 */
int drmb_userq_opts_check(const struct drmb_userq_opts *o, const char *driver,
			  unsigned int engines, uint64_t min_ring, uint64_t max_ring,
			  uint32_t desc_size, char *why, size_t whylen);

/* The end of a userq_destroy(): closes q's eventfd, leaves q empty (eventfd -1). */
void drmb_userq_reset(struct drmb_userq *q);

/*
 * A user queue's memory as its producer sees it, wherever it lives (a
 * driver's mappings, or malloc'd for a userspace firmware): the ring, the
 * words of the user I/O page, the doorbell and the 64-bit sync objects.
 * The backends share the producer and the waiters below.
 */
struct drmb_userq_ring {
	void *ring;
	uint32_t ring_size;		/* bytes, a power of two */
	uint64_t *insert_io;		/* published insert: the firmware reads it */
	const uint64_t *extract_io;	/* the firmware's extract */
	const uint32_t *state_io;	/* the queue state the firmware writes */
	uint32_t state_inactive;	/* state values: kick to reactivate ... */
	uint32_t state_faulty;		/* ... and stopped for good */
	uint32_t *doorbell;
	uint64_t *sync;
	unsigned int nsyncs;
	uint64_t insert;		/* the producer's own copy */
	uint32_t doorbell_count;
};

/* Writes one job as a descriptor at desc; seqno numbers it (from 1). */
typedef void drmb_userq_encode_fn(void *desc, const struct drmb_userq_job *j,
				  uint64_t seqno);

/*
 * The producer side of the memory-ordering contract (simgpu_drm.h): writes
 * the descriptors, publishes insert with a release store, rings the
 * doorbell. 1 when the firmware must be kicked (the queue went inactive),
 * else 0; -EAGAIN when the ring lacks room, -EINVAL for a bad job, -EIO
 * once the queue faulted. *first_seqno (if not NULL) numbers the first job.
 * desc_size is the bytes per descriptor.
 * Inline so that each backend's submit gets its own copy with its encode()
 * inlined and its descriptor size a constant (a division by a shift): out
 * of line, calling encode() per job, it cost UserSubmitThroughput 9
 * instructions a job, and a desc_size read from the ring another 3.
 */
static inline __attribute__((always_inline)) int
drmb_userq_ring_submit(struct drmb_userq_ring *r, const struct drmb_userq_job *jobs,
		       unsigned int njobs, drmb_userq_encode_fn *encode, const uint32_t desc_size,
		       uint64_t *first_seqno)
{
	uint64_t extract = __atomic_load_n(r->extract_io, __ATOMIC_ACQUIRE);
	int64_t space = drmb_userq_ring_space(r->insert, extract, r->ring_size, desc_size);
	uint64_t at = r->insert;
	uint32_t state;
	unsigned int i;

	if (space < 0)
		return -EIO;
	if (!njobs || njobs > (uint64_t)space)
		return njobs ? -EAGAIN : -EINVAL;
	for (i = 0; i < njobs; i++) {
		const struct drmb_userq_job *j = &jobs[i];

		if (j->signal_sync >= r->nsyncs || (j->wait && j->wait_sync >= r->nsyncs))
			return -EINVAL;
		encode((char *)r->ring + drmb_userq_ring_pos(at, r->ring_size), j,
		       at / desc_size + 1);
		at += desc_size;
	}
	if (first_seqno)
		*first_seqno = r->insert / desc_size + 1;
	r->insert = at;
	__atomic_store_n(r->insert_io, r->insert, __ATOMIC_RELEASE);
	__atomic_store_n(r->doorbell, ++r->doorbell_count, __ATOMIC_RELAXED);
	/* Pairs with the firmware's barrier between INACTIVE and re-reading insert. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	state = __atomic_load_n(r->state_io, __ATOMIC_RELAXED);
	if (state == r->state_faulty)
		return -EIO;
	return state == r->state_inactive;
}

/*
 * Waits in userspace until sync >= value: DRMB_USERQ_WAIT_SPIN loads the
 * mapped value, DRMB_USERQ_WAIT_EVENTFD blocks on eventfd (notify jobs).
 * 0, -ETIME after timeout_ns, -EIO if the queue faulted first, -EINVAL for
 * any other way of waiting (the backend's own).
 */
int drmb_userq_ring_wait(const struct drmb_userq_ring *r, int eventfd, unsigned int sync,
			 uint64_t value, enum drmb_userq_wait how, uint64_t timeout_ns);

#endif
