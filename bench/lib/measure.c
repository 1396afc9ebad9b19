// SPDX-License-Identifier: MIT
/*
 * The measurement engines. Rules kept here so no benchmark has to:
 * buffers are allocated before timing; the timed region holds only the two
 * clock reads and the operation; no allocation, I/O or locking inside it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "env.h"
#include "measure.h"
#include "stats.h"

int drmb_samples_init(struct drmb_samples *s, size_t cap)
{
	memset(s, 0, sizeof(*s));
	if (!cap)
		return -EINVAL;
	s->ns = malloc(cap * sizeof(*s->ns));
	if (!s->ns)
		return -ENOMEM;
	/* Touch every page now so the timed loop never faults one in. */
	memset(s->ns, 0, cap * sizeof(*s->ns));
	s->cap = cap;
	s->ops_per_sample = 1;
	return 0;
}

void drmb_samples_fini(struct drmb_samples *s)
{
	free(s->ns);
	memset(s, 0, sizeof(*s));
}

double drmb_clock_overhead_ns(void)
{
	enum { N = 4001 };
	static uint64_t d[N];
	struct drmb_summary sum;
	uint64_t t0, t1;
	int i;

	for (i = 0; i < N; i++) {
		t0 = drmb_now_ns();
		t1 = drmb_now_ns();
		d[i] = t1 - t0;
	}
	if (drmb_summarize_u64(d, N, &sum))
		return -1;
	return sum.p50;
}

/*
 * The timed loop of drmb_measure_each() and drmb_measure_device(): exactly
 * one of op and dev_op is set, a constant in each caller, so each gets its
 * own copy of the loop with one call in its timed region.
 */
static inline __attribute__((always_inline)) int
measure_each(struct drmb_case *c, struct drmb_samples *s,
	     int (*op)(struct drmb_case *c), int (*dev_op)(struct drmb_device *dev),
	     void (*after)(struct drmb_case *c, size_t i, uint64_t t0, uint64_t t1))
{
	uint64_t start = drmb_now_ns(), deadline = start + c->max_run_ns;
	uint64_t t0, t1;
	size_t i;
	int ret;

	s->n = 0;
	for (i = 0; i < s->cap; i++) {
		t0 = drmb_now_ns();
		ret = dev_op ? dev_op(c->dev) : op(c);
		t1 = drmb_now_ns();
		if (ret)
			return ret;
		s->ns[i] = t1 - t0;
		if (after)
			after(c, i, t0, t1);
		/* The previous stamp doubles as the deadline check: no extra read. */
		if (c->max_run_ns && t1 > deadline) {
			i++;
			break;
		}
	}
	s->n = i;
	return 0;
}

int drmb_measure_each(struct drmb_case *c, struct drmb_samples *s,
		      int (*op)(struct drmb_case *c),
		      void (*after)(struct drmb_case *c, size_t i, uint64_t t0, uint64_t t1))
{
	return measure_each(c, s, op, NULL, after);
}

int drmb_measure_loop(struct drmb_case *c, struct drmb_samples *s,
		      int (*op)(struct drmb_case *c))
{
	return drmb_measure_each(c, s, op, NULL);
}

int drmb_measure_device(struct drmb_case *c, struct drmb_samples *s,
			int (*op)(struct drmb_device *dev))
{
	return measure_each(c, s, NULL, op, NULL);
}

/* ---- two-thread wake -------------------------------------------------- */

struct wake_shared {
	struct drmb_case *c;
	struct drmb_samples *s;
	const struct drmb_wake_ops *ops;
	/* Sequence numbers of the handshake; i+1 for sample i. */
	_Atomic uint64_t armed, blocking, done;
	_Atomic uint64_t t_signal;
	_Atomic int stop;
	_Atomic int error;
	_Atomic pid_t tid;
	uint64_t *t_woken;
};

static void spin_until(_Atomic uint64_t *v, uint64_t want, _Atomic int *stop)
{
	unsigned int spins = 0;

	while (atomic_load_explicit(v, memory_order_acquire) < want) {
		if (atomic_load(stop))
			return;
		/* Yield often: on a same-core placement the peer needs this CPU. */
		if (++spins % 64 == 0)
			sched_yield();
	}
}

static void *waiter_main(void *arg)
{
	struct wake_shared *w = arg;
	const struct drmb_placement *p = w->c->placement;
	size_t i;
	int ret;

	atomic_store(&w->tid, (pid_t)syscall(SYS_gettid));
	if (p)
		drmb_pin_self(p->cpu_waiter);
	if (w->c->env)
		drmb_env_waiter_sched(w->c->env);
	for (i = 0; i < w->s->cap; i++) {
		spin_until(&w->armed, i + 1, &w->stop);
		if (atomic_load(&w->stop))
			break;
		atomic_store_explicit(&w->blocking, i + 1, memory_order_release);
		ret = w->ops->wait(w->c);
		w->t_woken[i] = drmb_now_ns();
		if (ret) {
			atomic_store(&w->error, ret);
			atomic_store(&w->stop, 1);
		}
		atomic_store_explicit(&w->done, i + 1, memory_order_release);
		if (ret)
			break;
	}
	return NULL;
}

/*
 * Waits until the waiter is asleep in the kernel: state S (or D) in its
 * /proc stat. Reading procfs is slow but untimed, and unlike a fixed settle
 * delay it is right on a 4 us host and in a 100 us TCG guest alike.
 */
static int wait_for_sleep(int statfd, _Atomic int *stop, _Atomic uint64_t *done, uint64_t seq)
{
	char buf[256], *paren;
	unsigned int tries = 0;
	ssize_t n;

	for (;;) {
		n = pread(statfd, buf, sizeof(buf) - 1, 0);
		/* A waiter that failed has set stop before its thread went away. */
		if (n <= 0)
			return atomic_load(stop) ? 0 : -EIO;
		buf[n] = '\0';
		paren = strrchr(buf, ')');
		if (paren && (paren[2] == 'S' || paren[2] == 'D'))
			return 0;
		if (atomic_load(stop))
			return 0;
		/* Woken with nothing signalled: arm() left the object signalled. */
		if (atomic_load(done) >= seq)
			return -EPROTO;
		if (++tries % 16 == 0)
			sched_yield();
	}
}

int drmb_measure_wake(struct drmb_case *c, struct drmb_samples *s,
		      const struct drmb_wake_ops *ops)
{
	struct wake_shared w = { .c = c, .s = s, .ops = ops };
	uint64_t start, t0;
	char path[64];
	pthread_t thread;
	int statfd = -1, ret = 0;
	size_t i;

	s->n = 0;
	w.t_woken = calloc(s->cap, sizeof(*w.t_woken));
	if (!w.t_woken)
		return -ENOMEM;
	if (c->placement)
		drmb_pin_self(c->placement->cpu_signaller);
	ret = -pthread_create(&thread, NULL, waiter_main, &w);
	if (ret) {
		free(w.t_woken);
		return ret;
	}
	while (!atomic_load(&w.tid))
		sched_yield();
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)atomic_load(&w.tid));
	statfd = open(path, O_RDONLY | O_CLOEXEC);
	if (statfd < 0) {
		ret = -errno;
		goto out_stop;
	}

	start = drmb_now_ns();
	for (i = 0; i < s->cap; i++) {
		if (ops->arm) {
			ret = ops->arm(c);
			if (ret)
				break;
		}
		atomic_store_explicit(&w.armed, i + 1, memory_order_release);
		spin_until(&w.blocking, i + 1, &w.stop);
		ret = wait_for_sleep(statfd, &w.stop, &w.done, i + 1);
		if (ret == -EPROTO)
			drmb_why(c, ret, "the waiter returned before the signal: the benchmark's arm() did not leave it anything to wait for");
		if (ret || atomic_load(&w.stop))
			break;
		t0 = drmb_now_ns();
		ret = ops->signal(c);
		if (ret)
			break;
		spin_until(&w.done, i + 1, &w.stop);
		if (atomic_load(&w.stop))
			break;
		s->ns[i] = w.t_woken[i] - t0;
		if (ops->woken)
			ops->woken(c, i, t0, w.t_woken[i]);
		s->n = i + 1;
		if (c->max_run_ns && w.t_woken[i] - start > c->max_run_ns)
			break;
	}
out_stop:
	atomic_store(&w.stop, 1);
	/*
	 * A waiter still blocked (signal failed) is released by signalling
	 * once more; a wait that cannot be released that way is a bug in the
	 * benchmark, and the join below would show it as a hang.
	 */
	if (atomic_load(&w.blocking) > atomic_load(&w.done) && ret)
		ops->signal(c);
	pthread_join(thread, NULL);
	if (statfd >= 0)
		close(statfd);
	free(w.t_woken);
	if (!ret)
		ret = atomic_load(&w.error);
	return ret;
}

/* ---- background load ------------------------------------------------------ */

static void *load_main(void *arg)
{
	struct drmb_load *l = arg;
	volatile uint64_t x = 0;

	while (!__atomic_load_n(&l->stop, __ATOMIC_RELAXED))
		x++;
	return NULL;
}

int drmb_load_start(struct drmb_load *l, unsigned int n)
{
	pthread_t *t;
	unsigned int i;
	int ret;

	l->n = 0;
	l->stop = 0;
	l->threads = NULL;
	if (!n)
		return 0;
	t = calloc(n, sizeof(*t));
	if (!t)
		return -ENOMEM;
	l->threads = t;
	for (i = 0; i < n; i++) {
		ret = pthread_create(&t[i], NULL, load_main, l);
		if (ret) {
			drmb_load_stop(l);
			return -ret;
		}
		l->n++;
	}
	return 0;
}

void drmb_load_stop(struct drmb_load *l)
{
	pthread_t *t = l->threads;
	unsigned int i;

	__atomic_store_n(&l->stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < l->n; i++)
		pthread_join(t[i], NULL);
	free(t);
	l->threads = NULL;
	l->n = 0;
}
