// SPDX-License-Identifier: MIT
/* DRM usage stats from fdinfo (fdinfo.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "env.h"
#include "fdinfo.h"

static struct drmb_fdinfo_engine *engine(struct drmb_fdinfo *fi, const char *name, size_t len)
{
	unsigned int i;

	if (!len || len >= sizeof(fi->engine[0].name))
		return NULL;
	for (i = 0; i < fi->nengines; i++)
		if (strlen(fi->engine[i].name) == len && !strncmp(fi->engine[i].name, name, len))
			return &fi->engine[i];
	if (fi->nengines == DRMB_FDINFO_ENGINES)
		return NULL;
	memcpy(fi->engine[i].name, name, len);
	fi->engine[i].name[len] = 0;
	fi->engine[i].capacity = 1;
	fi->nengines++;
	return &fi->engine[i];
}

/* "<n>" or "<n> <unit>" with the unit wanted (NULL: none allowed). */
static int number(const char *v, const char *unit, uint64_t *out)
{
	char *end;

	while (*v == ' ' || *v == '\t')
		v++;
	if (*v < '0' || *v > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoull(v, &end, 10);
	if (errno)
		return -EINVAL;
	while (*end == ' ' || *end == '\t')
		end++;
	if (unit ? strcmp(end, unit) : *end != 0)
		return -EINVAL;
	return 0;
}

static int parse_line(struct drmb_fdinfo *fi, char *line)
{
	static const struct { const char *prefix; int kind; } keys[] = {
		{ "drm-engine-capacity-", 1 }, { "drm-engine-", 0 }, { "drm-cycles-", 2 },
	};
	char *colon = strchr(line, ':');
	struct drmb_fdinfo_engine *e;
	uint64_t v;
	size_t k;

	if (!colon)
		return 0;
	*colon = 0;
	if (!strcmp(line, "drm-driver")) {
		colon++;
		colon += strspn(colon, " \t");
		snprintf(fi->driver, sizeof(fi->driver), "%s", colon);
		return 0;
	}
	if (!strcmp(line, "drm-client-id"))
		return number(colon + 1, NULL, &fi->client_id);
	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		size_t plen = strlen(keys[k].prefix);

		if (strncmp(line, keys[k].prefix, plen))
			continue;
		e = engine(fi, line + plen, strlen(line + plen));
		if (!e)
			return fi->nengines == DRMB_FDINFO_ENGINES ? -E2BIG : -EINVAL;
		if (number(colon + 1, keys[k].kind == 0 ? "ns" : NULL, &v))
			return -EINVAL;
		if (keys[k].kind == 0)
			e->busy_ns = v;
		else if (keys[k].kind == 1)
			e->capacity = v ? (unsigned int)v : 1;
		else
			e->cycles = v;
		return 0;
	}
	return 0;
}

int drmb_fdinfo_parse(const char *text, struct drmb_fdinfo *fi)
{
	char line[256];
	int ret;

	memset(fi, 0, sizeof(*fi));
	while (*text) {
		size_t len = strcspn(text, "\n");

		if (len < sizeof(line)) {
			memcpy(line, text, len);
			line[len] = 0;
			ret = parse_line(fi, line);
			if (ret)
				return ret;
		}
		text += len;
		if (*text)
			text++;
	}
	return fi->driver[0] ? 0 : -ENOENT;
}

int drmb_fdinfo_read(int fd, struct drmb_fdinfo *fi)
{
	char path[64], buf[8192];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	n = drmb_read_text(path, buf, sizeof(buf));
	if (n < 0)
		return n;
	return drmb_fdinfo_parse(buf, fi);
}

int drmb_fdinfo_busy(const struct drmb_fdinfo *a, const struct drmb_fdinfo *b,
		     uint64_t *busy_ns, unsigned int *capacity)
{
	unsigned int i, j;

	*busy_ns = 0;
	*capacity = 0;
	for (j = 0; j < b->nengines; j++) {
		uint64_t before = 0;

		for (i = 0; i < a->nengines; i++)
			if (!strcmp(a->engine[i].name, b->engine[j].name))
				before = a->engine[i].busy_ns;
		if (b->engine[j].busy_ns < before)
			return -EINVAL;
		if (b->engine[j].busy_ns == before)
			continue;
		*busy_ns += b->engine[j].busy_ns - before;
		*capacity += b->engine[j].capacity;
	}
	return 0;
}
