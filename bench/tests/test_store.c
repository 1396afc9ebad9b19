// SPDX-License-Identifier: MIT
/*
 * The result store against what a killed run, a hostile path or a hostile
 * file leaves it (issue 17 item 4):
 *   - a dead writer's temporaries go at the next open, a live writer's
 *     (pid alive, or a lock held) and files the writer did not make stay;
 *     a sidecar linked into place without its result file goes too;
 *   - readers refuse a FIFO, /dev/zero and a directory by name instead of
 *     reading forever;
 *   - control characters never pass the reader, and the writer never
 *     writes them;
 *   - units are interned: equal units share one string.
 * The kill -9 loop over real runs is bench/tests/killstore.sh.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "result.h"

static char dir[] = "/tmp/drmb-test-store.XXXXXX";
static char boot[33], other_boot[33] = "0123456789abcdef0123456789abcdef";

static int exists(const char *name)
{
	char p[512];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return !lstat(p, &st);
}

static void touch(const char *name)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (f) {
		fputs("x\n", f);
		fclose(f);
	}
}

/* A pid that was just in use and is not any more. */
static long dead_pid(void)
{
	pid_t p = fork();

	if (!p)
		_exit(0);
	waitpid(p, NULL, 0);
	return (long)p;
}

static void read_boot_id(void)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
	char buf[64];
	size_t i, n = 0;

	if (f && fgets(buf, sizeof(buf), f))
		for (i = 0; buf[i] && n < 32; i++)
			if (buf[i] != '-' && buf[i] != '\n')
				boot[n++] = buf[i];
	boot[n == 32 ? 32 : 0] = '\0';
	if (f)
		fclose(f);
	if (!strcmp(boot, other_boot))
		other_boot[0] = 'f';
}

static void test_clean(void)
{
	char n[40][256], p[512], q[512];
	long dead = dead_pid(), me = (long)getpid();
	unsigned int removed = 0;
	int lockfd, ret;

	snprintf(n[0], 256, ".a.txt.tmp.%s.%ld.1", boot, dead);	/* dead: goes */
	snprintf(n[1], 256, ".a.samples.tmp.%s.%ld.2", boot, dead);	/* dead: goes */
	snprintf(n[2], 256, ".b.txt.tmp.%s.%ld.1", other_boot, me);	/* earlier boot: goes */
	snprintf(n[3], 256, ".c.txt.tmp.%s.%ld.1", boot, me);	/* live pid: stays */
	snprintf(n[4], 256, ".d.txt.tmp.%s.%ld.1", boot, dead);	/* locked: stays */
	snprintf(n[5], 256, ".e.txt.tmp.%ld.7", dead);		/* old form, dead: goes */
	snprintf(n[6], 256, ".e.txt.tmp.%ld.7", me);		/* old form, live: stays */
	snprintf(n[7], 256, ".f.tmp.%s.%ld.1", boot, dead);	/* not .txt/.samples: stays */
	snprintf(n[8], 256, "g.txt.tmp.%s.%ld.1", boot, dead);	/* not hidden: stays */
	snprintf(n[9], 256, ".h.txt.tmp.%s.%ld.x", boot, dead);	/* no counter: stays */
	snprintf(n[10], 256, ".i.txt.tmp.%s.%ld.1", boot, dead);	/* a symlink: stays */
	snprintf(n[11], 256, ".j.txt.tmp.%s.%ld.1", boot, dead);	/* a directory: stays */
	snprintf(n[12], 256, "k.txt");				/* a result: stays */
	/* killed inside commit: sidecar linked, result file not: both go */
	snprintf(n[13], 256, ".r.samples.tmp.%s.%ld.3", boot, dead);
	snprintf(n[14], 256, "r.samples");
	/* killed after commit, before the unlink: the temporary goes only */
	snprintf(n[15], 256, ".s.samples.tmp.%s.%ld.4", boot, dead);
	snprintf(n[16], 256, "s.samples");
	snprintf(n[17], 256, "s.txt");
	for (int i = 0; i <= 17; i++) {
		if (i == 10 || i == 11 || i == 14 || i == 16)
			continue;
		touch(n[i]);
	}
	snprintf(p, sizeof(p), "%s/%s", dir, n[10]);
	CHECK(!symlink("k.txt", p), "symlink made");
	snprintf(p, sizeof(p), "%s/%s", dir, n[11]);
	CHECK(!mkdir(p, 0755), "directory made");
	snprintf(p, sizeof(p), "%s/%s", dir, n[13]);
	snprintf(q, sizeof(q), "%s/%s", dir, n[14]);
	CHECK(!link(p, q), "orphan sidecar linked");
	snprintf(p, sizeof(p), "%s/%s", dir, n[15]);
	snprintf(q, sizeof(q), "%s/%s", dir, n[16]);
	CHECK(!link(p, q), "committed sidecar linked");
	snprintf(p, sizeof(p), "%s/%s", dir, n[4]);
	lockfd = open(p, O_RDONLY);
	CHECK(lockfd >= 0 && !flock(lockfd, LOCK_EX), "a live writer's lock held on %s", n[4]);

	ret = drmb_result_clean_dir(dir, &removed);
	CHECK(ret == 0, "clean_dir returns 0 (%d)", ret);
	CHECK(!exists(n[0]) && !exists(n[1]), "a dead writer's two temporaries are removed");
	CHECK(!exists(n[2]) || !boot[0], "a temporary of an earlier boot is removed");
	CHECK(exists(n[3]), "a temporary of a live pid stays");
	CHECK(exists(n[4]), "a temporary whose lock is held stays although its pid is dead");
	CHECK(!exists(n[5]), "an old-form temporary of a dead pid is removed");
	CHECK(exists(n[6]), "an old-form temporary of a live pid stays");
	CHECK(exists(n[7]) && exists(n[8]) && exists(n[9]) && exists(n[12]),
	      "files not named like a temporary stay");
	CHECK(exists(n[10]) && exists(n[11]), "a symlink and a directory named like one stay");
	CHECK(!exists(n[13]) && !exists(n[14]),
	      "a sidecar linked without its result file goes with its temporary");
	CHECK(!exists(n[15]) && exists(n[16]) && exists(n[17]),
	      "a committed sidecar stays, its temporary goes");
	CHECK(removed == (boot[0] ? 7u : 6u), "removed counts the files (%u)", removed);
	close(lockfd);

	/* The lock gone with its holder: the next clean removes it. */
	drmb_result_clean_dir(dir, &removed);
	CHECK(!exists(n[4]) && removed == 1, "once the lock is released the dead writer's file goes");
}

/* drmb_result_open cleans its directory and holds locks on its own files. */
static void test_open_cleans(void)
{
	struct drmb_result_writer w, w2;
	char name[256], path[512], final[512], err[256];
	struct drmb_metric m = { 5, "ns/op" };
	long dead = dead_pid();
	int fd, ret;

	snprintf(name, sizeof(name), ".z.txt.tmp.%s.%ld.1", boot[0] ? boot : "0", dead);
	touch(name);
	snprintf(path, sizeof(path), "%s/z.txt", dir);
	ret = drmb_result_open(&w, path, NULL, NULL, NULL, NULL, err, sizeof(err));
	CHECK(ret == 0 && w.cleaned == 1 && !exists(name),
	      "open removes a dead writer's temporary (%d, %u: %s)", ret, w.cleaned, err);
	fd = open(w.tmp, O_RDONLY);
	CHECK(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) && errno == EWOULDBLOCK,
	      "the writer holds a lock on its temporary");
	if (fd >= 0)
		close(fd);
	CHECK(strstr(w.tmp, ".tmp.") && strstr(w.tmp, boot), "the temporary's name carries the boot id: %s",
	      w.tmp);
	snprintf(path, sizeof(path), "%s/z2.txt", dir);
	ret = drmb_result_open(&w2, path, NULL, NULL, NULL, NULL, err, sizeof(err));
	CHECK(ret == 0 && w2.cleaned == 0 && !access(w.tmp, F_OK) && !access(w.samples_tmp, F_OK),
	      "a second writer leaves the first (live) writer's temporaries alone");
	drmb_result_abort(&w2);
	CHECK(!drmb_result_line(&w, "Z", 1, &m, 1), "line written");
	ret = drmb_result_commit(&w, final, sizeof(final), err, sizeof(err));
	CHECK(ret == 0, "commit (%s)", err);
}

static void test_non_regular(void)
{
	struct drmb_result_file f;
	struct drmb_sample_file sf;
	char fifo[512], err[512];
	int ret;

	snprintf(fifo, sizeof(fifo), "%s/fifo.txt", dir);
	CHECK(!mkfifo(fifo, 0600), "FIFO made");
	/* With no writer a blocking open or read would hang here forever. */
	ret = drmb_result_read(fifo, &f, err, sizeof(err));
	CHECK(ret == -EINVAL && strstr(err, fifo) && strstr(err, "FIFO"),
	      "reader refuses a FIFO naming it: %s", err);
	ret = drmb_samples_read(fifo, &sf, err, sizeof(err));
	CHECK(ret == -EINVAL && strstr(err, "FIFO"), "samples reader refuses a FIFO: %s", err);
	ret = drmb_result_read("/dev/zero", &f, err, sizeof(err));
	CHECK(ret == -EINVAL && strstr(err, "/dev/zero: a character device"),
	      "reader refuses /dev/zero: %s", err);
	ret = drmb_samples_read("/dev/zero", &sf, err, sizeof(err));
	CHECK(ret == -EINVAL && strstr(err, "/dev/zero"), "samples reader refuses /dev/zero: %s", err);
	ret = drmb_result_read(dir, &f, err, sizeof(err));
	CHECK(ret == -EISDIR && strstr(err, "a directory"), "reader refuses a directory: %s", err);
	unlink(fifo);
}

static int read_text(const char *text, char *err, size_t errlen)
{
	struct drmb_result_file f;
	char p[512];
	FILE *fp;
	int ret;

	snprintf(p, sizeof(p), "%s/text.txt", dir);
	fp = fopen(p, "w");
	fputs(text, fp);
	fclose(fp);
	ret = drmb_result_read(p, &f, err, errlen);
	if (!ret)
		drmb_result_free(&f);
	unlink(p);
	return ret;
}

static void test_controls(void)
{
	struct drmb_result_writer w;
	struct drmb_result_file f;
	struct drmb_kvlist kv = { 0 };
	struct drmb_metric m = { 5, "ns/op" }, bad = { 5, "ns\033[2J" };
	char path[512], final[512], err[512];
	int ret;

	ret = read_text("BenchmarkA\033[31mB 1 5 ns/op\n", err, sizeof(err));
	CHECK(ret == -EINVAL && strstr(err, ":1: control character \\x1b"),
	      "ESC in a name is refused: %s", err);
	ret = read_text("BenchmarkA 1 5 ns/\033]0;x\007op\n", err, sizeof(err));
	CHECK(ret == -EINVAL && strstr(err, "control character"), "ESC in a unit is refused: %s", err);
	ret = read_text("BenchmarkA 1 5 ns/\xc2\x9bop\n", err, sizeof(err));
	CHECK(ret == -EINVAL && strstr(err, "\\x9b"), "C1 CSI (U+009B) is refused: %s", err);
	ret = read_text("note: a\rb\n", err, sizeof(err));
	CHECK(ret == -EINVAL, "CR inside a line is refused: %s", err);
	ret = read_text("note: \xc2\xb5s\tand tab\r\nBenchmarkA 1 5 \xc2\xb5s/op\n", err, sizeof(err));
	CHECK(ret == 0, "tab, CRLF and U+00B5 are text (%s)", ret ? err : "");

	snprintf(path, sizeof(path), "%s/ctl.txt", dir);
	CHECK(!drmb_result_open(&w, path, NULL, NULL, NULL, NULL, err, sizeof(err)), "open");
	CHECK(drmb_result_line(&w, "A\033[1m", 1, &m, 1) == -EINVAL, "writer refuses ESC in a name");
	CHECK(drmb_result_line(&w, "A", 1, &bad, 1) == -EINVAL, "writer refuses ESC in a unit");
	drmb_kv_set(&kv, "note", "red \033[31m bell \007 csi \xc2\x9b end");
	drmb_result_write_config(&w, &kv);
	drmb_result_comment(&w, "a comment with \033[2J in it");
	drmb_result_line(&w, "A", 1, &m, 1);
	ret = drmb_result_commit(&w, final, sizeof(final), err, sizeof(err));
	CHECK(ret == 0, "commit");
	ret = drmb_result_read(final, &f, err, sizeof(err));
	CHECK(ret == 0, "what the writer wrote from control characters reads back (%s)", ret ? err : "");
	if (!ret) {
		CHECK(!strcmp(drmb_result_config(&f, NULL, "note"), "red  [31m bell   csi    end"),
		      "controls in a value became spaces: '%s'", drmb_result_config(&f, NULL, "note"));
		drmb_result_free(&f);
	}
	drmb_kv_free(&kv);
}

static void test_interning(void)
{
	struct drmb_result_file f;
	char p[512], err[256];
	FILE *fp;
	int ret, i;

	snprintf(p, sizeof(p), "%s/units.txt", dir);
	fp = fopen(p, "w");
	fputs("BenchmarkA 1", fp);
	for (i = 0; i < 3000; i++)
		fprintf(fp, " %d u%d", i, i);
	/* the same units in another order: no hint helps, the index must */
	fputs("\nBenchmarkB 1", fp);
	for (i = 2999; i >= 0; i--)
		fprintf(fp, " %d u%d", i, i);
	fputs("\nBenchmarkC 1 1 u7 2 new 3 u7\n", fp);
	fclose(fp);
	ret = drmb_result_read(p, &f, err, sizeof(err));
	CHECK(ret == 0, "3000 distinct units read (%s)", ret ? err : "");
	if (ret)
		return;
	CHECK(f.nunits == 3001, "3001 distinct units (%zu)", f.nunits);
	CHECK(f.lines[1].metrics[0].unit == f.lines[0].metrics[2999].unit &&
	      !strcmp(f.lines[1].metrics[0].unit, "u2999"), "equal units share one string");
	CHECK(f.lines[2].metrics[0].unit == f.lines[2].metrics[2].unit &&
	      f.lines[2].metrics[0].unit == f.lines[0].metrics[7].unit &&
	      !strcmp(f.lines[2].metrics[1].unit, "new"), "a unit repeated on one line is interned once");
	drmb_result_free(&f);
	unlink(p);
}

int main(void)
{
	char cmd[128];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	read_boot_id();
	test_clean();
	test_open_cleans();
	test_non_regular();
	test_controls();
	test_interning();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", dir);
	return check_done();
}
