// SPDX-License-Identifier: MIT
/*
 * The runner's case handling, with benchmarks defined here that fail on
 * purpose (no device needed):
 *   - a result name that does not fit (a long parameter value: leading
 *     zeros are accepted) is a FAIL naming the parameter, and nothing is
 *     written past the name buffer (build with -fsanitize=address to see
 *     the old overflow reported);
 *   - only the device, placement and .requires may SKIP: an error from
 *     setup or from a run after the requirements passed is a FAIL (exit 1)
 *     naming the step and the errno, whatever the errno.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "measure.h"
#include "runner.h"

/* The library looks benchmarks up by name and walks the backends; none here. */
const struct drmb_bench *drmb_bench_find(const char *name)
{
	return NULL;
}

const struct drmb_backend *const drmb_backends[] = { NULL };

static int calls;		/* run() calls of the current benchmark */
static int fail_requires, fail_setup, fail_run_call, short_run_call;
static unsigned int samples = 20;

static int op(struct drmb_case *c)
{
	return 0;
}

static int t_requires(struct drmb_case *c)
{
	return fail_requires ? drmb_why(c, fail_requires, "no such thing here") : 0;
}

static int t_setup(struct drmb_case *c)
{
	return fail_setup ? drmb_why(c, fail_setup, "OPEN of the thing") : 0;
}

static int t_run(struct drmb_case *c, struct drmb_samples *s)
{
	int ret;

	if (++calls == fail_run_call)
		return drmb_why(c, -EACCES, "SUBMIT");
	ret = drmb_measure_loop(c, s, op);
	/* Too few samples for a p50, as a run cut short by its time cap. */
	if (!ret && calls == short_run_call && s->n > 10)
		s->n = 10;
	return ret;
}

static const struct drmb_param long_params[] = {
	{ "aa", DRMB_PARAM_INT, "1", "first", 0, 1000 },
	{ "bb", DRMB_PARAM_INT, "1", "second", 0, 1000 },
	{ "cc", DRMB_PARAM_INT, "1", "third", 0, 1000 },
	{ "dd", DRMB_PARAM_INT, "1", "fourth", 0, 1000 },
	/* after the one that overflows: the old code wrote them past name[] */
	{ "ee", DRMB_PARAM_INT, "1", "fifth", 0, 1000 },
	{ "ff", DRMB_PARAM_INT, "1", "sixth", 0, 1000 },
	{ "gg", DRMB_PARAM_INT, "1", "seventh", 0, 1000 },
	{ "hh", DRMB_PARAM_INT, "1", "eighth", 0, 1000 },
	{ NULL },
};

static const struct drmb_bench t_bench = {
	.name = "t", .id = "T", .summary = "test", .headline = "test",
	.params = long_params,
	.requires = t_requires, .setup = t_setup, .run = t_run,
};

/* The case's line of the output (after the header), for the messages. */
static const char *case_line(const char *out)
{
	static char line[1024];
	const char *p = strstr(out, "\n  T/");

	p = p ? p + 1 : out;
	snprintf(line, sizeof(line), "%.*s", (int)strcspn(p, "\n"), p);
	return line;
}

static char dir[] = "/tmp/drmb-test-runner.XXXXXX";

/* One drmb_run of t_bench with entry e; its output in out. */
static int run(const struct drmb_entry *e, char *out, size_t outlen)
{
	static int n;
	struct drmb_run_opts o;
	char path[512], result[512], err[256];
	FILE *f;
	int ret;

	memset(&o, 0, sizeof(o));
	o.runs = 3;
	o.samples = samples;
	o.max_run_ns = 1000000000ull;
	o.no_canary = 1;
	o.env.no_mlock = 1;
	o.env.no_dma_latency = 1;
	o.env.counters = 0;
	snprintf(path, sizeof(path), "%s/r%d.txt", dir, n++);
	o.output = path;
	o.label = "test";
	calls = 0;
	f = fmemopen(out, outlen, "w");
	ret = drmb_run(&o, e, 1, f, result, sizeof(result), err, sizeof(err));
	fclose(f);
	out[outlen - 1] = '\0';
	if (ret < 0)
		snprintf(out, outlen, "drmb_run: %s", err);
	return ret;
}

static void entry(struct drmb_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->bench = &t_bench;
	snprintf(e->origin, sizeof(e->origin), "test");
}

static void test_long_name(void)
{
	struct drmb_entry e;
	struct drmb_override ov;
	char value[151], kv[200], out[8192], err[256];
	const char *keys[] = { "aa", "bb", "cc", "dd", "ee", "ff", "gg", "hh" };
	int i, ret;

	/* 150 characters: leading zeros then 7, a valid value of each. */
	memset(value, '0', 149);
	value[149] = '7';
	value[150] = '\0';
	entry(&e);
	for (i = 0; i < 8; i++) {
		snprintf(kv, sizeof(kv), "%s=%s", keys[i], value);
		CHECK(!drmb_override_parse(&ov, kv, err, sizeof(err)) &&
		      !drmb_entry_set(&e, &ov, err, sizeof(err)), "override %s of 150 bytes taken", keys[i]);
	}
	CHECK(!drmb_entry_validate(&e, err, sizeof(err)), "150-byte values with leading zeros are valid (%s)", err);
	ret = run(&e, out, sizeof(out));
	CHECK(ret == DRMB_RUN_FAILED, "8 x 150-byte values: the case FAILs (ret %d)", ret);
	CHECK(strstr(out, "FAIL: parameter dd (value of 150 bytes) makes the result name longer than 511 bytes") != NULL,
	      "the failure names the parameter that overflowed: %.300s", case_line(out));
	CHECK(calls == 0, "the benchmark never ran under a cut name (%d calls)", calls);

	/* Three of them fit (1 + 3 x 154 + "/dd=1/ee=1/ff=1/gg=1/hh=1" < 512). */
	entry(&e);
	for (i = 0; i < 3; i++) {
		snprintf(kv, sizeof(kv), "%s=%s", keys[i], value);
		drmb_override_parse(&ov, kv, err, sizeof(err));
		drmb_entry_set(&e, &ov, err, sizeof(err));
	}
	ret = run(&e, out, sizeof(out));
	CHECK(ret == DRMB_RUN_OK, "3 x 150-byte values fit: the case runs (ret %d: %.200s)", ret, case_line(out));
}

static void test_skip_or_fail(void)
{
	struct drmb_entry e;
	char out[8192];
	int ret;

	entry(&e);
	fail_requires = -EOPNOTSUPP;
	ret = run(&e, out, sizeof(out));
	CHECK(ret == DRMB_RUN_ALL_SKIPPED && strstr(out, "SKIP: no such thing here"),
	      ".requires -EOPNOTSUPP is a SKIP, exit 4 (ret %d: %.200s)", ret, case_line(out));
	fail_requires = -EACCES;
	ret = run(&e, out, sizeof(out));
	CHECK(ret == DRMB_RUN_ALL_SKIPPED, ".requires -EACCES is a SKIP (ret %d)", ret);
	fail_requires = 0;

	fail_setup = -ENOENT;
	ret = run(&e, out, sizeof(out));
	CHECK(ret == DRMB_RUN_FAILED &&
	      strstr(out, "FAIL: setup failed: No such file or directory (errno 2): OPEN of the thing"),
	      "setup -ENOENT after .requires passed is a FAIL naming step and errno, exit 1 (ret %d: %.300s)",
	      ret, case_line(out));
	fail_setup = 0;

	/* Warm-up and first run pass, the second run's warm-up fails. */
	fail_run_call = 3;
	ret = run(&e, out, sizeof(out));
	CHECK(ret == DRMB_RUN_FAILED &&
	      strstr(out, "FAIL: run failed: Permission denied (errno 13): SUBMIT"),
	      "run -EACCES mid-run is a FAIL, exit 1 (ret %d: %.300s)", ret, case_line(out));
	fail_run_call = 0;

	ret = run(&e, out, sizeof(out));
	CHECK(ret == DRMB_RUN_OK, "no fault: the case runs (ret %d: %.200s)", ret, case_line(out));
	/* 20 samples a run: no p50 anywhere, and the summary says why. */
	CHECK(strstr(out, "no p50: no run reached the 200 samples a p50 needs (most: 20 of 20; -n 200"),
	      "a case without any p50 says why (%.300s)", out);

	/* The first measured run (call 2, after a warm-up) has no p50: the
	 * summary gives the median of the others', not "-". */
	samples = 250;
	short_run_call = 2;
	ret = run(&e, out, sizeof(out));
	CHECK(ret == DRMB_RUN_OK && !strstr(case_line(out), " test         -"),
	      "a first run without a p50 leaves the summary the others' (%.200s)", case_line(out));
	short_run_call = 0;
	samples = 20;

	CHECK(drmb_step_skips(DRMB_STEP_DEVICE, -ENODEV), "device -ENODEV skips");
	CHECK(drmb_step_skips(DRMB_STEP_PLACEMENT, -ENOENT), "placement -ENOENT skips");
	CHECK(drmb_step_skips(DRMB_STEP_REQUIRES, -EPERM), "requires -EPERM skips");
	CHECK(!drmb_step_skips(DRMB_STEP_REQUIRES, -EIO), "requires -EIO fails");
	CHECK(!drmb_step_skips(DRMB_STEP_SETUP, -EOPNOTSUPP), "setup -EOPNOTSUPP fails");
	CHECK(!drmb_step_skips(DRMB_STEP_RUN, -ENOENT), "run -ENOENT fails");
	CHECK(!drmb_step_skips(DRMB_STEP_NAME, -ENAMETOOLONG), "an overlong name fails");
}

int main(void)
{
	char cmd[128];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_long_name();
	test_skip_or_fail();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", dir);
	return check_done();
}
