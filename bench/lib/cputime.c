// SPDX-License-Identifier: MIT
/*
 * CPU time of threads, for benchmarks that report what a job costs besides
 * its latency: the calling thread (CLOCK_THREAD_CPUTIME_ID), another
 * process by PID (a kernel thread is a process of its own), and the sum
 * over every other process of the machine, where work done for us by
 * kworkers and other kernel threads lands.
 *
 * Another process's CPU time (its CPU clock, else /proc/PID/schedstat)
 * lags by the slice it is running, if it is: the scheduler adds a running
 * task's time up at ticks and scheduling events only. A busy-polling
 * firmware thread that never sleeps would show its time a tick (4 ms) at
 * a time, more than a whole quick run. So drmb_task_cpu_ns() first moves
 * the calling thread onto the CPU the task is running on: enqueueing it
 * there makes the scheduler account the task's slice so far. Interrupt
 * work done while a CPU was idle belongs to no task and is in none of
 * these figures.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <sched.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "env.h"
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

	snprintf(path, sizeof(path), "/proc/%d/schedstat", tid);
	n = drmb_read_text(path, buf, sizeof(buf));
	if (n <= 0)
		return n < 0 ? n : -ENODATA;
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

int drmb_parse_stat_running_cpu(const char *text, int *cpu)
{
	const char *p = strrchr(text, ')');
	int field;

	/* Fields after the command: 3 is the state, 39 the CPU it last ran on. */
	if (!p || p[1] != ' ' || !p[2])
		return -EINVAL;
	p += 2;
	if (*p != 'R')
		return -EAGAIN;
	for (field = 3; field < 39; field++) {
		p = strchr(p, ' ');
		if (!p)
			return -EINVAL;
		p++;
	}
	if (*p < '0' || *p > '9')
		return -EINVAL;
	*cpu = atoi(p);
	return 0;
}

/* The CPU pid is running on, or -1 when it is not running (or unknown). */
static int running_cpu(int pid)
{
	char path[64], buf[1024];
	int cpu;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (drmb_read_text(path, buf, sizeof(buf)) <= 0)
		return -1;
	return drmb_parse_stat_running_cpu(buf, &cpu) ? -1 : cpu;
}

/* Pins the calling thread to one CPU; returns once it runs there. */
static int move_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

int drmb_task_cpu_ns(int pid, uint64_t *ns)
{
	int cpu, home = sched_getcpu(), moved = 0, ret;
	cpu_set_t old;

	if (pid <= 0)
		return -EINVAL;
	cpu = running_cpu(pid);
	if (cpu >= 0 && cpu < CPU_SETSIZE && home >= 0 && cpu != home &&
	    !sched_getaffinity(0, sizeof(old), &old) && CPU_ISSET(cpu, &old))
		moved = !move_to(cpu);
	ret = process_clock_ns(pid, ns);
	if (ret)
		ret = read_schedstat(pid, ns);
	/*
	 * Back where we were before the mask is opened again: left there,
	 * the caller would share the CPU with a busy task until the load
	 * balancer noticed, and its next measurement would show it.
	 */
	if (moved) {
		move_to(home);
		sched_setaffinity(0, sizeof(old), &old);
	}
	return ret;
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
