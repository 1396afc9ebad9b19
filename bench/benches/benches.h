/* SPDX-License-Identifier: MIT */
/*
 * The one list of benchmarks: one line per file in bench/benches/. Order is
 * the order of `drmbench list`: floors first, then DRM paths.
 */
DRMB_BENCH(null)
DRMB_BENCH(syscall)
DRMB_BENCH(futex_wake)
DRMB_BENCH(eventfd_wake)
DRMB_BENCH(pipe_wake)
DRMB_BENCH(drm_ioctl)
DRMB_BENCH(syncobj_wake)
DRMB_BENCH(syncobj_wait_many)
DRMB_BENCH(syncobj_ops)
DRMB_BENCH(vgem_fence)
DRMB_BENCH(submit_latency)
DRMB_BENCH(submit_throughput)
DRMB_BENCH(dependency_chain)
DRMB_BENCH(vm_bind_throughput)
DRMB_BENCH(pgtable_prealloc)
DRMB_BENCH(vm_bind_submit_chain)
DRMB_BENCH(user_submit_latency)
DRMB_BENCH(user_submit_throughput)
DRMB_BENCH(submit_models)
DRMB_BENCH(sched_workload)
