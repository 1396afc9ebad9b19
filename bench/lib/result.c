// SPDX-License-Identifier: MIT
/*
 * Result files in the Go benchmark format, and their raw-sample sidecars.
 * The format and the sidecar layout are documented in docs/results.md.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "result.h"

#define SAMPLES_MAGIC "DRMBSMP1"

static void set_err(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/*
 * The first control character of s (C0 but tab, DEL, C1 as UTF-8 U+0080
 * to U+009F), or -1.  A result file is text: such a byte in a name or unit
 * would reach the terminal raw (ESC sequences) through every command.
 */
static int control_char(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			return *p;
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return p[1];
	}
	return -1;
}

/* Control characters (as control_char() finds them) become spaces. */
static void blank_controls(char *s)
{
	unsigned char *p = (unsigned char *)s;

	for (; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			*p = ' ';
		} else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			*p++ = ' ';
			*p = ' ';
		}
	}
}

/* ---- key/value lists -------------------------------------------------- */

int drmb_key_valid(const char *key)
{
	const char *p;

	/* Go format: starts lower-case, no spaces, no upper case. */
	if (!key || !islower((unsigned char)key[0]))
		return 0;
	for (p = key; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) ||
		      *p == '-' || *p == '.' || *p == '_'))
			return 0;
	return 1;
}

int drmb_kv_set(struct drmb_kvlist *l, const char *key, const char *fmt, ...)
{
	char *value;
	va_list ap;
	size_t i;
	int ret;

	if (!drmb_key_valid(key))
		return -EINVAL;
	va_start(ap, fmt);
	ret = vasprintf(&value, fmt, ap);
	va_end(ap);
	if (ret < 0)
		return -ENOMEM;
	/* A value is the rest of one line, and text (the reader refuses controls). */
	blank_controls(value);
	for (i = 0; i < l->n; i++) {
		if (!strcmp(l->kv[i].key, key)) {
			free(l->kv[i].value);
			l->kv[i].value = value;
			return 0;
		}
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 32;
		struct drmb_kv *kv = realloc(l->kv, cap * sizeof(*kv));

		if (!kv) {
			free(value);
			return -ENOMEM;
		}
		l->kv = kv;
		l->cap = cap;
	}
	l->kv[l->n].key = strdup(key);
	if (!l->kv[l->n].key) {
		free(value);
		return -ENOMEM;
	}
	l->kv[l->n++].value = value;
	return 0;
}

const char *drmb_kv_get(const struct drmb_kvlist *l, const char *key)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->kv[i].key, key))
			return l->kv[i].value;
	return NULL;
}

void drmb_kv_free(struct drmb_kvlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->kv[i].key);
		free(l->kv[i].value);
	}
	free(l->kv);
	memset(l, 0, sizeof(*l));
}

/*
 * Informational keys: they differ between any two runs (date, command line)
 * or are measurements themselves. Every other key, including ones this
 * version does not know, must match for two runs to be compared.
 */
/*
 * host-cpu-pressure (vm-run's reading of the host over a guest's life) and
 * canary (how the per-run canary was measured) describe the machine, not
 * what was measured: compare checks the canary values themselves, and
 * says so when the two sides' canary definitions differ.
 */
static const char *const informational_keys[] = {
	"date", "host", "cmdline", "drmbench-version", "clock-overhead-ns",
	"runs", "kernel-version", "drm-devices", "result-file",
	"note", "host-cpu-pressure", "canary", NULL,
};

int drmb_key_is_comparable(const char *key)
{
	const char *const *k;

	for (k = informational_keys; *k; k++)
		if (!strcmp(*k, key))
			return 0;
	return 1;
}

/* ---- writer ----------------------------------------------------------- */

static int mkdir_p(const char *dir)
{
	char *copy = strdup(dir), *p;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (p = copy + 1; ; p++) {
		if (*p == '/' || !*p) {
			char c = *p;

			*p = '\0';
			if (mkdir(copy, 0777) && errno != EEXIST) {
				ret = -errno;
				break;
			}
			*p = c;
			if (!c)
				break;
		}
	}
	free(copy);
	return ret;
}

/* A path component from free text: keep [A-Za-z0-9._-], map the rest to _. */
static void sanitize(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < len && src[i]; i++)
		dst[i] = (isalnum((unsigned char)src[i]) || strchr("._-", src[i])) ?
			 src[i] : '_';
	dst[i] = '\0';
	if (!i || dst[0] == '.')
		dst[0] = '_';
}

static char *samples_path_for(const char *path)
{
	size_t len = strlen(path);
	char *s;

	if (len > 4 && !strcmp(path + len - 4, ".txt"))
		len -= 4;
	if (asprintf(&s, "%.*s.samples", (int)len, path) < 0)
		return NULL;
	return s;
}

/*
 * The boot this process runs in, as 32 hex digits (the kernel's boot_id
 * without dashes), or "" when unknown.  A temporary named with another
 * boot's id belongs to a process that no longer exists.
 */
static const char *boot_id(void)
{
	static char id[33];
	static int done;
	char buf[64];
	size_t i, n = 0;
	FILE *f;

	if (done)
		return id;
	done = 1;
	f = fopen("/proc/sys/kernel/random/boot_id", "r");
	if (!f)
		return id;
	if (fgets(buf, sizeof(buf), f))
		for (i = 0; buf[i] && n < 32; i++)
			if (isxdigit((unsigned char)buf[i]))
				id[n++] = (char)tolower((unsigned char)buf[i]);
	fclose(f);
	if (n != 32)
		id[0] = '\0';
	else
		id[32] = '\0';
	return id;
}

/*
 * .<final name>.tmp.<boot id>.<pid>.<n>: the owner is named in the file
 * name, so a later run can tell a dead writer's leftovers from a live
 * writer's work (drmb_result_clean_dir).  n is a per-process counter:
 * unique even for two writers in one process.
 */
static char *tmp_path_for(const char *path)
{
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path + 1) : 0;
	const char *boot = boot_id();
	char *s;

	static unsigned int seq;

	if (asprintf(&s, "%.*s.%s.tmp.%s.%ld.%u", dirlen, path, path + dirlen,
		     boot[0] ? boot : "0", (long)getpid(),
		     __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED)) < 0)
		return NULL;
	return s;
}

/*
 * Creates a temporary and holds an exclusive flock(2) on it until the
 * writer is done (a dup of the descriptor keeps it across fclose), so a
 * cleaner sees a live writer even where the pid in the name says nothing
 * (another pid namespace sharing the store).  A file system without
 * flock leaves the name as the only evidence.
 */
static FILE *create_locked(const char *tmp, int *lock_fd)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	FILE *f;

	*lock_fd = -1;
	if (fd < 0)
		return NULL;
	if (!flock(fd, LOCK_EX | LOCK_NB))
		*lock_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	f = fdopen(fd, "w");
	if (!f) {
		int e = errno;

		if (*lock_fd >= 0)
			close(*lock_fd);
		*lock_fd = -1;
		close(fd);
		unlink(tmp);
		errno = e;
	}
	return f;
}

/* What a temporary's name says about its writer. */
struct tmp_owner {
	char boot[33];		/* "" in names from before boot ids */
	long pid;
	int samples;		/* a .samples temporary (else .txt) */
};

/*
 * 1 when name is one of the writer's temporaries:
 * .<stem>.txt|samples.tmp[.<32 hex boot id>|.0].<pid>.<n> (the form
 * without a boot id is what earlier versions wrote).  Nothing else is
 * ever touched.
 */
static int parse_tmp_name(const char *name, struct tmp_owner *o)
{
	const char *t, *p;
	char *end;
	size_t n;
	int i;

	if (name[0] != '.')
		return 0;
	t = strstr(name + 1, ".tmp.");
	if (!t)
		return 0;
	/* The last ".tmp." is the writer's (a label may contain one). */
	for (p = t; (p = strstr(p + 1, ".tmp.")); )
		t = p;
	n = (size_t)(t - name);
	if (n > 5 && !strncmp(t - 4, ".txt", 4))
		o->samples = 0;
	else if (n > 9 && !strncmp(t - 8, ".samples", 8))
		o->samples = 1;
	else
		return 0;
	p = t + 5;
	o->boot[0] = '\0';
	if (strspn(p, "0123456789abcdef") == 32 && p[32] == '.') {
		memcpy(o->boot, p, 32);
		o->boot[32] = '\0';
		p += 33;
	} else if (p[0] == '0' && p[1] == '.' && strchr(p + 2, '.')) {
		p += 2;		/* written where the boot id was unknown */
	}
	for (i = 0; i < 2; i++) {
		if (!isdigit((unsigned char)*p))
			return 0;
		errno = 0;
		if (i == 0)
			o->pid = strtol(p, &end, 10);
		else
			(void)strtoul(p, &end, 10);
		if (errno || (i == 0 && (*end != '.' || o->pid <= 0)) || (i == 1 && *end))
			return 0;
		p = end + 1;
	}
	return 1;
}

/* 1 only when the writer of o is certainly gone. */
static int owner_dead(const struct tmp_owner *o)
{
	const char *boot = boot_id();

	if (o->boot[0] && boot[0] && strcmp(o->boot, boot))
		return 1;	/* written before the last reboot */
	return kill((pid_t)o->pid, 0) && errno == ESRCH;
}

/*
 * A dead writer's sidecar temporary with a second link was killed inside
 * commit, after the sidecar landed and before its result file did: the
 * stored .samples (same inode) has no result file.  It goes too.
 */
static void remove_orphan_sidecar(const char *dir, DIR *d, const struct stat *tmp_st,
				  unsigned int *removed)
{
	struct dirent *e;
	char *path, *txt;
	struct stat st;
	size_t len;

	rewinddir(d);
	while ((e = readdir(d))) {
		len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len <= 8 || strcmp(e->d_name + len - 8, ".samples"))
			continue;
		if (asprintf(&path, "%s/%s", dir, e->d_name) < 0)
			return;
		if (!lstat(path, &st) && S_ISREG(st.st_mode) &&
		    st.st_dev == tmp_st->st_dev && st.st_ino == tmp_st->st_ino &&
		    asprintf(&txt, "%s/%.*s.txt", dir, (int)(len - 8), e->d_name) >= 0) {
			if (access(txt, F_OK) && errno == ENOENT && !unlink(path))
				(*removed)++;
			free(txt);
		}
		free(path);
	}
}

int drmb_result_clean_dir(const char *dir, unsigned int *removed)
{
	struct tmp_owner o;
	struct dirent *e;
	struct stat st, fst;
	char **dead = NULL;
	size_t n = 0, cap = 0, i;
	DIR *d;
	int fd, ret = 0;

	*removed = 0;
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		char *path, **nd;

		if (!parse_tmp_name(e->d_name, &o))
			continue;
		if (asprintf(&path, "%s/%s", dir, e->d_name) < 0) {
			ret = -ENOMEM;
			break;
		}
		/* Ours only: a regular file of this user, its writer gone. */
		if (lstat(path, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
		    !owner_dead(&o)) {
			free(path);
			continue;
		}
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0) {
			free(path);
			continue;
		}
		/* A lock held: a live writer whatever the name says. */
		if ((flock(fd, LOCK_EX | LOCK_NB) && errno == EWOULDBLOCK) ||
		    fstat(fd, &fst) || fst.st_ino != st.st_ino || fst.st_dev != st.st_dev) {
			close(fd);
			free(path);
			continue;
		}
		if (o.samples && fst.st_nlink > 1) {
			if (n == cap) {
				cap = cap ? 2 * cap : 8;
				nd = realloc(dead, cap * sizeof(*nd));
				if (!nd) {
					close(fd);
					free(path);
					ret = -ENOMEM;
					break;
				}
				dead = nd;
			}
			/* Later: the directory scan must not run inside this one. */
			dead[n++] = path;
			close(fd);
			continue;
		}
		if (!unlink(path))
			(*removed)++;
		close(fd);
		free(path);
	}
	for (i = 0; i < n; i++) {
		if (!lstat(dead[i], &st) && S_ISREG(st.st_mode)) {
			remove_orphan_sidecar(dir, d, &st, removed);
			if (!unlink(dead[i]))
				(*removed)++;
		}
		free(dead[i]);
	}
	free(dead);
	closedir(d);
	return ret;
}

static void writer_free(struct drmb_result_writer *w)
{
	if (w->lock_fd >= 0)
		close(w->lock_fd);
	if (w->slock_fd >= 0)
		close(w->slock_fd);
	free(w->path);
	free(w->tmp);
	free(w->samples_path);
	free(w->samples_tmp);
	memset(w, 0, sizeof(*w));
	w->lock_fd = w->slock_fd = -1;
}

int drmb_result_open(struct drmb_result_writer *w, const char *path,
		     const char *store, const char *host, const char *release,
		     const char *label, char *err, size_t errlen)
{
	char h[64], r[96], l[64], stamp[32], *dir = NULL;
	struct tm tm;
	time_t now;
	int ret;

	memset(w, 0, sizeof(*w));
	w->lock_fd = w->slock_fd = -1;
	if (path) {
		if (!access(path, F_OK)) {
			set_err(err, errlen, "%s: exists; refusing to overwrite a stored result", path);
			return -EEXIST;
		}
		w->path = strdup(path);
		w->explicit_path = 1;
	} else {
		sanitize(h, sizeof(h), host);
		sanitize(r, sizeof(r), release);
		sanitize(l, sizeof(l), label);
		now = time(NULL);
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
		if (asprintf(&dir, "%s/%s/%s", store, h, r) < 0)
			return -ENOMEM;
		ret = mkdir_p(dir);
		if (ret) {
			set_err(err, errlen, "%s: cannot create result directory: %s",
				dir, strerror(-ret));
			free(dir);
			return ret;
		}
		if (asprintf(&w->path, "%s/%s-%s.txt", dir, stamp, l) < 0)
			w->path = NULL;
		free(dir);
	}
	if (!w->path)
		goto err_nomem;
	w->tmp = tmp_path_for(w->path);
	w->samples_path = samples_path_for(w->path);
	w->samples_tmp = w->samples_path ? tmp_path_for(w->samples_path) : NULL;
	if (!w->tmp || !w->samples_path || !w->samples_tmp)
		goto err_nomem;

	/* Leftovers of killed runs in this directory, never a live writer's. */
	dir = strdup(w->path);
	if (dir) {
		char *slash = strrchr(dir, '/');

		if (slash)
			*slash = '\0';
		drmb_result_clean_dir(slash ? (slash == dir ? "/" : dir) : ".", &w->cleaned);
		free(dir);
	}
	w->f = create_locked(w->tmp, &w->lock_fd);
	if (!w->f) {
		ret = -errno;
		set_err(err, errlen, "%s: cannot write there: %s", w->path, strerror(errno));
		writer_free(w);
		return ret;
	}
	w->sf = create_locked(w->samples_tmp, &w->slock_fd);
	if (!w->sf) {
		ret = -errno;
		set_err(err, errlen, "%s: %s", w->samples_tmp, strerror(errno));
		fclose(w->f);
		unlink(w->tmp);
		writer_free(w);
		return ret;
	}
	fwrite(SAMPLES_MAGIC, 1, 8, w->sf);
	return 0;

err_nomem:
	set_err(err, errlen, "out of memory");
	writer_free(w);
	return -ENOMEM;
}

/*
 * Informational keys go in comment lines, "# key: value": benchstat splits
 * its tables on every configuration key, and date or cmdline differ between
 * any two runs, so plain `benchstat old new` would compare nothing.  The
 * reader takes both spellings (docs/results.md).
 */
int drmb_result_write_config(struct drmb_result_writer *w, const struct drmb_kvlist *kv)
{
	size_t i;

	for (i = 0; i < kv->n; i++)
		fprintf(w->f, "%s%s: %s\n", drmb_key_is_comparable(kv->kv[i].key) ? "" : "# ",
			kv->kv[i].key, kv->kv[i].value);
	return ferror(w->f) ? -EIO : 0;
}

/*
 * The position of the token tok in the numerator of unit (tokens are split
 * by '-' and '*', the denominator starts at '/': benchunit's parser), or -1.
 */
static int unit_token(const char *unit, const char *tok)
{
	size_t len = strlen(tok);
	const char *p = unit;

	while (*p && *p != '/') {
		size_t n = strcspn(p, "-*/");
		if (n == len && !strncmp(p, tok, len))
			return (int)(p - unit);
		p += n;
		if (*p == '-' || *p == '*')
			p++;
	}
	return -1;
}

/* unit with the token at pos (of length len) replaced by to, into buf. */
static const char *unit_swap(char *buf, size_t buflen, const char *unit, int pos,
			     size_t len, const char *to)
{
	int n = snprintf(buf, buflen, "%.*s%s%s", pos, unit, to, unit + pos + len);

	return n < 0 || (size_t)n >= buflen ? unit : buf;
}

/*
 * benchstat rescales "ns" units to "sec" (mad-ns/op -> mad-sec/op, x 1e-9)
 * but keeps a value whose rescaled value is unchanged, a 0, in the original
 * unit: a zero would land in a table of its own.  So a zero is written in
 * the rescaled unit, which benchstat leaves alone, and the reader turns
 * "sec" back into "ns".
 */
static const char *unit_for_zero(char *buf, size_t buflen, const char *unit)
{
	int pos = unit_token(unit, "ns");

	return pos < 0 ? unit : unit_swap(buf, buflen, unit, pos, 2, "sec");
}

int drmb_result_comment(struct drmb_result_writer *w, const char *fmt, ...)
{
	char *text, *line, *save = NULL;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (ret < 0)
		return -ENOMEM;
	/* Every line of a comment starts with '#', whatever the text holds. */
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		blank_controls(line);
		fprintf(w->f, "# %s\n", line);
	}
	free(text);
	return ferror(w->f) ? -EIO : 0;
}

static int name_valid(const char *name)
{
	const char *p;

	if (!isupper((unsigned char)name[0]) || control_char(name) >= 0)
		return 0;
	for (p = name; *p; p++)
		if (isspace((unsigned char)*p))
			return 0;
	return 1;
}

int drmb_result_line(struct drmb_result_writer *w, const char *name,
		     uint64_t iterations, const struct drmb_metric *m, size_t nm)
{
	size_t i;

	if (!name_valid(name) || !nm)
		return -EINVAL;
	/* All checks first: a refused line must leave nothing in the file. */
	for (i = 0; i < nm; i++)
		if (!isfinite(m[i].value) || m[i].value < 0 || !m[i].unit ||
		    !m[i].unit[0] || strpbrk(m[i].unit, " \t") || control_char(m[i].unit) >= 0)
			return -EINVAL;
	fprintf(w->f, "Benchmark%s %llu", name, (unsigned long long)iterations);
	for (i = 0; i < nm; i++) {
		char buf[256];

		fprintf(w->f, " %.6g %s", m[i].value,
			m[i].value == 0 ? unit_for_zero(buf, sizeof(buf), m[i].unit) : m[i].unit);
	}
	fputc('\n', w->f);
	return ferror(w->f) ? -EIO : 0;
}

static void put_le32(FILE *f, uint32_t v)
{
	unsigned char b[4] = { v, v >> 8, v >> 16, v >> 24 };

	fwrite(b, 1, 4, f);
}

static void put_le64(FILE *f, uint64_t v)
{
	put_le32(f, (uint32_t)v);
	put_le32(f, (uint32_t)(v >> 32));
}

int drmb_result_samples(struct drmb_result_writer *w, const char *name,
			uint32_t run, uint32_t ops_per_sample,
			const uint64_t *ns, uint64_t n)
{
	uint32_t len = strlen(name);
	uint64_t i;

	put_le32(w->sf, len);
	fwrite(name, 1, len, w->sf);
	put_le32(w->sf, run);
	put_le32(w->sf, ops_per_sample);
	put_le64(w->sf, n);
	for (i = 0; i < n; i++)
		put_le64(w->sf, ns[i]);
	return ferror(w->sf) ? -EIO : 0;
}

static int close_synced(FILE *f)
{
	int ret = 0;

	if (ferror(f))
		ret = -EIO;
	else if (fflush(f) || fsync(fileno(f)))
		ret = -errno;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

/*
 * link() instead of rename(): it fails with EEXIST rather than replacing a
 * file, so two runs choosing the same name in the same second both survive.
 * The sidecar lands first so a result file never appears without it.
 */
int drmb_result_commit(struct drmb_result_writer *w, char *final, size_t finallen,
		       char *err, size_t errlen)
{
	int ret, ret2, attempt;
	char *path = NULL, *spath = NULL;
	size_t stem;

	ret = close_synced(w->f);
	ret2 = close_synced(w->sf);
	w->f = w->sf = NULL;
	if (ret || ret2) {
		ret = ret ? ret : ret2;
		set_err(err, errlen, "%s: write failed: %s", w->tmp, strerror(-ret));
		drmb_result_abort(w);
		return ret;
	}

	stem = strlen(w->path) - (strlen(w->path) > 4 &&
		!strcmp(w->path + strlen(w->path) - 4, ".txt") ? 4 : 0);
	/* An explicit -o name is never renamed around: it fails instead. */
	for (attempt = 1; attempt < (w->explicit_path ? 2 : 100); attempt++) {
		free(path);
		free(spath);
		if (attempt == 1) {
			path = strdup(w->path);
			spath = strdup(w->samples_path);
		} else if (asprintf(&path, "%.*s-%d.txt", (int)stem, w->path, attempt) < 0 ||
			   asprintf(&spath, "%.*s-%d.samples", (int)stem, w->path, attempt) < 0) {
			path = spath = NULL;
		}
		if (!path || !spath) {
			ret = -ENOMEM;
			break;
		}
		if (link(w->samples_tmp, spath)) {
			ret = -errno;
			if (errno == EEXIST)
				continue;
			break;
		}
		if (link(w->tmp, path)) {
			ret = -errno;
			unlink(spath);
			if (errno == EEXIST)
				continue;
			break;
		}
		ret = 0;
		break;
	}
	if (ret) {
		set_err(err, errlen, "%s: cannot store result: %s", w->path, strerror(-ret));
		free(path);
		free(spath);
		drmb_result_abort(w);
		return ret;
	}
	unlink(w->tmp);
	unlink(w->samples_tmp);
	snprintf(final, finallen, "%s", path);
	free(path);
	free(spath);
	writer_free(w);
	return 0;
}

void drmb_result_abort(struct drmb_result_writer *w)
{
	if (w->f)
		fclose(w->f);
	if (w->sf)
		fclose(w->sf);
	if (w->tmp)
		unlink(w->tmp);
	if (w->samples_tmp)
		unlink(w->samples_tmp);
	writer_free(w);
}

/* ---- reader ----------------------------------------------------------- */

static const char *file_kind(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" :
	       S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device" :
	       S_ISSOCK(m) ? "a socket" : "not a regular file";
}

/*
 * Opens path for reading only when it is a regular file: /dev/zero, a
 * FIFO or a terminal would be read forever (or block in open).  O_NONBLOCK
 * keeps open() of a FIFO from waiting for a writer; it is cleared again.
 */
static FILE *open_regular(const char *path, int *ret, char *err, size_t errlen)
{
	struct stat st;
	int fd, fl;
	FILE *f;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		*ret = -errno;
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st)) {
		*ret = -errno;
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		*ret = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		set_err(err, errlen, "%s: %s, not a result file (a regular file); refusing to read it",
			path, file_kind(st.st_mode));
		close(fd);
		return NULL;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	f = fdopen(fd, "r");
	if (!f) {
		*ret = -errno;
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
	}
	return f;
}


/* Strict UTF-8 (no overlongs, surrogates or code points above U+10FFFF). */
static int utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int len = *p < 0x80 ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3 :
			  (*p >> 3) == 30 ? 4 : 0;
		uint32_t cp;
		int i;

		if (!len)
			return 0;
		cp = len == 1 ? *p : *p & (0x7f >> len);
		for (i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += len;
	}
	return 1;
}

/* No byte with the high bit set in s[0..n): ASCII, so valid UTF-8 (8 bytes a step). */
static int ascii_only(const char *s, size_t n)
{
	uint64_t any = 0, w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, sizeof(w));
		any |= w;
	}
	for (; i < n; i++)
		any |= (unsigned char)s[i];
	return !(any & 0x8080808080808080ull);
}

/* len: strlen(s) when the caller knows it */
static char *trim_end_len(char *s, size_t len)
{
	char *e = s + len;

	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/*
 * The decimals that benchmarks print (%.6g, %.0f, %.3f) converted without
 * strtod, exactly: Clinger's fast path (W. D. Clinger, "How to read
 * floating point numbers accurately", PLDI 1990).  When the significant
 * digits form an integer M <= 2^53 and the decimal exponent E has
 * |E| <= 22, both M and 10^|E| are exact doubles and M * 10^E (or
 * M / 10^-E) is one correctly rounded IEEE operation: the same double
 * strtod returns.  Everything else (more digits, larger exponents, any
 * other syntax) returns 0 and is left to strtod and the reader's checks,
 * so the accepted grammar and every rejection stay strtod's.  Needs
 * round-to-nearest double arithmetic without excess precision
 * (FLT_EVAL_METHOD 0, e.g. SSE2); elsewhere the fast path is off.
 */
int drmb_parse_decimal_fast(const char *s, double *out)
{
	static const double pow10[] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
	};
	const uint64_t max_exact = (uint64_t)1 << 53;
	uint64_t mant = 0;
	int neg = 0, any_digit = 0, exp10 = 0;
	const char *p = s;

#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
	return 0;
#endif
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	for (; *p >= '0' && *p <= '9'; p++) {
		any_digit = 1;
		mant = mant * 10 + (uint64_t)(*p - '0');
		if (mant > max_exact)
			return 0;
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			any_digit = 1;
			mant = mant * 10 + (uint64_t)(*p - '0');
			if (mant > max_exact || --exp10 < -64)
				return 0;
		}
	}
	if (!any_digit)
		return 0;
	if (*p == 'e' || *p == 'E') {
		int eneg = 0, e = 0, edigits = 0;

		p++;
		if (*p == '+' || *p == '-')
			eneg = *p++ == '-';
		for (; *p >= '0' && *p <= '9'; p++) {
			if (++edigits > 4)
				return 0;
			e = e * 10 + (*p - '0');
		}
		if (!edigits)
			return 0;
		exp10 += eneg ? -e : e;
	}
	if (*p || exp10 < -22 || exp10 > 22)
		return 0;
	*out = exp10 < 0 ? (double)mant / pow10[-exp10] : (double)mant * pow10[exp10];
	if (neg)
		*out = -*out;
	return 1;
}

/*
 * strtok_r(s, " \t") without its per-call set scan: the next field of a
 * benchmark line, NUL-terminated in place, or NULL at the end.
 */
static char *next_field(char **save)
{
	char *p = *save, *start;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p) {
		*save = p;
		return NULL;
	}
	start = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p)
		*p++ = '\0';
	*save = p;
	return start;
}

/* FNV-1a (Fowler, Noll, Vo), 64-bit. */
static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

/* Doubles the open-addressing table (kept at most half full). */
static int grow_slots(struct drmb_result_file *f)
{
	size_t n = f->nslots ? 2 * f->nslots : 64, i, j;
	size_t *slot = calloc(n, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	for (i = 0; i < f->nunits; i++) {
		for (j = hash_str(f->units[i]) & (n - 1); slot[j]; j = (j + 1) & (n - 1))
			;
		slot[j] = i + 1;
	}
	free(f->unit_slot);
	f->unit_slot = slot;
	f->nslots = n;
	return 0;
}

/*
 * hint: the unit at this position on the line before (runs repeat their
 * units).  Otherwise a hash lookup: a line of 80,000 distinct units made
 * the linear search quadratic (bench/tests/perf_units).
 */
static char *intern_unit(struct drmb_result_file *f, const char *unit, char *hint)
{
	char **units;
	size_t j;

	if (hint && !strcmp(hint, unit))
		return hint;
	if (2 * (f->nunits + 1) > f->nslots && grow_slots(f))
		return NULL;
	for (j = hash_str(unit) & (f->nslots - 1); f->unit_slot[j]; j = (j + 1) & (f->nslots - 1))
		if (!strcmp(f->units[f->unit_slot[j] - 1], unit))
			return f->units[f->unit_slot[j] - 1];
	if (!(f->nunits & (f->nunits - 1))) {
		/* full at 0 and at every power of two: double (amortised O(1)) */
		units = realloc(f->units, (f->nunits ? 2 * f->nunits : 1) * sizeof(*units));
		if (!units)
			return NULL;
		f->units = units;
	}
	f->units[f->nunits] = strdup(unit);
	if (!f->units[f->nunits])
		return NULL;
	f->unit_slot[j] = f->nunits + 1;
	return f->units[f->nunits++];
}

/* prev: the line before in this file, or NULL. */
static int parse_bench_line(struct drmb_result_file *f, char *s, struct drmb_bench_line *l,
			    const struct drmb_bench_line *prev, const char *path,
			    unsigned int lineno, char *err, size_t errlen)
{
	char *save = s, *tok, *end;
	size_t cap = 0;

	tok = next_field(&save);
	if (!name_valid(tok + strlen("Benchmark"))) {
		set_err(err, errlen, "%s:%u: benchmark name '%s' must be Benchmark followed by an upper-case letter",
			path, lineno, tok);
		return -EINVAL;
	}
	l->name = strdup(tok + strlen("Benchmark"));
	if (!l->name)
		return -ENOMEM;
	l->lineno = lineno;
	tok = next_field(&save);
	if (!tok) {
		set_err(err, errlen, "%s:%u: truncated line: no iteration count after the name",
			path, lineno);
		return -EINVAL;
	}
	errno = 0;
	l->iterations = strtoull(tok, &end, 10);
	if (errno || *end || tok[0] == '-' || !l->iterations) {
		set_err(err, errlen, "%s:%u: iteration count '%s' is not a positive integer",
			path, lineno, tok);
		return -EINVAL;
	}
	while ((tok = next_field(&save))) {
		char *unit = next_field(&save);
		double v;

		if (!unit) {
			set_err(err, errlen, "%s:%u: truncated line: value '%s' has no unit",
				path, lineno, tok);
			return -EINVAL;
		}
		if (!drmb_parse_decimal_fast(tok, &v)) {
			errno = 0;
			v = strtod(tok, &end);
			/* Decimal only: Go's ParseFloat (benchstat) rejects strtod's 0x10. */
			if (strspn(tok, "0123456789.eE+-") != strlen(tok) ||
			    errno || *end || end == tok) {
				set_err(err, errlen, "%s:%u: '%s' is not a number (before unit '%s')",
					path, lineno, tok, unit);
				return -EINVAL;
			}
		}
		if (!isfinite(v) || v < 0) {
			set_err(err, errlen, "%s:%u: value %s %s is not a finite non-negative number",
				path, lineno, tok, unit);
			return -EINVAL;
		}
		int sec = unit_token(unit, "sec");
		char ubuf[256];

		if (sec >= 0) {
			/* benchstat's base unit back into drmbench's (unit_for_zero) */
			unit = (char *)unit_swap(ubuf, sizeof(ubuf), unit, sec, 3, "ns");
			if (unit == ubuf)
				v *= 1e9;
			if (!isfinite(v)) {
				set_err(err, errlen, "%s:%u: value %s %s is out of range in ns",
					path, lineno, tok, unit);
				return -EINVAL;
			}
		}
		if (l->nmetrics == cap) {
			struct drmb_metric *m;

			cap = cap ? 2 * cap : 8;
			m = realloc(l->metrics, cap * sizeof(*m));
			if (!m)
				return -ENOMEM;
			l->metrics = m;
		}
		l->metrics[l->nmetrics].value = v;
		l->metrics[l->nmetrics].unit = intern_unit(f, unit,
			prev && l->nmetrics < prev->nmetrics ? prev->metrics[l->nmetrics].unit : NULL);
		if (!l->metrics[l->nmetrics++].unit)
			return -ENOMEM;
	}
	if (!l->nmetrics) {
		set_err(err, errlen, "%s:%u: truncated line: no 'value unit' pair", path, lineno);
		return -EINVAL;
	}
	return 0;
}

static int add_config(struct drmb_result_file *out, const char *key, char *value,
		      size_t *ccap)
{
	struct drmb_kv *kv;

	if (out->nconfig == *ccap) {
		*ccap = *ccap ? 2 * *ccap : 32;
		kv = realloc(out->config, *ccap * sizeof(*kv));
		if (!kv)
			return -ENOMEM;
		out->config = kv;
	}
	kv = &out->config[out->nconfig++];
	kv->key = strdup(key);
	kv->value = strdup(trim(value));
	return kv->key && kv->value ? 0 : -ENOMEM;
}

/*
 * A comment "# key: value" whose key is informational is that key's value
 * (drmb_result_write_config writes them so); any other comment is text.
 */
static int comment_config(struct drmb_result_file *out, char *s, size_t *ccap)
{
	char *colon, *key = s + strspn(s, " ");
	int ret = 0;

	if (key == s || !(colon = strchr(key, ':')))
		return 0;
	*colon = '\0';
	if (drmb_key_valid(key) && !drmb_key_is_comparable(key) &&
	    (!colon[1] || isspace((unsigned char)colon[1])))
		ret = add_config(out, key, colon + 1, ccap);
	*colon = ':';
	return ret;
}

int drmb_result_read(const char *path, struct drmb_result_file *out,
		     char *err, size_t errlen)
{
	size_t len = 0, lcap = 0, ccap = 0;
	unsigned int lineno = 0;
	char *buf = NULL;
	ssize_t n;
	int ret = 0, any = 0;
	FILE *f;

	memset(out, 0, sizeof(*out));
	f = open_regular(path, &ret, err, errlen);
	if (!f)
		return ret;
	out->path = strdup(path);
	while ((n = getline(&buf, &len, f)) >= 0) {
		char *s, *colon;
		int c;

		lineno++;
		any = 1;
		if (memchr(buf, '\0', n)) {
			set_err(err, errlen, "%s:%u: NUL byte (not a text file?)", path, lineno);
			ret = -EINVAL;
			break;
		}
		if (!ascii_only(buf, (size_t)n) && !utf8_valid(buf)) {
			set_err(err, errlen, "%s:%u: invalid UTF-8 (benchstat refuses such files)",
				path, lineno);
			ret = -EINVAL;
			break;
		}
		/*
		 * Only trailing space is trimmed: benchfmt ignores a line that
		 * starts with a blank, so compare must not read it either.
		 */
		s = trim_end_len(buf, (size_t)n);
		c = control_char(s);
		if (c >= 0) {
			set_err(err, errlen, "%s:%u: control character \\x%02x (a result file is text)",
				path, lineno, c);
			ret = -EINVAL;
			break;
		}
		if (*s && isspace((unsigned char)*s)) {
			set_err(err, errlen, "%s:%u: line starts with white space (benchstat would ignore it)",
				path, lineno);
			ret = -EINVAL;
			break;
		}
		if (*s == '#') {
			/* "# key: value": an informational key (write_config) */
			ret = comment_config(out, s + 1, &ccap);
			if (ret)
				break;
			continue;
		}
		if (!*s)
			continue;
		if (!strncmp(s, "Benchmark", 9)) {
			struct drmb_bench_line *l;

			if (out->nlines == lcap) {
				lcap = lcap ? 2 * lcap : 64;
				l = realloc(out->lines, lcap * sizeof(*l));
				if (!l) {
					ret = -ENOMEM;
					break;
				}
				out->lines = l;
			}
			l = &out->lines[out->nlines++];
			memset(l, 0, sizeof(*l));
			l->nconfig = out->nconfig;
			ret = parse_bench_line(out, s, l, out->nlines > 1 ? l - 1 : NULL,
					       path, lineno, err, errlen);
			if (ret)
				break;
			continue;
		}
		colon = strchr(s, ':');
		if (colon) {
			*colon = '\0';
			if (drmb_key_valid(s) && (!colon[1] || isspace((unsigned char)colon[1]))) {
				ret = add_config(out, s, colon + 1, &ccap);
				if (ret)
					break;
				continue;
			}
			*colon = ':';
		}
		set_err(err, errlen, "%s:%u: not a 'key: value', Benchmark or '#' line: '%.40s'",
			path, lineno, s);
		ret = -EINVAL;
		break;
	}
	if (!ret && ferror(f)) {
		ret = -EIO;
		set_err(err, errlen, "%s: read error", path);
	}
	if (!ret && !any) {
		ret = -ENODATA;
		set_err(err, errlen, "%s: empty file", path);
	}
	free(buf);
	fclose(f);
	if (ret)
		drmb_result_free(out);
	return ret;
}

void drmb_result_free(struct drmb_result_file *f)
{
	size_t i;

	for (i = 0; i < f->nconfig; i++) {
		free(f->config[i].key);
		free(f->config[i].value);
	}
	for (i = 0; i < f->nlines; i++) {
		free(f->lines[i].metrics);
		free(f->lines[i].name);
	}
	for (i = 0; i < f->nunits; i++)
		free(f->units[i]);
	free(f->units);
	free(f->unit_slot);
	free(f->config);
	free(f->lines);
	free(f->path);
	memset(f, 0, sizeof(*f));
}

const char *drmb_result_config(const struct drmb_result_file *f,
			       const struct drmb_bench_line *l, const char *key)
{
	size_t i = l ? l->nconfig : f->nconfig;

	while (i--)
		if (!strcmp(f->config[i].key, key))
			return f->config[i].value;
	return NULL;
}

/* ---- sidecar reader --------------------------------------------------- */

static int get_le(FILE *f, uint64_t *v, int bytes)
{
	unsigned char b[8];
	int i;

	if (fread(b, 1, bytes, f) != (size_t)bytes)
		return -1;
	*v = 0;
	for (i = bytes - 1; i >= 0; i--)
		*v = (*v << 8) | b[i];
	return 0;
}

int drmb_samples_read(const char *path, struct drmb_sample_file *out,
		      char *err, size_t errlen)
{
	char magic[8];
	size_t cap = 0;
	struct stat st;
	FILE *f;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	f = open_regular(path, &ret, err, errlen);
	if (!f)
		return ret;
	if (fstat(fileno(f), &st) || fread(magic, 1, 8, f) != 8 ||
	    memcmp(magic, SAMPLES_MAGIC, 8)) {
		set_err(err, errlen, "%s: not a drmbench samples file (bad magic)", path);
		fclose(f);
		return -EINVAL;
	}
	for (;;) {
		struct drmb_sample_run *r;
		uint64_t len, run, ops, n, i;
		long off = ftell(f);
		unsigned char hdr[4];
		size_t got = fread(hdr, 1, 4, f);

		if (!got)
			break;	/* clean end: between records */
		if (got < 4) {
			set_err(err, errlen, "%s: offset %ld: truncated run header", path, off);
			ret = -EINVAL;
			break;
		}
		len = hdr[0] | hdr[1] << 8 | hdr[2] << 16 | (uint64_t)hdr[3] << 24;
		if (len == 0 || len > 4096 ||
		    (uint64_t)st.st_size - off < len) {
			set_err(err, errlen, "%s: offset %ld: bad name length %llu",
				path, off, (unsigned long long)len);
			ret = -EINVAL;
			break;
		}
		if (out->nruns == cap) {
			cap = cap ? 2 * cap : 16;
			r = realloc(out->runs, cap * sizeof(*r));
			if (!r) {
				ret = -ENOMEM;
				break;
			}
			out->runs = r;
		}
		r = &out->runs[out->nruns++];
		memset(r, 0, sizeof(*r));
		r->name = calloc(1, len + 1);
		if (!r->name || fread(r->name, 1, len, f) != len ||
		    get_le(f, &run, 4) || get_le(f, &ops, 4) || get_le(f, &n, 8) ||
		    n > ((uint64_t)st.st_size - ftell(f)) / 8) {
			set_err(err, errlen, "%s: offset %ld: truncated run record", path, off);
			ret = -EINVAL;
			break;
		}
		r->run = run;
		r->ops_per_sample = ops;
		r->n = n;
		r->ns = malloc((n ? n : 1) * sizeof(uint64_t));
		if (!r->ns) {
			ret = -ENOMEM;
			break;
		}
		for (i = 0; i < n; i++)
			if (get_le(f, &r->ns[i], 8))
				break;
		if (i < n) {
			set_err(err, errlen, "%s: offset %ld: truncated samples", path, off);
			ret = -EINVAL;
			break;
		}
	}
	fclose(f);
	if (ret)
		drmb_samples_free(out);
	return ret;
}

void drmb_samples_free(struct drmb_sample_file *f)
{
	size_t i;

	for (i = 0; i < f->nruns; i++) {
		free(f->runs[i].name);
		free(f->runs[i].ns);
	}
	free(f->runs);
	memset(f, 0, sizeof(*f));
}
