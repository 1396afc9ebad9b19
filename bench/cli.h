/* SPDX-License-Identifier: MIT */
/* Helpers the subcommands share for reading their command lines. */
#ifndef DRMB_CLI_H
#define DRMB_CLI_H

enum {
	CLI_INTEGER = 1 << 0,	/* whole numbers only */
	CLI_PERCENT = 1 << 1,	/* a trailing '%' is allowed */
};

/*
 * An option's numeric argument in [lo, hi]: 0, or -EINVAL after printing
 * "drmbench CMD: OPT 'S': want ..." to stderr.
 */
int cli_number(const char *cmd, const char *opt, const char *s, double lo, double hi,
	       unsigned int flags, double *out);

#endif
