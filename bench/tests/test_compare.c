// SPDX-License-Identifier: MIT
/*
 * Behaviour of `drmbench compare` and `drmbench trend` as a user sees it:
 * the real binary (bench/drmbench, or $DRMBENCH) run on result files this
 * test writes into a temporary directory; verdicts, exit status, and a
 * clear message naming file and line for every kind of bad input.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_run.h"

static const char *config(const char *kernel)
{
	static char buf[256];

	snprintf(buf, sizeof(buf),
		 "kernel-release: %s\ncpu-model: AMD EPYC\nbackend: host\naccel: kvm\n"
		 "date: 2026-11-21T00:00:00Z\nhost: vm\n# comment\n", kernel);
	return buf;
}

/*
 * n runs of two benchmarks: ns/op around base*scale with a deterministic
 * +-0.4% spread, ops/s the inverse.
 */
static void write_runs(const char *name, const char *kernel, double scale, int n, unsigned int seed)
{
	char body[16384];
	size_t used = 0;

	used += (size_t)snprintf(body + used, sizeof(body) - used, "%s", config(kernel));
	for (int r = 0; r < n; r++) {
		double jitter = 1 + 0.004 * (((r * 7 + (int)seed * 3) % 11) - 5) / 5.0;
		for (int b = 0; b < 2; b++) {
			double v = 3000.0 * (b + 1) * scale * jitter;
			used += (size_t)snprintf(body + used, sizeof(body) - used,
						 "BenchmarkWake/placement=p%d 1000 %.2f ns/op %.1f ops/s\n",
						 b, v, 1e9 / v);
		}
	}
	write_file(name, "%s", body);
}

/*
 * Two kernels: n runs whose ns/op, canary-ns and floor-ratio (their
 * quotient) are scaled by scale and floor: the kernel's own floor moves.
 */
static void write_kernel_runs(const char *name, const char *kernel, const char *features,
			      double scale, double floor, int n, unsigned int seed)
{
	char body[16384];
	size_t used = 0;

	used += (size_t)snprintf(body + used, sizeof(body) - used,
				 "%skernel: %.4s\nsimgpu-features: %s\n# kernel-version: #1 SMP\n",
				 config(kernel), kernel, features);
	for (int r = 0; r < n; r++) {
		double jitter = 1 + 0.004 * (((r * 7 + (int)seed * 3) % 11) - 5) / 5.0;
		double v = 3000.0 * scale * jitter, c = 1000.0 * floor / jitter;
		used += (size_t)snprintf(body + used, sizeof(body) - used,
					 "BenchmarkSubmit/wait=syncobj 1000 %.2f ns/op %.5f floor-ratio %.2f canary-ns\n",
					 v, v / c, c);
	}
	write_file(name, "%s", body);
}

static void test_kernels(void)
{
	const char *o, *n;
	int st;

	/* +60% raw, the floor +60% too (27 us -> 43 us): nothing left of it */
	write_kernel_runs("k61/a.txt", "6.1.0-28-amd64", "0x1", 1.0, 1.0, 10, 1);
	write_kernel_runs("k612/a.txt", "6.12.95+deb12-amd64", "0x3", 1.6, 1.6, 10, 2);
	st = run("compare", path_in("k61"), path_in("k612"), NULL);
	CHECK(st == 2 && has(err, "--ignore kernel,kernel-release,simgpu-features"),
	      "kernels without --kernels: refused, the keys named (exit %d)", st);
	st = run("compare", "--kernels", path_in("k61"), path_in("k612"), NULL);
	CHECK(st == 1 && has(out, "REGRESSION"),
	      "compare --kernels: compared; the raw +60%% is a REGRESSION (exit %d)", st);
	CHECK(has(out, "keys let go") &&
	      has(out, "kernel-release   OLD 6.1.0-28-amd64, NEW 6.12.95+deb12-amd64") &&
	      has(out, "simgpu-features  OLD 0x1, NEW 0x3") && has(out, "simgpu-sched     (unset on both sides)"),
	      "compare --kernels: says which keys were let go and their values");
	CHECK(!has(out, "ENVIRONMENT CHANGED") && has(out, "each kernel's own floor"),
	      "compare --kernels: the floor moving with the kernel is not an environment change");
	o = strstr(out, "ns/op (lower");
	n = strstr(out, "floor-ratio (");
	CHECK(o && n && o < n && has(out, "vs floor") && has(o, "+60.00%") &&
	      (has(o, " -0.00% ") || has(o, " +0.00% ")),
	      "compare --kernels: ns/op first, a vs-floor column beside the raw ratio (+60%% raw, 0%% vs floor)");
	/* a unit one side lacks (runs cut short of a p50): named as a unit */
	write_file("cut-old/a.txt", "%sBenchmarkX 1 5 ns/op 3 min-ns/op\nBenchmarkX 1 5 ns/op 3 min-ns/op\n",
		   config("6.1.0"));
	write_file("cut-new/a.txt", "%sBenchmarkX 1 3 min-ns/op\nBenchmarkX 1 3 min-ns/op\n", config("6.1.0"));
	st = run("compare", path_in("cut-old"), path_in("cut-new"), NULL);
	CHECK(st == 0 && has(err, "X has ns/op only in OLD") && !has(err, "X only in OLD"),
	      "compare: a unit only one side has is named as that benchmark's unit (exit %d)", st);
	st = run("compare", "-k", "--tsv", "-", path_in("k61"), path_in("k612"), NULL);
	CHECK(st == 1 && has(out, "Submit/wait=syncobj\tns/op\t") && has(err, "keys let go"),
	      "compare -k --tsv -: rows on stdout, what was let go on stderr (exit %d)", st);
}

static void test_verdicts(void)
{
	int st;

	write_runs("base/a.txt", "6.1.0", 1.0, 10, 1);
	write_runs("same/a.txt", "6.1.0", 1.0, 10, 2);
	write_runs("slow/a.txt", "6.1.0", 1.05, 10, 3);
	write_runs("k66/a.txt", "6.6.0", 1.05, 10, 4);

	st = run("compare", path_in("base"), path_in("same"), NULL);
	CHECK(st == 0 && !has(out, "REGRESSION") && has(out, "SAME"),
	      "compare: same distribution -> exit 0, SAME, no REGRESSION (exit %d)", st);

	st = run("compare", path_in("base"), path_in("slow"), NULL);
	CHECK(st == 1, "compare: ns/op x1.05 over 10 runs -> exit 1 (got %d)", st);
	CHECK(has(out, "REGRESSION") && has(out, "+5.0"), "compare: table shows REGRESSION and +5.0x%%");
	CHECK(has(out, "ops/s (higher is better)") && has(out, "-4.8"),
	      "compare: ops/s is higher-is-better; its -4.8%% is also a REGRESSION row");
	st = run("compare", path_in("slow"), path_in("base"), NULL);
	CHECK(st == 0 && has(out, "IMPROVEMENT") && !has(out, "REGRESSION"),
	      "compare reversed: ns/op falls and ops/s rises: IMPROVEMENT only, exit 0 (exit %d)", st);

	st = run("compare", "--min-effect", "6", path_in("base"), path_in("slow"), NULL);
	CHECK(st == 0 && !has(out, "REGRESSION"), "compare --min-effect 6: a 5%% change is not a regression (exit %d)", st);

	st = run("compare", "--tsv", "-", path_in("base"), path_in("slow"), NULL);
	CHECK(st == 1 && has(out, "name\tunit\tdirection\tn_old") &&
	      has(out, "Wake/placement=p0\tns/op\tlower\t10\t"), "compare --tsv -: header and rows (exit %d)", st);
	int tabs_ok = 1;
	for (char *line = out; *line;) {
		char *nl = strchr(line, '\n');
		size_t tabs = 0;
		for (char *p = line; p < (nl ? nl : line + strlen(line)); p++)
			tabs += *p == '\t';
		tabs_ok &= tabs == 21;
		line = nl ? nl + 1 : line + strlen(line);
	}
	CHECK(tabs_ok, "compare --tsv: every line has 22 columns");

	st = run("compare", "--tsv", path_in("rows.tsv"), path_in("base"), path_in("slow"), NULL);
	char tsv[8192];
	slurp(path_in("rows.tsv"), tsv, sizeof(tsv));
	CHECK(st == 1 && has(out, "REGRESSION") && has(tsv, "REGRESSION"), "compare --tsv FILE: table on stdout and TSV in the file");

	/* kernels differ: refused, naming key, files and lines; allowed with --ignore */
	st = run("compare", path_in("base"), path_in("k66"), NULL);
	CHECK(st == 2 && has(err, "kernel-release (6.1.0 vs 6.6.0)") && has(err, "base/a.txt:8") &&
	      has(err, "k66/a.txt:8") && has(err, "--ignore kernel-release"),
	      "compare across kernels refused: names key, values, file:line and the --ignore (exit %d)", st);
	st = run("compare", "--ignore", "kernel-release", path_in("base"), path_in("k66"), NULL);
	CHECK(st == 1 && has(out, "REGRESSION"), "compare --ignore kernel-release: compared, REGRESSION (exit %d)", st);

	/* several files per side with 'vs' */
	write_runs("more/b.txt", "6.1.0", 1.0, 5, 5);
	write_runs("more/c.txt", "6.1.0", 1.0, 5, 6);
	st = run("compare", path_in("more/b.txt"), path_in("more/c.txt"), "vs", path_in("slow/a.txt"), NULL);
	CHECK(st == 1 && has(out, "n=10+10"), "compare F F vs F: pools 5+5 runs on the old side (exit %d)", st);

	/* --by-file: each file (boot) is one value, the median of its runs */
	for (int f = 0; f < 6; f++) {
		char name[64];
		snprintf(name, sizeof(name), "boots-old/b%d.txt", f);
		write_runs(name, "6.1.0", 1.0 + 0.004 * (f % 3), 5, 20 + (unsigned int)f);
		snprintf(name, sizeof(name), "boots-new/b%d.txt", f);
		write_runs(name, "6.1.0", 1.10 + 0.004 * (f % 3), 5, 30 + (unsigned int)f);
	}
	st = run("compare", "--by-file", path_in("boots-old"), path_in("boots-new"), NULL);
	CHECK(st == 1 && has(out, "n=6+6") && has(out, "REGRESSION"),
	      "--by-file: 6 boots a side of 5 runs compare as 6+6 values; +10%% is a REGRESSION (exit %d)", st);
	st = run("compare", "--by-file", path_in("boots-old/b0.txt"), path_in("boots-old/b1.txt"), "vs",
		 path_in("boots-new/b0.txt"), path_in("boots-new/b1.txt"), NULL);
	CHECK(st == 0 && has(out, "n=2+2") && has(out, "files per side"),
	      "--by-file with 2 boots a side: UNKNOWN, asks for more files (exit %d)", st);

	/* one run per side: UNKNOWN, never a verdict */
	write_runs("one/a.txt", "6.1.0", 1.0, 1, 7);
	write_runs("one/b.txt", "6.1.0", 2.0, 1, 8);
	st = run("compare", path_in("one/a.txt"), path_in("one/b.txt"), NULL);
	CHECK(st == 0 && has(out, "UNKNOWN") && !has(out, "REGRESSION"),
	      "compare: a single run per side, even x2 -> UNKNOWN, exit 0 (exit %d)", st);
	CHECK(has(out, "need ~"), "compare: UNKNOWN says how many runs are needed");
}

static void test_bad_input(void)
{
	int st;

	write_file("bad/empty.txt", "%s", "");
	st = run("compare", path_in("bad/empty.txt"), path_in("base"), NULL);
	CHECK(st == 2 && has(err, "bad/empty.txt: empty file"), "empty file: exit 2 naming it (exit %d)", st);

	write_file("bad/trunc.txt", "%sBenchmarkWake/placement=p0 1000 3000 ns/op\nBenchmarkWake/placement=p0 1000 30",
		   config("6.1.0"));
	st = run("compare", path_in("bad/trunc.txt"), path_in("base"), NULL);
	CHECK(st == 2 && has(err, "bad/trunc.txt:9") && has(err, "truncated"),
	      "truncated line: exit 2 naming file:line");

	write_file("bad/nan.txt", "%sBenchmarkWake/placement=p0 1000 nan ns/op\n", config("6.1.0"));
	st = run("compare", path_in("bad/nan.txt"), path_in("base"), NULL);
	CHECK(st == 2 && has(err, "bad/nan.txt:8"), "NaN value: exit 2 naming file:line");
	write_file("bad/inf.txt", "%sBenchmarkWake/placement=p0 1000 inf ns/op\n", config("6.1.0"));
	st = run("compare", path_in("base"), path_in("bad/inf.txt"), NULL);
	CHECK(st == 2 && has(err, "bad/inf.txt:8"), "inf value: exit 2 naming file:line");
	write_file("bad/neg.txt", "%sBenchmarkWake/placement=p0 1000 -5 ns/op\n", config("6.1.0"));
	st = run("compare", path_in("base"), path_in("bad/neg.txt"), NULL);
	CHECK(st == 2 && has(err, "bad/neg.txt:8"), "negative value: exit 2 naming file:line");

	write_file("bad/zero.txt", "%sBenchmarkWake/placement=p0 1000 0 ns/op\nBenchmarkWake/placement=p0 1000 3000 ns/op\n",
		   config("6.1.0"));
	st = run("compare", path_in("bad/zero.txt"), path_in("base"), NULL);
	CHECK(st == 0 && has(out, "ratio undefined") && has(out, "bad/zero.txt:8"),
	      "zero value: row UNKNOWN with the file:line, exit 0 (exit %d)", st);

	write_file("bad/garbage.txt", "%sthis is not a result line\n", config("6.1.0"));
	st = run("compare", path_in("bad/garbage.txt"), path_in("base"), NULL);
	CHECK(st == 2 && has(err, "bad/garbage.txt:8"), "garbage line: exit 2 naming file:line");

	write_file("bad/unit.txt", "%sBenchmarkWake/placement=p0 1000 5 widgets\nBenchmarkWake/placement=p0 1000 6 widgets\n",
		   config("6.1.0"));
	write_file("bad/unit2.txt", "%sBenchmarkWake/placement=p0 1000 50 widgets\nBenchmarkWake/placement=p0 1000 60 widgets\n",
		   config("6.1.0"));
	st = run("compare", path_in("bad/unit.txt"), path_in("bad/unit2.txt"), NULL);
	CHECK(st == 0 && has(out, "widgets (direction unknown: never gated)"),
	      "unknown unit: compared, marked never gated, exit 0 (exit %d)", st);

	write_file("other/a.txt", "%sBenchmarkOther 1000 5 ns/op\n", config("6.1.0"));
	st = run("compare", path_in("other"), path_in("base"), NULL);
	CHECK(st == 2 && has(err, "no benchmark appears on both sides") && has(err, "other/a.txt:8"),
	      "different benchmark sets: exit 2, names what is only on one side (%d)", st);
	write_file("partial/a.txt", "%sBenchmarkOther 1000 5 ns/op\n", config("6.1.0"));
	write_runs("partial/b.txt", "6.1.0", 1.0, 10, 9);
	st = run("compare", path_in("base"), path_in("partial"), NULL);
	CHECK(st == 0 && has(err, "Other only in NEW (") && has(err, "partial/a.txt:8"),
	      "partly different sets: warning names the extra benchmark and its file:line, exit 0 (%d)", st);

	/* some rows comparable, some not: the table for the first, exit 2 for the rest */
	{
		char body[8192];
		size_t used = (size_t)snprintf(body, sizeof(body), "%s", config("6.1.0"));
		for (int r = 0; r < 10; r++)
			used += (size_t)snprintf(body + used, sizeof(body) - used,
						 "BenchmarkWake/placement=p0 1000 %d ns/op\n", 3000 + r);
		used += (size_t)snprintf(body + used, sizeof(body) - used, "backend: other\n");
		for (int r = 0; r < 10; r++)
			used += (size_t)snprintf(body + used, sizeof(body) - used,
						 "BenchmarkWake/placement=p1 1000 %d ns/op\n", 6000 + r);
		write_file("partcfg/a.txt", "%s", body);
	}
	st = run("compare", path_in("base"), path_in("partcfg"), NULL);
	CHECK(st == 2 && has(out, "Wake/placement=p0 ") && !has(out, "Wake/placement=p1 ") &&
	      has(err, "1 benchmark/unit pair not compared, measured differently: backend (host vs other)") &&
	      has(err, "partcfg/a.txt:19"), "partly incomparable: table of the rest, the refused rows named, exit 2 (exit %d)", st);

	write_runs("mixed/a.txt", "6.1.0", 1.0, 5, 10);
	write_runs("mixed/b.txt", "6.6.0", 1.0, 5, 11);
	st = run("compare", path_in("mixed"), path_in("base"), NULL);
	CHECK(st == 2 && has(err, "OLD mixes configurations") && has(err, "kernel-release (6.1.0 vs 6.6.0)"),
	      "mixed configurations on one side: exit 2 naming the key");

	st = run("compare", path_in("base"), NULL);
	CHECK(st == 2 && has(err, "usage:"), "one operand: usage, exit 2");
	st = run("compare", path_in("base"), "vs", NULL);
	CHECK(st == 2 && has(err, "NEW side of 'vs' is empty"), "nothing after vs: exit 2");
	st = run("compare", "--alpha", "7", path_in("base"), path_in("same"), NULL);
	CHECK(st == 2 && has(err, "--alpha '7'"), "bad --alpha: exit 2 naming it");
	st = run("compare", "--bogus", path_in("base"), path_in("same"), NULL);
	CHECK(st == 2, "unknown option: exit 2");
	st = run("compare", path_in("does-not-exist"), path_in("base"), NULL);
	CHECK(st == 2 && has(err, "does-not-exist: No such file or directory"), "missing path: exit 2 naming it");
	mkdir(path_in("emptydir"), 0755);
	st = run("compare", path_in("emptydir"), path_in("base"), NULL);
	CHECK(st == 2 && has(err, "no result files"), "directory without results: exit 2");

	/* a directory link back to its parent is not followed (no endless walk) */
	write_runs("loop/a.txt", "6.1.0", 1.0, 10, 12);
	if (symlink(".", path_in("loop/again")))
		perror("symlink");
	st = run("compare", path_in("loop"), path_in("base"), NULL);
	CHECK(st == 0 && has(out, "OLD (1 files)"), "directory symlink loop: not followed, one file read (exit %d)", st);

	/* binary junk must not crash the reader */
	FILE *f = fopen(path_in("bad/binary.txt"), "w");
	for (int i = 0; i < 4096; i++)
		fputc((i * 7919) & 0xff, f);
	fclose(f);
	st = run("compare", path_in("bad/binary.txt"), path_in("base"), NULL);
	CHECK(st == 2 && has(err, "bad/binary.txt"), "binary junk: exit 2 naming the file, no crash (exit %d)", st);
}

static void test_trend(void)
{
	int st;

	for (int night = 1; night <= 30; night++) {
		char name[64], body[8192];
		size_t used = 0;
		snprintf(name, sizeof(name), "store/night%02d.txt", night);
		used += (size_t)snprintf(body, sizeof(body),
					 "kernel-release: 6.1.0\ncpu-model: AMD EPYC\nbackend: host\n"
					 "date: 2026-10-%02dT03:00:00Z\n", night);
		for (int r = 0; r < 5; r++) {
			double v = 3000 * (night > 20 ? 1.06 : 1.0) * (1 + 0.002 * (((night * 5 + r * 3) % 7) - 3));
			used += (size_t)snprintf(body + used, sizeof(body) - used,
						 "BenchmarkWake 1000 %.2f ns/op\nBenchmarkFlat 1000 %.2f ns/op\n",
						 v, 1000 * (1 + 0.002 * ((night + r) % 5)));
		}
		write_file(name, "%s", body);
	}
	st = run("trend", path_in("store"), NULL);
	CHECK(st == 0 && has(out, "Wake (ns/op): 30 points by date, 1 change point") &&
	      has(out, "at point 20") && has(out, "store/night20.txt") && has(out, "store/night21.txt") &&
	      has(out, "+6."), "trend: the +6%% step after night 20 is found with its files (exit %d)", st);
	CHECK(!has(out, "Flat (ns/op)"), "trend: the flat series has no change point");
	st = run("trend", "--tsv", "-", "--series", path_in("series.tsv"), path_in("store"), NULL);
	char series[1 << 15];
	slurp(path_in("series.tsv"), series, sizeof(series));
	CHECK(st == 0 && has(out, "Wake\tns/op\t\t20\t2026-10-20T03:00:00Z\t2026-10-21T03:00:00Z"),
	      "trend --tsv -: change point row with the keys on either side");
	CHECK(has(series, "name\tunit\tconfig\tindex\tkey\tmedian") && has(series, "Flat\tns/op\t\t29\t"),
	      "trend --series: one row per point");
	CHECK(has(out, "name\tunit\tconfig\tindex\tkey_before\tkey_after\tbefore\tafter\tratio\tp\tq\t"
		       "file_before\tfile_after\tpermutations\n") && has(out, "store/night21.txt\t999\n"),
	      "trend --tsv: the permutations column last (P = 999 at alpha 0.001)");
	char first[sizeof(out)];
	snprintf(first, sizeof(first), "%s", out);
	st = run("trend", "--tsv", "-", path_in("store"), NULL);
	CHECK(st == 0 && !strcmp(first, out), "trend twice on the same store: the same change points and p, byte for byte");
	st = run("trend", "--min-step", "7", path_in("store"), NULL);
	CHECK(st == 0 && has(out, "0 change points") && !has(out, "Wake (ns/op)"),
	      "trend --min-step 7: the +6%% step is not reported (exit %d)", st);
	st = run("trend", "-e", "5%", path_in("store"), NULL);
	CHECK(st == 0 && has(out, "Wake (ns/op): 30 points by date, 1 change point"),
	      "trend -e 5%%: the +6%% step is (exit %d)", st);
	st = run("trend", "--min-step", "-1", path_in("store"), NULL);
	CHECK(st == 2 && has(err, "--min-step '-1'"), "trend --min-step -1: exit 2 naming it");
	st = run("trend", "--alpha", "1e-5", path_in("store"), NULL);
	CHECK(st == 2 && has(err, "--alpha '1e-5'") && has(err, "0.0001"),
	      "trend --alpha below 1e-4 (too many permutations): exit 2 naming the range");
	st = run("trend", "--by", "no-such-key", path_in("store"), NULL);
	CHECK(st == 2 && has(err, "night01.txt:5: no 'no-such-key:'"), "trend --by missing key: exit 2 naming file:line");
	st = run("trend", path_in("base"), path_in("k66"), NULL);
	CHECK(st == 0 && has(out, "was measured under 2 configurations (differing in kernel-release)") &&
	      has(out, "--ignore kernel-release joins them"), "trend: a split into configurations is said, with the keys (exit %d)", st);
	st = run("trend", NULL);
	CHECK(st == 2 && has(err, "usage:"), "trend without paths: usage, exit 2");
	st = run("trend", path_in("bad/trunc.txt"), NULL);
	CHECK(st == 2 && has(err, "bad/trunc.txt:9"), "trend: bad file named with its line");
}

static void test_hist(void)
{
	char file[600], cmd[2400];
	int st;

	/* real result files with sidecars from the null and syscall benchmarks (quick mode) */
	snprintf(file, sizeof(file), "%s/hist/two.txt", dir);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/hist' && '%s' run -q -o '%s' null syscall >/dev/null 2>&1",
		 dir, drmbench, file);
	CHECK(system(cmd) == 0, "hist: drmbench run -q null syscall wrote a result with samples");
	st = run("hist", file, NULL);
	CHECK(st == 2 && has(err, "holds several benchmarks (Null, Syscall") && has(err, "--bench"),
	      "hist: several benchmarks without --bench: exit 2 naming them (exit %d)", st);
	st = run("hist", "--bench", "Syscall", file, file, NULL);
	CHECK(st == 0 && has(out, "# bucket_ns\ttwo.txt\ttwo.txt\n") && has(out, "# two.txt: n=600 "),
	      "hist --bench: cyclictest layout, one column per file, footer with n (exit %d)", st);
	double sum = 0, v;
	for (char *line = out; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		char *tab = strchr(line, '\t');
		if (*line != '#' && tab && sscanf(tab + 1, "%lf", &v) == 1)
			sum += v;
	}
	CHECK(fabs(sum - 1) < 1e-3, "hist: the shares of a column add up to 1 (%g)", sum);
	st = run("hist", "--cdf", "--bench", "Null", file, NULL);
	char lastrow[256] = "";
	for (char *line = out; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (*line != '#')
			snprintf(lastrow, sizeof(lastrow), "%.*s", (int)strcspn(line, "\n"), line);
	CHECK(st == 0 && has(out, "# below_ns\ttwo.txt") && strstr(lastrow, "\t1") &&
	      !strcmp(strstr(lastrow, "\t1"), "\t1"), "hist --cdf: rows end at a cumulative share of 1 (%s)", lastrow);
	st = run("hist", path_in("base/a.txt"), NULL);
	CHECK(st == 2 && has(err, "a.samples: No such file or directory (the raw samples of"),
	      "hist: result without a sidecar: exit 2 naming both files (exit %d)", st);
	st = run("hist", "--bench", "Nope", file, NULL);
	CHECK(st == 2 && has(err, "no samples of Nope"), "hist: unknown benchmark: exit 2 naming it");
	st = run("hist", NULL);
	CHECK(st == 2 && has(err, "usage:"), "hist without files: usage, exit 2");
}

int main(void)
{
	if (cli_setup("compare"))
		return check_done();
	test_verdicts();
	test_kernels();
	test_bad_input();
	test_trend();
	test_hist();
	return cli_done();
}
