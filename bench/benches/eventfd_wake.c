// SPDX-License-Identifier: MIT
/*
 * eventfd-wake: eventfd write to a waiter blocked in read() or epoll_wait().
 * The floor for SYNCOBJ_EVENTFD, which wakes the same kind of waiter.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "measure.h"

enum { MODE_READ, MODE_EPOLL };
static const char *const modes[] = { "read", "epoll", NULL };

static const struct drmb_param eventfd_params[] = {
	{ "wait", DRMB_PARAM_ENUM, "read,epoll", "how the waiter blocks", .choices = modes },
	{ NULL },
};

struct eventfd_wake {
	int efd, epfd;
};

static int eventfd_setup(struct drmb_case *c)
{
	struct eventfd_wake *e = c->priv;
	struct epoll_event ev = { .events = EPOLLIN };

	e->epfd = -1;
	e->efd = eventfd(0, EFD_CLOEXEC);
	if (e->efd < 0)
		return drmb_why(c, -errno, "eventfd: %m");
	if (drmb_case_int(c, "wait") == MODE_EPOLL) {
		e->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (e->epfd < 0 || epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->efd, &ev)) {
			close(e->efd);
			if (e->epfd >= 0)
				close(e->epfd);
			return drmb_why(c, -errno, "epoll: %m");
		}
	}
	return 0;
}

static void eventfd_teardown(struct drmb_case *c)
{
	struct eventfd_wake *e = c->priv;

	close(e->efd);
	if (e->epfd >= 0)
		close(e->epfd);
}

static int eventfd_wait(struct drmb_case *c)
{
	struct eventfd_wake *e = c->priv;
	struct epoll_event ev;
	uint64_t v;

	if (e->epfd >= 0 && epoll_wait(e->epfd, &ev, 1, -1) != 1)
		return -errno;
	return read(e->efd, &v, sizeof(v)) == sizeof(v) ? 0 : -errno;
}

static int eventfd_signal(struct drmb_case *c)
{
	struct eventfd_wake *e = c->priv;
	uint64_t one = 1;

	return write(e->efd, &one, sizeof(one)) == sizeof(one) ? 0 : -errno;
}

static const struct drmb_wake_ops eventfd_ops = {
	.wait = eventfd_wait, .signal = eventfd_signal,
};

static int eventfd_run(struct drmb_case *c, struct drmb_samples *s)
{
	return drmb_measure_wake(c, s, &eventfd_ops);
}

const struct drmb_bench drmb_bench_eventfd_wake = {
	.name = "eventfd-wake",
	.id = "EventfdWake",
	.summary = "eventfd write to a waiter in read() or epoll_wait()",
	.flags = DRMB_BENCH_TWO_THREADS | DRMB_BENCH_FLOOR_RATIO,
	.params = eventfd_params,
	.priv_size = sizeof(struct eventfd_wake),
	.setup = eventfd_setup,
	.run = eventfd_run,
	.teardown = eventfd_teardown,
};
