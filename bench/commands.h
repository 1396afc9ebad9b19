/* SPDX-License-Identifier: MIT */
/* drmbench subcommands: each returns the process exit status. */
#ifndef DRMB_COMMANDS_H
#define DRMB_COMMANDS_H

struct drmb_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

int cmd_compare(int argc, char **argv);
int cmd_hist(int argc, char **argv);
int cmd_table(int argc, char **argv);
int cmd_trend(int argc, char **argv);

#endif
