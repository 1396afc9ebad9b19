// SPDX-License-Identifier: MIT
/*
 * Unit tests for bench/lib/result.c: the result-file writer and reader and
 * the raw-sample sidecar.
 *
 *  - round trip: what the writer wrote, the reader gives back (config in
 *    order and in effect per line, names, iteration counts, values, units,
 *    every raw sample bit for bit);
 *  - placement: temporaries never outlive a commit or an abort, an existing
 *    target is refused and left as it was, concurrent writers all survive
 *    under distinct names;
 *  - malformed input: every kind of damage is refused with -EINVAL or
 *    -ENODATA and a message that names the file and the line, so a user can
 *    open the file at the right place;
 *  - the fast decimal path: wherever it answers, its double is strtod's bit
 *    for bit (edge cases, a million random strings of the grammar, printed
 *    values, and through the reader).
 *
 * Everything happens in a private mkdtemp() directory, removed at the end.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "result.h"

static char top[64];

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(2);
	}
}

/* The whole file, NUL-terminated; *len gets its size. NULL if absent. */
static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? 2 * cap : 8192;
			buf = realloc(buf, cap);
			if (!buf)
				exit(2);
		}
		size_t got = fread(buf + n, 1, 4096, f);

		n += got;
		if (got < 4096)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* Files in dir whose name contains pat (NULL: all), not counting . and .. */
static int count_files(const char *dir, const char *pat)
{
	struct dirent *d;
	DIR *dp = opendir(dir);
	int n = 0;

	if (!dp)
		return -1;
	while ((d = readdir(dp)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..") &&
		    (!pat || strstr(d->d_name, pat)))
			n++;
	closedir(dp);
	return n;
}

static void rm_rf(const char *path)
{
	struct dirent *d;
	struct stat st;
	DIR *dp;

	if (lstat(path, &st))
		return;
	if (S_ISDIR(st.st_mode) && (dp = opendir(path))) {
		while ((d = readdir(dp))) {
			char *sub;

			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				continue;
			if (asprintf(&sub, "%s/%s", path, d->d_name) < 0)
				exit(2);
			rm_rf(sub);
			free(sub);
		}
		closedir(dp);
		rmdir(path);
	} else {
		unlink(path);
	}
}

/* top/rel, allocated. */
static char *mkpath(const char *rel)
{
	char *p;

	if (asprintf(&p, "%s/%s", top, rel) < 0)
		exit(2);
	return p;
}

static int has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* ---- round trip --------------------------------------------------------- */

static const uint64_t run0[] = { 0, 1, 42, 1000000007ull, UINT64_MAX, 7 };
static const uint64_t run1[] = { 123456789012345ull };

static void test_round_trip(void)
{
	struct drmb_result_writer w;
	struct drmb_kvlist kv = { 0 }, kv2 = { 0 };
	struct drmb_result_file rf;
	struct drmb_sample_file sf;
	struct drmb_metric m1[] = {
		{ 7706.5, "ns/op" }, { 0, "mad-ns/op" }, { 1.01649, "floor-ratio" },
		{ 6.72337e+06, "ops/s" }, { 1e-9, "ctx-switches/op" },
	};
	struct drmb_metric m2[] = { { 123456, "p99-ns/op" } };
	char err[512] = "", final[1024] = "";
	char *path = mkpath("round.txt");
	char *spath = mkpath("round.samples");
	int ret;

	ret = drmb_result_open(&w, path, NULL, "host", "6.1.0", "label", err, sizeof(err));
	CHECK(ret == 0, "round trip: open %s (%s)", path, err);
	if (ret)
		return;
	CHECK(count_files(top, ".tmp.") == 2, "round trip: writing happens in two temporaries");
	CHECK(access(path, F_OK) && access(spath, F_OK),
	      "round trip: nothing appears under the final names before commit");

	CHECK(drmb_kv_set(&kv, "kernel-release", "%s", "6.1.0-28-amd64") == 0, "kv_set kernel-release");
	CHECK(drmb_kv_set(&kv, "cpu-model", "%s", "AMD EPYC: 7763 64-Core") == 0, "kv_set value with ':'");
	CHECK(drmb_kv_set(&kv, "cmdline", "%s", "run -q\nBenchmarkEvil 1 2 ns/op") == 0,
	      "kv_set value with a newline");
	CHECK(drmb_kv_set(&kv, "phase", "%d", 1) == 0, "kv_set phase 1");
	CHECK(drmb_kv_set(&kv, "empty", "%s", "") == 0, "kv_set empty value");
	CHECK(drmb_kv_set(&kv, "phase", "%d", 1) == 0 && kv.n == 5,
	      "kv_set replaces an existing key instead of adding one");
	CHECK(drmb_result_write_config(&w, &kv) == 0, "write_config");
	CHECK(drmb_result_comment(&w, "two-line comment\nBenchmarkNotReal 1 2 ns/op") == 0,
	      "comment with an embedded newline");
	CHECK(drmb_result_line(&w, "FutexWake/placement=same-llc", 200, m1, 5) == 0,
	      "result line with five metrics");
	CHECK(drmb_result_samples(&w, "FutexWake/placement=same-llc", 0, 1, run0, 6) == 0,
	      "samples run 0");
	CHECK(drmb_result_samples(&w, "SyscallX", 1, 64, run1, 1) == 0, "samples run 1");
	CHECK(drmb_result_samples(&w, "Empty", 2, 1, run1, 0) == 0, "samples run with no samples");
	CHECK(drmb_kv_set(&kv2, "phase", "%d", 2) == 0, "kv_set phase 2");
	CHECK(drmb_result_write_config(&w, &kv2) == 0, "second config block");
	CHECK(drmb_result_line(&w, "Null", 18446744073709551615ull, m2, 1) == 0,
	      "result line with the largest iteration count");
	ret = drmb_result_commit(&w, final, sizeof(final), err, sizeof(err));
	CHECK(ret == 0, "round trip: commit (%s)", err);
	CHECK(!strcmp(final, path), "round trip: stored under the -o name (%s)", final);
	CHECK(count_files(top, ".tmp.") == 0, "round trip: no temporaries after commit");
	CHECK(!access(spath, F_OK), "round trip: sidecar %s exists", spath);
	drmb_kv_free(&kv);
	drmb_kv_free(&kv2);

	ret = drmb_result_read(path, &rf, err, sizeof(err));
	CHECK(ret == 0, "round trip: read back (%s)", err);
	if (!ret) {
		CHECK(rf.nconfig == 6, "read: 6 config lines (got %zu)", rf.nconfig);
		CHECK(rf.nconfig >= 6 && !strcmp(rf.config[0].key, "kernel-release") &&
		      !strcmp(rf.config[0].value, "6.1.0-28-amd64"), "read: first config line in order");
		CHECK(rf.nconfig >= 6 && !strcmp(rf.config[1].value, "AMD EPYC: 7763 64-Core"),
		      "read: a value keeps its own colons");
		CHECK(rf.nconfig >= 6 && !strcmp(rf.config[2].value, "run -q BenchmarkEvil 1 2 ns/op"),
		      "read: a newline in a value became a space, not a result line");
		CHECK(rf.nconfig >= 6 && !strcmp(rf.config[4].key, "empty") && !rf.config[4].value[0],
		      "read: an empty value reads back empty");
		CHECK(rf.nlines == 2, "read: 2 result lines (got %zu): comments stayed comments", rf.nlines);
	}
	if (!ret && rf.nlines == 2) {
		const struct drmb_bench_line *a = &rf.lines[0], *b = &rf.lines[1];
		size_t i;

		CHECK(!strcmp(a->name, "FutexWake/placement=same-llc"), "read: name without 'Benchmark'");
		CHECK(a->iterations == 200, "read: iterations 200");
		CHECK(a->nmetrics == 5, "read: 5 metrics");
		for (i = 0; i < a->nmetrics && i < 5; i++) {
			CHECK(!strcmp(a->metrics[i].unit, m1[i].unit), "read: unit %s", m1[i].unit);
			/* The writer prints 6 significant digits. */
			CHECK_CLOSE(a->metrics[i].value, m1[i].value, 1e-5, m1[i].unit);
		}
		CHECK(a->lineno == 8, "read: line number of the first result is 8 (got %u)", a->lineno);
		CHECK(b->iterations == UINT64_MAX, "read: 64-bit iteration count survives");
		CHECK(b->nmetrics == 1 && !strcmp(b->metrics[0].unit, "p99-ns/op") &&
		      b->metrics[0].value == 123456, "read: single metric");
		CHECK(drmb_result_config(&rf, a, "phase") && !strcmp(drmb_result_config(&rf, a, "phase"), "1"),
		      "config in effect: phase 1 for the first line");
		CHECK(drmb_result_config(&rf, b, "phase") && !strcmp(drmb_result_config(&rf, b, "phase"), "2"),
		      "config in effect: a later config line wins for later lines");
		CHECK(drmb_result_config(&rf, b, "cpu-model") != NULL,
		      "config in effect: earlier keys still apply");
		CHECK(drmb_result_config(&rf, a, "no-such-key") == NULL, "config: unknown key is NULL");
		drmb_result_free(&rf);
	}

	ret = drmb_samples_read(spath, &sf, err, sizeof(err));
	CHECK(ret == 0, "samples: read back (%s)", err);
	if (!ret) {
		CHECK(sf.nruns == 3, "samples: 3 runs (got %zu)", sf.nruns);
		if (sf.nruns == 3) {
			CHECK(!strcmp(sf.runs[0].name, "FutexWake/placement=same-llc") &&
			      sf.runs[0].run == 0 && sf.runs[0].ops_per_sample == 1 && sf.runs[0].n == 6,
			      "samples: run 0 header");
			CHECK(sf.runs[0].n == 6 && !memcmp(sf.runs[0].ns, run0, sizeof(run0)),
			      "samples: run 0 values bit for bit, including 0 and UINT64_MAX");
			CHECK(!strcmp(sf.runs[1].name, "SyscallX") && sf.runs[1].run == 1 &&
			      sf.runs[1].ops_per_sample == 64 && sf.runs[1].n == 1 &&
			      sf.runs[1].ns[0] == run1[0], "samples: run 1 header and value");
			CHECK(sf.runs[2].n == 0 && sf.runs[2].run == 2, "samples: an empty run reads back empty");
		}
		drmb_samples_free(&sf);
	}
	free(path);
	free(spath);
}

/*
 * Informational keys are written as "# key: value" so benchstat does not
 * split on them; zeros of ns units in benchstat's base unit.  The reader
 * takes both spellings, and older files with plain keys.
 */
static void test_informational_keys(void)
{
	struct drmb_result_writer w;
	struct drmb_kvlist kv = { 0 };
	struct drmb_result_file rf;
	struct drmb_metric m[] = {
		{ 0, "mad-ns/op" }, { 0, "ns/op" }, { 0, "floor-ratio" }, { 5, "mad-ns/op" },
	};
	char err[512] = "", final[1024] = "";
	char *path = mkpath("info.txt"), *old = mkpath("info-old.txt"), *text;
	static const char old_text[] =
		"date: 2026-01-01T00:00:00Z\nkernel-release: 6.1.0\n"
		"# kernel-version: #1 SMP\n# canary cost: 3 passes\n"
		"# kernel-release: 9.9 (a comparable key in a comment is text)\n"
		"BenchmarkX 1 7 ns/op 0 entry-sec/op 2 wake-sec/op\n";
	size_t len;
	int ret;

	ret = drmb_result_open(&w, path, NULL, "host", "6.1.0", "label", err, sizeof(err));
	CHECK(ret == 0, "info keys: open (%s)", err);
	if (ret)
		return;
	drmb_kv_set(&kv, "date", "2026-12-03T07:00:00Z");
	drmb_kv_set(&kv, "kernel-release", "6.12.0");
	drmb_kv_set(&kv, "host-cpu-pressure", "some avg10=1.00");
	CHECK(drmb_result_write_config(&w, &kv) == 0, "info keys: write_config");
	CHECK(drmb_result_line(&w, "Zero", 1, m, 4) == 0, "info keys: a line with zeros");
	ret = drmb_result_commit(&w, final, sizeof(final), err, sizeof(err));
	CHECK(ret == 0, "info keys: commit (%s)", err);
	drmb_kv_free(&kv);
	text = read_all(path, &len);
	CHECK(text && strstr(text, "# date: 2026-12-03T07:00:00Z\n") &&
	      strstr(text, "# host-cpu-pressure: some avg10=1.00\n"),
	      "info keys: informational keys written as '# key: value'");
	CHECK(text && has_prefix(strstr(text, "kernel-release:") ? strstr(text, "kernel-release:") - 1 : "",
				 "\nkernel-release: 6.12.0\n"),
	      "info keys: a comparable key stays a configuration line");
	CHECK(text && strstr(text, " 0 mad-sec/op 0 sec/op 0 floor-ratio 5 mad-ns/op\n"),
	      "info keys: a zero of an ns unit written in benchstat's base unit, others as they are");
	free(text);
	ret = drmb_result_read(path, &rf, err, sizeof(err));
	CHECK(ret == 0, "info keys: read back (%s)", err);
	if (!ret) {
		CHECK(drmb_result_config(&rf, NULL, "date") &&
		      !strcmp(drmb_result_config(&rf, NULL, "date"), "2026-12-03T07:00:00Z"),
		      "info keys: '# date:' reads back as the date");
		CHECK(rf.nlines == 1 && rf.lines[0].nmetrics == 4 &&
		      !strcmp(rf.lines[0].metrics[0].unit, "mad-ns/op") &&
		      !strcmp(rf.lines[0].metrics[1].unit, "ns/op") &&
		      rf.lines[0].metrics[0].unit == rf.lines[0].metrics[3].unit &&
		      rf.lines[0].metrics[0].value == 0,
		      "info keys: a written zero reads back in its ns unit, one unit with the others");
		drmb_result_free(&rf);
	}
	write_file(old, old_text, sizeof(old_text) - 1);
	ret = drmb_result_read(old, &rf, err, sizeof(err));
	CHECK(ret == 0, "info keys: an older file with plain keys reads (%s)", err);
	if (!ret) {
		CHECK(rf.nconfig == 3, "info keys: 2 plain keys and 1 informational comment (got %zu)",
		      rf.nconfig);
		CHECK(drmb_result_config(&rf, NULL, "kernel-version") &&
		      drmb_result_config(&rf, NULL, "date") &&
		      !strcmp(drmb_result_config(&rf, NULL, "kernel-release"), "6.1.0"),
		      "info keys: plain and comment keys both read; a comparable key in a comment does not");
		CHECK(rf.nlines == 1 && rf.lines[0].nmetrics == 3 &&
		      !strcmp(rf.lines[0].metrics[1].unit, "entry-ns/op") &&
		      rf.lines[0].metrics[1].value == 0 &&
		      !strcmp(rf.lines[0].metrics[2].unit, "wake-ns/op") &&
		      rf.lines[0].metrics[2].value == 2e9,
		      "info keys: a sec unit reads back in ns, scaled");
		drmb_result_free(&rf);
	}
	free(path);
	free(old);
}

/* ---- what the writer refuses ------------------------------------------------ */

static void test_writer_refuses(void)
{
	struct drmb_result_writer w;
	struct drmb_kvlist kv = { 0 };
	struct drmb_result_file rf;
	struct drmb_metric good[] = { { 5, "ns/op" } };
	struct drmb_metric nan_m[] = { { 5, "ns/op" }, { NAN, "p99-ns/op" } };
	struct drmb_metric inf_m[] = { { INFINITY, "ns/op" } };
	struct drmb_metric neg_m[] = { { -1, "ns/op" } };
	struct drmb_metric sp_unit[] = { { 1, "ns per op" } };
	struct drmb_metric empty_unit[] = { { 1, "" } };
	struct drmb_metric null_unit[] = { { 1, NULL } };
	char err[512] = "", final[1024];
	char *path = mkpath("refuse.txt");
	int ret;

	CHECK(drmb_kv_set(&kv, "Upper", "x") == -EINVAL, "kv_set refuses an upper-case key");
	CHECK(drmb_kv_set(&kv, "has space", "x") == -EINVAL, "kv_set refuses a key with a space");
	CHECK(drmb_kv_set(&kv, "", "x") == -EINVAL, "kv_set refuses an empty key");
	CHECK(drmb_kv_set(&kv, "1st", "x") == -EINVAL, "kv_set refuses a key not starting with a letter");
	CHECK(drmb_kv_set(&kv, "key:", "x") == -EINVAL, "kv_set refuses a key with a colon");
	CHECK(kv.n == 0, "kv_set: nothing was added by the refused keys");
	CHECK(drmb_key_valid("a.b-c_d9"), "key_valid accepts [a-z][a-z0-9._-]*");
	CHECK(!drmb_key_valid(NULL), "key_valid(NULL) is 0");

	ret = drmb_result_open(&w, path, NULL, "h", "r", "l", err, sizeof(err));
	CHECK(ret == 0, "refuse: open (%s)", err);
	if (ret)
		return;
	CHECK(drmb_result_line(&w, "lower", 1, good, 1) == -EINVAL, "line: name must start upper-case");
	CHECK(drmb_result_line(&w, "", 1, good, 1) == -EINVAL, "line: empty name");
	CHECK(drmb_result_line(&w, "Has Space", 1, good, 1) == -EINVAL, "line: name with a space");
	CHECK(drmb_result_line(&w, "Tab\tbed", 1, good, 1) == -EINVAL, "line: name with a tab");
	CHECK(drmb_result_line(&w, "NoMetrics", 1, good, 0) == -EINVAL, "line: no metric");
	CHECK(drmb_result_line(&w, "NanValue", 1, nan_m, 2) == -EINVAL, "line: NaN value");
	CHECK(drmb_result_line(&w, "InfValue", 1, inf_m, 1) == -EINVAL, "line: infinite value");
	CHECK(drmb_result_line(&w, "SpaceUnit", 1, sp_unit, 1) == -EINVAL, "line: unit with a space");
	CHECK(drmb_result_line(&w, "EmptyUnit", 1, empty_unit, 1) == -EINVAL, "line: empty unit");
	CHECK(drmb_result_line(&w, "NullUnit", 1, null_unit, 1) == -EINVAL, "line: NULL unit");
	/* The reader refuses negative values; the writer must not produce them. */
	CHECK(drmb_result_line(&w, "NegValue", 1, neg_m, 1) == -EINVAL,
	      "line: negative value (the reader would refuse the file)");
	CHECK(drmb_result_line(&w, "Good", 3, good, 1) == 0, "line: a good line after the refused ones");
	ret = drmb_result_commit(&w, final, sizeof(final), err, sizeof(err));
	CHECK(ret == 0, "refuse: commit (%s)", err);

	/* A refused line must leave nothing behind: the file still parses. */
	ret = drmb_result_read(path, &rf, err, sizeof(err));
	CHECK(ret == 0, "refused lines left no partial text in the file (%s)", err);
	if (!ret) {
		CHECK(rf.nlines == 1 && !strcmp(rf.lines[0].name, "Good") && rf.lines[0].iterations == 3,
		      "only the good line is in the file");
		drmb_result_free(&rf);
	}
	drmb_kv_free(&kv);
	free(path);
}

/* ---- placement ------------------------------------------------------------- */

static int write_minimal(struct drmb_result_writer *w, const char *marker)
{
	struct drmb_kvlist kv = { 0 };
	struct drmb_metric m[] = { { 1, "ns/op" } };
	uint64_t ns = 1;
	int ret;

	ret = drmb_kv_set(&kv, "writer", "%s", marker);
	ret = ret ? ret : drmb_result_write_config(w, &kv);
	ret = ret ? ret : drmb_result_line(w, "Minimal", 1, m, 1);
	ret = ret ? ret : drmb_result_samples(w, "Minimal", 0, 1, &ns, 1);
	drmb_kv_free(&kv);
	return ret;
}

static void test_existing_target(void)
{
	static const char precious[] = "precious: do not touch\nBenchmarkOld 1 2 ns/op\n";
	struct drmb_result_writer w;
	char err[512] = "", final[1024] = "", *got;
	char *dir = mkpath("exist");
	char *path = mkpath("exist/old.txt");
	char *spath = mkpath("exist/old.samples");
	char *path2 = mkpath("exist/new.txt");
	char *spath2 = mkpath("exist/new.samples");
	char *path3 = mkpath("exist/late.txt");
	size_t len;
	int ret;

	mkdir(dir, 0777);
	write_file(path, precious, strlen(precious));
	ret = drmb_result_open(&w, path, NULL, "h", "r", "l", err, sizeof(err));
	CHECK(ret == -EEXIST, "an existing -o target is refused with -EEXIST (got %d)", ret);
	CHECK(strstr(err, path) != NULL, "the refusal names the file: %s", err);
	got = read_all(path, &len);
	CHECK(got && len == strlen(precious) && !memcmp(got, precious, len),
	      "the existing file is untouched");
	free(got);
	CHECK(count_files(dir, NULL) == 1, "a refused open leaves no file behind");

	/* A sidecar of that name already there: the commit is refused, the
	 * sidecar untouched, nothing half-stored. */
	write_file(spath2, precious, strlen(precious));
	ret = drmb_result_open(&w, path2, NULL, "h", "r", "l", err, sizeof(err));
	CHECK(ret == 0, "open next to an existing sidecar (%s)", err);
	if (!ret) {
		CHECK(write_minimal(&w, "x") == 0, "write into it");
		ret = drmb_result_commit(&w, final, sizeof(final), err, sizeof(err));
		CHECK(ret == -EEXIST, "commit refused: the sidecar name is taken (got %d)", ret);
		CHECK(access(path2, F_OK), "no result file stored without its sidecar");
		got = read_all(spath2, &len);
		CHECK(got && len == strlen(precious) && !memcmp(got, precious, len),
		      "the existing sidecar is untouched");
		free(got);
		CHECK(count_files(dir, ".tmp.") == 0, "a refused commit leaves no temporaries");
	}

	/* The target appears while the run is going (another run, a user). */
	ret = drmb_result_open(&w, path3, NULL, "h", "r", "l", err, sizeof(err));
	CHECK(ret == 0, "open late.txt (%s)", err);
	if (!ret) {
		CHECK(write_minimal(&w, "x") == 0, "write into it");
		write_file(path3, precious, strlen(precious));
		ret = drmb_result_commit(&w, final, sizeof(final), err, sizeof(err));
		CHECK(ret == -EEXIST, "commit refused: the -o target appeared meanwhile (got %d)", ret);
		CHECK(strstr(err, path3) != NULL, "the refusal names the file: %s", err);
		got = read_all(path3, &len);
		CHECK(got && len == strlen(precious) && !memcmp(got, precious, len),
		      "the file that appeared is untouched");
		free(got);
		CHECK(count_files(dir, "late.samples") == 0, "our sidecar did not stay behind");
		CHECK(count_files(dir, ".tmp.") == 0, "no temporaries after the refused commit");
	}
	(void)spath;
	free(dir);
	free(path);
	free(spath);
	free(path2);
	free(spath2);
	free(path3);
}

static void test_abort(void)
{
	struct drmb_result_writer w;
	char err[512] = "";
	char *dir = mkpath("abort");
	char *path = mkpath("abort/gone.txt");
	int ret;

	mkdir(dir, 0777);
	ret = drmb_result_open(&w, path, NULL, "h", "r", "l", err, sizeof(err));
	CHECK(ret == 0, "abort: open (%s)", err);
	if (ret)
		return;
	CHECK(write_minimal(&w, "x") == 0, "abort: write");
	drmb_result_abort(&w);
	CHECK(count_files(dir, NULL) == 0, "abort removes both temporaries and stores nothing");
	free(dir);
	free(path);
}

static void test_store_naming(void)
{
	struct drmb_result_writer w;
	char err[512] = "", final[1024] = "", *store = mkpath("store");
	char *dir = mkpath("store/my_host_x/6.1.0-28-amd64");
	int ret;

	ret = drmb_result_open(&w, NULL, store, "my host/x", "6.1.0-28-amd64", "lab el/..",
			       err, sizeof(err));
	CHECK(ret == 0, "store: open creates STORE/HOST/RELEASE (%s)", err);
	if (ret)
		return;
	CHECK(write_minimal(&w, "x") == 0, "store: write");
	ret = drmb_result_commit(&w, final, sizeof(final), err, sizeof(err));
	CHECK(ret == 0, "store: commit (%s)", err);
	CHECK(has_prefix(final, dir) && final[strlen(dir)] == '/',
	      "store: %s is under %s (host sanitized into one component)", final, dir);
	CHECK(strlen(final) > 4 && !strcmp(final + strlen(final) - 4, ".txt") &&
	      strstr(final, "-lab_el_...txt"), "store: <stamp>-<label>.txt, label sanitized: %s", final);
	CHECK(count_files(dir, ".samples") == 1, "store: sidecar next to the result");

	/* A host or release that tries to climb out of the store stays inside. */
	ret = drmb_result_open(&w, NULL, store, "..", "../..", "x", err, sizeof(err));
	CHECK(ret == 0, "store: open with host '..' (%s)", err);
	if (!ret) {
		CHECK(has_prefix(w.path, store) && w.path[strlen(store)] == '/' &&
		      !strstr(w.path, "/../") && !strstr(w.path, "/./"),
		      "store: '..' components are sanitized: %s", w.path);
		drmb_result_abort(&w);
	}
	free(store);
	free(dir);
}

/* Two runs in the same second choose the same name: both must survive. */
static void test_same_second(void)
{
	struct drmb_result_writer w1, w2;
	char err[512] = "", f1[1024] = "", f2[1024] = "", *store = mkpath("same");
	char *want2;
	int attempt, ret, same = 0;
	char label[16];

	for (attempt = 0; attempt < 5 && !same; attempt++) {
		/* A fresh label per attempt: an earlier one already holds its name. */
		snprintf(label, sizeof(label), "same%d", attempt);
		ret = drmb_result_open(&w1, NULL, store, "h", "r", label, err, sizeof(err));
		if (!ret)
			ret = write_minimal(&w1, "first");
		if (!ret)
			ret = drmb_result_commit(&w1, f1, sizeof(f1), err, sizeof(err));
		CHECK(ret == 0, "same second: first writer stored %s (%s)", f1, err);
		if (ret)
			return;
		ret = drmb_result_open(&w2, NULL, store, "h", "r", label, err, sizeof(err));
		CHECK(ret == 0, "same second: second writer opens (%s)", err);
		if (ret)
			return;
		/* Only meaningful when both picked the same name; retry if a
		 * second boundary fell between the two opens. */
		same = !strcmp(w2.path, f1);
		if (!same) {
			drmb_result_abort(&w2);
			continue;
		}
		ret = write_minimal(&w2, "second");
		if (!ret)
			ret = drmb_result_commit(&w2, f2, sizeof(f2), err, sizeof(err));
		CHECK(ret == 0, "same second: second writer stored %s (%s)", f2, err);
	}
	CHECK(same, "same second: got two writers in one second");
	if (!same)
		return;
	if (asprintf(&want2, "%.*s-2.txt", (int)(strlen(f1) - 4), f1) < 0)
		exit(2);
	CHECK(!strcmp(f2, want2), "same second: the second one became %s (got %s)", want2, f2);
	{
		struct drmb_result_file a, b;
		char *s2;

		CHECK(drmb_result_read(f1, &a, err, sizeof(err)) == 0 &&
		      !strcmp(drmb_result_config(&a, NULL, "writer"), "first"),
		      "same second: the first file still holds the first result");
		drmb_result_free(&a);
		CHECK(drmb_result_read(f2, &b, err, sizeof(err)) == 0 &&
		      !strcmp(drmb_result_config(&b, NULL, "writer"), "second"),
		      "same second: the second file holds the second result");
		drmb_result_free(&b);
		if (asprintf(&s2, "%.*s-2.samples", (int)(strlen(f1) - 4), f1) < 0)
			exit(2);
		CHECK(!access(s2, F_OK), "same second: the second sidecar is %s", s2);
		free(s2);
	}
	free(want2);
	free(store);
}

/* Concurrent writers in separate processes (what two drmbench runs are). */
static void test_concurrent(void)
{
	enum { NPROC = 4 };
	char *store = mkpath("conc");
	char *dir = mkpath("conc/h/r");
	int go[2], ready[2], i, status, ok = 1, seen[NPROC] = { 0 };
	pid_t pid[NPROC];
	struct dirent *d;
	DIR *dp;
	char c;

	if (pipe(go) || pipe(ready))
		exit(2);
	for (i = 0; i < NPROC; i++) {
		pid[i] = fork();
		if (pid[i] == 0) {
			struct drmb_result_writer w;
			char err[512], final[1024], marker[8];

			close(go[1]);
			close(ready[0]);
			snprintf(marker, sizeof(marker), "%d", i);
			if (drmb_result_open(&w, NULL, store, "h", "r", "conc", err, sizeof(err)) ||
			    write_minimal(&w, marker))
				_exit(1);
			/* Everyone holds an open writer; commit all at once. */
			if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) < 0)
				_exit(1);
			_exit(drmb_result_commit(&w, final, sizeof(final), err, sizeof(err)) ? 1 : 0);
		}
	}
	close(go[0]);
	close(ready[1]);
	for (i = 0; i < NPROC; i++)
		if (read(ready[0], &c, 1) != 1)
			ok = 0;
	close(go[1]);	/* EOF releases every child at once */
	close(ready[0]);
	for (i = 0; i < NPROC; i++) {
		waitpid(pid[i], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			ok = 0;
	}
	CHECK(ok, "concurrent: %d writers opened and committed", NPROC);
	CHECK(count_files(dir, ".txt") == NPROC, "concurrent: %d distinct result files", NPROC);
	CHECK(count_files(dir, ".samples") == NPROC, "concurrent: %d distinct sidecars", NPROC);
	CHECK(count_files(dir, ".tmp.") == 0, "concurrent: no temporaries left");
	dp = opendir(dir);
	while (dp && (d = readdir(dp))) {
		struct drmb_result_file rf;
		char err[512], *p;
		const char *v;

		if (!strstr(d->d_name, ".txt"))
			continue;
		if (asprintf(&p, "%s/%s", dir, d->d_name) < 0)
			exit(2);
		if (!drmb_result_read(p, &rf, err, sizeof(err))) {
			v = drmb_result_config(&rf, NULL, "writer");
			if (v && atoi(v) >= 0 && atoi(v) < NPROC)
				seen[atoi(v)]++;
			drmb_result_free(&rf);
		}
		free(p);
	}
	if (dp)
		closedir(dp);
	for (i = 0, ok = 1; i < NPROC; i++)
		ok &= seen[i] == 1;
	CHECK(ok, "concurrent: every writer's result is stored exactly once, intact");
	free(store);
	free(dir);
}

/* ---- malformed result files ----------------------------------------------- */

struct bad_case {
	const char *what;
	const char *text;
	size_t len;		/* 0: strlen(text) */
	int err;		/* -EINVAL or -ENODATA */
	unsigned int line;	/* expected in "FILE:LINE:"; 0: no line */
};

#define HEAD "goos: linux\nkernel-release: 6.1\n# fine so far\n"

static const struct bad_case bad_cases[] = {
	{ "empty file", "", 0, -ENODATA, 0 },
	{ "value without unit", HEAD "BenchmarkA 10 5\n", 0, -EINVAL, 4 },
	{ "second value without unit", HEAD "BenchmarkA 10 5 ns/op 6\n", 0, -EINVAL, 4 },
	{ "no value", HEAD "BenchmarkA 10\n", 0, -EINVAL, 4 },
	{ "no iteration count", HEAD "BenchmarkA\n", 0, -EINVAL, 4 },
	{ "truncated mid-write (no newline)", HEAD "BenchmarkA 10 5 ns/op\nBenchmarkA 10 5", 0, -EINVAL, 5 },
	{ "NaN value", HEAD "BenchmarkA 10 NaN ns/op\n", 0, -EINVAL, 4 },
	{ "nan value", HEAD "BenchmarkA 10 nan ns/op\n", 0, -EINVAL, 4 },
	{ "inf value", HEAD "BenchmarkA 10 inf ns/op\n", 0, -EINVAL, 4 },
	{ "-Inf value", HEAD "BenchmarkA 10 5 ns/op -Inf p99-ns/op\n", 0, -EINVAL, 4 },
	{ "overflowing value", HEAD "BenchmarkA 10 1e999 ns/op\n", 0, -EINVAL, 4 },
	{ "negative value", HEAD "BenchmarkA 10 -5 ns/op\n", 0, -EINVAL, 4 },
	{ "value with junk", HEAD "BenchmarkA 10 5x ns/op\n", 0, -EINVAL, 4 },
	{ "underflowing value", HEAD "BenchmarkA 10 1e-400 ns/op\n", 0, -EINVAL, 4 },
	{ "hexadecimal value", HEAD "BenchmarkA 10 0x10 ns/op\n", 0, -EINVAL, 4 },
	{ "value with two points", HEAD "BenchmarkA 10 1.2.3 ns/op\n", 0, -EINVAL, 4 },
	{ "exponent without digits", HEAD "BenchmarkA 10 1e+ ns/op\n", 0, -EINVAL, 4 },
	{ "two exponents", HEAD "BenchmarkA 10 1e5e5 ns/op\n", 0, -EINVAL, 4 },
	{ "doubled sign", HEAD "BenchmarkA 10 --5 ns/op\n", 0, -EINVAL, 4 },
	{ "negative value in exponent form", HEAD "BenchmarkA 10 -1e-3 ns/op\n", 0, -EINVAL, 4 },
	{ "zero iterations", HEAD "BenchmarkA 0 5 ns/op\n", 0, -EINVAL, 4 },
	{ "negative iterations", HEAD "BenchmarkA -3 5 ns/op\n", 0, -EINVAL, 4 },
	{ "fractional iterations", HEAD "BenchmarkA 1.5 5 ns/op\n", 0, -EINVAL, 4 },
	{ "iterations not a number", HEAD "BenchmarkA ten 5 ns/op\n", 0, -EINVAL, 4 },
	{ "iterations overflow", HEAD "BenchmarkA 99999999999999999999 5 ns/op\n", 0, -EINVAL, 4 },
	{ "lower-case after Benchmark", HEAD "Benchmarkfoo 1 5 ns/op\n", 0, -EINVAL, 4 },
	{ "garbage line", HEAD "this is not a result\n", 0, -EINVAL, 4 },
	{ "go test's PASS line", HEAD "BenchmarkA 1 5 ns/op\nPASS\n", 0, -EINVAL, 5 },
	{ "upper-case config key", "Goos: linux\n", 0, -EINVAL, 1 },
	{ "config key with a space", HEAD "cpu model: x\n", 0, -EINVAL, 4 },
	{ "config without space after colon", HEAD "key:value\n", 0, -EINVAL, 4 },
	{ "config with empty key", HEAD ": value\n", 0, -EINVAL, 4 },
	{ "config key starting with a digit", "1key: value\n", 0, -EINVAL, 1 },
	{ "binary junk", "\x7f" "ELF\x02\x01\x01\xff\xfe\x90\x90\n\x01\x02", 0, -EINVAL, 1 },
	{ "binary junk after good lines", HEAD "\xc3\x28\xa0\xa1 \xf0\x28\x8c\x28\n", 0, -EINVAL, 4 },
	{ "NUL bytes only", "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16, -EINVAL, 1 },
	{ "NUL inside a comment", HEAD "# ok\0BenchmarkA 1 5 ns/op\n", sizeof(HEAD "# ok\0BenchmarkA 1 5 ns/op\n") - 1,
	  -EINVAL, 4 },
	{ "NUL on the last line", HEAD "BenchmarkA 1 5 ns/op\0\x13\x37", sizeof(HEAD "BenchmarkA 1 5 ns/op\0\x13\x37") - 1,
	  -EINVAL, 4 },
	{ "invalid UTF-8 in a comment (benchstat refuses the file)", HEAD "# caf\xe9\n", 0, -EINVAL, 4 },
};

static void test_malformed(void)
{
	char *path = mkpath("bad.txt");
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *bc = &bad_cases[i];
		struct drmb_result_file rf;
		char err[512] = "", where[600];
		int ret;

		write_file(path, bc->text, bc->len ? bc->len : strlen(bc->text));
		ret = drmb_result_read(path, &rf, err, sizeof(err));
		if (bc->line)
			snprintf(where, sizeof(where), "%s:%u:", path, bc->line);
		else
			snprintf(where, sizeof(where), "%s:", path);
		CHECK(ret == bc->err, "malformed (%s): %s (got %d)", bc->what,
		      bc->err == -ENODATA ? "-ENODATA" : "-EINVAL", ret);
		CHECK(has_prefix(err, where), "malformed (%s): message names %s: '%s'",
		      bc->what, where, err);
		CHECK(ret == 0 || (rf.nlines == 0 && rf.nconfig == 0 && !rf.lines && !rf.config),
		      "malformed (%s): nothing half-read is handed back", bc->what);
		if (!ret)
			drmb_result_free(&rf);
	}

	/* Accepted variants, so the cases above fail for the right reason. */
	{
		static const char ok[] = "key:\nkey2:\tvalue\n\n   \n# c\nBenchmarkA 1 0 ns/op\n"
					 "BenchmarkB/x=1 7 1.5e3 ns/op 2 allocs/op\r\n";
		struct drmb_result_file rf;
		char err[512] = "";
		int ret;

		write_file(path, ok, strlen(ok));
		ret = drmb_result_read(path, &rf, err, sizeof(err));
		CHECK(ret == 0, "accepted: empty value, tab separator, blank lines, zero value, CRLF (%s)", err);
		if (!ret) {
			CHECK(rf.nlines == 2 && rf.lines[1].nmetrics == 2 &&
			      rf.lines[1].metrics[0].value == 1500 &&
			      !strcmp(rf.lines[1].metrics[1].unit, "allocs/op"),
			      "accepted: the CRLF line reads its unit without the CR");
			drmb_result_free(&rf);
		}
	}
	{
		struct drmb_result_file rf;
		char err[512] = "", *missing = mkpath("missing.txt");
		int ret = drmb_result_read(missing, &rf, err, sizeof(err));

		CHECK(ret == -ENOENT && strstr(err, missing), "missing file: -ENOENT naming it (%s)", err);
		free(missing);
	}
	free(path);
}

/* ---- malformed sidecars ----------------------------------------------------- */

static void test_samples_corrupt(void)
{
	struct drmb_result_writer w;
	struct drmb_sample_file sf;
	char err[512] = "", final[1024];
	char *path = mkpath("sc.txt"), *spath = mkpath("sc.samples");
	char *cut = mkpath("cut.samples");
	size_t len, l, bounds[3], nbounds = 0, wrong_ok = 0, wrong_err = 0;
	uint64_t ns[3] = { 10, 20, 30 };
	unsigned char *data;
	int ret;

	ret = drmb_result_open(&w, path, NULL, "h", "r", "l", err, sizeof(err));
	if (!ret)
		ret = write_minimal(&w, "x");	/* run "Minimal", 1 sample */
	if (!ret)
		ret = drmb_result_samples(&w, "Two", 1, 1, ns, 3);
	if (!ret)
		ret = drmb_result_commit(&w, final, sizeof(final), err, sizeof(err));
	CHECK(ret == 0, "sidecar: a two-run sidecar to damage (%s)", err);
	data = (unsigned char *)read_all(spath, &len);
	if (ret || !data)
		return;
	/* magic 8 | len 4, "Minimal" 7, run 4, ops 4, n 8, 1 x 8 | len 4, "Two" 3, 4, 4, 8, 3 x 8 */
	bounds[nbounds++] = 8;
	bounds[nbounds++] = 8 + 4 + 7 + 4 + 4 + 8 + 8;
	bounds[nbounds++] = bounds[1] + 4 + 3 + 4 + 4 + 8 + 3 * 8;
	CHECK(len == bounds[2], "sidecar: layout as documented (%zu bytes)", len);

	/* Cut at every byte: only a cut between two records reads cleanly. */
	for (l = 0; l < len; l++) {
		int boundary = l == bounds[0] || l == bounds[1];

		write_file(cut, data, l);
		ret = drmb_samples_read(cut, &sf, err, sizeof(err));
		if (boundary && ret)
			wrong_err++;
		if (!boundary && ret != -EINVAL) {
			if (!wrong_ok)
				printf("     first silent truncation at byte %zu of %zu\n", l, len);
			wrong_ok++;
		}
		if (!boundary && ret == -EINVAL && !strstr(err, cut))
			wrong_err++;
		if (!ret)
			drmb_samples_free(&sf);
	}
	CHECK(wrong_ok == 0, "sidecar: a file cut inside a record is refused at every byte (%zu accepted)",
	      wrong_ok);
	CHECK(wrong_err == 0, "sidecar: cuts between records read, errors name the file (%zu wrong)",
	      wrong_err);

	/* Corruption with the size intact. */
	{
		static const struct {
			const char *what;
			size_t off;
			unsigned char bytes[8];
			size_t n;
		} bad[] = {
			{ "bad magic", 0, { 'X' }, 1 },
			{ "name length 0", 8, { 0, 0, 0, 0 }, 4 },
			{ "name length 4 GiB", 8, { 0xff, 0xff, 0xff, 0xff }, 4 },
			{ "sample count 2^60", 8 + 4 + 7 + 8, { 0, 0, 0, 0, 0, 0, 0, 0x10 }, 8 },
			{ "sample count 2", 8 + 4 + 7 + 8, { 2, 0, 0, 0, 0, 0, 0, 0 }, 8 },
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			unsigned char *copy = malloc(len);

			memcpy(copy, data, len);
			memcpy(copy + bad[i].off, bad[i].bytes, bad[i].n);
			write_file(cut, copy, len);
			ret = drmb_samples_read(cut, &sf, err, sizeof(err));
			CHECK(ret == -EINVAL && strstr(err, cut), "sidecar (%s): -EINVAL naming the file (%d, %s)",
			      bad[i].what, ret, err);
			if (!ret)
				drmb_samples_free(&sf);
			free(copy);
		}
	}
	ret = drmb_samples_read(path, &sf, err, sizeof(err));
	CHECK(ret == -EINVAL, "sidecar reader refuses a result .txt (bad magic)");
	if (!ret)
		drmb_samples_free(&sf);
	free(data);
	free(path);
	free(spath);
	free(cut);
}

/* ---- the reader's fast decimal path ----------------------------------------- */

static uint64_t dec_rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A random string of the decimal grammar: sign, digits, point, exponent. */
static void random_decimal(uint64_t *rng, char *buf, size_t len)
{
	size_t pos = 0, digits = 1 + dec_rng(rng) % 21, point = dec_rng(rng) % (digits + 2);
	int zeros = dec_rng(rng) % 4 == 0;

	if (dec_rng(rng) % 8 == 0)
		buf[pos++] = dec_rng(rng) % 2 ? '-' : '+';
	for (size_t i = 0; i < digits; i++) {
		if (i == point)
			buf[pos++] = '.';
		buf[pos++] = (char)('0' + (zeros && i < 3 ? 0 : dec_rng(rng) % 10));
	}
	if (point == digits)
		buf[pos++] = '.';
	if (dec_rng(rng) % 3 == 0) {
		int edigits = 1 + (int)(dec_rng(rng) % 3);
		buf[pos++] = dec_rng(rng) % 2 ? 'e' : 'E';
		if (dec_rng(rng) % 2)
			buf[pos++] = dec_rng(rng) % 2 ? '-' : '+';
		for (int i = 0; i < edigits; i++)
			buf[pos++] = (char)('0' + (i == 0 ? dec_rng(rng) % 3 : dec_rng(rng) % 10));
	}
	buf[pos < len ? pos : len - 1] = '\0';
}

static int same_bits(double a, double b)
{
	return !memcmp(&a, &b, sizeof(a));
}

static void test_decimal_fast(void)
{
	static const struct {
		const char *s;
		int fast;	/* 1: the fast path must take it */
	} edges[] = {
		{ "0", 1 }, { "-0", 1 }, { "+0.000", 1 }, { "0.5", 1 }, { ".5", 1 }, { "5.", 1 },
		{ "1e22", 1 }, { "1e-22", 1 }, { "1E+05", 1 }, { "1e0005", 1 },
		{ "9007199254740992", 1 }, { "0.1", 1 }, { "4120", 1 }, { "3.14159e-7", 1 },
		{ "9007199254740993", 0 }, { "1e23", 0 }, { "1e-23", 0 }, { "1e00005", 0 },
		{ "12345678901234567890", 0 }, { "1e999", 0 }, { "1e-400", 0 },
		{ "0x10", 0 }, { "1e", 0 }, { "1e+", 0 }, { ".", 0 }, { "", 0 }, { "+", 0 },
		{ "--5", 0 }, { "1.2.3", 0 }, { "1e5e5", 0 }, { "inf", 0 }, { "nan", 0 },
		{ "1,5", 0 }, { " 1", 0 }, { "1 ", 0 }, { "e5", 0 },
	};
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	size_t tried = 0, fast = 0, bad = 0, fmt_fast = 0, fmt_tried = 0;
	char buf[64], first_bad[64] = "";
	double v;

	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		int took = drmb_parse_decimal_fast(edges[i].s, &v);
		CHECK(took == edges[i].fast && (!took || same_bits(v, strtod(edges[i].s, NULL))),
		      "fast decimal '%s': %s", edges[i].s,
		      edges[i].fast ? "taken, strtod's double bit for bit" : "left to strtod");
	}

	/* random strings of the grammar: wherever the fast path answers, strtod agrees */
	for (int i = 0; i < 1000000; i++) {
		random_decimal(&rng, buf, sizeof(buf));
		tried++;
		if (!drmb_parse_decimal_fast(buf, &v))
			continue;
		fast++;
		if (!same_bits(v, strtod(buf, NULL)) && !bad++)
			snprintf(first_bad, sizeof(first_bad), "%s", buf);
	}
	CHECK(!bad, "fast decimal: %zu of %zu random decimal strings took the fast path, "
	      "%zu differ from strtod (first: '%s')", fast, tried, bad, first_bad);
	CHECK(fast > tried / 4, "fast decimal: the random strings exercise the fast path (%zu)", fast);

	/* what the harness writes: %.6g, %.0f, %.3f, %.17g of values over many decades */
	bad = 0;
	for (int i = 0; i < 200000; i++) {
		double x = (double)(dec_rng(&rng) >> 11) / 9007199254740992.0 *
			   pow(10, (double)(dec_rng(&rng) % 24) - 9);
		for (int f = 0; f < 5; f++) {
			if (f == 0)
				snprintf(buf, sizeof(buf), "%.6g", x);
			else if (f == 1)
				snprintf(buf, sizeof(buf), "%.0f", x);
			else if (f == 2)
				snprintf(buf, sizeof(buf), "%.3f", x);
			else if (f == 3)
				snprintf(buf, sizeof(buf), "%.17g", x);
			else
				snprintf(buf, sizeof(buf), "%.5g", x);
			fmt_tried++;
			if (!drmb_parse_decimal_fast(buf, &v))
				continue;
			fmt_fast++;
			if (!same_bits(v, strtod(buf, NULL)) && !bad++)
				snprintf(first_bad, sizeof(first_bad), "%s", buf);
		}
	}
	CHECK(!bad, "fast decimal: %zu of %zu printed values (%%.6g %%.0f %%.3f %%.17g %%.5g) took "
	      "the fast path, %zu differ from strtod (first: '%s')", fmt_fast, fmt_tried, bad, first_bad);
	CHECK(fmt_fast > fmt_tried / 2, "fast decimal: printed values mostly take the fast path (%zu)",
	      fmt_fast);

	/* through the reader: every value of a file reads as strtod reads it */
	{
		char *path = mkpath("decimals.txt"), err[512] = "";
		FILE *f = fopen(path, "w");
		struct drmb_result_file rf;
		double want[4000];
		int ret, mismatch = 0;

		for (int i = 0; i < 4000; i++) {
			do
				random_decimal(&rng, buf, sizeof(buf));
			while (buf[0] == '-' || !isfinite(strtod(buf, NULL)) ||
			       (strtod(buf, NULL) != 0 && fabs(strtod(buf, NULL)) < 1e-300));
			want[i] = strtod(buf, NULL);
			fprintf(f, "BenchmarkA 1 %s ns/op\n", buf);
		}
		fclose(f);
		ret = drmb_result_read(path, &rf, err, sizeof(err));
		CHECK(ret == 0 && rf.nlines == 4000, "reader: 4000 random decimals read (%s)", err);
		for (size_t i = 0; !ret && i < rf.nlines; i++)
			mismatch += !same_bits(rf.lines[i].metrics[0].value, want[i]);
		CHECK(!ret && !mismatch, "reader: every value equals strtod's bit for bit (%d differ)",
		      mismatch);
		if (!ret)
			drmb_result_free(&rf);
		free(path);
	}
}

int main(void)
{
	snprintf(top, sizeof(top), "/tmp/drmb-test-result.XXXXXX");
	if (!mkdtemp(top)) {
		perror("mkdtemp");
		return 2;
	}
	test_round_trip();
	test_informational_keys();
	test_writer_refuses();
	test_existing_target();
	test_abort();
	test_store_naming();
	test_same_second();
	test_concurrent();
	test_malformed();
	test_samples_corrupt();
	test_decimal_fast();
	rm_rf(top);
	return check_done();
}
