// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the readers as compare, trend and hist use them: the
 * input becomes a result file, compared against a valid one and read as a
 * trend store, and a raw-sample sidecar that hist reads.  Not built by make; run with clang:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ibench -Ibench/lib \
 *     bench/tests/fuzz_compare.c bench/cmd_compare.c bench/cmd_trend.c bench/cmd_hist.c \
 *     bench/cli.c bench/lib/resultset.c bench/lib/result.c bench/lib/stats.c -lm -o fuzz_compare
 *   ./fuzz_compare -close_fd_mask=3 -max_total_time=600 CORPUS_DIR
 *
 * (-close_fd_mask=3 silences the commands; libFuzzer and the sanitizers
 * keep reporting.)
 *
 * Any crash, leak or sanitizer report is a bug; exit status 2 with a
 * message is the expected answer to garbage.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

static char dir[64];

static void write_file(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "w");

	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char valid[] =
		"kernel-release: 6.1.0\ncpu-model: x\ndate: 2026-11-01\n"
		"BenchmarkWake/p=1 1000 3000 ns/op 333333 ops/s\n"
		"BenchmarkWake/p=1 1000 3010 ns/op 332225 ops/s\n"
		"BenchmarkWake/p=1 1000 2990 ns/op 334448 ops/s\n";
	char path[96];

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "/tmp/fuzz-compare-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/valid.txt", dir);
	write_file(path, (const uint8_t *)valid, sizeof(valid) - 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char input[96], valid[96];
	char cmp[] = "compare", trend[] = "trend", by[] = "--by", key[] = "kernel-release";

	snprintf(input, sizeof(input), "%s/input.txt", dir);
	snprintf(valid, sizeof(valid), "%s/valid.txt", dir);
	write_file(input, data, size);

	char *argv1[] = { cmp, input, valid, NULL };
	char *argv2[] = { cmp, valid, input, NULL };
	char *argv3[] = { trend, by, key, input, valid, NULL };
	cmd_compare(3, argv1);
	cmd_compare(3, argv2);
	cmd_trend(5, argv3);

	char hist[] = "hist", cdf[] = "--cdf", samples[96];
	snprintf(samples, sizeof(samples), "%s/input.samples", dir);
	write_file(samples, data, size);
	char *argv4[] = { hist, cdf, samples, NULL };
	cmd_hist(3, argv4);
	return 0;
}
