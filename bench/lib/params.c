// SPDX-License-Identifier: MIT
/*
 * Benchmark parameters: parsing, validation against the descriptor, and the
 * accessors a benchmark uses on its case. "placement" is a parameter of
 * every two-thread benchmark, handled by the runner.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appendf.h"
#include "env.h"
#include "runner.h"

static const struct drmb_param *find_param(const struct drmb_bench *b, const char *name)
{
	const struct drmb_param *p;

	for (p = b->params; p && p->name; p++)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

int drmb_override_parse(struct drmb_override *o, const char *kv,
			char *err, size_t errlen)
{
	const char *eq = strchr(kv, '=');
	size_t klen;

	memset(o, 0, sizeof(*o));
	if (!eq || eq == kv || !eq[1]) {
		snprintf(err, errlen, "'%s': expected key=value", kv);
		return -EINVAL;
	}
	klen = eq - kv;
	if (klen >= sizeof(o->key) || strlen(eq + 1) >= sizeof(o->value)) {
		snprintf(err, errlen, "'%.40s...': key or value too long", kv);
		return -EINVAL;
	}
	memcpy(o->key, kv, klen);
	snprintf(o->value, sizeof(o->value), "%s", eq + 1);
	return 0;
}

int drmb_entry_set(struct drmb_entry *e, const struct drmb_override *o,
		   char *err, size_t errlen)
{
	unsigned int i;

	for (i = 0; i < e->nov; i++) {
		if (!strcmp(e->ov[i].key, o->key)) {
			e->ov[i] = *o;
			return 0;
		}
	}
	if (e->nov == DRMB_MAX_OVERRIDES) {
		snprintf(err, errlen, "%s: more than %d parameters", e->bench->name,
			 DRMB_MAX_OVERRIDES);
		return -E2BIG;
	}
	e->ov[e->nov++] = *o;
	return 0;
}

int drmb_param_parse(const struct drmb_param *p, const char *text,
		     int64_t *out, char *err, size_t errlen)
{
	long long v;
	char *end;
	int i;

	if (p->type == DRMB_PARAM_ENUM) {
		for (i = 0; p->choices[i]; i++) {
			if (!strcmp(p->choices[i], text)) {
				*out = i;
				return 0;
			}
		}
		{
			size_t off = 0;

			drmb_appendf(err, errlen, &off, "parameter %s: '%s' is not one of:",
				     p->name, text);
			for (i = 0; p->choices[i] && off < errlen; i++)
				drmb_appendf(err, errlen, &off, " %s", p->choices[i]);
		}
		return -EINVAL;
	}

	errno = 0;
	v = strtoll(text, &end, 10);
	if (end == text || errno) {
		snprintf(err, errlen, "parameter %s: '%s' is not an integer%s", p->name, text,
			 errno == ERANGE ? " in range" : "");
		return -EINVAL;
	}
	/* Binary suffixes, for sizes and counts alike: 4k, 2M, 1G. */
	if (*end && !end[1] && strchr("kKmMgG", *end)) {
		int shift = tolower((unsigned char)*end) == 'k' ? 10 :
			    tolower((unsigned char)*end) == 'm' ? 20 : 30;

		if (v > (LLONG_MAX >> shift) || v < (LLONG_MIN >> shift)) {
			snprintf(err, errlen, "parameter %s: '%s' overflows", p->name, text);
			return -ERANGE;
		}
		v *= 1ll << shift;
		end++;
	}
	if (*end) {
		snprintf(err, errlen, "parameter %s: '%s' has trailing garbage '%s'",
			 p->name, text, end);
		return -EINVAL;
	}
	if (v < p->min || v > p->max) {
		snprintf(err, errlen, "parameter %s: %lld is outside [%lld, %lld]",
			 p->name, v, (long long)p->min, (long long)p->max);
		return -ERANGE;
	}
	*out = v;
	return 0;
}

/* Calls fn for each comma-separated item of list; stops at the first error. */
static int each_value(const char *list, int (*fn)(const char *v, void *arg), void *arg)
{
	char buf[160], *save = NULL, *tok;
	int ret;

	snprintf(buf, sizeof(buf), "%s", list);
	if (!buf[0] || buf[0] == ',' || buf[strlen(buf) - 1] == ',' || strstr(buf, ",,"))
		return fn("", arg);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		ret = fn(tok, arg);
		if (ret)
			return ret;
	}
	return 0;
}

struct check_arg {
	const struct drmb_param *p;
	char *err;
	size_t errlen;
};

static int check_one(const char *v, void *arg)
{
	struct check_arg *a = arg;
	int64_t out;

	if (!v[0]) {
		snprintf(a->err, a->errlen, "parameter %s: empty value in list", a->p->name);
		return -EINVAL;
	}
	return drmb_param_parse(a->p, v, &out, a->err, a->errlen);
}

static int check_placement(const char *v, void *arg)
{
	struct check_arg *a = arg;
	const char *const *n;
	size_t off = 0;

	for (n = drmb_placement_names; *n; n++)
		if (!strcmp(*n, v))
			return 0;
	drmb_appendf(a->err, a->errlen, &off, "unknown placement '%s' (known:", v);
	for (n = drmb_placement_names; *n && off < a->errlen; n++)
		drmb_appendf(a->err, a->errlen, &off, " %s", *n);
	drmb_appendf(a->err, a->errlen, &off, ")");
	return -EINVAL;
}

int drmb_placements_validate(const char *list, char *err, size_t errlen)
{
	struct check_arg a = { .err = err, .errlen = errlen };

	return each_value(list, check_placement, &a);
}

int drmb_entry_validate(const struct drmb_entry *e, char *err, size_t errlen)
{
	const struct drmb_param *p;
	struct check_arg a = { .err = err, .errlen = errlen };
	unsigned int i;
	int ret;

	for (i = 0; i < e->nov; i++) {
		if (!strcmp(e->ov[i].key, "placement")) {
			if (!(e->bench->flags & DRMB_BENCH_TWO_THREADS)) {
				snprintf(err, errlen, "%s: benchmark %s is single-threaded: placement does not apply",
					 e->origin, e->bench->name);
				return -EINVAL;
			}
			ret = each_value(e->ov[i].value, check_placement, &a);
		} else {
			p = find_param(e->bench, e->ov[i].key);
			if (!p) {
				snprintf(err, errlen, "%s: benchmark %s has no parameter '%s' (see: drmbench list %s)",
					 e->origin, e->bench->name, e->ov[i].key, e->bench->name);
				return -EINVAL;
			}
			a.p = p;
			ret = each_value(e->ov[i].value, check_one, &a);
		}
		if (ret) {
			size_t len = strlen(err);
			char tmp[DRMB_WHY_LEN];

			snprintf(tmp, sizeof(tmp), "%s", err);
			if (len < errlen)
				snprintf(err, errlen, "%s: %s: %s", e->origin, e->bench->name, tmp);
			return ret;
		}
	}
	/* Defaults are part of the descriptor; a bad one is a bug caught here. */
	for (p = e->bench->params; p && p->name; p++) {
		a.p = p;
		ret = each_value(p->def, check_one, &a);
		if (ret) {
			char tmp[DRMB_WHY_LEN];

			snprintf(tmp, sizeof(tmp), "%s", err);
			snprintf(err, errlen, "benchmark %s: the default of %s is invalid (a bug in its descriptor): %s",
				 e->bench->name, p->name, tmp);
			return ret;
		}
	}
	return 0;
}

/* ---- case accessors ----------------------------------------------------- */

static int param_index(const struct drmb_bench *b, const char *name)
{
	int i;

	for (i = 0; b->params && b->params[i].name; i++)
		if (!strcmp(b->params[i].name, name))
			return i;
	return -1;
}

int64_t drmb_case_int(const struct drmb_case *c, const char *param)
{
	int i = param_index(c->bench, param);

	return i < 0 ? 0 : c->val[i];
}

const char *drmb_case_str(const struct drmb_case *c, const char *param)
{
	int i = param_index(c->bench, param);

	return i < 0 ? "" : c->valstr[i];
}

void drmb_case_metric(struct drmb_case *c, const char *unit, double value)
{
	unsigned int i;

	for (i = 0; i < c->nmetrics; i++) {
		if (!strcmp(c->metric[i].unit, unit)) {
			c->metric[i].value = value;
			return;
		}
	}
	if (c->nmetrics < sizeof(c->metric) / sizeof(c->metric[0])) {
		c->metric[c->nmetrics].unit = unit;
		c->metric[c->nmetrics++].value = value;
	}
}

int drmb_why(struct drmb_case *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
	return err;
}
