// SPDX-License-Identifier: MIT
/*
 * Unit tests for bench/lib/params.c and bench/lib/suites.c: parameter
 * values, key=value overrides, entry validation and suite files. Every
 * refusal must say what was wrong (the parameter, the value, the choices,
 * the suite and line), because that message is all a user sees.
 *
 * The library looks benchmarks up through drmb_bench_find() and built-in
 * suites through drmb_builtin_suites[], both defined outside libdrmb.a (by
 * bench/benches and the generated bench/suites.gen.c). This program
 * defines its own small ones, so the tests do not move when a real
 * benchmark's parameters change.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "env.h"
#include "runner.h"

/* ---- test doubles --------------------------------------------------------- */

static const char *const mode_choices[] = { "any", "all", NULL };
static const char *const op_choices[] = { "create", "signal", "query", NULL };

static const struct drmb_param two_params[] = {
	{ .name = "count", .type = DRMB_PARAM_INT, .def = "1,8", .help = "objects",
	  .min = 1, .max = 256 },
	{ .name = "mode", .type = DRMB_PARAM_ENUM, .def = "any", .help = "wait mode",
	  .choices = mode_choices },
	{ .name = "size", .type = DRMB_PARAM_INT, .def = "4k", .help = "bytes",
	  .min = 0, .max = 1ll << 40 },
	{ .name = NULL },
};

static const struct drmb_param one_params[] = {
	{ .name = "op", .type = DRMB_PARAM_ENUM, .def = "create", .help = "operation",
	  .choices = op_choices },
	{ .name = NULL },
};

/* A descriptor bug: its default is outside its own range. */
static const struct drmb_param bad_default_params[] = {
	{ .name = "count", .type = DRMB_PARAM_INT, .def = "1,0", .help = "objects",
	  .min = 1, .max = 8 },
	{ .name = NULL },
};

static const struct drmb_bench bench_two = {
	.name = "two-threads", .id = "TwoThreads", .summary = "test double",
	.flags = DRMB_BENCH_TWO_THREADS, .params = two_params,
};

static const struct drmb_bench bench_one = {
	.name = "one-thread", .id = "OneThread", .summary = "test double",
	.params = one_params,
};

static const struct drmb_bench bench_noparams = {
	.name = "no-params", .id = "NoParams", .summary = "test double",
};

static const struct drmb_bench bench_bad_default = {
	.name = "bad-default", .id = "BadDefault", .summary = "test double",
	.params = bad_default_params,
};

const struct drmb_bench *drmb_bench_find(const char *name)
{
	static const struct drmb_bench *const all[] = {
		&bench_two, &bench_one, &bench_noparams, &bench_bad_default, NULL,
	};
	const struct drmb_bench *const *b;

	for (b = all; *b; b++)
		if (!strcmp((*b)->name, name))
			return *b;
	return NULL;
}

const struct drmb_suite_src drmb_builtin_suites[] = {
	{ "mini", "# a built-in suite\ntwo-threads count=1\n\none-thread op=query\n" },
	{ "broken", "one-thread\nno-such-bench\n" },
	{ NULL, NULL },
};

/* ---- helpers ---------------------------------------------------------------- */

static int contains(const char *s, const char *what)
{
	return strstr(s, what) != NULL;
}

static const struct drmb_param *param(const char *name)
{
	const struct drmb_param *p;

	for (p = two_params; p->name; p++)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

/* ---- drmb_param_parse --------------------------------------------------------- */

static const struct drmb_param p_wide = {
	.name = "wide", .type = DRMB_PARAM_INT, .def = "0", .min = INT64_MIN, .max = INT64_MAX,
};

static void test_param_int(void)
{
	static const struct { const char *text; int64_t want; } good[] = {
		{ "0", 0 }, { "42", 42 }, { "-7", -7 },
		{ "4k", 4096 }, { "4K", 4096 }, { "2m", 2 << 20 }, { "2M", 2 << 20 },
		{ "1g", 1ll << 30 }, { "3G", 3ll << 30 }, { "-1k", -1024 },
		{ "9223372036854775807", INT64_MAX },
		{ "-9223372036854775808", INT64_MIN },
		{ "8589934591G", (int64_t)8589934591ll << 30 },
		{ "-8589934592G", INT64_MIN },
	};
	static const struct { const char *text; const char *says; } bad[] = {
		{ "", "not an integer" },
		{ "abc", "not an integer" },
		{ "k", "not an integer" },
		{ "-", "not an integer" },
		{ "12x", "trailing garbage" },
		{ "4kb", "trailing garbage" },
		{ "4kk", "trailing garbage" },
		{ "1.5", "trailing garbage" },
		{ "1e3", "trailing garbage" },
		{ "5 ", "trailing garbage" },
		{ "4T", "trailing garbage" },
		{ "9223372036854775808", "not an integer" },
		{ "-9223372036854775809", "not an integer" },
		{ "99999999999999999999999", "not an integer" },
		{ "8589934592G", "overflows" },
		{ "9007199254740992M", "overflows" },
		{ "-8589934593G", "overflows" },
	};
	char err[256];
	int64_t v;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 12345;
		err[0] = '\0';
		ret = drmb_param_parse(&p_wide, good[i].text, &v, err, sizeof(err));
		CHECK(ret == 0 && v == good[i].want, "int '%s' -> %lld (got %d, %lld) %s",
		      good[i].text, (long long)good[i].want, ret, (long long)v, err);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 12345;
		err[0] = '\0';
		ret = drmb_param_parse(&p_wide, bad[i].text, &v, err, sizeof(err));
		CHECK((ret == -EINVAL || ret == -ERANGE) && v == 12345,
		      "int '%s' refused, output untouched (got %d)", bad[i].text, ret);
		CHECK(contains(err, "parameter wide") && contains(err, bad[i].text) &&
		      contains(err, bad[i].says),
		      "int '%s': message names parameter, value and '%s': %s",
		      bad[i].text, bad[i].says, err);
	}
}

static void test_param_range(void)
{
	const struct drmb_param *count = param("count"), *size = param("size");
	static const struct { const char *text; int ok; } cases[] = {
		{ "1", 1 }, { "256", 1 }, { "0", 0 }, { "257", 0 }, { "-1", 0 },
		{ "1k", 0 }, { "-9223372036854775807", 0 },
	};
	char err[256];
	int64_t v;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		ret = drmb_param_parse(count, cases[i].text, &v, err, sizeof(err));
		if (cases[i].ok)
			CHECK(ret == 0, "count=%s is inside [1, 256] (%s)", cases[i].text, err);
		else
			CHECK(ret == -ERANGE && contains(err, "count") && contains(err, "[1, 256]"),
			      "count=%s refused with -ERANGE naming the range: %s", cases[i].text, err);
	}
	ret = drmb_param_parse(size, "1G", &v, err, sizeof(err));
	CHECK(ret == 0 && v == 1ll << 30, "size=1G -> 1073741824");
	ret = drmb_param_parse(size, "1025G", &v, err, sizeof(err));
	CHECK(ret == -ERANGE && contains(err, "size"), "size=1025G is above the 1 TiB maximum: %s", err);
}

static void test_param_enum(void)
{
	const struct drmb_param *mode = param("mode");
	static const char *const bad[] = { "ANY", "an", "anyx", "", " any", "all,any" };
	char err[256], small[24];
	int64_t v;
	size_t i;
	int ret;

	ret = drmb_param_parse(mode, "any", &v, err, sizeof(err));
	CHECK(ret == 0 && v == 0, "enum 'any' -> index 0");
	ret = drmb_param_parse(mode, "all", &v, err, sizeof(err));
	CHECK(ret == 0 && v == 1, "enum 'all' -> index 1");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 99;
		err[0] = '\0';
		ret = drmb_param_parse(mode, bad[i], &v, err, sizeof(err));
		CHECK(ret == -EINVAL && v == 99, "enum '%s' refused (got %d)", bad[i], ret);
		CHECK(contains(err, "parameter mode") && contains(err, " any") &&
		      contains(err, " all"), "enum '%s': message lists the choices: %s", bad[i], err);
	}

	/* A short buffer gets a truncated message, never an overrun. */
	memset(small, 'Z', sizeof(small));
	ret = drmb_param_parse(mode, "nothing-like-it", &v, small, 16);
	CHECK(ret == -EINVAL && memchr(small, '\0', 16) && small[16] == 'Z' && small[23] == 'Z',
	      "enum error in a 16-byte buffer stays inside it");
}

/* ---- drmb_override_parse / drmb_entry_set ------------------------------------- */

static void test_override(void)
{
	struct drmb_override o;
	char err[256], kv[512];
	struct drmb_entry e;
	unsigned int i;
	int ret;

	ret = drmb_override_parse(&o, "count=8", err, sizeof(err));
	CHECK(ret == 0 && !strcmp(o.key, "count") && !strcmp(o.value, "8"), "override count=8");
	ret = drmb_override_parse(&o, "count=1,8,64", err, sizeof(err));
	CHECK(ret == 0 && !strcmp(o.value, "1,8,64"), "override keeps a list whole");
	ret = drmb_override_parse(&o, "k=a=b", err, sizeof(err));
	CHECK(ret == 0 && !strcmp(o.key, "k") && !strcmp(o.value, "a=b"),
	      "override splits at the first '='");

	static const char *const bad[] = { "count", "count=", "=8", "=", "" };
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ret = drmb_override_parse(&o, bad[i], err, sizeof(err));
		CHECK(ret == -EINVAL && contains(err, "key=value"),
		      "override '%s' refused, says key=value: %s", bad[i], err);
		CHECK(contains(err, bad[i]), "override '%s': message quotes it", bad[i]);
	}

	/* Limits: key < 32 bytes, value < 160 bytes. */
	snprintf(kv, sizeof(kv), "%.*s=1", 31, "abcdefghijklmnopqrstuvwxyzabcdefghij");
	CHECK(drmb_override_parse(&o, kv, err, sizeof(err)) == 0, "override: 31-byte key fits");
	snprintf(kv, sizeof(kv), "%.*s=1", 32, "abcdefghijklmnopqrstuvwxyzabcdefghij");
	ret = drmb_override_parse(&o, kv, err, sizeof(err));
	CHECK(ret == -EINVAL && contains(err, "too long"), "override: 32-byte key refused: %s", err);
	memset(kv, '9', sizeof(kv));
	memcpy(kv, "k=", 2);
	kv[2 + 159] = '\0';
	CHECK(drmb_override_parse(&o, kv, err, sizeof(err)) == 0 && strlen(o.value) == 159,
	      "override: 159-byte value fits");
	kv[2 + 159] = '9';
	kv[2 + 160] = '\0';
	ret = drmb_override_parse(&o, kv, err, sizeof(err));
	CHECK(ret == -EINVAL && contains(err, "too long"), "override: 160-byte value refused, not cut");

	/* drmb_entry_set: a later value replaces, the table has a limit. */
	memset(&e, 0, sizeof(e));
	e.bench = &bench_two;
	drmb_override_parse(&o, "count=1", err, sizeof(err));
	drmb_entry_set(&e, &o, err, sizeof(err));
	drmb_override_parse(&o, "count=64", err, sizeof(err));
	ret = drmb_entry_set(&e, &o, err, sizeof(err));
	CHECK(ret == 0 && e.nov == 1 && !strcmp(e.ov[0].value, "64"),
	      "entry_set: a later -p replaces the suite's value");
	for (i = 1; i < DRMB_MAX_OVERRIDES; i++) {
		snprintf(kv, sizeof(kv), "k%u=1", i);
		drmb_override_parse(&o, kv, err, sizeof(err));
		ret = drmb_entry_set(&e, &o, err, sizeof(err));
	}
	CHECK(ret == 0 && e.nov == DRMB_MAX_OVERRIDES, "entry_set: %d overrides fit", DRMB_MAX_OVERRIDES);
	drmb_override_parse(&o, "one-too-many=1", err, sizeof(err));
	ret = drmb_entry_set(&e, &o, err, sizeof(err));
	CHECK(ret == -E2BIG && e.nov == DRMB_MAX_OVERRIDES && contains(err, "two-threads"),
	      "entry_set: one more is -E2BIG naming the benchmark: %s", err);
}

/* ---- drmb_entry_validate --------------------------------------------------------- */

static int validate(const struct drmb_bench *b, const char *kv1, const char *kv2,
		    char *err, size_t errlen)
{
	struct drmb_override o;
	struct drmb_entry e;
	int ret;

	memset(&e, 0, sizeof(e));
	e.bench = b;
	snprintf(e.origin, sizeof(e.origin), "suite t line 7");
	if (kv1 && ((ret = drmb_override_parse(&o, kv1, err, errlen)) ||
		    (ret = drmb_entry_set(&e, &o, err, errlen))))
		return ret;
	if (kv2 && ((ret = drmb_override_parse(&o, kv2, err, errlen)) ||
		    (ret = drmb_entry_set(&e, &o, err, errlen))))
		return ret;
	err[0] = '\0';
	return drmb_entry_validate(&e, err, errlen);
}

static void test_validate(void)
{
	static const char *const empty_elem[] = {
		"count=1,,8", "count=,1", "count=1,", "count=,", "mode=any,,all",
	};
	char err[512], known[256] = "";
	const char *const *n;
	size_t i;
	int ret;

	ret = validate(&bench_two, NULL, NULL, err, sizeof(err));
	CHECK(ret == 0, "validate: defaults only (%s)", err);
	ret = validate(&bench_two, "count=1,8,256", "mode=all,any", err, sizeof(err));
	CHECK(ret == 0, "validate: lists of good values (%s)", err);
	ret = validate(&bench_two, "placement=same-llc,cross-llc", NULL, err, sizeof(err));
	CHECK(ret == 0, "validate: placement list on a two-thread benchmark (%s)", err);
	ret = validate(&bench_noparams, NULL, NULL, err, sizeof(err));
	CHECK(ret == 0, "validate: benchmark without parameters (%s)", err);

	ret = validate(&bench_two, "cuont=8", NULL, err, sizeof(err));
	CHECK(ret == -EINVAL, "validate: unknown parameter refused");
	CHECK(contains(err, "suite t line 7") && contains(err, "two-threads") &&
	      contains(err, "'cuont'"), "validate: names origin, benchmark, parameter: %s", err);
	ret = validate(&bench_noparams, "count=1", NULL, err, sizeof(err));
	CHECK(ret == -EINVAL && contains(err, "no-params") && contains(err, "'count'"),
	      "validate: any parameter on a benchmark without any: %s", err);

	for (i = 0; i < sizeof(empty_elem) / sizeof(empty_elem[0]); i++) {
		ret = validate(&bench_two, empty_elem[i], NULL, err, sizeof(err));
		CHECK(ret == -EINVAL && contains(err, "empty value") &&
		      contains(err, "suite t line 7"),
		      "validate: '%s' has an empty list element: %s", empty_elem[i], err);
	}

	ret = validate(&bench_two, "count=1,abc,8", NULL, err, sizeof(err));
	CHECK(ret == -EINVAL && contains(err, "'abc'") && contains(err, "count") &&
	      contains(err, "suite t line 7"), "validate: bad element named in a list: %s", err);
	ret = validate(&bench_two, "count=8,300", NULL, err, sizeof(err));
	CHECK(ret == -ERANGE && contains(err, "300"), "validate: out-of-range element: %s", err);
	ret = validate(&bench_two, "count=8", "mode=some", err, sizeof(err));
	CHECK(ret == -EINVAL && contains(err, "'some'") && contains(err, "any all"),
	      "validate: bad enum in the second override lists the choices: %s", err);

	ret = validate(&bench_one, "placement=same-llc", NULL, err, sizeof(err));
	CHECK(ret == -EINVAL && contains(err, "one-thread") && contains(err, "single-threaded") &&
	      contains(err, "suite t line 7"), "validate: placement on a single-thread benchmark: %s", err);
	ret = validate(&bench_two, "placement=same-llc,cross-moon", NULL, err, sizeof(err));
	CHECK(ret == -EINVAL && contains(err, "'cross-moon'"), "validate: unknown placement named: %s", err);
	for (n = drmb_placement_names; *n; n++) {
		strcat(known, " ");
		strcat(known, *n);
	}
	CHECK(contains(err, known), "validate: message lists every known placement (%s)", known);
	ret = validate(&bench_two, "placement=same-llc,", NULL, err, sizeof(err));
	CHECK(ret == -EINVAL, "validate: empty placement element refused: %s", err);

	ret = validate(&bench_bad_default, NULL, NULL, err, sizeof(err));
	CHECK(ret == -ERANGE && contains(err, "count"), "validate: a bad default in a descriptor is caught: %s", err);
	CHECK(contains(err, "bad-default") && contains(err, "default"),
	      "validate: that message names the benchmark and says it is its default: %s", err);
}

/* ---- suites --------------------------------------------------------------------- */

static char dir[64];

static char *suite_file(const char *name, const char *text)
{
	char *path;
	FILE *f;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		exit(2);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f))
		exit(2);
	return path;
}

static void test_suites(void)
{
	static const struct {
		const char *what, *text;
		unsigned int line;
		const char *says;
	} bad[] = {
		{ "unknown benchmark", "# c\n\none-thread\nno-such-bench count=1\n", 4, "'no-such-bench'" },
		{ "override without '='", "two-threads count\n", 1, "'count'" },
		{ "empty value", "\n\ntwo-threads count=\n", 3, "count=" },
		{ "unknown parameter", "two-threads\none-thread size=1\n", 2, "'size'" },
		{ "bad value", "two-threads count=1\ntwo-threads count=1,x\n", 2, "'x'" },
		{ "out of range", "two-threads count=1000\n", 1, "1000" },
		{ "bad enum", "one-thread op=explode\n", 1, "create signal query" },
		{ "placement on single thread", "one-thread placement=same-llc\n", 1, "single-threaded" },
		{ "empty list element", "two-threads count=1,,2\n", 1, "empty value" },
	};
	struct drmb_entry *e = NULL;
	char err[512], where[256], *path;
	size_t n = 0, i;
	int ret;

	path = suite_file("good.suite",
			  "# comment line\n"
			  "\n"
			  "two-threads count=1,8 mode=all   # trailing comment\n"
			  "\t one-thread\r\n"
			  "two-threads placement=same-llc count=2\n");
	ret = drmb_suite_load(path, &e, &n, err, sizeof(err));
	CHECK(ret == 0 && n == 3, "suite file: 3 entries (%d, %zu) %s", ret, n, ret ? err : "");
	if (!ret && n == 3) {
		snprintf(where, sizeof(where), "suite %s line 3", path);
		CHECK(!strcmp(e[0].origin, where), "suite file: origin '%s' (got '%s')", where, e[0].origin);
		CHECK(e[0].bench == &bench_two && e[0].nov == 2 && !strcmp(e[0].ov[0].key, "count") &&
		      !strcmp(e[0].ov[0].value, "1,8") && !strcmp(e[0].ov[1].value, "all"),
		      "suite file: overrides of line 3, comment stripped");
		CHECK(e[1].bench == &bench_one && e[1].nov == 0, "suite file: CRLF and leading blanks");
		CHECK(e[2].nov == 2 && !strcmp(e[2].ov[0].key, "placement"), "suite file: placement override");
	}
	free(e);
	free(path);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		path = suite_file("bad.suite", bad[i].text);
		err[0] = '\0';
		e = NULL;
		ret = drmb_suite_load(path, &e, &n, err, sizeof(err));
		snprintf(where, sizeof(where), "suite %s line %u", path, bad[i].line);
		CHECK(ret == -EINVAL || ret == -ERANGE, "suite (%s): refused (got %d)", bad[i].what, ret);
		CHECK(contains(err, where) && contains(err, bad[i].says),
		      "suite (%s): message has '%s' and %s: %s", bad[i].what, where, bad[i].says, err);
		if (!ret)
			free(e);
		free(path);
	}

	path = suite_file("empty.suite", "");
	ret = drmb_suite_load(path, &e, &n, err, sizeof(err));
	CHECK(ret == -EINVAL && contains(err, path), "suite: empty file refused naming it: %s", err);
	free(path);
	path = suite_file("comments.suite", "# nothing\n\n   # here\n");
	ret = drmb_suite_load(path, &e, &n, err, sizeof(err));
	CHECK(ret == -EINVAL && contains(err, path) && contains(err, "no benchmarks"),
	      "suite: comments only refused: %s", err);
	free(path);
	if (asprintf(&path, "%s/missing.suite", dir) < 0)
		exit(2);
	ret = drmb_suite_load(path, &e, &n, err, sizeof(err));
	CHECK(ret == -ENOENT && contains(err, path), "suite: missing file -ENOENT naming it: %s", err);
	free(path);

	ret = drmb_suite_load("mini", &e, &n, err, sizeof(err));
	CHECK(ret == 0 && n == 2 && !strcmp(e[0].origin, "suite mini line 2") &&
	      !strcmp(e[1].origin, "suite mini line 4"), "built-in suite 'mini' with its line numbers");
	if (!ret)
		free(e);
	ret = drmb_suite_load("broken", &e, &n, err, sizeof(err));
	CHECK(ret == -EINVAL && contains(err, "suite broken line 2") && contains(err, "'no-such-bench'"),
	      "built-in suite errors name it and the line: %s", err);
	ret = drmb_suite_load("nosuch", &e, &n, err, sizeof(err));
	CHECK(ret == -ENOENT && contains(err, "'nosuch'") && contains(err, "neither a benchmark nor a suite"),
	      "unknown suite name: %s", err);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/drmb-test-params.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	test_param_int();
	test_param_range();
	test_param_enum();
	test_override();
	test_validate();
	test_suites();
	{
		char *cmd;

		if (asprintf(&cmd, "rm -rf '%s'", dir) >= 0) {
			if (system(cmd))
				fprintf(stderr, "cannot remove %s\n", dir);
			free(cmd);
		}
	}
	return check_done();
}
