// SPDX-License-Identifier: MIT
/*
 * pgtable-prealloc: one bind workload under each page-table preallocation
 * policy, so msm's trade-off shows as numbers: per op, the pages reserved
 * before applying (pt-pages-prealloc/op), those that went back unused
 * (pt-pages-returned/op; the rest became tables), tables
 * allocated while applying (pt-pages-late/op, the `none` policy's cost),
 * the time spent reserving (prealloc-ns/op), and the end-to-end bind
 * latency per batch as the sample. The default is msm's case: a sorted
 * batch of 4 KiB maps inside one 2 MiB span.
 */
#include "vm_workload.h"

static const struct drmb_param pgtable_prealloc_params[] = {
	{ "prealloc", DRMB_PARAM_ENUM, "none,per-op,batched", "page-table preallocation policy",
	  .choices = vm_workload_preallocs },
	{ "op", DRMB_PARAM_ENUM, "map", "bind op type", .choices = vm_workload_ops },
	{ "size", DRMB_PARAM_INT, "4k", "bytes per op (multiple of 4 KiB)", 4096, 1ll << 30 },
	{ "batch", DRMB_PARAM_INT, "512", "ops per bind call", 1, 4096 },
	{ "order", DRMB_PARAM_ENUM, "sorted,shuffled", "op order in a batch",
	  .choices = vm_workload_orders },
	{ "huge", DRMB_PARAM_INT, "0", "allow 2 MiB block mappings (1) or not (0)", 0, 1 },
	{ "mode", DRMB_PARAM_ENUM, "sync", "synchronous bind, or queued and waited for (async)",
	  .choices = vm_workload_modes },
	{ NULL },
};

const struct drmb_bench drmb_bench_pgtable_prealloc = {
	.name = "pgtable-prealloc",
	.id = "PgtablePrealloc",
	.summary = "page-table pages reserved/used/returned/late per op under each prealloc policy",
	.flags = DRMB_BENCH_NEEDS_DEVICE | DRMB_BENCH_THROUGHPUT,
	.needs = DRMB_NEEDS(DRMB_GROUP_VM_BIND),
	.case_needs = vm_workload_case_needs,
	.params = pgtable_prealloc_params,
	.priv_size = sizeof(struct vm_workload),
	.requires = vm_workload_requires,
	.setup = vm_workload_setup,
	.run = vm_workload_run,
	.teardown = vm_workload_teardown,
};
