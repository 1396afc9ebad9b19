// SPDX-License-Identifier: MIT
/*
 * Result sets: files named by paths, grouped into series of per-run values
 * by benchmark name, unit and comparability signature.  The signature is
 * the sorted "key=value" list of the configuration keys in effect for a
 * line that drmb_key_is_comparable() (result.c, the one list) says must
 * match, minus the keys the user chose to ignore.  Lines with different
 * signatures land in different series, so the commands can refuse (compare)
 * or separate (trend) them and name the keys that differ.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "resultset.h"

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

enum drmb_direction drmb_unit_direction(const char *unit)
{
	if (ends_with(unit, "/op") && strlen(unit) > 3)
		return DRMB_LOWER_IS_BETTER;
	if (ends_with(unit, "/s") && strlen(unit) > 2)
		return DRMB_HIGHER_IS_BETTER;
	return DRMB_DIRECTION_UNKNOWN;
}

int drmb_ignore_add(struct drmb_ignore *ig, const char *list)
{
	char *copy = strdup(list), *save = NULL, *tok;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char **k = realloc(ig->keys, (ig->n + 1) * sizeof(*k));
		if (!k) {
			free(copy);
			return -ENOMEM;
		}
		ig->keys = k;
		if (!(ig->keys[ig->n] = strdup(tok))) {
			free(copy);
			return -ENOMEM;
		}
		ig->n++;
	}
	free(copy);
	return 0;
}

void drmb_ignore_free(struct drmb_ignore *ig)
{
	for (size_t i = 0; i < ig->n; i++)
		free(ig->keys[i]);
	free(ig->keys);
	ig->keys = NULL;
	ig->n = 0;
}

static int ignored(const struct drmb_ignore *ig, const char *key)
{
	if (ig)
		for (size_t i = 0; i < ig->n; i++)
			if (!strcmp(ig->keys[i], key))
				return 1;
	return 0;
}

void drmb_resultset_init(struct drmb_resultset *rs, const struct drmb_ignore *ignore)
{
	memset(rs, 0, sizeof(*rs));
	rs->ignore = ignore;
}

void drmb_resultset_free(struct drmb_resultset *rs)
{
	for (size_t i = 0; i < rs->nfiles; i++)
		drmb_result_free(&rs->files[i]);
	for (size_t i = 0; i < rs->nseries; i++) {
		free(rs->series[i].name);
		free(rs->series[i].unit);
		free(rs->series[i].pts);
	}
	for (size_t i = 0; i < rs->nsigs; i++)
		free(rs->sigs[i]);
	free(rs->files);
	free(rs->series);
	free(rs->table);
	free(rs->sigs);
	memset(rs, 0, sizeof(*rs));
}

/* ---- signatures ---------------------------------------------------------- */

static int cmp_kv_key(const void *a, const void *b)
{
	return strcmp(((const struct drmb_kv *)a)->key, ((const struct drmb_kv *)b)->key);
}

/* Interned signature of the comparable keys in effect for config[0..nconfig). */
static const char *signature(struct drmb_resultset *rs, const struct drmb_result_file *f,
			     size_t nconfig)
{
	struct drmb_kv *eff = malloc((nconfig ? nconfig : 1) * sizeof(*eff));
	size_t neff = 0, len = 1;
	char *sig, *p;

	if (!eff)
		return NULL;
	/* the last value before the line wins (Go benchmark format) */
	for (size_t i = 0; i < nconfig; i++) {
		const struct drmb_kv *kv = &f->config[i];
		size_t k;
		if (!drmb_key_is_comparable(kv->key) || ignored(rs->ignore, kv->key))
			continue;
		for (k = 0; k < neff && strcmp(eff[k].key, kv->key); k++)
			;
		eff[k] = *kv;
		if (k == neff)
			neff++;
	}
	qsort(eff, neff, sizeof(*eff), cmp_kv_key);
	for (size_t k = 0; k < neff; k++)
		len += strlen(eff[k].key) + strlen(eff[k].value) + 2;
	sig = p = malloc(len);
	if (!sig) {
		free(eff);
		return NULL;
	}
	*p = '\0';
	for (size_t k = 0; k < neff; k++)
		p += sprintf(p, "%s=%s\n", eff[k].key, eff[k].value);
	free(eff);

	for (size_t i = 0; i < rs->nsigs; i++) {
		if (!strcmp(rs->sigs[i], sig)) {
			free(sig);
			return rs->sigs[i];
		}
	}
	if (rs->nsigs == rs->sigs_cap) {
		size_t cap = rs->sigs_cap ? 2 * rs->sigs_cap : 16;
		char **s = realloc(rs->sigs, cap * sizeof(*s));
		if (!s) {
			free(sig);
			return NULL;
		}
		rs->sigs = s;
		rs->sigs_cap = cap;
	}
	rs->sigs[rs->nsigs++] = sig;
	return sig;
}

/* Value of key in a signature, copied into buf; NULL if absent. */
static const char *sig_value(const char *sig, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);

	for (const char *p = sig; *p;) {
		const char *nl = strchr(p, '\n');
		if (!nl)
			break;
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			snprintf(buf, len, "%.*s", (int)(nl - p - klen - 1), p + klen + 1);
			return buf;
		}
		p = nl + 1;
	}
	return NULL;
}

/* Calls fn for each key whose value differs between the signatures. */
static void sig_diff_each(const char *a, const char *b,
			  void (*fn)(const char *key, const char *va, const char *vb, void *ctx),
			  void *ctx)
{
	const char *sides[2] = { a, b };
	char key[256], va[256], vb[256];

	for (int s = 0; s < 2; s++) {
		for (const char *p = sides[s]; *p;) {
			const char *eq = strchr(p, '='), *nl = strchr(p, '\n');
			if (!eq || !nl)
				break;
			snprintf(key, sizeof(key), "%.*s", (int)(eq - p), p);
			const char *x = sig_value(a, key, va, sizeof(va));
			const char *y = sig_value(b, key, vb, sizeof(vb));
			/* report a key once: from a, or from b when a lacks it */
			if ((s == 0 || !x) && (!x || !y || strcmp(x, y)))
				fn(key, x ? x : "(unset)", y ? y : "(unset)", ctx);
			p = nl + 1;
		}
	}
}

struct diff_buf {
	char *out;
	size_t len, used;
	int keys_only;
};

static void diff_append(const char *key, const char *va, const char *vb, void *ctx)
{
	struct diff_buf *d = ctx;
	int n;

	if (d->used >= d->len)
		return;
	if (d->keys_only)
		n = snprintf(d->out + d->used, d->len - d->used, "%s%s", d->used ? "," : "", key);
	else
		n = snprintf(d->out + d->used, d->len - d->used, "%s%s (%s vs %s)",
			     d->used ? ", " : "", key, va, vb);
	if (n > 0)
		d->used += (size_t)n;
}

void drmb_sig_diff(const char *a, const char *b, char *out, size_t outlen)
{
	struct diff_buf d = { out, outlen, 0, 0 };

	if (outlen)
		out[0] = '\0';
	sig_diff_each(a, b, diff_append, &d);
}

void drmb_sig_diff_keys(const char *a, const char *b, char *out, size_t outlen)
{
	struct diff_buf d = { out, outlen, 0, 1 };

	if (outlen)
		out[0] = '\0';
	sig_diff_each(a, b, diff_append, &d);
}

/* ---- series table -------------------------------------------------------- */

/*
 * FNV-1a of the name, then of the unit, then the interned signature's
 * address mixed in.  Split in two so a line hashes its name once for all
 * of its units.
 */
#define FNV_OFFSET 1469598103934665603ull
#define FNV_PRIME 1099511628211ull

static uint64_t hash_name(const char *name)
{
	uint64_t h = FNV_OFFSET;

	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * FNV_PRIME;
	return (h ^ 0xff) * FNV_PRIME;
}

static uint64_t hash_unit(uint64_t name_hash, const char *unit, const char *sig)
{
	uint64_t h = name_hash;

	for (const char *p = unit; *p; p++)
		h = (h ^ (unsigned char)*p) * FNV_PRIME;
	h ^= (uint64_t)(uintptr_t)sig * 0x9e3779b97f4a7c15ull;	/* sig is interned */
	return h ^ (h >> 29);	/* the probe uses the low bits */
}

static size_t *slot_for(const struct drmb_resultset *rs, uint64_t hash, const char *name,
			const char *unit, const char *sig)
{
	size_t mask = rs->table_size - 1;

	for (size_t i = hash & mask;; i = (i + 1) & mask) {
		size_t *slot = &rs->table[i];
		const struct drmb_series *s;
		if (!*slot)
			return slot;
		s = &rs->series[*slot - 1];
		if (s->hash == hash && s->sig == sig && !strcmp(s->name, name) &&
		    !strcmp(s->unit, unit))
			return slot;
	}
}

static int grow_table(struct drmb_resultset *rs)
{
	size_t old_size = rs->table_size, *old = rs->table;

	rs->table_size = old_size ? 2 * old_size : 256;
	rs->table = calloc(rs->table_size, sizeof(*rs->table));
	if (!rs->table) {
		rs->table = old;
		rs->table_size = old_size;
		return -ENOMEM;
	}
	for (size_t i = 0; i < old_size; i++) {
		if (old[i]) {
			const struct drmb_series *s = &rs->series[old[i] - 1];
			*slot_for(rs, s->hash, s->name, s->unit, s->sig) = old[i];
		}
	}
	free(old);
	return 0;
}

struct drmb_series *drmb_resultset_find(const struct drmb_resultset *rs,
					const char *name, const char *unit, const char *sig)
{
	size_t *slot;

	if (!rs->table_size)
		return NULL;
	slot = slot_for(rs, hash_unit(hash_name(name), unit, sig), name, unit, sig);
	return *slot ? &rs->series[*slot - 1] : NULL;
}

/* Index of the series of (name, unit, sig), created if new; -ENOMEM. */
static long series_get(struct drmb_resultset *rs, uint64_t name_hash, const char *name,
		       const char *unit, const char *sig)
{
	uint64_t hash = hash_unit(name_hash, unit, sig);
	size_t *slot;
	struct drmb_series *s;

	if ((rs->nseries + 1) * 2 > rs->table_size && grow_table(rs))
		return -ENOMEM;
	slot = slot_for(rs, hash, name, unit, sig);
	if (*slot)
		return (long)(*slot - 1);
	if (rs->nseries == rs->series_cap) {
		size_t cap = rs->series_cap ? 2 * rs->series_cap : 64;
		s = realloc(rs->series, cap * sizeof(*s));
		if (!s)
			return -ENOMEM;
		rs->series = s;
		rs->series_cap = cap;
	}
	s = &rs->series[rs->nseries];
	memset(s, 0, sizeof(*s));
	s->name = strdup(name);
	s->unit = strdup(unit);
	s->sig = sig;
	s->hash = hash;
	if (!s->name || !s->unit) {
		free(s->name);
		free(s->unit);
		return -ENOMEM;
	}
	*slot = ++rs->nseries;
	return (long)(rs->nseries - 1);
}

/*
 * Whether line l measures the same series as line p of the same file: the
 * runs of one benchmark are consecutive lines with the same name, units
 * (interned per file, so pointers compare) and configuration, and looking
 * them up once per benchmark instead of once per value is most of reading
 * a large store.
 */
static int same_series(const struct drmb_bench_line *p, const struct drmb_bench_line *l,
		       const char *p_sig, const char *l_sig)
{
	if (p_sig != l_sig || p->nmetrics != l->nmetrics)
		return 0;
	for (size_t k = 0; k < l->nmetrics; k++)
		if (p->metrics[k].unit != l->metrics[k].unit)
			return 0;
	return !strcmp(p->name, l->name);
}

static int add_file(struct drmb_resultset *rs, const char *path, char *err, size_t errlen)
{
	struct drmb_result_file *f;
	const char *sig = NULL, *prev_sig = NULL;
	size_t sig_nconfig = (size_t)-1, *line_series = NULL, line_series_cap = 0;
	int ret;

	if (rs->nfiles == rs->files_cap) {
		size_t cap = rs->files_cap ? 2 * rs->files_cap : 64;
		f = realloc(rs->files, cap * sizeof(*f));
		if (!f)
			return -ENOMEM;
		rs->files = f;
		rs->files_cap = cap;
	}
	f = &rs->files[rs->nfiles];
	ret = drmb_result_read(path, f, err, errlen);
	if (ret)
		return ret;
	rs->nfiles++;
	for (size_t i = 0; i < f->nlines; i++) {
		const struct drmb_bench_line *l = &f->lines[i];
		if (l->nconfig != sig_nconfig) {
			sig = signature(rs, f, l->nconfig);
			sig_nconfig = l->nconfig;
			if (!sig) {
				ret = -ENOMEM;
				goto out;
			}
		}
		/* line_series[k]: the series of metric k, kept from the line before */
		if (!i || !same_series(&f->lines[i - 1], l, prev_sig, sig)) {
			uint64_t name_hash = hash_name(l->name);
			if (l->nmetrics > line_series_cap) {
				size_t *ls = realloc(line_series, l->nmetrics * sizeof(*ls));
				if (!ls) {
					ret = -ENOMEM;
					goto out;
				}
				line_series = ls;
				line_series_cap = l->nmetrics;
			}
			for (size_t k = 0; k < l->nmetrics; k++) {
				long s = series_get(rs, name_hash, l->name, l->metrics[k].unit, sig);
				if (s < 0) {
					ret = (int)s;
					goto out;
				}
				line_series[k] = (size_t)s;
			}
		}
		prev_sig = sig;
		for (size_t k = 0; k < l->nmetrics; k++) {
			struct drmb_series *s = &rs->series[line_series[k]];
			if (s->n == s->cap) {
				size_t cap = s->cap ? 2 * s->cap : 16;
				struct drmb_point *p = realloc(s->pts, cap * sizeof(*p));
				if (!p) {
					ret = -ENOMEM;
					goto out;
				}
				s->pts = p;
				s->cap = cap;
			}
			s->pts[s->n++] = (struct drmb_point){
				.value = l->metrics[k].value,
				.file = (unsigned int)(rs->nfiles - 1),
				.line = (unsigned int)i,
			};
		}
	}
out:
	/*
	 * The names and values now live in the series: freeing them here lets
	 * the next file reuse the memory (a store of 10^6 lines would otherwise
	 * hold them all).  The lines keep lineno and nconfig for messages and
	 * drmb_result_config().
	 */
	for (size_t i = 0; i < f->nlines; i++) {
		free(f->lines[i].name);
		free(f->lines[i].metrics);
		f->lines[i].name = NULL;
		f->lines[i].metrics = NULL;
		f->lines[i].nmetrics = 0;
	}
	free(line_series);
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds every *.txt below dir in name order; *found counts the files added. */
static int add_dir(struct drmb_resultset *rs, const char *dir, size_t *found,
		   char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int ret = 0;

	if (!d) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return ret;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			char **nn = realloc(names, cap * sizeof(*nn));
			if (!nn) {
				ret = -ENOMEM;
				goto out;
			}
			names = nn;
		}
		size_t len = strlen(dir) + strlen(e->d_name) + 2;
		if (!(names[n] = malloc(len))) {
			ret = -ENOMEM;
			goto out;
		}
		snprintf(names[n++], len, "%s/%s", dir, e->d_name);
	}
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n && !ret; i++) {
		struct stat st, lst;
		if (lstat(names[i], &lst) || stat(names[i], &st)) {
			ret = -errno;
			snprintf(err, errlen, "%s: %s", names[i], strerror(errno));
		} else if (S_ISDIR(st.st_mode) && S_ISLNK(lst.st_mode)) {
			continue;	/* a linked directory could loop back: not followed */
		} else if (S_ISDIR(st.st_mode)) {
			ret = add_dir(rs, names[i], found, err, errlen);
		} else if (S_ISREG(st.st_mode) && ends_with(names[i], ".txt")) {
			ret = add_file(rs, names[i], err, errlen);
			(*found)++;
		}
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return ret;
}

int drmb_resultset_add_path(struct drmb_resultset *rs, const char *path,
			    char *err, size_t errlen)
{
	struct stat st;
	size_t found = 0;
	int ret;

	if (stat(path, &st)) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	if (!S_ISDIR(st.st_mode))
		return add_file(rs, path, err, errlen);
	ret = add_dir(rs, path, &found, err, errlen);
	if (!ret && !found) {
		snprintf(err, errlen, "%s: no result files (*.txt) in this directory", path);
		return -ENOENT;
	}
	return ret;
}
