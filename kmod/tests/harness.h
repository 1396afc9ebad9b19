/* SPDX-License-Identifier: MIT */
/*
 * harness: a small kselftest-like test harness (ours, not a copy of
 * kselftest_harness.h).
 *
 *	TEST(test_queue_limit, "queue-limit")
 *	{
 *		CHECK(queue_create(fd, 0, 1, 0, 0, &q) == 0);
 *		return PASS;
 *	}
 *
 * TEST() defines a test and registers it; tests run in the order they are
 * defined (files in link order). Each test runs in its own child process:
 * the fixture's setup opens what the test uses (here a simgpu fd), the
 * test returns PASS, FAIL or SKIP, the teardown closes it, and the child
 * exits, so a test that fails half-way leaves nothing to the next one. The
 * parent then asks the fixture whether anything was left behind (simgpu's
 * live-object counts in debugfs) and fails the test if so.
 *
 * Output is KTAP: "TAP version 13", "1..N", one "ok N name", "not ok N
 * name # reason" or "ok N name # SKIP reason" per test, then the line
 * "N passed, N failed, N skipped" that the guest runners count.
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <stdbool.h>

enum result { PASS, FAIL, SKIP };

struct harness_test {
	const char *name;
	enum result (*fn)(void);
	struct harness_test *next;
};

/*
 * What every test runs in. setup() returns 0, or -errno with @why set
 * (every test then SKIPs with it); teardown() undoes it; leftovers()
 * returns 0 when nothing of a finished test is left, else -EBUSY with @why
 * saying what, or -ENOENT when it cannot tell (no check is made).
 */
struct harness_fixture {
	int (*setup)(char *why, unsigned long len);
	void (*teardown)(void);
	int (*leftovers)(char *why, unsigned long len);
};

/* Why the running test failed or skipped (or a note when it passed). */
extern char harness_reason[256];

void harness_register(struct harness_test *t);
int harness_main(int argc, char **argv, const struct harness_fixture *fx);

/* Records why a test failed or skipped; returns @r for chaining. */
enum result why(enum result r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Counts a check of the running test; true if it fails, which it also does
 * when --fail-on-purpose names this check.
 */
bool harness_check_fails(bool failed);
enum result harness_fail(int line, const char *cond);

#define CHECK(cond) do { \
	if (harness_check_fails(!(cond))) \
		return harness_fail(__LINE__, #cond); \
} while (0)

#define TEST(func, tname) \
	static enum result func(void); \
	static struct harness_test func##_test = { .name = tname, .fn = func }; \
	static void __attribute__((constructor)) func##_register(void) \
	{ \
		harness_register(&func##_test); \
	} \
	static enum result func(void)

#endif
