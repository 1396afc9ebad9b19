// SPDX-License-Identifier: MIT
/*
 * Suites: text lists of benchmarks, one per line, `bench [key=value ...]`,
 * '#' comments. The files in workloads/ are compiled into the binary (so a
 * static drmbench in a guest has them); a path names a file of one's own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"

static int parse_suite(const char *name, const char *text,
		       struct drmb_entry **entries, size_t *n,
		       char *err, size_t errlen)
{
	char *copy = strdup(text), *line, *save = NULL;
	struct drmb_entry *list = NULL;
	unsigned int lineno = 0;
	size_t count = 0, cap = 0;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	/* strsep keeps empty lines, so line numbers stay right. */
	save = copy;
	while ((line = strsep(&save, "\n"))) {
		char *tok, *tsave = NULL;
		struct drmb_entry *e;

		lineno++;
		line[strcspn(line, "#")] = '\0';
		tok = strtok_r(line, " \t\r", &tsave);
		if (!tok)
			continue;
		if (count == cap) {
			cap = cap ? 2 * cap : 16;
			e = realloc(list, cap * sizeof(*e));
			if (!e) {
				ret = -ENOMEM;
				break;
			}
			list = e;
		}
		e = &list[count];
		memset(e, 0, sizeof(*e));
		snprintf(e->origin, sizeof(e->origin), "suite %s line %u", name, lineno);
		e->bench = drmb_bench_find(tok);
		if (!e->bench) {
			snprintf(err, errlen, "%s: unknown benchmark '%s' (see: drmbench list)",
				 e->origin, tok);
			ret = -EINVAL;
			break;
		}
		while ((tok = strtok_r(NULL, " \t\r", &tsave))) {
			struct drmb_override o;

			ret = drmb_override_parse(&o, tok, err, errlen);
			if (!ret)
				ret = drmb_entry_set(e, &o, err, errlen);
			if (ret) {
				char tmp[256];

				snprintf(tmp, sizeof(tmp), "%s", err);
				snprintf(err, errlen, "%s: %s", e->origin, tmp);
				break;
			}
		}
		if (ret)
			break;
		ret = drmb_entry_validate(e, err, errlen);
		if (ret)
			break;
		count++;
	}
	free(copy);
	if (!ret && !count) {
		snprintf(err, errlen, "suite %s: no benchmarks in it", name);
		ret = -EINVAL;
	}
	if (ret) {
		free(list);
		return ret;
	}
	*entries = list;
	*n = count;
	return 0;
}

int drmb_suite_load(const char *name_or_path, struct drmb_entry **entries,
		    size_t *n, char *err, size_t errlen)
{
	const struct drmb_suite_src *s;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	if (!strchr(name_or_path, '/')) {
		for (s = drmb_builtin_suites; s->name; s++)
			if (!strcmp(s->name, name_or_path))
				return parse_suite(s->name, s->text, entries, n, err, errlen);
		snprintf(err, errlen, "'%s' is neither a benchmark nor a suite (see: drmbench list)",
			 name_or_path);
		return -ENOENT;
	}
	f = fopen(name_or_path, "r");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "suite %s: %s", name_or_path, strerror(errno));
		return ret;
	}
	if (getdelim(&text, &len, '\0', f) < 0 || ferror(f)) {
		fclose(f);
		free(text);
		snprintf(err, errlen, "suite %s: empty or unreadable", name_or_path);
		return -EINVAL;
	}
	fclose(f);
	ret = parse_suite(name_or_path, text, entries, n, err, errlen);
	free(text);
	return ret;
}
