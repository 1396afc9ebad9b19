// SPDX-License-Identifier: MIT
/* drmb_appendf(): see appendf.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "appendf.h"

int drmb_appendf(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= len)
		return -ENOSPC;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n < 0) {
		buf[*off] = '\0';
		return -EINVAL;
	}
	if ((size_t)n >= len - *off) {
		*off = len;	/* sticky: buf[len - 1] is the NUL */
		return -ENOSPC;
	}
	*off += (size_t)n;
	return 0;
}
