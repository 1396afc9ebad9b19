/* SPDX-License-Identifier: MIT */
/*
 * A DRM file's usage stats from /proc/self/fdinfo/FD, as any driver that
 * follows Documentation/gpu/drm-usage-stats.rst prints them (gputop and
 * nvtop read the same): per engine the busy time, capacity and cycles.
 */
#ifndef DRMB_FDINFO_H
#define DRMB_FDINFO_H

#include <stddef.h>
#include <stdint.h>

#define DRMB_FDINFO_ENGINES 16

struct drmb_fdinfo_engine {
	char name[32];			/* drm-engine-<name> */
	uint64_t busy_ns;
	uint64_t cycles;		/* drm-cycles-<name>, 0 if absent */
	unsigned int capacity;		/* drm-engine-capacity-<name>, default 1 */
};

struct drmb_fdinfo {
	char driver[32];		/* drm-driver */
	uint64_t client_id;		/* drm-client-id, 0 if absent */
	unsigned int nengines;
	struct drmb_fdinfo_engine engine[DRMB_FDINFO_ENGINES];
};

/*
 * Parses fdinfo text. -ENOENT: no drm-driver key (not a DRM file); -EINVAL:
 * a drm-engine or drm-cycles value that is not "<number> ns" / a number;
 * -E2BIG: more engines than DRMB_FDINFO_ENGINES.
 */
int drmb_fdinfo_parse(const char *text, struct drmb_fdinfo *fi);
/* Reads and parses /proc/self/fdinfo/fd. */
int drmb_fdinfo_read(int fd, struct drmb_fdinfo *fi);
/*
 * Busy ns of every engine from a to b summed, and the summed capacity of
 * the engines that were busy (0 if none): utilisation over t ns is
 * busy / (t * capacity). -EINVAL if a counter went backwards.
 */
int drmb_fdinfo_busy(const struct drmb_fdinfo *a, const struct drmb_fdinfo *b,
		     uint64_t *busy_ns, unsigned int *capacity);

#endif
