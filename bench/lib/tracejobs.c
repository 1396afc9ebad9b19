// SPDX-License-Identifier: MIT
/* Matching trace events to submitted jobs (tracejobs.h). */
#include <errno.h>
#include <stdlib.h>

#include "tracejobs.h"

static int tev_cmp(const void *a, const void *b)
{
	const struct drmb_tev *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	/* Equal stamps: in the order a job goes through them. */
	return (x->type > y->type) - (x->type < y->type);
}

void drmb_tev_sort(struct drmb_tev *ev, size_t n)
{
	if (n > 1)
		qsort(ev, n, sizeof(*ev), tev_cmp);
}

/* First index with ts >= t (binary search). */
static size_t tev_lower(const struct drmb_tev *ev, size_t n, uint64_t t)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ev[mid].ts < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int same_fence(const struct drmb_tev *a, const struct drmb_tev *b)
{
	return a->key == b->key && a->seqno == b->seqno;
}

/* The first event of type in [from, end) for the fence of q, or end. */
static size_t find_fence(const struct drmb_tev *ev, size_t from, size_t end,
			 enum drmb_tev_type type, const struct drmb_tev *q)
{
	for (; from < end; from++)
		if (ev[from].type == type && same_fence(&ev[from], q))
			return from;
	return end;
}

size_t drmb_tracejobs_match(const struct drmb_tev *ev, size_t nev,
			    const uint64_t *t0, const uint64_t *t1, size_t n,
			    int submit_tid, int waker_is_submitter,
			    struct drmb_tjob *out)
{
	size_t i, matched = 0;

	for (i = 0; i < n; i++) {
		struct drmb_tjob *j = &out[i];
		size_t lo = tev_lower(ev, nev, t0[i]);
		size_t end = tev_lower(ev, nev, t1[i] + 1);
		size_t k, q = end, r, d;

		*j = (struct drmb_tjob){ .first = lo, .last = lo };
		/* The batch's last job signals: the last QUEUE of the submitter. */
		for (k = lo; k < end; k++)
			if (ev[k].type == DRMB_TEV_QUEUE && ev[k].pid == submit_tid)
				q = k;
		if (q == end)
			continue;
		j->queue_ns = ev[q].ts;
		j->cpu = ev[q].cpu;
		r = find_fence(ev, q + 1, end, DRMB_TEV_RUN, &ev[q]);
		if (r == end)
			continue;
		j->run_ns = ev[r].ts;
		d = find_fence(ev, r + 1, end, DRMB_TEV_DONE, &ev[q]);
		if (d == end)
			continue;
		j->done_ns = ev[d].ts;
		j->last = d + 1;
		matched++;
		for (k = d + 1; k < end; k++) {
			if (ev[k].type != DRMB_TEV_WAKEUP ||
			    (ev[k].pid == submit_tid) != !!waker_is_submitter)
				continue;
			j->wakeup_ns = ev[k].ts;
			j->last = k + 1;
			break;
		}
	}
	return matched;
}

int drmb_ftrace_head(char *buf, size_t len, const char *comm, int pid, int cpu,
		     uint64_t ts, const char *event)
{
	return snprintf(buf, len, "%16.16s-%-7d [%03d] ....  %llu.%09llu: %s: ",
			comm, pid, cpu, (unsigned long long)(ts / 1000000000ull),
			(unsigned long long)(ts % 1000000000ull), event);
}

/* The sample's slices as begin/end marks, in time order. */
static size_t sample_marks(const struct drmb_tsample *s, const char *name, struct drmb_tmark *m)
{
	const struct drmb_tjob *j = s->job;
	/* The records' stages, where they nest in the tracepoints' ones. */
	int entry = s->ioctl_ns && s->ioctl_ns >= s->t0 && s->ioctl_ns <= j->queue_ns;
	int hw = s->run_job_ns && j->run_ns <= s->run_job_ns && s->run_job_ns <= s->engine_start_ns &&
		 s->engine_start_ns <= s->signal_ns && s->signal_ns <= j->done_ns;
	size_t n = 0;

	m[n++] = (struct drmb_tmark){ s->t0, name };
	m[n++] = (struct drmb_tmark){ s->t0, "tp-submit" };
	if (entry) {
		m[n++] = (struct drmb_tmark){ s->t0, "entry" };
		m[n++] = (struct drmb_tmark){ s->ioctl_ns, NULL };
	}
	m[n++] = (struct drmb_tmark){ j->queue_ns, NULL };
	m[n++] = (struct drmb_tmark){ j->queue_ns, "tp-sched" };
	m[n++] = (struct drmb_tmark){ j->run_ns, NULL };
	m[n++] = (struct drmb_tmark){ j->run_ns, "tp-hw" };
	if (hw) {
		m[n++] = (struct drmb_tmark){ s->run_job_ns, "engine" };
		m[n++] = (struct drmb_tmark){ s->engine_start_ns, NULL };
		m[n++] = (struct drmb_tmark){ s->engine_start_ns, "exec" };
		m[n++] = (struct drmb_tmark){ s->signal_ns, NULL };
	}
	m[n++] = (struct drmb_tmark){ j->done_ns, NULL };
	m[n++] = (struct drmb_tmark){ j->done_ns, "tp-wake" };
	if (j->wakeup_ns) {
		m[n++] = (struct drmb_tmark){ j->done_ns, "tp-wakeup" };
		m[n++] = (struct drmb_tmark){ j->wakeup_ns, NULL };
	}
	m[n++] = (struct drmb_tmark){ s->t1, NULL };
	m[n++] = (struct drmb_tmark){ s->t1, NULL };
	return n;
}

int drmb_tmark_text(char *buf, size_t len, int tgid, const struct drmb_tmark *m)
{
	return m->name ? snprintf(buf, len, "B|%d|%s", tgid, m->name) :
			 snprintf(buf, len, "E|%d", tgid);
}

int drmb_tracefile_walk(const struct drmb_tfile *tf, const struct drmb_tsample *s, size_t n,
			drmb_tracefile_item item, void *ctx)
{
	struct drmb_tmark m[18];
	char name[64];
	size_t i, k, nm, im;
	int ret;

	for (i = 0; i < n; i++) {
		const struct drmb_tjob *j = s[i].job;

		if (!j->done_ns || s[i].t1 < j->done_ns)
			return -EINVAL;
		snprintf(name, sizeof(name), "slowest %u: %llu ns", s[i].rank,
			 (unsigned long long)(s[i].t1 - s[i].t0));
		nm = sample_marks(&s[i], name, m);
		/* Kernel events and marks merged by time; at a tie the marks first. */
		for (k = j->first, im = 0; k < j->last || im < nm;) {
			if (im < nm && (k == j->last || m[im].ts <= tf->ev[k].ts))
				ret = item(ctx, &s[i], 0, &m[im++]);
			else
				ret = item(ctx, &s[i], k++, NULL);
			if (ret)
				return ret;
		}
	}
	return 0;
}

struct text_ctx {
	FILE *f;
	const struct drmb_tfile *tf;
};

static int text_item(void *ctx, const struct drmb_tsample *s, size_t k, const struct drmb_tmark *m)
{
	struct text_ctx *c = ctx;
	const struct drmb_tfile *tf = c->tf;
	char head[128], mark[96];

	if (!m) {
		if (tf->ev[k].text >= 0)
			fputs(tf->text + tf->ev[k].text, c->f);
		return 0;
	}
	drmb_ftrace_head(head, sizeof(head), tf->comm, tf->tid, s->job->cpu, m->ts,
			 "tracing_mark_write");
	drmb_tmark_text(mark, sizeof(mark), tf->tgid, m);
	fprintf(c->f, "%s%s\n", head, mark);
	return 0;
}

int drmb_tracefile_write(FILE *f, const struct drmb_tfile *tf, int header,
			 const struct drmb_tsample *s, size_t n)
{
	struct text_ctx c = { .f = f, .tf = tf };
	int ret;

	if (header)
		fprintf(f, "# tracer: nop\n#\n"
			"# drmbench: %s, trace_clock mono, stamps in ns\n"
			"# the slowest samples, their stages as tracing_mark_write slices\n"
			"# (B|tgid|name ... E|tgid) on the submitting thread %s-%d\n#\n"
			"#           TASK-PID     CPU#  ||||   TIMESTAMP  FUNCTION\n"
			"#              | |         |   ||||      |         |\n",
			tf->events, tf->comm, tf->tid);
	ret = drmb_tracefile_walk(tf, s, n, text_item, &c);
	if (ret)
		return ret;
	return ferror(f) ? -EIO : 0;
}
