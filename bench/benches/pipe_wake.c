// SPDX-License-Identifier: MIT
/* pipe-wake: one byte through a pipe to a waiter blocked in read(). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "measure.h"

struct pipe_wake {
	int fd[2];
};

static int pipe_setup(struct drmb_case *c)
{
	struct pipe_wake *p = c->priv;

	return pipe2(p->fd, O_CLOEXEC) ? drmb_why(c, -errno, "pipe2: %m") : 0;
}

static void pipe_teardown(struct drmb_case *c)
{
	struct pipe_wake *p = c->priv;

	close(p->fd[0]);
	close(p->fd[1]);
}

static int pipe_wait(struct drmb_case *c)
{
	struct pipe_wake *p = c->priv;
	char b;

	return read(p->fd[0], &b, 1) == 1 ? 0 : -EIO;
}

static int pipe_signal(struct drmb_case *c)
{
	struct pipe_wake *p = c->priv;

	return write(p->fd[1], "x", 1) == 1 ? 0 : -EIO;
}

static const struct drmb_wake_ops pipe_ops = {
	.wait = pipe_wait, .signal = pipe_signal,
};

static int pipe_run(struct drmb_case *c, struct drmb_samples *s)
{
	return drmb_measure_wake(c, s, &pipe_ops);
}

const struct drmb_bench drmb_bench_pipe_wake = {
	.name = "pipe-wake",
	.id = "PipeWake",
	.summary = "pipe write to a waiter blocked in read()",
	.flags = DRMB_BENCH_TWO_THREADS | DRMB_BENCH_FLOOR_RATIO,
	.priv_size = sizeof(struct pipe_wake),
	.setup = pipe_setup,
	.run = pipe_run,
	.teardown = pipe_teardown,
};
