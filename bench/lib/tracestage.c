// SPDX-License-Identifier: MIT
/* Kernel trace events through libtracefs (tracestage.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "env.h"
#include "tracedat.h"
#include "tracestage.h"

#ifndef HAVE_LIBTRACEFS

int drmb_trace_open(struct drmb_trace **tp, int keep_text, char *why, size_t whylen)
{
	*tp = NULL;
	snprintf(why, whylen, "drmbench was built without libtracefs (scripts/deps installs it)");
	return -EOPNOTSUPP;
}

void drmb_trace_close(struct drmb_trace *t)
{
}

const char *drmb_trace_events(const struct drmb_trace *t)
{
	return "none";
}

int drmb_trace_start(struct drmb_trace *t)
{
	return -EOPNOTSUPP;
}

int drmb_trace_stop(struct drmb_trace *t, struct drmb_tev **ev, size_t *n, uint64_t *lost)
{
	return -EOPNOTSUPP;
}

int drmb_trace_write(struct drmb_trace *t, FILE *f, const char *datpath, int first,
		     const struct drmb_tev *ev, const struct drmb_tsample *s, size_t n, int tid)
{
	return -EOPNOTSUPP;
}

#else

#include <event-parse.h>
#include <tracefs.h>

/* Per CPU; ~40 bytes an event, 4-5 events a sample. */
#define TRACE_BUFFER_KB 8192

/* A growing run of bytes: text lines, records. */
struct blob {
	char *p;
	size_t n, cap;
};

/* A record of the trace.dat: its bytes at off in dat_raw. */
struct dat_rec {
	uint64_t ts;
	int cpu;
	size_t off;
	unsigned int size;
};

/* gpu_scheduler x3, sched_wakeup, dma_fence_signaled, ftrace print. */
#define DAT_FORMATS 6

/* The scheduler events of both generations, in drmb_tev_type order. */
static const char *const gen_new[] = {
	"drm_sched_job_queue", "drm_sched_job_run", "drm_sched_job_done",
};
static const char *const gen_old[] = {
	"drm_sched_job", "drm_run_job", "drm_sched_process_job",
};

struct drmb_trace {
	struct tracefs_instance *inst;
	struct tep_handle *tep;
	const char *const *gen;
	int newgen;
	int id[DRMB_TEV_OTHER + 1];
	int fence_id;
	struct tep_format_field *key[3], *seq[3], *wpid;
	char events[128];
	char comm[32];			/* this program's, for the trace file */
	/* The run's events and, with keep_text, their text. */
	struct drmb_tev *ev;
	size_t nev, cap;
	uint64_t lost;
	int keep_text, err;
	struct trace_seq seq_text;
	struct blob text, raw;
	/* keep_text: what a trace.dat needs (tracedat.h), read once. */
	char *header_page, *header_event;
	struct drmb_tdat_format fmt[DAT_FORMATS];
	size_t nfmt;
	struct tep_event *print;
	struct tep_format_field *print_type, *print_pid, *print_ip, *print_buf;
	char kallsyms[256];		/* tracing_mark_write's line, or "" */
	unsigned long long mark_ip;
	/* The trace.dat's records (struct dat_rec) of every run of the case so far. */
	struct blob dat, dat_raw;
};

static int ev_file_enable(struct drmb_trace *t, const char *sys, const char *name, int on)
{
	return on ? tracefs_event_enable(t->inst, sys, name) :
		    tracefs_event_disable(t->inst, sys, name);
}

static int trace_enable(struct drmb_trace *t, int on)
{
	int i, ret = 0;

	for (i = 0; i < 3; i++)
		ret |= ev_file_enable(t, "gpu_scheduler", t->gen[i], on);
	ret |= ev_file_enable(t, "sched", "sched_wakeup", on);
	if (t->keep_text)
		ret |= ev_file_enable(t, "dma_fence", "dma_fence_signaled", on);
	return ret ? -EIO : 0;
}

void drmb_trace_close(struct drmb_trace *t)
{
	size_t i;

	if (!t)
		return;
	if (t->inst) {
		trace_enable(t, 0);
		tracefs_instance_destroy(t->inst);
		tracefs_instance_free(t->inst);
	}
	if (t->tep)
		tep_free(t->tep);
	if (t->keep_text)
		trace_seq_destroy(&t->seq_text);
	free(t->ev);
	free(t->text.p);
	free(t->raw.p);
	free(t->header_page);
	free(t->header_event);
	for (i = 0; i < t->nfmt; i++)
		free((char *)t->fmt[i].text);
	free(t->dat.p);
	free(t->dat_raw.p);
	free(t);
}

const char *drmb_trace_events(const struct drmb_trace *t)
{
	return t ? t->events : "none";
}

static int lookup(struct drmb_trace *t, char *why, size_t whylen)
{
	static const char *const keys_new[] = { "fence_context", "fence_context", "fence_context" };
	struct tep_event *e;
	int i;

	e = tep_find_event_by_name(t->tep, "gpu_scheduler", gen_new[0]);
	t->newgen = e != NULL;
	t->gen = t->newgen ? gen_new : gen_old;
	for (i = 0; i < 3; i++) {
		e = tep_find_event_by_name(t->tep, "gpu_scheduler", t->gen[i]);
		if (!e)
			goto missing;
		t->id[i] = e->id;
		t->key[i] = tep_find_field(e, t->newgen ? keys_new[i] : "fence");
		t->seq[i] = t->newgen ? tep_find_field(e, "fence_seqno") : NULL;
		if (!t->key[i] || (t->newgen && !t->seq[i])) {
			snprintf(why, whylen, "gpu_scheduler:%s has no fence field this reader knows",
				 t->gen[i]);
			return -EOPNOTSUPP;
		}
	}
	e = tep_find_event_by_name(t->tep, "sched", "sched_wakeup");
	if (!e || !(t->wpid = tep_find_field(e, "pid"))) {
		snprintf(why, whylen, "no sched:sched_wakeup event with a pid field");
		return -EOPNOTSUPP;
	}
	t->id[DRMB_TEV_WAKEUP] = e->id;
	e = tep_find_event_by_name(t->tep, "dma_fence", "dma_fence_signaled");
	t->fence_id = e ? e->id : -1;
	snprintf(t->events, sizeof(t->events), "%s,%s,%s,sched_wakeup",
		 t->gen[0], t->gen[1], t->gen[2]);
	return 0;
missing:
	snprintf(why, whylen,
		 "no gpu_scheduler tracepoints (neither drm_sched_job_queue nor drm_sched_job): "
		 "is the gpu-sched module loaded?");
	return -EOPNOTSUPP;
}

/*
 * Enabling an event patches kernel text (its static key).  Under QEMU's
 * multi-threaded TCG a vCPU can then run the patched site from a stale
 * translation and take an int3 nobody expects: an Oops in __schedule or
 * ttwu_do_activate, in 6.12 guests with 2 vCPUs about once per 20 enables,
 * none in 90 with one vCPU (docs/measuring.md).
 */
static int text_patching_oopses(char *why, size_t whylen)
{
	char accel[32], vendor[160];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	drmb_hypervisor(accel, sizeof(accel), vendor, sizeof(vendor));
	if (strcmp(accel, "tcg") || cpus < 2)
		return 0;
	snprintf(why, whylen,
		 "enabling trace events patches kernel text, which oopses QEMU TCG guests "
		 "with more than one vCPU (%ld here): use one (vm-run -c 1, or -d)", cpus);
	return -EOPNOTSUPP;
}

/*
 * The marks' ip: tracing_mark_write's address, as in the print events
 * trace_marker writes, and its kallsyms line so that trace-cmd report
 * names it. Without the address (kptr_restrict) the ip stays 0.
 */
static void find_mark_ip(struct drmb_trace *t)
{
	char line[256];
	FILE *f = fopen("/proc/kallsyms", "r");

	while (f && fgets(line, sizeof(line), f)) {
		char type, name[64];

		if (sscanf(line, "%llx %c %63s", &t->mark_ip, &type, name) == 3 &&
		    !strcmp(name, "tracing_mark_write") && t->mark_ip) {
			snprintf(t->kallsyms, sizeof(t->kallsyms), "%s", line);
			break;
		}
		t->mark_ip = 0;
	}
	if (f)
		fclose(f);
}

/* What a trace.dat needs besides the records: headers and formats. */
static int dat_open(struct drmb_trace *t, char *why, size_t whylen)
{
	const char *ev[DAT_FORMATS][2] = {
		{ "gpu_scheduler", t->gen[0] }, { "gpu_scheduler", t->gen[1] },
		{ "gpu_scheduler", t->gen[2] }, { "sched", "sched_wakeup" },
		{ "dma_fence", "dma_fence_signaled" }, { "ftrace", "print" },
	};
	int i;

	t->header_page = tracefs_instance_file_read(NULL, "events/header_page", NULL);
	t->header_event = tracefs_instance_file_read(NULL, "events/header_event", NULL);
	if (!t->header_page || !t->header_event) {
		snprintf(why, whylen, "reading events/header_page and header_event failed");
		return -EOPNOTSUPP;
	}
	for (i = 0; i < DAT_FORMATS; i++) {
		char *text;

		if (!strcmp(ev[i][0], "dma_fence") && t->fence_id < 0)
			continue;
		text = tracefs_event_file_read(NULL, ev[i][0], ev[i][1], "format", NULL);
		if (!text) {
			snprintf(why, whylen, "reading the format of %s:%s failed", ev[i][0], ev[i][1]);
			return -EOPNOTSUPP;
		}
		t->fmt[t->nfmt++] = (struct drmb_tdat_format){ ev[i][0], text };
	}
	t->print = tep_find_event_by_name(t->tep, "ftrace", "print");
	if (t->print) {
		t->print_type = tep_find_common_field(t->print, "common_type");
		t->print_pid = tep_find_common_field(t->print, "common_pid");
		t->print_ip = tep_find_field(t->print, "ip");
		t->print_buf = tep_find_field(t->print, "buf");
	}
	if (!t->print_type || !t->print_pid || !t->print_ip || !t->print_buf) {
		snprintf(why, whylen, "no ftrace:print event with the fields of a mark (ip, buf)");
		return -EOPNOTSUPP;
	}
	find_mark_ip(t);
	return 0;
}

int drmb_trace_open(struct drmb_trace **tp, int keep_text, char *why, size_t whylen)
{
	static const char *const systems[] = { "gpu_scheduler", "sched", "dma_fence", "ftrace", NULL };
	const char *dir = tracefs_tracing_dir();
	struct drmb_trace *t;
	char name[64], filter[64];
	FILE *f;
	int ret;

	*tp = NULL;
	if (!dir) {
		snprintf(why, whylen, "tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)");
		return -EOPNOTSUPP;
	}
	if (access(dir, W_OK)) {
		snprintf(why, whylen, "no permission to write %s (tracing needs root or CAP_SYS_ADMIN)", dir);
		return -EOPNOTSUPP;
	}
	ret = text_patching_oopses(why, whylen);
	if (ret)
		return ret;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->keep_text = keep_text;
	if (keep_text)
		trace_seq_init(&t->seq_text);
	t->tep = tracefs_local_events_system(NULL, systems);
	if (!t->tep) {
		snprintf(why, whylen, "reading the event formats under %s failed", dir);
		ret = -EOPNOTSUPP;
		goto err;
	}
	ret = lookup(t, why, whylen);
	if (ret)
		goto err;
	if (keep_text) {
		ret = dat_open(t, why, whylen);
		if (ret)
			goto err;
	}
	snprintf(name, sizeof(name), "drmbench-%d", (int)getpid());
	t->inst = tracefs_instance_create(name);
	if (!t->inst) {
		snprintf(why, whylen, "creating the tracefs instance %s/instances/%s failed: %m", dir, name);
		ret = -EOPNOTSUPP;
		goto err;
	}
	if (tracefs_instance_file_write(t->inst, "trace_clock", "mono") < 0) {
		snprintf(why, whylen, "this kernel's tracefs has no trace_clock \"mono\"");
		ret = -EOPNOTSUPP;
		goto err;
	}
	tracefs_instance_set_buffer_size(t->inst, TRACE_BUFFER_KB, -1);
	/* Wakeups of this program's threads only: the waiters. */
	f = fopen("/proc/self/comm", "r");
	if (f) {
		if (fgets(t->comm, sizeof(t->comm), f))
			t->comm[strcspn(t->comm, "\n")] = 0;
		fclose(f);
	}
	snprintf(filter, sizeof(filter), "comm == \"%s\"", t->comm);
	if (tracefs_event_file_write(t->inst, "sched", "sched_wakeup", "filter", filter) < 0) {
		snprintf(why, whylen, "setting the sched_wakeup filter %s failed", filter);
		ret = -EOPNOTSUPP;
		goto err;
	}
	tracefs_trace_off(t->inst);
	if (trace_enable(t, 1)) {
		snprintf(why, whylen, "enabling %s failed", t->events);
		ret = -EOPNOTSUPP;
		goto err;
	}
	*tp = t;
	return 0;
err:
	drmb_trace_close(t);
	return ret;
}

int drmb_trace_start(struct drmb_trace *t)
{
	t->nev = 0;
	t->text.n = 0;
	t->raw.n = 0;
	t->lost = 0;
	t->err = 0;
	/* Writing the trace file empties every CPU's buffer. */
	if (tracefs_instance_file_clear(t->inst, "trace") < 0)
		return -EIO;
	return tracefs_trace_on(t->inst) < 0 ? -EIO : 0;
}

/* Appends len bytes at *off of b. */
static int blob_put(struct blob *b, const void *p, size_t len, size_t *off)
{
	if (b->n + len > b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 1 << 16;
		char *q;

		while (cap < b->n + len)
			cap *= 2;
		q = realloc(b->p, cap);
		if (!q)
			return -ENOMEM;
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->n, p, len);
	*off = b->n;
	b->n += len;
	return 0;
}

static int push_text(struct drmb_trace *t, struct tep_event *e, struct tep_record *rec,
		     struct drmb_tev *ev)
{
	struct trace_seq *s = &t->seq_text;
	int pid = tep_data_pid(t->tep, rec);
	char head[128];
	size_t off;

	drmb_ftrace_head(head, sizeof(head), pid ? tep_data_comm_from_pid(t->tep, pid) : "<idle>",
			 pid, rec->cpu, rec->ts, e->name);
	trace_seq_reset(s);
	trace_seq_puts(s, head);
	tep_print_event(t->tep, s, rec, "%s", TEP_PRINT_INFO);
	trace_seq_putc(s, '\n');
	trace_seq_terminate(s);
	if (blob_put(&t->text, s->buffer, (size_t)s->len + 1, &off))
		return -ENOMEM;
	ev->text = (long)off;
	return 0;
}

/* The record as the ring buffer held it, for the trace.dat. */
static int push_raw(struct drmb_trace *t, struct tep_record *rec, struct drmb_tev *ev)
{
	size_t off;

	if (rec->size <= 0 || blob_put(&t->raw, rec->data, (size_t)rec->size, &off))
		return -ENOMEM;
	ev->raw = (long)off;
	ev->rawlen = (unsigned int)rec->size;
	return 0;
}

static int on_event(struct tep_event *e, struct tep_record *rec, int cpu, void *ctx)
{
	struct drmb_trace *t = ctx;
	struct drmb_tev *ev;
	unsigned long long v = 0;
	int type;

	if (rec->missed_events > 0)
		t->lost += (uint64_t)rec->missed_events;
	for (type = 0; type < DRMB_TEV_OTHER; type++)
		if (t->id[type] == e->id)
			break;
	if (type == DRMB_TEV_OTHER && !(t->keep_text && e->id == t->fence_id))
		return 0;
	if (t->nev == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 4096;
		struct drmb_tev *p = realloc(t->ev, cap * sizeof(*p));

		if (!p) {
			t->err = -ENOMEM;
			return 1;
		}
		t->ev = p;
		t->cap = cap;
	}
	ev = &t->ev[t->nev];
	*ev = (struct drmb_tev){ .ts = rec->ts, .cpu = cpu, .type = type, .text = -1,
				 .raw = -1, .pid = tep_data_pid(t->tep, rec) };
	if (type < 3) {
		tep_read_number_field(t->key[type], rec->data, &v);
		ev->key = v;
		if (t->seq[type]) {
			tep_read_number_field(t->seq[type], rec->data, &v);
			ev->seqno = v;
		}
	} else if (type == DRMB_TEV_WAKEUP) {
		tep_read_number_field(t->wpid, rec->data, &v);
		ev->pid = (int)v;
	}
	if (t->keep_text && (push_text(t, e, rec, ev) || push_raw(t, rec, ev))) {
		t->err = -ENOMEM;
		return 1;
	}
	t->nev++;
	return 0;
}

int drmb_trace_stop(struct drmb_trace *t, struct drmb_tev **ev, size_t *n, uint64_t *lost)
{
	tracefs_trace_off(t->inst);
	if (t->keep_text)
		tracefs_load_cmdlines(NULL, t->tep);
	if (tracefs_iterate_raw_events(t->tep, t->inst, NULL, 0, on_event, t) < 0 && !t->err)
		t->err = -EIO;
	if (t->err)
		return t->err;
	drmb_tev_sort(t->ev, t->nev);
	*ev = t->ev;
	*n = t->nev;
	*lost = t->lost;
	return 0;
}

/* Stores v in the record's field, as wide as the field is. */
static void put_field(unsigned char *rec, const struct tep_format_field *field,
		      unsigned long long v)
{
	uint16_t v16 = (uint16_t)v;
	uint32_t v32 = (uint32_t)v;
	uint64_t v64 = v;

	if (field->size == 2)
		memcpy(rec + field->offset, &v16, 2);
	else if (field->size == 4)
		memcpy(rec + field->offset, &v32, 4);
	else if (field->size == 8)
		memcpy(rec + field->offset, &v64, 8);
}

struct dat_ctx {
	struct drmb_trace *t;
	const struct drmb_tfile *tf;
};

/*
 * A kernel event goes in as its own record; a mark as the ftrace print
 * record trace_marker would have made, on the CPU of the submit.
 */
static int dat_item(void *ctx, const struct drmb_tsample *s, size_t k, const struct drmb_tmark *m)
{
	struct dat_ctx *c = ctx;
	struct drmb_trace *t = c->t;
	struct dat_rec r;
	unsigned char rec[160];
	const void *bytes = rec;
	unsigned int size;
	char text[96];
	size_t off;
	int len;

	if (!m) {
		const struct drmb_tev *e = &c->tf->ev[k];

		if (e->raw < 0)
			return 0;
		bytes = t->raw.p + e->raw;
		size = e->rawlen;
		r = (struct dat_rec){ .ts = e->ts, .cpu = e->cpu, .size = size };
	} else {
		len = drmb_tmark_text(text, sizeof(text), c->tf->tgid, m);
		size = (unsigned int)t->print_buf->offset + (unsigned int)len + 1;
		if (len < 0 || size > sizeof(rec))
			return -EINVAL;
		memset(rec, 0, size);
		put_field(rec, t->print_type, (unsigned int)t->print->id);
		put_field(rec, t->print_pid, (unsigned int)c->tf->tid);
		put_field(rec, t->print_ip, t->mark_ip);
		memcpy(rec + t->print_buf->offset, text, (size_t)len + 1);
		r = (struct dat_rec){ .ts = m->ts, .cpu = s->job->cpu, .size = size };
	}
	if (blob_put(&t->dat_raw, bytes, size, &r.off))
		return -ENOMEM;
	return blob_put(&t->dat, &r, sizeof(r), &off);
}

/* The whole trace.dat again, through path.tmp: a failed write leaves the last. */
static int dat_write(struct drmb_trace *t, const char *path)
{
	const struct dat_rec *r = (const struct dat_rec *)t->dat.p;
	size_t i, n = t->dat.n / sizeof(*r);
	struct drmb_tdat_event *ev = calloc(n ? n : 1, sizeof(*ev));
	char *cmdlines = tracefs_instance_file_read(NULL, "saved_cmdlines", NULL);
	struct drmb_tdat d = {
		.header_page = t->header_page, .header_event = t->header_event,
		.fmt = t->fmt, .nfmt = t->nfmt, .cmdlines = cmdlines,
		.kallsyms = t->kallsyms[0] ? t->kallsyms : NULL,
		.page_size = (unsigned int)getpagesize(),
	};
	char tmp[PATH_MAX];
	FILE *f;
	int ret;

	if (!ev) {
		free(cmdlines);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		ev[i] = (struct drmb_tdat_event){ .ts = r[i].ts, .cpu = r[i].cpu,
						  .data = t->dat_raw.p + r[i].off, .size = r[i].size };
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		ret = -errno;
	} else {
		ret = drmb_tracedat_write(f, &d, ev, n);
		if (fclose(f) && !ret)
			ret = -EIO;
		if (!ret && rename(tmp, path))
			ret = -errno;
		if (ret)
			unlink(tmp);
	}
	free(ev);
	free(cmdlines);
	return ret;
}

int drmb_trace_write(struct drmb_trace *t, FILE *f, const char *datpath, int first,
		     const struct drmb_tev *ev, const struct drmb_tsample *s, size_t n, int tid)
{
	struct drmb_tfile tf = {
		.events = t->events, .ev = ev, .text = t->text.p,
		.comm = t->comm[0] ? t->comm : "drmbench", .tid = tid, .tgid = (int)getpid(),
	};
	struct dat_ctx c = { .t = t, .tf = &tf };
	int ret;

	if (!t->keep_text)
		return -EINVAL;
	if (first) {
		t->dat.n = 0;
		t->dat_raw.n = 0;
	}
	ret = drmb_tracefile_write(f, &tf, first, s, n);
	if (!ret)
		ret = drmb_tracefile_walk(&tf, s, n, dat_item, &c);
	return ret ? ret : dat_write(t, datpath);
}

#endif
