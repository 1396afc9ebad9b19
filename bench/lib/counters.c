// SPDX-License-Identifier: MIT
/*
 * Per-run counters over the timed region: cycles and instructions (hardware,
 * named through libpfm4 so the encoding is right for this PMU) and context
 * switches and CPU migrations (software events, always there). Counters
 * follow the process and the threads it creates later (inherit), so the
 * waiter thread of a wake benchmark is counted too. What cannot be had (no
 * PMU in a VM, perf_event_paranoid, no libpfm4 in this build) is recorded
 * as unavailable with the reason; the rest still work.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef HAVE_LIBPFM
#include <perfmon/pfmlib_perf_event.h>
#endif

#include "appendf.h"
#include "env.h"

const char *const drmb_counter_units[DRMB_NR_COUNTERS] = {
	[DRMB_CNT_CYCLES] = "cycles/op",
	[DRMB_CNT_INSTRUCTIONS] = "instructions/op",
	[DRMB_CNT_CTX_SWITCHES] = "ctx-switches/op",
	[DRMB_CNT_MIGRATIONS] = "migrations/op",
};

static const char *const counter_names[DRMB_NR_COUNTERS] = {
	"cycles", "instructions", "context-switches", "cpu-migrations",
};

static int open_attr(struct perf_event_attr *attr)
{
	int fd;

	attr->size = sizeof(*attr);
	attr->inherit = 1;
	fd = syscall(SYS_perf_event_open, attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0 && (errno == EACCES || errno == EPERM) && !attr->exclude_kernel) {
		/* perf_event_paranoid may allow user-only counting. */
		attr->exclude_kernel = 1;
		attr->exclude_hv = 1;
		fd = syscall(SYS_perf_event_open, attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	}
	return fd < 0 ? -errno : fd;
}

static int open_hw(enum drmb_counter which, char *why, size_t len)
{
#ifdef HAVE_LIBPFM
	static int pfm_state = 1;	/* 1 = not initialised */
	struct perf_event_attr attr;
	pfm_perf_encode_arg_t arg;
	int ret;

	if (pfm_state == 1)
		pfm_state = pfm_initialize() == PFM_SUCCESS ? 0 : -ENODEV;
	if (pfm_state) {
		snprintf(why, len, "libpfm4 failed to initialise");
		return pfm_state;
	}
	memset(&attr, 0, sizeof(attr));
	memset(&arg, 0, sizeof(arg));
	arg.attr = &attr;
	arg.size = sizeof(arg);
	ret = pfm_get_os_event_encoding(counter_names[which], PFM_PLM0 | PFM_PLM3,
					PFM_OS_PERF_EVENT, &arg);
	if (ret != PFM_SUCCESS) {
		snprintf(why, len, "libpfm4: %s", pfm_strerror(ret));
		return -ENOENT;
	}
	ret = open_attr(&attr);
	if (ret < 0)
		snprintf(why, len, "perf_event_open: %s", strerror(-ret));
	return ret;
#else
	(void)which;
	snprintf(why, len, "drmbench built without libpfm4");
	return -EOPNOTSUPP;
#endif
}

static int open_sw(unsigned long long config, char *why, size_t len)
{
	struct perf_event_attr attr;
	int ret;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = config;
	ret = open_attr(&attr);
	if (ret < 0)
		snprintf(why, len, "perf_event_open: %s", strerror(-ret));
	return ret;
}

void drmb_counters_open(struct drmb_counters *k)
{
	int i;

	memset(k, 0, sizeof(*k));
	k->fd[DRMB_CNT_CYCLES] = open_hw(DRMB_CNT_CYCLES, k->why[DRMB_CNT_CYCLES],
					 sizeof(k->why[0]));
	k->fd[DRMB_CNT_INSTRUCTIONS] = open_hw(DRMB_CNT_INSTRUCTIONS,
					       k->why[DRMB_CNT_INSTRUCTIONS],
					       sizeof(k->why[0]));
	k->fd[DRMB_CNT_CTX_SWITCHES] = open_sw(PERF_COUNT_SW_CONTEXT_SWITCHES,
					       k->why[DRMB_CNT_CTX_SWITCHES],
					       sizeof(k->why[0]));
	k->fd[DRMB_CNT_MIGRATIONS] = open_sw(PERF_COUNT_SW_CPU_MIGRATIONS,
					     k->why[DRMB_CNT_MIGRATIONS],
					     sizeof(k->why[0]));
	for (i = 0; i < DRMB_NR_COUNTERS; i++)
		if (k->fd[i] < 0)
			k->fd[i] = -1;
}

/*
 * Counters stay enabled and runs take differences: with inherit, the counts
 * of exited threads are folded into the parent's total, which
 * PERF_EVENT_IOC_RESET does not clear.
 */
static int read_counter(struct drmb_counters *k, int i, uint64_t *v)
{
	if (read(k->fd[i], v, sizeof(*v)) == sizeof(*v))
		return 0;
	snprintf(k->why[i], sizeof(k->why[i]), "read failed");
	close(k->fd[i]);
	k->fd[i] = -1;
	return -EIO;
}

void drmb_counters_start(struct drmb_counters *k)
{
	int i;

	for (i = 0; i < DRMB_NR_COUNTERS; i++)
		if (k->fd[i] >= 0)
			read_counter(k, i, &k->start[i]);
}

void drmb_counters_stop(struct drmb_counters *k)
{
	uint64_t v;
	int i;

	for (i = 0; i < DRMB_NR_COUNTERS; i++)
		if (k->fd[i] >= 0 && !read_counter(k, i, &v))
			k->value[i] = v - k->start[i];
}

void drmb_counters_close(struct drmb_counters *k)
{
	int i;

	for (i = 0; i < DRMB_NR_COUNTERS; i++)
		if (k->fd[i] >= 0)
			close(k->fd[i]);
	memset(k->fd, -1, sizeof(k->fd));
}

void drmb_counters_describe(const struct drmb_counters *k, char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < DRMB_NR_COUNTERS && off < len; i++)
		drmb_appendf(buf, len, &off, "%s%s=%s%s%s", i ? " " : "",
			     counter_names[i], k->fd[i] >= 0 ? "ok" : "unavailable(",
			     k->fd[i] >= 0 ? "" : k->why[i], k->fd[i] >= 0 ? "" : ")");
}
