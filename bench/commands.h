/* SPDX-License-Identifier: MIT */
/* drmbench subcommands: each returns the process exit status. */
#ifndef DRMB_COMMANDS_H
#define DRMB_COMMANDS_H

/* Exit status of every subcommand; 4, all skipped, is DRMB_RUN_ALL_SKIPPED. */
#define EXIT_FAIL 1		/* a benchmark failed */
#define EXIT_REGRESSION 1	/* compare: a regression */
#define EXIT_USAGE 2
#define EXIT_ENV_CHANGED 3	/* compare: the environment changed */

struct drmb_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

int cmd_compare(int argc, char **argv);
int cmd_hist(int argc, char **argv);
int cmd_lava(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_table(int argc, char **argv);
int cmd_trend(int argc, char **argv);
int cmd_workloads(int argc, char **argv);

#endif
