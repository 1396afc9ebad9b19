/* SPDX-License-Identifier: MIT */
/*
 * Building a string piece by piece in a fixed buffer: the one helper for
 * what used to be `off += snprintf(buf + off, len - off, ...)`, which
 * walks past the buffer once a piece does not fit (snprintf returns the
 * length it wanted, so off passes len and len - off wraps around).
 */
#ifndef DRMB_APPENDF_H
#define DRMB_APPENDF_H

#include <stddef.h>

/*
 * Appends the formatted text at buf[*off] (buf holds len bytes, *off <= len
 * and buf[*off] is the current end).  0 when it fitted; -ENOSPC when it did
 * not: buf then holds as much as fits, NUL-terminated, *off becomes len
 * and every later call appends nothing and returns -ENOSPC, so a caller
 * may check once at the end.  Never writes past len (nothing when len is 0).
 */
int drmb_appendf(char *buf, size_t len, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
