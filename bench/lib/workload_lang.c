// SPDX-License-Identifier: MIT
/*
 * The workload language (docs/workloads.md has the grammar and examples).
 * Line-oriented like gem_wsim's, but one statement a line and words, not
 * dotted fields:
 *
 *   workload NAME
 *   description TEXT...
 *   time-cap DUR
 *   client NAME [count=N] [priority=low|normal|high] [engine=N]
 *               [period=DUR] [depth=N] [rt=PRIO]
 *     submit DUR[-DUR] [after=STEP]
 *     wait STEP
 *     sleep DUR
 *
 * Steps belong to the client above them and are numbered from 1. Every
 * error names the line and what was expected there.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workload.h"

struct lang {
	const char *origin;
	unsigned int line;
	char *err;
	size_t errlen;
};

static int fail(struct lang *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct lang *l, const char *fmt, ...)
{
	size_t off;
	va_list ap;

	snprintf(l->err, l->errlen, "%s:%u: ", l->origin, l->line);
	off = strlen(l->err);
	va_start(ap, fmt);
	vsnprintf(l->err + off, l->errlen - off, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int drmb_wl_parse_duration(const char *s, uint64_t *ns)
{
	static const struct { const char *unit; double scale; } units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
	};
	char *end;
	double v;
	size_t i;

	if (!s || (*s < '0' || *s > '9'))
		return -EINVAL;
	v = strtod(s, &end);
	if (end == s)
		return -EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(end, units[i].unit)) {
			v *= units[i].scale;
			/* An hour is far beyond any cycle worth measuring. */
			if (v > 3.6e12)
				return -ERANGE;
			*ns = (uint64_t)(v + 0.5);
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_uint(struct lang *l, const char *key, const char *v, unsigned int min,
		      unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long n;

	if (!v || *v < '0' || *v > '9')
		return fail(l, "%s: expected an integer %u..%u, got '%s'", key, min, max, v ? v : "");
	n = strtoul(v, &end, 10);
	if (*end || n < min || n > max)
		return fail(l, "%s: expected an integer %u..%u, got '%s'", key, min, max, v);
	*out = n;
	return 0;
}

static int parse_dur(struct lang *l, const char *what, const char *v, uint64_t *ns)
{
	int ret = drmb_wl_parse_duration(v, ns);

	if (ret == -ERANGE)
		return fail(l, "%s: '%s' is longer than an hour", what, v);
	if (ret)
		return fail(l, "%s: expected a duration such as 500us, 8ms or 1.5s, got '%s'",
			    what, v ? v : "nothing");
	return 0;
}

static int valid_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= DRMB_WL_NAME_LEN)
		return 0;
	/* Names become parts of result units: no '/', '=', spaces. */
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

static int parse_client(struct lang *l, struct drmb_workload *w, char **save)
{
	static const char *const prios[] = { "low", "normal", "high" };
	struct drmb_wl_group *g;
	char *tok;
	unsigned int i;
	int ret;

	if (w->ngroups == DRMB_WL_MAX_GROUPS)
		return fail(l, "at most %u clients per workload (use count=N for identical ones)",
			    DRMB_WL_MAX_GROUPS);
	g = &w->group[w->ngroups];
	tok = strtok_r(NULL, " \t\r", save);
	if (!tok || strchr(tok, '='))
		return fail(l, "client: expected a name first (client NAME [key=value...])");
	if (!valid_name(tok))
		return fail(l, "client: '%s' is not a name of 1-%d characters a-z 0-9 - _",
			    tok, DRMB_WL_NAME_LEN - 1);
	for (i = 0; i < w->ngroups; i++)
		if (!strcmp(w->group[i].name, tok))
			return fail(l, "client: '%s' is defined twice", tok);
	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", tok);
	g->count = 1;
	g->priority = 1;
	g->depth = 1;
	while ((tok = strtok_r(NULL, " \t\r", save))) {
		char *v = strchr(tok, '=');

		if (!v)
			return fail(l, "client %s: expected key=value, got '%s'", g->name, tok);
		*v++ = '\0';
		if (!strcmp(tok, "count")) {
			ret = parse_uint(l, "count", v, 1, DRMB_WL_MAX_CLIENTS, &g->count);
		} else if (!strcmp(tok, "priority")) {
			for (i = 0; i < 3 && strcmp(v, prios[i]); i++)
				;
			if (i == 3)
				return fail(l, "priority: expected low, normal or high, got '%s'", v);
			g->priority = i;
			ret = 0;
		} else if (!strcmp(tok, "engine")) {
			ret = parse_uint(l, "engine", v, 0, 15, &g->engine);
		} else if (!strcmp(tok, "period")) {
			ret = parse_dur(l, "period", v, &g->period_ns);
		} else if (!strcmp(tok, "depth")) {
			ret = parse_uint(l, "depth", v, 1, DRMB_WL_MAX_INFLIGHT, &g->depth);
		} else if (!strcmp(tok, "rt")) {
			unsigned int p;

			ret = parse_uint(l, "rt", v, 1, 99, &p);
			g->rt_prio = p;
		} else {
			return fail(l, "client %s: unknown key '%s' (expected count, priority, engine, period, depth or rt)",
				    g->name, tok);
		}
		if (ret)
			return ret;
	}
	w->ngroups++;
	return 0;
}

static int parse_step_ref(struct lang *l, const struct drmb_wl_group *g, const char *what,
			  const char *v, int *out)
{
	unsigned int n;
	int ret;

	if (!g->nsteps)
		return fail(l, "%s: no earlier step to refer to", what);
	ret = parse_uint(l, what, v, 1, g->nsteps, &n);
	if (ret)
		return ret;
	if (g->step[n - 1].type != DRMB_WL_SUBMIT)
		return fail(l, "%s: step %u is not a submit", what, n);
	*out = n - 1;
	return 0;
}

static int parse_step(struct lang *l, struct drmb_workload *w, const char *kw, char **save)
{
	struct drmb_wl_group *g;
	struct drmb_wl_step *s;
	char *tok = strtok_r(NULL, " \t\r", save), *dash;
	int ret;

	if (!w->ngroups)
		return fail(l, "'%s' before any 'client' line: steps belong to a client", kw);
	g = &w->group[w->ngroups - 1];
	if (g->nsteps == DRMB_WL_MAX_STEPS)
		return fail(l, "client %s: at most %d steps", g->name, DRMB_WL_MAX_STEPS);
	s = &g->step[g->nsteps];
	memset(s, 0, sizeof(*s));
	s->after = -1;
	if (!strcmp(kw, "submit")) {
		s->type = DRMB_WL_SUBMIT;
		dash = tok ? strchr(tok, '-') : NULL;
		if (dash)
			*dash++ = '\0';
		ret = parse_dur(l, "submit", tok, &s->min_ns);
		if (!ret && dash)
			ret = parse_dur(l, "submit (the range's upper end)", dash, &s->max_ns);
		if (ret)
			return ret;
		if (!dash)
			s->max_ns = s->min_ns;
		if (s->max_ns < s->min_ns)
			return fail(l, "submit: the range %s-%s goes backwards", tok, dash);
		while ((tok = strtok_r(NULL, " \t\r", save))) {
			if (strncmp(tok, "after=", 6))
				return fail(l, "submit: expected after=STEP, got '%s'", tok);
			ret = parse_step_ref(l, g, "after", tok + 6, &s->after);
			if (ret)
				return ret;
		}
		g->nsubmits++;
	} else if (!strcmp(kw, "wait")) {
		s->type = DRMB_WL_WAIT;
		ret = parse_step_ref(l, g, "wait", tok, &s->target);
		if (ret)
			return ret;
		tok = strtok_r(NULL, " \t\r", save);
	} else {
		s->type = DRMB_WL_SLEEP;
		ret = parse_dur(l, "sleep", tok, &s->min_ns);
		if (ret)
			return ret;
		s->max_ns = s->min_ns;
		tok = strtok_r(NULL, " \t\r", save);
	}
	if (s->type != DRMB_WL_SUBMIT && tok)
		return fail(l, "%s: unexpected '%s' after its one argument", kw, tok);
	g->nsteps++;
	return 0;
}

/* What holds for a whole client, checked at the next client or the end. */
static int check_group(struct lang *l, const struct drmb_wl_group *g)
{
	if (!g->nsubmits)
		return fail(l, "client %s has no submit step", g->name);
	if ((uint64_t)g->depth * g->nsubmits > DRMB_WL_MAX_INFLIGHT)
		return fail(l, "client %s: depth %u x %u submits is more than %d jobs in flight",
			    g->name, g->depth, g->nsubmits, DRMB_WL_MAX_INFLIGHT);
	return 0;
}

int drmb_workload_parse(struct drmb_workload *w, const char *origin, const char *text,
			char *err, size_t errlen)
{
	struct lang l = { .origin = origin, .err = err, .errlen = errlen };
	char *copy = strdup(text), *save, *line;
	unsigned int clients = 0, i;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	memset(w, 0, sizeof(*w));
	save = copy;
	while (!ret && (line = strsep(&save, "\n"))) {
		char *tok, *tsave = NULL;

		l.line++;
		line[strcspn(line, "#")] = '\0';
		tok = strtok_r(line, " \t\r", &tsave);
		if (!tok)
			continue;
		if (!strcmp(tok, "workload")) {
			tok = strtok_r(NULL, " \t\r", &tsave);
			if (!tok || !valid_name(tok))
				ret = fail(&l, "workload: expected a name of 1-%d characters a-z 0-9 - _",
					   DRMB_WL_NAME_LEN - 1);
			else if (w->name[0])
				ret = fail(&l, "a second 'workload' line");
			else if (strtok_r(NULL, " \t\r", &tsave))
				ret = fail(&l, "workload: expected one name");
			else
				snprintf(w->name, sizeof(w->name), "%s", tok);
		} else if (!strcmp(tok, "description")) {
			tok = strtok_r(NULL, "\r", &tsave);
			snprintf(w->description, sizeof(w->description), "%s", tok ? tok : "");
		} else if (!strcmp(tok, "time-cap")) {
			uint64_t ns;

			tok = strtok_r(NULL, " \t\r", &tsave);
			if (!tok || drmb_wl_parse_duration(tok, &ns) || !ns)
				ret = fail(&l, "time-cap: expected a duration such as 10s, got '%s'",
					   tok ? tok : "");
			else if (w->time_cap_ns)
				ret = fail(&l, "a second 'time-cap' line");
			else if (strtok_r(NULL, " \t\r", &tsave))
				ret = fail(&l, "time-cap: expected one duration");
			else
				w->time_cap_ns = ns;
		} else if (!strcmp(tok, "client")) {
			if (w->ngroups)
				ret = check_group(&l, &w->group[w->ngroups - 1]);
			if (!ret)
				ret = parse_client(&l, w, &tsave);
		} else if (!strcmp(tok, "submit") || !strcmp(tok, "wait") || !strcmp(tok, "sleep")) {
			ret = parse_step(&l, w, tok, &tsave);
		} else {
			ret = fail(&l, "unknown statement '%s' (expected workload, description, time-cap, client, submit, wait or sleep)",
				   tok);
		}
	}
	free(copy);
	if (ret)
		return ret;
	if (!w->ngroups)
		return fail(&l, "no 'client' line: a workload needs at least one client");
	ret = check_group(&l, &w->group[w->ngroups - 1]);
	if (ret)
		return ret;
	for (i = 0; i < w->ngroups; i++)
		clients += w->group[i].count;
	if (clients > DRMB_WL_MAX_CLIENTS)
		return fail(&l, "%u clients in all, at most %d", clients, DRMB_WL_MAX_CLIENTS);
	if (!w->name[0])
		return fail(&l, "no 'workload NAME' line");
	return 0;
}

int drmb_workload_load(struct drmb_workload *w, const char *path, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0, n;
	FILE *f = fopen(path, "r"), *m;
	char buf[4096];
	int ret;

	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	m = open_memstream(&text, &len);
	if (!m) {
		fclose(f);
		return -ENOMEM;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0 && len < (1 << 20))
		fwrite(buf, 1, n, m);
	ret = ferror(f) ? -EIO : 0;
	fclose(f);
	fclose(m);
	if (ret)
		snprintf(err, errlen, "%s: read error", path);
	else if (len >= (1 << 20))
		ret = -EFBIG, snprintf(err, errlen, "%s: larger than 1 MiB: not a workload", path);
	else if (memchr(text, '\0', len))
		ret = -EINVAL, snprintf(err, errlen, "%s: contains NUL bytes: not a workload", path);
	else
		ret = drmb_workload_parse(w, path, text, err, errlen);
	free(text);
	return ret;
}
