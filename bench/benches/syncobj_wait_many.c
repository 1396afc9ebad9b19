// SPDX-License-Identifier: MIT
/*
 * syncobj-wait-many: WAIT over N binary syncobjs, wait-any or wait-all,
 * woken by signalling the last one (for wait-all the others are signalled
 * beforehand, untimed): what the per-object callbacks of a wide wait cost.
 */
#include <errno.h>
#include <stdint.h>

#include <xf86drm.h>

#include "device.h"
#include "measure.h"

#define MAX_OBJECTS 256

enum { MODE_ANY, MODE_ALL };
static const char *const modes[] = { "any", "all", NULL };

static const struct drmb_param wait_many_params[] = {
	{ "mode", DRMB_PARAM_ENUM, "any,all", "wait for any or all objects", .choices = modes },
	{ "count", DRMB_PARAM_INT, "1,8,64", "syncobjs in the wait", 1, MAX_OBJECTS },
	{ NULL },
};

struct wait_many {
	int fd;
	unsigned int n;
	uint32_t flags;
	uint32_t handles[MAX_OBJECTS];
};

static int wait_many_requires(struct drmb_case *c)
{
	if (!(c->dev->caps & DRMB_CAP_SYNCOBJ))
		return drmb_why(c, -EOPNOTSUPP, "%s (%s): no DRM_CAP_SYNCOBJ",
				c->dev->node, c->dev->driver);
	return 0;
}

static int wait_many_setup(struct drmb_case *c)
{
	struct wait_many *w = c->priv;
	unsigned int i;

	w->fd = c->dev->fd;
	w->n = drmb_case_int(c, "count");
	w->flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT |
		   (drmb_case_int(c, "mode") == MODE_ALL ? DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL : 0);
	for (i = 0; i < w->n; i++) {
		if (drmSyncobjCreate(w->fd, 0, &w->handles[i])) {
			int ret = drmb_why(c, -errno, "SYNCOBJ_CREATE #%u: %m", i);

			while (i--)
				drmSyncobjDestroy(w->fd, w->handles[i]);
			return ret;
		}
	}
	return 0;
}

static void wait_many_teardown(struct drmb_case *c)
{
	struct wait_many *w = c->priv;
	unsigned int i;

	for (i = 0; i < w->n; i++)
		drmSyncobjDestroy(w->fd, w->handles[i]);
}

static int wait_many_arm(struct drmb_case *c)
{
	struct wait_many *w = c->priv;

	if (drmSyncobjReset(w->fd, w->handles, w->n))
		return -errno;
	if ((w->flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL) && w->n > 1 &&
	    drmSyncobjSignal(w->fd, w->handles, w->n - 1))
		return -errno;
	return 0;
}

static int wait_many_wait(struct drmb_case *c)
{
	struct wait_many *w = c->priv;

	return drmSyncobjWait(w->fd, w->handles, w->n, INT64_MAX, w->flags, NULL) ? -errno : 0;
}

static int wait_many_signal(struct drmb_case *c)
{
	struct wait_many *w = c->priv;

	return drmSyncobjSignal(w->fd, &w->handles[w->n - 1], 1) ? -errno : 0;
}

static const struct drmb_wake_ops wait_many_ops = {
	.arm = wait_many_arm, .wait = wait_many_wait, .signal = wait_many_signal,
};

static int wait_many_run(struct drmb_case *c, struct drmb_samples *s)
{
	return drmb_measure_wake(c, s, &wait_many_ops);
}

const struct drmb_bench drmb_bench_syncobj_wait_many = {
	.name = "syncobj-wait-many",
	.id = "SyncobjWaitMany",
	.summary = "wait-any / wait-all over N syncobjs, woken by the last one",
	.flags = DRMB_BENCH_TWO_THREADS | DRMB_BENCH_FLOOR_RATIO | DRMB_BENCH_NEEDS_DEVICE,
	.backends = drmb_syncobj_backends,
	.params = wait_many_params,
	.priv_size = sizeof(struct wait_many),
	.requires = wait_many_requires,
	.setup = wait_many_setup,
	.run = wait_many_run,
	.teardown = wait_many_teardown,
};
