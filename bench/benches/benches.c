// SPDX-License-Identifier: MIT
/* The benchmark table, expanded from benches.h. */
#include <string.h>

#include "drmb.h"

#define DRMB_BENCH(x) extern const struct drmb_bench drmb_bench_##x;
#include "benches.h"
#undef DRMB_BENCH

#define DRMB_BENCH(x) &drmb_bench_##x,
const struct drmb_bench *const drmb_benches[] = {
#include "benches.h"
	NULL,
};
#undef DRMB_BENCH

const struct drmb_bench *drmb_bench_find(const char *name)
{
	const struct drmb_bench *const *b;

	for (b = drmb_benches; *b; b++)
		if (!strcmp((*b)->name, name))
			return *b;
	return NULL;
}
