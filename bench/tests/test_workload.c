// SPDX-License-Identifier: MIT
/*
 * The workload language and engine without a driver: the parser's
 * results and its errors (each names the line and what was expected), and
 * the engine on a fake device, a single FIFO engine in real time (a job
 * runs at max(submit, engine free, dependency end) for its duration), so
 * cycle, ideal, missed-period, engine-share, ready-wait and dependency
 * bookkeeping are checked against a device whose behaviour is known.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "measure.h"
#include "workload.h"

/* Not linked: the built-ins live in drmbench's generated file. */
const struct drmb_workload_src drmb_builtin_workloads[] = { { NULL, NULL } };
const char *const drmb_builtin_workload_names[] = { NULL };

/* ---- parser ------------------------------------------------------------ */

static int parse(struct drmb_workload *w, const char *text, char *err, size_t len)
{
	err[0] = '\0';
	return drmb_workload_parse(w, "t.wl", text, err, len);
}

static void test_parse_ok(void)
{
	struct drmb_workload w;
	char err[256];
	uint64_t ns = 0;
	int ret;

	ret = parse(&w,
		    "# comment\n"
		    "workload two\n"
		    "description a test   workload\n"
		    "client ui priority=high period=16667us rt=10\n"
		    "  submit 1ms\n"
		    "  submit 200us-2ms after=1  # random, after step 1\n"
		    "  wait 2\n"
		    "client hog count=3 priority=low engine=1 depth=4\n"
		    "  submit 8ms\n"
		    "  sleep 1.5ms\n", err, sizeof(err));
	CHECK(ret == 0, "valid workload parses (%s)", err);
	CHECK(!strcmp(w.name, "two") && !strcmp(w.description, "a test   workload"),
	      "name and description");
	CHECK(w.ngroups == 2 && w.group[0].priority == 2 && w.group[0].period_ns == 16667000 &&
	      w.group[0].rt_prio == 10 && w.group[0].count == 1 && w.group[0].depth == 1,
	      "client ui: priority, period, rt, defaults");
	CHECK(w.group[0].nsteps == 3 && w.group[0].nsubmits == 2 &&
	      w.group[0].step[1].min_ns == 200000 && w.group[0].step[1].max_ns == 2000000 &&
	      w.group[0].step[1].after == 0 && w.group[0].step[2].type == DRMB_WL_WAIT &&
	      w.group[0].step[2].target == 1, "steps: range, after=, wait");
	CHECK(w.group[1].count == 3 && w.group[1].priority == 0 && w.group[1].engine == 1 &&
	      w.group[1].depth == 4 && w.group[1].step[1].type == DRMB_WL_SLEEP &&
	      w.group[1].step[1].min_ns == 1500000, "client hog: count, engine, depth, sleep 1.5ms");
	CHECK(drmb_wl_parse_duration("2s", &ns) == 0 && ns == 2000000000ull, "2s");
	CHECK(drmb_wl_parse_duration("750ns", &ns) == 0 && ns == 750, "750ns");
	CHECK(drmb_wl_parse_duration("5", &ns) == -EINVAL, "a duration needs a unit");
	CHECK(drmb_wl_parse_duration("-1ms", &ns) == -EINVAL, "negative duration refused");
	CHECK(drmb_wl_parse_duration("2h", &ns) == -EINVAL, "unknown unit refused");
}

static void test_parse_errors(void)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "workload x\nclient a\n submit 5\n", "t.wl:3: submit: expected a duration" },
		{ "workload x\nclient a\n submit 1ms\n frobnicate\n", "t.wl:4: unknown statement 'frobnicate'" },
		{ "workload x\nsubmit 1ms\n", "t.wl:2: 'submit' before any 'client' line" },
		{ "workload x\nclient a\n submit 1ms\n sleep 1ms\n wait 2\n", "t.wl:5: wait: step 2 is not a submit" },
		{ "workload x\nclient a\n submit 1ms\n wait 3\n", "t.wl:4: wait: expected an integer 1..1" },
		{ "workload x\nclient a priority=urgent\n", "t.wl:2: priority: expected low, normal or high, got 'urgent'" },
		{ "workload x\nclient a count=0\n", "t.wl:2: count: expected an integer 1..64, got '0'" },
		{ "workload x\nclient a colour=red\n", "t.wl:2: client a: unknown key 'colour'" },
		{ "workload x\nclient a\n submit 1ms\nclient a\n", "t.wl:4: client: 'a' is defined twice" },
		{ "workload x\nclient a\nclient b\n", "t.wl:3: client a has no submit step" },
		{ "workload x\nclient a\n submit 1ms\nclient b\n submit 1ms\nclient c\n", "t.wl:6: at most 2 clients" },
		{ "workload x\nclient a depth=32\n submit 1ms\n submit 1ms\n", "depth 32 x 2 submits is more than 32" },
		{ "client a\n submit 1ms\n", "no 'workload NAME' line" },
		{ "workload x\n", "no 'client' line" },
		{ "workload x\nclient a\n submit 3ms-1ms\n", "t.wl:3: submit: the range 3ms-1ms goes backwards" },
		{ "workload x\nclient A/b\n", "t.wl:2: client: 'A/b' is not a name" },
		{ "workload x\nclient a count=40\n submit 1ms\nclient b count=40\n submit 1ms\n", "80 clients in all, at most 64" },
	};
	struct drmb_workload w;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = parse(&w, bad[i].text, err, sizeof(err));

		CHECK(ret == -EINVAL && strstr(err, bad[i].want), "error %zu: want \"%s\", got \"%s\"",
		      i, bad[i].want, err);
	}
	CHECK(drmb_workload_load(&w, "/nonexistent/x.wl", err, sizeof(err)) == -ENOENT &&
	      strstr(err, "/nonexistent/x.wl"), "a missing file is named (%s)", err);
}

/* ---- a fake device ------------------------------------------------------ */

#define FAKE_JOBS 4096

struct fake {
	pthread_mutex_t lock;
	uint64_t engine_free;
	int fail_open, fail_submit_at;
	uint64_t deps_seen, bad_deps;	/* every client's, under lock */
};

struct fake_handle {
	struct fake *f;
	struct drmb_job_times t[FAKE_JOBS];
	int64_t dep[FAKE_JOBS];
};

static int fake_open(void *ctx, const struct drmb_wl_group *g, void **h, char *why, size_t len)
{
	struct fake *f = ctx;
	struct fake_handle *fh;

	if (f->fail_open) {
		snprintf(why, len, "fake: no device");
		return -ENODEV;
	}
	fh = calloc(1, sizeof(*fh));
	if (!fh)
		return -ENOMEM;
	fh->f = f;
	*h = fh;
	return 0;
}

static void fake_close(void *ctx, void *h)
{
	free(h);
}

static int fake_submit(void *h, uint64_t job, uint64_t dur, int64_t dep)
{
	struct fake_handle *fh = h;
	struct drmb_job_times *t = &fh->t[job % FAKE_JOBS];
	uint64_t now = drmb_now_ns(), start;

	if (fh->f->fail_submit_at && job == (uint64_t)fh->f->fail_submit_at)
		return -EIO;
	pthread_mutex_lock(&fh->f->lock);
	start = now > fh->f->engine_free ? now : fh->f->engine_free;
	if (dep >= 0) {
		fh->f->deps_seen++;
		if ((uint64_t)dep >= job)
			fh->f->bad_deps++;
		if (fh->t[dep % FAKE_JOBS].signal_ns > start)
			start = fh->t[dep % FAKE_JOBS].signal_ns;
	}
	fh->f->engine_free = start + dur;
	pthread_mutex_unlock(&fh->f->lock);
	*t = (struct drmb_job_times){ now, start, start, start + dur };
	fh->dep[job % FAKE_JOBS] = dep;
	return 0;
}

static int fake_wait(void *h, uint64_t job)
{
	struct fake_handle *fh = h;
	uint64_t end = fh->t[job % FAKE_JOBS].signal_ns;
	struct timespec ts = { .tv_sec = end / 1000000000ull, .tv_nsec = end % 1000000000ull };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
	return 0;
}

static int fake_times(void *h, uint64_t job, struct drmb_job_times *t)
{
	*t = ((struct fake_handle *)h)->t[job % FAKE_JOBS];
	return 0;
}

static const struct drmb_wl_dev_ops fake_ops = {
	fake_open, fake_close, fake_submit, fake_wait, fake_times,
};

/*
 * Runs until the first client started `cycles` cycles (a count, so a
 * loaded host changes how long that takes, not what is checked), or 20 s.
 */
static int run_text(const char *text, struct fake *f, enum drmb_wl_mode mode, uint64_t cycles,
		    struct drmb_wl_result *r, char *why, size_t len)
{
	struct drmb_workload w;
	struct drmb_wl_opts o = { .duration_ns = 20000000000ull, .target_cycles = cycles,
				  .mode = mode, .seed = 1 };
	char err[256];
	int ret = parse(&w, text, err, sizeof(err));

	if (ret) {
		snprintf(why, len, "%s", err);
		return ret;
	}
	why[0] = '\0';
	return drmb_wl_run(&w, &o, &fake_ops, f, r, why, len);
}

static void test_engine_one(enum drmb_wl_mode mode)
{
	struct fake f = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct drmb_wl_result r;
	const struct drmb_wl_group_result *g = &r.group[0];
	const char *m = mode == DRMB_WL_THREADS ? "threads" : "processes";
	char why[DRMB_WHY_LEN];
	int ret;

	ret = run_text("workload one\nclient a\n submit 2ms\n wait 1\n sleep 1ms\n",
		       &f, mode, 20, &r, why, sizeof(why));
	CHECK(ret == 0, "%s: one client runs (%s)", m, why);
	if (ret)
		return;
	CHECK(r.nclients == 1 && r.client[0].cycles == 20 && r.client[0].ncycle_rec == 20 &&
	      r.client[0].jobs == 20, "%s: 20 cycles of one job: %llu cycles", m,
	      (unsigned long long)r.client[0].cycles);
	CHECK(g->cycle_p50_ns >= 3e6, "%s: a cycle takes at least its 3 ms ideal (%.0f ns)", m,
	      g->cycle_p50_ns);
	CHECK(g->engine_share > 0 && g->engine_share <= 0.67,
	      "%s: engine share of 2 ms jobs in 3 ms cycles: %.3f", m, g->engine_share);
	CHECK(g->missed == 0 && r.client[0].periods == 0, "%s: no period, nothing missed", m);
	CHECK(g->ready_wait_max_ns == 0 && g->submit_run_p50_ns == 0,
	      "%s: alone on an idle engine, a job runs when submitted", m);
	CHECK(r.fairness_spread == 0, "%s: one instance has no spread", m);
	drmb_wl_result_fini(&r);
}

static void test_engine_target(void)
{
	struct fake f = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct drmb_workload w;
	struct drmb_wl_opts o = { .duration_ns = 5000000000ull, .target_cycles = 20 };
	struct drmb_wl_result r;
	char why[DRMB_WHY_LEN];
	int ret;

	ret = parse(&w, "workload t\nclient a count=2\n submit 1ms\n wait 1\nclient b\n submit 1ms\n",
		    why, sizeof(why));
	if (!ret)
		ret = drmb_wl_run(&w, &o, &fake_ops, &f, &r, why, sizeof(why));
	CHECK(ret == 0 && r.client[0].cycles + r.client[1].cycles >= 20 &&
	      r.client[0].cycles + r.client[1].cycles <= 21 && r.run_ns < 1000000000ull,
	      "target_cycles=20 ends the run after the first client's 20th cycle, not at 5 s (%s)", why);
	if (!ret)
		drmb_wl_result_fini(&r);
}

static void test_engine_period(void)
{
	struct fake f = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct drmb_wl_result r;
	char why[DRMB_WHY_LEN];
	int ret;

	ret = run_text("workload p\nclient a period=1ms\n submit 3ms\n wait 1\n",
		       &f, DRMB_WL_THREADS, 10, &r, why, sizeof(why));
	CHECK(ret == 0, "a 3 ms job every 1 ms runs (%s)", why);
	if (ret)
		return;
	CHECK(r.group[0].missed >= 0.5 && r.client[0].periods >= 3 * r.client[0].cycles - 2,
	      "3 ms cycles in a 1 ms period miss most periods (%.2f of %llu)", r.group[0].missed,
	      (unsigned long long)r.client[0].periods);
	drmb_wl_result_fini(&r);

	ret = run_text("workload p\nclient a period=5ms\n submit 1ms\n wait 1\n",
		       &f, DRMB_WL_THREADS, 10, &r, why, sizeof(why));
	CHECK(ret == 0 && r.client[0].cycles == 10 && r.client[0].periods >= 10 &&
	      r.run_ns >= 45000000ull,
	      "a 1 ms job every 5 ms: 10 cycles take at least 9 periods (%llu ns)",
	      ret ? 0ull : (unsigned long long)r.run_ns);
	if (!ret)
		drmb_wl_result_fini(&r);
}

static void test_engine_two(void)
{
	struct fake f = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct drmb_wl_result r;
	char why[DRMB_WHY_LEN];
	int ret;

	ret = run_text("workload two\n"
		       "client ui\n submit 1ms\n wait 1\n sleep 2ms\n"
		       "client hog depth=2\n submit 5ms\n submit 5ms after=1\n",
		       &f, DRMB_WL_THREADS, 30, &r, why, sizeof(why));
	CHECK(ret == 0, "interactive beside a hog runs (%s)", why);
	if (ret)
		return;
	CHECK(r.group[0].ready_wait_max_ns > 1e6 && r.group[0].cycle_p99_ns > 4e6,
	      "the interactive client waits behind the hog's jobs: ready-wait max %.0f, cycle p99 %.0f over a 3 ms ideal",
	      r.group[0].ready_wait_max_ns, r.group[0].cycle_p99_ns);
	CHECK(r.group[0].engine_share + r.group[1].engine_share <= 1.02 &&
	      r.group[1].engine_share > r.group[0].engine_share,
	      "one engine: shares %.3f + %.3f <= 1, the hog's larger",
	      r.group[0].engine_share, r.group[1].engine_share);
	CHECK(f.deps_seen > 0 && !f.bad_deps,
	      "after=1 reaches the device as a dependency on an earlier job");
	drmb_wl_result_fini(&r);
}

static void test_engine_many(void)
{
	struct fake f = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct drmb_wl_result r;
	char why[DRMB_WHY_LEN];
	unsigned int i, ok = 1;
	int ret;

	ret = run_text("workload many\nclient c count=4\n submit 1ms\n wait 1\n sleep 1ms\n",
		       &f, DRMB_WL_THREADS, 40, &r, why, sizeof(why));
	CHECK(ret == 0, "four identical clients run (%s)", why);
	if (ret)
		return;
	for (i = 0; i < r.nclients; i++)
		ok &= r.client[i].cycles > 0 && r.client[i].group == 0;
	CHECK(r.nclients == 4 && ok, "every instance ran cycles");
	CHECK(r.fairness_spread >= 0 && r.fairness_spread == r.group[0].spread,
	      "the fairness spread is the group's: %.3f", r.fairness_spread);
	CHECK(r.group[0].engine_share > 0 && r.group[0].engine_share <= 1.02,
	      "four clients share one engine: %.3f", r.group[0].engine_share);
	drmb_wl_result_fini(&r);
}

static void test_engine_errors(void)
{
	struct fake f = { .lock = PTHREAD_MUTEX_INITIALIZER, .fail_open = 1 };
	struct drmb_wl_result r;
	char why[DRMB_WHY_LEN];
	int ret;

	ret = run_text("workload e\nclient a count=2\n submit 1ms\n wait 1\n",
		       &f, DRMB_WL_THREADS, 10, &r, why, sizeof(why));
	CHECK(ret == -ENODEV && strstr(why, "client a #") && strstr(why, "fake: no device"),
	      "a client that cannot open fails the run, naming it (%s)", why);
	f.fail_open = 0;
	f.fail_submit_at = 5;
	ret = run_text("workload e\nclient a\n submit 1ms\n wait 1\n",
		       &f, DRMB_WL_THREADS, 10, &r, why, sizeof(why));
	CHECK(ret == -EIO && strstr(why, "client a #0: submit"),
	      "a failed submit stops the run with its error (%s)", why);
	f.fail_submit_at = 0;
	ret = run_text("workload e\nclient a\n submit 1ms\n wait 1\n",
		       &f, DRMB_WL_PROCESSES, 5, &r, why, sizeof(why));
	CHECK(ret == 0 && r.client[0].cycles > 0, "processes mode returns its records (%s)", why);
	if (!ret)
		drmb_wl_result_fini(&r);
}

int main(void)
{
	test_parse_ok();
	test_parse_errors();
	test_engine_one(DRMB_WL_THREADS);
	test_engine_one(DRMB_WL_PROCESSES);
	test_engine_period();
	test_engine_target();
	test_engine_two();
	test_engine_many();
	test_engine_errors();
	return check_done();
}
