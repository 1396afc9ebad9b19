// SPDX-License-Identifier: MIT
/* trace-cmd's trace.dat, version 6 (tracedat.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tracedat.h"

/*
 * The ring buffer's event header (events/header_event): a 32-bit word of
 * type_len (5 bits) and time_delta (27 bits) from the previous event.
 * type_len 1..28: the data is type_len * 4 bytes and follows the word;
 * 0: the next word is the data's length + 4; 30: a time extend, whose
 * next word holds the delta's bits above the 27.
 */
#define TYPE_LEN_BITS		5
#define DELTA_BITS		27
#define DELTA_MASK		((1u << DELTA_BITS) - 1)
#define TYPE_LEN_MAX_DATA	28
#define TYPE_TIME_EXTEND	30

struct page_layout {
	unsigned int commit_off, commit_size, data_off, data_size;
};

/* One CPU's pages, built in memory. */
struct cpu_pages {
	unsigned char *buf;
	size_t npages;
	size_t used;		/* bytes of data in the last page */
	uint64_t last_ts;
};

/* offset and size of "field: <type> <name>;" in events/header_page. */
static int header_field(const char *text, const char *name, unsigned int *off,
			unsigned int *size)
{
	char key[32];
	const char *p;

	snprintf(key, sizeof(key), " %s;", name);
	p = strstr(text, key);
	if (!p || sscanf(p + strlen(key), " offset:%u; size:%u;", off, size) != 2)
		return -EINVAL;
	return 0;
}

static int parse_layout(const struct drmb_tdat *d, struct page_layout *l)
{
	if (!d->header_page || !d->header_event ||
	    header_field(d->header_page, "commit", &l->commit_off, &l->commit_size) ||
	    header_field(d->header_page, "data", &l->data_off, &l->data_size))
		return -EINVAL;
	if ((l->commit_size != 4 && l->commit_size != 8) ||
	    l->commit_off + l->commit_size > l->data_off ||
	    l->data_off + l->data_size > d->page_size)
		return -EINVAL;
	/* The compressed header this writer encodes, and no other. */
	if (!strstr(d->header_event, "type_len    :    5 bits") ||
	    !strstr(d->header_event, "time_delta  :   27 bits"))
		return -EINVAL;
	return 0;
}

static uint32_t event_word(unsigned int type_len, uint32_t delta)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (uint32_t)type_len << DELTA_BITS | delta;
#else
	return delta << TYPE_LEN_BITS | type_len;
#endif
}

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* Bytes an event takes in a page, without a time extend. */
static size_t event_bytes(unsigned int size)
{
	return 4 + (size > TYPE_LEN_MAX_DATA * 4 ? 4 : 0) + align4(size);
}

static void put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void close_page(const struct page_layout *l, struct cpu_pages *c, size_t page_size)
{
	unsigned char *pg = c->buf + (c->npages - 1) * page_size;
	uint64_t commit = c->used;

	if (l->commit_size == 8)
		memcpy(pg + l->commit_off, &commit, 8);
	else
		put32(pg + l->commit_off, (uint32_t)commit);
}

static int new_page(const struct page_layout *l, struct cpu_pages *c, size_t page_size,
		    uint64_t ts)
{
	unsigned char *p = realloc(c->buf, (c->npages + 1) * page_size);

	if (!p)
		return -ENOMEM;
	c->buf = p;
	p += c->npages++ * page_size;
	memset(p, 0, page_size);
	/* The page's time stamp: its first event's delta counts from it. */
	memcpy(p, &ts, sizeof(ts));
	c->used = 0;
	c->last_ts = ts;
	return 0;
}

static int add_event(const struct page_layout *l, struct cpu_pages *c, size_t page_size,
		     const struct drmb_tdat_event *e)
{
	size_t need = event_bytes(e->size);
	uint64_t delta;
	unsigned char *p;
	int ret;

	if (need + 8 > l->data_size)
		return -EINVAL;
	if (c->npages && e->ts >= c->last_ts && e->ts - c->last_ts > DELTA_MASK)
		need += 8;
	if (!c->npages || c->used + need > l->data_size) {
		if (c->npages)
			close_page(l, c, page_size);
		ret = new_page(l, c, page_size, e->ts);
		if (ret)
			return ret;
	}
	if (e->ts < c->last_ts)
		return -EINVAL;
	delta = e->ts - c->last_ts;
	p = c->buf + (c->npages - 1) * page_size + l->data_off + c->used;
	if (delta > DELTA_MASK) {
		put32(p, event_word(TYPE_TIME_EXTEND, (uint32_t)(delta & DELTA_MASK)));
		put32(p + 4, (uint32_t)(delta >> DELTA_BITS));
		p += 8;
		c->used += 8;
		delta = 0;
	}
	if (e->size > TYPE_LEN_MAX_DATA * 4) {
		put32(p, event_word(0, (uint32_t)delta));
		put32(p + 4, (uint32_t)(align4(e->size) + 4));
		p += 8;
	} else {
		put32(p, event_word(align4(e->size) / 4, (uint32_t)delta));
		p += 4;
	}
	memcpy(p, e->data, e->size);
	c->used += event_bytes(e->size);
	c->last_ts = e->ts;
	return 0;
}

/* By CPU, then time, then the order given. */
static int by_cpu_time(const void *a, const void *b, void *base)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const struct drmb_tdat_event *x = (const struct drmb_tdat_event *)base + i;
	const struct drmb_tdat_event *y = (const struct drmb_tdat_event *)base + j;

	if (x->cpu != y->cpu)
		return x->cpu < y->cpu ? -1 : 1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return (i > j) - (i < j);
}

static void put_u32(FILE *f, uint32_t v) { fwrite(&v, sizeof(v), 1, f); }
static void put_u64(FILE *f, uint64_t v) { fwrite(&v, sizeof(v), 1, f); }

/* A text with its size in front: 4 or 8 bytes of it, as the section has. */
static void put_sized(FILE *f, const char *text, int size_bytes)
{
	size_t n = text ? strlen(text) : 0;

	if (size_bytes == 4)
		put_u32(f, (uint32_t)n);
	else
		put_u64(f, n);
	fwrite(text ? text : "", 1, n, f);
}

/* The sections before the CPU data: header, formats, symbols, cmdlines. */
static int write_header(FILE *f, const struct drmb_tdat *d, unsigned int ncpus)
{
	size_t i, j, nsys = 0, nftrace = 0;
	int little = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

	for (i = 0; i < d->nfmt; i++) {
		if (!strcmp(d->fmt[i].system, "ftrace")) {
			nftrace++;
			continue;
		}
		for (j = 0; j < i; j++)
			if (!strcmp(d->fmt[j].system, d->fmt[i].system))
				break;
		if (j == i)
			nsys++;
		else if (strcmp(d->fmt[i - 1].system, d->fmt[i].system))
			return -EINVAL;		/* not grouped */
	}
	fwrite("\x17\x08\x44tracing", 1, 10, f);
	fwrite("6", 1, 2, f);
	fputc(little ? 0 : 1, f);
	fputc((int)sizeof(long), f);
	put_u32(f, d->page_size);
	fwrite("header_page", 1, 12, f);
	put_sized(f, d->header_page, 8);
	fwrite("header_event", 1, 13, f);
	put_sized(f, d->header_event, 8);
	put_u32(f, (uint32_t)nftrace);
	for (i = 0; i < d->nfmt; i++)
		if (!strcmp(d->fmt[i].system, "ftrace"))
			put_sized(f, d->fmt[i].text, 8);
	put_u32(f, (uint32_t)nsys);
	for (i = 0; i < d->nfmt; i = j) {
		if (!strcmp(d->fmt[i].system, "ftrace")) {
			j = i + 1;
			continue;
		}
		for (j = i; j < d->nfmt && !strcmp(d->fmt[j].system, d->fmt[i].system); j++)
			;
		fwrite(d->fmt[i].system, 1, strlen(d->fmt[i].system) + 1, f);
		put_u32(f, (uint32_t)(j - i));
		for (; i < j; i++)
			put_sized(f, d->fmt[i].text, 8);
	}
	put_sized(f, d->kallsyms, 4);
	put_sized(f, NULL, 4);			/* printk formats: none */
	put_sized(f, d->cmdlines, 8);
	put_u32(f, ncpus);
	fwrite("flyrecord", 1, 10, f);
	return ferror(f) ? -EIO : 0;
}

int drmb_tracedat_write(FILE *f, const struct drmb_tdat *d,
			const struct drmb_tdat_event *ev, size_t n)
{
	struct page_layout l;
	struct cpu_pages *cpu = NULL;
	size_t *idx = NULL, i, page = d->page_size;
	unsigned int c, ncpus = 1;
	long head;
	uint64_t off;
	int ret;

	if (!page || (page & (page - 1)) || parse_layout(d, &l))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (ev[i].cpu < 0 || ev[i].cpu >= 4096 || !ev[i].size)
			return -EINVAL;
		if ((unsigned int)ev[i].cpu >= ncpus)
			ncpus = ev[i].cpu + 1;
	}
	idx = malloc((n ? n : 1) * sizeof(*idx));
	cpu = calloc(ncpus, sizeof(*cpu));
	if (!idx || !cpu) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof(*idx), by_cpu_time, (void *)ev);
	for (i = 0; i < n; i++) {
		ret = add_event(&l, &cpu[ev[idx[i]].cpu], page, &ev[idx[i]]);
		if (ret)
			goto out;
	}
	for (c = 0; c < ncpus; c++)
		if (cpu[c].npages)
			close_page(&l, &cpu[c], page);
	ret = write_header(f, d, ncpus);
	if (ret)
		goto out;
	/* The CPU data starts on a page boundary after the offset table. */
	head = ftell(f);
	if (head < 0) {
		ret = -errno;
		goto out;
	}
	off = ((uint64_t)head + 16ull * ncpus + page - 1) & ~(uint64_t)(page - 1);
	for (c = 0; c < ncpus; c++) {
		put_u64(f, off);
		put_u64(f, cpu[c].npages * page);
		off += cpu[c].npages * page;
	}
	head = ftell(f);
	while (head >= 0 && (head & (long)(page - 1))) {
		fputc(0, f);
		head++;
	}
	for (c = 0; c < ncpus; c++)
		fwrite(cpu[c].buf, page, cpu[c].npages, f);
	ret = ferror(f) ? -EIO : 0;
out:
	for (c = 0; cpu && c < ncpus; c++)
		free(cpu[c].buf);
	free(cpu);
	free(idx);
	return ret;
}
