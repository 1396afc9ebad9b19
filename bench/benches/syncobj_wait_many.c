// SPDX-License-Identifier: MIT
/*
 * syncobj-wait-many: WAIT over N binary syncobjs, wait-any or wait-all,
 * woken by signalling the last one (for wait-all the others are signalled
 * beforehand, untimed): what the per-object callbacks of a wide wait cost.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <xf86drm.h>

#include "backend.h"
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
	struct drmb_device *dev;
	unsigned int n;
	uint32_t flags;
	uint32_t handles[MAX_OBJECTS];
};


static int wait_many_setup(struct drmb_case *c)
{
	struct wait_many *w = c->priv;
	unsigned int i;

	w->dev = c->dev;
	w->n = drmb_case_int(c, "count");
	w->flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT |
		   (drmb_case_int(c, "mode") == MODE_ALL ? DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL : 0);
	for (i = 0; i < w->n; i++) {
		int ret = drmb_syncobj_create(w->dev, 0, &w->handles[i]);

		if (ret) {
			drmb_why(c, ret, "SYNCOBJ_CREATE #%u: %s", i, strerror(-ret));
			while (i--)
				drmb_syncobj_destroy(w->dev, w->handles[i]);
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
		drmb_syncobj_destroy(w->dev, w->handles[i]);
}

static int wait_many_arm(struct drmb_case *c)
{
	struct wait_many *w = c->priv;
	int ret = drmb_syncobj_reset(w->dev, w->handles, w->n);

	if (!ret && (w->flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL) && w->n > 1)
		ret = drmb_syncobj_signal(w->dev, w->handles, w->n - 1);
	return ret;
}

static int wait_many_wait(struct drmb_case *c)
{
	struct wait_many *w = c->priv;

	return drmb_syncobj_wait(w->dev, w->handles, w->n, INT64_MAX, w->flags, NULL);
}

static int wait_many_signal(struct drmb_case *c)
{
	struct wait_many *w = c->priv;

	return drmb_syncobj_signal(w->dev, &w->handles[w->n - 1], 1);
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
	.needs = DRMB_NEEDS(DRMB_GROUP_SYNCOBJ),
	.params = wait_many_params,
	.priv_size = sizeof(struct wait_many),
	.setup = wait_many_setup,
	.run = wait_many_run,
	.teardown = wait_many_teardown,
};
