// SPDX-License-Identifier: MIT
/*
 * harness.c: runs the tests TEST() registered, each in a child process of
 * its own under the fixture, with a per-test timeout and a check after
 * each test that it left nothing behind. See harness.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define EXIT_USAGE 2
#define EXIT_SKIP 4
/* Freeing a closed file's fences can wait for an RCU grace period or work. */
#define LEFTOVER_WAIT_MS 10000

char harness_reason[256];

static struct harness_test *first, **tail = &first;

/* What a child hands back: its result and reason, in shared memory. */
struct outcome {
	enum result result;
	char reason[sizeof(harness_reason)];
};

static struct outcome *outcome;
static const char *purpose_name;
static unsigned long purpose_check;
static const char *running;
static unsigned long checks;

void harness_register(struct harness_test *t)
{
	*tail = t;
	tail = &t->next;
}

enum result why(enum result r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(harness_reason, sizeof(harness_reason), fmt, ap);
	va_end(ap);
	return r;
}

bool harness_check_fails(bool failed)
{
	checks++;
	return failed || (purpose_name && !strcmp(purpose_name, running) &&
			  checks == purpose_check);
}

enum result harness_fail(int line, const char *cond)
{
	int err = errno;

	if (purpose_name && !strcmp(purpose_name, running) &&
	    checks == purpose_check)
		return why(FAIL, "line %d: check %lu failed on purpose (--fail-on-purpose)",
			   line, checks);
	return why(FAIL, "line %d: %s (errno %d %s)", line, cond, err,
		   strerror(err));
}

static void usage(FILE *out, const char *prog)
{
	fprintf(out,
		"usage: %s [OPTIONS] [TEST...]\n"
		"       %s --fuzz ...   (the ioctl fuzzer; --fuzz --help)\n"
		"Runs simgpu's functional tests (all, or the TESTs named), each in a\n"
		"child process with its own device fd, and checks after each one that\n"
		"simgpu holds nothing of it any more.\n"
		"\n"
		"  --fail-on-purpose NAME[@N]  make check N (default 1) of test NAME fail\n"
		"  -h, --help                  this help\n"
		"  -l, --list                  list the tests and exit\n"
		"  -t, --timeout SECS          kill a test after SECS seconds (default 300)\n"
		"\n"
		"Exit status: 0 all passed, 1 any failed, 2 usage, 4 all skipped.\n",
		prog, prog);
}

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

static bool selected(const struct harness_test *t, char **names, int n)
{
	int i;

	if (!n)
		return true;
	for (i = 0; i < n; i++)
		if (!strcmp(names[i], t->name))
			return true;
	return false;
}

static void run_child(const struct harness_test *t,
		      const struct harness_fixture *fx)
{
	char why_setup[sizeof(harness_reason)] = "";

	setpgid(0, 0);
	running = t->name;
	checks = 0;
	harness_reason[0] = 0;
	if (fx->setup && fx->setup(why_setup, sizeof(why_setup))) {
		outcome->result = SKIP;
		snprintf(outcome->reason, sizeof(outcome->reason), "%s", why_setup);
		exit(0);
	}
	errno = 0;
	outcome->result = t->fn();
	memcpy(outcome->reason, harness_reason, sizeof(outcome->reason));
	if (fx->teardown)
		fx->teardown();
	fflush(NULL);
	exit(0);
}

/* Runs @t in a child; its result, with outcome->reason saying why. */
static enum result run_one(const struct harness_test *t,
			   const struct harness_fixture *fx,
			   unsigned long timeout_s)
{
	unsigned long long deadline = now_ms() + timeout_s * 1000ull;
	int status;
	pid_t pid;

	outcome->result = FAIL;
	snprintf(outcome->reason, sizeof(outcome->reason), "the test did not finish");
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(outcome->reason, sizeof(outcome->reason), "fork: %s",
			 strerror(errno));
		return FAIL;
	}
	if (!pid)
		run_child(t, fx);
	/* The child's own group too: a test's helper processes go with it. */
	setpgid(pid, pid);
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			snprintf(outcome->reason, sizeof(outcome->reason),
				 "waitpid: %s", strerror(errno));
			return FAIL;
		}
		if (now_ms() > deadline) {
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			snprintf(outcome->reason, sizeof(outcome->reason),
				 "timed out after %lu s (--timeout)", timeout_s);
			return FAIL;
		}
		usleep(2000);
	}
	/* Helper processes the test left running die with it. */
	kill(-pid, SIGKILL);
	if (WIFSIGNALED(status)) {
		snprintf(outcome->reason, sizeof(outcome->reason),
			 "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
		return FAIL;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(outcome->reason, sizeof(outcome->reason),
			 "the test process exited with status %d",
			 WEXITSTATUS(status));
		return FAIL;
	}
	return outcome->result;
}

/*
 * 0 when nothing is left, -EBUSY (with @why) when something still is once
 * LEFTOVER_WAIT_MS passed, -ENOENT when the fixture cannot tell.
 */
static int check_leftovers(const struct harness_fixture *fx, char *why_left,
			   unsigned long len)
{
	unsigned long long deadline = now_ms() + LEFTOVER_WAIT_MS;
	int ret;

	if (!fx->leftovers)
		return -ENOENT;
	while ((ret = fx->leftovers(why_left, len)) == -EBUSY &&
	       now_ms() < deadline)
		usleep(10 * 1000);
	return ret;
}

static int parse_purpose(char *arg)
{
	char *at = strrchr(arg, '@'), *end;

	purpose_name = arg;
	purpose_check = 1;
	if (!at)
		return 0;
	*at = 0;
	errno = 0;
	purpose_check = strtoul(at + 1, &end, 10);
	if (errno || *end || !purpose_check || !*arg)
		return -EINVAL;
	return 0;
}

int harness_main(int argc, char **argv, const struct harness_fixture *fx)
{
	static const struct option opts[] = {
		{ "fail-on-purpose", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ "list", no_argument, NULL, 'l' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int n = 0, pass = 0, fail = 0, skip = 0;
	unsigned long timeout_s = 300;
	bool list = false, can_check = true;
	struct harness_test *t;
	char *end;
	int c, i;

	while ((c = getopt_long(argc, argv, "hlt:", opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (parse_purpose(optarg)) {
				fprintf(stderr, "%s: --fail-on-purpose wants NAME[@N] with N >= 1\n",
					argv[0]);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout, argv[0]);
			return 0;
		case 'l':
			list = true;
			break;
		case 't':
			errno = 0;
			timeout_s = strtoul(optarg, &end, 10);
			if (errno || *end || !timeout_s) {
				fprintf(stderr, "%s: --timeout wants seconds >= 1, not '%s'\n",
					argv[0], optarg);
				return EXIT_USAGE;
			}
			break;
		default:
			usage(stderr, argv[0]);
			return EXIT_USAGE;
		}
	}
	for (i = optind; i < argc; i++) {
		for (t = first; t; t = t->next)
			if (!strcmp(t->name, argv[i]))
				break;
		if (!t) {
			fprintf(stderr, "%s: no test named '%s' (--list shows them)\n",
				argv[0], argv[i]);
			return EXIT_USAGE;
		}
	}
	if (purpose_name) {
		for (t = first; t; t = t->next)
			if (!strcmp(t->name, purpose_name))
				break;
		if (!t) {
			fprintf(stderr, "%s: --fail-on-purpose: no test named '%s'\n",
				argv[0], purpose_name);
			return EXIT_USAGE;
		}
	}
	for (t = first; t; t = t->next) {
		if (!selected(t, argv + optind, argc - optind))
			continue;
		if (list)
			printf("%s\n", t->name);
		n++;
	}
	if (list)
		return 0;

	outcome = mmap(NULL, sizeof(*outcome), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (outcome == MAP_FAILED) {
		fprintf(stderr, "%s: mmap: %s\n", argv[0], strerror(errno));
		return 1;
	}
	printf("TAP version 13\n1..%u\n", n);
	n = 0;
	for (t = first; t; t = t->next) {
		char left[sizeof(harness_reason)] = "";
		enum result r;
		int ret;

		if (!selected(t, argv + optind, argc - optind))
			continue;
		n++;
		r = run_one(t, fx, timeout_s);
		ret = can_check ? check_leftovers(fx, left, sizeof(left)) : -ENOENT;
		if (ret == -ENOENT && can_check) {
			printf("# no leftover check: %s\n", left[0] ? left : "the fixture has none");
			can_check = false;
		}
		if (ret == -EBUSY) {
			size_t l = strlen(outcome->reason);

			snprintf(outcome->reason + l, sizeof(outcome->reason) - l,
				 "%sleft behind: %s", l ? "; " : "", left);
			r = FAIL;
		}
		if (r == PASS) {
			pass++;
			printf("ok %u %s%s%s\n", n, t->name,
			       outcome->reason[0] ? " # " : "", outcome->reason);
		} else if (r == SKIP) {
			skip++;
			printf("ok %u %s # SKIP %s\n", n, t->name, outcome->reason);
		} else {
			fail++;
			printf("not ok %u %s # %s\n", n, t->name, outcome->reason);
		}
		fflush(stdout);
	}
	printf("%u passed, %u failed, %u skipped\n", pass, fail, skip);
	if (fail)
		return 1;
	return pass ? 0 : EXIT_SKIP;
}
