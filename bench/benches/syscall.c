// SPDX-License-Identifier: MIT
/* syscall: the bare kernel entry/exit every ioctl pays, the floor of floors. */
#include <sys/syscall.h>
#include <unistd.h>

#include "measure.h"

static int syscall_op(struct drmb_case *c)
{
	(void)c;
	syscall(SYS_getppid);
	return 0;
}

static int syscall_run(struct drmb_case *c, struct drmb_samples *s)
{
	return drmb_measure_loop(c, s, syscall_op);
}

const struct drmb_bench drmb_bench_syscall = {
	.name = "syscall",
	.id = "Syscall",
	.summary = "bare system call (getppid) round trip",
	.flags = DRMB_BENCH_THROUGHPUT,
	.run = syscall_run,
};
