// SPDX-License-Identifier: MIT
/*
 * What of user-mode submission can be checked without the driver: the ring
 * arithmetic a producer relies on (and its refusal to trust a bad extract),
 * the shared producer and userspace waiters, the options every backend checks,
 * the throttle that keeps a ring's worth of jobs in flight, the firmware
 * policy names, capability groups (a table is the group; a withdrawn one
 * SKIPs with the device's reason; a wrapper refuses what is absent),
 * and the CPU-time readers the user-queue benchmarks report.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "backend.h"
#include "measure.h"
#include "userq.h"

static void test_ring_check(void)
{
	char why[DRMB_WHY_LEN];

	CHECK(drmb_userq_ring_check(4096, 4096, 65536, 64, why, sizeof(why)) == 0,
	      "ring 4096 in 4096..65536 accepted");
	CHECK(drmb_userq_ring_check(65536, 4096, 65536, 64, why, sizeof(why)) == 0,
	      "ring at the driver's maximum accepted");
	CHECK(drmb_userq_ring_check(6144, 4096, 65536, 64, why, sizeof(why)) == -EINVAL &&
	      strstr(why, "6144") && strstr(why, "power of two"),
	      "ring 6144 refused as not a power of two (%s)", why);
	CHECK(drmb_userq_ring_check(0, 4096, 65536, 64, why, sizeof(why)) == -EINVAL,
	      "ring 0 refused");
	CHECK(drmb_userq_ring_check(131072, 4096, 65536, 64, why, sizeof(why)) == -ERANGE &&
	      strstr(why, "131072") && strstr(why, "65536"),
	      "ring above the driver's maximum refused with both sizes (%s)", why);
	CHECK(drmb_userq_ring_check(2048, 4096, 65536, 64, why, sizeof(why)) == -ERANGE,
	      "ring below the minimum refused");
	CHECK(drmb_userq_ring_check(32, 0, 65536, 64, why, sizeof(why)) == -EINVAL &&
	      strstr(why, "descriptor"),
	      "ring smaller than a descriptor refused (%s)", why);
}

static void test_ring_space(void)
{
	CHECK(drmb_userq_ring_space(0, 0, 4096, 64) == 64, "empty ring: 64 free descriptors");
	CHECK(drmb_userq_ring_space(4096, 0, 4096, 64) == 0, "full ring: none free");
	CHECK(drmb_userq_ring_space(4096 + 640, 4096, 4096, 64) == 54,
	      "10 in flight after a wrap: 54 free");
	CHECK(drmb_userq_ring_space(1ull << 40, (1ull << 40) - 64, 4096, 64) == 63,
	      "free-running counts far past the ring size");
	CHECK(drmb_userq_ring_space(128, 192, 4096, 64) == -EIO,
	      "extract past insert is not trusted");
	CHECK(drmb_userq_ring_space(8192 + 64, 64, 4096, 64) == -EIO,
	      "extract more than a ring behind is not trusted");
	CHECK(drmb_userq_ring_space(128, 65, 4096, 64) == -EIO,
	      "extract inside a descriptor is not trusted");
	CHECK(drmb_userq_ring_pos(4096 + 192, 4096) == 192, "ring position wraps");
	CHECK(drmb_userq_ring_pos(65536 * 3 + 64, 65536) == 64, "ring position of a 64 KiB ring");
}

static void test_throttle(void)
{
	CHECK(drmb_userq_throttle(0, 16, 64) == 0, "first batch: no wait");
	CHECK(drmb_userq_throttle(48, 16, 64) == 0, "batch filling the ring exactly: no wait");
	CHECK(drmb_userq_throttle(64, 16, 64) == 16,
	      "full ring, 16 more: wait for job 16 (its slot is then free)");
	CHECK(drmb_userq_throttle(1000, 1, 64) == 937, "steady state: wait for job 937");
}

static void test_names(void)
{
	/* The parameters' choices are these arrays: index = enum value. */
	CHECK(!strcmp(drmb_fw_policy_names[DRMB_FW_DEFAULT], "default") &&
	      !strcmp(drmb_fw_policy_names[DRMB_FW_BUSY], "busy") &&
	      !strcmp(drmb_fw_policy_names[DRMB_FW_POLL], "poll") &&
	      !strcmp(drmb_fw_policy_names[DRMB_FW_SLEEP], "sleep") &&
	      !drmb_fw_policy_names[DRMB_FW_SLEEP + 1],
	      "fw policy names in enum order, NULL-ended");
	CHECK(!strcmp(drmb_userq_wait_names[DRMB_USERQ_WAIT_EVENTFD], "eventfd") &&
	      !drmb_userq_wait_names[DRMB_USERQ_WAIT_EVENTFD + 1],
	      "wait names in enum order, NULL-ended");
}

static const struct drmb_userq_ops fake_userq = { 0 };	/* the group, no ops */
static const struct drmb_backend fake_backend = { .name = "fake", .userq = &fake_userq };
static const struct drmb_backend bare_backend = { .name = "bare" };

static void test_require(void)
{
	struct drmb_device dev = { .fd = -1, .backend = &bare_backend };
	struct drmb_userq_opts o = { 0 };
	struct drmb_userq_stats st;
	struct drmb_userq q;
	char why[DRMB_WHY_LEN];

	dev.groups = drmb_backend_groups(&bare_backend);
	CHECK(drmb_device_lacks(&dev, DRMB_NEEDS(DRMB_GROUP_USERQ), why, sizeof(why)) ==
	      -EOPNOTSUPP && strstr(why, "bare") && strstr(why, "userq"),
	      "a backend without user queues: SKIP naming it and the group (%s)", why);
	dev.backend = &fake_backend;
	dev.groups = drmb_backend_groups(&fake_backend);
	CHECK(dev.groups == DRMB_NEEDS(DRMB_GROUP_USERQ) &&
	      !drmb_device_lacks(&dev, DRMB_NEEDS(DRMB_GROUP_USERQ), why, sizeof(why)),
	      "a non-NULL table is the group");
	drmb_device_withdraw(&dev, DRMB_GROUP_USERQ, "module too old (uAPI %d)", 3);
	CHECK(drmb_device_lacks(&dev, DRMB_NEEDS(DRMB_GROUP_USERQ), why, sizeof(why)) ==
	      -EOPNOTSUPP && strstr(why, "module too old (uAPI 3)"),
	      "the device's own reason is passed on (%s)", why);
	CHECK(drmb_userq_create(&dev, &o, &q, why, sizeof(why)) == -EOPNOTSUPP &&
	      q.eventfd == -1 && strstr(why, "module too old"),
	      "a wrapper refuses a withdrawn group with its reason (%s)", why);
	dev.groups = drmb_backend_groups(&fake_backend);
	CHECK(drmb_userq_stats(&dev, &q, &st) == -EOPNOTSUPP,
	      "an optional op the table lacks is -EOPNOTSUPP");
}

static void test_cputime(void)
{
	uint64_t a, b, v = 0;
	volatile unsigned long x = 0;
	unsigned long i;

	CHECK(drmb_parse_schedstat("8612281 18060848 118\n", &v) == 0 && v == 8612281,
	      "schedstat: first field");
	CHECK(drmb_parse_schedstat("x 1 2\n", &v) == -EINVAL, "schedstat: garbage refused");
	CHECK(drmb_parse_schedstat("12abc 1 2\n", &v) == -EINVAL,
	      "schedstat: trailing garbage refused");
	CHECK(drmb_parse_schedstat("", &v) == -EINVAL, "schedstat: empty refused");

	{
		static const char running[] = "28241 (c a) t) R 27865 27865 9793 0 -1 4194304 101 0 0 0 0 0 0 0 20 0 1 0 865051 3133440 408 18446744073709551615 94041705963520 94041705983401 140727850550480 0 0 0 0 0 0 0 0 0 17 3 0 0 0 0 0\n";
		static const char sleeping[] = "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 2 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 0 0 0 17 1 0 0 0 0 0\n";
		int cpu = -1;

		CHECK(drmb_parse_stat_running_cpu(running, &cpu) == 0 && cpu == 3,
		      "stat: a running task's CPU (field 39), a ')' in its name (%d)", cpu);
		CHECK(drmb_parse_stat_running_cpu(sleeping, &cpu) == -EAGAIN,
		      "stat: a sleeping task has no running CPU");
		CHECK(drmb_parse_stat_running_cpu("12 (x) R 1 2 3\n", &cpu) == -EINVAL,
		      "stat: a short line refused");
		CHECK(drmb_parse_stat_running_cpu("garbage", &cpu) == -EINVAL,
		      "stat: garbage refused");
	}

	a = drmb_thread_cpu_ns();
	for (i = 0; i < 20000000; i++)
		x += i;
	b = drmb_thread_cpu_ns();
	CHECK(b > a, "thread CPU time advances over a busy loop");
	CHECK(drmb_task_cpu_ns(getpid(), &v) == 0 && v >= b - a,
	      "this process's CPU time covers the loop");
	CHECK(drmb_task_cpu_ns(0, &v) == -EINVAL, "pid 0 refused");
	CHECK(drmb_task_cpu_ns(-1, &v) == -EINVAL, "negative pid refused");
	v = 0;
	CHECK(drmb_other_tasks_cpu_ns(getpid(), &v) == 0 && v > 0,
	      "other processes' CPU time (pid 1 at least) is read");
}

/* A producer over plain memory: what the backends' firmware sees. */
static void encode_job(void *desc, const struct drmb_userq_job *j, uint64_t seqno)
{
	uint64_t d[2] = { seqno, j->signal_value };

	memcpy(desc, d, sizeof(d));
}

static void test_ring_submit(void)
{
	uint64_t ring[16] = { 0 }, insert = 0, extract = 0, sync[2] = { 0 }, first = 0;
	uint32_t state = 0, doorbell = 0;
	struct drmb_userq_ring r = {
		.ring = ring, .ring_size = sizeof(ring),
		.insert_io = &insert, .extract_io = &extract, .state_io = &state,
		.state_inactive = 1, .state_faulty = 2, .doorbell = &doorbell,
		.sync = sync, .nsyncs = 2,
	};
	struct drmb_userq_job jobs[9] = { { .signal_sync = 1, .signal_value = 7 } };

	CHECK(drmb_userq_ring_submit(&r, jobs, 2, encode_job, 16, &first) == 0 &&
	      insert == 32 && doorbell == 1 && first == 1 && ring[0] == 1 && ring[1] == 7 &&
	      ring[2] == 2, "two jobs written, insert published, doorbell rung, numbered from 1");
	CHECK(drmb_userq_ring_submit(&r, jobs, 7, encode_job, 16, NULL) == -EAGAIN && insert == 32,
	      "a batch the ring cannot hold: -EAGAIN, nothing published");
	jobs[0].signal_sync = 2;
	CHECK(drmb_userq_ring_submit(&r, jobs, 1, encode_job, 16, NULL) == -EINVAL && insert == 32,
	      "a sync object past the queue's: -EINVAL");
	jobs[0].signal_sync = 0;
	state = 1;
	CHECK(drmb_userq_ring_submit(&r, jobs, 1, encode_job, 16, &first) == 1 && first == 3,
	      "an inactive queue asks for a kick");
	state = 2;
	CHECK(drmb_userq_ring_submit(&r, jobs, 1, encode_job, 16, NULL) == -EIO,
	      "a faulted queue: -EIO");
	extract = 64;
	CHECK(drmb_userq_ring_submit(&r, jobs, 1, encode_job, 16, NULL) == -EIO,
	      "an extract past insert is never trusted: -EIO");
	state = 0;
	extract = 0;
	sync[1] = 5;
	CHECK(drmb_userq_ring_wait(&r, -1, 1, 5, DRMB_USERQ_WAIT_SPIN, 1000000) == 0,
	      "spin: a value already reached returns at once");
	CHECK(drmb_userq_ring_wait(&r, -1, 1, 6, DRMB_USERQ_WAIT_SPIN, 1000000) == -ETIME,
	      "spin: a value never reached times out");
	CHECK(drmb_userq_ring_wait(&r, -1, 1, 6, DRMB_USERQ_WAIT_EVENTFD, 1000000) == -EINVAL &&
	      drmb_userq_ring_wait(&r, -1, 2, 1, DRMB_USERQ_WAIT_SPIN, 1000000) == -EINVAL &&
	      drmb_userq_ring_wait(&r, -1, 1, 1, DRMB_USERQ_WAIT_IOCTL, 1000000) == -EINVAL,
	      "no eventfd, a bad sync object, the backend's own wait: -EINVAL");
}

static void test_opts_check(void)
{
	struct drmb_userq_opts o = { .ring_size = 4096, .nsyncs = 1 };
	char why[DRMB_WHY_LEN];

	CHECK(drmb_userq_opts_check(&o, "drv", 2, 4096, 65536, 64, why, sizeof(why)) == 0,
	      "good options pass");
	o.engine = 2;
	CHECK(drmb_userq_opts_check(&o, "drv", 2, 4096, 65536, 64, why, sizeof(why)) == -ENOENT &&
	      strstr(why, "drv has 2 engines"), "an engine the driver lacks (%s)", why);
	o.engine = 0;
	o.ring_size = 1 << 20;
	CHECK(drmb_userq_opts_check(&o, "drv", 2, 4096, 65536, 64, why, sizeof(why)) ==
	      -EOPNOTSUPP, "a ring the driver does not take: -EOPNOTSUPP (%s)", why);
	o.ring_size = 4096;
	o.nsyncs = 0;
	CHECK(drmb_userq_opts_check(&o, "drv", 2, 4096, 65536, 64, why, sizeof(why)) == -EINVAL,
	      "no sync object: -EINVAL");
	o.nsyncs = 1;
	o.fw_policy = DRMB_FW_SLEEP + 1;
	CHECK(drmb_userq_opts_check(&o, "drv", 2, 4096, 65536, 64, why, sizeof(why)) == -EINVAL,
	      "an unknown firmware policy: -EINVAL");
}

int main(void)
{
	test_ring_check();
	test_ring_space();
	test_throttle();
	test_ring_submit();
	test_opts_check();
	test_names();
	test_require();
	test_cputime();
	return check_done();
}
