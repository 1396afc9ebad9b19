// SPDX-License-Identifier: MIT
/*
 * submit-latency: submit ioctl -> scheduler -> engine -> fence signal ->
 * waiter woken, with the kernel's per-job timestamps splitting it in stages:
 *
 *   entry-ns      user stamp before the ioctl -> driver ioctl entry
 *   sched-ns      ioctl entry -> drm_sched called run_job
 *   engine-ns     run_job -> the engine started the job
 *   exec-ns       engine start -> hardware fence signalled (incl. duration)
 *   wake-ns       fence signalled -> waiter running in userspace
 *
 * Wait modes: syncobj (waiter blocked in SYNCOBJ_WAIT WAIT_FOR_SUBMIT before
 * the submit), eventfd (waiter blocked reading a SYNCOBJ_EVENTFD eventfd),
 * sync-file (the submitter polls the job's out-fence: the fd only exists
 * once the ioctl returned, so it cannot be waited for in advance).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "backend.h"
#include "measure.h"
#include "stats.h"
#include "tracestage.h"

enum { WAIT_SYNCOBJ, WAIT_EVENTFD, WAIT_SYNC_FILE };
static const char *const waits[] = { "syncobj", "eventfd", "sync-file", NULL };

/* Where the stages come from (docs/measuring.md, "Stage attribution"). */
enum { SRC_RECORDS, SRC_TRACEPOINTS, SRC_CHECK, SRC_OFF };
static const char *const sources[] = { "records", "tracepoints", "check", "off", NULL };

/* check: the sources may disagree by this much (median of |diff| per point). */
#define CHECK_BOUND_NS 50000
/* check: at least this share of the samples must match their events. */
#define CHECK_MIN_MATCHED 0.9

static const struct drmb_param submit_latency_params[] = {
	{ "duration", DRMB_PARAM_INT, "0", "job duration on the engine, ns", 0, 1000000000 },
	{ "jobs", DRMB_PARAM_INT, "1", "jobs per submit (the last one signals)", 1, 256 },
	{ "wait", DRMB_PARAM_ENUM, "syncobj,eventfd,sync-file", "how completion is waited for",
	  .choices = waits },
	{ "load", DRMB_PARAM_INT, "0", "busy background threads (CPU load)", 0, 64 },
	{ "stages", DRMB_PARAM_ENUM, "records",
	  "stage source: simgpu's job records, kernel tracepoints (any drm_sched driver), "
	  "check (both: fail when they disagree), off", .choices = sources,
	  .unnamed_at_default = true },
	{ "trace-slowest", DRMB_PARAM_INT, "0",
	  "write the trace events of the N slowest samples beside the result (tracepoints, check)",
	  0, 1000, .unnamed_at_default = true },
	{ NULL },
};

enum { ST_ENTRY, ST_SCHED, ST_ENGINE, ST_EXEC, ST_WAKE, ST_NR };
static const char *const stage_units[ST_NR] = {
	"entry-ns/op", "sched-ns/op", "engine-ns/op", "exec-ns/op", "wake-ns/op",
};

struct submit_latency {
	struct drmb_device *dev;
	uint32_t queue, syncobj;
	uint64_t point, seqno;
	int wait, efd;
	unsigned int njobs;
	struct drmb_job *jobs;
	struct drmb_load load;
	double *stage[ST_NR];
	size_t nstage, cap;
	int stage_err;
	/* Tracepoints: each sample's stamps, its job's records (check). */
	int src, slowest, tid;
	struct drmb_trace *trace;
	uint64_t *t0, *t1;
	struct drmb_job_times *rec;
	struct drmb_tjob *tj;
	unsigned int files, fileno;
};

static uint32_t submit_latency_case_needs(const struct drmb_case *c)
{
	uint32_t needs = 0;

	switch (drmb_case_int(c, "wait")) {
	case WAIT_EVENTFD:
		needs = DRMB_NEEDS(DRMB_GROUP_TIMELINE) | DRMB_NEEDS(DRMB_GROUP_SYNCOBJ_EVENTFD);
		break;
	case WAIT_SYNC_FILE:
		needs = DRMB_NEEDS(DRMB_GROUP_SYNC_FILE);
		break;
	}
	/* records on a backend without them: no stages, as before. */
	if (drmb_case_int(c, "stages") == SRC_CHECK)
		needs |= DRMB_NEEDS(DRMB_GROUP_STAGE_RECORDS);
	return needs;
}

/*
 * Tracepoints need a tracefs instance, opened here (last in .requires) so
 * that a missing one is a SKIP with the reason.
 */
static int requires_stages(struct drmb_case *c)
{
	struct submit_latency *l = c->priv;
	int src = drmb_case_int(c, "stages");
	int ret;

	if (drmb_case_int(c, "trace-slowest") && (src == SRC_RECORDS || src == SRC_OFF))
		return drmb_why(c, -EOPNOTSUPP, "trace-slowest needs stages=tracepoints or check");
	if (src != SRC_TRACEPOINTS && src != SRC_CHECK)
		return 0;
	ret = drmb_trace_open(&l->trace, drmb_case_int(c, "trace-slowest") > 0, c->why,
			      sizeof(c->why));
	return ret == -ENOMEM ? ret : ret ? -EOPNOTSUPP : 0;
}

static int submit_latency_requires(struct drmb_case *c)
{
	unsigned int max = drmb_submit_max_batch(c->dev);

	/* Checked here, not by the submit: only .requires may SKIP. */
	if (drmb_case_int(c, "duration") && !drmb_submit_durations(c->dev))
		return drmb_why(c, -EOPNOTSUPP, "backend %s cannot give a job engine time (duration=0 only)",
				c->dev->backend->name);
	if ((unsigned int)drmb_case_int(c, "jobs") > max)
		return drmb_why(c, -EOPNOTSUPP, "backend takes at most %u jobs per submit", max);
	return requires_stages(c);
}

static void submit_latency_teardown(struct drmb_case *c)
{
	struct submit_latency *l = c->priv;
	int i;

	drmb_load_stop(&l->load);
	if (l->queue)
		drmb_queue_destroy(l->dev, l->queue);
	if (l->syncobj)
		drmb_syncobj_destroy(l->dev, l->syncobj);
	if (l->efd >= 0)
		close(l->efd);
	for (i = 0; i < ST_NR; i++)
		free(l->stage[i]);
	free(l->jobs);
	drmb_trace_close(l->trace);
	l->trace = NULL;
	free(l->t0);
	free(l->t1);
	free(l->rec);
	free(l->tj);
}

static int submit_latency_setup(struct drmb_case *c)
{
	struct submit_latency *l = c->priv;
	struct drmb_queue_opts qo = { .priority = 1 };
	unsigned int i;
	int ret;

	l->dev = c->dev;
	l->efd = -1;
	l->wait = drmb_case_int(c, "wait");
	l->njobs = drmb_case_int(c, "jobs");
	l->src = drmb_case_int(c, "stages");
	l->slowest = drmb_case_int(c, "trace-slowest");
	l->cap = c->samples;
	l->jobs = calloc(l->njobs, sizeof(*l->jobs));
	if (l->trace) {
		l->t0 = calloc(l->cap, sizeof(*l->t0));
		l->t1 = calloc(l->cap, sizeof(*l->t1));
		l->rec = calloc(l->cap, sizeof(*l->rec));
		l->tj = calloc(l->cap, sizeof(*l->tj));
		if (!l->t0 || !l->t1 || !l->rec || !l->tj) {
			ret = -ENOMEM;
			goto err;
		}
	}
	for (i = 0; i < ST_NR; i++)
		l->stage[i] = calloc(l->cap, sizeof(double));
	for (i = 0; i < ST_NR && l->jobs; i++)
		if (!l->stage[i])
			break;
	if (!l->jobs || i < ST_NR) {
		ret = -ENOMEM;
		goto err;
	}
	for (i = 0; i < l->njobs; i++) {
		l->jobs[i].duration_ns = drmb_case_int(c, "duration");
		l->jobs[i].in_fence_fd = -1;
	}
	ret = drmb_queue_create(l->dev, &qo, &l->queue, c->why, sizeof(c->why));
	if (ret)
		goto err;
	ret = drmb_syncobj_create(l->dev, 0, &l->syncobj);
	if (ret) {
		drmb_why(c, ret, "SYNCOBJ_CREATE: %s", strerror(-ret));
		goto err;
	}
	if (l->wait == WAIT_EVENTFD) {
		l->efd = eventfd(0, EFD_CLOEXEC);
		if (l->efd < 0) {
			ret = drmb_why(c, -errno, "eventfd: %m");
			goto err;
		}
	}
	ret = drmb_load_start(&l->load, drmb_case_int(c, "load"));
	if (ret) {
		drmb_why(c, ret, "starting the load threads failed");
		goto err;
	}
	return 0;
err:
	submit_latency_teardown(c);
	return ret;
}

/* The last job of the batch signals; the waiter sees the whole batch. */
static void set_signal(struct submit_latency *l)
{
	struct drmb_job *last = &l->jobs[l->njobs - 1];

	last->signal_syncobj = l->syncobj;
	last->signal_point = l->wait == WAIT_EVENTFD ? l->point : 0;
	last->want_out_fence = l->wait == WAIT_SYNC_FILE;
}

static int submit_latency_arm(struct drmb_case *c)
{
	struct submit_latency *l = c->priv;

	if (l->wait == WAIT_EVENTFD) {
		l->point++;
		return drmb_syncobj_eventfd(l->dev, l->syncobj, l->point, l->efd, 0);
	}
	return drmb_syncobj_reset(l->dev, &l->syncobj, 1);
}

static int submit_latency_submit(struct drmb_case *c)
{
	struct submit_latency *l = c->priv;
	uint64_t first = 0;
	int ret;

	set_signal(l);
	ret = drmb_submit(l->dev, l->queue, l->jobs, l->njobs, &first);
	l->seqno = first + l->njobs - 1;
	return ret;
}

static int submit_latency_wait(struct drmb_case *c)
{
	struct submit_latency *l = c->priv;
	uint64_t v;

	if (l->wait == WAIT_EVENTFD)
		return read(l->efd, &v, sizeof(v)) == sizeof(v) ? 0 : -errno;
	return drmb_syncobj_wait(l->dev, &l->syncobj, 1, INT64_MAX,
				 DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, NULL);
}

/* Untimed: split the sample with the kernel's stamps of the last job. */
static void record_stages(struct submit_latency *l, size_t i, uint64_t t0, uint64_t t1)
{
	struct drmb_job_times t;
	int ret;

	if (l->trace && i < l->cap) {
		l->t0[i] = t0;
		l->t1[i] = t1;
		l->rec[i] = (struct drmb_job_times){ 0 };
	}
	if (l->src == SRC_OFF || l->src == SRC_TRACEPOINTS)
		return;
	if (i >= l->cap)
		return;
	ret = drmb_job_times(l->dev, l->queue, l->seqno, &t);
	/*
	 * A record not complete yet (-EBUSY), or a backend without stage
	 * records, leaves this sample unsplit.
	 */
	if (ret) {
		if (ret != -EBUSY && ret != -EOPNOTSUPP)
			l->stage_err = ret;
		return;
	}
	l->stage[ST_ENTRY][l->nstage] = (double)t.ioctl_ns - (double)t0;
	l->stage[ST_SCHED][l->nstage] = (double)t.run_job_ns - (double)t.ioctl_ns;
	l->stage[ST_ENGINE][l->nstage] = (double)t.engine_start_ns - (double)t.run_job_ns;
	l->stage[ST_EXEC][l->nstage] = (double)t.signal_ns - (double)t.engine_start_ns;
	l->stage[ST_WAKE][l->nstage] = (double)t1 - (double)t.signal_ns;
	if (l->trace)
		l->rec[i] = t;
	l->nstage++;
}

static void submit_latency_woken(struct drmb_case *c, size_t i, uint64_t t0, uint64_t t1)
{
	record_stages(c->priv, i, t0, t1);
}

static const struct drmb_wake_ops submit_latency_ops = {
	.arm = submit_latency_arm,
	.wait = submit_latency_wait,
	.signal = submit_latency_submit,
	.woken = submit_latency_woken,
};

/* sync-file: one thread submits, then polls the out-fence it got back. */
static int submit_poll_op(struct drmb_case *c)
{
	struct submit_latency *l = c->priv;
	struct pollfd pfd = { .events = POLLIN };
	int ret;

	ret = submit_latency_submit(c);
	if (ret)
		return ret;
	pfd.fd = l->jobs[l->njobs - 1].out_fence_fd;
	ret = poll(&pfd, 1, -1) == 1 ? 0 : -errno;
	close(pfd.fd);
	return ret;
}

/* Tracepoint stages: what the kernel's events give for each sample. */
enum { TP_SUBMIT, TP_SCHED, TP_HW, TP_WAKE, TP_WAKEUP, TP_NR };
static const char *const tp_units[TP_NR] = {
	"tp-submit-ns/op", "tp-sched-ns/op", "tp-hw-ns/op", "tp-wake-ns/op", "tp-wakeup-ns/op",
};

static uint64_t *slowest_first;
/* Cases of this process that wrote a trace file: each gets its own. */
static unsigned int trace_files;

static int by_slowest(const void *a, const void *b)
{
	uint64_t x = slowest_first[*(const size_t *)a], y = slowest_first[*(const size_t *)b];

	return (x < y) - (x > y);
}

static int by_t0(const void *a, const void *b)
{
	const struct drmb_tsample *x = a, *y = b;

	return (x->t0 > y->t0) - (x->t0 < y->t0);
}

/*
 * The events of the slowest matched samples and their stages, as ftrace
 * text beside the result (tracejobs.h); no file when none matched.
 */
static int write_slowest(struct drmb_case *c, struct drmb_samples *s, const struct drmb_tev *ev)
{
	struct submit_latency *l = c->priv;
	struct drmb_tsample *ts;
	size_t *idx, i, n = 0;
	char base[480], path[512], dat[512];
	FILE *f;
	int ret;

	idx = calloc(s->n, sizeof(*idx));
	ts = calloc(l->slowest, sizeof(*ts));
	if (!idx || !ts) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < s->n; i++)
		idx[i] = i;
	slowest_first = s->ns;
	qsort(idx, s->n, sizeof(*idx), by_slowest);
	for (i = 0; i < s->n && n < (size_t)l->slowest; i++) {
		const struct drmb_job_times *r = &l->rec[idx[i]];

		if (idx[i] >= l->cap || !l->tj[idx[i]].done_ns)
			continue;
		/* The records are zero with stages=tracepoints. */
		ts[n] = (struct drmb_tsample){ .t0 = l->t0[idx[i]], .t1 = l->t1[idx[i]],
					       .job = &l->tj[idx[i]], .rank = n + 1,
					       .ioctl_ns = r->ioctl_ns, .run_job_ns = r->run_job_ns,
					       .engine_start_ns = r->engine_start_ns,
					       .signal_ns = r->signal_ns };
		n++;
	}
	ret = 0;
	if (!n) {
		snprintf(c->note, sizeof(c->note),
			 "no trace file: no sample matched its scheduler events");
		goto out;
	}
	/* In time order, as a trace viewer wants them. */
	qsort(ts, n, sizeof(*ts), by_t0);
	if (!l->files)
		l->fileno = ++trace_files;
	if (c->result_path && strlen(c->result_path) > 4)
		snprintf(base, sizeof(base), "%.*s.slowest-%u",
			 (int)strlen(c->result_path) - 4, c->result_path, l->fileno);
	else
		snprintf(base, sizeof(base), "drmbench-%d.slowest-%u", (int)getpid(), l->fileno);
	snprintf(path, sizeof(path), "%s.trace", base);
	snprintf(dat, sizeof(dat), "%s.dat", base);
	/* One file per case: each run's slowest follow the last run's. */
	f = fopen(path, l->files ? "a" : "w");
	if (!f) {
		ret = drmb_why(c, -errno, "cannot write %s: %m", path);
		goto out;
	}
	ret = drmb_trace_write(l->trace, f, dat, !l->files++, ev, ts, n, l->tid);
	if (fclose(f) && !ret)
		ret = -errno;
	if (ret)
		drmb_why(c, ret, "writing %s or %s failed", path, dat);
	else
		snprintf(c->note, sizeof(c->note),
			 "the %d slowest samples of each run: %.160s.trace (ui.perfetto.dev) and .dat "
			 "(trace-cmd report -i)", l->slowest, base);
out:
	free(idx);
	free(ts);
	return ret;
}

/*
 * check: the records and the tracepoints stamp two moments both see, the
 * scheduler handing the job to the driver (run_job_ns / RUN) and the
 * hardware fence signalling (signal_ns / DONE); every stage either source
 * reports is a difference of those and the samples' own t0, t1.
 */
static int check_sources(struct drmb_case *c, size_t n, size_t matched)
{
	struct submit_latency *l = c->priv;
	double *run = calloc(n, sizeof(double)), *done = calloc(n, sizeof(double));
	double mrun = 0, mdone = 0;
	size_t i, k = 0;
	int ret = 0;

	if (!run || !done) {
		free(run);
		free(done);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		if (!l->tj[i].done_ns || !l->rec[i].run_job_ns || !l->rec[i].signal_ns)
			continue;
		run[k] = fabs((double)l->tj[i].run_ns - (double)l->rec[i].run_job_ns);
		done[k++] = fabs((double)l->tj[i].done_ns - (double)l->rec[i].signal_ns);
	}
	if (k) {
		mrun = drmb_median_double(run, k);
		mdone = drmb_median_double(done, k);
		drmb_case_metric(c, "check-run-absdiff-ns", mrun);
		drmb_case_metric(c, "check-done-absdiff-ns", mdone);
	}
	free(run);
	free(done);
	if ((double)matched < CHECK_MIN_MATCHED * (double)n || !k)
		ret = drmb_why(c, -EPROTO, "stages=check: only %zu of %zu samples matched their trace events",
			       matched, n);
	else if (mrun > CHECK_BOUND_NS || mdone > CHECK_BOUND_NS)
		ret = drmb_why(c, -EPROTO,
			       "stages=check: tracepoints and records disagree by a median %.0f ns at run_job, %.0f ns at the fence (bound %d)",
			       mrun, mdone, CHECK_BOUND_NS);
	return ret;
}

static int trace_stages(struct drmb_case *c, struct drmb_samples *s)
{
	struct submit_latency *l = c->priv;
	size_t i, k, n = s->n < l->cap ? s->n : l->cap, nev, matched;
	struct drmb_tev *ev;
	uint64_t lost;
	int ret;

	ret = drmb_trace_stop(l->trace, &ev, &nev, &lost);
	if (ret)
		return drmb_why(c, ret, "reading the trace failed");
	matched = drmb_tracejobs_match(ev, nev, l->t0, l->t1, n, l->tid,
				       l->wait == WAIT_SYNC_FILE, l->tj);
	snprintf(c->note, sizeof(c->note), "stage events: %s", drmb_trace_events(l->trace));
	drmb_case_metric(c, "tp-matched-pct", n ? 100.0 * (double)matched / (double)n : 0);
	drmb_case_metric(c, "tp-lost-events", (double)lost);
	for (k = 0; k < TP_NR; k++) {
		size_t m = 0;

		for (i = 0; i < n; i++) {
			const struct drmb_tjob *j = &l->tj[i];
			uint64_t a, b;

			if (!j->done_ns)
				continue;
			switch (k) {
			case TP_SUBMIT: a = l->t0[i]; b = j->queue_ns; break;
			case TP_SCHED: a = j->queue_ns; b = j->run_ns; break;
			case TP_HW: a = j->run_ns; b = j->done_ns; break;
			case TP_WAKE: a = j->done_ns; b = l->t1[i]; break;
			default: a = j->done_ns; b = j->wakeup_ns; break;
			}
			if (b)
				l->stage[0][m++] = (double)b - (double)a;
		}
		if (m)
			drmb_case_metric(c, tp_units[k], drmb_median_double(l->stage[0], m));
	}
	if (l->src == SRC_CHECK) {
		ret = check_sources(c, n, matched);
		if (ret)
			return ret;
	}
	/* Warm-up passes are shorter than the measured ones: no file for them. */
	if (l->slowest && s->cap == c->samples)
		return write_slowest(c, s, ev);
	return 0;
}

static int submit_latency_run(struct drmb_case *c, struct drmb_samples *s)
{
	struct submit_latency *l = c->priv;
	int ret, k;

	l->nstage = 0;
	l->stage_err = 0;
	l->tid = (int)syscall(SYS_gettid);
	if (l->trace) {
		ret = drmb_trace_start(l->trace);
		if (ret)
			return drmb_why(c, ret, "starting the trace failed");
	}
	if (l->wait == WAIT_SYNC_FILE)
		ret = drmb_measure_each(c, s, submit_poll_op, submit_latency_woken);
	else
		ret = drmb_measure_wake(c, s, &submit_latency_ops);
	if (ret)
		return ret;
	if (l->stage_err)
		return drmb_why(c, l->stage_err, "reading job timestamps failed: %s",
				strerror(-l->stage_err));
	for (k = 0; k < ST_NR && l->nstage; k++)
		drmb_case_metric(c, stage_units[k], drmb_median_double(l->stage[k], l->nstage));
	return l->trace ? trace_stages(c, s) : 0;
}

const struct drmb_bench drmb_bench_submit_latency = {
	.name = "submit-latency",
	.id = "SubmitLatency",
	.summary = "submit ioctl to waiter woken, split in kernel stages",
	.flags = DRMB_BENCH_TWO_THREADS | DRMB_BENCH_FLOOR_RATIO | DRMB_BENCH_NEEDS_DEVICE,
	.needs = DRMB_NEEDS(DRMB_GROUP_SUBMIT) | DRMB_NEEDS(DRMB_GROUP_SYNCOBJ),
	.case_needs = submit_latency_case_needs,
	.params = submit_latency_params,
	.priv_size = sizeof(struct submit_latency),
	.requires = submit_latency_requires,
	.setup = submit_latency_setup,
	.run = submit_latency_run,
	.teardown = submit_latency_teardown,
};
