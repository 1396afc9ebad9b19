/* SPDX-License-Identifier: MIT */
/*
 * The environment a measurement depends on: what the library controls
 * (memory locking, CPU idle states, scheduling, placement, counters) and what
 * it only records (kernel, CPU, topology, hypervisor, DRM devices).
 */
#ifndef DRMB_ENV_H
#define DRMB_ENV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "drmb.h"

struct drmb_kvlist;

/* ---- placement (hwloc) ------------------------------------------------ */

/*
 * Where the signaller and the waiter run. "auto" resolves to the first of
 * same-llc, cross-llc, cross-package, smt-sibling the machine has; "none"
 * leaves both unpinned.
 */
struct drmb_placement {
	char name[24];
	int cpu_signaller;	/* OS CPU index, -1 = unpinned */
	int cpu_waiter;
};

extern const char *const drmb_placement_names[];

/* 0, or -ENOENT (machine lacks it: SKIP) / -EINVAL, with a reason in why. */
int drmb_placement_resolve(const char *name, struct drmb_placement *out,
			   char *why, size_t whylen);
/* Pins the calling thread to OS CPU cpu (no-op for -1). */
int drmb_pin_self(int cpu);
/* "packages=1 cores=2 pus=2 smt=no llcs=1" */
int drmb_topology_summary(char *buf, size_t len);

/* ---- counters (perf_event_open, event names via libpfm4) -------------- */

enum drmb_counter {
	DRMB_CNT_CYCLES,
	DRMB_CNT_INSTRUCTIONS,
	DRMB_CNT_CTX_SWITCHES,
	DRMB_CNT_MIGRATIONS,
	DRMB_NR_COUNTERS,
};

struct drmb_counters {
	int fd[DRMB_NR_COUNTERS];	/* -1 = unavailable, see why */
	char why[DRMB_NR_COUNTERS][64];
	uint64_t start[DRMB_NR_COUNTERS];
	uint64_t value[DRMB_NR_COUNTERS];	/* stop - start */
};

extern const char *const drmb_counter_units[DRMB_NR_COUNTERS];

/* Opens what it can for this process and its future threads; never fails. */
void drmb_counters_open(struct drmb_counters *k);
void drmb_counters_start(struct drmb_counters *k);
void drmb_counters_stop(struct drmb_counters *k);
void drmb_counters_close(struct drmb_counters *k);
/* "cycles=ok instructions=unavailable(no PMU) ..." */
void drmb_counters_describe(const struct drmb_counters *k, char *buf, size_t len);

/* ---- controlled environment ------------------------------------------ */

struct drmb_env_opts {
	int fifo_prio;		/* SCHED_FIFO priority for the waiter, 0 = off */
	int no_dma_latency;	/* leave CPU idle states alone */
	int no_mlock;
	/*
	 * -1 auto: on, except under QEMU TCG where opening and closing them
	 * patches kernel text (static keys), which multi-threaded TCG races
	 * with (an int3 oops in __schedule, seen with 6.12 guests); 0 off; 1 on.
	 */
	int counters;
};

struct drmb_env {
	struct drmb_env_opts opts;
	double clock_overhead_ns;
	int dma_latency_fd;
	char dma_latency[80];	/* "0 (held)" or why not */
	char mlock[80];
	char waiter_sched[80];
	struct drmb_counters counters;
	/*
	 * 1 when the kernel accounts steal time: a guest of a hypervisor that
	 * reports it (KVM, Xen, Hyper-V, VMware) with /proc/stat's steal
	 * column. Metal and TCG guests have no steal to report.
	 */
	int steal;
};

/* Applies what is permitted and records what is not; never fails hard. */
void drmb_env_setup(struct drmb_env *e, const struct drmb_env_opts *o);
void drmb_env_release(struct drmb_env *e);
/* Puts the calling (waiter) thread under the configured policy. */
int drmb_env_waiter_sched(const struct drmb_env *e);

/*
 * Steal time summed over every CPU so far, ns: time the vCPUs were ready
 * but the hypervisor ran something else (/proc/stat's aggregate "cpu"
 * line, 8th value, USER_HZ ticks). -ENOENT when the kernel has no column.
 */
/*
 * A small procfs/sysfs file read whole into buf (len - 1 bytes at most),
 * NUL-terminated: the bytes read, or -errno.
 */
ssize_t drmb_read_text(const char *path, char *buf, size_t len);

int drmb_steal_ns(uint64_t *ns);
/* The steal ticks of a /proc/stat text: 0, or -ENOENT without the column. */
int drmb_parse_proc_stat_steal(const char *text, uint64_t *ticks);

/* ---- recorded environment --------------------------------------------- */

/* Appends the `info` keys (kernel, cpu, topology, hypervisor, devices, ...). */
int drmb_info_collect(struct drmb_kvlist *kv);

/* "kvm", "tcg", "xen", ... or "none"; also the raw cpuid/DMI vendor. */
void drmb_hypervisor(char *accel, size_t alen, char *vendor, size_t vlen);

#endif
