/* SPDX-License-Identifier: MIT */
/*
 * Stage attribution from kernel trace events, for any driver built on
 * drm_sched: the events of one run (read by tracestage.c) are matched to the
 * jobs the benchmark submitted and split in stages. Pure code on arrays, no
 * tracefs: the unit tests feed it made-up events.
 *
 * The two generations of gpu_scheduler tracepoints name a job differently:
 *   6.1, 6.12  drm_sched_job -> drm_run_job -> drm_sched_process_job,
 *              by the scheduler fence's address (key, seqno 0);
 *   7.2, 7.3   drm_sched_job_queue -> drm_sched_job_run -> drm_sched_job_done,
 *              by the fence's context:seqno (key:seqno).
 */
#ifndef DRMB_TRACEJOBS_H
#define DRMB_TRACEJOBS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum drmb_tev_type {
	DRMB_TEV_QUEUE,		/* job pushed to its entity (in the submit ioctl) */
	DRMB_TEV_RUN,		/* the scheduler hands the job to the driver */
	DRMB_TEV_DONE,		/* the hardware fence signalled */
	DRMB_TEV_WAKEUP,	/* sched_wakeup of a thread of this process */
	DRMB_TEV_OTHER,		/* kept for trace files only */
};

/* One event, CLOCK_MONOTONIC ns (the instance uses trace_clock "mono"). */
struct drmb_tev {
	uint64_t ts;
	uint64_t key;		/* fence address or fence context */
	uint64_t seqno;		/* fence seqno (new generation), else 0 */
	int pid;		/* the thread it ran in (QUEUE) or woke (WAKEUP) */
	int cpu;
	enum drmb_tev_type type;
	/* Offset of the event's text line in the reader's text, or -1. */
	long text;
	/* Offset and size of the record's bytes in the reader's copy, or -1. */
	long raw;
	unsigned int rawlen;
};

/* One sample's job: its events' times (0 = not found). */
struct drmb_tjob {
	uint64_t queue_ns, run_ns, done_ns, wakeup_ns;
	int cpu;		/* the submitter's CPU at the QUEUE event */
	/* Index range in the sorted event array: the job's events. */
	size_t first, last;
};

/* Sorts events by time; equal stamps in drmb_tev_type order. */
void drmb_tev_sort(struct drmb_tev *ev, size_t n);

/*
 * Matches sample i (signal at t0[i], waiter running at t1[i]) to the last
 * QUEUE event of thread submit_tid in [t0, t1], then to the RUN and DONE
 * of the same fence, then to the first WAKEUP after DONE of a thread that
 * is (waker_is_submitter) or is not submit_tid. Events must be sorted.
 * Returns the number of samples whose QUEUE, RUN and DONE were all found.
 */
size_t drmb_tracejobs_match(const struct drmb_tev *ev, size_t nev,
			    const uint64_t *t0, const uint64_t *t1, size_t n,
			    int submit_tid, int waker_is_submitter,
			    struct drmb_tjob *out);

/*
 * The trace file of the slowest samples (docs/measuring.md, "The slowest
 * samples"): ftrace text as /sys/kernel/tracing/trace prints it, which
 * Perfetto's systrace importer reads. That importer makes nothing of the
 * gpu_scheduler, dma_fence or sched_wakeup lines themselves, so each
 * sample's stages are written beside them as the user-space marks it does
 * turn into slices ("tracing_mark_write: B|tgid|name" ... "E|tgid"), nested
 * on the submitting thread's track:
 *
 *   slowest K: N ns                      t0 -> t1
 *     tp-submit  tp-sched  tp-hw  tp-wake    t0 -> queue -> run -> done -> t1
 *     entry           engine exec tp-wakeup  done -> the waiter's sched_wakeup
 *
 * entry, engine and exec are simgpu's records (stages=check), each drawn
 * only where it lies inside its tracepoint stage.
 */

/* Line head "comm-pid [cpu] ....  sec.nsec: event: " (ns, not ftrace's us). */
int drmb_ftrace_head(char *buf, size_t len, const char *comm, int pid, int cpu,
		     uint64_t ts, const char *event);

/* A sample of the file: its stamps, its matched job, its rank (1: slowest). */
struct drmb_tsample {
	uint64_t t0, t1;
	const struct drmb_tjob *job;
	unsigned int rank;
	/* simgpu's records of the job (drmb_job_times), 0 without. */
	uint64_t ioctl_ns, run_job_ns, engine_start_ns, signal_ns;
};

struct drmb_tfile {
	const char *events;		/* the events enabled, for the header */
	const struct drmb_tev *ev;	/* sorted; a line of text per event or -1 */
	const char *text;
	const char *comm;		/* the submitting thread: the stages' track */
	int tid, tgid;
};

/* Writes the header when header is set, then the samples in time order. */
int drmb_tracefile_write(FILE *f, const struct drmb_tfile *tf, int header,
			 const struct drmb_tsample *s, size_t n);

/* A slice boundary: a slice begins (name) or the innermost one ends (NULL). */
struct drmb_tmark {
	uint64_t ts;
	const char *name;
};

/* The mark's payload, "B|tgid|name" or "E|tgid", as snprintf. */
int drmb_tmark_text(char *buf, size_t len, int tgid, const struct drmb_tmark *m);

/* One item of the file: kernel event tf->ev[k] (m NULL) or mark m of sample s. */
typedef int (*drmb_tracefile_item)(void *ctx, const struct drmb_tsample *s, size_t k,
				   const struct drmb_tmark *m);

/*
 * The file's items in file order, for the text file and the trace.dat
 * (tracedat.h) alike: sample after sample, its events and marks merged by
 * time. -EINVAL for a sample without a DONE event; else the first
 * non-zero return of item, or 0.
 */
int drmb_tracefile_walk(const struct drmb_tfile *tf, const struct drmb_tsample *s, size_t n,
			drmb_tracefile_item item, void *ctx);

#endif
