// SPDX-License-Identifier: MIT
/*
 * Unit tests of stage attribution's pure parts: matching trace events of
 * both gpu_scheduler generations to submitted jobs (tracejobs.c) and the
 * drm-usage-stats fdinfo reader (fdinfo.c). The tracefs half needs a
 * kernel: the VM stage runs submit-latency stages=check.
 */
#include <errno.h>

#include "check.h"
#include "fdinfo.h"
#include "tracejobs.h"

#define SUBMITTER 100
#define WAITER 101

static struct drmb_tev ev(uint64_t ts, enum drmb_tev_type type, uint64_t key, uint64_t seqno,
			  int pid)
{
	return (struct drmb_tev){ .ts = ts, .type = type, .key = key, .seqno = seqno, .pid = pid,
				  .text = -1 };
}

static void test_new_generation(void)
{
	/* Two samples; another process's job interleaves with the first. */
	struct drmb_tev e[] = {
		ev(1100, DRMB_TEV_QUEUE, 7, 1, SUBMITTER),
		ev(1150, DRMB_TEV_QUEUE, 9, 1, 555),
		ev(1300, DRMB_TEV_RUN, 9, 1, 0),
		ev(1400, DRMB_TEV_RUN, 7, 1, 0),
		ev(1900, DRMB_TEV_DONE, 7, 1, 0),
		ev(1950, DRMB_TEV_WAKEUP, 0, 0, SUBMITTER),
		ev(2000, DRMB_TEV_WAKEUP, 0, 0, WAITER),
		ev(1000, DRMB_TEV_DONE, 9, 1, 0),	/* out of order: sorted */
		ev(5100, DRMB_TEV_QUEUE, 7, 2, SUBMITTER),
		ev(5200, DRMB_TEV_RUN, 7, 2, 0),
		/* no DONE for seqno 2: unmatched */
	};
	uint64_t t0[] = { 1000, 5000 }, t1[] = { 2100, 6000 };
	struct drmb_tjob j[2];
	size_t n = sizeof(e) / sizeof(e[0]), m;

	drmb_tev_sort(e, n);
	CHECK(e[0].ts == 1000 && e[n - 1].ts == 5200, "events sorted by time");
	m = drmb_tracejobs_match(e, n, t0, t1, 2, SUBMITTER, 0, j);
	CHECK(m == 1, "one of two samples matched (got %zu)", m);
	CHECK(j[0].queue_ns == 1100 && j[0].run_ns == 1400 && j[0].done_ns == 1900,
	      "context:seqno picks our job, not the other process's");
	CHECK(j[0].wakeup_ns == 2000, "the waiter's wakeup, not the submitter's (got %llu)",
	      (unsigned long long)j[0].wakeup_ns);
	CHECK(j[1].queue_ns == 5100 && j[1].run_ns == 5200 && !j[1].done_ns,
	      "a job without DONE stays unmatched");
	m = drmb_tracejobs_match(e, n, t0, t1, 1, SUBMITTER, 1, j);
	CHECK(m == 1 && j[0].wakeup_ns == 1950, "sync-file: the submitter's own wakeup");
}

static void test_old_generation(void)
{
	/* 6.1/6.12: by fence address; a batch of two, the last one signals. */
	struct drmb_tev e[] = {
		ev(10, DRMB_TEV_QUEUE, 0xffff1000, 0, SUBMITTER),
		ev(12, DRMB_TEV_QUEUE, 0xffff2000, 0, SUBMITTER),
		ev(20, DRMB_TEV_RUN, 0xffff1000, 0, 0),
		ev(25, DRMB_TEV_DONE, 0xffff1000, 0, 0),
		ev(30, DRMB_TEV_RUN, 0xffff2000, 0, 0),
		ev(40, DRMB_TEV_DONE, 0xffff2000, 0, 0),
		ev(45, DRMB_TEV_WAKEUP, 0, 0, WAITER),
	};
	uint64_t t0[] = { 5 }, t1[] = { 50 };
	struct drmb_tjob j[1];
	size_t m;

	m = drmb_tracejobs_match(e, 7, t0, t1, 1, SUBMITTER, 0, j);
	CHECK(m == 1 && j[0].queue_ns == 12 && j[0].run_ns == 30 && j[0].done_ns == 40,
	      "old generation: the batch's last job by fence address");
	CHECK(j[0].first == 0 && j[0].last == 7, "the sample's events are [0, 7) (got [%zu, %zu))",
	      j[0].first, j[0].last);
	m = drmb_tracejobs_match(e, 7, t0, t1, 1, 999, 0, j);
	CHECK(m == 0, "another thread's submits are not ours");
	m = drmb_tracejobs_match(NULL, 0, t0, t1, 1, SUBMITTER, 0, j);
	CHECK(m == 0 && !j[0].queue_ns, "no events: nothing matched");
}

static void test_fdinfo(void)
{
	static const char text[] =
		"pos:\t0\nflags:\t02100002\nmnt_id:\t24\n"
		"drm-driver:\tsimgpu\ndrm-client-id:\t7\n"
		"drm-engine-e0:\t1500 ns\ndrm-engine-capacity-e0:\t1\ndrm-cycles-e0:\t1500\n"
		"drm-engine-e1:\t0 ns\ndrm-engine-capacity-e1:\t2\n";
	struct drmb_fdinfo a, b;
	unsigned int cap;
	uint64_t busy;

	CHECK(drmb_fdinfo_parse(text, &a) == 0, "fdinfo parses");
	CHECK(!strcmp(a.driver, "simgpu") && a.client_id == 7 && a.nengines == 2,
	      "driver, client id and two engines");
	CHECK(a.engine[0].busy_ns == 1500 && a.engine[0].cycles == 1500 && a.engine[1].capacity == 2,
	      "busy ns, cycles, capacity");
	CHECK(drmb_fdinfo_parse("pos:\t0\nflags:\t0\n", &b) == -ENOENT, "not a DRM file: -ENOENT");
	CHECK(drmb_fdinfo_parse("drm-driver:\tx\ndrm-engine-gfx:\t12 us\n", &b) == -EINVAL,
	      "a busy time not in ns: -EINVAL");
	CHECK(drmb_fdinfo_parse("drm-driver:\tx\ndrm-engine-gfx:\t12abc ns\n", &b) == -EINVAL,
	      "garbage in a number: -EINVAL");
	CHECK(drmb_fdinfo_parse("drm-driver:\tx\ndrm-engine-e0:\t1000 ns\ndrm-engine-e1:\t2 ns\n", &b) == 0,
	      "a later sample of the same engines");
	CHECK(drmb_fdinfo_busy(&a, &b, &busy, &cap) == -EINVAL, "a counter going back: -EINVAL");
	b.engine[0].busy_ns = 2500;
	CHECK(drmb_fdinfo_busy(&a, &b, &busy, &cap) == 0 && busy == 1000 + 2 && cap == 2,
	      "busy summed over engines that moved (got %llu, capacity %u)",
	      (unsigned long long)busy, cap);
}

int main(void)
{
	test_new_generation();
	test_old_generation();
	test_fdinfo();
	return check_done();
}
