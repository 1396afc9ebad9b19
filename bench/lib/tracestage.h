/* SPDX-License-Identifier: MIT */
/*
 * Kernel trace events of a run, through libtracefs: a private tracefs
 * instance (trace_clock "mono", so stamps are CLOCK_MONOTONIC ns) with the
 * gpu_scheduler events of whichever generation the kernel has, sched_wakeup
 * of this program's threads and dma_fence_signaled. tracejobs.h turns them
 * into stages. Without libtracefs in the build, tracefs, the permission or
 * the gpu_scheduler events, open() is -EOPNOTSUPP with the reason: a SKIP.
 */
#ifndef DRMB_TRACESTAGE_H
#define DRMB_TRACESTAGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tracejobs.h"

struct drmb_trace;

/*
 * keep_text: also keep every event as a line of ftrace text and as its
 * record, for drmb_trace_write().
 */
int drmb_trace_open(struct drmb_trace **tp, int keep_text, char *why, size_t whylen);
void drmb_trace_close(struct drmb_trace *t);
/* "drm_sched_job_queue,drm_sched_job_run,drm_sched_job_done" or the old three. */
const char *drmb_trace_events(const struct drmb_trace *t);
/* Empties the buffers and starts recording. */
int drmb_trace_start(struct drmb_trace *t);
/*
 * Stops recording and reads every event, sorted by time, into an array
 * the trace owns (valid until the next start or close); *lost counts
 * events the kernel dropped because its buffer was full.
 */
int drmb_trace_stop(struct drmb_trace *t, struct drmb_tev **ev, size_t *n,
		    uint64_t *lost);
/*
 * Writes the events and stages of n matched samples of the last run, s[i].job
 * from drmb_tracejobs_match() on ev, with the stages on thread tid's track:
 * appended to f as the text file (tracejobs.h), its header when first is
 * set, and as trace-cmd's trace.dat (tracedat.h) at datpath, written anew
 * with every sample since the last first (through datpath.tmp, so a failed
 * write leaves the previous file). Needs keep_text.
 */
int drmb_trace_write(struct drmb_trace *t, FILE *f, const char *datpath, int first,
		     const struct drmb_tev *ev, const struct drmb_tsample *s, size_t n, int tid);

#endif
