/* SPDX-License-Identifier: MIT */
/*
 * Running the real drmbench binary from a C test, as a user runs it:
 * cli_setup() finds it (bench/drmbench, or $DRMBENCH) and makes a temporary
 * directory; write_file() puts inputs there; run() executes drmbench with
 * its stdout and stderr captured in out[] and err[] and returns its exit
 * status; cli_done() removes the directory (kept with DRMB_KEEP=1) and
 * prints the check count.  Shared by test_compare.c and test_envguard.c.
 */
#ifndef DRMB_CLI_RUN_H
#define DRMB_CLI_RUN_H

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static char dir[256];
static const char *drmbench;
static char out[1 << 18], err[1 << 16];

/* NAME inside the test's directory; four results live at a time. */
static const char *path_in(const char *name)
{
	static char buf[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
	return buf[k];
}

/* Writes printf(FMT, ...) to NAME (its directory made if need be). */
static void __attribute__((format(printf, 2, 3))) write_file(const char *name, const char *fmt, ...)
{
	char *p = (char *)path_in(name), *slash = strrchr(p, '/');
	va_list ap;
	FILE *f;

	*slash = '\0';
	mkdir(p, 0755);
	*slash = '/';
	f = fopen(p, "w");
	if (!f) {
		perror(p);
		exit(1);
	}
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

static int slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return 0;
}

/* Runs drmbench with the NULL-terminated arguments; returns its exit status. */
static int run(const char *arg0, ...)
{
	const char *argv[32];
	char out_path[512], err_path[512];
	int argc = 0, status;
	va_list ap;
	pid_t pid;

	argv[argc++] = drmbench;
	argv[argc++] = arg0;
	va_start(ap, arg0);
	while (argc < 31 && (argv[argc] = va_arg(ap, const char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	fflush(stdout);
	snprintf(out_path, sizeof(out_path), "%s/stdout", dir);
	snprintf(err_path, sizeof(err_path), "%s/stderr", dir);
	pid = fork();
	if (pid == 0) {
		int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(127);
		execv(drmbench, (char *const *)argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	slurp(out_path, out, sizeof(out));
	slurp(err_path, err, sizeof(err));
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static int has(const char *text, const char *needle)
{
	return strstr(text, needle) != NULL;
}

/* Finds drmbench (an absolute path) and makes $TMPDIR/drmb-NAME-XXXXXX; 0 or -1. */
static int cli_setup(const char *name)
{
	const char *tmp = getenv("TMPDIR");

	drmbench = getenv("DRMBENCH");
	if (!drmbench)
		drmbench = access("bench/drmbench", X_OK) == 0 ? "bench/drmbench" : "../drmbench";
	CHECK(access(drmbench, X_OK) == 0, "drmbench binary found at %s (build it first: make)", drmbench);
	if (access(drmbench, X_OK))
		return -1;
	if (drmbench[0] != '/') {
		static char abs[512];
		char cwd[400];

		if (getcwd(cwd, sizeof(cwd)))
			snprintf(abs, sizeof(abs), "%s/%s", cwd, drmbench);
		drmbench = abs;
	}
	snprintf(dir, sizeof(dir), "%s/drmb-%s-XXXXXX", tmp ? tmp : "/tmp", name);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return -1;
	}
	return 0;
}

/* Removes the directory unless DRMB_KEEP is set; the test's exit status. */
static int cli_done(void)
{
	char cmd[600];

	if (!getenv("DRMB_KEEP")) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd))
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return check_done();
}

#endif
