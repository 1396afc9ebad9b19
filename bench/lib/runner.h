/* SPDX-License-Identifier: MIT */
/*
 * Running benchmarks: parameter validation and sweep expansion, the run
 * loop (canary, warm-up, measured runs, counters, summaries, floor ratio) and the
 * result file. Suites (workloads/NAME.suite) are lists of entries.
 */
#ifndef DRMB_RUNNER_H
#define DRMB_RUNNER_H

#include <stdio.h>

#include "drmb.h"
#include "env.h"
#include "result.h"

#define DRMB_MAX_OVERRIDES 16

struct drmb_override {
	char key[32];
	char value[160];
};

/* One benchmark to run, with its parameter overrides (suite line or -p). */
struct drmb_entry {
	const struct drmb_bench *bench;
	struct drmb_override ov[DRMB_MAX_OVERRIDES];
	unsigned int nov;
	char origin[96];	/* "suite quick line 3" or "command line" */
};

/* "key=value" -> override; -EINVAL with a reason. */
int drmb_override_parse(struct drmb_override *o, const char *kv,
			char *err, size_t errlen);
/* Adds or replaces (a later -p wins over a suite's value). */
int drmb_entry_set(struct drmb_entry *e, const struct drmb_override *o,
		   char *err, size_t errlen);

/*
 * Checks one parameter value against its declaration: 0 and the parsed
 * integer (enum: the choice index), or -EINVAL/-ERANGE with a reason.
 */
int drmb_param_parse(const struct drmb_param *p, const char *text,
		     int64_t *out, char *err, size_t errlen);
/* A comma list of placement names: 0, or -EINVAL naming the bad one. */
int drmb_placements_validate(const char *list, char *err, size_t errlen);
/* Validates every override and every value of every list in e. */
int drmb_entry_validate(const struct drmb_entry *e, char *err, size_t errlen);

/* Suites: built in (from workloads/) or a file path. */
int drmb_suite_load(const char *name_or_path, struct drmb_entry **entries,
		    size_t *n, char *err, size_t errlen);
/* name, summary, first line of each built-in suite */
struct drmb_suite_src {
	const char *name;
	const char *text;
};
extern const struct drmb_suite_src drmb_builtin_suites[];

struct drmb_run_opts {
	const char *backend;		/* NULL = per case, the first that has its needs */
	unsigned int runs;
	size_t samples;
	uint64_t max_run_ns;
	int quick;
	const char *placements;		/* comma list, default "auto" */
	const char *output;		/* -o FILE */
	const char *store;		/* -O DIR */
	const char *label;		/* file name label */
	const char *cmdline;
	struct drmb_kvlist labels;	/* --label k=v */
	int no_canary;			/* no per-run canary (nor floor-ratio) */
	struct drmb_env_opts env;
};

enum {
	DRMB_RUN_OK = 0,
	DRMB_RUN_FAILED = 1,
	DRMB_RUN_ALL_SKIPPED = 4,
};

/* Where a case stopped: only the steps before its setup may SKIP. */
enum drmb_step {
	DRMB_STEP_NAME,		/* the result name does not fit: FAIL */
	DRMB_STEP_DEVICE,	/* opening the backend's device */
	DRMB_STEP_PLACEMENT,	/* resolving the thread placement */
	DRMB_STEP_REQUIRES,	/* the benchmark's .requires */
	DRMB_STEP_SETUP,
	DRMB_STEP_RUN,		/* canary, warm-up, measured passes, result line */
};
extern const char *const drmb_step_names[];
/*
 * 1 when a case that stopped at step with ret (-errno) is a SKIP (a missing
 * device, capability or permission found before setup), 0 when it is a FAIL.
 */
int drmb_step_skips(enum drmb_step step, int ret);

/*
 * Runs every case of every entry; prints the summary to out; returns a
 * DRMB_RUN_* status or -errno (setup error, message in err). result_path
 * receives the stored file's name (or "" when nothing was stored).
 */
int drmb_run(const struct drmb_run_opts *o, const struct drmb_entry *e, size_t n,
	     FILE *out, char *result_path, size_t pathlen, char *err, size_t errlen);

#endif
