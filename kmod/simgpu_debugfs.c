// SPDX-License-Identifier: GPL-2.0
/*
 * simgpu's debugfs directory, /sys/kernel/debug/simgpu/: what the module's
 * tests read and set, and nothing a benchmark depends on.
 *
 * live: "name count" lines of the objects simgpu holds (open files, queues,
 * VMs, user queues, own schedulers, page-table pages (tables and pages
 * reserved for binds: what vm_max_pt_pages_total caps), jobs of the shared
 * schedulers and bind jobs). With no file open and every fence freed,
 * every count is 0: the tests check that after each test.
 *
 * test_pt_alloc_fail_after: TEST ONLY, read-write. N > 0 makes the N-th
 * page-table page allocation from now fail, once (0: off).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "simgpu_drv.h"

u32 simgpu_test_pt_alloc_fail_after;

static int simgpu_live_show(struct seq_file *m, void *data)
{
	struct simgpu_device *sdev = m->private;
	int jobs = 0;
	u32 i;

	for (i = 0; i < sdev->engine_count; i++)
		jobs += atomic_read(&sdev->scheds[i].live_jobs);
	seq_printf(m, "files %d\n", atomic_read(&sdev->files_live));
	seq_printf(m, "queues %d\n", atomic_read(&sdev->queues_live));
	seq_printf(m, "jobs %d\n", jobs);
	seq_printf(m, "own_scheds %d\n", atomic_read(&sdev->own_scheds_live));
	seq_printf(m, "vms %d\n", atomic_read(&sdev->vms_live));
	seq_printf(m, "vm_pt_pages %lld\n",
		   (long long)atomic64_read(&sdev->vm_pt_pages));
	seq_printf(m, "bind_jobs %d\n", atomic_read(&sdev->bind_jobs_live));
	seq_printf(m, "userqs %d\n", atomic_read(&sdev->userqs_live));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(simgpu_live);

void simgpu_debugfs_init(struct simgpu_device *sdev)
{
	sdev->debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("live", 0444, sdev->debugfs, sdev,
			    &simgpu_live_fops);
	debugfs_create_u32("test_pt_alloc_fail_after", 0644, sdev->debugfs,
			   &simgpu_test_pt_alloc_fail_after);
}

void simgpu_debugfs_fini(struct simgpu_device *sdev)
{
	debugfs_remove_recursive(sdev->debugfs);
}
