// SPDX-License-Identifier: MIT
/*
 * syncobj-ops: the non-waiting syncobj ioctls as throughput, one object per
 * call: create+destroy, signal, reset, query, timeline-signal, transfer.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <xf86drm.h>

#include "backend.h"
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
	struct drmb_device *dev;
	/* Resolved in setup: the timed call is the backend's op, no wrapper. */
	const struct drmb_syncobj_ops *so;
	const struct drmb_timeline_ops *tl;
	int op;
	uint32_t handle, src;
	uint64_t point;
};

static int needs_timeline(int op)
{
	return op == OP_QUERY || op == OP_TIMELINE_SIGNAL || op == OP_TRANSFER;
}

static uint32_t syncobj_ops_case_needs(const struct drmb_case *c)
{
	return needs_timeline(drmb_case_int(c, "op")) ? DRMB_NEEDS(DRMB_GROUP_TIMELINE) : 0;
}

/* Non-zero when the backend's tables have every op that op calls. */
static int syncobj_has_op(const struct syncobj_ops *o, int op)
{
	const struct drmb_syncobj_ops *so = o->so;
	const struct drmb_timeline_ops *tl = o->tl;

	switch (op) {
	case OP_CREATE_DESTROY:
		return so && so->create && so->destroy;
	case OP_SIGNAL:
		return so && so->signal;
	case OP_RESET:
		return so && so->reset;
	case OP_QUERY:
		return tl && tl->query;
	case OP_TIMELINE_SIGNAL:
		return tl && tl->signal;
	case OP_TRANSFER:
		return tl && tl->transfer;
	}
	return 0;
}

static int syncobj_ops_setup(struct drmb_case *c)
{
	struct syncobj_ops *o = c->priv;
	int ret;

	o->dev = c->dev;
	o->so = DRMB_GROUP_OPS(c->dev, DRMB_GROUP_SYNCOBJ, syncobj);
	o->tl = DRMB_GROUP_OPS(c->dev, DRMB_GROUP_TIMELINE, timeline);
	o->op = drmb_case_int(c, "op");
	if (!syncobj_has_op(o, o->op))
		return drmb_why(c, -EOPNOTSUPP, "backend %s has no %s op",
				c->dev->backend->name, drmb_case_str(c, "op"));
	ret = drmb_syncobj_create(o->dev, 0, &o->handle);
	if (ret)
		return drmb_why(c, ret, "SYNCOBJ_CREATE: %s", strerror(-ret));
	/* transfer copies a signalled binary syncobj into the next point. */
	ret = drmb_syncobj_create(o->dev, DRM_SYNCOBJ_CREATE_SIGNALED, &o->src);
	if (ret) {
		drmb_syncobj_destroy(o->dev, o->handle);
		return drmb_why(c, ret, "SYNCOBJ_CREATE: %s", strerror(-ret));
	}
	return 0;
}

static void syncobj_ops_teardown(struct drmb_case *c)
{
	struct syncobj_ops *o = c->priv;

	drmb_syncobj_destroy(o->dev, o->handle);
	drmb_syncobj_destroy(o->dev, o->src);
}

static int syncobj_op(struct drmb_case *c)
{
	struct syncobj_ops *o = c->priv;
	uint32_t h;
	int ret = 0;

	switch (o->op) {
	case OP_CREATE_DESTROY:
		ret = o->so->create(o->dev, 0, &h);
		if (!ret)
			o->so->destroy(o->dev, h);
		break;
	case OP_SIGNAL:
		ret = o->so->signal(o->dev, &o->handle, 1);
		break;
	case OP_RESET:
		ret = o->so->reset(o->dev, &o->handle, 1);
		break;
	case OP_QUERY:
		ret = o->tl->query(o->dev, &o->handle, &o->point, 1);
		break;
	case OP_TIMELINE_SIGNAL:
		o->point++;
		ret = o->tl->signal(o->dev, &o->handle, &o->point, 1);
		break;
	case OP_TRANSFER:
		o->point++;
		ret = o->tl->transfer(o->dev, o->handle, o->point, o->src, 0, 0);
		break;
	}
	return ret;
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
	.needs = DRMB_NEEDS(DRMB_GROUP_SYNCOBJ),
	.case_needs = syncobj_ops_case_needs,
	.params = syncobj_ops_params,
	.priv_size = sizeof(struct syncobj_ops),
	.setup = syncobj_ops_setup,
	.run = syncobj_ops_run,
	.teardown = syncobj_ops_teardown,
};
