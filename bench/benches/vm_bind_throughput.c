// SPDX-License-Identifier: MIT
/*
 * vm-bind-throughput: synchronous VM_BIND ops per second and latency per
 * batch, by op type (map, map-null, unmap, remap), mapping size, ops per
 * bind call, sorted or shuffled op order and 2 MiB mappings on or off.
 * One sample is one vm_bind() of the batch; the untimed reset between
 * samples is described in vm_workload.h.
 */
#include "vm_workload.h"

static const struct drmb_param vm_bind_throughput_params[] = {
	{ "op", DRMB_PARAM_ENUM, "map,unmap,map-null,remap", "bind op type",
	  .choices = vm_workload_ops },
	{ "size", DRMB_PARAM_INT, "4k,64k,2M", "bytes per op (multiple of 4 KiB)",
	  4096, 1ll << 30 },
	{ "batch", DRMB_PARAM_INT, "1,64,512", "ops per bind call", 1, 4096 },
	{ "order", DRMB_PARAM_ENUM, "sorted", "op order in a batch (by VA, or shuffled)",
	  .choices = vm_workload_orders },
	{ "huge", DRMB_PARAM_INT, "0", "allow 2 MiB block mappings (1) or not (0)", 0, 1 },
	{ "prealloc", DRMB_PARAM_ENUM, "batched", "page-table preallocation policy",
	  .choices = vm_workload_preallocs },
	{ "mode", DRMB_PARAM_ENUM, "sync,async", "synchronous bind, or queued and waited for (async)",
	  .choices = vm_workload_modes },
	{ NULL },
};

const struct drmb_bench drmb_bench_vm_bind_throughput = {
	.name = "vm-bind-throughput",
	.id = "VmBindThroughput",
	.summary = "VM_BIND ops/s and batch latency by op, size, batch, order, huge, sync/async",
	.flags = DRMB_BENCH_NEEDS_DEVICE | DRMB_BENCH_THROUGHPUT,
	.needs = DRMB_NEEDS(DRMB_GROUP_VM_BIND),
	.case_needs = vm_workload_case_needs,
	.params = vm_bind_throughput_params,
	.priv_size = sizeof(struct vm_workload),
	.requires = vm_workload_requires,
	.setup = vm_workload_setup,
	.run = vm_workload_run,
	.teardown = vm_workload_teardown,
};
