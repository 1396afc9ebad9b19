// SPDX-License-Identifier: MIT
/*
 * simgpu-test: functional tests of the simgpu module, run where it is loaded
 * (a guest; see run-in-guest.sh), on harness.c: each test in a child
 * process with its own device fd, KTAP output, then "N passed, N failed,
 * N skipped". Exit 0 if all passed, 1 if any failed, 4 if all were skipped
 * (kselftest's convention). --fuzz runs the ioctl fuzzer (simgpu-fuzz.c).
 *
 * Tests assert behaviour, never speed: timestamps are only compared for
 * order, and waits have generous deadlines that only a hang exceeds. The
 * tests are in test-*.c, one file per area; helpers.c has what they share.
 */
#include <string.h>

#include "helpers.h"
#include "simgpu-fuzz.h"

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--fuzz"))
			return simgpu_fuzz_main(argc, argv);
	return harness_main(argc, argv, &simgpu_fixture);
}
