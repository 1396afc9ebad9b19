/* SPDX-License-Identifier: MIT */
/*
 * trace-cmd's trace.dat (version 6, man 5 trace-cmd.dat.v6) from events
 * already read: what `trace-cmd report` opens. Only the
 * chosen events go in (the slowest samples of a run, tracestage.h), so the
 * kernel's ring-buffer pages cannot be copied as trace-cmd record does;
 * the pages are laid out again here, in the format the kernel describes in
 * events/header_page and events/header_event. libtracecmd 1.3 (bookworm)
 * reads trace.dat but has no API to write one. Pure code: the unit tests
 * feed it made-up formats and read the file back with libtracecmd.
 */
#ifndef DRMB_TRACEDAT_H
#define DRMB_TRACEDAT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* An event format file: events/<system>/<event>/format. */
struct drmb_tdat_format {
	const char *system;	/* "ftrace" goes in the file's ftrace section */
	const char *text;
};

/* One record as the ring buffer holds it: common fields first. */
struct drmb_tdat_event {
	uint64_t ts;		/* in the trace clock's unit */
	int cpu;
	const void *data;
	unsigned int size;
};

struct drmb_tdat {
	const char *header_page, *header_event;	/* events/header_{page,event} */
	/* Grouped by system: a system's formats follow each other. */
	const struct drmb_tdat_format *fmt;
	size_t nfmt;
	const char *kallsyms;	/* /proc/kallsyms lines, or NULL */
	const char *cmdlines;	/* saved_cmdlines ("pid comm" lines), or NULL */
	unsigned int page_size;	/* the traced machine's */
};

/*
 * Writes the file: header, formats, then per CPU the events in time
 * order (at equal times, in the order given). -EINVAL when a header
 * is not the kind this writer knows, an event is larger than a page, or
 * the formats are not grouped by system.
 */
int drmb_tracedat_write(FILE *f, const struct drmb_tdat *d,
			const struct drmb_tdat_event *ev, size_t n);

#endif
