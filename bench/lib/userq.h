/* SPDX-License-Identifier: MIT */
/*
 * User-queue ring arithmetic, shared by the backends that implement
 * struct drmb_backend's userq_*() ops and tested on its own. Insert and
 * extract are free-running byte counts (a descriptor's ring position is
 * the count modulo the ring size), as in panthor's user I/O page.
 */
#ifndef DRMB_USERQ_H
#define DRMB_USERQ_H

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

#endif
