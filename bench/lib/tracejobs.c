// SPDX-License-Identifier: MIT
/* Matching trace events to submitted jobs (tracejobs.h). */
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
