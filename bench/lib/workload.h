/* SPDX-License-Identifier: MIT */
/*
 * Multi-client scheduler workloads (docs/workloads.md): a small language
 * (workload_lang.c) and an engine that runs it (workload_run.c).
 *
 * A workload is up to DRMB_WL_MAX_GROUPS client groups; a group is `count`
 * identical clients, each with its own DRM file and queue, each running a
 * loop of steps (a cycle) from a common start until the run's time is up.
 * The engine reaches the device only through struct drmb_wl_dev_ops, so
 * it runs on a fake device in the host's unit test as on simgpu in a guest.
 */
#ifndef DRMB_WORKLOAD_H
#define DRMB_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "drmb.h"

#define DRMB_WL_MAX_GROUPS 2		/* 7 metrics each + the spread fit a result line */
#define DRMB_WL_MAX_STEPS 16
#define DRMB_WL_MAX_CLIENTS 64		/* instances, all groups together */
#define DRMB_WL_MAX_INFLIGHT 32		/* depth x submits of a cycle */
#define DRMB_WL_NAME_LEN 32

enum drmb_wl_step_type { DRMB_WL_SUBMIT, DRMB_WL_WAIT, DRMB_WL_SLEEP };

struct drmb_wl_step {
	enum drmb_wl_step_type type;
	uint64_t min_ns, max_ns;	/* SUBMIT: job duration; SLEEP: time */
	int after;			/* SUBMIT: step index it depends on, -1 none */
	int target;			/* WAIT: step index waited for */
};

struct drmb_wl_group {
	char name[DRMB_WL_NAME_LEN];
	unsigned int count;		/* identical clients */
	unsigned int priority;		/* 0 low, 1 normal, 2 high */
	unsigned int engine;
	uint64_t period_ns;		/* 0: cycles back to back */
	unsigned int depth;		/* cycles in flight before a new one waits */
	int rt_prio;			/* >0: submit thread SCHED_FIFO at this prio */
	struct drmb_wl_step step[DRMB_WL_MAX_STEPS];
	unsigned int nsteps, nsubmits;
};

struct drmb_workload {
	char name[DRMB_WL_NAME_LEN];
	char description[128];
	/* time-cap: a run may take this long even above run -t; 0: none */
	uint64_t time_cap_ns;
	struct drmb_wl_group group[DRMB_WL_MAX_GROUPS];
	unsigned int ngroups;
};

/*
 * Parses workload text; origin names it in errors ("FILE" or a built-in
 * name). -EINVAL with "ORIGIN:LINE: what was expected" in err.
 */
int drmb_workload_parse(struct drmb_workload *w, const char *origin, const char *text,
			char *err, size_t errlen);
/* Reads and parses a file (errors as above, or naming the file). */
int drmb_workload_load(struct drmb_workload *w, const char *path, char *err, size_t errlen);

/* Workloads compiled in from workloads/sched/NAME.wl (generated). */
struct drmb_workload_src {
	const char *name;
	const char *text;
};
extern const struct drmb_workload_src drmb_builtin_workloads[];
/* Their names, NULL-ended: the choices of sched-workload's `workload`. */
extern const char *const drmb_builtin_workload_names[];
const struct drmb_workload_src *drmb_workload_builtin(const char *name);

/* ---- the engine --------------------------------------------------------- */

/*
 * The device, as the engine sees it. Every call of one client comes from
 * that client's thread (or process); job numbers count from 0 per client.
 */
struct drmb_wl_dev_ops {
	/* Opens the client's own file and queue; *h is passed back below. */
	int (*open)(void *ctx, const struct drmb_wl_group *g, void **h,
		    char *why, size_t whylen);
	void (*close)(void *ctx, void *h);
	/* Queues job `job` of duration_ns, after job `dep` (-1: none) signalled. */
	int (*submit)(void *h, uint64_t job, uint64_t duration_ns, int64_t dep);
	/* Returns once job `job` signalled. */
	int (*wait)(void *h, uint64_t job);
	/* Stage times of a signalled job (CLOCK_MONOTONIC ns). */
	int (*times)(void *h, uint64_t job, struct drmb_job_times *t);
	/*
	 * Optional: the engine busy time the client's file has accumulated,
	 * from its drm-usage-stats (fdinfo); -errno when the driver reports
	 * none. Read once the client's jobs all signalled, before close.
	 */
	int (*busy)(void *h, uint64_t *busy_ns);
};

enum drmb_wl_mode { DRMB_WL_THREADS, DRMB_WL_PROCESSES };

/* What one client instance measured. */
struct drmb_wl_client_stats {
	unsigned int group;
	uint64_t cycles, periods, missed;
	uint64_t jobs, engine_ns;
	uint64_t fdinfo_busy_ns;	/* from ops->busy, if have_fdinfo */
	int have_fdinfo;
	uint64_t ready_wait_max_ns;
	int error;			/* -errno that stopped the client, 0 */
	char why[DRMB_WHY_LEN];
	uint64_t *cycle_ns;		/* per cycle: end - start */
	uint64_t *over_ideal_ns;	/* per cycle: cycle - ideal */
	uint64_t *submit_run_ns;	/* per job: run_job - ioctl */
	uint64_t *ready_wait_ns;	/* per job: run_job - ready */
	size_t ncycle_rec, njob_rec;
};

/* Per group, over its instances. */
struct drmb_wl_group_result {
	double cycle_p50_ns, cycle_p99_ns, over_ideal_p50_ns;
	double missed;			/* missed periods / periods (0 without period) */
	double engine_share;		/* engine time / run time, instances summed */
	/* The same from the clients' fdinfo busy time; NAN unless all had it. */
	double fdinfo_engine_share;
	double submit_run_p50_ns;
	double ready_wait_max_ns;
	/* (max - min) / min of the instances' cycle p50s; 0 for one instance. */
	double spread;
};

struct drmb_wl_result {
	unsigned int nclients;
	struct drmb_wl_client_stats *client;	/* nclients */
	struct drmb_wl_group_result group[DRMB_WL_MAX_GROUPS];
	double fairness_spread;		/* the largest group spread */
	uint64_t run_ns;		/* common start to the last client's end */
	void *mem;			/* one mapping holding everything */
	size_t memlen;
};

struct drmb_wl_opts {
	uint64_t duration_ns;		/* per run: cycles start until this has passed */
	/* ... or until the first client's instances started this many (0: no limit) */
	uint64_t target_cycles;
	enum drmb_wl_mode mode;
	unsigned int busy_threads;	/* CPU load beside the clients */
	uint64_t seed;			/* random job durations */
};

/*
 * Runs every client of w from a common start for o->duration_ns and fills
 * r (free with drmb_wl_result_fini). A client's error stops the run:
 * -errno with "group NAME client N: why" in why.
 */
int drmb_wl_run(const struct drmb_workload *w, const struct drmb_wl_opts *o,
		const struct drmb_wl_dev_ops *ops, void *ctx,
		struct drmb_wl_result *r, char *why, size_t whylen);
void drmb_wl_result_fini(struct drmb_wl_result *r);

/* "2.5ms" -> 2500000: ns, us, ms or s after an integer or decimal. */
int drmb_wl_parse_duration(const char *s, uint64_t *ns);

#endif
