// SPDX-License-Identifier: MIT
/*
 * The trace.dat writer (tracedat.h) read back by trace-cmd's own library,
 * libtracecmd, and by `trace-cmd report` when it is installed.
 *
 * Without arguments: a file of made-up events (two CPUs, several pages,
 * gaps that need time extends, an event too large for the short header,
 * marks at equal times) must read back record for record, byte for byte,
 * and bad input must be refused before anything is written.
 *
 * With DAT TRACE: the two files one guest run wrote for its slowest samples
 * (docs/measuring.md) must hold the same events: the same time, CPU, pid
 * and text, the .dat's formatted by libtraceevent as the .trace's were.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "tracedat.h"

#ifdef HAVE_LIBTRACECMD
#include <trace-cmd.h>
#endif

static const char header_page[] =
	"\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n"
	"\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n"
	"\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n"
	"\tfield: char data;\toffset:16;\tsize:4080;\tsigned:1;\n";

static const char header_event[] =
	"# compressed entry header\n"
	"\ttype_len    :    5 bits\n"
	"\ttime_delta  :   27 bits\n"
	"\tarray       :   32 bits\n\n"
	"\tpadding     : type == 29\n"
	"\ttime_extend : type == 30\n"
	"\ttime_stamp : type == 31\n"
	"\tdata max type_len  == 28\n";

#define COMMON_FIELDS								\
	"format:\n"								\
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"	\
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"	\
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n" \
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"

#define ID_PRINT 5
#define ID_SAMPLE 900
#define ID_BIG 901

static const char fmt_print[] = "name: print\nID: 5\n" COMMON_FIELDS
	"\tfield:unsigned long ip;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:char buf[];\toffset:16;\tsize:0;\tsigned:1;\n\n"
	"print fmt: \"%ps: %s\", (void *)REC->ip, REC->buf\n";
static const char fmt_sample[] = "name: sample\nID: 900\n" COMMON_FIELDS
	"\tfield:u64 seq;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:u32 val;\toffset:16;\tsize:4;\tsigned:0;\n\n"
	"print fmt: \"seq=%llu val=%u\", REC->seq, REC->val\n";
static const char fmt_big[] = "name: big\nID: 901\n" COMMON_FIELDS
	"\tfield:char blob[200];\toffset:8;\tsize:200;\tsigned:0;\n\n"
	"print fmt: \"%s\", REC->blob\n";

#define NSAMPLE 3000
#define NMARK 300
#define NBIG 5
#define NEV (NSAMPLE + NMARK + NBIG)

struct made {
	struct drmb_tdat_event ev[NEV];
	unsigned char data[NEV][208];
};

static void common(unsigned char *p, uint16_t type, int32_t pid)
{
	memset(p, 0, 8);
	memcpy(p, &type, 2);
	memcpy(p + 4, &pid, 4);
}

/*
 * CPU 1's marks and big events first, then CPU 0's samples: the writer
 * must sort them. Two marks share each stamp and must keep their order.
 */
static size_t make_events(struct made *m)
{
	uint64_t ts = 1000000000ull;
	size_t n = 0;
	unsigned int i;

	for (i = 0; i < NMARK; i++) {
		unsigned char *p = m->data[n];
		uint64_t ip = 0xffffffff81000000ull;
		int len;

		common(p, ID_PRINT, 42);
		memcpy(p + 8, &ip, 8);
		len = snprintf((char *)p + 16, 64, i % 2 ? "E|42" : "B|42|stage %u", i);
		m->ev[n] = (struct drmb_tdat_event){ .ts = ts + 5000ull * (i / 2), .cpu = 1,
						     .data = p, .size = 16 + len + 1 };
		n++;
	}
	for (i = 0; i < NBIG; i++) {
		unsigned char *p = m->data[n];

		common(p, ID_BIG, 43);
		memset(p + 8, 'a' + i, 199);
		p[8 + 199] = 0;
		m->ev[n] = (struct drmb_tdat_event){ .ts = ts + 777ull * i, .cpu = 1,
						     .data = p, .size = 208 };
		n++;
	}
	for (i = 0; i < NSAMPLE; i++) {
		unsigned char *p = m->data[n];
		uint64_t seq = i;
		uint32_t val = i * 7;

		/* Past 2^27 ns (one extend word) and past 2^32 (its high bits). */
		ts += i == 1000 ? (1ull << 27) + 5 : i == 2000 ? 1ull << 35 : 1000 + i % 13;
		common(p, ID_SAMPLE, 44);
		memcpy(p + 8, &seq, 8);
		memcpy(p + 16, &val, 4);
		m->ev[n] = (struct drmb_tdat_event){ .ts = ts, .cpu = 0, .data = p, .size = 20 };
		n++;
	}
	return n;
}

static const struct drmb_tdat_format formats[] = {
	{ "ftrace", fmt_print },
	{ "drmbtest", fmt_sample },
	{ "drmbtest", fmt_big },
};

static struct drmb_tdat tdat = {
	.header_page = header_page, .header_event = header_event,
	.fmt = formats, .nfmt = 3,
	.kallsyms = "ffffffff81000000 T tracing_mark_write\n",
	.cmdlines = "42 marker\n43 bigger\n44 sampler\n",
	.page_size = 4096,
};

/* Writes to path; the writer's return value. */
static int write_file(const char *path, const struct drmb_tdat *d,
		      const struct drmb_tdat_event *ev, size_t n)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -errno;
	ret = drmb_tracedat_write(f, d, ev, n);
	if (fclose(f) && !ret)
		ret = -EIO;
	return ret;
}

static long file_size(const char *path)
{
	FILE *f = fopen(path, "r");
	long n;

	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fclose(f);
	return n;
}

static void bad_input(const char *path, struct made *m, size_t n)
{
	struct drmb_tdat d = tdat;
	struct drmb_tdat_format ungrouped[] = {
		{ "drmbtest", fmt_sample }, { "ftrace", fmt_print }, { "other", fmt_big },
		{ "drmbtest", fmt_big },
	};
	struct drmb_tdat_event e = m->ev[0];
	static unsigned char huge[5000];

	d.header_event = "# compressed entry header\n\ttype_len    :    6 bits\n";
	CHECK(write_file(path, &d, m->ev, n) == -EINVAL && file_size(path) == 0,
	      "a header_event with another event header: -EINVAL, nothing written");
	d = tdat;
	d.header_page = "\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n";
	CHECK(write_file(path, &d, m->ev, n) == -EINVAL,
	      "a header_page without commit and data: -EINVAL");
	d = tdat;
	d.page_size = 3000;
	CHECK(write_file(path, &d, m->ev, n) == -EINVAL,
	      "a page size that is not a power of two: -EINVAL");
	d = tdat;
	d.page_size = 2048;
	CHECK(write_file(path, &d, m->ev, n) == -EINVAL,
	      "a page smaller than header_page's data: -EINVAL");
	d = tdat;
	d.fmt = ungrouped;
	d.nfmt = 4;
	CHECK(write_file(path, &d, m->ev, n) == -EINVAL && file_size(path) == 0,
	      "formats of one system apart: -EINVAL, nothing written");
	e.data = huge;
	e.size = sizeof(huge);
	CHECK(write_file(path, &tdat, &e, 1) == -EINVAL && file_size(path) == 0,
	      "an event larger than a page: -EINVAL, nothing written");
	e = m->ev[0];
	e.cpu = -1;
	CHECK(write_file(path, &tdat, &e, 1) == -EINVAL, "a negative CPU: -EINVAL");
	e.cpu = 0;
	e.size = 0;
	CHECK(write_file(path, &tdat, &e, 1) == -EINVAL, "an empty event: -EINVAL");
}

/* How many lines of `trace-cmd report -i path` contain want. */
static long report_lines(const char *path, const char *want)
{
	char cmd[600], line[1024];
	long n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "trace-cmd report -i '%s' 2>&1", path);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p))
		n += strstr(line, want) != NULL;
	return pclose(p) ? -1 : n;
}

static int have_trace_cmd(void)
{
	return system("command -v trace-cmd >/dev/null 2>&1") == 0;
}

#ifdef HAVE_LIBTRACECMD

/* The expected events of one CPU in file order: by time, ties as given. */
static size_t cpu_events(const struct made *m, size_t n, int cpu, size_t *out)
{
	size_t i, j, k = 0;

	for (i = 0; i < n; i++) {
		if (m->ev[i].cpu != cpu)
			continue;
		for (j = k; j > 0 && m->ev[out[j - 1]].ts > m->ev[i].ts; j--)
			out[j] = out[j - 1];
		out[j] = i;
		k++;
	}
	return k;
}

static void read_back(const char *path, const struct made *m, size_t n)
{
	static size_t want[NEV];
	struct tracecmd_input *h = tracecmd_open(path, 0);
	struct tep_handle *tep;
	struct tep_event *e;
	struct tep_format_field *val, *buf;
	size_t bad = 0, nread = 0, k, nwant;
	unsigned long long v;
	int cpu, vals = 0, bufs = 0;

	CHECK(h != NULL, "libtracecmd opens the file");
	if (!h)
		return;
	tep = tracecmd_get_tep(h);
	e = tep_find_event_by_name(tep, "drmbtest", "sample");
	val = e ? tep_find_field(e, "val") : NULL;
	e = tep_find_event_by_name(tep, "ftrace", "print");
	buf = e ? tep_find_field(e, "buf") : NULL;
	CHECK(val && buf, "the formats are in the file: drmbtest:sample's val, ftrace:print's buf");
	for (cpu = 0; cpu < 2; cpu++) {
		struct tep_record *r = tracecmd_read_cpu_first(h, cpu);

		nwant = cpu_events(m, n, cpu, want);
		for (k = 0; r; k++) {
			const struct drmb_tdat_event *x = k < nwant ? &m->ev[want[k]] : NULL;

			if (!x || r->ts != x->ts || r->cpu != cpu || (unsigned int)r->size < x->size ||
			    memcmp(r->data, x->data, x->size))
				bad++;
			if (x && val && x->size == 20 && !tep_read_number_field(val, r->data, &v))
				vals += v == *(const uint32_t *)((const char *)x->data + 16);
			if (x && buf && *(const uint16_t *)x->data == ID_PRINT &&
			    !strcmp((const char *)r->data + buf->offset, (const char *)x->data + 16))
				bufs++;
			tracecmd_free_record(r);
			r = tracecmd_read_data(h, cpu);
			nread++;
		}
		if (k != nwant)
			bad++;
	}
	CHECK(nread == n && !bad, "every record read back in order, stamp and bytes equal "
	      "(%zu of %zu, %zu differ)", nread, n, bad);
	CHECK(vals == NSAMPLE && bufs == NMARK,
	      "fields through the stored formats: %d of %d vals, %d of %d marks", vals, NSAMPLE,
	      bufs, NMARK);
	tracecmd_close(h);
}

/* One event of either file: its stamp, CPU, pid and "event: info" text. */
struct line {
	unsigned long long ts;
	int cpu, pid;
	char text[256];
};

static int line_cmp(const void *a, const void *b)
{
	const struct line *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->cpu != y->cpu)
		return x->cpu - y->cpu;
	return strcmp(x->text, y->text);
}

struct lines {
	struct line *l;
	size_t n, cap;
};

static struct line *lines_add(struct lines *ls)
{
	if (ls->n == ls->cap) {
		size_t cap = ls->cap ? 2 * ls->cap : 1024;
		struct line *p = realloc(ls->l, cap * sizeof(*p));

		if (!p)
			return NULL;
		ls->l = p;
		ls->cap = cap;
	}
	return memset(&ls->l[ls->n++], 0, sizeof(struct line));
}

/* The .trace file: "comm-pid [cpu] ....  sec.nsec: event: info". */
static int read_text(const char *path, struct lines *ls)
{
	char buf[1024];
	FILE *f = fopen(path, "r");

	if (!f)
		return -errno;
	while (fgets(buf, sizeof(buf), f)) {
		unsigned long long sec, nsec;
		char *p = strstr(buf, "] ....  "), *dash;
		struct line *l;
		int pos = 0;

		if (buf[0] == '#' || !p)
			continue;
		*p = 0;
		dash = strrchr(buf, '[');
		l = lines_add(ls);
		if (!l || !dash) {
			fclose(f);
			return l ? -EINVAL : -ENOMEM;
		}
		l->cpu = atoi(dash + 1);
		while (dash > buf && dash[-1] == ' ')
			dash--;
		*dash = 0;
		dash = strrchr(buf, '-');
		l->pid = dash ? atoi(dash + 1) : -1;
		if (sscanf(p + 8, "%llu.%llu: %n", &sec, &nsec, &pos) != 2 || !pos) {
			fclose(f);
			return -EINVAL;
		}
		l->ts = sec * 1000000000ull + nsec;
		snprintf(l->text, sizeof(l->text), "%s", p + 8 + pos);
		l->text[strcspn(l->text, "\n")] = 0;
	}
	fclose(f);
	return 0;
}

struct dat_ctx {
	struct lines *ls;
	struct trace_seq s;
	int err;
};

static int on_record(struct tracecmd_input *h, struct tep_record *r, int cpu, void *data)
{
	struct dat_ctx *c = data;
	struct tep_handle *tep = tracecmd_get_tep(h);
	struct tep_event *e = tep_find_event_by_record(tep, r);
	struct line *l = lines_add(c->ls);

	if (!l || !e) {
		c->err = l ? -EINVAL : -ENOMEM;
		return 1;
	}
	l->ts = r->ts;
	l->cpu = cpu;
	l->pid = tep_data_pid(tep, r);
	if (!strcmp(e->system, "ftrace") && !strcmp(e->name, "print")) {
		struct tep_format_field *buf = tep_find_field(e, "buf");

		snprintf(l->text, sizeof(l->text), "tracing_mark_write: %s",
			 buf ? (const char *)r->data + buf->offset : "?");
		return 0;
	}
	trace_seq_reset(&c->s);
	tep_print_event(tep, &c->s, r, "%s: %s", TEP_PRINT_NAME, TEP_PRINT_INFO);
	trace_seq_terminate(&c->s);
	snprintf(l->text, sizeof(l->text), "%s", c->s.buffer);
	return 0;
}

static int check_files(const char *dat, const char *trace)
{
	struct lines txt = { 0 }, bin = { 0 };
	struct dat_ctx c = { .ls = &bin };
	struct tracecmd_input *h;
	size_t i, differ = 0, samples = 0;
	long marks;

	CHECK(read_text(trace, &txt) == 0, "the .trace file %s reads (%zu events)", trace, txt.n);
	/* No plugins: the guest formatted the .trace with libtraceevent alone. */
	h = tracecmd_open(dat, TRACECMD_FL_LOAD_NO_PLUGINS);
	CHECK(h != NULL, "libtracecmd opens %s", dat);
	if (!h)
		return check_done();
	trace_seq_init(&c.s);
	tracecmd_iterate_events(h, NULL, 0, on_record, &c);
	trace_seq_destroy(&c.s);
	tracecmd_close(h);
	CHECK(!c.err, "every record of the .dat has its format");
	qsort(txt.l, txt.n, sizeof(*txt.l), line_cmp);
	qsort(bin.l, bin.n, sizeof(*bin.l), line_cmp);
	for (i = 0; i < txt.n && i < bin.n; i++) {
		const struct line *a = &txt.l[i], *b = &bin.l[i];

		if (a->ts != b->ts || a->cpu != b->cpu || a->pid != b->pid ||
		    strcmp(a->text, b->text)) {
			if (differ++ < 3)
				printf("# differ: .trace %llu [%d] %d %s | .dat %llu [%d] %d %s\n",
				       a->ts, a->cpu, a->pid, a->text, b->ts, b->cpu, b->pid, b->text);
		}
		samples += !strncmp(a->text, "tracing_mark_write: B|", 22) &&
			   strstr(a->text, "|slowest ");
	}
	CHECK(txt.n && txt.n == bin.n && !differ,
	      "the .dat holds the .trace's %zu events: %zu samples, each event's stamp, CPU, "
	      "pid and text the same (%zu in the .dat, %zu differ)", txt.n, samples, bin.n, differ);
	if (have_trace_cmd()) {
		marks = report_lines(dat, "tracing_mark_write: B|");
		CHECK(marks > 0 && report_lines(dat, "|slowest ") == (long)samples,
		      "trace-cmd report shows the %zu samples (%ld slices begin)", samples, marks);
	} else {
		CHECK_SKIP("trace-cmd report: trace-cmd is not installed (apt-get install trace-cmd)");
	}
	free(txt.l);
	free(bin.l);
	return check_done();
}

#endif

int main(int argc, char **argv)
{
	static struct made m;
	char path[] = "/tmp/test_tracedat.XXXXXX";
	size_t n = make_events(&m);
	int fd;

	/* Line by line: a crash in libtracecmd keeps what was checked before. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3) {
#ifdef HAVE_LIBTRACECMD
		return check_files(argv[1], argv[2]);
#else
		CHECK_SKIP("reading %s: built without libtracecmd (apt-get install libtracecmd-dev)",
			   argv[1]);
		return check_done();
#endif
	}
	if (argc != 1) {
		fprintf(stderr, "usage: %s [DAT TRACE]\n", argv[0]);
		return 2;
	}
	fd = mkstemp(path);
	CHECK(fd >= 0, "a temporary file");
	if (fd < 0)
		return check_done();
	close(fd);
	bad_input(path, &m, n);
	CHECK(write_file(path, &tdat, m.ev, n) == 0, "%zu events written", n);
	CHECK(file_size(path) % 4096 == 0, "the CPU data ends on a page boundary");
#ifdef HAVE_LIBTRACECMD
	read_back(path, &m, n);
#else
	CHECK_SKIP("reading the file back: built without libtracecmd (apt-get install libtracecmd-dev)");
#endif
	if (have_trace_cmd()) {
		CHECK(report_lines(path, " sample: ") == NSAMPLE,
		      "trace-cmd report prints the %d samples", NSAMPLE);
		CHECK(report_lines(path, "tracing_mark_write: B|42|stage ") == NMARK / 2,
		      "trace-cmd report prints the marks with kallsyms' name for their ip");
	} else {
		CHECK_SKIP("trace-cmd report: trace-cmd is not installed (apt-get install trace-cmd)");
	}
	unlink(path);
	return check_done();
}
