// SPDX-License-Identifier: MIT
/*
 * futex-wake: the physical limit of any "signal -> blocked waiter woken"
 * path on this machine and placement. Every DRM wake path is reported as a
 * ratio to it (floor-ratio), measured in the same process run.
 */
#include <errno.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "measure.h"

struct futex_wake {
	_Atomic uint32_t word;
};

static long futex(_Atomic uint32_t *uaddr, int op, uint32_t val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

static int futex_arm(struct drmb_case *c)
{
	struct futex_wake *f = c->priv;

	atomic_store(&f->word, 0);
	return 0;
}

static int futex_wait(struct drmb_case *c)
{
	struct futex_wake *f = c->priv;

	/* EAGAIN: already signalled; EINTR: retry. Both loop on the word. */
	while (!atomic_load(&f->word))
		if (futex(&f->word, FUTEX_WAIT_PRIVATE, 0) && errno != EAGAIN &&
		    errno != EINTR)
			return -errno;
	return 0;
}

static int futex_signal(struct drmb_case *c)
{
	struct futex_wake *f = c->priv;

	atomic_store(&f->word, 1);
	return futex(&f->word, FUTEX_WAKE_PRIVATE, 1) < 0 ? -errno : 0;
}

static const struct drmb_wake_ops futex_ops = {
	.arm = futex_arm, .wait = futex_wait, .signal = futex_signal,
};

static int futex_run(struct drmb_case *c, struct drmb_samples *s)
{
	return drmb_measure_wake(c, s, &futex_ops);
}

const struct drmb_bench drmb_bench_futex_wake = {
	.name = "futex-wake",
	.id = "FutexWake",
	.summary = "futex wake to waiter running: the floor for every wake path",
	.flags = DRMB_BENCH_TWO_THREADS | DRMB_BENCH_FLOOR_RATIO,
	.priv_size = sizeof(struct futex_wake),
	.run = futex_run,
};
