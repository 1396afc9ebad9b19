// SPDX-License-Identifier: MIT
/*
 * The workloads compiled in from workloads/sched/ (bench/workloads.gen.c,
 * linked into drmbench only: the unit tests parse text of their own).
 */
#include <string.h>

#include "workload.h"

const struct drmb_workload_src *drmb_workload_builtin(const char *name)
{
	const struct drmb_workload_src *s;

	for (s = drmb_builtin_workloads; s->name; s++)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}
