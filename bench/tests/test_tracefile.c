// SPDX-License-Identifier: MIT
/*
 * The slowest samples' trace file (tracejobs.h, docs/measuring.md "The
 * slowest samples") read back the way Perfetto's systrace text importer
 * reads it, as read in google/perfetto src/trace_processor/importers/systrace/
 * (systrace_trace_parser.cc, systrace_line_tokenizer.cc,
 * systrace_line_parser.cc, systrace_parser.h) and the sorter
 * (sorter/trace_sorter.h):
 *
 * - the file is systrace when its first 128 bytes hold "# tracer";
 * - a line starting with '#' is skipped; any other line must match the
 *   tokenizer's regex (else Perfetto counts a systrace_parse_failure and
 *   drops it): the task is what precedes "-pid", the timestamp
 *   "sec.frac" becomes (int64_t)(sec.frac * 1e9) ns;
 * - of our events only tracing_mark_write (also print, 0) make slices: the
 *   payload "B|tgid|name" begins a slice on thread pid's track (tgid must
 *   be a number; the name is the rest of the line), "E|tgid" ends the
 *   innermost one; gpu_scheduler, dma_fence and sched_wakeup lines name
 *   threads and nothing more;
 * - lines are sorted by time, a tie kept in file order.
 *
 * Without arguments the test writes a file from made-up events; with a
 * FILE argument it checks that file (one from a guest run) the same way.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <regex.h>
#include <stdlib.h>

#include "check.h"
#include "tracejobs.h"

/* Perfetto's line regex, \d \s \S spelled in POSIX classes. */
#define SYSTRACE_LINE							\
	"-([0-9]+)[[:space:]]+\\(?[[:space:]]*([0-9]+|-+)?\\)?[[:space:]]?"	\
	"\\[([0-9]+)\\][[:space:]]*([a-zA-Z.]{3}[0-9a-f.]{1,2}[[:space:]]*)?"	\
	"([0-9]+\\.[0-9]+):[[:space:]]+([^[:space:]]+):"

#define MAX_SLICES 4096
#define MAX_THREADS 64
#define MAX_DEPTH 16

struct slice {
	int tid;
	int64_t ts, dur;	/* dur -1: never ended */
	int depth;
	char name[64];
};

struct thread {
	int tid, tgid;
	char name[32];
	size_t stack[MAX_DEPTH];
	int depth;
};

/* What Perfetto would make of a file: its slices and its complaints. */
struct import {
	int sniffed;
	size_t lines, parse_failures, print_failures, misplaced_ends, backwards, marks;
	struct slice sl[MAX_SLICES];
	size_t nsl;
	struct thread th[MAX_THREADS];
	size_t nth;
};

static struct thread *thread_of(struct import *im, int tid)
{
	size_t i;

	for (i = 0; i < im->nth; i++)
		if (im->th[i].tid == tid)
			return &im->th[i];
	if (im->nth == MAX_THREADS)
		return NULL;
	im->th[im->nth] = (struct thread){ .tid = tid };
	return &im->th[im->nth++];
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n'))
		*--e = 0;
	return s;
}

/* ParseSystraceTracePoint for the phases drmbench writes, then the slice. */
static void print_event(struct import *im, int pid, int64_t ts, const char *args)
{
	struct thread *t = thread_of(im, pid);
	const char *bar = strchr(args, '|'), *name;
	char *end;
	long tgid;

	im->marks++;
	if (!t || !bar || (args[0] != 'B' && args[0] != 'E') || bar != args + 1) {
		im->print_failures++;
		return;
	}
	tgid = strtol(bar + 1, &end, 10);
	if (end == bar + 1 || (*end && *end != '|')) {
		/* no tgid: B fails; E falls back to the thread seen before */
		if (args[0] == 'B') {
			im->print_failures++;
			return;
		}
		tgid = 0;
	}
	if (tgid)
		t->tgid = (int)tgid;
	if (args[0] == 'E') {
		if (!t->depth) {
			im->misplaced_ends++;
			return;
		}
		t->depth--;
		im->sl[t->stack[t->depth]].dur = ts - im->sl[t->stack[t->depth]].ts;
		return;
	}
	name = *end ? end + 1 : "";
	if (im->nsl == MAX_SLICES || t->depth == MAX_DEPTH) {
		im->print_failures++;
		return;
	}
	im->sl[im->nsl] = (struct slice){ .tid = pid, .ts = ts, .dur = -1, .depth = t->depth };
	snprintf(im->sl[im->nsl].name, sizeof(im->sl[0].name), "%s",
		 *name ? name : "[empty slice name]");
	t->stack[t->depth++] = im->nsl++;
}

static void import_text(struct import *im, char *text)
{
	regex_t re;
	regmatch_t m[7];
	int64_t last = INT64_MIN;
	char *line, *save = NULL;

	memset(im, 0, sizeof(*im));
	im->sniffed = !!memmem(text, strnlen(text, 128), "# tracer", 8);
	if (regcomp(&re, SYSTRACE_LINE, REG_EXTENDED)) {
		im->parse_failures++;
		return;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *task, *event, *args;
		struct thread *t;
		int64_t ts;
		int pid;

		if (line[0] == '#' || !line[0])
			continue;
		im->lines++;
		if (regexec(&re, line, 7, m, 0)) {
			im->parse_failures++;
			continue;
		}
		line[m[0].rm_so] = 0;
		task = trim(line);
		pid = atoi(line + m[1].rm_so);
		ts = (int64_t)(strtod(line + m[5].rm_so, NULL) * 1e9);
		line[m[6].rm_eo] = 0;
		event = line + m[6].rm_so;
		args = trim(line + m[0].rm_eo);
		if (ts < last)
			im->backwards++;
		last = ts;
		t = thread_of(im, pid);
		if (t && strcmp(task, "<...>"))
			snprintf(t->name, sizeof(t->name), "%s", task);
		if (!strcmp(event, "tracing_mark_write") || !strcmp(event, "print") ||
		    !strcmp(event, "0"))
			print_event(im, pid, ts, args);
	}
	regfree(&re);
}

static int64_t absdiff(int64_t a, int64_t b)
{
	return a > b ? a - b : b - a;
}

/* The depth-2 slices each stage may hold, in order. */
static const char *const stages[4][3] = {
	{ "tp-submit", "entry" },
	{ "tp-sched" },
	{ "tp-hw", "engine", "exec" },
	{ "tp-wake", "tp-wakeup" },
};

/*
 * The depth-2 slices after stage slice *i, each one of the stage's own in
 * order and inside it (the double conversion may lose 1 ns); returns how
 * many were bad.
 */
static size_t check_children(const struct import *im, size_t *i, int k, size_t *nchild)
{
	const struct slice *p = &im->sl[*i];
	int64_t at = p->ts;
	size_t bad = 0;
	int c = 1;

	while (*i + 1 < im->nsl && im->sl[*i + 1].depth == 2) {
		const struct slice *ch = &im->sl[++*i];

		while (c < 3 && stages[k][c] && strcmp(ch->name, stages[k][c]))
			c++;
		if (c >= 3 || !stages[k][c] || ch->ts + 1 < at || ch->dur < 0 ||
		    ch->ts + ch->dur > p->ts + p->dur + 1)
			bad++;
		else
			at = ch->ts + ch->dur;
		c++;
		(*nchild)++;
	}
	return bad;
}

/*
 * The stage slices of every sample: "slowest K: N ns" at depth 0 lasting
 * N ns, its children tp-submit, tp-sched, tp-hw, tp-wake back to back and
 * filling it, theirs (entry, engine, exec, tp-wakeup) inside them.
 * Returns the samples seen.
 */
static size_t check_stages(const struct import *im, int tid, size_t *nchild)
{
	size_t i = 0, samples = 0, bad = 0;
	int k;

	*nchild = 0;
	while (i < im->nsl && !bad) {
		const struct slice *s = &im->sl[i];
		unsigned int rank;
		unsigned long long ns;
		int64_t at;

		if (s->depth != 0 || sscanf(s->name, "slowest %u: %llu ns", &rank, &ns) != 2 ||
		    s->tid != tid || absdiff(s->dur, (int64_t)ns) > 1) {
			bad++;
			break;
		}
		samples++;
		at = s->ts;
		for (i++, k = 0; k < 4 && !bad; k++, i++) {
			const struct slice *c = &im->sl[i];

			if (i >= im->nsl || c->depth != 1 || strcmp(c->name, stages[k][0]) ||
			    absdiff(c->ts, at) > 1 || c->dur < 0) {
				bad++;
				break;
			}
			at = c->ts + c->dur;
			bad += check_children(im, &i, k, nchild);
		}
		if (!bad && absdiff(at, s->ts + s->dur) > 2)
			bad++;
	}
	CHECK(!bad && samples, "%zu samples, each a slowest-K slice holding its four stages back to back "
	      "(%zu slices, %zu of them at depth 2)", samples, im->nsl, *nchild);
	return samples;
}

static void check_import(const struct import *im, int tgid, int tid)
{
	const struct thread *t;
	size_t i, open = 0;

	CHECK(im->sniffed, "Perfetto takes the file for systrace (\"# tracer\" in its first 128 bytes)");
	CHECK(im->lines && !im->parse_failures, "every one of %zu event lines matches the line regex "
	      "(%zu do not)", im->lines, im->parse_failures);
	CHECK(im->marks && !im->print_failures, "every one of %zu marks parses as B|tgid|name or E|tgid "
	      "(%zu do not)", im->marks, im->print_failures);
	for (i = 0; i < im->nsl; i++)
		open += im->sl[i].dur < 0;
	CHECK(!im->misplaced_ends && !open, "every E ends a slice, every B is ended (%zu, %zu)",
	      im->misplaced_ends, open);
	CHECK(!im->backwards, "lines in time order (%zu go back)", im->backwards);
	for (i = 0, t = NULL; i < im->nth; i++)
		if (im->th[i].tid == tid)
			t = &im->th[i];
	CHECK(t && t->tgid == tgid && t->name[0], "the stages' thread %d is in process %d, named %s",
	      tid, tgid, t ? t->name : "-");
}

#define TGID 300
#define SUBMITTER 301
#define WAITER 302
#define KWORKER 29

/* An event and its kernel line, as tracestage.c formats them. */
static void add(struct drmb_tev *e, size_t *n, char *text, size_t *len, uint64_t ts,
		enum drmb_tev_type type, uint64_t key, int pid, const char *comm,
		const char *name, const char *args)
{
	char head[128];

	e[*n] = (struct drmb_tev){ .ts = ts, .type = type, .key = key, .pid = pid, .cpu = 1,
				   .text = (long)*len };
	drmb_ftrace_head(head, sizeof(head), comm, pid, 1, ts, name);
	*len += (size_t)sprintf(text + *len, "%s%s\n", head, args) + 1;
	(*n)++;
}

static void test_written_file(void)
{
	/* Two samples of the old generation; the second has no waiter wakeup. */
	static const uint64_t base = 4849852000123ull;
	struct drmb_tev e[16];
	char text[4096], *out = NULL;
	size_t n = 0, len = 0, outlen = 0, i;
	uint64_t t0[2] = { base, base + 100000 }, t1[2] = { base + 23748, base + 100000 + 19723 };
	struct drmb_tjob j[2];
	struct drmb_tsample s[2];
	size_t nchild;
	struct drmb_tfile tf = { .events = "drm_sched_job,drm_run_job,drm_sched_process_job,sched_wakeup",
				 .ev = e, .text = text, .comm = "drmbench", .tid = SUBMITTER,
				 .tgid = TGID };
	static struct import im;
	FILE *f;

	add(e, &n, text, &len, base + 1000, DRMB_TEV_WAKEUP, 0, WAITER, "drmbench", "sched_wakeup",
	    "comm=drmbench pid=302 prio=120 target_cpu=001");
	add(e, &n, text, &len, base + 6503, DRMB_TEV_QUEUE, 0xa0, SUBMITTER, "drmbench",
	    "drm_sched_job", "entity=0x10, id=54, fence=0xa0, ring=simgpu-e0, job count:0, hw job count:0");
	add(e, &n, text, &len, base + 14208, DRMB_TEV_RUN, 0xa0, KWORKER, "kworker/u4:1",
	    "drm_run_job", "entity=0x10, id=54, fence=0xa0, ring=simgpu-e0, job count:0, hw job count:1");
	add(e, &n, text, &len, base + 15000, DRMB_TEV_OTHER, 0, KWORKER, "kworker/u4:1",
	    "dma_fence_signaled", "driver=simgpu timeline=simgpu-engine context=1 seqno=54");
	add(e, &n, text, &len, base + 15724, DRMB_TEV_DONE, 0xa0, KWORKER, "kworker/u4:1",
	    "drm_sched_process_job", "fence=0xa0 signaled");
	add(e, &n, text, &len, base + 18709, DRMB_TEV_WAKEUP, 0, WAITER, "kworker/u4:1",
	    "sched_wakeup", "comm=drmbench pid=302 prio=120 target_cpu=001");
	add(e, &n, text, &len, base + 100000 + 5000, DRMB_TEV_QUEUE, 0xb0, SUBMITTER, "drmbench",
	    "drm_sched_job", "entity=0x10, id=55, fence=0xb0, ring=simgpu-e0, job count:0, hw job count:0");
	add(e, &n, text, &len, base + 100000 + 5000, DRMB_TEV_RUN, 0xb0, KWORKER, "kworker/u4:1",
	    "drm_run_job", "entity=0x10, id=55, fence=0xb0, ring=simgpu-e0, job count:0, hw job count:1");
	add(e, &n, text, &len, base + 100000 + 9000, DRMB_TEV_DONE, 0xb0, KWORKER, "kworker/u4:1",
	    "drm_sched_process_job", "fence=0xb0 signaled");
	CHECK(drmb_tracejobs_match(e, n, t0, t1, 2, SUBMITTER, 0, j) == 2, "both samples matched");
	for (i = 0; i < 2; i++)
		s[i] = (struct drmb_tsample){ .t0 = t0[i], .t1 = t1[i], .job = &j[i], .rank = i + 1 };
	/* simgpu's records: sample 1's nest in its stages, sample 2's do not. */
	s[0].ioctl_ns = base + 1067;
	s[0].run_job_ns = base + 14642;
	s[0].engine_start_ns = base + 14778;
	s[0].signal_ns = base + 14989;
	s[1].ioctl_ns = t0[1] - 1;
	s[1].run_job_ns = base + 100000 + 5400;
	s[1].engine_start_ns = base + 100000 + 5500;
	s[1].signal_ns = base + 100000 + 9001;
	f = open_memstream(&out, &outlen);
	if (!f) {
		CHECK(0, "open_memstream: %m");
		return;
	}
	CHECK(drmb_tracefile_write(f, &tf, 1, s, 2) == 0, "the file is written");
	fclose(f);
	for (i = 0; i < n; i++)
		CHECK(strstr(out, text + e[i].text) != NULL, "kernel line %zu kept as it was", i);
	import_text(&im, out);
	free(out);
	check_import(&im, TGID, SUBMITTER);
	CHECK(check_stages(&im, SUBMITTER, &nchild) == 2 && im.nsl == 14 && nchild == 4,
	      "two samples, 14 slices, 4 at depth 2 (got %zu, %zu)", im.nsl, nchild);
	CHECK(absdiff(im.sl[0].ts, (int64_t)t0[0]) <= 1 && !strcmp(im.sl[0].name, "slowest 1: 23748 ns"),
	      "sample 1 at t0: %s", im.sl[0].name);
	CHECK(absdiff(im.sl[1].dur, 6503) <= 1 && absdiff(im.sl[3].dur, 14208 - 6503) <= 1 &&
	      absdiff(im.sl[4].dur, 15724 - 14208) <= 1 && absdiff(im.sl[7].dur, 23748 - 15724) <= 1,
	      "sample 1's stages: submit %lld, sched %lld, hw %lld, wake %lld ns",
	      (long long)im.sl[1].dur, (long long)im.sl[3].dur, (long long)im.sl[4].dur,
	      (long long)im.sl[7].dur);
	CHECK(!strcmp(im.sl[2].name, "entry") && absdiff(im.sl[2].dur, 1067) <= 1 &&
	      !strcmp(im.sl[5].name, "engine") && absdiff(im.sl[5].dur, 136) <= 1 &&
	      !strcmp(im.sl[6].name, "exec") && absdiff(im.sl[6].dur, 211) <= 1,
	      "sample 1's records: entry %lld, engine %lld, exec %lld ns",
	      (long long)im.sl[2].dur, (long long)im.sl[5].dur, (long long)im.sl[6].dur);
	CHECK(!strcmp(im.sl[8].name, "tp-wakeup") && absdiff(im.sl[8].dur, 18709 - 15724) <= 1,
	      "sample 1's waiter woken %lld ns after the fence", (long long)im.sl[8].dur);
	CHECK(!strcmp(im.sl[9].name, "slowest 2: 19723 ns") && im.sl[13].depth == 1 &&
	      !strcmp(im.sl[10].name, "tp-submit") && absdiff(im.sl[11].dur, 0) <= 1,
	      "sample 2: no records that do not nest, no tp-wakeup, a zero-length tp-sched");

	f = open_memstream(&out, &outlen);
	if (f) {
		j[0].done_ns = 0;
		CHECK(drmb_tracefile_write(f, &tf, 0, s, 1) == -EINVAL, "an unmatched sample: -EINVAL");
		fclose(f);
		free(out);
	}
}

/* A file the importer would read wrong: the checks must say so. */
static void test_reader_catches(void)
{
	static char bad[] =
		"# tracer: nop\n"
		"        drmbench-301     [001] ....  4849.852000123: tracing_mark_write: B|300|slowest 1: 10 ns\n"
		"drmbench 301 [001] 4849.852000125: tracing_mark_write: B|300|tp-submit\n"
		"        drmbench-301     [001] ....  4849.852000122: tracing_mark_write: B|x|tp-sched\n"
		"        drmbench-301     [001] ....  4849.852000133: tracing_mark_write: E|300\n"
		"        drmbench-301     [001] ....  4849.852000134: tracing_mark_write: E|300\n";
	static struct import im;

	import_text(&im, bad);
	CHECK(im.sniffed && im.parse_failures == 1 && im.print_failures == 1 &&
	      im.misplaced_ends == 1 && im.backwards == 1,
	      "the reader counts a bad line, a bad mark, an E too many, a step back");
}

static int check_file(const char *path)
{
	static struct import im;
	FILE *f = fopen(path, "r");
	char *text;
	long size;
	size_t i;
	int tid = 0, tgid = 0;

	if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "test_tracefile: cannot read %s: %m\n", path);
		return 2;
	}
	text = calloc(1, (size_t)size + 1);
	if (!text || fread(text, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "test_tracefile: cannot read %s\n", path);
		return 2;
	}
	fclose(f);
	import_text(&im, text);
	free(text);
	/* The stages' thread: the one of the first slice. */
	if (im.nsl) {
		tid = im.sl[0].tid;
		for (i = 0; i < im.nth; i++)
			if (im.th[i].tid == tid)
				tgid = im.th[i].tgid;
	}
	check_import(&im, tgid, tid);
	check_stages(&im, tid, &i);
	for (i = 0; i < im.nsl; i++)
		printf("# slice %-20s ts %lld dur %lld depth %d\n", im.sl[i].name,
		       (long long)im.sl[i].ts, (long long)im.sl[i].dur, im.sl[i].depth);
	return check_done();
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return check_file(argv[1]);
	test_written_file();
	test_reader_catches();
	return check_done();
}
