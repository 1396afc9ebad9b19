/* SPDX-License-Identifier: MIT */
/*
 * Measurement engines. Everything timing-critical lives here once: the clock,
 * preallocated sample buffers, the single-thread loop and the two-thread
 * signal -> wake handshake. Benchmarks only supply the operation.
 */
#ifndef DRMB_MEASURE_H
#define DRMB_MEASURE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "drmb.h"

/*
 * Samples of one run, in ns. The buffer is allocated before timing starts
 * and never grows; a sample may time several operations (ops_per_sample),
 * in which case ns/op is the sample divided by it.
 */
struct drmb_samples {
	uint64_t *ns;
	size_t cap;
	size_t n;
	unsigned int ops_per_sample;
};

int drmb_samples_init(struct drmb_samples *s, size_t cap);
void drmb_samples_fini(struct drmb_samples *s);

/* CLOCK_MONOTONIC: the clock simgpu's kernel timestamps use too. */
static inline uint64_t drmb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Median cost of one drmb_now_ns() call, measured (igt's min_measurement_error). */
double drmb_clock_overhead_ns(void);

/*
 * Times op() once per sample until s->cap samples or c->max_run_ns elapsed.
 * op returns 0 or -errno (which aborts the run).
 */
int drmb_measure_loop(struct drmb_case *c, struct drmb_samples *s,
		      int (*op)(struct drmb_case *c));
/* The same, calling after() untimed with each sample's two stamps. */
int drmb_measure_each(struct drmb_case *c, struct drmb_samples *s,
		      int (*op)(struct drmb_case *c),
		      void (*after)(struct drmb_case *c, size_t i, uint64_t t0, uint64_t t1));
/*
 * The same loop timing op(c->dev): a backend's op resolved in setup
 * (DRMB_GROUP_OPS) is then the only call in the timed region.
 */
int drmb_measure_device(struct drmb_case *c, struct drmb_samples *s,
			int (*op)(struct drmb_device *dev));

/*
 * Two-thread wake latency: the calling thread signals, a waiter thread on the
 * placement's other CPU blocks in wait(). Per sample: arm() (untimed, the
 * signaller resets its objects), the waiter announces it is about to block,
 * the signaller waits until the kernel shows the waiter asleep, takes t0,
 * calls signal(); the waiter takes t1 on return from wait(). Sample = t1 - t0.
 * woken(), if set, sees both stamps after the sample (untimed).
 */
struct drmb_wake_ops {
	int (*arm)(struct drmb_case *c);
	int (*wait)(struct drmb_case *c);
	int (*signal)(struct drmb_case *c);
	void (*woken)(struct drmb_case *c, size_t i, uint64_t t_signal,
		      uint64_t t_woken);
};

int drmb_measure_wake(struct drmb_case *c, struct drmb_samples *s,
		      const struct drmb_wake_ops *ops);

/*
 * CPU time (cputime.c), read untimed around a run: what a job cost the
 * threads that did its work, as opposed to how long it took.
 */
/* The calling thread's CPU time, ns (CLOCK_THREAD_CPUTIME_ID). */
uint64_t drmb_thread_cpu_ns(void);
/* The first field of a /proc/TID/schedstat line (ns on a CPU): 0 or -EINVAL. */
int drmb_parse_schedstat(const char *text, uint64_t *ns);
/*
 * Another process's CPU time, ns, its running slice included: its CPU
 * clock (else /proc/PID/schedstat) read from the CPU it runs on (the
 * caller hops there and back; cputime.c says why). A kernel thread (a user
 * queue's firmware thread) is a process of its own.
 */
int drmb_task_cpu_ns(int pid, uint64_t *ns);
/* From a /proc/PID/stat line: the CPU of a running (R) task; -EAGAIN if not running. */
int drmb_parse_stat_running_cpu(const char *text, int *cpu);
/*
 * Summed CPU time of every process of the machine but this one and
 * exclude_pid (0: none): kworkers, scheduler threads, interrupts taken
 * while they ran, and whatever else the machine was doing. -ENOENT when
 * none could be read.
 */
int drmb_other_tasks_cpu_ns(int exclude_pid, uint64_t *ns);

/*
 * Background CPU load: n unpinned threads spinning at SCHED_OTHER, so a
 * benchmark can show what scheduler and workqueue latency become when the
 * CPUs are busy (the upstream question about run_job latency under load).
 */
struct drmb_load {
	unsigned int n;
	void *threads;
	int stop;
};

int drmb_load_start(struct drmb_load *l, unsigned int n);
void drmb_load_stop(struct drmb_load *l);

#endif
