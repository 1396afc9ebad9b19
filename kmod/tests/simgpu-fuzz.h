/* SPDX-License-Identifier: MIT */
/* simgpu-test's fuzz mode (simgpu-fuzz.c): simgpu-test --fuzz SECONDS ... */
#ifndef SIMGPU_FUZZ_H
#define SIMGPU_FUZZ_H

/* Exit status: 0 ran and the device still works, 1 failed, 2 usage, 4 skip. */
int simgpu_fuzz_main(int argc, char **argv);

/* simgpu-test.c: an fd of the first render node whose driver is simgpu, or -1. */
int open_simgpu(void);

#endif
