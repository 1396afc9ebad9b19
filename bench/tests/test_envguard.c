// SPDX-License-Identifier: MIT
/*
 * The environment guard, as a user meets it: `drmbench run` writes a
 * canary (canary-ns) on every run's line and the `canary:` key (none with
 * --no-canary); `drmbench compare` checks the two sides' canaries before
 * any verdict (ENVIRONMENT CHANGED, exit 3, no REGRESSION rows) and judges
 * deterministic rows (icount on both sides) by a threshold that matches
 * their noise.  The real binary (bench/drmbench, or $DRMBENCH) on files
 * this test writes; the synthetic data come from fixed seeds, and the
 * statistical checks assert on counts, never on a timing.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_run.h"
#include "env.h"

/* Lines of text containing needle. */
static int count_lines(const char *text, const char *needle)
{
	int n = 0;

	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		const char *hit = strstr(line, needle);

		n += hit && hit < line + len;
		line += len + !!nl;
	}
	return n;
}

/* A table row whose verdict is v (the last column): "... v\n". */
static int rows_with_verdict(const char *text, const char *v)
{
	char needle[64];

	snprintf(needle, sizeof(needle), "  %s\n", v);
	return count_lines(text, needle) ? count_lines(text, needle) : 0;
}

/* ---- synthetic result files --------------------------------------------- */

/* xorshift64 and Box-Muller: the same numbers on every machine. */
static uint64_t rng;

static double unif(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return ((double)(rng >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(void)
{
	return sqrt(-2 * log(unif())) * cos(2 * M_PI * unif());
}

struct synth {
	const char *keys;	/* extra configuration lines, "k: v\n"... */
	int nbench, runs;
	double bench_scale;	/* every benchmark's ns/op times this */
	int slow_bench;		/* this one (0-based, -1 none) times slow_scale */
	double slow_scale;
	double noise;		/* sd of ln per-run value (0: identical runs) */
	double canary_ns;	/* 0: no canary-ns on the lines */
	double canary_noise;
	uint64_t seed;
};

static void write_synth(const char *name, const struct synth *s)
{
	static char body[1 << 18];
	size_t used = 0;

	rng = s->seed * 0x9e3779b97f4a7c15ull + 1;
	used += (size_t)snprintf(body + used, sizeof(body) - used,
				 "kernel-release: 6.12.0\ncpu-model: QEMU\nbackend: simgpu\n%s"
				 "date: 2026-12-02T00:00:00Z\nhost: vm\n", s->keys);
	for (int r = 0; r < s->runs; r++) {
		for (int b = 0; b < s->nbench; b++) {
			double v = 20000.0 * (b + 1) * s->bench_scale * exp(s->noise * gauss());
			double c = s->canary_ns * exp(s->canary_noise * gauss());

			if (b == s->slow_bench)
				v *= s->slow_scale;
			used += (size_t)snprintf(body + used, sizeof(body) - used,
						 "BenchmarkSyncobjWake/case=%d/placement=same-llc 1000 %.0f ns/op",
						 b, v);
			if (s->canary_ns > 0)
				used += (size_t)snprintf(body + used, sizeof(body) - used,
							 " %.0f canary-ns %.4f floor-ratio",
							 c, v / c);
			used += (size_t)snprintf(body + used, sizeof(body) - used, "\n");
		}
	}
	write_file(name, "%s", body);
}

#define WALL "accel: tcg\ncanary: futex-wake p50 of 200 samples before every run\n"
#define ICOUNT "accel: tcg-icount\nicount: shift=0,sleep=off\n" \
	"canary: futex-wake p50 of 200 samples before every run\n"

/* ---- compare: the environment check -------------------------------------- */

/*
 * A loaded TCG host gives some runs millisecond stalls and leaves the rest
 * alone: the canaries' median stays, their spread grows.
 */
static void test_spread_changed(void)
{
	struct synth quiet = {
		.keys = WALL, .nbench = 3, .runs = 20, .bench_scale = 1, .slow_bench = -1,
		.noise = 0.01, .canary_ns = 30000, .canary_noise = 0.05, .seed = 51,
	};
	struct synth loaded = quiet;
	int st;

	loaded.canary_noise = 0.25;
	loaded.bench_scale = 1.3;
	loaded.seed = 52;
	write_synth("spread/quiet.txt", &quiet);
	write_synth("spread/loaded.txt", &loaded);
	st = run("compare", path_in("spread/quiet.txt"), path_in("spread/loaded.txt"), NULL);
	CHECK(st == 3 && has(out, "spread (1.4826 MAD of ln): OLD ") &&
	      !rows_with_verdict(out, "REGRESSION"),
	      "canary median unchanged, spread x5: ENVIRONMENT CHANGED, exit 3, no REGRESSION (got %d)", st);
	loaded.canary_noise = 0.06;
	write_synth("spread/alike.txt", &loaded);
	st = run("compare", path_in("spread/quiet.txt"), path_in("spread/alike.txt"), NULL);
	CHECK(st == 1 && has(out, "environment unchanged"),
	      "canary spread 5%% vs 6%%: environment unchanged, the +30%% rows are REGRESSION (got %d)", st);
}

static void test_environment_changed(void)
{
	struct synth quiet = {
		.keys = WALL "host-cpu-pressure: psi some avg 1.2% full 0.0% over 31 s\n",
		.nbench = 3, .runs = 10, .bench_scale = 1, .slow_bench = -1, .noise = 0.01,
		.canary_ns = 40000, .canary_noise = 0.02, .seed = 1,
	};
	struct synth loaded = quiet;
	int st;

	/* as scripts/vm-run writes it now; the quiet side as it did before */
	loaded.keys = WALL "# host-cpu-pressure: psi some avg 41.3% full 0.0% over 29 s\n";
	loaded.bench_scale = 2;
	loaded.canary_ns = 100000;
	loaded.seed = 2;
	write_synth("env/quiet.txt", &quiet);
	write_synth("env/loaded.txt", &loaded);

	st = run("compare", path_in("env/quiet.txt"), path_in("env/loaded.txt"), NULL);
	CHECK(st == 3, "quiet vs loaded (canary x2.5, benchmarks x2): exit 3 (got %d)", st);
	CHECK(has(out, "ENVIRONMENT CHANGED:"), "the table is preceded by an ENVIRONMENT CHANGED: block");
	CHECK(rows_with_verdict(out, "REGRESSION") == 0 && rows_with_verdict(out, "IMPROVEMENT") == 0,
	      "no REGRESSION or IMPROVEMENT row when the environment changed");
	CHECK(count_lines(out, "UNKNOWN (environment changed)") == 3,
	      "the three x2 rows are UNKNOWN (environment changed) (%d)",
	      count_lines(out, "UNKNOWN (environment changed)"));
	CHECK(has(out, "OLD canary: 40.") && has(out, "NEW canary: 100."),
	      "the block names both canaries' medians (40 us, 100 us)");
	CHECK(has(out, "NEW/OLD: +15") || has(out, "NEW/OLD: +14"),
	      "the block gives the canary ratio (+150%%)");
	CHECK(has(out, "OLD host-cpu-pressure: psi some avg 1.2%") &&
	      has(out, "NEW host-cpu-pressure: psi some avg 41.3%"),
	      "the block shows each side's host-cpu-pressure line");
	CHECK(has(out, "What to do"), "the block says what to do");
	CHECK(has(out, "floor-ratio (direction unknown"), "ratios to the canary are still tabled");
	CHECK(!has(out, "canary-ns ("), "canary-ns is not an ordinary row");
	CHECK(has(err, "ENVIRONMENT CHANGED"), "stderr says ENVIRONMENT CHANGED in one line");

	st = run("compare", "--tsv", "-", path_in("env/quiet.txt"), path_in("env/loaded.txt"), NULL);
	CHECK(st == 3 && count_lines(out, "\tUNKNOWN\t") == 6 &&
	      count_lines(out, "environment changed") == 3 && !has(out, "\tREGRESSION\t") &&
	      has(err, "ENVIRONMENT CHANGED:"),
	      "--tsv -: rows UNKNOWN with note 'environment changed', the block on stderr (exit %d)", st);

	/* the same loaded files in reverse: no IMPROVEMENT either */
	st = run("compare", path_in("env/loaded.txt"), path_in("env/quiet.txt"), NULL);
	CHECK(st == 3 && rows_with_verdict(out, "IMPROVEMENT") == 0,
	      "loaded vs quiet: exit 3, no IMPROVEMENT (exit %d)", st);
}

static void test_environment_unchanged(void)
{
	struct synth a = {
		.keys = WALL, .nbench = 3, .runs = 10, .bench_scale = 1, .slow_bench = -1,
		.noise = 0.004, .canary_ns = 40000, .canary_noise = 0.02, .seed = 11,
	};
	struct synth b = a;
	int st;

	b.slow_bench = 1;
	b.slow_scale = 1.05;
	b.seed = 12;
	write_synth("same/a.txt", &a);
	write_synth("same/b.txt", &b);
	st = run("compare", path_in("same/a.txt"), path_in("same/b.txt"), NULL);
	CHECK(st == 1, "equal canaries and +5%% on one benchmark: exit 1 (got %d)", st);
	CHECK(rows_with_verdict(out, "REGRESSION") == 1 && count_lines(out, "case=1/") >= 1 &&
	      has(out, "environment unchanged") && !has(out, "ENVIRONMENT CHANGED"),
	      "exactly one REGRESSION row, and the canary line says environment unchanged");

	/* canaries measured differently: said, and not checked */
	b.keys = "accel: tcg\ncanary: futex-wake p50 of 1000 samples before every run\n";
	write_synth("same/c.txt", &b);
	st = run("compare", path_in("same/a.txt"), path_in("same/c.txt"), NULL);
	CHECK(st == 1 && has(err, "canaries were measured differently"),
	      "different canary: keys: compared as before, 'measured differently' on stderr (exit %d)", st);

	/* --by-file: one canary value per file as well */
	st = run("compare", "--by-file", path_in("env/quiet.txt"), path_in("same/a.txt"), "vs",
		 path_in("env/loaded.txt"), path_in("same/b.txt"), NULL);
	CHECK(st != 1 && !rows_with_verdict(out, "REGRESSION"),
	      "--by-file with 2 files a side: no REGRESSION (exit %d)", st);
}

static void test_no_canary(void)
{
	struct synth a = {
		.keys = "accel: tcg\ncanary: off (--no-canary)\n", .nbench = 2, .runs = 10,
		.bench_scale = 1, .slow_bench = -1, .noise = 0.004, .seed = 21,
	};
	struct synth b = {
		.keys = WALL, .nbench = 2, .runs = 10, .bench_scale = 1, .slow_bench = 0,
		.slow_scale = 1.05, .noise = 0.004, .canary_ns = 40000, .canary_noise = 0.02,
		.seed = 22,
	};
	int st;

	write_synth("old/a.txt", &a);
	write_synth("old/b.txt", &b);
	st = run("compare", path_in("old/a.txt"), path_in("old/b.txt"), NULL);
	CHECK(st == 1 && rows_with_verdict(out, "REGRESSION") == 1,
	      "no canary on OLD: compared as before, +5%% is a REGRESSION, exit 1 (got %d)", st);
	CHECK(count_lines(err, "no canary on OLD: environment not checked") == 1 &&
	      !has(err, "no canary on NEW"), "stderr says once: no canary on OLD: environment not checked");
	CHECK(!has(out, "canary (futex-wake") && !has(out, "ENVIRONMENT"), "no canary line without canaries");
}

/* ---- compare: deterministic rows ------------------------------------------ */

static void test_deterministic(void)
{
	struct synth a = {
		.keys = ICOUNT, .nbench = 3, .runs = 10, .bench_scale = 1, .slow_bench = -1,
		.noise = 0, .canary_ns = 31000, .canary_noise = 0, .seed = 31,
	};
	struct synth b = a;
	int st, regressions = 0, improvements = 0, rows = 0, changed = 0;

	write_synth("det/a.txt", &a);
	write_synth("det/same.txt", &a);
	b.slow_bench = 2;
	b.slow_scale = 1.005;
	write_synth("det/slow.txt", &b);

	st = run("compare", path_in("det/a.txt"), path_in("det/slow.txt"), NULL);
	/* 3 ns/op rows and their 3 floor-ratio rows (never gated) */
	CHECK(st == 1 && rows_with_verdict(out, "REGRESSION") == 1 && count_lines(out, "SAME") == 4,
	      "deterministic 10 v 10, +0.5%% on one row: that row REGRESSION, the others SAME, exit 1 (got %d)",
	      st);
	CHECK(has(out, "virtual time, not a guard") && has(out, "deterministic rows (icount on both sides): 6"),
	      "deterministic: the canaries are shown, not a guard, and the threshold rule is printed");
	st = run("compare", "--tsv", "-", path_in("det/a.txt"), path_in("det/slow.txt"), NULL);
	CHECK(count_lines(out, "deterministic: min effect 0.25%") == 6,
	      "--tsv: each deterministic row notes its threshold (0.25%% at zero noise)");

	st = run("compare", path_in("det/a.txt"), path_in("det/same.txt"), NULL);
	CHECK(st == 0 && count_lines(out, "SAME") == 6 && !rows_with_verdict(out, "REGRESSION"),
	      "deterministic, identical values: SAME, exit 0 (got %d)", st);

	st = run("compare", "--det-min-effect", "1", path_in("det/a.txt"), path_in("det/slow.txt"), NULL);
	CHECK(st == 0 && !rows_with_verdict(out, "REGRESSION"),
	      "--det-min-effect 1: the +0.5%% row is not a regression (exit %d)", st);

	/*
	 * Virtual time: a canary that sits on another same-core wake mode
	 * (4451 vs 4109 ns, +8%) is a path length, not the host: still a
	 * REGRESSION on the +0.5% row, never exit 3.
	 */
	{
		struct synth c = b;

		c.canary_ns = 31000 * 1.083;
		write_synth("det/slow-canary.txt", &c);
		st = run("compare", path_in("det/a.txt"), path_in("det/slow-canary.txt"), NULL);
		CHECK(st == 1 && rows_with_verdict(out, "REGRESSION") == 1 &&
		      !has(out, "ENVIRONMENT CHANGED") && has(out, "virtual time, not a guard"),
		      "deterministic, canary +8.3%%: verdicts stand, no ENVIRONMENT CHANGED (exit %d)", st);
	}

	/* the same +0.5% measured on the wall clock: below the default 2% */
	a.keys = WALL;
	b.keys = WALL;
	write_synth("wall/a.txt", &a);
	write_synth("wall/slow.txt", &b);
	st = run("compare", path_in("wall/a.txt"), path_in("wall/slow.txt"), NULL);
	CHECK(st == 0 && !rows_with_verdict(out, "REGRESSION"),
	      "the same +0.5%% without icount: judged by --min-effect 2%%, no REGRESSION (exit %d)", st);

	/*
	 * A/A with 1% run-to-run noise: 200 comparisons of 10 v 10 runs,
	 * 5 rows each (1000 rows), canaries 2% noisy.  The threshold 3 x noise
	 * keeps every one of them clean (a simulation of 40,000 rows through
	 * the same code flagged 1 at k = 3, 7 at k = 2, 18 at 0.25% alone:
	 * docs/statistics.md).
	 */
	for (unsigned int seed = 0; seed < 200; seed++) {
		struct synth x = {
			.keys = ICOUNT, .nbench = 5, .runs = 10, .bench_scale = 1, .slow_bench = -1,
			.noise = 0.01, .canary_ns = 31000, .canary_noise = 0.02, .seed = 1000 + 2 * seed,
		};
		struct synth y = x;

		y.seed = x.seed + 1;
		write_synth("aa/x.txt", &x);
		write_synth("aa/y.txt", &y);
		st = run("compare", "--tsv", "-", path_in("aa/x.txt"), path_in("aa/y.txt"), NULL);
		regressions += count_lines(out, "\tREGRESSION\t");
		improvements += count_lines(out, "\tIMPROVEMENT\t");
		rows += count_lines(out, "\tns/op\t");
		changed += st == 3;
	}
	CHECK(rows == 1000 && regressions == 0,
	      "deterministic A/A, 1%% noise, 200 x (10 v 10, 5 rows): %d REGRESSION rows of %d (want 0)",
	      regressions, rows);
	CHECK(improvements == 0, "... and %d IMPROVEMENT rows", improvements);
	CHECK(changed <= 4, "... the canaries (2%% noise) called ENVIRONMENT CHANGED %d times in 200 (alpha 1%%)",
	      changed);
}

/* ---- run: the canary on every line ------------------------------------------ */

static int every_bench_line(const char *text, const char *needle, int *lines)
{
	int ok = 1;

	*lines = 0;
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (!strncmp(line, "Benchmark", 9)) {
			const char *hit = strstr(line, needle);

			(*lines)++;
			ok &= hit && hit < line + len;
		}
		line += len + !!nl;
	}
	return ok && *lines;
}

static void test_run(void)
{
	static char file[1 << 16];
	int st, lines = 0;

	/* -t 120: a loaded host must not cut a run or its canary short. */
	st = run("run", "-r", "3", "-n", "200", "-t", "120", "-o", path_in("run-canary.txt"), "null",
		 "futex-wake", "syscall", NULL);
	slurp(path_in("run-canary.txt"), file, sizeof(file));
	CHECK(st == 0 && every_bench_line(file, " canary-ns", &lines) && lines == 9,
	      "run null futex-wake syscall: canary-ns on every one of the 9 lines (exit %d, %d lines)", st,
	      lines);
	CHECK(has(file, "\n# canary: futex-wake p50 of 200 samples"), "the file records the canary: key");
	/*
	 * A run cut short by -t before 200 samples has no p50 and so no
	 * floor-ratio (a loaded host can do that): each FutexWake line has
	 * floor-ratio exactly when it has its p50 (" ns/op").
	 */
	{
		int wake = 0, paired = 0;

		for (const char *line = file; (line = strstr(line, "\nBenchmarkFutexWake"));) {
			const char *nl = strchr(line + 1, '\n');
			size_t len = nl ? (size_t)(nl - line) : strlen(line);
			const char *p50 = strstr(line, " ns/op"), *ratio = strstr(line, " floor-ratio");

			wake++;
			paired += (p50 && p50 < line + len) == (ratio && ratio < line + len);
			line += len;
		}
		CHECK(wake == 3 && paired == 3,
		      "floor-ratio (run p50 over its own canary) on every FutexWake line with a p50 (%d of %d)",
		      paired, wake);
	}
	CHECK(count_lines(out, "canary ") == 3 && has(out, " noise "),
	      "the summary prints each case's canary and its noise");

	st = run("run", "--no-canary", "-r", "3", "-n", "200", "-t", "120", "-o", path_in("run-off.txt"),
		 "null", "futex-wake", NULL);
	slurp(path_in("run-off.txt"), file, sizeof(file));
	CHECK(st == 0 && !has(file, "canary-ns") && !has(file, "floor-ratio") &&
	      has(file, "\n# canary: off (--no-canary)"),
	      "run --no-canary: no canary-ns, no floor-ratio, 'canary: off' (exit %d)", st);

	st = run("compare", path_in("run-off.txt"), path_in("run-canary.txt"), NULL);
	CHECK(st != 2 && has(err, "no canary on OLD: environment not checked"),
	      "a --no-canary file compares with a canary file (canary: is informational) (exit %d)", st);
}

static void test_steal_parse(void)
{
	uint64_t t = 0;

	CHECK(!drmb_parse_proc_stat_steal("cpu  20028 0 6326 31596 391 0 111 64 0 0\ncpu0 1\n", &t) &&
	      t == 64, "/proc/stat: steal is the 8th value of the cpu line (%llu)", (unsigned long long)t);
	CHECK(drmb_parse_proc_stat_steal("cpu  1 2 3 4 5 6 7\n", &t) == -ENOENT,
	      "/proc/stat without a steal column: -ENOENT (nothing recorded)");
	CHECK(drmb_parse_proc_stat_steal("intr 1 2 3 4 5 6 7 8 9\n", &t) == -ENOENT,
	      "not a cpu line: -ENOENT");
}

int main(void)
{
	if (cli_setup("envguard"))
		return check_done();
	test_steal_parse();
	test_environment_changed();
	test_spread_changed();
	test_environment_unchanged();
	test_no_canary();
	test_deterministic();
	test_run();
	/* DRMB_KEEP=1 leaves the files for a look at what compare said */
	return cli_done();
}
