// SPDX-License-Identifier: MIT
/*
 * The workload engine: every client instance in its own thread (or
 * process), with its own device handle, from a common start. Per cycle it
 * records cycle time and time over the ideal (the cycle on an idle
 * device); per job submit->run_job, how long the job waited for run_job
 * once it was ready, and its engine time. The device is reached only
 * through struct drmb_wl_dev_ops (workload.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "measure.h"
#include "stats.h"
#include "workload.h"

#define CYCLE_CAP 4096			/* per client; cycles beyond end its run */
#define JOB_CAP 8192
#define RING 64				/* > DRMB_WL_MAX_INFLIGHT */
#define START_SLACK_NS 20000000ull	/* common start after the last open */
#define OPEN_TIMEOUT_NS 30000000000ull

/* Shared between the clients and the caller (one mapping in process mode). */
struct control {
	int ready;			/* clients that opened (or failed to) */
	int failed;
	uint64_t start_ns;		/* 0 until every client is ready */
	uint64_t end_ns;		/* the last client's last signal */
	uint64_t first_cycles;		/* cycles the first client's instances started */
	int stop;			/* the first client has its target_cycles */
};

struct client {
	const struct drmb_workload *w;
	const struct drmb_wl_group *g;
	const struct drmb_wl_opts *o;
	const struct drmb_wl_dev_ops *ops;
	void *ctx;
	struct control *ctl;
	struct drmb_wl_client_stats *st;
	unsigned int index;		/* within its group */
	uint64_t rng;
	void *h;
	/* Per job, by job % RING: what later jobs' ready times need. */
	uint64_t run_ns[RING], signal_ns[RING], duration_ns[RING];
	int64_t dep[RING];
};

struct cycle {
	uint64_t first_job, njobs;
	uint64_t start_ns, user_end_ns, ideal_ns;
};

static void sleep_until(uint64_t t)
{
	struct timespec ts = { .tv_sec = t / 1000000000ull, .tv_nsec = t % 1000000000ull };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static int client_fail(struct client *cl, int err, const char *what)
{
	if (!cl->st->error) {
		cl->st->error = err;
		snprintf(cl->st->why, sizeof(cl->st->why), "client %s #%u: %s: %s",
			 cl->g->name, cl->index, what, strerror(-err));
	}
	return err;
}

/* Waits for a cycle's jobs and records them (untimed: after the fact). */
static int complete_cycle(struct client *cl, const struct cycle *cy)
{
	struct drmb_wl_client_stats *st = cl->st;
	uint64_t end = cy->user_end_ns, j;
	int ret;

	for (j = cy->first_job; j < cy->first_job + cy->njobs; j++) {
		struct drmb_job_times t;
		uint64_t ready, slot = j % RING;

		ret = cl->ops->wait(cl->h, j);
		if (!ret)
			ret = cl->ops->times(cl->h, j, &t);
		if (ret)
			return client_fail(cl, ret, "waiting for a job");
		cl->run_ns[slot] = t.run_job_ns;
		cl->signal_ns[slot] = t.signal_ns;
		/*
		 * Ready: submitted, its dependency signalled, and the client's
		 * own previous job no longer ahead of it (signalled, or already
		 * running when this one ran). What it waits after that is for
		 * other clients and the scheduler itself.
		 */
		ready = t.ioctl_ns;
		if (cl->dep[slot] >= 0 && cl->signal_ns[cl->dep[slot] % RING] > ready)
			ready = cl->signal_ns[cl->dep[slot] % RING];
		if (j) {
			uint64_t p = (j - 1) % RING;
			uint64_t gate = cl->signal_ns[p] <= t.run_job_ns ? cl->signal_ns[p] : cl->run_ns[p];

			if (gate > ready)
				ready = gate;
		}
		if (st->njob_rec < JOB_CAP) {
			st->submit_run_ns[st->njob_rec] = t.run_job_ns > t.ioctl_ns ?
							  t.run_job_ns - t.ioctl_ns : 0;
			st->ready_wait_ns[st->njob_rec] = t.run_job_ns > ready ? t.run_job_ns - ready : 0;
			if (st->ready_wait_ns[st->njob_rec] > st->ready_wait_max_ns)
				st->ready_wait_max_ns = st->ready_wait_ns[st->njob_rec];
			st->njob_rec++;
		}
		st->jobs++;
		/*
		 * Engine time is the job's duration: the engine runs it that
		 * long. Its signal comes later by the completion's latency
		 * (an hrtimer, late under load), which is not engine time.
		 */
		st->engine_ns += cl->duration_ns[slot];
		if (t.signal_ns > end)
			end = t.signal_ns;
	}
	if (st->ncycle_rec < CYCLE_CAP) {
		uint64_t len = end - cy->start_ns;

		st->cycle_ns[st->ncycle_rec] = len;
		st->over_ideal_ns[st->ncycle_rec] = len > cy->ideal_ns ? len - cy->ideal_ns : 0;
		st->ncycle_rec++;
	}
	st->cycles++;
	if (end > __atomic_load_n(&cl->ctl->end_ns, __ATOMIC_RELAXED))
		__atomic_store_n(&cl->ctl->end_ns, end, __ATOMIC_RELAXED);
	return 0;
}

static uint64_t draw(struct client *cl, const struct drmb_wl_step *s)
{
	if (s->max_ns == s->min_ns)
		return s->min_ns;
	return s->min_ns + drmb_splitmix64(&cl->rng) % (s->max_ns - s->min_ns + 1);
}

/* One cycle's steps; c->ideal_ns is the same steps on an idle device. */
static int run_steps(struct client *cl, struct cycle *cy, uint64_t *job)
{
	const struct drmb_wl_group *g = cl->g;
	uint64_t step_job[DRMB_WL_MAX_STEPS], step_end[DRMB_WL_MAX_STEPS];
	uint64_t t = 0, engine_free = 0;
	unsigned int i;
	int ret;

	cy->first_job = *job;
	cy->start_ns = drmb_now_ns();
	for (i = 0; i < g->nsteps; i++) {
		const struct drmb_wl_step *s = &g->step[i];
		uint64_t d, begin;

		switch (s->type) {
		case DRMB_WL_SUBMIT:
			d = draw(cl, s);
			cl->dep[*job % RING] = s->after >= 0 ? (int64_t)step_job[s->after] : -1;
			cl->duration_ns[*job % RING] = d;
			ret = cl->ops->submit(cl->h, *job, d, cl->dep[*job % RING]);
			if (ret)
				return client_fail(cl, ret, "submit");
			begin = t > engine_free ? t : engine_free;
			if (s->after >= 0 && step_end[s->after] > begin)
				begin = step_end[s->after];
			engine_free = step_end[i] = begin + d;
			step_job[i] = (*job)++;
			break;
		case DRMB_WL_WAIT:
			ret = cl->ops->wait(cl->h, step_job[s->target]);
			if (ret)
				return client_fail(cl, ret, "wait");
			if (step_end[s->target] > t)
				t = step_end[s->target];
			break;
		case DRMB_WL_SLEEP:
			d = draw(cl, s);
			sleep_until(drmb_now_ns() + d);
			t += d;
			break;
		}
	}
	cy->njobs = *job - cy->first_job;
	cy->user_end_ns = drmb_now_ns();
	cy->ideal_ns = t > engine_free ? t : engine_free;
	return 0;
}

static int client_loop(struct client *cl)
{
	const struct drmb_wl_group *g = cl->g;
	struct cycle ring[DRMB_WL_MAX_INFLIGHT + 1];
	unsigned int head = 0, inflight = 0;
	uint64_t job = 0, start, stop, next;
	int ret = 0;

	while (!(start = __atomic_load_n(&cl->ctl->start_ns, __ATOMIC_ACQUIRE)))
		sleep_until(drmb_now_ns() + 100000);
	if (__atomic_load_n(&cl->ctl->failed, __ATOMIC_ACQUIRE))
		return 0;
	sleep_until(start);
	stop = start + cl->o->duration_ns;
	next = start;
	while (!ret && drmb_now_ns() < stop && cl->st->cycles + inflight < CYCLE_CAP &&
	       !__atomic_load_n(&cl->ctl->stop, __ATOMIC_ACQUIRE)) {
		struct cycle *cy;

		if (cl->st->group == 0 && cl->o->target_cycles &&
		    __atomic_add_fetch(&cl->ctl->first_cycles, 1, __ATOMIC_ACQ_REL) >=
		    cl->o->target_cycles)
			__atomic_store_n(&cl->ctl->stop, 1, __ATOMIC_RELEASE);

		if (inflight == g->depth) {
			ret = complete_cycle(cl, &ring[head]);
			head = (head + 1) % (DRMB_WL_MAX_INFLIGHT + 1);
			inflight--;
			if (ret)
				break;
		}
		cy = &ring[(head + inflight) % (DRMB_WL_MAX_INFLIGHT + 1)];
		ret = run_steps(cl, cy, &job);
		if (ret)
			break;
		inflight++;
		if (g->period_ns) {
			uint64_t now = drmb_now_ns(), late;

			next += g->period_ns;
			cl->st->periods++;
			if (now > next) {
				/* Late: this period and every one skipped is missed. */
				late = (now - next) / g->period_ns + 1;
				cl->st->missed += late;
				cl->st->periods += late - 1;
				next += late * g->period_ns;
			}
			sleep_until(next);
		}
	}
	while (!ret && inflight) {
		ret = complete_cycle(cl, &ring[head]);
		head = (head + 1) % (DRMB_WL_MAX_INFLIGHT + 1);
		inflight--;
	}
	return ret;
}

static void *client_main(void *arg)
{
	struct client *cl = arg;
	char why[DRMB_WHY_LEN] = "";
	int ret = 0;

	if (cl->g->rt_prio) {
		struct sched_param sp = { .sched_priority = cl->g->rt_prio };

		ret = -pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
		if (ret)
			client_fail(cl, ret, "SCHED_FIFO for the submit thread (rt=)");
	}
	if (!ret) {
		ret = cl->ops->open(cl->ctx, cl->g, &cl->h, why, sizeof(why));
		if (ret)
			client_fail(cl, ret, why[0] ? why : "opening its device");
	}
	if (ret)
		__atomic_store_n(&cl->ctl->failed, 1, __ATOMIC_RELEASE);
	__atomic_add_fetch(&cl->ctl->ready, 1, __ATOMIC_ACQ_REL);
	if (!ret) {
		/* The loop drained the client's jobs: its busy time is all in. */
		if (!client_loop(cl) && cl->ops->busy &&
		    !cl->ops->busy(cl->h, &cl->st->fdinfo_busy_ns))
			cl->st->have_fdinfo = 1;
		cl->ops->close(cl->ctx, cl->h);
	}
	return NULL;
}

void drmb_wl_result_fini(struct drmb_wl_result *r)
{
	if (r->mem)
		munmap(r->mem, r->memlen);
	memset(r, 0, sizeof(*r));
}

static double quantile(uint64_t *v, size_t n, double q)
{
	if (!n)
		return 0;
	drmb_sort_u64(v, n);
	return drmb_quantile_sorted_u64(v, n, q);
}

/* Group figures from the clients' records (which this sorts). */
static int summarize(const struct drmb_workload *w, struct drmb_wl_result *r)
{
	unsigned int gi, i;

	for (gi = 0; gi < w->ngroups; gi++) {
		struct drmb_wl_group_result *gr = &r->group[gi];
		size_t ncyc = 0, njob = 0;
		uint64_t *cyc, *over, *sr, periods = 0, missed = 0, engine = 0, fdbusy = 0;
		double lo = 0, hi = 0;
		unsigned int n = 0, nfdinfo = 0;

		for (i = 0; i < r->nclients; i++) {
			if (r->client[i].group == gi) {
				ncyc += r->client[i].ncycle_rec;
				njob += r->client[i].njob_rec;
			}
		}
		cyc = malloc((ncyc + 1) * sizeof(*cyc));
		over = malloc((ncyc + 1) * sizeof(*over));
		sr = malloc((njob + 1) * sizeof(*sr));
		if (!cyc || !over || !sr) {
			free(cyc);
			free(over);
			free(sr);
			return -ENOMEM;
		}
		ncyc = njob = 0;
		for (i = 0; i < r->nclients; i++) {
			struct drmb_wl_client_stats *st = &r->client[i];
			double p50;

			if (st->group != gi)
				continue;
			memcpy(cyc + ncyc, st->cycle_ns, st->ncycle_rec * sizeof(*cyc));
			memcpy(over + ncyc, st->over_ideal_ns, st->ncycle_rec * sizeof(*over));
			memcpy(sr + njob, st->submit_run_ns, st->njob_rec * sizeof(*sr));
			ncyc += st->ncycle_rec;
			njob += st->njob_rec;
			periods += st->periods;
			missed += st->missed;
			engine += st->engine_ns;
			fdbusy += st->fdinfo_busy_ns;
			nfdinfo += !!st->have_fdinfo;
			if (st->ready_wait_max_ns > gr->ready_wait_max_ns)
				gr->ready_wait_max_ns = st->ready_wait_max_ns;
			p50 = quantile(st->cycle_ns, st->ncycle_rec, 0.5);
			if (!n++ || p50 < lo)
				lo = p50;
			if (p50 > hi)
				hi = p50;
		}
		gr->cycle_p50_ns = quantile(cyc, ncyc, 0.5);
		gr->cycle_p99_ns = quantile(cyc, ncyc, 0.99);
		gr->over_ideal_p50_ns = quantile(over, ncyc, 0.5);
		gr->submit_run_p50_ns = quantile(sr, njob, 0.5);
		gr->missed = periods ? (double)missed / periods : 0;
		gr->engine_share = r->run_ns ? (double)engine / r->run_ns : 0;
		gr->fdinfo_engine_share = n && nfdinfo == n && r->run_ns ?
					  (double)fdbusy / r->run_ns : NAN;
		gr->spread = n > 1 && lo > 0 ? (hi - lo) / lo : 0;
		if (gr->spread > r->fairness_spread)
			r->fairness_spread = gr->spread;
		free(cyc);
		free(over);
		free(sr);
	}
	return 0;
}

int drmb_wl_run(const struct drmb_workload *w, const struct drmb_wl_opts *o,
		const struct drmb_wl_dev_ops *ops, void *ctx,
		struct drmb_wl_result *r, char *why, size_t whylen)
{
	unsigned int n = 0, i, gi, k;
	size_t per = (2 * CYCLE_CAP + 2 * JOB_CAP) * sizeof(uint64_t);
	struct control *ctl;
	struct client *cl;
	pthread_t *tid;
	pid_t *pid;
	struct drmb_load load = { 0 };
	uint64_t deadline;
	char *p;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	for (gi = 0; gi < w->ngroups; gi++)
		n += w->group[gi].count;
	if (!n || n > DRMB_WL_MAX_CLIENTS)
		return -EINVAL;
	r->memlen = sizeof(*ctl) + n * (sizeof(*r->client) + per);
	r->mem = mmap(NULL, r->memlen, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (r->mem == MAP_FAILED) {
		r->mem = NULL;
		return -ENOMEM;
	}
	ctl = r->mem;
	r->client = (void *)(ctl + 1);
	r->nclients = n;
	p = (char *)(r->client + n);
	cl = calloc(n, sizeof(*cl));
	tid = calloc(n, sizeof(*tid));
	pid = calloc(n, sizeof(*pid));
	if (!cl || !tid || !pid) {
		ret = -ENOMEM;
		goto out;
	}
	for (gi = 0, i = 0; gi < w->ngroups; gi++) {
		for (k = 0; k < w->group[gi].count; k++, i++) {
			struct drmb_wl_client_stats *st = &r->client[i];

			st->group = gi;
			st->cycle_ns = (uint64_t *)p;
			st->over_ideal_ns = st->cycle_ns + CYCLE_CAP;
			st->submit_run_ns = st->over_ideal_ns + CYCLE_CAP;
			st->ready_wait_ns = st->submit_run_ns + JOB_CAP;
			p += per;
			cl[i] = (struct client){ .w = w, .g = &w->group[gi], .o = o, .ops = ops,
						 .ctx = ctx, .ctl = ctl, .st = st, .index = k,
						 .rng = o->seed * 1000003u + i + 1 };
		}
	}
	if (o->busy_threads) {
		ret = drmb_load_start(&load, o->busy_threads);
		if (ret) {
			snprintf(why, whylen, "cannot start %u busy threads: %s", o->busy_threads,
				 strerror(-ret));
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		if (o->mode == DRMB_WL_PROCESSES) {
			pid[i] = fork();
			if (!pid[i]) {
				client_main(&cl[i]);
				_exit(0);
			}
			ret = pid[i] < 0 ? -errno : 0;
		} else {
			ret = -pthread_create(&tid[i], NULL, client_main, &cl[i]);
		}
		if (ret) {
			snprintf(why, whylen, "cannot start client %u: %s", i, strerror(-ret));
			__atomic_store_n(&ctl->failed, 1, __ATOMIC_RELEASE);
			n = i;
			break;
		}
	}
	/* Every client opened its file and queue: start them together. */
	deadline = drmb_now_ns() + OPEN_TIMEOUT_NS;
	while (__atomic_load_n(&ctl->ready, __ATOMIC_ACQUIRE) < (int)n && drmb_now_ns() < deadline)
		sleep_until(drmb_now_ns() + 1000000);
	if (__atomic_load_n(&ctl->ready, __ATOMIC_ACQUIRE) < (int)n)
		__atomic_store_n(&ctl->failed, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&ctl->start_ns, drmb_now_ns() + START_SLACK_NS, __ATOMIC_RELEASE);
	for (i = 0; i < n; i++) {
		if (o->mode == DRMB_WL_PROCESSES) {
			int status;

			while (waitpid(pid[i], &status, 0) < 0 && errno == EINTR)
				;
			if ((!WIFEXITED(status) || WEXITSTATUS(status)) && !r->client[i].error) {
				r->client[i].error = -ECHILD;
				snprintf(r->client[i].why, sizeof(r->client[i].why),
					 "client process %d died (status 0x%x)", (int)pid[i], status);
			}
		} else {
			pthread_join(tid[i], NULL);
		}
	}
	if (o->busy_threads)
		drmb_load_stop(&load);
	if (!ret && ctl->ready < (int)r->nclients) {
		ret = -ETIMEDOUT;
		snprintf(why, whylen, "clients did not open their devices within %llu s",
			 (unsigned long long)(OPEN_TIMEOUT_NS / 1000000000ull));
	}
	for (i = 0; !ret && i < r->nclients; i++) {
		if (r->client[i].error) {
			ret = r->client[i].error;
			snprintf(why, whylen, "%s", r->client[i].why);
		}
	}
	if (!ret) {
		r->run_ns = ctl->end_ns > ctl->start_ns ? ctl->end_ns - ctl->start_ns : o->duration_ns;
		ret = summarize(w, r);
	}
out:
	free(cl);
	free(tid);
	free(pid);
	if (ret)
		drmb_wl_result_fini(r);
	return ret;
}
