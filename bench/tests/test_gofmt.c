// SPDX-License-Identifier: MIT
/*
 * A checker for the Go benchmark format, standing in for benchstat.
 *
 * benchstat (golang.org/x/perf/cmd/benchstat) cannot be installed here: the
 * machine reaches no Go module proxy. So this program checks a result file
 * against the format as the Go proposal defines it
 * (https://go.dev/design/14313-benchmark-format) and as
 * golang.org/x/perf/benchfmt's reader parses it, and then checks that
 * drmbench's own reader (bench/lib/result.c) accepts the same file.
 *
 *   test_gofmt                          self-test of the checker (make check)
 *   test_gofmt [-r NAME:UNIT]... FILE... check result files and their .samples
 *                                       sidecars; each -r needs a line
 *                                       BenchmarkNAME[/...] with UNIT
 *
 * The grammar, with drmbench's stricter rules marked (drmbench):
 *   file       valid UTF-8 (benchfmt refuses anything else), no NUL, every
 *              line under 64 KiB (benchfmt's bufio.Scanner limit), last line
 *              ends in '\n' (drmbench: a torn file does not)
 *   config     key ':' (end | [ \t]+ value); key starts with a lower-case
 *              letter and has no space and no upper-case letter
 *   result     'Benchmark' Name Iterations (Value Unit)+, fields separated by
 *              runs of white space: an even number of fields, at least four.
 *              Name: 'Benchmark' then an upper-case letter (drmbench; Go
 *              allows a bare 'Benchmark'); Iterations: a decimal integer
 *              (drmbench: positive); Value: a strconv.ParseFloat number
 *              (drmbench: decimal and finite); Unit: any non-space field
 *   other      benchfmt ignores every other line; drmbench files have only
 *              '#' comments there, so nothing is silently dropped
 *
 * Output: one "ok"/"FAIL" line per check, then "N passed, N failed".
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "result.h"

#define GO_MAX_LINE (64 * 1024)

enum line_kind { LINE_BAD, LINE_CONFIG, LINE_RESULT, LINE_COMMENT };

/* Length of the valid UTF-8 sequence at s, or 0 (RFC 3629: no overlongs,
 * no surrogates, nothing above U+10FFFF). */
static size_t utf8_seq(const unsigned char *s, size_t left)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (left < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static int is_go_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Decimal float as strconv.ParseFloat reads it, finite (drmbench). */
static int is_number(const char *f, size_t len)
{
	char buf[64], *end;
	size_t i = 0, digits = 0;
	double v;

	if (len >= sizeof(buf))
		return 0;
	if (i < len && (f[i] == '+' || f[i] == '-'))
		i++;
	while (i < len && isdigit((unsigned char)f[i]))
		i++, digits++;
	if (i < len && f[i] == '.')
		for (i++; i < len && isdigit((unsigned char)f[i]); i++)
			digits++;
	if (!digits)
		return 0;
	if (i < len && (f[i] == 'e' || f[i] == 'E')) {
		size_t exp = 0;

		i++;
		if (i < len && (f[i] == '+' || f[i] == '-'))
			i++;
		for (; i < len && isdigit((unsigned char)f[i]); i++)
			exp++;
		if (!exp)
			return 0;
	}
	if (i != len)
		return 0;
	memcpy(buf, f, len);
	buf[len] = '\0';
	errno = 0;
	v = strtod(buf, &end);
	return !errno && isfinite(v);
}

/*
 * Classifies one line (without its '\n'); LINE_BAD with the reason in why.
 * The order is benchfmt's: a "Benchmark" prefix commits to a result line.
 */
static enum line_kind check_line(const char *s, size_t len, char *why, size_t whylen)
{
	const char *f[512];
	size_t flen[512], nf = 0, i = 0, k;

	if (len >= 9 && !memcmp(s, "Benchmark", 9)) {
		while (i < len) {
			while (i < len && is_go_space(s[i]))
				i++;
			if (i == len)
				break;
			if (nf == 512) {
				snprintf(why, whylen, "too many fields");
				return LINE_BAD;
			}
			f[nf] = s + i;
			while (i < len && !is_go_space(s[i]))
				i++;
			flen[nf] = s + i - f[nf];
			nf++;
		}
		for (k = 0; k < len; k++) {
			if ((unsigned char)s[k] >= 0x80) {
				snprintf(why, whylen, "non-ASCII byte in a result line");
				return LINE_BAD;
			}
		}
		if (flen[0] < 10 || !isupper((unsigned char)f[0][9])) {
			snprintf(why, whylen, "name '%.*s' is not Benchmark<Upper-case>...",
				 (int)flen[0], f[0]);
			return LINE_BAD;
		}
		if (nf < 4 || nf % 2) {
			snprintf(why, whylen, "%zu fields: need an even number, at least 4", nf);
			return LINE_BAD;
		}
		for (k = 0; k < flen[1]; k++)
			if (!isdigit((unsigned char)f[1][k]))
				break;
		if (k < flen[1] || flen[1] > 19 || strtoull(f[1], NULL, 10) == 0 ||
		    strtoull(f[1], NULL, 10) > INT64_MAX) {
			snprintf(why, whylen, "iterations '%.*s' is not a positive int64",
				 (int)flen[1], f[1]);
			return LINE_BAD;
		}
		for (k = 2; k < nf; k += 2) {
			if (!is_number(f[k], flen[k])) {
				snprintf(why, whylen, "value '%.*s' is not a finite decimal number",
					 (int)flen[k], f[k]);
				return LINE_BAD;
			}
		}
		return LINE_RESULT;
	}
	if (len && s[0] == '#')
		return LINE_COMMENT;
	/* key: value (benchfmt's parseKeyValueLine, ASCII keys). */
	if (len && islower((unsigned char)s[0])) {
		for (i = 0; i < len && s[i] != ':'; i++)
			if (is_go_space(s[i]) || isupper((unsigned char)s[i]) ||
			    (unsigned char)s[i] >= 0x80)
				break;
		if (i < len && s[i] == ':' && (i + 1 == len || s[i + 1] == ' ' || s[i + 1] == '\t'))
			return LINE_CONFIG;
	}
	snprintf(why, whylen, "neither 'key: value', a Benchmark line nor a '#' comment: '%.40s'",
		 s);
	return LINE_BAD;
}

/*
 * Checks a whole buffer as a file; 0 or -EINVAL with "LINE: why". Counts
 * result lines into *nresults.
 */
static int check_text(const char *buf, size_t len, size_t *nresults, char *why, size_t whylen)
{
	size_t off = 0, i, n;
	unsigned int lineno = 0;

	*nresults = 0;
	for (i = 0; i < len; i += n) {
		if (!buf[i]) {
			snprintf(why, whylen, "byte %zu: NUL", i);
			return -EINVAL;
		}
		n = utf8_seq((const unsigned char *)buf + i, len - i);
		if (!n) {
			snprintf(why, whylen, "byte %zu: not UTF-8 (benchfmt refuses the file)", i);
			return -EINVAL;
		}
	}
	if (!len) {
		snprintf(why, whylen, "empty");
		return -EINVAL;
	}
	if (buf[len - 1] != '\n') {
		snprintf(why, whylen, "last line does not end in a newline (torn?)");
		return -EINVAL;
	}
	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t l = nl - (buf + off);
		char line_why[256];
		enum line_kind kind;

		lineno++;
		if (l >= GO_MAX_LINE) {
			snprintf(why, whylen, "line %u: %zu bytes, over benchfmt's 64 KiB", lineno, l);
			return -EINVAL;
		}
		kind = check_line(buf + off, l, line_why, sizeof(line_why));
		if (kind == LINE_BAD) {
			snprintf(why, whylen, "line %u: %s", lineno, line_why);
			return -EINVAL;
		}
		if (kind == LINE_RESULT)
			(*nresults)++;
		off += l + 1;
	}
	return 0;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, got;

	*len = 0;
	if (!f)
		return NULL;
	do {
		if (*len + 65536 > cap) {
			cap = cap ? 2 * cap : 262144;
			buf = realloc(buf, cap);
			if (!buf)
				exit(2);
		}
		got = fread(buf + *len, 1, 65536, f);
		*len += got;
	} while (got);
	fclose(f);
	return buf;
}

/* ---- file mode ------------------------------------------------------------- */

static int has_metric(const struct drmb_result_file *rf, const char *name, const char *unit)
{
	size_t i, j, nlen = strlen(name);

	for (i = 0; i < rf->nlines; i++) {
		const struct drmb_bench_line *l = &rf->lines[i];

		if (strncmp(l->name, name, nlen) || (l->name[nlen] && l->name[nlen] != '/'))
			continue;
		for (j = 0; j < l->nmetrics; j++)
			if (!strcmp(l->metrics[j].unit, unit))
				return 1;
	}
	return 0;
}

/*
 * The raw samples behind every result line: drmbench writes one sidecar
 * record per run, just before that run's line, so the two lists pair up
 * in order, and a line's iteration count is samples x ops per sample.
 */
static void check_sidecar(const char *path, const struct drmb_result_file *rf)
{
	struct drmb_sample_file sf;
	char err[512] = "", *spath;
	size_t len = strlen(path), i, bad = 0;
	int ret;

	if (len > 4 && !strcmp(path + len - 4, ".txt"))
		len -= 4;
	if (asprintf(&spath, "%.*s.samples", (int)len, path) < 0)
		exit(2);
	ret = drmb_samples_read(spath, &sf, err, sizeof(err));
	CHECK(ret == 0, "%s: sidecar reads back%s%s", spath, ret ? ": " : "", err);
	if (!ret) {
		CHECK(sf.nruns == rf->nlines, "%s: one sample run per result line (%zu runs, %zu lines)",
		      spath, sf.nruns, rf->nlines);
		for (i = 0; i < sf.nruns && i < rf->nlines; i++) {
			const struct drmb_sample_run *r = &sf.runs[i];

			if (strcmp(r->name, rf->lines[i].name) ||
			    r->n * r->ops_per_sample != rf->lines[i].iterations) {
				if (!bad)
					printf("     run %zu: %s n=%llu x %u, line %u: %s %llu\n", i,
					       r->name, (unsigned long long)r->n, r->ops_per_sample,
					       rf->lines[i].lineno, rf->lines[i].name,
					       (unsigned long long)rf->lines[i].iterations);
				bad++;
			}
		}
		CHECK(bad == 0, "%s: runs match the lines by name and samples x ops = iterations", spath);
		drmb_samples_free(&sf);
	}
	free(spath);
}

static int check_files(int argc, char **argv)
{
	const char *need[32];
	unsigned int nneed = 0, i;
	int opt;

	while ((opt = getopt(argc, argv, "r:")) != -1) {
		if (opt != 'r' || !strchr(optarg, ':') || nneed == 32) {
			fprintf(stderr, "usage: test_gofmt [-r NAME:UNIT]... FILE...\n");
			return 2;
		}
		need[nneed++] = optarg;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: test_gofmt [-r NAME:UNIT]... FILE...\n");
		return 2;
	}
	for (; optind < argc; optind++) {
		const char *path = argv[optind];
		struct drmb_result_file rf;
		char why[512] = "", err[512] = "";
		size_t len, nres = 0;
		char *buf = slurp(path, &len);
		int ret;

		CHECK(buf != NULL, "%s: readable", path);
		if (!buf)
			continue;
		ret = check_text(buf, len, &nres, why, sizeof(why));
		CHECK(ret == 0, "%s: Go benchmark format grammar%s%s", path, ret ? ": " : "", why);
		CHECK(nres > 0, "%s: %zu result lines", path, nres);
		free(buf);
		ret = drmb_result_read(path, &rf, err, sizeof(err));
		CHECK(ret == 0, "%s: drmbench's reader accepts it%s%s", path, ret ? ": " : "", err);
		if (ret)
			continue;
		CHECK(rf.nlines == nres, "%s: both readers see %zu result lines (library: %zu)",
		      path, nres, rf.nlines);
		check_sidecar(path, &rf);
		for (i = 0; i < nneed; i++) {
			char name[128];
			const char *colon = strchr(need[i], ':');

			snprintf(name, sizeof(name), "%.*s", (int)(colon - need[i]), need[i]);
			CHECK(has_metric(&rf, name, colon + 1), "%s: Benchmark%s has %s", path, name,
			      colon + 1);
		}
		drmb_result_free(&rf);
	}
	return check_done();
}

/* ---- self-test ----------------------------------------------------------- */

/* Lines of the proposal's own examples and of drmbench's files. */
static const char *const good_lines[] = {
	"BenchmarkDecodeDigitsSpeed1e4-8   \t     100\t    154125 ns/op\t  64.88 MB/s\t   40418 B/op\t       7 allocs/op",
	"BenchmarkEncodeDigitsSpeed1e4-8   \t      30\t    482808 ns/op\t  20.71 MB/s",
	"BenchmarkDecode/text:digits/level:speed/size:1e4/gomaxprocs:8   \t     100\t    154125 ns/op\t  64.88 MB/s",
	"BenchmarkFutexWake/placement=same-llc 200 7701 ns/op 4537 min-ns/op 1.01576 floor-ratio 5.52 ctx-switches/op",
	"BenchmarkSyscall 200 150 ns/op 6.72337e+06 ops/s 0 migrations/op",
	"BenchmarkX 1 .5 ns/op 5. a 1E-9 b +3 c",
	"commit: 7cd9055",
	"commit-time: 2016-02-11T13:25:45-0500",
	"cpu: Intel(R) Core(TM) i7-4980HQ CPU @ 2.80GHz",
	"cpu-topology: packages=1 cores=2 pus=2 smt=no llcs=1",
	"empty:",
	"tabbed:\tvalue",
	"key.with_odd-chars9: v",
	"# a comment: with Benchmark words 1 2 ns/op",
	"#",
	"# caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
};

static const char *const bad_lines[] = {
	"",				/* blank: benchfmt ignores it; drmbench never writes one */
	"PASS",
	"ok  \tpkg\t0.1s",
	"BenchmarkA 10 5",		/* value without unit */
	"BenchmarkA 10",
	"BenchmarkA",
	"BenchmarkA 10 5 ns/op 6",
	"Benchmark 1 2 ns/op",		/* Go allows it; drmbench names have a capital */
	"Benchmarkfoo 1 2 ns/op",
	"BenchmarkA x 2 ns/op",
	"BenchmarkA -1 2 ns/op",
	"BenchmarkA 0 2 ns/op",
	"BenchmarkA 1.5 2 ns/op",
	"BenchmarkA 99999999999999999999 2 ns/op",
	"BenchmarkA 1 x ns/op",
	"BenchmarkA 1 NaN ns/op",
	"BenchmarkA 1 Inf ns/op",
	"BenchmarkA 1 1e999 ns/op",
	"BenchmarkA 1 0x10 ns/op",
	"BenchmarkA 1 1e ns/op",
	"BenchmarkA\xc2\xa0" "B 1 2 ns/op",
	" BenchmarkA 1 2 ns/op",	/* benchfmt ignores it: a silently lost result */
	"\tkey: value",
	"Key: value",
	"my key: value",
	"keY: value",
	"key:value",
	":value",
	"Unit ns/op assume=exact",
	"k\xc3\xa9y: value",
};

static void self_test(void)
{
	char why[512], path[] = "/tmp/drmb-test-gofmt.XXXXXX";
	size_t i, n;
	int fd;

	for (i = 0; i < sizeof(good_lines) / sizeof(good_lines[0]); i++) {
		why[0] = '\0';
		CHECK(check_line(good_lines[i], strlen(good_lines[i]), why, sizeof(why)) != LINE_BAD,
		      "grammar accepts '%.50s' %s", good_lines[i], why);
	}
	for (i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++) {
		why[0] = '\0';
		CHECK(check_line(bad_lines[i], strlen(bad_lines[i]), why, sizeof(why)) == LINE_BAD && why[0],
		      "grammar refuses '%.50s': %s", bad_lines[i], why);
	}
	CHECK(check_line("BenchmarkA 1 2 ns/op", 20, why, sizeof(why)) == LINE_RESULT &&
	      check_line("a: b", 4, why, sizeof(why)) == LINE_CONFIG &&
	      check_line("#x", 2, why, sizeof(why)) == LINE_COMMENT, "grammar classifies the three kinds");

	/* File-level rules. */
	{
		static const char good[] = "goos: linux\nBenchmarkA 1 2 ns/op\n# end\n";
		static const char torn[] = "goos: linux\nBenchmarkA 1 2 ns/op";
		static const char nul[] = "goos: linux\n# a\0b\nBenchmarkA 1 2 ns/op\n";
		static const char latin1[] = "goos: linux\n# caf\xe9\nBenchmarkA 1 2 ns/op\n";
		static const char overlong[] = "# \xc0\xaf\nBenchmarkA 1 2 ns/op\n";
		static const char surrogate[] = "# \xed\xa0\x80\nBenchmarkA 1 2 ns/op\n";
		char *huge;

		CHECK(check_text(good, sizeof(good) - 1, &n, why, sizeof(why)) == 0 && n == 1,
		      "file: a good file, one result (%s)", why);
		CHECK(check_text(torn, sizeof(torn) - 1, &n, why, sizeof(why)) == -EINVAL,
		      "file: refuses a torn last line: %s", why);
		CHECK(check_text(nul, sizeof(nul) - 1, &n, why, sizeof(why)) == -EINVAL,
		      "file: refuses a NUL byte: %s", why);
		CHECK(check_text(latin1, sizeof(latin1) - 1, &n, why, sizeof(why)) == -EINVAL,
		      "file: refuses Latin-1: %s", why);
		CHECK(check_text(overlong, sizeof(overlong) - 1, &n, why, sizeof(why)) == -EINVAL,
		      "file: refuses an overlong UTF-8 sequence: %s", why);
		CHECK(check_text(surrogate, sizeof(surrogate) - 1, &n, why, sizeof(why)) == -EINVAL,
		      "file: refuses an encoded surrogate: %s", why);
		CHECK(check_text("", 0, &n, why, sizeof(why)) == -EINVAL, "file: refuses an empty file");
		huge = malloc(GO_MAX_LINE + 2);
		memset(huge, 'x', GO_MAX_LINE + 2);
		huge[0] = '#';
		huge[GO_MAX_LINE + 1] = '\n';
		CHECK(check_text(huge, GO_MAX_LINE + 2, &n, why, sizeof(why)) == -EINVAL,
		      "file: refuses a line over 64 KiB: %s", why);
		free(huge);
	}

	/*
	 * drmbench's reader must accept what the grammar accepts, and refuse
	 * what benchstat would misread or drop (lines it would skip in
	 * silence). One small file per line, after a config line.
	 */
	fd = mkstemp(path);
	if (fd < 0) {
		perror("mkstemp");
		exit(2);
	}
	close(fd);
	for (i = 0; i < sizeof(good_lines) / sizeof(good_lines[0]) + sizeof(bad_lines) / sizeof(bad_lines[0]); i++) {
		size_t ngood = sizeof(good_lines) / sizeof(good_lines[0]);
		const char *line = i < ngood ? good_lines[i] : bad_lines[i - ngood];
		struct drmb_result_file rf;
		char err[512] = "";
		FILE *f = fopen(path, "w");
		int ret;

		/*
		 * Left out: a blank line (benchfmt ignores it, so may drmbench),
		 * the bare name Go allows, and a non-ASCII space inside a name
		 * (drmbench names come from ids and validated values).
		 */
		if (!line[0] || !strcmp(line, "Benchmark 1 2 ns/op") || strstr(line, "\xc2\xa0")) {
			fclose(f);
			continue;
		}
		fprintf(f, "goos: linux\n%s\n", line);
		fclose(f);
		ret = drmb_result_read(path, &rf, err, sizeof(err));
		if (i < ngood)
			CHECK(ret == 0, "library reader accepts '%.50s' %s", line, err);
		else
			CHECK(ret == -EINVAL && strstr(err, ":2:"),
			      "library reader refuses '%.50s' at line 2: %s", line, err);
		if (!ret)
			drmb_result_free(&rf);
	}
	unlink(path);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return check_files(argc, argv);
	self_test();
	return check_done();
}
