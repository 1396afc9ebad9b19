// SPDX-License-Identifier: MIT
/*
 * CPU time of threads, for benchmarks that report what a job costs besides
 * its latency: the calling thread (CLOCK_THREAD_CPUTIME_ID), another
 * process by PID (a kernel thread is a process of its own), and the sum
 * over every other process of the machine, where work done for us by
 * kworkers and other kernel threads lands.
 *
 * Another process's CPU clock (clock_getcpuclockid) is read first: the
 * kernel brings a running task's time up to date before answering, where
 * /proc/TID/schedstat lags by the slice in progress (up to a tick; a
 * thread that never sleeps shows most of its time late). schedstat is the
 * fallback. Interrupt work done while a CPU was idle belongs to no task
 * and is in none of these figures.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "measure.h"

static uint64_t ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000ull + (uint64_t)ts->tv_nsec;
}

uint64_t drmb_thread_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts))
		return 0;
	return ts_ns(&ts);
}

int drmb_parse_schedstat(const char *text, uint64_t *ns)
{
	unsigned long long v;
	char *end;

	while (*text == ' ')
		text++;
	if (*text < '0' || *text > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || (*end != ' ' && *end != '\n' && *end != '\0'))
		return -EINVAL;
	*ns = v;
	return 0;
}

static int read_schedstat(int tid, uint64_t *ns)
{
	char path[64], buf[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -ENODATA;
	buf[n] = '\0';
	return drmb_parse_schedstat(buf, ns);
}

static int process_clock_ns(int pid, uint64_t *ns)
{
	struct timespec ts;
	clockid_t clk;
	int ret;

	ret = clock_getcpuclockid(pid, &clk);
	if (ret)
		return -ret;
	if (clock_gettime(clk, &ts))
		return -errno;
	*ns = ts_ns(&ts);
	return 0;
}

int drmb_task_cpu_ns(int pid, uint64_t *ns)
{
	if (pid <= 0)
		return -EINVAL;
	if (!process_clock_ns(pid, ns))
		return 0;
	return read_schedstat(pid, ns);
}

static int is_number(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

int drmb_other_tasks_cpu_ns(int exclude_pid, uint64_t *ns)
{
	const int self = getpid();
	struct dirent *d;
	uint64_t sum = 0, v;
	int pid, found = 0;
	DIR *procs;

	procs = opendir("/proc");
	if (!procs)
		return -errno;
	while ((d = readdir(procs))) {
		if (!is_number(d->d_name))
			continue;
		pid = atoi(d->d_name);
		if (pid == self || pid == exclude_pid)
			continue;
		/* A process gone since readdir took its time with it. */
		if (!drmb_task_cpu_ns(pid, &v)) {
			sum += v;
			found++;
		}
	}
	closedir(procs);
	if (!found)
		return -ENOENT;
	*ns = sum;
	return 0;
}
