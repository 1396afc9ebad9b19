/* SPDX-License-Identifier: MIT */
/*
 * Result files: the Go benchmark format (docs/results.md).
 *
 *   key: value                       configuration, applies to later lines
 *   BenchmarkName/k=v/... N v unit [v unit]...   one line per run
 *   # anything else                  comments
 *
 * Writer: streams into a temporary file beside the target and renames it
 * into place at the end without ever replacing an existing file, so a crash
 * leaves no torn result and concurrent runs never clobber each other. Raw
 * samples go to a sidecar with the same stem and the extension .samples.
 */
#ifndef DRMB_RESULT_H
#define DRMB_RESULT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- key/value lists -------------------------------------------------- */

struct drmb_kv {
	char *key;
	char *value;
};

struct drmb_kvlist {
	struct drmb_kv *kv;
	size_t n, cap;
};

/* Sets key (replacing an earlier value); key must match [a-z][a-z0-9.-]*. */
int drmb_kv_set(struct drmb_kvlist *l, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *drmb_kv_get(const struct drmb_kvlist *l, const char *key);
void drmb_kv_free(struct drmb_kvlist *l);
/* 1 when key is a valid configuration key of the Go benchmark format. */
int drmb_key_valid(const char *key);

/*
 * Keys that describe what was measured on what: two runs are only comparable
 * when these agree. Everything else (date, host, cmdline, measured overheads)
 * is informational. One list, used by compare and trend.
 */
int drmb_key_is_comparable(const char *key);

/* ---- writer ----------------------------------------------------------- */

struct drmb_result_writer {
	char *path;		/* final name */
	char *tmp;		/* temporary name while writing */
	char *samples_path, *samples_tmp;
	FILE *f, *sf;
	int lock_fd, slock_fd;	/* flock(2) held on the temporaries */
	int explicit_path;
	unsigned int cleaned;	/* dead writers' temporaries removed at open */
};

/*
 * Chooses STORE/<host>/<kernel-release>/<UTC stamp>-<label>.txt when path is
 * NULL, else uses path (refused with -EEXIST if it exists).
 */
int drmb_result_open(struct drmb_result_writer *w, const char *path,
		     const char *store, const char *host, const char *release,
		     const char *label, char *err, size_t errlen);
int drmb_result_write_config(struct drmb_result_writer *w, const struct drmb_kvlist *kv);
int drmb_result_comment(struct drmb_result_writer *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

struct drmb_metric {
	double value;
	char *unit;
};

/* name without the "Benchmark" prefix; must start with an upper-case letter. */
int drmb_result_line(struct drmb_result_writer *w, const char *name,
		     uint64_t iterations, const struct drmb_metric *m, size_t nm);
/* Raw samples of one run into the sidecar. */
int drmb_result_samples(struct drmb_result_writer *w, const char *name,
			uint32_t run, uint32_t ops_per_sample,
			const uint64_t *ns, uint64_t n);
/* Flushes, fsyncs and links both files into place; the stored name goes to
 * final (it may carry a -N suffix when the name was taken); frees w. */
int drmb_result_commit(struct drmb_result_writer *w, char *final, size_t finallen,
		       char *err, size_t errlen);
/* Removes the temporaries (on failure or interrupt); frees w. */
void drmb_result_abort(struct drmb_result_writer *w);
/*
 * Removes from dir the temporaries of writers that are certainly gone (a
 * SIGKILLed or OOM-killed run, a power loss): only files named like this
 * writer's temporaries, regular, of this user, whose writer is dead (the
 * boot id in the name is not this boot's, or no process has the pid in
 * it) and holds no lock on them.  A dead writer's sidecar that was linked
 * into place without its result file goes too.  Called by
 * drmb_result_open on its directory; 0 or -errno, *removed counts files.
 */
int drmb_result_clean_dir(const char *dir, unsigned int *removed);

/* ---- reader ----------------------------------------------------------- */

struct drmb_bench_line {
	char *name;		/* without "Benchmark" */
	uint64_t iterations;
	struct drmb_metric *metrics;
	size_t nmetrics;
	size_t nconfig;		/* config[0 .. nconfig) were read before it */
	unsigned int lineno;
};

struct drmb_result_file {
	char *path;
	struct drmb_kv *config;	/* in file order; a key may repeat */
	size_t nconfig;
	struct drmb_bench_line *lines;
	size_t nlines;
	/* Distinct unit strings; metrics[].unit point here. */
	char **units;
	size_t nunits;
	/* Hash index of units: slots hold index + 1, 0 is empty (private). */
	size_t *unit_slot;
	size_t nslots;		/* a power of two, or 0 */
};

/* 0, or -errno with "FILE:LINE: what is wrong" in err. */
int drmb_result_read(const char *path, struct drmb_result_file *out,
		     char *err, size_t errlen);
/*
 * The reader's exact fast path for a decimal number (result.c says when it
 * applies): 1 with *out equal to strtod's result bit for bit, or 0 when s
 * is outside it (the reader then uses strtod).  Exposed for its test.
 */
int drmb_parse_decimal_fast(const char *s, double *out);

void drmb_result_free(struct drmb_result_file *f);
/* The value of key in effect for line l (the last one before it), or NULL. */
const char *drmb_result_config(const struct drmb_result_file *f,
			       const struct drmb_bench_line *l, const char *key);

/* ---- sidecar reader --------------------------------------------------- */

struct drmb_sample_run {
	char *name;
	uint32_t run, ops_per_sample;
	uint64_t *ns;
	uint64_t n;
};

struct drmb_sample_file {
	struct drmb_sample_run *runs;
	size_t nruns;
};

int drmb_samples_read(const char *path, struct drmb_sample_file *out,
		      char *err, size_t errlen);
void drmb_samples_free(struct drmb_sample_file *f);

#endif
