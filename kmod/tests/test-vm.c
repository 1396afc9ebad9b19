// SPDX-License-Identifier: MIT
/*
 * test-vm.c: GPU VA spaces: VM_BIND (sync and async), translation, page
 * tables, bind records, queues on a VM, bad input.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/sync_file.h>

#include "helpers.h"

TEST(test_vm_map_translate, "vm-map-translate")
{
	struct drm_simgpu_vm_bind_op ops[2];
	uint32_t vm, h = bo(1 * MiB);

	VM_REQUIRE();
	CHECK(h);
	CHECK(vm_create(fd, 0, 0, &vm) == 0 && vm);
	ops[0] = op_map(h, 0, VA0, 1 * MiB);
	ops[1] = op_map(h, 64 * KiB, VA0 + 4 * MiB, 64 * KiB);
	CHECK(vm_bind(fd, vm, ops, 2) == 0);
	CHECK(MAPS_BO(vm, VA0, h, 0, 4 * KiB));
	CHECK(MAPS_BO(vm, VA0 + 0x12345, h, 0x12345, 4 * KiB));
	CHECK(MAPS_BO(vm, VA0 + 1 * MiB - 1, h, 1 * MiB - 1, 4 * KiB));
	CHECK(UNMAPPED(vm, VA0 + 1 * MiB));
	CHECK(UNMAPPED(vm, VA0 - 1));
	CHECK(MAPS_BO(vm, VA0 + 4 * MiB + 8 * KiB, h, 72 * KiB, 4 * KiB));
	CHECK(UNMAPPED(vm, VA0 + 4 * MiB + 64 * KiB));
	CHECK(vm_mappings(vm) == 2);
	CHECK(vm_destroy(fd, vm) == 0);
	bo_close(h);
	return PASS;
}

TEST(test_vm_partial_unmap, "vm-partial-unmap")
{
	struct drm_simgpu_vm_bind_op op;
	uint32_t vm, h = bo(64 * KiB), i;

	VM_REQUIRE();
	CHECK(h);
	CHECK(vm_create(fd, 0, 0, &vm) == 0);
	op = op_map(h, 0, VA0, 64 * KiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	op = op_unmap(VA0 + 16 * KiB, 16 * KiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	for (i = 0; i < 16; i++) {
		uint64_t va = VA0 + i * 4 * KiB;

		if (i >= 4 && i < 8)
			CHECK(UNMAPPED(vm, va));
		else
			CHECK(MAPS_BO(vm, va, h, i * 4 * KiB, 4 * KiB));
	}
	/* One mapping split in two: drm_gpuvm's remap with prev and next. */
	CHECK(vm_mappings(vm) == 2);
	/* Trim the head, then unmap a range holding nothing. */
	op = op_unmap(VA0, 8 * KiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	CHECK(UNMAPPED(vm, VA0) && MAPS_BO(vm, VA0 + 8 * KiB, h, 8 * KiB, 4 * KiB));
	op = op_unmap(VA0 + 1 * GiB, 1 * GiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	CHECK(vm_mappings(vm) == 2);
	CHECK(vm_destroy(fd, vm) == 0);
	bo_close(h);
	return PASS;
}

TEST(test_vm_remap, "vm-remap")
{
	struct drm_simgpu_vm_bind_op op;
	uint32_t vm, a = bo(4 * MiB), b = bo(1 * MiB);

	VM_REQUIRE();
	CHECK(a && b);
	CHECK(vm_create(fd, 0, 0, &vm) == 0);
	op = op_map(a, 0, VA0, 4 * MiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	/* B over the middle of A: A is split around it. */
	op = op_map(b, 256 * KiB, VA0 + 1 * MiB, 512 * KiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	CHECK(MAPS_BO(vm, VA0 + 1 * MiB - 4 * KiB, a, 1 * MiB - 4 * KiB, 0));
	CHECK(MAPS_BO(vm, VA0 + 1 * MiB, b, 256 * KiB, 0));
	CHECK(MAPS_BO(vm, VA0 + 1 * MiB + 508 * KiB, b, 764 * KiB, 0));
	CHECK(MAPS_BO(vm, VA0 + 1 * MiB + 512 * KiB, a, 1 * MiB + 512 * KiB, 0));
	CHECK(MAPS_BO(vm, VA0 + 4 * MiB - 4 * KiB, a, 4 * MiB - 4 * KiB, 0));
	CHECK(vm_mappings(vm) == 3);
	/* A again over everything: one mapping. */
	op = op_map(a, 0, VA0, 4 * MiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	CHECK(MAPS_BO(vm, VA0 + 1 * MiB, a, 1 * MiB, 0));
	CHECK(vm_mappings(vm) == 1);
	CHECK(vm_destroy(fd, vm) == 0);
	bo_close(a);
	bo_close(b);
	return PASS;
}

TEST(test_vm_sparse, "vm-sparse")
{
	struct drm_simgpu_vm_bind_op ops[2];
	uint32_t vm, h = bo(64 * KiB);

	VM_REQUIRE();
	CHECK(h);
	CHECK(vm_create(fd, 0, 0, &vm) == 0);
	ops[0] = op_null(VA0, 1 * MiB);
	ops[1] = op_map(h, 0, VA0 + 512 * KiB, 64 * KiB);
	CHECK(vm_bind(fd, vm, ops, 2) == 0);
	CHECK(MAPS_NULL(vm, VA0));
	CHECK(MAPS_NULL(vm, VA0 + 512 * KiB - 4 * KiB));
	CHECK(MAPS_BO(vm, VA0 + 512 * KiB, h, 0, 4 * KiB));
	CHECK(MAPS_NULL(vm, VA0 + 576 * KiB));
	CHECK(UNMAPPED(vm, VA0 + 1 * MiB));
	CHECK(vm_mappings(vm) == 3);
	ops[0] = op_unmap(VA0, 1 * MiB);
	CHECK(vm_bind(fd, vm, ops, 1) == 0);
	CHECK(UNMAPPED(vm, VA0) && UNMAPPED(vm, VA0 + 512 * KiB));
	CHECK(vm_mappings(vm) == 0);
	CHECK(vm_destroy(fd, vm) == 0);
	bo_close(h);
	return PASS;
}

TEST(test_vm_huge, "vm-huge")
{
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_vm_query q;
	uint32_t vm, h = bo(8 * MiB), plain;

	VM_REQUIRE();
	CHECK(h);
	CHECK(vm_create(fd, SIMGPU_VM_CREATE_HUGE_PAGES, 0, &vm) == 0);
	op = op_map(h, 2 * MiB, VA0, 4 * MiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	CHECK(MAPS_BO(vm, VA0 + 4 * KiB, h, 2 * MiB + 4 * KiB, 2 * MiB));
	CHECK(MAPS_BO(vm, VA0 + 3 * MiB, h, 3 * MiB + 2 * MiB, 2 * MiB));
	/* Punching a 4 KiB hole splits one block into 4 KiB leaves. */
	op = op_unmap(VA0 + 1 * MiB, 4 * KiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	CHECK(UNMAPPED(vm, VA0 + 1 * MiB));
	CHECK(MAPS_BO(vm, VA0 + 1 * MiB - 4 * KiB, h, 3 * MiB - 4 * KiB, 4 * KiB));
	CHECK(MAPS_BO(vm, VA0 + 1 * MiB + 4 * KiB, h, 3 * MiB + 4 * KiB, 4 * KiB));
	CHECK(MAPS_BO(vm, VA0 + 2 * MiB, h, 4 * MiB, 2 * MiB));
	/* Misaligned BO offset: no block possible. */
	op = op_map(h, 4 * KiB, VA0 + 16 * MiB, 2 * MiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	CHECK(MAPS_BO(vm, VA0 + 16 * MiB, h, 4 * KiB, 4 * KiB));
	/* Sparse blocks too. */
	op = op_null(VA0 + 32 * MiB, 2 * MiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	CHECK(vm_query(fd, vm, VA0 + 33 * MiB, &q) == 0);
	CHECK(q.mapping == SIMGPU_VM_MAPPING_NULL && q.page_size == 2 * MiB);
	CHECK(vm_destroy(fd, vm) == 0);

	/* Without the flag the same map uses 4 KiB leaves. */
	CHECK(vm_create(fd, 0, 0, &plain) == 0);
	op = op_map(h, 2 * MiB, VA0, 4 * MiB);
	CHECK(vm_bind(fd, plain, &op, 1) == 0);
	CHECK(MAPS_BO(plain, VA0 + 3 * MiB, h, 5 * MiB, 4 * KiB));
	CHECK(vm_destroy(fd, plain) == 0);
	bo_close(h);
	return PASS;
}

TEST(test_vm_teardown_frees_tables, "vm-teardown-frees-tables")
{
	struct drm_simgpu_vm_bind_op ops[8];
	struct drm_simgpu_vm_query q;
	uint64_t before = dev_tables_live();
	uint32_t vm, h = bo(4 * MiB), flags;
	int f, i;

	VM_REQUIRE();
	CHECK(h && before != ~0ull);
	for (flags = 0; flags <= SIMGPU_VM_CREATE_HUGE_PAGES; flags++) {
		CHECK(vm_create(fd, flags, 0, &vm) == 0);
		for (i = 0; i < 8; i++)	/* spans of every level */
			ops[i] = op_map(h, 0, VA0 + (uint64_t)i * 77 * GiB + i * 4 * KiB, 4 * MiB);
		CHECK(vm_bind(fd, vm, ops, 8) == 0);
		CHECK(vm_query(fd, vm, 0, &q) == 0 && q.tables_live > 8);
		CHECK(dev_tables_live() == before + q.tables_live);
		/* Unmapping everything frees every table but the root. */
		ops[0] = op_unmap(VM_KERNEL_SIZE, (1ull << SIMGPU_VM_VA_BITS) - VM_KERNEL_SIZE);
		CHECK(vm_bind(fd, vm, ops, 1) == 0);
		CHECK(vm_query(fd, vm, 0, &q) == 0 && q.tables_live == 1);
		CHECK(vm_bind(fd, vm, ops + 1, 7) == 0);
		CHECK(vm_destroy(fd, vm) == 0);
		CHECK(dev_tables_live() == before);
	}

	/* Closing the file destroys its VMs with their mappings. */
	f = open_simgpu();
	CHECK(f >= 0);
	{
		struct drm_simgpu_bo_create bc = { .size = 4 * MiB };
		struct drm_simgpu_vm_bind_op op;

		CHECK(sg_ioctl(f, DRM_IOCTL_SIMGPU_BO_CREATE, &bc) == 0);
		CHECK(vm_create(f, 0, 0, &vm) == 0);
		op = op_map(bc.handle, 0, VA0, 4 * MiB);
		CHECK(vm_bind(f, vm, &op, 1) == 0);
		CHECK(dev_tables_live() > before);
	}
	close(f);
	CHECK(dev_tables_live() == before);
	bo_close(h);
	return PASS;
}

/*
 * The same ops, shuffled and overlapping, under each policy and with and
 * without huge pages: identical translations; the counters add up.
 */
TEST(test_vm_policies_identical, "vm-policies-identical")
{
	enum { NOPS = 96, NPROBE = 400 };
	static const uint32_t policies[] = {
		SIMGPU_VM_PREALLOC_NONE, SIMGPU_VM_PREALLOC_PER_OP,
		SIMGPU_VM_PREALLOC_BATCHED,
	};
	struct drm_simgpu_vm_bind_op ops[NOPS];
	static struct drm_simgpu_vm_query ref[NPROBE];
	uint32_t h = bo(8 * MiB), vm, p, flags, i;
	uint64_t probe[NPROBE];

	VM_REQUIRE();
	CHECK(h);
	srand(5);
	for (i = 0; i < NOPS; i++) {
		uint64_t va = VA0 + (uint64_t)(rand() % 64) * 256 * KiB;
		uint64_t size = (uint64_t)(1 + rand() % 1024) * 4 * KiB;
		uint64_t off = (uint64_t)(rand() % 2) * 2 * MiB + (rand() % 2) * 4 * KiB;

		switch (rand() % 4) {
		case 0:
			ops[i] = op_null(va, size);
			break;
		case 1:
			ops[i] = op_unmap(va, size);
			break;
		default:
			ops[i] = op_map(h, off, va, size);
		}
	}
	for (i = 0; i < NPROBE; i++)
		probe[i] = VA0 + (uint64_t)(rand() % (24 * 1024)) * 4 * KiB;

	for (flags = 0; flags <= SIMGPU_VM_CREATE_HUGE_PAGES; flags++) {
		for (p = 0; p < 3; p++) {
			struct drm_simgpu_vm_query q, s;

			CHECK(vm_create(fd, flags, policies[p], &vm) == 0);
			CHECK(vm_bind(fd, vm, ops, NOPS / 2) == 0);
			CHECK(vm_bind(fd, vm, ops + NOPS / 2, NOPS / 2) == 0);
			for (i = 0; i < NPROBE; i++) {
				CHECK(vm_query(fd, vm, probe[i], &q) == 0);
				if (!p) {
					ref[i] = q;
					continue;
				}
				if (q.mapping != ref[i].mapping || q.handle != ref[i].handle ||
				    q.bo_offset != ref[i].bo_offset || q.page_size != ref[i].page_size)
					return why(FAIL, "huge %u, policy %u: va %#llx differs from policy none",
						   flags, policies[p], (unsigned long long)probe[i]);
			}
			CHECK(vm_query(fd, vm, 0, &s) == 0);
			CHECK(s.prealloc == policies[p]);
			if (policies[p] == SIMGPU_VM_PREALLOC_NONE) {
				CHECK(s.tables_preallocated == 0 && s.tables_allocated_late > 0);
			} else {
				CHECK(s.tables_allocated_late == 0);
				CHECK(s.tables_preallocated > 0);
			}
			CHECK(s.tables_preallocated == s.tables_prealloc_used + s.tables_returned);
			CHECK(s.tables_live == 1 + s.tables_prealloc_used +
			      s.tables_allocated_late - s.tables_freed);
			CHECK(vm_destroy(fd, vm) == 0);
		}
	}
	bo_close(h);
	return PASS;
}

/* msm's point: a sorted batch of small maps in one 2 MiB span shares tables. */
TEST(test_vm_batched_sharing, "vm-batched-sharing")
{
	static struct drm_simgpu_vm_bind_op ops[512];
	uint64_t pre[2];
	uint32_t h = bo(2 * MiB), vm, p, i;

	VM_REQUIRE();
	CHECK(h);
	for (i = 0; i < 512; i++)
		ops[i] = op_map(h, i * 4 * KiB, VA0 + i * 4 * KiB, 4 * KiB);
	for (p = 0; p < 2; p++) {
		struct drm_simgpu_vm_query s;

		CHECK(vm_create(fd, 0, p ? SIMGPU_VM_PREALLOC_BATCHED :
				SIMGPU_VM_PREALLOC_PER_OP, &vm) == 0);
		CHECK(vm_bind(fd, vm, ops, 512) == 0);
		CHECK(vm_query(fd, vm, 0, &s) == 0);
		pre[p] = s.tables_preallocated;
		/* Three tables below the root map all of it, either way. */
		CHECK(s.tables_prealloc_used == 3 && s.tables_live == 4);
		CHECK(MAPS_BO(vm, VA0 + 511 * 4 * KiB, h, 511 * 4 * KiB, 4 * KiB));
		CHECK(vm_destroy(fd, vm) == 0);
	}
	CHECK(pre[0] == 3 * 512);
	CHECK(pre[1] == 3);
	bo_close(h);
	return why(PASS, "pages preallocated for 512 sorted 4 KiB maps: per-op %llu, batched %llu",
		   (unsigned long long)pre[0], (unsigned long long)pre[1]);
}

#define VB struct drm_simgpu_vm_bind
#define SY struct drm_simgpu_sync
#define VC struct drm_simgpu_vm_create

TEST(test_vm_bad_input, "vm-bad-input")
{
	struct drm_simgpu_vm_bind_op ops[2];
	struct drm_simgpu_vm_bind b;
	struct drm_simgpu_vm_create c;
	struct drm_simgpu_vm_query before, after;
	uint32_t vm, h = bo(64 * KiB);
	const uint64_t top = 1ull << SIMGPU_VM_VA_BITS;
	/* VM_BIND arguments, synchronous, then asynchronous, then a sync. */
	const struct bad_case bind_cases[] = {
		{ "op_count 0", { SET(VB, op_count, 0) }, -EINVAL },
		{ "op_count above the max",
		  { SET(VB, op_count, SIMGPU_VM_MAX_BIND_OPS + 1) }, -E2BIG },
		{ "op_stride 8", { SET(VB, op_stride, 8) }, -EINVAL },
		{ "unknown flag", { SET(VB, flags, 4) }, -EINVAL },
		{ "NONBLOCK without ASYNC",
		  { SET(VB, flags, SIMGPU_VM_BIND_NONBLOCK) }, -EINVAL },
		{ "syncs without ASYNC", { SET(VB, sync_count, 1) }, -EINVAL },
		{ "ops unmapped", { SET(VB, ops, 8) }, -EFAULT },
		{ "unknown VM", { SET(VB, vm_id, 0x7fff) }, -ENOENT },
	};
	const struct bad_case async_cases[] = {
		{ "sync_count above the max", { SET(VB, sync_count, 1000) }, -E2BIG },
		{ "syncs unmapped", { SET(VB, syncs, 8) }, -EFAULT },
	};
	const struct bad_case sync_cases[] = {
		{ "WAIT and SIGNAL",
		  { SET(SY, flags, SIMGPU_SYNC_WAIT | SIMGPU_SYNC_SIGNAL) }, -EINVAL },
		{ "a point without TIMELINE", { SET(SY, point, 3) }, -EINVAL },
		{ "unknown signal syncobj", { SET(SY, handle, 0xdead) }, -ENOENT },
		{ "unknown wait syncobj",
		  { SET(SY, flags, SIMGPU_SYNC_WAIT), SET(SY, handle, 0xdead) }, -ENOENT },
	};
	const struct bad_case create_cases[] = {
		{ "unknown flag", { SET(VC, flags, 2) }, -EINVAL },
		{ "unknown prealloc", { SET(VC, prealloc, 4) }, -EINVAL },
		{ "pad", { SET(VC, pad, 1) }, -EINVAL },
		{ "kernel range unaligned", { SET(VC, kernel_va_size, 4095) }, -EINVAL },
		{ "kernel range past the end",
		  { SET(VC, kernel_va_start, top - 4096), SET(VC, kernel_va_size, 8192) },
		  -ERANGE },
	};
	const struct drm_simgpu_sync sy_good = {
		.flags = SIMGPU_SYNC_SIGNAL, .handle = syncobj(),
	};
	const struct drm_simgpu_vm_create c_good = { 0 };
	struct drm_simgpu_vm_bind good;
	struct drm_simgpu_sync sy[1];
	struct {
		struct drm_simgpu_vm_bind_op op;
		int err;
	} bad[] = {
		{ op_map(h, 0, VA0 + 1, 4 * KiB), -EINVAL },		/* unaligned va */
		{ op_map(h, 0, VA0, 4 * KiB + 1), -EINVAL },		/* unaligned size */
		{ op_map(h, 1, VA0, 4 * KiB), -EINVAL },		/* unaligned offset */
		{ op_map(h, 0, VA0, 0), -EINVAL },			/* empty */
		{ op_map(h, 0, VA0, 128 * KiB), -EINVAL },		/* past the BO */
		{ op_map(h, 64 * KiB, VA0, 4 * KiB), -EINVAL },		/* offset at BO end */
		{ op_map(h, ~0ull & ~4095ull, VA0, 4 * KiB), -EINVAL },	/* offset wraps */
		{ op_map(h + 1000, 0, VA0, 4 * KiB), -ENOENT },		/* unknown handle */
		{ op_map(h, 0, 0, 4 * KiB), -ERANGE },			/* kernel range */
		{ op_map(h, 0, VM_KERNEL_SIZE - 4 * KiB, 8 * KiB), -ERANGE },
		{ op_map(h, 0, top - 4 * KiB, 8 * KiB), -ERANGE },	/* past the end */
		{ op_null(top, 4 * KiB), -ERANGE },
		{ op_unmap(~0ull & ~4095ull, 8 * KiB), -EOVERFLOW },	/* wraps */
		{ op_null(VA0, 4 * KiB), 0 },				/* fixed below */
		{ op_unmap(VA0, 4 * KiB), 0 },
		{ { .op = 3, .va = VA0, .size = 4 * KiB }, -EINVAL },	/* unknown op */
	};
	unsigned int i;

	VM_REQUIRE();
	CHECK(h);
	bad[13].op.handle = h;		/* a handle on MAP_NULL */
	bad[13].err = -EINVAL;
	bad[14].op.bo_offset = 4096;	/* an offset on UNMAP */
	bad[14].err = -EINVAL;
	CHECK(vm_create(fd, 0, 0, &vm) == 0);
	ops[0] = op_map(h, 0, VA0, 64 * KiB);
	CHECK(vm_bind(fd, vm, ops, 1) == 0);
	CHECK(vm_query(fd, vm, VA0, &before) == 0);

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int ret;

		/* Preceded by a valid op: the whole batch is refused. */
		ops[0] = op_unmap(VA0, 64 * KiB);
		ops[1] = bad[i].op;
		ret = vm_bind(fd, vm, ops, 2);
		if (ret != bad[i].err)
			return why(FAIL, "bad op %u: %d, want %d", i, ret, bad[i].err);
	}
	ops[1] = op_map(h, 0, VA0, 4 * KiB);
	ops[1].flags = 1;
	CHECK(vm_bind(fd, vm, ops, 2) == -EINVAL);
	ops[1].flags = 0;
	ops[1].pad = 1;
	CHECK(vm_bind(fd, vm, ops, 2) == -EINVAL);

	CHECK(sy_good.handle);
	memset(&good, 0, sizeof(good));
	good.vm_id = vm;
	good.op_stride = sizeof(ops[0]);
	good.ops = (uintptr_t)ops;
	good.op_count = 1;
	CHECK_BAD_CASES(DRM_IOCTL_SIMGPU_VM_BIND, &b, &b, &good, bind_cases);
	good.flags = SIMGPU_VM_BIND_ASYNC;
	good.syncs = (uintptr_t)sy;
	good.sync_count = 1;
	CHECK_BAD_CASES(DRM_IOCTL_SIMGPU_VM_BIND, &b, &b, &good, async_cases);
	b = good;
	CHECK_BAD_CASES(DRM_IOCTL_SIMGPU_VM_BIND, &b, &sy[0], &sy_good, sync_cases);

	/* Nothing changed. */
	CHECK(vm_query(fd, vm, VA0, &after) == 0);
	CHECK(after.mapping == SIMGPU_VM_MAPPING_BO && after.handle == h);
	CHECK(after.mappings == before.mappings && after.tables_live == before.tables_live);
	CHECK(after.binds == before.binds && after.bind_ops == before.bind_ops);

	CHECK(vm_query(fd, vm + 1000, 0, &after) == -ENOENT);
	after.vm_id = vm;
	after.flags = 1;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_VM_QUERY, &after) == -EINVAL);
	CHECK(vm_destroy(fd, vm + 1000) == -ENOENT);
	CHECK(vm_destroy(fd, vm) == 0);
	CHECK(vm_destroy(fd, vm) == -ENOENT);

	CHECK_BAD_CASES(DRM_IOCTL_SIMGPU_VM_CREATE, &c, &c, &c_good, create_cases);
	bo_close(h);
	return PASS;
}

#undef VB
#undef SY
#undef VC

/* Bind stage stamps are ordered and inside the call; counters move. */
TEST(test_vm_bind_timestamps, "vm-bind-timestamps")
{
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_vm_query q;
	uint32_t vm, h = bo(2 * MiB);
	uint64_t t0, t1;

	VM_REQUIRE();
	CHECK(h);
	CHECK(vm_create(fd, 0, SIMGPU_VM_PREALLOC_PER_OP, &vm) == 0);
	CHECK(vm_query(fd, vm, 0, &q) == 0);
	CHECK(q.last_bind_ioctl_ns == 0 && q.binds == 0 && q.apply_ns == 0);
	op = op_map(h, 0, VA0, 2 * MiB);
	t0 = now_ns();
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	t1 = now_ns();
	CHECK(vm_query(fd, vm, 0, &q) == 0);
	CHECK(t0 <= q.last_bind_ioctl_ns);
	CHECK(q.last_bind_ioctl_ns <= q.last_bind_apply_ns);
	CHECK(q.last_bind_apply_ns <= q.last_bind_done_ns);
	CHECK(q.last_bind_done_ns <= t1);
	CHECK(q.binds == 1 && q.bind_ops == 1);
	CHECK(q.apply_ns == q.last_bind_done_ns - q.last_bind_apply_ns);
	CHECK(q.tables_preallocated == 3 && q.tables_returned == 0);
	CHECK(vm_destroy(fd, vm) == 0);
	bo_close(h);
	return PASS;
}

struct binder {
	uint32_t vm, bo;
	int bad;	/* first unexpected return value, 0 if none */
	int ok;
};

/* Maps and unmaps until the VM goes away under it. */
static void *binder_thread(void *arg)
{
	struct binder *t = arg;
	struct drm_simgpu_vm_bind_op ops[2];
	int i, ret;

	for (i = 0; i < 100000; i++) {
		ops[0] = op_map(t->bo, 0, VA0 + (i % 64) * 2 * MiB, 1 * MiB);
		ops[1] = op_unmap(VA0 + ((i + 32) % 64) * 2 * MiB, 2 * MiB);
		ret = vm_bind(fd, t->vm, ops, 2);
		if (ret == -ENOENT)
			break;
		if (ret) {
			t->bad = ret;
			break;
		}
		t->ok++;
	}
	return NULL;
}

/* VM_DESTROY racing binds on the same VM: -ENOENT after, nothing leaks. */
TEST(test_vm_destroy_while_binding, "vm-destroy-while-binding")
{
	uint64_t before = dev_tables_live();
	struct binder t[2];
	pthread_t th[2];
	uint32_t h = bo(1 * MiB);
	int round, k, binds = 0;

	VM_REQUIRE();
	CHECK(h);
	for (round = 0; round < 20; round++) {
		uint32_t vm;

		CHECK(vm_create(fd, round % 2 ? SIMGPU_VM_CREATE_HUGE_PAGES : 0, 1 + round % 3,
				&vm) == 0);
		for (k = 0; k < 2; k++) {
			t[k] = (struct binder){ .vm = vm, .bo = h };
			CHECK(pthread_create(&th[k], NULL, binder_thread, &t[k]) == 0);
		}
		usleep(1000 * (1 + round % 5));
		CHECK(vm_destroy(fd, vm) == 0);
		for (k = 0; k < 2; k++) {
			pthread_join(th[k], NULL);
			if (t[k].bad)
				return why(FAIL, "round %d: VM_BIND returned %d", round, t[k].bad);
			binds += t[k].ok;
		}
	}
	CHECK(dev_tables_live() == before);
	/* Some binds must have run before the destroys, or nothing raced. */
	CHECK(binds > 0);
	bo_close(h);
	return why(PASS, "%d binds before 20 destroys", binds);
}

/*
 * A page-table allocation failing while reserving leaves the VM as it was
 * and usable; failing while applying (policy none) leaves the earlier ops
 * applied and the VM refusing binds with -EIO; either way teardown frees
 * every table.
 */
TEST(test_vm_pt_alloc_failure, "vm-pt-alloc-failure")
{
	uint64_t before = dev_tables_live();
	struct drm_simgpu_vm_bind_op ops[2];
	struct drm_simgpu_vm_query q;
	uint32_t vm, h = bo(64 * KiB);
	int ret;

	VM_REQUIRE();
	CHECK(h);
	if (pt_fail_after(0))
		return why(SKIP, "cannot write %s (not root?)", PT_FAIL_KNOB);

	CHECK(vm_create(fd, 0, SIMGPU_VM_PREALLOC_PER_OP, &vm) == 0);
	ops[0] = op_map(h, 0, VA0, 64 * KiB);
	CHECK(pt_fail_after(2) == 0);	/* the second of 3 reserved pages */
	ret = vm_bind(fd, vm, ops, 1);
	pt_fail_after(0);
	CHECK(ret == -ENOMEM);
	CHECK(vm_query(fd, vm, VA0, &q) == 0);
	CHECK(q.mapping == SIMGPU_VM_MAPPING_NONE && q.mappings == 0 && q.tables_live == 1);
	CHECK(q.tables_preallocated == q.tables_returned);
	CHECK(vm_bind(fd, vm, ops, 1) == 0);	/* still usable */
	CHECK(MAPS_BO(vm, VA0, h, 0, 4 * KiB));
	CHECK(vm_destroy(fd, vm) == 0);

	CHECK(vm_create(fd, 0, SIMGPU_VM_PREALLOC_NONE, &vm) == 0);
	ops[0] = op_map(h, 0, VA0, 64 * KiB);
	ops[1] = op_map(h, 0, VA0 + 512 * GiB, 64 * KiB);	/* 3 more tables */
	CHECK(pt_fail_after(5) == 0);
	ret = vm_bind(fd, vm, ops, 2);
	pt_fail_after(0);
	CHECK(ret == -ENOMEM);
	CHECK(MAPS_BO(vm, VA0, h, 0, 4 * KiB));
	CHECK(UNMAPPED(vm, VA0 + 512 * GiB));
	CHECK(vm_query(fd, vm, 0, &q) == 0);
	CHECK(q.mappings == 1 && q.tables_live == 4);	/* half-built tables pruned */
	ops[0] = op_unmap(VA0, 64 * KiB);
	CHECK(vm_bind(fd, vm, ops, 1) == -EIO);
	CHECK(vm_destroy(fd, vm) == 0);
	CHECK(dev_tables_live() == before);
	bo_close(h);
	return PASS;
}

/* Async binds update the page table when their job runs, in order. */
TEST(test_vm_async_bind, "vm-async-bind")
{
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_sync sig = { .flags = SIMGPU_SYNC_SIGNAL };
	uint32_t vm, a = bo(4 * MiB), b = bo(1 * MiB), s1 = syncobj(), s2 = syncobj();

	VM_REQUIRE();
	CHECK(a && b && s1 && s2);
	CHECK(vm_create(fd, 0, SIMGPU_VM_PREALLOC_BATCHED, &vm) == 0);
	op = op_map(a, 0, VA0, 4 * MiB);
	sig.handle = s1;
	CHECK(vm_bind_async(fd, vm, &op, 1, &sig, 1, 0) == 0);
	CHECK(wait_syncobj(s1) == 0);
	CHECK(MAPS_BO(vm, VA0 + 1 * MiB, a, 1 * MiB, 4 * KiB));

	/* Async then sync without waiting: the sync bind goes after. */
	op = op_unmap(VA0, 4 * MiB);
	CHECK(vm_bind_async(fd, vm, &op, 1, NULL, 0, 0) == 0);
	op = op_map(a, 0, VA0, 4 * MiB);
	CHECK(vm_bind_async(fd, vm, &op, 1, NULL, 0, 0) == 0);
	op = op_map(b, 0, VA0 + 1 * MiB, 1 * MiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	CHECK(MAPS_BO(vm, VA0 + 1 * MiB + 4 * KiB, b, 4 * KiB, 4 * KiB));
	CHECK(MAPS_BO(vm, VA0 + 2 * MiB, a, 2 * MiB, 4 * KiB));
	CHECK(vm_mappings(vm) == 3);

	/* A timeline point as the signal. */
	sig.flags = SIMGPU_SYNC_SIGNAL | SIMGPU_SYNC_TIMELINE;
	sig.handle = s2;
	sig.point = 5;
	op = op_unmap(VA0, 4 * MiB);
	CHECK(vm_bind_async(fd, vm, &op, 1, &sig, 1, 0) == 0);
	CHECK(wait_point(s2, 5) == 0);
	CHECK(UNMAPPED(vm, VA0 + 1 * MiB) && UNMAPPED(vm, VA0 + 2 * MiB));
	CHECK(vm_destroy(fd, vm) == 0);
	drmSyncobjDestroy(fd, s1);
	drmSyncobjDestroy(fd, s2);
	bo_close(a);
	bo_close(b);
	return PASS;
}

/*
 * submit -> bind waiting on it -> submit waiting on the bind: what a
 * sparse-residency app chains with syncobjs.
 */
TEST(test_vm_async_submit_chain, "vm-async-submit-chain")
{
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_sync bsync[2], jsync[2];
	struct drm_simgpu_job job = { 0 };
	struct drm_simgpu_job_record rec[2];
	struct drm_simgpu_vm_query q;
	uint32_t vm, q0, h = bo(64 * KiB), s1 = syncobj(), s2 = syncobj(), s3 = syncobj();
	uint64_t seq1, seq2;
	int mapped_early;

	VM_REQUIRE();
	CHECK(h && s1 && s2 && s3);
	CHECK(queue_create(fd, 0, 1, 0, 0, &q0) == 0);
	CHECK(vm_create(fd, 0, 0, &vm) == 0);
	CHECK(submit_one(fd, q0, 300 * MS, s1, &seq1) == 0);
	bsync[0] = (struct drm_simgpu_sync){ .flags = SIMGPU_SYNC_WAIT, .handle = s1 };
	bsync[1] = (struct drm_simgpu_sync){ .flags = SIMGPU_SYNC_SIGNAL, .handle = s2 };
	op = op_map(h, 0, VA0, 64 * KiB);
	CHECK(vm_bind_async(fd, vm, &op, 1, bsync, 2, 0) == 0);
	CHECK(vm_query(fd, vm, VA0, &q) == 0);
	mapped_early = q.mapping != SIMGPU_VM_MAPPING_NONE;
	CHECK(job_query(fd, q0, seq1, 1, rec) == 0);
	/* While the first job has not finished, the bind cannot have run. */
	if (rec[0].status != SIMGPU_JOB_STATUS_DONE)
		CHECK(!mapped_early);
	jsync[0] = (struct drm_simgpu_sync){ .flags = SIMGPU_SYNC_WAIT, .handle = s2 };
	jsync[1] = (struct drm_simgpu_sync){ .flags = SIMGPU_SYNC_SIGNAL, .handle = s3 };
	job.syncs = (uintptr_t)jsync;
	job.sync_count = 2;
	CHECK(submit(fd, q0, &job, 1, &seq2) == 0);
	CHECK(wait_syncobj(s3) == 0);
	CHECK(MAPS_BO(vm, VA0, h, 0, 4 * KiB));
	CHECK(vm_query(fd, vm, VA0, &q) == 0);
	CHECK(job_query(fd, q0, seq1, 2, rec) == 0);
	/* Ordered: job 1 signalled <= bind applied <= job 2 ran. */
	CHECK(rec[0].signal_ns <= q.last_bind_apply_ns);
	CHECK(q.last_bind_apply_ns <= q.last_bind_done_ns);
	CHECK(q.last_bind_done_ns <= rec[1].run_job_ns);
	CHECK(vm_destroy(fd, vm) == 0);
	CHECK(queue_destroy(fd, q0) == 0);
	drmSyncobjDestroy(fd, s1);
	drmSyncobjDestroy(fd, s2);
	drmSyncobjDestroy(fd, s3);
	bo_close(h);
	return PASS;
}

/* msm-style throttling: NONBLOCK gets -EAGAIN, a blocking bind waits. */
TEST(test_vm_async_throttle, "vm-async-throttle")
{
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_sync w = { .flags = SIMGPU_SYNC_WAIT };
	struct drm_simgpu_job_record rec;
	uint32_t vm, q0, h = bo(64 * KiB), s1 = syncobj();
	uint64_t seq, t_done;
	int ret, eagain = 0;

	VM_REQUIRE();
	CHECK(h && s1);
	if (set_knob(INFLIGHT_KNOB, 4))
		return why(SKIP, "cannot write %s (not root?)", INFLIGHT_KNOB);
	CHECK(queue_create(fd, 0, 1, 0, 0, &q0) == 0);
	CHECK(vm_create(fd, 0, SIMGPU_VM_PREALLOC_PER_OP, &vm) == 0);
	CHECK(submit_one(fd, q0, 300 * MS, s1, &seq) == 0);
	w.handle = s1;
	/* 3 pages reserved until the job signals: under the cap of 4. */
	op = op_map(h, 0, VA0, 4 * KiB);
	ret = vm_bind_async(fd, vm, &op, 1, &w, 1, 0);
	if (!ret) {
		op = op_map(h, 0, VA0 + 1 * GiB, 4 * KiB);	/* 3 more: over */
		ret = vm_bind_async(fd, vm, &op, 1, NULL, 0, SIMGPU_VM_BIND_NONBLOCK);
		CHECK(job_query(fd, q0, seq, 1, &rec) == 0);
		/* -EAGAIN unless the first bind already ran. */
		eagain = ret == -EAGAIN;
		if (rec.status != SIMGPU_JOB_STATUS_DONE && ret != -EAGAIN)
			ret = -1000 + ret;
		else
			ret = 0;
	}
	if (!ret) {
		ret = vm_bind_async(fd, vm, &op, 1, NULL, 0, 0);	/* blocks */
		t_done = now_ns();
		if (!ret && (job_query(fd, q0, seq, 1, &rec) ||
			     rec.status != SIMGPU_JOB_STATUS_DONE || rec.signal_ns > t_done))
			ret = -2000;
	}
	set_knob(INFLIGHT_KNOB, 65536);
	if (ret)
		return why(FAIL, "throttled bind returned %d", ret);
	CHECK(vm_destroy(fd, vm) == 0);
	CHECK(queue_destroy(fd, q0) == 0);
	drmSyncobjDestroy(fd, s1);
	bo_close(h);
	return why(PASS, "NONBLOCK bind over the cap: %s", eagain ? "-EAGAIN" :
		   "not tried, the first bind had already run");
}

/*
 * An asynchronous bind failing in run_job (a late page-table allocation,
 * policy none) leaves the VM unusable: its fence carries the error, later
 * binds get -EIO, and teardown still frees every table.
 */
TEST(test_vm_async_failure, "vm-async-failure")
{
	uint64_t before = dev_tables_live();
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_sync sig = { .flags = SIMGPU_SYNC_SIGNAL };
	uint32_t vm, h = bo(64 * KiB), s1 = syncobj();
	int ret;

	VM_REQUIRE();
	CHECK(h && s1);
	if (pt_fail_after(0))
		return why(SKIP, "cannot write %s (not root?)", PT_FAIL_KNOB);
	CHECK(vm_create(fd, 0, SIMGPU_VM_PREALLOC_NONE, &vm) == 0);
	op = op_map(h, 0, VA0, 64 * KiB);
	sig.handle = s1;
	CHECK(pt_fail_after(2) == 0);	/* the second table of run_job */
	ret = vm_bind_async(fd, vm, &op, 1, &sig, 1, 0);
	if (ret) {
		pt_fail_after(0);
		return why(FAIL, "async bind: %d", ret);
	}
	ret = wait_syncobj(s1);
	pt_fail_after(0);
	CHECK(ret == 0);
	CHECK(UNMAPPED(vm, VA0));
	op = op_unmap(VA0, 64 * KiB);
	CHECK(vm_bind(fd, vm, &op, 1) == -EIO);
	CHECK(vm_bind_async(fd, vm, &op, 1, NULL, 0, 0) == -EIO);
	CHECK(vm_destroy(fd, vm) == 0);
	CHECK(dev_tables_live() == before);
	drmSyncobjDestroy(fd, s1);
	bo_close(h);
	return PASS;
}

/* VM_DESTROY with binds queued behind a running job waits for them. */
TEST(test_vm_async_destroy_in_flight, "vm-async-destroy-in-flight")
{
	uint64_t before = dev_tables_live(), seq;
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_sync sy[2];
	uint32_t vm, q0, h = bo(2 * MiB), s1 = syncobj(), s2 = syncobj();
	int i;

	VM_REQUIRE();
	CHECK(h && s1 && s2);
	CHECK(queue_create(fd, 0, 1, 0, 0, &q0) == 0);
	CHECK(vm_create(fd, SIMGPU_VM_CREATE_HUGE_PAGES, 0, &vm) == 0);
	CHECK(submit_one(fd, q0, 100 * MS, s1, &seq) == 0);
	sy[0] = (struct drm_simgpu_sync){ .flags = SIMGPU_SYNC_WAIT, .handle = s1 };
	sy[1] = (struct drm_simgpu_sync){ .flags = SIMGPU_SYNC_SIGNAL, .handle = s2 };
	for (i = 0; i < 8; i++) {
		op = op_map(h, 0, VA0 + (uint64_t)i * 3 * GiB, 2 * MiB);
		CHECK(vm_bind_async(fd, vm, &op, 1, sy, 2, 0) == 0);
	}
	CHECK(vm_destroy(fd, vm) == 0);
	CHECK(wait_syncobj(s2) == 0);
	CHECK(dev_tables_live() == before);
	CHECK(queue_destroy(fd, q0) == 0);
	drmSyncobjDestroy(fd, s1);
	drmSyncobjDestroy(fd, s2);
	bo_close(h);
	return PASS;
}

/* A BO whose handle is closed stays mapped until unmapped. */
TEST(test_vm_bo_close_while_mapped, "vm-bo-close-while-mapped")
{
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_vm_query q;
	uint32_t vm, h = bo(64 * KiB);

	VM_REQUIRE();
	CHECK(h);
	CHECK(vm_create(fd, 0, 0, &vm) == 0);
	op = op_map(h, 0, VA0, 64 * KiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	bo_close(h);
	CHECK(vm_query(fd, vm, VA0 + 4 * KiB, &q) == 0);
	CHECK(q.mapping == SIMGPU_VM_MAPPING_BO && q.handle == 0 && q.bo_offset == 4 * KiB);
	op = op_unmap(VA0 + 16 * KiB, 4 * KiB);	/* a remap of the orphan */
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	op = op_unmap(VA0, 64 * KiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	CHECK(vm_mappings(vm) == 0);
	CHECK(vm_destroy(fd, vm) == 0);
	return PASS;
}

/*
 * Every successful bind gets a seqno and a record of its stages, sync and
 * async alike; failed binds get neither; old records are overwritten.
 */
TEST(test_vm_bind_records, "vm-bind-records")
{
	struct drm_simgpu_vm_bind_record r[3];
	struct drm_simgpu_vm_bind_query bq;
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_sync sy[2];
	struct drm_simgpu_vm_query q;
	uint32_t vm, q0, h = bo(64 * KiB), s1 = syncobj(), s2 = syncobj();
	uint64_t t0, t1, seq, jseq, i;

	VM_REQUIRE();
	CHECK(h && s1 && s2);
	CHECK(vm_create(fd, 0, SIMGPU_VM_PREALLOC_BATCHED, &vm) == 0);
	CHECK(bind_query(fd, vm, 1, 1, r) == -ENOENT);

	/* Synchronous: complete when the ioctl returns, signal == pt done. */
	op = op_map(h, 0, VA0, 64 * KiB);
	t0 = now_ns();
	CHECK(vm_bind_seq(fd, vm, &op, 1, NULL, 0, 0, &seq) == 0 && seq == 1);
	t1 = now_ns();
	CHECK(bind_query(fd, vm, 1, 1, r) == 0);
	CHECK(r[0].seqno == 1 && r[0].op_count == 1 && r[0].flags == 0 && r[0].error == 0);
	CHECK(bind_record_ordered(&r[0]));
	CHECK(t0 <= r[0].ioctl_ns && r[0].signal_ns == r[0].pt_done_ns && r[0].signal_ns <= t1);

	/* A refused bind changes nothing: no seqno, no record. */
	op.size = 1000;
	CHECK(vm_bind_seq(fd, vm, &op, 1, NULL, 0, 0, &seq) == -EINVAL && seq == 0);
	CHECK(bind_query(fd, vm, 2, 1, r) == -ENOENT);

	/* Asynchronous, held back by a running job: queued, then done. */
	CHECK(queue_create(fd, 0, 1, 0, 0, &q0) == 0);
	CHECK(submit_one(fd, q0, 200 * MS, s1, &jseq) == 0);
	sy[0] = (struct drm_simgpu_sync){ .flags = SIMGPU_SYNC_WAIT, .handle = s1 };
	sy[1] = (struct drm_simgpu_sync){ .flags = SIMGPU_SYNC_SIGNAL, .handle = s2 };
	op = op_unmap(VA0, 16 * KiB);
	CHECK(vm_bind_seq(fd, vm, &op, 1, sy, 2, SIMGPU_VM_BIND_ASYNC, &seq) == 0 && seq == 2);
	CHECK(bind_query(fd, vm, 2, 1, r) == 0);
	CHECK(r[0].seqno == 2 && r[0].flags == SIMGPU_VM_BIND_ASYNC && r[0].ioctl_ns);
	{
		struct drm_simgpu_job_record jr;

		CHECK(job_query(fd, q0, jseq, 1, &jr) == 0);
		/* Before the job signalled the bind cannot have run. */
		if (jr.status != SIMGPU_JOB_STATUS_DONE)
			CHECK(r[0].status == SIMGPU_JOB_STATUS_QUEUED && !r[0].run_ns &&
			      !r[0].signal_ns);
	}
	CHECK(wait_syncobj(s2) == 0);
	t1 = now_ns();
	CHECK(bind_query(fd, vm, 1, 2, r) == 0);
	CHECK(r[0].seqno == 1 && r[1].seqno == 2);
	CHECK(bind_record_ordered(&r[1]) && r[1].error == 0 && r[1].signal_ns <= t1);
	CHECK(vm_query(fd, vm, 0, &q) == 0 && q.last_bind_seqno == 2 && q.binds == 2);

	/*
	 * A caller built before @seqno was appended (DRM_IOW, 40 bytes) still
	 * binds; the DRM core copies nothing back, the record is there.
	 */
	{
		struct drm_simgpu_vm_bind old = {
			.vm_id = vm, .op_count = 1, .op_stride = sizeof(op),
			.ops = (uintptr_t)&op, .seqno = 777,
		};
		unsigned long old_nr = _IOC(_IOC_WRITE, DRM_IOCTL_BASE,
					    DRM_COMMAND_BASE + DRM_SIMGPU_VM_BIND,
					    offsetof(struct drm_simgpu_vm_bind, seqno));

		op = op_null(VA0 + 2 * MiB, 4 * KiB);
		CHECK(sg_ioctl(fd, old_nr, &old) == 0 && old.seqno == 777);
		CHECK(vm_query(fd, vm, VA0 + 2 * MiB, &q) == 0 && q.last_bind_seqno == 3);
		CHECK(q.mapping == SIMGPU_VM_MAPPING_NULL);
		CHECK(bind_query(fd, vm, 3, 1, r) == 0 && bind_record_ordered(&r[0]));
	}

	/* Bad queries. */
	bq = (struct drm_simgpu_vm_bind_query){
		.vm_id = vm, .count = 1, .first_seqno = 1,
		.records = (uintptr_t)r, .record_size = sizeof(r[0]),
	};
#define BAD_BQ(field, val, err) do { \
	struct drm_simgpu_vm_bind_query b2 = bq; \
	b2.field = val; \
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_VM_BIND_QUERY, &b2) == (err)); \
} while (0)
	BAD_BQ(flags, 1, -EINVAL);
	BAD_BQ(count, 0, -EINVAL);
	BAD_BQ(first_seqno, 0, -EINVAL);
	BAD_BQ(record_size, sizeof(r[0]) - 8, -EINVAL);
	BAD_BQ(count, SIMGPU_VM_BIND_RECORDS + 1, -E2BIG);
	BAD_BQ(count, 4, -ENOENT);	/* seqnos 1..3 exist */
	BAD_BQ(vm_id, vm + 100, -ENOENT);
	BAD_BQ(records, 8, -EFAULT);
#undef BAD_BQ

	/* The ring keeps the last SIMGPU_VM_BIND_RECORDS binds. */
	op = op_null(VA0 + 1 * MiB, 4 * KiB);
	for (i = 0; i < SIMGPU_VM_BIND_RECORDS; i++)
		CHECK(vm_bind_seq(fd, vm, &op, 1, NULL, 0, 0, &seq) == 0 && seq == 4 + i);
	CHECK(bind_query(fd, vm, 3, 1, r) == -ENODATA);
	CHECK(bind_query(fd, vm, 4, 1, r) == 0 && r[0].seqno == 4);
	CHECK(bind_query(fd, vm, seq, 1, r) == 0 && bind_record_ordered(&r[0]));

	CHECK(vm_destroy(fd, vm) == 0);
	CHECK(queue_destroy(fd, q0) == 0);
	drmSyncobjDestroy(fd, s1);
	drmSyncobjDestroy(fd, s2);
	bo_close(h);
	return PASS;
}

/*
 * Queues created on a VM: QUEUE_QUERY reports it, VM_DESTROY is -EBUSY while
 * they exist, and once an asynchronous bind failed half-way their SUBMITs
 * fail with -EIO while other queues keep working.
 */
TEST(test_vm_queue, "vm-queue")
{
	uint64_t before = dev_tables_live(), seq;
	struct drm_simgpu_queue_create qc = { .priority = 1 };
	struct drm_simgpu_vm_bind_record rec;
	struct drm_simgpu_queue_query qq;
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_vm_query vq;
	struct drm_simgpu_sync sig = { .flags = SIMGPU_SYNC_SIGNAL };
	uint32_t vm, qv, qv2, qn, h = bo(64 * KiB), s1 = syncobj();
	int ret;

	if (!(info.features & SIMGPU_FEATURE_VM_BIND)) {
		/* No VM can exist: naming one is unsupported, not unknown. */
		qc.vm_id = 1;
		CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &qc) == -EOPNOTSUPP);
		return vm_unsupported();
	}
	CHECK(h && s1);
	CHECK(vm_create(fd, 0, SIMGPU_VM_PREALLOC_NONE, &vm) == 0);
	qc.vm_id = vm + 100;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &qc) == -ENOENT);
	qc.vm_id = vm;
	qc.pad = 1;
	CHECK(sg_ioctl(fd, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &qc) == -EINVAL);
	CHECK(queue_create_vm(fd, vm, &qv) == 0);
	CHECK(queue_create_vm(fd, vm, &qv2) == 0);
	CHECK(queue_create(fd, 0, 1, 0, 0, &qn) == 0);
	CHECK(queue_query(fd, qv, &qq) == 0 && qq.vm_id == vm);
	CHECK(queue_query(fd, qn, &qq) == 0 && qq.vm_id == 0);
	/* A caller built before vm_id was appended gets a queue without VM. */
	{
		struct drm_simgpu_queue_create old = { .priority = 1, .vm_id = vm };
		unsigned long old_nr = _IOC(_IOC_READ | _IOC_WRITE, DRM_IOCTL_BASE,
					    DRM_COMMAND_BASE + DRM_SIMGPU_QUEUE_CREATE,
					    offsetof(struct drm_simgpu_queue_create, vm_id));
		uint32_t qo;

		CHECK(sg_ioctl(fd, old_nr, &old) == 0 && old.queue_id);
		qo = old.queue_id;
		CHECK(queue_query(fd, qo, &qq) == 0 && qq.vm_id == 0);
		CHECK(queue_destroy(fd, qo) == 0);
	}
	CHECK(vm_query(fd, vm, 0, &vq) == 0 && vq.queues == 2 && !vq.unusable);

	/* The VM is held: destroy refused, nothing changed. */
	op = op_map(h, 0, VA0, 64 * KiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	CHECK(vm_destroy(fd, vm) == -EBUSY);
	CHECK(MAPS_BO(vm, VA0, h, 0, 4 * KiB));
	CHECK(submit_one(fd, qv, 0, 0, &seq) == 0);
	CHECK(wait_seqno(fd, qv, seq) == 0);
	CHECK(queue_destroy(fd, qv2) == 0);
	CHECK(vm_query(fd, vm, 0, &vq) == 0 && vq.queues == 1);
	CHECK(vm_destroy(fd, vm) == -EBUSY);

	/* A bind failing in run_job makes the VM unusable: SUBMIT -EIO. */
	if (pt_fail_after(0))
		return why(SKIP, "cannot write %s (not root?)", PT_FAIL_KNOB);
	op = op_map(h, 0, VA0 + 1 * GiB, 64 * KiB);
	sig.handle = s1;
	CHECK(pt_fail_after(2) == 0);
	ret = vm_bind_seq(fd, vm, &op, 1, &sig, 1, SIMGPU_VM_BIND_ASYNC, &seq);
	if (!ret)
		ret = wait_syncobj(s1);
	pt_fail_after(0);
	CHECK(ret == 0);
	CHECK(bind_query(fd, vm, seq, 1, &rec) == 0);
	CHECK(rec.status == SIMGPU_JOB_STATUS_DONE && rec.error == -ENOMEM);
	CHECK(vm_query(fd, vm, 0, &vq) == 0 && vq.unusable == 1);
	CHECK(submit_one(fd, qv, 0, 0, NULL) == -EIO);
	CHECK(queue_query(fd, qv, &qq) == 0 && qq.state == SIMGPU_QUEUE_STATE_ACTIVE);
	CHECK(submit_one(fd, qn, 0, 0, &seq) == 0);
	CHECK(wait_seqno(fd, qn, seq) == 0);
	/* A new queue on the unusable VM is allowed; its SUBMITs fail too. */
	CHECK(queue_create_vm(fd, vm, &qv2) == 0);
	CHECK(submit_one(fd, qv2, 0, 0, NULL) == -EIO);
	CHECK(queue_destroy(fd, qv2) == 0);

	CHECK(queue_destroy(fd, qv) == 0);
	CHECK(vm_destroy(fd, vm) == 0);
	/* Gone: a queue can no longer name it. */
	CHECK(queue_create_vm(fd, vm, &qv) == -ENOENT);
	CHECK(dev_tables_live() == before);
	CHECK(queue_destroy(fd, qn) == 0);

	/* Closing the file with a queue still on its VM frees everything. */
	{
		int f = open_simgpu();
		uint32_t v2, q2;

		CHECK(f >= 0);
		CHECK(vm_create(f, 0, 0, &v2) == 0);
		CHECK(queue_create_vm(f, v2, &q2) == 0);
		CHECK(submit_one(f, q2, 10 * MS, 0, NULL) == 0);
		close(f);
	}
	CHECK(dev_tables_live() == before);
	drmSyncobjDestroy(fd, s1);
	bo_close(h);
	return PASS;
}

/* A probe's translation, for comparing two VMs. */
static bool same_translation(uint32_t a, uint32_t b, uint64_t va)
{
	struct drm_simgpu_vm_query qa, qb;

	if (vm_query(fd, a, va, &qa) || vm_query(fd, b, va, &qb))
		return false;
	return qa.mapping == qb.mapping && qa.handle == qb.handle &&
	       qa.bo_offset == qb.bo_offset && qa.page_size == qb.page_size;
}

/*
 * Ops of one batch may always overlap: the batch gives the same page table
 * as its ops bound one call each, sync and async, under every policy.
 */
TEST(test_vm_overlap_batch, "vm-overlap-batch")
{
	enum { NOPS = 9 };
	static const uint32_t policies[] = {
		SIMGPU_VM_PREALLOC_NONE, SIMGPU_VM_PREALLOC_PER_OP,
		SIMGPU_VM_PREALLOC_BATCHED,
	};
	struct drm_simgpu_vm_bind_op ops[NOPS];
	struct drm_simgpu_sync sig = { .flags = SIMGPU_SYNC_SIGNAL };
	uint32_t a = bo(8 * MiB), b = bo(4 * MiB), s1 = syncobj();
	uint32_t batch_vm, single_vm, flags, p, i, mode, combo;
	uint64_t va, seq;

	VM_REQUIRE();
	CHECK(a && b && s1);
	sig.handle = s1;
	ops[0] = op_map(a, 0, VA0, 8 * MiB);			/* base */
	ops[1] = op_map(b, 0, VA0 + 1 * MiB, 2 * MiB);		/* remap inside */
	ops[2] = op_unmap(VA0 + 2 * MiB, 64 * KiB);		/* hole in op 1 */
	ops[3] = op_null(VA0 + 2 * MiB + 32 * KiB, 1 * MiB);	/* across the hole */
	ops[4] = op_map(a, 4 * MiB, VA0 + 4 * MiB, 4 * MiB);	/* same as op 0 */
	ops[5] = op_unmap(VA0 + 6 * MiB - 4 * KiB, 8 * KiB);	/* splits a 2 MiB block */
	ops[6] = op_map(b, 2 * MiB, VA0 + 7 * MiB, 2 * MiB);	/* past op 0's end */
	ops[7] = op_unmap(VA0 + 1 * MiB, 4 * KiB);		/* trims op 1 */
	ops[8] = op_map(a, 0, VA0 + 3 * MiB, 4 * KiB);		/* into op 3 */

	/* Every combination: huge (bit 0), async (bit 1), policy (combo / 4). */
	for (combo = 0; combo < 12; combo++) {
		flags = combo & 1;
		mode = (combo >> 1) & 1;
		p = combo / 4;
		CHECK(vm_create(fd, flags, policies[p], &batch_vm) == 0);
		CHECK(vm_create(fd, flags, policies[p], &single_vm) == 0);
		if (mode) {
			CHECK(vm_bind_seq(fd, batch_vm, ops, NOPS, &sig, 1,
					  SIMGPU_VM_BIND_ASYNC, &seq) == 0);
			CHECK(wait_syncobj(s1) == 0);
		} else {
			CHECK(vm_bind(fd, batch_vm, ops, NOPS) == 0);
		}
		for (i = 0; i < NOPS; i++)
			CHECK(vm_bind(fd, single_vm, &ops[i], 1) == 0);
		CHECK(vm_mappings(batch_vm) == vm_mappings(single_vm));
		for (va = VA0 - 64 * KiB; va < VA0 + 10 * MiB; va += 4 * KiB)
			if (!same_translation(batch_vm, single_vm, va))
				return why(FAIL, "huge %u, policy %u, %s: va %#llx differs",
					   flags, policies[p], mode ? "async" : "sync",
					   (unsigned long long)va);
		/* Spot checks that the ops really overlapped. */
		CHECK(MAPS_BO(batch_vm, VA0, a, 0, 0));
		CHECK(UNMAPPED(batch_vm, VA0 + 1 * MiB));
		CHECK(MAPS_BO(batch_vm, VA0 + 1 * MiB + 4 * KiB, b, 4 * KiB, 4 * KiB));
		CHECK(MAPS_NULL(batch_vm, VA0 + 2 * MiB + 32 * KiB));
		CHECK(UNMAPPED(batch_vm, VA0 + 2 * MiB));
		CHECK(MAPS_BO(batch_vm, VA0 + 3 * MiB, a, 0, 4 * KiB));
		CHECK(UNMAPPED(batch_vm, VA0 + 6 * MiB));
		CHECK(MAPS_BO(batch_vm, VA0 + 8 * MiB, b, 3 * MiB, 0));
		CHECK(vm_destroy(fd, batch_vm) == 0);
		CHECK(vm_destroy(fd, single_vm) == 0);
	}
	drmSyncobjDestroy(fd, s1);
	bo_close(a);
	bo_close(b);
	return PASS;
}

/*
 * A blocking asynchronous bind waiting on the throttling cap is
 * interruptible: a signal without SA_RESTART makes VM_BIND fail with
 * EINTR, with no seqno, no bind counted, no page reserved, the VM usable,
 * and every table freed at VM_DESTROY.
 */
TEST(test_vm_throttle_interrupted, "vm-throttle-interrupted")
{
	uint64_t before = dev_tables_live(), seq, jseq, t_fire = 0;
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct itimerval it = { .it_value = { .tv_usec = 300000 } };
	struct drm_simgpu_vm_query q0, q1;
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_sync w = { .flags = SIMGPU_SYNC_WAIT };
	struct drm_simgpu_job_record jr;
	struct drm_simgpu_vm_bind b;
	uint32_t vm, qid, h = bo(64 * KiB), s1 = syncobj();
	int ret, err;

	VM_REQUIRE();
	CHECK(h && s1);
	if (set_knob(INFLIGHT_KNOB, 4))
		return why(SKIP, "cannot write %s (not root?)", INFLIGHT_KNOB);
	CHECK(queue_create(fd, 0, 1, 0, 0, &qid) == 0);
	CHECK(vm_create(fd, 0, SIMGPU_VM_PREALLOC_PER_OP, &vm) == 0);
	/* Holds the first bind back far longer than the timer. */
	CHECK(submit_one(fd, qid, 3000 * MS, s1, &jseq) == 0);
	w.handle = s1;
	op = op_map(h, 0, VA0, 4 * KiB);	/* 3 pages in flight, cap 4 */
	ret = vm_bind_seq(fd, vm, &op, 1, &w, 1, SIMGPU_VM_BIND_ASYNC, &seq);
	if (!ret)
		ret = vm_query(fd, vm, 0, &q0);

	/* Not drmIoctl(): it restarts on EINTR. */
	op = op_map(h, 0, VA0 + 1 * GiB, 4 * KiB);	/* 3 more: over the cap */
	b = (struct drm_simgpu_vm_bind){
		.vm_id = vm, .flags = SIMGPU_VM_BIND_ASYNC, .op_count = 1,
		.op_stride = sizeof(op), .ops = (uintptr_t)&op,
	};
	err = 0;
	if (!ret) {
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = 0;	/* no SA_RESTART */
		sigaction(SIGALRM, &sa, &old);
		t_fire = now_ns() + 300 * MS;
		setitimer(ITIMER_REAL, &it, NULL);
		err = ioctl(fd, DRM_IOCTL_SIMGPU_VM_BIND, &b) ? errno : 0;
		memset(&it, 0, sizeof(it));
		setitimer(ITIMER_REAL, &it, NULL);
		sigaction(SIGALRM, &old, NULL);
	}
	set_knob(INFLIGHT_KNOB, 65536);
	CHECK(ret == 0);
	CHECK(job_query(fd, qid, jseq, 1, &jr) == 0);
	/* Only a hold that ended before the timer fired excuses a non-EINTR. */
	if (err != EINTR && jr.status == SIMGPU_JOB_STATUS_DONE && jr.signal_ns < t_fire)
		return why(SKIP, "the 3 s job finished before the 300 ms timer: guest too slow");
	if (err != EINTR)
		return why(FAIL, "blocked VM_BIND returned %s, want EINTR",
			   err ? strerror(err) : "success");
	CHECK(b.seqno == 0);
	/* No state change: same counters, no mapping, nothing reserved. */
	CHECK(vm_query(fd, vm, VA0 + 1 * GiB, &q1) == 0);
	CHECK(q1.mapping == SIMGPU_VM_MAPPING_NONE);
	CHECK(q1.binds == q0.binds && q1.last_bind_seqno == q0.last_bind_seqno);
	CHECK(q1.tables_preallocated == q0.tables_preallocated);
	CHECK(q1.tables_allocated_late == q0.tables_allocated_late && !q1.unusable);
	/* The VM still binds once the first bind ran. */
	CHECK(vm_bind_seq(fd, vm, &op, 1, NULL, 0, 0, &seq) == 0 && seq == 2);
	CHECK(MAPS_BO(vm, VA0, h, 0, 4 * KiB) && MAPS_BO(vm, VA0 + 1 * GiB, h, 0, 4 * KiB));
	CHECK(vm_destroy(fd, vm) == 0);
	CHECK(dev_tables_live() == before);
	CHECK(queue_destroy(fd, qid) == 0);
	drmSyncobjDestroy(fd, s1);
	bo_close(h);
	return PASS;
}

/*
 * K2: MAP_NULL on a VM without 2 MiB blocks takes one page-table page per
 * 2 MiB of VA; without a cap a client could make the kernel allocate most
 * of its memory (13 binds of 64 GiB took 1667 MiB of a 2 GiB guest). The
 * default caps (vm_max_pt_pages, 32768 pages; vm_max_pt_pages_total, an
 * eighth of RAM, 30785 pages in a 1 GiB 6.12 guest: vm-pt-cap-device)
 * refuse 80 GiB before allocating anything, take 16 GiB, and refuse 64 GiB
 * more with the VM still usable.
 */
TEST(test_vm_pt_cap, "vm-pt-cap")
{
	struct drm_simgpu_vm_bind_op op = op_null(VA0, 80 * GiB);
	struct drm_simgpu_vm_query q;
	uint64_t before;
	uint32_t vm;
	int ret;

	VM_REQUIRE();
	CHECK(vm_create(fd, 0, SIMGPU_VM_PREALLOC_BATCHED, &vm) == 0);
	CHECK(vm_query(fd, vm, VA0, &q) == 0);
	before = q.tables_live;
	ret = vm_bind(fd, vm, &op, 1);
	if (!ret) {
		CHECK(vm_query(fd, vm, VA0, &q) == 0);
		CHECK(vm_destroy(fd, vm) == 0);
		return why(FAIL, "an 80 GiB MAP_NULL bind was taken: %llu page-table pages (%llu MiB) in one VM, no cap",
			   (unsigned long long)q.tables_live,
			   (unsigned long long)(q.tables_live * 4096 / MiB));
	}
	CHECK(ret == -ENOSPC);
	CHECK(vm_query(fd, vm, VA0, &q) == 0 && q.tables_live == before);
	op = op_null(VA0, 16 * GiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	op = op_null(VA0 + 16 * GiB, 64 * GiB);
	CHECK(vm_bind(fd, vm, &op, 1) == -ENOSPC);
	op = op_unmap(VA0, 16 * GiB);
	CHECK(vm_bind(fd, vm, &op, 1) == 0);
	CHECK(vm_destroy(fd, vm) == 0);
	return PASS;
}

/* One VM of vm-pt-cap-device, and the VA its next bind goes to. */
struct pt_vm {
	int f;
	uint32_t id;
	uint64_t va;
};

static int pt_vm_bind(struct pt_vm *v, uint64_t size)
{
	struct drm_simgpu_vm_bind_op op = op_null(v->va, size);
	int ret = vm_bind(v->f, v->id, &op, 1);

	if (!ret)
		v->va += size;
	return ret;
}

static uint64_t pt_vm_tables(struct pt_vm *v)
{
	struct drm_simgpu_vm_query q;

	return vm_query(v->f, v->id, 0, &q) ? ~0ull : q.tables_live;
}

/*
 * A 64 MiB MAP_NULL bind in a VM without 2 MiB blocks reserves 34 pages
 * (a table per level per span) and keeps 32 level-0 tables, plus a level-2
 * and a level-1 table in the first bind of a VM. Four VMs given a bind each
 * in turn hold 4 roots + 4 * 34 + 4 * 32 = 268 pages after eight binds;
 * with the cap 288 pages above what was held before, the ninth is refused
 * with 20 pages free.
 */
#define PT_CAP_STEP (64 * MiB)
#define PT_CAP_ROOM 288

/*
 * vm-pt-cap-device's body: @v are VMs of fd and @f2 in turn, @base the
 * pages held before they were made, the cap @base + PT_CAP_ROOM.
 */
static enum result pt_cap_device_run(struct pt_vm *v, int f2, uint64_t base)
{
	uint64_t cap = base + PT_CAP_ROOM, held, before;
	struct drm_simgpu_vm_query q;
	int i, n, ret = 0;

	for (n = 0; n < 64; n++) {
		ret = pt_vm_bind(&v[n % 4], PT_CAP_STEP);
		if (ret)
			break;
	}
	held = dev_tables_live();
	if (!ret)
		return why(FAIL, "%d binds of 64 MiB in 4 VMs of 2 files hold %llu page-table pages, vm_max_pt_pages_total %llu: no device-wide cap",
			   n, (unsigned long long)(held - base),
			   (unsigned long long)PT_CAP_ROOM);
	/* The per-VM cap's errno; every VM had binds, none is near its cap. */
	CHECK(ret == -ENOSPC);
	CHECK(n >= 4 && held <= cap);
	/* Refused in every VM of both files, with nothing changed. */
	for (i = 0; i < 4; i++) {
		before = pt_vm_tables(&v[i]);
		CHECK(pt_vm_bind(&v[i], PT_CAP_STEP) == -ENOSPC);
		CHECK(vm_query(v[i].f, v[i].id, v[i].va, &q) == 0);
		CHECK(q.mapping == SIMGPU_VM_MAPPING_NONE && q.tables_live == before);
	}
	CHECK(dev_tables_live() == held);

	/* Under the cap, binds still work: 4 KiB reserves 3 pages. */
	CHECK(cap - held >= 3);
	CHECK(pt_vm_bind(&v[(n + 1) % 4], 4 * KiB) == 0);
	v[(n + 1) % 4].va += PT_CAP_STEP - 4 * KiB;

	/* VM_DESTROY gives the room back: the other file's VMs bind. */
	held = dev_tables_live();
	before = pt_vm_tables(&v[0]);
	CHECK(vm_destroy(v[0].f, v[0].id) == 0);
	v[0].f = -1;
	CHECK(dev_tables_live() == held - before);
	CHECK(pt_vm_bind(&v[1], PT_CAP_STEP) == 0);

	/* So does close: its VMs go with the file. */
	close(f2);
	CHECK(dev_tables_live() == base + pt_vm_tables(&v[2]));
	CHECK(pt_vm_bind(&v[2], PT_CAP_STEP) == 0);
	CHECK(pt_vm_bind(&v[2], PT_CAP_STEP) == 0);
	return PASS;
}

/*
 * K2, device-wide: vm_max_pt_pages bounds one VM, but a file holds
 * SIMGPU_MAX_VMS VMs and a client opens any number of files. With
 * vm_max_pt_pages_total lowered, binds in turn in two VMs of each of two
 * files are refused with -ENOSPC once the next would pass it, in every
 * VM, changing nothing; a bind that fits still works; VM_DESTROY and close
 * give the room back. The knob is restored whatever happens.
 */
TEST(test_vm_pt_cap_device, "vm-pt-cap-device")
{
	long old = read_knob(PT_TOTAL_KNOB);
	struct pt_vm v[4];
	uint64_t base;
	enum result r;
	int f2, i;

	VM_REQUIRE();
	if (old < 0 && read_knob(PT_VM_KNOB) >= 0)
		return why(FAIL, "no %s: no device-wide page-table cap", PT_TOTAL_KNOB);
	if (old < 0)
		return why(SKIP, "cannot read %s", PT_TOTAL_KNOB);
	base = dev_tables_live();
	CHECK(base != ~0ull);
	f2 = open_simgpu();
	CHECK(f2 >= 0);
	for (i = 0; i < 4; i++) {
		/* fd, f2, fd, f2: every other bind in the other file. */
		v[i] = (struct pt_vm){ .f = i & 1 ? f2 : fd, .va = VA0 };
		CHECK(vm_create(v[i].f, 0, SIMGPU_VM_PREALLOC_BATCHED, &v[i].id) == 0);
	}
	if (set_knob(PT_TOTAL_KNOB, base + PT_CAP_ROOM)) {
		close(f2);
		return why(SKIP, "cannot write %s (not root?)", PT_TOTAL_KNOB);
	}
	/* The run closes f2; fd's VMs are left. */
	r = pt_cap_device_run(v, f2, base);
	set_knob(PT_TOTAL_KNOB, old);
	if (r != PASS)
		return r;
	for (i = 0; i < 4; i += 2)
		if (v[i].f >= 0)
			CHECK(vm_destroy(fd, v[i].id) == 0);
	CHECK(dev_tables_live() == base);
	return why(PASS, "vm_max_pt_pages_total was %ld pages (%ld MiB)", old,
		   old / (long)(MiB / 4096));
}
