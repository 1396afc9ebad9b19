// SPDX-License-Identifier: MIT
/*
 * syncobj-ops: the non-waiting syncobj ioctls as throughput, one object per
 * call: create+destroy, signal, reset, query, timeline-signal, transfer.
 */
#include <errno.h>
#include <stdint.h>

#include <xf86drm.h>

#include "device.h"
#include "measure.h"

enum { OP_CREATE_DESTROY, OP_SIGNAL, OP_RESET, OP_QUERY, OP_TIMELINE_SIGNAL, OP_TRANSFER };
static const char *const ops[] = {
	"create-destroy", "signal", "reset", "query", "timeline-signal", "transfer", NULL,
};

static const struct drmb_param syncobj_ops_params[] = {
	{ "op", DRMB_PARAM_ENUM, "create-destroy,signal,reset,query,timeline-signal,transfer",
	  "ioctl under test", .choices = ops },
	{ NULL },
};

struct syncobj_ops {
	int fd, op;
	uint32_t handle, src;
	uint64_t point;
};

static int needs_timeline(int op)
{
	return op == OP_QUERY || op == OP_TIMELINE_SIGNAL || op == OP_TRANSFER;
}

static int syncobj_ops_requires(struct drmb_case *c)
{
	if (!(c->dev->caps & DRMB_CAP_SYNCOBJ))
		return drmb_why(c, -EOPNOTSUPP, "%s (%s): no DRM_CAP_SYNCOBJ",
				c->dev->node, c->dev->driver);
	if (needs_timeline(drmb_case_int(c, "op")) &&
	    !(c->dev->caps & DRMB_CAP_SYNCOBJ_TIMELINE))
		return drmb_why(c, -EOPNOTSUPP, "%s (%s): no DRM_CAP_SYNCOBJ_TIMELINE",
				c->dev->node, c->dev->driver);
	return 0;
}

static int syncobj_ops_setup(struct drmb_case *c)
{
	struct syncobj_ops *o = c->priv;

	o->fd = c->dev->fd;
	o->op = drmb_case_int(c, "op");
	if (drmSyncobjCreate(o->fd, 0, &o->handle))
		return drmb_why(c, -errno, "SYNCOBJ_CREATE: %m");
	/* transfer copies a signalled binary syncobj into the next point. */
	if (drmSyncobjCreate(o->fd, DRM_SYNCOBJ_CREATE_SIGNALED, &o->src)) {
		drmSyncobjDestroy(o->fd, o->handle);
		return drmb_why(c, -errno, "SYNCOBJ_CREATE: %m");
	}
	return 0;
}

static void syncobj_ops_teardown(struct drmb_case *c)
{
	struct syncobj_ops *o = c->priv;

	drmSyncobjDestroy(o->fd, o->handle);
	drmSyncobjDestroy(o->fd, o->src);
}

static int syncobj_op(struct drmb_case *c)
{
	struct syncobj_ops *o = c->priv;
	uint32_t h;
	int ret = 0;

	switch (o->op) {
	case OP_CREATE_DESTROY:
		ret = drmSyncobjCreate(o->fd, 0, &h);
		if (!ret)
			ret = drmSyncobjDestroy(o->fd, h);
		break;
	case OP_SIGNAL:
		ret = drmSyncobjSignal(o->fd, &o->handle, 1);
		break;
	case OP_RESET:
		ret = drmSyncobjReset(o->fd, &o->handle, 1);
		break;
	case OP_QUERY:
		ret = drmSyncobjQuery(o->fd, &o->handle, &o->point, 1);
		break;
	case OP_TIMELINE_SIGNAL:
		o->point++;
		ret = drmSyncobjTimelineSignal(o->fd, &o->handle, &o->point, 1);
		break;
	case OP_TRANSFER:
		o->point++;
		ret = drmSyncobjTransfer(o->fd, o->handle, o->point, o->src, 0, 0);
		break;
	}
	return ret ? -errno : 0;
}

static int syncobj_ops_run(struct drmb_case *c, struct drmb_samples *s)
{
	return drmb_measure_loop(c, s, syncobj_op);
}

const struct drmb_bench drmb_bench_syncobj_ops = {
	.name = "syncobj-ops",
	.id = "SyncobjOps",
	.summary = "non-waiting syncobj ioctls (create, signal, reset, query, transfer)",
	.flags = DRMB_BENCH_NEEDS_DEVICE | DRMB_BENCH_THROUGHPUT,
	.backends = drmb_syncobj_backends,
	.params = syncobj_ops_params,
	.priv_size = sizeof(struct syncobj_ops),
	.requires = syncobj_ops_requires,
	.setup = syncobj_ops_setup,
	.run = syncobj_ops_run,
	.teardown = syncobj_ops_teardown,
};
