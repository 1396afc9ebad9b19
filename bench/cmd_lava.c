// SPDX-License-Identifier: MIT
/*
 * drmbench lava: the device farm's side of drmbench (docs/farm.md).
 *
 *   render    a job definition from a template under ci/lava/templates/:
 *             every {{KEY}} replaced by a -D KEY=VALUE, nothing left over
 *   validate  a rendered job definition: what lava-run and a LAVA server
 *             would refuse, found before it reaches a farm
 *   cases     result files as lava-test-set / lava-test-case commands for
 *             a LAVA test shell: a test set per benchmark, a case per
 *             benchmark case with its median and unit, skip and fail
 *             from drmbench's own outcome
 *
 * LAVA's single measurement per case is for its charts; the result files
 * stay the source of truth (scripts/lava-import brings them back).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "appendf.h"
#include "commands.h"
#include "result.h"
#include "stats.h"

#define EXIT_INVALID 1
#define EXIT_USAGE 2
#define MAX_TEXT (1 << 20)
#define MAX_DEFS 64
/* LAVA keeps test set and case names in 100-character fields. */
#define LAVA_NAME_MAX 100

static void usage(FILE *out)
{
	fprintf(out,
		"usage: drmbench lava render [-D KEY=VALUE]... [-o FILE] TEMPLATE\n"
		"       drmbench lava validate JOB...\n"
		"       drmbench lava cases RESULT...\n"
		"\n"
		"render    print TEMPLATE (a LAVA job definition, ci/lava/templates/)\n"
		"          with every {{KEY}} replaced by its -D value; a {{KEY}}\n"
		"          without a value, a -D the template does not use, or a\n"
		"          value with a quote, backslash or control character is\n"
		"          an error. The result is validated before it is written.\n"
		"  -D, --define KEY=VALUE  a placeholder's value (repeatable)\n"
		"  -o, --output FILE       write FILE (never replaced) instead of stdout\n"
		"validate  check rendered job definitions: no placeholder left, no\n"
		"          tab in indentation, the top-level keys LAVA requires, a\n"
		"          deploy, boot and test action in that order, and a\n"
		"          sha256sum beside every url.\n"
		"cases     print the lava-test-set and lava-test-case commands for\n"
		"          RESULT files (drmbench run's output): a test set per\n"
		"          benchmark, a case per benchmark case measured with the\n"
		"          median of its runs, skipped and failed cases as skip\n"
		"          and fail. A LAVA test shell runs them with sh.\n"
		"\n"
		"Exit status: 0 done (valid), 1 invalid job definition, 2 usage or\n"
		"input error.\n");
}

/* ---- shared: a whole text file ------------------------------------------- */

static int read_text(const char *path, char **out, char *err, size_t errlen)
{
	struct stat st;
	char *buf;
	size_t n;
	FILE *f;
	int fd;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	if (st.st_size > MAX_TEXT) {
		snprintf(err, errlen, "%s: larger than %d bytes", path, MAX_TEXT);
		close(fd);
		return -EFBIG;
	}
	f = fdopen(fd, "r");
	buf = malloc((size_t)st.st_size + 1);
	if (!f || !buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		free(buf);
		if (f)
			fclose(f);
		else
			close(fd);
		return -ENOMEM;
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	buf[n] = '\0';
	if (strlen(buf) != n) {
		snprintf(err, errlen, "%s: holds a NUL byte: not a text file", path);
		free(buf);
		return -EINVAL;
	}
	*out = buf;
	return 0;
}

static size_t line_of(const char *text, const char *p)
{
	size_t n = 1;

	for (; text < p; text++)
		n += *text == '\n';
	return n;
}

/* ---- validate -------------------------------------------------------------- */

static size_t indent_of(const char *line)
{
	size_t i = 0;

	while (line[i] == ' ')
		i++;
	return i;
}

static int is_sha256(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!strchr("0123456789abcdef", s[i]) || !s[i])
			return 0;
	return !s[64] || strchr(" \r\"'", s[64]);
}

/*
 * 0 when text (named path) is a job definition LAVA would accept in these
 * respects; else prints every problem as "PATH:LINE: what" and returns
 * the number found.
 */
static int validate_text(const char *path, const char *text)
{
	static const char *const top[] = { "device_type", "job_name", "timeouts",
					   "visibility", "actions" };
	static const char *const order[] = { "deploy", "boot", "test" };
	int have[5] = { 0 }, problems = 0;
	size_t first[3] = { 0 };
	char *copy = strdup(text), *line, *next;
	size_t lineno = 0, i, nlines = 0;
	char **lines;

	if (!copy)
		return 1;
	for (i = 0; copy[i]; i++)
		nlines += copy[i] == '\n';
	lines = calloc(nlines + 2, sizeof(*lines));
	if (!lines) {
		free(copy);
		return 1;
	}
	for (line = copy; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lines[lineno++] = line;
	}
	nlines = lineno;
	for (lineno = 0; lineno < nlines; lineno++) {
		const char *l = lines[lineno], *p;
		size_t ind = indent_of(l);

		for (p = l; *p; p++) {
			if (*p == '\t' && p - l <= (long)ind) {
				printf("%s:%zu: a tab in the indentation (YAML allows spaces only)\n",
				       path, lineno + 1);
				problems++;
				break;
			}
			if ((unsigned char)*p < 0x20 && *p != '\t' && *p != '\r') {
				printf("%s:%zu: a control character\n", path, lineno + 1);
				problems++;
				break;
			}
		}
		p = strstr(l, "{{");
		if (p) {
			printf("%s:%zu: a placeholder left unrendered: %.40s\n", path, lineno + 1, p);
			problems++;
		}
		if (ind == 0 && l[0] != '#' && l[0] != '-')
			for (i = 0; i < 5; i++)
				if (!strncmp(l, top[i], strlen(top[i])) && l[strlen(top[i])] == ':')
					have[i] = 1;
		/* the first "- deploy:", "- boot:" and "- test:" */
		if (l[ind] == '-' && l[ind + 1] == ' ')
			for (i = 0; i < 3; i++) {
				size_t k = strlen(order[i]);

				if (!first[i] && !strncmp(l + ind + 2, order[i], k) &&
				    l[ind + 2 + k] == ':')
					first[i] = lineno + 1;
			}
		/* url: needs a sha256sum: at the same indentation in its mapping */
		if (!strncmp(l + ind, "url:", 4) ||
		    (l[ind] == '-' && !strncmp(l + ind + 2, "url:", 4))) {
			size_t want = l[ind] == '-' ? ind + 2 : ind, j;
			int ok = 0;

			for (j = lineno + 1; j < nlines; j++) {
				const char *m = lines[j];
				size_t mi = indent_of(m);

				if (!m[mi] || m[mi] == '#')
					continue;
				if (mi < want || (mi == want - 2 && m[mi] == '-'))
					break;
				if (mi == want && !strncmp(m + mi, "sha256sum:", 10)) {
					const char *v = m + mi + 10;

					while (*v == ' ' || *v == '"' || *v == '\'')
						v++;
					ok = is_sha256(v);
					break;
				}
			}
			if (!ok) {
				printf("%s:%zu: a url without a sha256sum (64 lower-case hex digits) beside it\n",
				       path, lineno + 1);
				problems++;
			}
		}
	}
	for (i = 0; i < 5; i++)
		if (!have[i]) {
			printf("%s: no top-level '%s:'\n", path, top[i]);
			problems++;
		}
	if (!first[0] || !first[1] || !first[2] || first[0] > first[1] || first[1] > first[2]) {
		printf("%s: the actions need a deploy, a boot and a test action, in that order\n",
		       path);
		problems++;
	}
	free(lines);
	free(copy);
	return problems;
}

static int lava_validate(int argc, char **argv)
{
	int i, bad = 0, err_input = 0;

	if (argc < 2) {
		fprintf(stderr, "drmbench lava validate: no job definition given\n");
		return EXIT_USAGE;
	}
	for (i = 1; i < argc; i++) {
		char err[512], *text;
		int n;

		if (read_text(argv[i], &text, err, sizeof(err))) {
			fprintf(stderr, "drmbench lava validate: %s\n", err);
			err_input = 1;
			continue;
		}
		n = validate_text(argv[i], text);
		if (n) {
			printf("%s: INVALID (%d problem%s)\n", argv[i], n, n == 1 ? "" : "s");
			bad = 1;
		} else {
			printf("%s: ok\n", argv[i]);
		}
		free(text);
	}
	return err_input ? EXIT_USAGE : bad ? EXIT_INVALID : 0;
}

/* ---- render ---------------------------------------------------------------- */

struct define {
	char *key;
	const char *value;
	int used;
};

static int key_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static int value_ok(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 || *v == 0x7f || *v == '"' || *v == '\\')
			return 0;
	return 1;
}

/* Writes text to path without ever replacing a file: a temporary, linked. */
static int write_new(const char *path, const char *text, char *err, size_t errlen)
{
	char tmp[4096];
	size_t off = 0, n = strlen(text);
	FILE *f;
	int fd, ret = 0;

	if (drmb_appendf(tmp, sizeof(tmp), &off, "%s.tmp.%ld", path, (long)getpid())) {
		snprintf(err, errlen, "%s: name too long", path);
		return -ENAMETOOLONG;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create its temporary: %s", path, strerror(errno));
		return -errno;
	}
	f = fdopen(fd, "w");
	if (!f || fwrite(text, 1, n, f) != n || fflush(f) || fsync(fd))
		ret = -EIO;
	if (f)
		fclose(f);
	else
		close(fd);
	if (!ret && link(tmp, path))
		ret = -errno;
	unlink(tmp);
	if (ret == -EEXIST)
		snprintf(err, errlen, "%s exists: it is never replaced", path);
	else if (ret)
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
	return ret;
}

static int lava_render(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "define", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct define defs[MAX_DEFS];
	size_t ndefs = 0, i, off = 0, cap;
	const char *output = NULL, *p, *tpl;
	char err[512], *text = NULL, *out = NULL;
	int c, ret = EXIT_USAGE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+D:ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'D': {
			const char *eq = strchr(optarg, '=');
			size_t k;

			if (!eq || eq == optarg) {
				fprintf(stderr, "drmbench lava render: -D '%s': want KEY=VALUE\n", optarg);
				goto out;
			}
			for (p = optarg; p < eq; p++)
				if (!key_char(*p)) {
					fprintf(stderr, "drmbench lava render: -D '%s': a KEY is upper-case letters, digits and _\n",
						optarg);
					goto out;
				}
			if (!eq[1] || !value_ok(eq + 1)) {
				fprintf(stderr, "drmbench lava render: -D '%s': the value is empty or holds a quote, backslash or control character\n",
					optarg);
				goto out;
			}
			for (k = 0; k < ndefs; k++)
				if (strlen(defs[k].key) == (size_t)(eq - optarg) &&
				    !strncmp(defs[k].key, optarg, (size_t)(eq - optarg))) {
					fprintf(stderr, "drmbench lava render: -D %s given twice\n", defs[k].key);
					goto out;
				}
			if (ndefs == MAX_DEFS) {
				fprintf(stderr, "drmbench lava render: more than %d -D\n", MAX_DEFS);
				goto out;
			}
			defs[ndefs].key = strndup(optarg, (size_t)(eq - optarg));
			defs[ndefs].value = eq + 1;
			defs[ndefs].used = 0;
			if (!defs[ndefs].key)
				goto out;
			ndefs++;
			break;
		}
		case 'h':
			usage(stdout);
			ret = 0;
			goto out;
		case 'o':
			output = optarg;
			break;
		default:
			goto out;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "drmbench lava render: want exactly one TEMPLATE\n");
		goto out;
	}
	tpl = argv[optind];
	if (read_text(tpl, &text, err, sizeof(err))) {
		fprintf(stderr, "drmbench lava render: %s\n", err);
		goto out;
	}
	cap = strlen(text) + 1;
	for (i = 0; i < ndefs; i++)
		cap += 64 * strlen(defs[i].value);
	out = malloc(cap);
	if (!out)
		goto out;
	out[0] = '\0';
	for (p = text; *p; ) {
		const char *end, *k;
		struct define *d = NULL;

		if (p[0] != '{' || p[1] != '{') {
			if (drmb_appendf(out, cap, &off, "%c", *p++))
				goto too_long;
			continue;
		}
		for (k = p + 2, end = k; key_char(*end); end++)
			;
		if (end == k || end[0] != '}' || end[1] != '}') {
			fprintf(stderr, "drmbench lava render: %s:%zu: '{{' not followed by KEY}}\n",
				tpl, line_of(text, p));
			goto out;
		}
		for (i = 0; i < ndefs; i++)
			if (strlen(defs[i].key) == (size_t)(end - k) &&
			    !strncmp(defs[i].key, k, (size_t)(end - k)))
				d = &defs[i];
		if (!d) {
			fprintf(stderr, "drmbench lava render: %s:%zu: {{%.*s}} has no value (give -D %.*s=...)\n",
				tpl, line_of(text, p), (int)(end - k), k, (int)(end - k), k);
			goto out;
		}
		d->used = 1;
		if (drmb_appendf(out, cap, &off, "%s", d->value))
			goto too_long;
		p = end + 2;
	}
	for (i = 0; i < ndefs; i++)
		if (!defs[i].used) {
			fprintf(stderr, "drmbench lava render: -D %s: %s has no {{%s}}\n",
				defs[i].key, tpl, defs[i].key);
			goto out;
		}
	if (validate_text(output ? output : "<rendered>", out)) {
		fprintf(stderr, "drmbench lava render: the rendered %s is not a valid job definition (above)\n",
			tpl);
		ret = EXIT_INVALID;
		goto out;
	}
	if (output) {
		if (write_new(output, out, err, sizeof(err))) {
			fprintf(stderr, "drmbench lava render: %s\n", err);
			goto out;
		}
	} else if (fputs(out, stdout) == EOF || fflush(stdout)) {
		goto out;
	}
	ret = 0;
	goto out;
too_long:
	fprintf(stderr, "drmbench lava render: %s: the rendered job is too long\n", tpl);
out:
	for (i = 0; i < ndefs; i++)
		free(defs[i].key);
	free(text);
	free(out);
	return ret;
}

/* ---- cases ----------------------------------------------------------------- */

struct lava_case {
	char set[LAVA_NAME_MAX + 1];
	char name[LAVA_NAME_MAX + 1];
	const char *result;
	double value;
	char unit[64];
	int measured;
};

struct case_list {
	struct lava_case *v;
	size_t n, cap;
};

static int case_push(struct case_list *l, const struct lava_case *c)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct lava_case *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *c;
	return 0;
}

/* A LAVA name: [A-Za-z0-9._-], '=' as '-', '/' as '.', at most 100 bytes
 * (a longer one keeps its first 91 bytes and an FNV-1a hash of the whole). */
static void lava_name(char *dst, const char *src)
{
	unsigned int h = 2166136261u;
	size_t i, n = 0;

	for (i = 0; src[i]; i++) {
		char ch = src[i];

		h = (h ^ (unsigned char)ch) * 16777619u;
		if (ch == '/')
			ch = '.';
		else if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			   (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
			ch = '-';
		if (n < LAVA_NAME_MAX)
			dst[n] = ch;
		n++;
	}
	if (n > LAVA_NAME_MAX)
		snprintf(dst + 91, LAVA_NAME_MAX + 1 - 91, "-%08x", h);
	else
		dst[n] = '\0';
}

/* "SyncobjWake/path=x/..." -> set "SyncobjWake", case "path-x...". */
static void split_case(const char *name, struct lava_case *c)
{
	const char *slash = strchr(name, '/');
	char set[256];

	snprintf(set, sizeof(set), "%.*s", slash ? (int)(slash - name) : (int)strlen(name), name);
	lava_name(c->set, set);
	lava_name(c->name, slash ? slash + 1 : "default");
}

/* The unit a case reports to LAVA: ns/op (its p50), else the first. */
static const char *main_unit(const struct drmb_bench_line *l)
{
	size_t j;

	for (j = 0; j < l->nmetrics; j++)
		if (!strcmp(l->metrics[j].unit, "ns/op"))
			return "ns/op";
	return l->nmetrics ? l->metrics[0].unit : NULL;
}

static int file_cases(const char *path, struct case_list *l)
{
	struct drmb_result_file f;
	char err[512], *text, *p;
	size_t i, j, k;
	int ret;

	ret = drmb_result_read(path, &f, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "drmbench lava cases: %s\n", err);
		return ret;
	}
	for (i = 0; i < f.nlines && !ret; i++) {
		const struct drmb_bench_line *a = &f.lines[i];
		const char *unit = main_unit(a);
		struct lava_case c = { .result = "pass" };
		double *v;
		size_t n = 0;

		for (k = 0; k < i; k++)
			if (!strcmp(f.lines[k].name, a->name))
				break;
		if (k < i || !unit)
			continue;	/* counted with its first run */
		v = malloc(f.nlines * sizeof(*v));
		if (!v) {
			ret = -ENOMEM;
			break;
		}
		for (k = i; k < f.nlines; k++) {
			if (strcmp(f.lines[k].name, a->name))
				continue;
			for (j = 0; j < f.lines[k].nmetrics; j++)
				if (!strcmp(f.lines[k].metrics[j].unit, unit))
					v[n++] = f.lines[k].metrics[j].value;
		}
		split_case(a->name, &c);
		c.value = drmb_median_double(v, n);
		c.measured = 1;
		snprintf(c.unit, sizeof(c.unit), "%s", unit);
		free(v);
		ret = case_push(l, &c);
	}
	drmb_result_free(&f);
	if (ret)
		return ret;
	/* Skipped and failed cases are comments: "# skip BenchmarkX: why". */
	if (read_text(path, &text, err, sizeof(err))) {
		fprintf(stderr, "drmbench lava cases: %s\n", err);
		return -EINVAL;
	}
	for (p = text; p && *p && !ret; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		struct lava_case c = { 0 };
		const char *what = NULL;
		char name[512];
		size_t len;

		if (!strncmp(p, "# skip Benchmark", 16))
			what = "skip";
		else if (!strncmp(p, "# fail Benchmark", 16))
			what = "fail";
		if (!what)
			continue;
		len = strcspn(p + 16, ": \n");
		snprintf(name, sizeof(name), "%.*s", (int)len, p + 16);
		split_case(name, &c);
		c.result = what;
		ret = case_push(l, &c);
	}
	free(text);
	return ret;
}

static int lava_cases(int argc, char **argv)
{
	struct case_list l = { 0 };
	size_t i, j;
	int a, ret = 0;

	if (argc < 2) {
		fprintf(stderr, "drmbench lava cases: no result file given\n");
		return EXIT_USAGE;
	}
	for (a = 1; a < argc && !ret; a++)
		ret = file_cases(argv[a], &l);
	if (ret) {
		free(l.v);
		return EXIT_USAGE;
	}
	/* One test set per benchmark, in order of first appearance. */
	for (i = 0; i < l.n; i++) {
		for (j = 0; j < i; j++)
			if (!strcmp(l.v[j].set, l.v[i].set))
				break;
		if (j < i)
			continue;
		printf("lava-test-set start %s\n", l.v[i].set);
		for (j = i; j < l.n; j++) {
			const struct lava_case *c = &l.v[j];

			if (strcmp(c->set, l.v[i].set))
				continue;
			if (c->measured)
				printf("lava-test-case %s --result %s --measurement %.6f --units %s\n",
				       c->name, c->result, c->value, c->unit);
			else
				printf("lava-test-case %s --result %s\n", c->name, c->result);
		}
		printf("lava-test-set stop %s\n", l.v[i].set);
	}
	free(l.v);
	return fflush(stdout) ? EXIT_USAGE : 0;
}

int cmd_lava(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "render"))
		return lava_render(argc - 1, argv + 1);
	if (!strcmp(argv[1], "validate"))
		return lava_validate(argc - 1, argv + 1);
	if (!strcmp(argv[1], "cases"))
		return lava_cases(argc - 1, argv + 1);
	fprintf(stderr, "drmbench lava: unknown verb '%s' (render, validate or cases)\n", argv[1]);
	return EXIT_USAGE;
}
