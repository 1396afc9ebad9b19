/* SPDX-License-Identifier: MIT */
/*
 * The VM_BIND workload shared by vm-bind-throughput and pgtable-prealloc:
 * `batch` slots laid out back to back from the backend's first VA, one op
 * per slot per vm_bind() call, in sorted or shuffled slot order. What is
 * timed is one vm_bind() of the batch; a reset (untimed) puts the VM back
 * in the state the next timed call expects:
 *
 *   map, map-null  timed: MAP (or MAP_NULL) each slot   reset: one UNMAP of all
 *   unmap          timed: UNMAP each slot               reset: MAP each slot
 *   remap          timed: MAP BO b over the middle third of each slot, which
 *                  drm_gpuvm splits into prev/next       reset: MAP a over each slot
 *
 * The page-table counters of the timed calls only (the reset's are taken
 * out) are reported per op as run metrics. With async, a sample is queueing
 * the bind on the VM's bind queue and waiting for its signal syncobj.
 *
 * The kernel's record of each timed bind (VM_BIND_QUERY) splits the call
 * in stages, reported as medians per bind call like submit-latency's:
 *
 *   entry-ns/bind            user stamp before the ioctl -> driver entry
 *   ioctl-to-run-ns/bind     checks, page reservation, gpuvm bookkeeping,
 *                            and (async) the bind queue's scheduling
 *   run-to-pt-done-ns/bind   the page-table update
 *   pt-done-to-signal-ns/bind  async: run_job's return -> fence signalled
 *                            (sync: 0, the ioctl is the signal)
 *   signal-to-waiter-ns/bind async: fence signalled -> waiter back in
 *                            userspace; sync: the ioctl's return
 *
 * A benchmark using it has a struct vm_workload as its c->priv.
 */
#ifndef VM_WORKLOAD_H
#define VM_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "drmb.h"
#include "measure.h"

enum vm_workload_op { VMW_MAP, VMW_MAP_NULL, VMW_UNMAP, VMW_REMAP };

/* A bind call's stages, in order (metric names in vm_workload.c). */
enum { VMW_ST_ENTRY, VMW_ST_RUN, VMW_ST_PT, VMW_ST_SIGNAL, VMW_ST_WAKE, VMW_ST_NR };

extern const char *const vm_workload_ops[];	/* "map", ... NULL */
extern const char *const vm_workload_orders[];	/* "sorted", "shuffled", NULL */
extern const char *const vm_workload_preallocs[]; /* "none", "per-op", "batched", NULL */
extern const char *const vm_workload_modes[];	/* "sync", "async", NULL */

struct vm_workload {
	struct drmb_device *dev;
	enum vm_workload_op op;
	uint64_t size, slot;
	unsigned int batch;
	uint32_t vm, bo_a, bo_b;
	/* async: the timed call queues the bind and waits for this syncobj. */
	int async;
	/* Resolved in setup: the timed call is the backend's op, no wrapper. */
	const struct drmb_vm_bind_ops *vb;
	const struct drmb_vm_bind_async_ops *vba;
	const struct drmb_syncobj_ops *so;
	uint32_t done;
	struct drmb_vm_op *timed, *reset;
	unsigned int nreset;
	int error;			/* of a reset, reported after the run */
	struct drmb_vm_stats before;	/* after the last reset */
	struct drmb_vm_stats sum;	/* deltas of the timed calls */
	/* The timed call's bind seqno; its stages, one row per sample. */
	uint64_t seqno;
	double *stage[VMW_ST_NR];
	size_t nstage, cap;
	int stage_err;
};

/*
 * requires(): VM_BIND present (asynchronous binds and syncobjs if the
 * case has mode=async), and size/batch sane for a guest's memory.
 * Reads the params "op", "size" and "batch".
 */
/* Async cases also need queued binds and a syncobj. */
uint32_t vm_workload_case_needs(const struct drmb_case *c);
int vm_workload_requires(struct drmb_case *c);
/*
 * The descriptor hooks of every benchmark built on this workload; they read
 * the params "prealloc", "huge", "order" and "mode" too, and c->priv is a
 * struct vm_workload.
 */
int vm_workload_setup(struct drmb_case *c);
/* One measured run; adds the per-op page-table metrics. */
int vm_workload_run(struct drmb_case *c, struct drmb_samples *s);
void vm_workload_teardown(struct drmb_case *c);

#endif
