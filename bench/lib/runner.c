// SPDX-License-Identifier: MIT
/*
 * The run loop. Per entry, every combination of parameter values (and
 * placements, for two-thread benchmarks) is a case; per case: open the
 * backend's device, resolve the placement, requires(), setup(), then per run
 * the environment canary, a warm-up pass and a measured pass with counters
 * (and the steal clock) around it, the raw samples to the sidecar, the
 * summary to the result file.
 *
 * The canary is a short futex-wake pass (CANARY_SAMPLES after
 * CANARY_WARMUP, capped at CANARY_MAX_NS; its median) measured right before every run
 * of every case, in this process, on the case's placement (else the
 * default one resolved at start): nothing a DRM change does can move it,
 * so when it moves the machine did. Its p50 is written on the run's line
 * as canary-ns, floor-ratio is the run's p50 over it, and compare checks
 * the canaries of both sides before it hands out any verdict.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "appendf.h"
#include "backend.h"
#include "device.h"
#include "env.h"
#include "measure.h"
#include "runner.h"
#include "stats.h"

#define MAX_DEVICES 8
/*
 * 200 samples for a p50 (stats.h), after 20 warm-up, cut short after 2 s.
 * A loaded TCG host can make a cross-vCPU wake take ~25 ms: then the
 * canary is the median of the samples it got (at least CANARY_MIN), and
 * the result says so, because that is the run the canary is for.
 */
#define CANARY_SAMPLES 200
#define CANARY_WARMUP 20
#define CANARY_MIN 20
#define CANARY_MAX_NS 2000000000ull

struct open_device {
	const struct drmb_backend *backend;
	struct drmb_device dev;
	int ret;
	char why[DRMB_WHY_LEN];
};

struct run_state {
	const struct drmb_run_opts *o;
	struct drmb_env env;
	struct drmb_result_writer w;
	FILE *out;
	struct drmb_samples s;
	struct open_device devs[MAX_DEVICES];
	unsigned int ndevs;
	/* The canary: futex-wake, its own sample buffer, the default placement. */
	const struct drmb_bench *canary;
	struct drmb_samples cs;
	struct drmb_placement canary_pl;
	uint64_t canary_ns;	/* wall time spent in canary passes: their cost */
	unsigned int canary_passes;
	unsigned int ran, skipped, failed;
	double *run_p50, *run_p99, *run_canary, *run_floor;
	/* Per-run values of the benchmark's own metrics (stage breakdowns). */
	double run_metric[DRMB_MAX_METRICS][256];
};

/* ---- interrupt: never leave temporaries behind ---------------------------- */

static const char *volatile tmp_paths[2];

static void on_fatal_signal(int sig)
{
	if (tmp_paths[0])
		unlink(tmp_paths[0]);
	if (tmp_paths[1])
		unlink(tmp_paths[1]);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void guard_tmp_files(const struct drmb_result_writer *w)
{
	tmp_paths[0] = w ? w->tmp : NULL;
	tmp_paths[1] = w ? w->samples_tmp : NULL;
	signal(SIGINT, w ? on_fatal_signal : SIG_DFL);
	signal(SIGTERM, w ? on_fatal_signal : SIG_DFL);
	signal(SIGHUP, w ? on_fatal_signal : SIG_DFL);
}

/* ---- devices ------------------------------------------------------------ */

static struct open_device *device_for(struct run_state *st, const struct drmb_backend *b)
{
	struct open_device *d;
	unsigned int i;

	for (i = 0; i < st->ndevs; i++)
		if (st->devs[i].backend == b)
			return &st->devs[i];
	if (st->ndevs == MAX_DEVICES)
		return NULL;
	d = &st->devs[st->ndevs++];
	d->backend = b;
	d->ret = drmb_backend_open(b, &d->dev, d->why, sizeof(d->why));
	/*
	 * What the device is and how it is tuned applies to every later line
	 * (Go format config lines may appear anywhere).
	 */
	if (!d->ret && b->describe) {
		struct drmb_kvlist kv = { 0 };

		if (!b->describe(&d->dev, &kv))
			drmb_result_write_config(&st->w, &kv);
		drmb_kv_free(&kv);
	}
	return d;
}

/*
 * The device of the first backend in drmb_backends[] whose opened device
 * has every group the case needs (-b: that backend's, or a SKIP naming the
 * missing group). *name is the backend the case is named after, also when
 * it skips: the one that was forced, else the first that could have had
 * the groups. A device that opened but lacks a group stays in c->dev for
 * the case's name only.
 */
static int pick_device(struct run_state *st, struct drmb_case *c, const char **name,
		       char *why, size_t len)
{
	const struct drmb_bench *b = c->bench;
	uint32_t needs = b->needs | (b->case_needs ? b->case_needs(c) : 0);
	const struct drmb_backend *const *be;
	struct open_device *d, *first = NULL;

	for (be = drmb_backends; *be; be++) {
		if (st->o->backend ? strcmp((*be)->name, st->o->backend) :
		    ((*be)->flags & DRMB_BACKEND_EXPLICIT) ||
		    (drmb_backend_groups(*be) & needs) != needs)
			continue;
		d = device_for(st, *be);
		if (!d)
			continue;
		if (!first)
			first = d;
		if (!d->ret && drmb_device_has(&d->dev, needs)) {
			*name = d->backend->name;
			c->dev = &d->dev;
			return 0;
		}
	}
	if (!first) {
		*name = st->o->backend ? st->o->backend : "none";
		char groups[DRMB_WHY_LEN / 2];

		drmb_groups_describe(needs, groups, sizeof(groups));
		snprintf(why, len, "no backend has every group it needs (%s)", groups);
		return st->o->backend ? -ENODEV : -EOPNOTSUPP;
	}
	*name = first->backend->name;
	if (first->ret) {
		snprintf(why, len, "backend %s: %.200s", first->backend->name, first->why);
		return st->o->backend ? first->ret : -ENODEV;
	}
	c->dev = &first->dev;
	return drmb_device_lacks(&first->dev, needs, why, len);
}

/* ---- one pass ------------------------------------------------------------- */

static int pass_into(struct run_state *st, struct drmb_case *c, struct drmb_samples *s,
		     size_t cap, int counted)
{
	int ret;

	s->n = 0;
	s->cap = cap;
	s->ops_per_sample = 1;
	c->nmetrics = 0;
	if (counted)
		drmb_counters_start(&st->env.counters);
	ret = c->bench->run(c, s);
	if (counted)
		drmb_counters_stop(&st->env.counters);
	if (!ret && !s->n)
		ret = drmb_why(c, -EIO, "run produced no samples");
	return ret;
}

static int pass(struct run_state *st, struct drmb_case *c, size_t cap, int counted)
{
	return pass_into(st, c, &st->s, cap, counted);
}

static size_t warmup_samples(size_t samples)
{
	size_t w = samples / 10;

	return w < 10 ? (samples < 10 ? samples : 10) : w;
}

static int case_setup(struct drmb_case *c, enum drmb_step *step)
{
	int ret;

	if (c->bench->priv_size) {
		c->priv = calloc(1, c->bench->priv_size);
		if (!c->priv)
			return -ENOMEM;
	}
	*step = DRMB_STEP_REQUIRES;
	ret = c->bench->requires ? c->bench->requires(c) : 0;
	if (!ret && c->bench->setup) {
		*step = DRMB_STEP_SETUP;
		ret = c->bench->setup(c);
	}
	if (ret) {
		free(c->priv);
		c->priv = NULL;
	}
	return ret;
}

static void case_teardown(struct drmb_case *c)
{
	if (c->bench->teardown)
		c->bench->teardown(c);
	free(c->priv);
	c->priv = NULL;
}

const char *const drmb_step_names[] = {
	[DRMB_STEP_NAME] = "case name",
	[DRMB_STEP_DEVICE] = "device",
	[DRMB_STEP_PLACEMENT] = "placement",
	[DRMB_STEP_REQUIRES] = "requires",
	[DRMB_STEP_SETUP] = "setup",
	[DRMB_STEP_RUN] = "run",
};

/*
 * Only what is checked before the benchmark touches anything may skip: the
 * device (none, or not this backend), the placement (no such CPUs here)
 * and the benchmark's own .requires.  Once those passed, every error is
 * the thing under test failing (a kernel regression that makes SUBMIT
 * return -ENOENT mid-run must not read as "not supported here").
 */
int drmb_step_skips(enum drmb_step step, int ret)
{
	if (step != DRMB_STEP_DEVICE && step != DRMB_STEP_PLACEMENT &&
	    step != DRMB_STEP_REQUIRES)
		return 0;
	return ret == -EOPNOTSUPP || ret == -ENODEV || ret == -ENOENT ||
	       ret == -ENOTTY || ret == -EACCES || ret == -EPERM;
}


/* ---- the canary --------------------------------------------------------- */

/*
 * One canary pass on placement pl (the case's, else the default): the p50
 * of CANARY_SAMPLES futex wakes after CANARY_WARMUP, or -errno with why.
 * Uncounted: the run's counters take differences around its own pass. The
 * calling thread's affinity is put back, so the canary never changes where
 * the case's own thread runs.
 */
static int canary_measure(struct run_state *st, const struct drmb_placement *pl,
			  double *p50, char *why, size_t whylen)
{
	struct drmb_summary sum;
	struct drmb_case cc;
	uint64_t t0 = drmb_now_ns();
	cpu_set_t saved;
	enum drmb_step step;
	int have_saved, ret;

	memset(&cc, 0, sizeof(cc));
	cc.bench = st->canary;
	cc.placement = pl;
	cc.env = &st->env;
	cc.samples = CANARY_SAMPLES;
	cc.max_run_ns = CANARY_MAX_NS;
	have_saved = !sched_getaffinity(0, sizeof(saved), &saved);
	ret = case_setup(&cc, &step);
	if (!ret) {
		/* The warm-up gets a quarter of the cap: at most 2.5 s in all. */
		cc.max_run_ns = CANARY_MAX_NS / 4;
		ret = pass_into(st, &cc, &st->cs, CANARY_WARMUP, 0);
		cc.max_run_ns = CANARY_MAX_NS;
		if (!ret)
			ret = pass_into(st, &cc, &st->cs, CANARY_SAMPLES, 0);
		case_teardown(&cc);
	}
	if (have_saved)
		sched_setaffinity(0, sizeof(saved), &saved);
	st->canary_ns += drmb_now_ns() - t0;
	st->canary_passes++;
	if (!ret)
		ret = drmb_summarize_u64(st->cs.ns, st->cs.n, &sum);	/* sorts */
	if (!ret && st->cs.n < CANARY_MIN)
		ret = drmb_why(&cc, -ERANGE, "%zu of %d samples in %llu ms: no median",
			       st->cs.n, CANARY_SAMPLES, CANARY_MAX_NS / 1000000);
	if (ret) {
		snprintf(why, whylen, "%s", cc.why[0] ? cc.why : strerror(-ret));
		return ret;
	}
	*p50 = drmb_quantile_sorted_u64(st->cs.ns, st->cs.n, 0.5);
	if (st->cs.n < CANARY_SAMPLES)
		snprintf(why, whylen, "%zu of %d samples in %llu ms", st->cs.n, CANARY_SAMPLES,
			 CANARY_MAX_NS / 1000000);
	else
		why[0] = '\0';
	return 0;
}

/* ---- one case ------------------------------------------------------------- */

static void fmt_ns(char *buf, size_t len, double ns)
{
	if (isnan(ns))
		snprintf(buf, len, "-");
	else if (ns < 10e3)
		snprintf(buf, len, "%.0f ns", ns);
	else if (ns < 10e6)
		snprintf(buf, len, "%.1f us", ns / 1e3);
	else
		snprintf(buf, len, "%.2f ms", ns / 1e6);
}

static void add_metric(struct drmb_metric *m, size_t *n, double v, const char *unit)
{
	m[*n].value = v;
	m[(*n)++].unit = (char *)unit;
}

static int measure_case(struct run_state *st, struct drmb_case *c, const char *name,
			enum drmb_step *step)
{
	const struct drmb_run_opts *o = st->o;
	const struct drmb_placement *cpl = c->placement ? c->placement : &st->canary_pl;
	int floor_ratio = !!(c->bench->flags & DRMB_BENCH_FLOOR_RATIO);
	unsigned int r, nruns = 0, ncanary = 0, nfloor = 0;
	size_t most_samples = 0;
	uint64_t steal_total = 0;
	char a[32], b[32], why[DRMB_WHY_LEN];
	int ret, canary_failed = 0;

	ret = case_setup(c, step);
	if (ret)
		return ret;
	*step = DRMB_STEP_RUN;
	for (r = 0; r < o->runs; r++) {
		struct drmb_metric m[32];
		struct drmb_summary sum;
		double ops, per, canary = NAN;
		uint64_t steal0 = 0, steal1 = 0;
		size_t nm = 0;
		unsigned int i;
		int steal_ok;

		/* Right before the run, so the two see the same machine. */
		if (st->canary && canary_measure(st, cpl, &canary, why, sizeof(why))) {
			if (!canary_failed++)
				drmb_result_comment(&st->w, "canary unavailable for Benchmark%s run %u: %s",
						    name, r, why);
			canary = NAN;
		} else if (st->canary && why[0]) {
			drmb_result_comment(&st->w, "canary of Benchmark%s run %u from %s (time cap)",
					    name, r, why);
		}
		ret = pass(st, c, warmup_samples(o->samples), 0);
		if (ret)
			break;
		steal_ok = st->env.steal && !drmb_steal_ns(&steal0);
		ret = pass(st, c, o->samples, 1);
		steal_ok = steal_ok && !drmb_steal_ns(&steal1) && steal1 >= steal0;
		if (ret)
			break;
		if (st->s.n > most_samples)
			most_samples = st->s.n;
		ops = (double)st->s.n * st->s.ops_per_sample;
		per = st->s.ops_per_sample;
		ret = drmb_result_samples(&st->w, name, r, st->s.ops_per_sample, st->s.ns, st->s.n);
		if (ret) {
			drmb_why(c, ret, "cannot write raw samples: %s", strerror(-ret));
			break;
		}
		ret = drmb_summarize_u64(st->s.ns, st->s.n, &sum);
		if (ret)
			break;
		if (sum.have & DRMB_HAVE_P50)
			add_metric(m, &nm, sum.p50 / per, "ns/op");
		if (sum.have & DRMB_HAVE_P90)
			add_metric(m, &nm, sum.p90 / per, "p90-ns/op");
		if (sum.have & DRMB_HAVE_P99)
			add_metric(m, &nm, sum.p99 / per, "p99-ns/op");
		if (sum.have & DRMB_HAVE_P999)
			add_metric(m, &nm, sum.p999 / per, "p99.9-ns/op");
		add_metric(m, &nm, sum.min / per, "min-ns/op");
		add_metric(m, &nm, sum.mean / per, "mean-ns/op");
		add_metric(m, &nm, sum.mad / per, "mad-ns/op");
		if (c->bench->flags & DRMB_BENCH_THROUGHPUT)
			add_metric(m, &nm, 1e9 / (sum.mean / per), "ops/s");
		if (!isnan(canary)) {
			add_metric(m, &nm, canary, "canary-ns");
			st->run_canary[ncanary++] = canary;
			if (floor_ratio && (sum.have & DRMB_HAVE_P50)) {
				add_metric(m, &nm, sum.p50 / canary, "floor-ratio");
				st->run_floor[nfloor++] = sum.p50 / canary;
			}
		}
		if (steal_ok) {
			add_metric(m, &nm, (double)(steal1 - steal0) / 1e6, "steal-ms");
			steal_total += steal1 - steal0;
		}
		for (i = 0; i < DRMB_NR_COUNTERS; i++)
			if (st->env.counters.fd[i] >= 0)
				add_metric(m, &nm, st->env.counters.value[i] / ops,
					   drmb_counter_units[i]);
		for (i = 0; i < c->nmetrics && nm < 32; i++)
			add_metric(m, &nm, c->metric[i].value, c->metric[i].unit);
		ret = drmb_result_line(&st->w, name, (uint64_t)ops, m, nm);
		if (ret) {
			drmb_why(c, ret, "cannot write result line (bad metric from the benchmark?)");
			break;
		}
		st->run_p50[nruns] = (sum.have & DRMB_HAVE_P50) ? sum.p50 / per : NAN;
		for (i = 0; i < c->nmetrics; i++)
			st->run_metric[i][nruns] = c->metric[i].value;
		st->run_p99[nruns++] = (sum.have & DRMB_HAVE_P99) ? sum.p99 / per : NAN;
	}
	case_teardown(c);
	if (ret)
		return ret;

	{
		double p50s[256], noise, med50, med99, cnoise = NAN, cmed = NAN;
		unsigned int i, n50 = 0, n99 = 0;

		/* A run without a p50 (too few samples) leaves the others'. */
		for (i = 0; i < nruns; i++)
			if (!isnan(st->run_p50[i]))
				p50s[n50++] = st->run_p50[i];
		noise = drmb_log_mad_noise(p50s, n50);
		med50 = n50 ? drmb_median_double(p50s, n50) : NAN;
		for (i = 0; i < nruns; i++)
			if (!isnan(st->run_p99[i]))
				p50s[n99++] = st->run_p99[i];
		med99 = n99 ? drmb_median_double(p50s, n99) : NAN;
		fmt_ns(a, sizeof(a), med50);
		fmt_ns(b, sizeof(b), med99);
		fprintf(st->out, "  %-58s %2u runs  %s %9s  p99 %9s", name, nruns,
			c->bench->headline ? c->bench->headline : "p50", a, b);
		if (nfloor)
			fprintf(st->out, "  x%.2f floor", drmb_median_double(st->run_floor, nfloor));
		if (!isnan(noise))
			fprintf(st->out, "  noise %.1f%%", noise * 100);
		if (ncanary) {
			cnoise = drmb_log_mad_noise(st->run_canary, ncanary);
			cmed = drmb_median_double(st->run_canary, ncanary);
			fmt_ns(a, sizeof(a), cmed);
			fprintf(st->out, "  canary %s", a);
			if (!isnan(cnoise))
				fprintf(st->out, " noise %.1f%%", cnoise * 100);
		}
		if (steal_total)
			fprintf(st->out, "  steal %.1f ms", (double)steal_total / 1e6);
		fprintf(st->out, "\n");
		for (i = 0; i < c->nmetrics && nruns; i++) {
			/* Metrics a run always sets in the same order; medians over runs. */
			double v = drmb_median_double(st->run_metric[i], nruns);

			fprintf(st->out, "%s%s %.4g", i % 8 ? ", " : "      ", c->metric[i].unit, v);
			if (i + 1 == c->nmetrics || i % 8 == 7)
				fprintf(st->out, "\n");
		}
		if (nruns && !n50) {
			/* Say why, or a loaded host's dash reads as a broken case. */
			snprintf(why, sizeof(why),
				 "no p50: no run reached the %d samples a p50 needs (most: %zu of %zu%s)",
				 DRMB_P50_MIN_SAMPLES, most_samples, o->samples,
				 most_samples < o->samples ?
				 "; the time cap cut the runs short: a slow or loaded host needs a longer -t" :
				 "; -n 200 or more gives one");
			fprintf(st->out, "      %s\n", why);
			drmb_result_comment(&st->w, "%s: %s", name, why);
		}
		if (c->note[0]) {
			fprintf(st->out, "      %s\n", c->note);
			drmb_result_comment(&st->w, "%s: %s", name, c->note);
		}
		if (!isnan(noise))
			drmb_result_comment(&st->w, "noise %s %.2f%% over %u runs (1.4826*MAD of ln per-run p50)",
					    name, noise * 100, n50);
		if (!isnan(cnoise))
			drmb_result_comment(&st->w, "canary %s median %.0f ns, noise %.2f%% over %u runs",
					    name, cmed, cnoise * 100, ncanary);
	}
	return 0;
}

/* ---- sweeps --------------------------------------------------------------- */

#define MAX_VALUES 64

struct sweep {
	char buf[DRMB_MAX_PARAMS + 1][160];
	const char *vals[DRMB_MAX_PARAMS + 1][MAX_VALUES];
	unsigned int nvals[DRMB_MAX_PARAMS + 1];
	unsigned int idx[DRMB_MAX_PARAMS + 1];
	unsigned int nparams;	/* + 1 for placement when it applies */
};

static const char *override_of(const struct drmb_entry *e, const char *key)
{
	unsigned int i;

	for (i = 0; i < e->nov; i++)
		if (!strcmp(e->ov[i].key, key))
			return e->ov[i].value;
	return NULL;
}

static int split(struct sweep *sw, unsigned int slot, const char *list)
{
	char *save = NULL, *tok;

	snprintf(sw->buf[slot], sizeof(sw->buf[slot]), "%s", list);
	sw->nvals[slot] = 0;
	for (tok = strtok_r(sw->buf[slot], ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (sw->nvals[slot] == MAX_VALUES)
			return -E2BIG;
		sw->vals[slot][sw->nvals[slot]++] = tok;
	}
	return sw->nvals[slot] ? 0 : -EINVAL;
}

static int run_entry(struct run_state *st, const struct drmb_entry *e)
{
	const struct drmb_bench *b = e->bench;
	const struct drmb_run_opts *o = st->o;
	struct sweep sw;
	unsigned int i, np = 0;
	int two = !!(b->flags & DRMB_BENCH_TWO_THREADS);
	int ret;

	memset(&sw, 0, sizeof(sw));
	for (i = 0; b->params && b->params[i].name; i++) {
		const char *v = override_of(e, b->params[i].name);

		ret = split(&sw, i, v ? v : b->params[i].def);
		if (ret)
			return ret;
	}
	np = i;
	if (two) {
		const char *v = override_of(e, "placement");

		ret = split(&sw, np, v ? v : (o->placements ? o->placements : "auto"));
		if (ret)
			return ret;
	}
	sw.nparams = np + two;

	for (;;) {
		struct drmb_placement pl;
		struct drmb_case c;
		char name[512], why[DRMB_WHY_LEN] = "";
		char too_long[DRMB_WHY_LEN / 2] = "";	/* what overflowed name */
		enum drmb_step step = DRMB_STEP_DEVICE;
		size_t off = 0;

		memset(&c, 0, sizeof(c));
		c.bench = b;
		c.env = &st->env;
		c.samples = o->samples;
		c.max_run_ns = o->max_run_ns;
		c.result_path = st->w.path;
		/*
		 * The name is built whatever happens (SKIP and FAIL lines carry
		 * it); one that does not fit is kept truncated for those lines
		 * and the case fails naming the piece that overflowed, since a
		 * stored name must be the whole name.
		 */
		if (drmb_appendf(name, sizeof(name), &off, "%s", b->id))
			snprintf(too_long, sizeof(too_long), "the benchmark id");
		/* The case's values first: what it needs may depend on them. */
		for (i = 0; i < np; i++) {
			char err[DRMB_WHY_LEN];

			c.valstr[i] = sw.vals[i][sw.idx[i]];
			/* Validated before the run started; cannot fail here. */
			drmb_param_parse(&b->params[i], c.valstr[i], &c.val[i], err, sizeof(err));
		}
		ret = 0;
		if (b->flags & DRMB_BENCH_NEEDS_DEVICE) {
			const char *backend = "none";

			ret = pick_device(st, &c, &backend, why, sizeof(why));
			if (drmb_appendf(name, sizeof(name), &off, "/backend=%s", backend) &&
			    !too_long[0])
				snprintf(too_long, sizeof(too_long), "the backend name");
			/* Generic backends may land on any driver: name it. */
			if (c.dev && drmb_appendf(name, sizeof(name), &off, "/driver=%s",
						  c.dev->driver) && !too_long[0])
				snprintf(too_long, sizeof(too_long), "the driver name");
			if (ret)
				c.dev = NULL;
		}
		for (i = 0; i < np; i++) {
			if (b->params[i].unnamed_at_default && !strcmp(c.valstr[i], b->params[i].def))
				continue;
			if (drmb_appendf(name, sizeof(name), &off, "/%s=%s",
					 b->params[i].name, c.valstr[i]) && !too_long[0])
				snprintf(too_long, sizeof(too_long), "parameter %s (value of %zu bytes)",
					 b->params[i].name, strlen(c.valstr[i]));
		}
		if (two) {
			int pret = drmb_placement_resolve(sw.vals[np][sw.idx[np]], &pl,
							  ret ? NULL : why, ret ? 0 : sizeof(why));

			if (!ret && pret) {
				ret = pret;
				step = DRMB_STEP_PLACEMENT;
			}
			c.placement = &pl;
			if (drmb_appendf(name, sizeof(name), &off, "/placement=%s",
					 pret ? sw.vals[np][sw.idx[np]] : pl.name) && !too_long[0])
				snprintf(too_long, sizeof(too_long), "the placement");
		}
		if (too_long[0]) {
			step = DRMB_STEP_NAME;
			ret = -ENAMETOOLONG;
			snprintf(why, sizeof(why), "%s makes the result name longer than %zu bytes",
				 too_long, sizeof(name) - 1);
		}
		if (!ret) {
			ret = measure_case(st, &c, name, &step);
			if (ret && drmb_step_skips(step, ret))
				snprintf(why, sizeof(why), "%s", c.why[0] ? c.why : strerror(-ret));
			else if (ret)
				snprintf(why, sizeof(why), "%s failed: %s (errno %d)%s%.160s",
					 drmb_step_names[step], strerror(-ret), -ret,
					 c.why[0] ? ": " : "", c.why);
		}
		if (!ret) {
			st->ran++;
		} else if (drmb_step_skips(step, ret)) {
			st->skipped++;
			fprintf(st->out, "  %-58s SKIP: %s\n", name, why);
			drmb_result_comment(&st->w, "skip Benchmark%s: %s", name, why);
		} else {
			st->failed++;
			fprintf(st->out, "  %-58s FAIL: %s\n", name, why);
			drmb_result_comment(&st->w, "fail Benchmark%s: %s", name, why);
		}
		fflush(st->out);

		/* Next combination (odometer over every swept parameter). */
		for (i = 0; i < sw.nparams; i++) {
			if (++sw.idx[i] < sw.nvals[i])
				break;
			sw.idx[i] = 0;
		}
		if (i == sw.nparams)
			break;
	}
	return 0;
}

/* ---- the run ---------------------------------------------------------------- */

static int write_config(struct run_state *st)
{
	const struct drmb_run_opts *o = st->o;
	struct drmb_kvlist kv = { 0 };
	char buf[512], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	size_t i;
	int ret;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	ret = drmb_info_collect(&kv);
	ret |= drmb_kv_set(&kv, "date", "%s", stamp);
	ret |= drmb_kv_set(&kv, "cmdline", "%s", o->cmdline ? o->cmdline : "");
	ret |= drmb_kv_set(&kv, "backend", "%s", o->backend ? o->backend : "auto");
	ret |= drmb_kv_set(&kv, "runs", "%u", o->runs);
	ret |= drmb_kv_set(&kv, "samples", "%zu", o->samples);
	ret |= drmb_kv_set(&kv, "max-run-ms", "%llu", (unsigned long long)(o->max_run_ns / 1000000));
	ret |= drmb_kv_set(&kv, "quick", "%s", o->quick ? "yes" : "no");
	ret |= drmb_kv_set(&kv, "clock-overhead-ns", "%.1f", st->env.clock_overhead_ns);
	ret |= drmb_kv_set(&kv, "cpu-dma-latency", "%s", st->env.dma_latency);
	ret |= drmb_kv_set(&kv, "mlock", "%s", st->env.mlock);
	ret |= drmb_kv_set(&kv, "waiter-sched", "%s", st->env.waiter_sched);
	drmb_counters_describe(&st->env.counters, buf, sizeof(buf));
	ret |= drmb_kv_set(&kv, "counters", "%s", buf);
	if (st->canary)
		ret |= drmb_kv_set(&kv, "canary", "futex-wake p50 of %d samples (%d warm-up, at most %llu ms) before every run; placement of the case, else %s",
				   CANARY_SAMPLES, CANARY_WARMUP, CANARY_MAX_NS / 1000000,
				   st->canary_pl.name);
	else
		ret |= drmb_kv_set(&kv, "canary", "off (--no-canary)");
	/* Labels come last and win: the VM runner knows the accel for sure. */
	for (i = 0; i < o->labels.n; i++)
		ret |= drmb_kv_set(&kv, o->labels.kv[i].key, "%s", o->labels.kv[i].value);
	if (!ret)
		ret = drmb_result_write_config(&st->w, &kv);
	drmb_kv_free(&kv);
	return ret ? -EIO : 0;
}

int drmb_run(const struct drmb_run_opts *o, const struct drmb_entry *e, size_t n,
	     FILE *out, char *result_path, size_t pathlen, char *err, size_t errlen)
{
	struct run_state st;
	struct utsname u;
	unsigned int i;
	size_t k;
	int ret;

	memset(&st, 0, sizeof(st));
	st.o = o;
	st.out = out;
	result_path[0] = '\0';
	for (k = 0; k < n; k++) {
		ret = drmb_entry_validate(&e[k], err, errlen);
		if (ret)
			return ret;
	}
	if (!o->runs || o->runs > 256 || !o->samples) {
		snprintf(err, errlen, "runs must be 1..256 and samples at least 1");
		return -EINVAL;
	}
	ret = drmb_samples_init(&st.s, o->samples);
	st.run_p50 = calloc(o->runs, sizeof(double));
	st.run_p99 = calloc(o->runs, sizeof(double));
	st.run_canary = calloc(o->runs, sizeof(double));
	st.run_floor = calloc(o->runs, sizeof(double));
	if (!ret && !o->no_canary)
		ret = drmb_samples_init(&st.cs, CANARY_SAMPLES);
	if (ret || !st.run_p50 || !st.run_p99 || !st.run_canary || !st.run_floor) {
		snprintf(err, errlen, "cannot allocate %zu samples", o->samples);
		ret = -ENOMEM;
		goto out_free;
	}
	uname(&u);
	ret = drmb_result_open(&st.w, o->output, o->store ? o->store : "results",
			       u.nodename, u.release, o->label ? o->label : "run",
			       err, errlen);
	if (ret)
		goto out_free;
	guard_tmp_files(&st.w);

	drmb_env_setup(&st.env, &o->env);
	if (!o->no_canary) {
		char why[DRMB_WHY_LEN];

		st.canary = drmb_bench_find("futex-wake");
		/* Cases without a placement of their own: the machine's default. */
		if (drmb_placement_resolve("auto", &st.canary_pl, why, sizeof(why)))
			drmb_placement_resolve("none", &st.canary_pl, why, sizeof(why));
	}
	fprintf(out, "drmbench: %u runs x %zu samples%s; cpu-dma-latency %s; clock overhead %.1f ns\n",
		o->runs, o->samples, o->quick ? " (quick)" : "", st.env.dma_latency,
		st.env.clock_overhead_ns);
	fprintf(out, "  %-58s %7s  %13s  %13s  (noise = 1.4826*MAD of ln per-run p50)\n",
		"benchmark", "", "median p50", "median p99");
	ret = write_config(&st);
	for (k = 0; !ret && k < n; k++)
		ret = run_entry(&st, &e[k]);

	if (ret) {
		snprintf(err, errlen, "writing the result failed: %s", strerror(-ret));
		drmb_result_abort(&st.w);
	} else if (!st.ran) {
		drmb_result_abort(&st.w);
		fprintf(out, "%u ran, %u skipped, %u failed; no result file written (nothing ran)\n",
			st.ran, st.skipped, st.failed);
		ret = st.failed ? DRMB_RUN_FAILED : DRMB_RUN_ALL_SKIPPED;
	} else {
		if (st.canary_passes)
			drmb_result_comment(&st.w, "canary cost: %u passes, %.2f s, %.1f ms per run",
					    st.canary_passes, st.canary_ns / 1e9,
					    st.canary_ns / 1e6 / st.canary_passes);
		ret = drmb_result_commit(&st.w, result_path, pathlen, err, errlen);
		if (!ret) {
			if (st.canary_passes)
				fprintf(out, "canary: %u passes, %.2f s in all, %.1f ms per run\n",
					st.canary_passes, st.canary_ns / 1e9,
					st.canary_ns / 1e6 / st.canary_passes);
			fprintf(out, "%u ran, %u skipped, %u failed; result: %s\n",
				st.ran, st.skipped, st.failed, result_path);
			ret = st.failed ? DRMB_RUN_FAILED : DRMB_RUN_OK;
		}
	}
	guard_tmp_files(NULL);
	/*
	 * Released only after the result is safe: closing the counters toggles
	 * kernel static keys, the riskiest thing this process does to a guest.
	 */
	drmb_env_release(&st.env);
	for (i = 0; i < st.ndevs; i++) {
		if (!st.devs[i].ret)
			drmb_backend_close(&st.devs[i].dev);
	}
out_free:
	drmb_samples_fini(&st.s);
	drmb_samples_fini(&st.cs);
	free(st.run_p50);
	free(st.run_p99);
	free(st.run_canary);
	free(st.run_floor);
	return ret;
}
