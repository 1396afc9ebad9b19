// SPDX-License-Identifier: MIT
/* The user-queue benchmarks' options and CPU cost figures: userq_cost.h. */
#include <errno.h>
#include <string.h>

#include "backend.h"
#include "measure.h"
#include "userq_cost.h"

static int has_param(const struct drmb_case *c, const char *name)
{
	const struct drmb_param *p;

	for (p = c->bench->params; p && p->name; p++)
		if (!strcmp(p->name, name))
			return 1;
	return 0;
}

void userq_opts_from_case(const struct drmb_case *c, struct drmb_userq_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->nsyncs = 8;
	o->ring_size = has_param(c, "ring") ? (uint32_t)drmb_case_int(c, "ring") : 65536;
	if (has_param(c, "fw-policy"))
		o->fw_policy = (enum drmb_fw_policy)drmb_case_int(c, "fw-policy");
	if (has_param(c, "poll-us"))
		o->poll_interval_us = (uint32_t)drmb_case_int(c, "poll-us");
	if (has_param(c, "idle-us"))
		o->idle_timeout_us = (uint32_t)drmb_case_int(c, "idle-us");
}

static int read_stats(struct userq_cost *k, struct drmb_userq_stats *st)
{
	if (!k->q)
		return -EOPNOTSUPP;
	return drmb_userq_stats(k->dev, k->q, st);
}

/*
 * The firmware thread, counted in cpu-fw and not again in cpu-other. Its
 * id is the queue's, so it is known before the first stats read.
 */
static int fw_pid_of(struct userq_cost *k)
{
	struct drmb_userq_stats st;

	if (k->st_ok)
		return k->st.fw_tid;
	return k->q && !read_stats(k, &st) ? st.fw_tid : 0;
}

void userq_cost_start(struct userq_cost *k, unsigned int what, struct drmb_device *dev,
		      struct drmb_userq *q)
{
	memset(k, 0, sizeof(*k));
	k->what = what;
	k->dev = dev;
	k->q = q;
	/*
	 * Widest window first: the scan of every process takes milliseconds
	 * in a guest, which a busy firmware thread would spend spinning.
	 */
	if (what & USERQ_COST_OTHER)
		k->other_ok = !drmb_other_tasks_cpu_ns(fw_pid_of(k), &k->other_ns);
	k->st_ok = !read_stats(k, &k->st);
	/* Last: the reads above are not the caller's cost. */
	k->self_ns = drmb_thread_cpu_ns();
}

void userq_cost_report(struct drmb_case *c, struct userq_cost *k, double jobs)
{
	uint64_t self = drmb_thread_cpu_ns(), other = 0;
	struct drmb_userq_stats st;
	int st_ok, other_ok = 0;

	st_ok = k->st_ok && !read_stats(k, &st);
	if (k->what & USERQ_COST_OTHER)
		other_ok = k->other_ok && !drmb_other_tasks_cpu_ns(fw_pid_of(k), &other);
	if (jobs <= 0)
		return;
	if (k->what & USERQ_COST_SUBMIT)
		drmb_case_metric(c, "cpu-submit-ns/op",
				 (double)(self - k->self_ns - k->untimed_self_ns) / jobs);
	if ((k->what & USERQ_COST_FW) && st_ok && k->st.fw_cpu_ns >= 0 && st.fw_cpu_ns >= 0)
		drmb_case_metric(c, "cpu-fw-ns/op",
				 (double)(st.fw_cpu_ns - k->st.fw_cpu_ns) / jobs);
	/* Tasks that exited during the run take their time with them. */
	if ((k->what & USERQ_COST_OTHER) && other_ok)
		drmb_case_metric(c, "cpu-other-ns/op",
				 other > k->other_ns ? (double)(other - k->other_ns) / jobs : 0);
	if ((k->what & USERQ_COST_KICKS) && st_ok)
		drmb_case_metric(c, "kicks/op", (double)(st.kicks - k->st.kicks) / jobs);
	if ((k->what & USERQ_COST_WAKEUPS) && st_ok)
		drmb_case_metric(c, "fw-wakeups/op",
				 (double)(st.fw_wakeups - k->st.fw_wakeups) / jobs);
	if ((k->what & USERQ_COST_DOORBELLS) && st_ok)
		drmb_case_metric(c, "doorbells/op",
				 (double)(st.doorbells - k->st.doorbells) / jobs);
}
