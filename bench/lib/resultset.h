/* SPDX-License-Identifier: MIT */
/*
 * Sets of result files grouped for comparison and trends: which files a
 * path names, the per-run values of each benchmark and unit, and whether
 * two lines were measured under the same comparability keys.
 *
 * Used by `drmbench compare` and `drmbench trend`; returns 0 or -errno with
 * a message naming the file and line in err, never prints.
 */
#ifndef DRMB_RESULTSET_H
#define DRMB_RESULTSET_H

#include <stddef.h>
#include <stdint.h>

#include "result.h"

/*
 * Lower or higher is better, from the unit (docs/statistics.md):
 * "<anything>/op" is a cost per operation (ns/op, p99-ns/op, cycles/op,
 * B/op): lower is better.  "<anything>/s" is a rate (ops/s, B/s): higher is
 * better.  Anything else is unknown: compared and shown, never gated.
 */
enum drmb_direction { DRMB_LOWER_IS_BETTER = 0, DRMB_HIGHER_IS_BETTER = 1, DRMB_DIRECTION_UNKNOWN = -1 };
enum drmb_direction drmb_unit_direction(const char *unit);

/* Comparability keys to ignore, from repeated --ignore a,b,c options. */
struct drmb_ignore {
	char **keys;
	size_t n;
};
int drmb_ignore_add(struct drmb_ignore *ig, const char *comma_list);
void drmb_ignore_free(struct drmb_ignore *ig);

/* One point of a series: one value of one line (one run). */
struct drmb_point {
	double value;
	unsigned int file;	/* index into the set's files */
	unsigned int line;	/* index into that file's lines */
};

/* One benchmark, unit and configuration signature. */
struct drmb_series {
	char *name, *unit;
	const char *sig;	/* "key=value\n"... of the comparable keys, interned */
	uint64_t hash;		/* of (name, unit, sig): table probes compare it before strings */
	struct drmb_point *pts;
	size_t n, cap;
};

struct drmb_resultset {
	struct drmb_result_file *files;	/* lines keep lineno and nconfig only: names
					 * and values are in the series */
	size_t nfiles, files_cap;
	struct drmb_series *series;
	size_t nseries, series_cap;
	size_t *table;		/* hash of (name, unit, sig) -> series index + 1 */
	size_t table_size;
	char **sigs;		/* interned signatures */
	size_t nsigs, sigs_cap;
	const struct drmb_ignore *ignore;
};

void drmb_resultset_init(struct drmb_resultset *rs, const struct drmb_ignore *ignore);
void drmb_resultset_free(struct drmb_resultset *rs);

/*
 * Reads a result file, or every *.txt below a directory (recursively, in
 * name order; sidecars and hidden files are skipped), and adds each line's
 * values to the series of its (name, unit, signature).  A directory holding
 * no result file is -ENOENT.
 */
int drmb_resultset_add_path(struct drmb_resultset *rs, const char *path,
			    char *err, size_t errlen);

/* The series for (name, unit) with this signature, or NULL. */
struct drmb_series *drmb_resultset_find(const struct drmb_resultset *rs,
					const char *name, const char *unit, const char *sig);

/*
 * Describes how two signatures differ: "kernel-release (6.1.0 vs 6.6.0),
 * backend (vgem vs simgpu)"; keys present on one side only show "(unset)".
 */
void drmb_sig_diff(const char *a, const char *b, char *out, size_t outlen);
/* Comma-separated list of the keys that differ: "kernel-release,backend". */
void drmb_sig_diff_keys(const char *a, const char *b, char *out, size_t outlen);

#endif
