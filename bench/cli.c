// SPDX-License-Identifier: MIT
/* Command-line helpers shared by drmbench's subcommands. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

int cli_number(const char *cmd, const char *opt, const char *s, double lo, double hi,
	       unsigned int flags, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if ((flags & CLI_PERCENT) && *end == '%')
		end++;
	if (errno || end == s || *end || !(v >= lo && v <= hi) ||
	    ((flags & CLI_INTEGER) && v != floor(v))) {
		fprintf(stderr, "drmbench %s: %s '%s': want %s in [%g, %g]\n", cmd, opt, s,
			flags & CLI_INTEGER ? "an integer" : "a number", lo, hi);
		return -EINVAL;
	}
	*out = v;
	return 0;
}
