// SPDX-License-Identifier: GPL-2.0
/*
 * simgpu: a virtual render-only DRM device built on the real DRM core, so
 * drmbench can measure the kernel's submission and fence paths on any
 * kernel without a GPU.
 */

/**
 * DOC: Overview
 *
 * simgpu exposes a render node whose "GPU" is a set of fake engines
 * (module parameter ``engines``). Everything around the engines is the real
 * DRM core: GEM shmem buffer objects, DRM syncobjs (binary and timeline),
 * sync_files, dma_resv implicit synchronisation and one drm_gpu_scheduler per
 * engine.
 *
 * Userspace creates queues (QUEUE_CREATE): a queue is a scheduler entity on
 * one engine's scheduler, its priority selecting the run queue. A queue may
 * instead own a scheduler (SIMGPU_QUEUE_CREATE_OWN_SCHED), the 1:1
 * entity:scheduler model of firmware-scheduled GPUs, with its own credit
 * limit, timeout and submit workqueue.
 *
 * SUBMIT queues a batch of jobs. A job has a duration; once its dependencies
 * (syncobj waits, an in-fence, its BOs' reservation objects) have signalled,
 * the scheduler calls run_job, which hands it to the engine. The engine runs
 * jobs one at a time in hand-over order and signals each job's hardware fence
 * from an hrtimer in hard-irq context when its duration is over, the way an
 * interrupt handler would; a zero-duration job on an idle engine completes
 * inside run_job. A job that runs longer than the scheduler's timeout goes
 * through the scheduler's timeout handling: its fences signal -ETIMEDOUT and
 * its queue turns to the timed-out state, which QUEUE_QUERY reports.
 *
 * Every job leaves a record in its queue's ring (JOB_QUERY) with the
 * CLOCK_MONOTONIC times at which the ioctl entered the driver, run_job was
 * called, the engine started and finished it, and its hardware fence
 * signalled: the stages of submission latency.
 *
 * User queues (USERQ_CREATE) are the other submission model: userspace
 * writes job descriptors into a ring mapped from the DRM fd and rings a
 * doorbell; a firmware thread per queue takes them without any ioctl and
 * writes completion values into sync objects in a BO, which userspace
 * waits on by spinning, by USERQ_WAIT or through an eventfd. Bridges turn
 * those values into DRM syncobj fences and back, so both models can depend
 * on each other.
 *
 * Test-only module parameters inject a busy-wait delay into exactly one of
 * those paths, so that a regression pipeline can be checked against a known
 * slowdown; DEV_QUERY reports an active injection.
 *
 * Files: this one (device, ioctl table, DEV_QUERY, parameters),
 * simgpu_gem.c (BOs), simgpu_sched.c (engines and schedulers),
 * simgpu_submit.c (queues, SUBMIT, JOB_QUERY), simgpu_syncobj.c (the
 * syncobj waits and signals of SUBMIT and VM_BIND jobs), simgpu_records.c
 * (the record rings JOB_QUERY, VM_BIND_QUERY and USERQ_QUERY read),
 * simgpu_vm.c (GPU VA spaces on drm_gpuvm, VM_BIND), simgpu_pgtable.c
 * (their page-table format), simgpu_userq.c (user-mode submission queues
 * and their firmware model), simgpu_debugfs.c (what only the tests read
 * and set), simgpu_compat.h (the only place kernel versions differ).
 * docs/simgpu.md documents the ABI.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_ioctl.h>

#include "simgpu_drv.h"

#define DRIVER_NAME	"simgpu"
#define DRIVER_DESC	"Virtual GPU for DRM submission benchmarks"

static uint engines = 2;
module_param(engines, uint, 0444);
MODULE_PARM_DESC(engines, "Number of fake engines, 1..16 (default 2)");

static uint credit_limit = 64;
module_param(credit_limit, uint, 0444);
MODULE_PARM_DESC(credit_limit, "Scheduler credit limit: jobs on an engine, 1..1024 (default 64)");

static uint job_timeout_ms = 2000;
module_param(job_timeout_ms, uint, 0444);
MODULE_PARM_DESC(job_timeout_ms, "Scheduler job timeout in ms, 1..600000 (default 2000)");

static uint num_rqs = DRM_SCHED_PRIORITY_COUNT;
module_param(num_rqs, uint, 0444);
MODULE_PARM_DESC(num_rqs, "Scheduler run queues, 1..DRM_SCHED_PRIORITY_COUNT, where the kernel lets it be chosen (default all)");

static char *submit_wq = "default";
module_param(submit_wq, charp, 0444);
MODULE_PARM_DESC(submit_wq, "Engine schedulers' submit workqueue: default, per-sched, shared, shared-highpri (kernels with a scheduler kthread: default, kthread)");

static char *inject_path = "none";
module_param(inject_path, charp, 0444);
MODULE_PARM_DESC(inject_path, "TEST ONLY: path to delay: none, ioctl, run_job, fence_signal, syncobj_signal, vm_bind, pt_alloc, fw_poll, fw_kick");

static ulong inject_delay_ns;
module_param(inject_delay_ns, ulong, 0444);
MODULE_PARM_DESC(inject_delay_ns, "TEST ONLY: busy-wait this long in inject_path, up to 10000000");

static char *vm_prealloc = "batched";
module_param(vm_prealloc, charp, 0444);
MODULE_PARM_DESC(vm_prealloc, "Default page-table preallocation of VMs: none, per-op, batched (default batched)");


uint simgpu_userq_max_total = 64;
module_param_named(userq_max_total, simgpu_userq_max_total, uint, 0644);
MODULE_PARM_DESC(userq_max_total, "Writable: user queues (one firmware kthread each) of all files together (default 64)");

uint simgpu_own_sched_max_total = 256;
module_param_named(own_sched_max_total, simgpu_own_sched_max_total, uint, 0644);
MODULE_PARM_DESC(own_sched_max_total, "Writable: OWN_SCHED queues (one drm_gpu_scheduler and workqueue each) of all files together (default 256)");

ulong simgpu_vm_max_pt_pages = 32768;
module_param_named(vm_max_pt_pages, simgpu_vm_max_pt_pages, ulong, 0644);
MODULE_PARM_DESC(vm_max_pt_pages, "Writable: page-table pages a VM may hold, tables and reserved pages together; a bind that needs more fails (default 32768: 128 MiB)");

/* 0 at load: derived from the machine's memory (simgpu_params_parse()). */
ulong simgpu_vm_max_pt_pages_total;
module_param_named(vm_max_pt_pages_total, simgpu_vm_max_pt_pages_total, ulong, 0644);
MODULE_PARM_DESC(vm_max_pt_pages_total, "Writable: page-table pages all VMs of all files may hold together, tables and reserved pages; a bind that needs more fails like one past vm_max_pt_pages (0 at load: an eighth of RAM, read back as such; 0 written later refuses every page-table page)");

/*
 * vm_max_pt_pages_total when not set at load: an eighth of RAM. Page-table
 * pages cannot be reclaimed (no shrinker), and memcg charging bounds them
 * only where a memory limit is set, which a desktop session or a CI guest
 * has not. The kernel bounds other unreclaimable objects a user can make
 * the same way, by a share of RAM (epoll watches: 4% per user); one cap for
 * every user of the device together can afford a larger share. An eighth
 * leaves seven eighths to the rest of the machine, and still lets one VM
 * come near its own 128 MiB cap on a 1 GiB test guest, and sixteen VMs
 * reach theirs on a 16 GiB machine.
 */
#define SIMGPU_PT_PAGES_RAM_SHARE	8

ulong simgpu_vm_max_inflight_pages = 65536;
module_param_named(vm_max_inflight_pages, simgpu_vm_max_inflight_pages, ulong, 0644);
MODULE_PARM_DESC(vm_max_inflight_pages, "Writable: page-table pages the queued asynchronous binds of a VM may hold reserved before more block (or get -EAGAIN); 0 counts as 1 (default 65536)");

static char *userq_fw_policy = "poll";
module_param(userq_fw_policy, charp, 0444);
MODULE_PARM_DESC(userq_fw_policy, "Default firmware policy of user queues: busy, poll, sleep (default poll)");

static uint userq_poll_interval_us = 100;
module_param(userq_poll_interval_us, uint, 0444);
MODULE_PARM_DESC(userq_poll_interval_us, "Default doorbell poll interval of poll-policy user queues in us, 1..1000000 (default 100)");

static uint userq_idle_timeout_us = 100000;
module_param(userq_idle_timeout_us, uint, 0444);
MODULE_PARM_DESC(userq_idle_timeout_us, "Default time without work before a user queue goes inactive, in us, >= 1 (default 100000)");

module_param_named(userq_stall_timeout_ms, simgpu_userq_stall_timeout_ms, uint, 0644);
MODULE_PARM_DESC(userq_stall_timeout_ms, "Writable: a user queue blocked on a wait, or with a bridge pending, this long is faulted (STALLED): the liveness backstop of bridge fences; 0 counts as 1 (default 10000)");

static bool test_warn_on_load;
module_param(test_warn_on_load, bool, 0444);
MODULE_PARM_DESC(test_warn_on_load, "TEST ONLY: WARN once at load, to prove a test runner catches kernel warnings");

struct simgpu_params simgpu_params;

static const char * const simgpu_submit_wq_names[] = {
	[SIMGPU_SUBMIT_WQ_DEFAULT] = "default",
	[SIMGPU_SUBMIT_WQ_PER_SCHED] = "per-sched",
	[SIMGPU_SUBMIT_WQ_SHARED] = "shared",
	[SIMGPU_SUBMIT_WQ_SHARED_HIGHPRI] = "shared-highpri",
	[SIMGPU_SUBMIT_WQ_KTHREAD] = "kthread",
};

static const char * const simgpu_inject_names[] = SIMGPU_INJECT_PATH_NAMES;

static const char * const simgpu_userq_fw_names[] = {
	[SIMGPU_USERQ_FW_DEFAULT] = "default",
	[SIMGPU_USERQ_FW_BUSY] = "busy",
	[SIMGPU_USERQ_FW_POLL] = "poll",
	[SIMGPU_USERQ_FW_SLEEP] = "sleep",
};

void simgpu_inject_spin(void)
{
	u64 end = ktime_get_ns() + simgpu_params.inject_delay_ns;

	while (ktime_get_ns() < end)
		cpu_relax();
}

static int simgpu_params_parse(void)
{
	struct simgpu_params *p = &simgpu_params;
	int i;

	if (!engines || engines > SIMGPU_MAX_ENGINES) {
		pr_err("engines=%u: must be 1..%u\n", engines,
		       SIMGPU_MAX_ENGINES);
		return -EINVAL;
	}
	p->engines = engines;

	if (!credit_limit || credit_limit > SIMGPU_MAX_CREDIT_LIMIT) {
		pr_err("credit_limit=%u: must be 1..%u\n", credit_limit,
		       SIMGPU_MAX_CREDIT_LIMIT);
		return -EINVAL;
	}
	p->credit_limit = credit_limit;

	if (!job_timeout_ms ||
	    (u64)job_timeout_ms * NSEC_PER_MSEC > SIMGPU_MAX_TIMEOUT_NS) {
		pr_err("job_timeout_ms=%u: must be 1..%llu\n",
		       job_timeout_ms, SIMGPU_MAX_TIMEOUT_NS / NSEC_PER_MSEC);
		return -EINVAL;
	}
	p->job_timeout_ns = (u64)job_timeout_ms * NSEC_PER_MSEC;

	if (!num_rqs || num_rqs > DRM_SCHED_PRIORITY_COUNT ||
	    (!SIMGPU_HAS_NUM_RQS_CHOICE && num_rqs != DRM_SCHED_PRIORITY_COUNT)) {
		pr_err("num_rqs=%u: must be %s%u on this kernel\n",
		       num_rqs, SIMGPU_HAS_NUM_RQS_CHOICE ? "1.." : "",
		       DRM_SCHED_PRIORITY_COUNT);
		return -EINVAL;
	}
	p->num_rqs = num_rqs;

	i = match_string(simgpu_submit_wq_names,
			 ARRAY_SIZE(simgpu_submit_wq_names), submit_wq);
	if (i == SIMGPU_SUBMIT_WQ_DEFAULT)
		i = SIMGPU_HAS_SUBMIT_WQ ? SIMGPU_SUBMIT_WQ_PER_SCHED :
						  SIMGPU_SUBMIT_WQ_KTHREAD;
	if (i < 0 || (SIMGPU_HAS_SUBMIT_WQ ? i == SIMGPU_SUBMIT_WQ_KTHREAD :
						   i != SIMGPU_SUBMIT_WQ_KTHREAD)) {
		pr_err("submit_wq=%s: unknown, or not supported by this kernel's scheduler\n",
		       submit_wq);
		return -EINVAL;
	}
	p->submit_wq = i;

	i = simgpu_vm_prealloc_parse(vm_prealloc);
	if (i < 0) {
		pr_err("vm_prealloc=%s: must be none, per-op or batched\n",
		       vm_prealloc);
		return -EINVAL;
	}
	p->vm_prealloc = i;
	if (!simgpu_vm_max_pt_pages_total)
		simgpu_vm_max_pt_pages_total = totalram_pages() /
					       SIMGPU_PT_PAGES_RAM_SHARE;

	i = match_string(simgpu_userq_fw_names,
			 ARRAY_SIZE(simgpu_userq_fw_names), userq_fw_policy);
	if (i <= SIMGPU_USERQ_FW_DEFAULT) {
		pr_err("userq_fw_policy=%s: must be busy, poll or sleep\n",
		       userq_fw_policy);
		return -EINVAL;
	}
	p->userq_fw_policy = i;
	if (!userq_poll_interval_us || userq_poll_interval_us > 1000000) {
		pr_err("userq_poll_interval_us=%u: must be 1..1000000\n",
		       userq_poll_interval_us);
		return -EINVAL;
	}
	p->userq_poll_interval_us = userq_poll_interval_us;
	if (!userq_idle_timeout_us) {
		pr_err("userq_idle_timeout_us=0: must be >= 1\n");
		return -EINVAL;
	}
	p->userq_idle_timeout_us = userq_idle_timeout_us;

	i = match_string(simgpu_inject_names, ARRAY_SIZE(simgpu_inject_names),
			 inject_path);
	if (i < 0) {
		pr_err("inject_path=%s: unknown\n", inject_path);
		return -EINVAL;
	}
	if (inject_delay_ns > SIMGPU_MAX_INJECT_DELAY_NS) {
		pr_err("inject_delay_ns=%lu: at most %llu\n",
		       inject_delay_ns, SIMGPU_MAX_INJECT_DELAY_NS);
		return -EINVAL;
	}
	p->inject_delay_ns = inject_delay_ns;
	/* Only set the path once the delay is known: it arms the hot paths. */
	p->inject_path = inject_delay_ns ? i : SIMGPU_INJECT_NONE;
	if (p->inject_path)
		pr_warn("TEST ONLY delay injection: %lu ns in %s\n",
			inject_delay_ns, simgpu_inject_names[i]);

	return 0;
}

static u64 simgpu_features(void)
{
	u64 f = SIMGPU_FEATURE_TIMELINE_SYNCOBJ | SIMGPU_FEATURE_QUEUE_OWN_SCHED |
		SIMGPU_FEATURE_USER_QUEUES | simgpu_compat_features();

	if (simgpu_params.inject_path)
		f |= SIMGPU_FEATURE_INJECTION_ACTIVE;
	return f;
}

/*
 * DRM_IOCTL_SIMGPU_DEV_QUERY: what this simgpu on this kernel supports and
 * how it is tuned (struct drm_simgpu_dev_info). With @info 0, only reports
 * the size of the kernel's struct.
 *
 * -EINVAL: non-zero flags
 * -EFAULT
 */
static int simgpu_ioctl_dev_query(struct drm_device *dev, void *data,
				  struct drm_file *file)
{
	struct simgpu_device *sdev = to_simgpu_device(dev);
	struct drm_simgpu_dev_query *args = data;
	const struct drm_simgpu_dev_info info = {
		.uapi_major = SIMGPU_UAPI_MAJOR,
		.uapi_minor = SIMGPU_UAPI_MINOR,
		.features = simgpu_features(),
		.engine_count = sdev->engine_count,
		.num_rqs = simgpu_params.num_rqs,
		.credit_limit = simgpu_params.credit_limit,
		.submit_wq = simgpu_params.submit_wq,
		.job_timeout_ns = simgpu_params.job_timeout_ns,
		.job_ring_size = SIMGPU_JOB_RING_SIZE,
		.max_queues = SIMGPU_MAX_QUEUES,
		.max_jobs_per_submit = SIMGPU_MAX_JOBS_PER_SUBMIT,
		.max_syncs_per_job = SIMGPU_MAX_SYNCS_PER_JOB,
		.max_bos_per_job = SIMGPU_MAX_BOS_PER_JOB,
		.max_credit_limit = SIMGPU_MAX_CREDIT_LIMIT,
		.max_job_duration_ns = SIMGPU_MAX_JOB_DURATION_NS,
		.max_bo_size = SIMGPU_MAX_BO_SIZE,
		.inject_path = simgpu_params.inject_path,
		.inject_delay_ns = simgpu_params.inject_path ?
				   simgpu_params.inject_delay_ns : 0,
		.vm_tables_live = atomic64_read(&sdev->vm_pt_pages),
		.userq_max_queues = SIMGPU_USERQ_MAX_QUEUES,
		.userq_max_ring_size = SIMGPU_USERQ_MAX_RING_SIZE,
		.userq_record_ring_size = SIMGPU_USERQ_RECORD_RING_SIZE,
		.userq_fw_policy = simgpu_params.userq_fw_policy,
		.userq_poll_interval_us = simgpu_params.userq_poll_interval_us,
		.userq_idle_timeout_us = simgpu_params.userq_idle_timeout_us,
		.userq_stall_timeout_ms = READ_ONCE(simgpu_userq_stall_timeout_ms),
	};

	if (args->flags)
		return -EINVAL;

	if (args->info &&
	    copy_to_user(u64_to_user_ptr(args->info), &info,
			 min_t(u32, args->size, sizeof(info))))
		return -EFAULT;

	args->size = sizeof(info);
	return 0;
}

static int simgpu_open(struct drm_device *dev, struct drm_file *file)
{
	struct simgpu_file *sfile;

	sfile = kzalloc(sizeof(*sfile), GFP_KERNEL);
	if (!sfile)
		return -ENOMEM;

	sfile->sdev = to_simgpu_device(dev);
	sfile->file = file;
	xa_init_flags(&sfile->queues, XA_FLAGS_ALLOC1);
	xa_init_flags(&sfile->vms, XA_FLAGS_ALLOC1);
	xa_init_flags(&sfile->userqs, XA_FLAGS_ALLOC1);
	file->driver_priv = sfile;
	atomic_inc(&sfile->sdev->files_live);
	return 0;
}

/* Jobs still queued are cancelled; jobs on an engine finish on their own. */
static void simgpu_postclose(struct drm_device *dev, struct drm_file *file)
{
	struct simgpu_file *sfile = file->driver_priv;

	simgpu_userqs_destroy(sfile);
	simgpu_queues_destroy(sfile);
	simgpu_vms_destroy(sfile);
	atomic_dec(&sfile->sdev->files_live);
	kfree(sfile);
}

static const struct drm_ioctl_desc simgpu_ioctls[] = {
	DRM_IOCTL_DEF_DRV(SIMGPU_DEV_QUERY, simgpu_ioctl_dev_query, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SIMGPU_BO_CREATE, simgpu_ioctl_bo_create, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SIMGPU_BO_MMAP_OFFSET, simgpu_ioctl_bo_mmap_offset, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SIMGPU_QUEUE_CREATE, simgpu_ioctl_queue_create, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SIMGPU_QUEUE_DESTROY, simgpu_ioctl_queue_destroy, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SIMGPU_QUEUE_QUERY, simgpu_ioctl_queue_query, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SIMGPU_SUBMIT, simgpu_ioctl_submit, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SIMGPU_JOB_QUERY, simgpu_ioctl_job_query, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SIMGPU_VM_CREATE, simgpu_ioctl_vm_create, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SIMGPU_VM_DESTROY, simgpu_ioctl_vm_destroy, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SIMGPU_VM_BIND, simgpu_ioctl_vm_bind, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SIMGPU_VM_QUERY, simgpu_ioctl_vm_query, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SIMGPU_VM_BIND_QUERY, simgpu_ioctl_vm_bind_query, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SIMGPU_USERQ_CREATE, simgpu_ioctl_userq_create, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SIMGPU_USERQ_DESTROY, simgpu_ioctl_userq_destroy, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SIMGPU_USERQ_KICK, simgpu_ioctl_userq_kick, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SIMGPU_USERQ_WAIT, simgpu_ioctl_userq_wait, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SIMGPU_USERQ_QUERY, simgpu_ioctl_userq_query, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SIMGPU_USERQ_BRIDGE, simgpu_ioctl_userq_bridge, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SIMGPU_USERQ_SYNC_UPDATE, simgpu_ioctl_userq_sync_update, DRM_RENDER_ALLOW),
};

/* User-queue pages live above the GEM offsets; the rest is GEM's. */
static int simgpu_mmap(struct file *filp, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff >= SIMGPU_USERQ_MMAP_OFFSET >> PAGE_SHIFT)
		return simgpu_userq_mmap(filp, vma);
	return drm_gem_mmap(filp, vma);
}

static const struct file_operations simgpu_fops = {
	.owner = THIS_MODULE,
	.open = drm_open,
	.release = drm_release,
	.unlocked_ioctl = drm_ioctl,
	.compat_ioctl = drm_compat_ioctl,
	.poll = drm_poll,
	.read = drm_read,
	.llseek = noop_llseek,
	.mmap = simgpu_mmap,
	.show_fdinfo = simgpu_show_fdinfo,
	SIMGPU_FOPS_GET_UNMAPPED_AREA
	SIMGPU_FOPS_UNSIGNED_OFFSET
};

static const struct drm_driver simgpu_driver = {
	.driver_features = DRIVER_GEM | DRIVER_RENDER | DRIVER_SYNCOBJ |
			   DRIVER_SYNCOBJ_TIMELINE | SIMGPU_DRIVER_GEM_GPUVA,
	.open = simgpu_open,
	.postclose = simgpu_postclose,
	.ioctls = simgpu_ioctls,
	.num_ioctls = ARRAY_SIZE(simgpu_ioctls),
	.fops = &simgpu_fops,
	DRM_GEM_SHMEM_DRIVER_OPS,
	.name = DRIVER_NAME,
	.desc = DRIVER_DESC,
	SIMGPU_DRIVER_DATE("20261121")
	.major = SIMGPU_UAPI_MAJOR,
	.minor = SIMGPU_UAPI_MINOR,
};

static struct simgpu_device *simgpu_device;

static int simgpu_workqueues_init(struct simgpu_device *sdev)
{
	if (!SIMGPU_HAS_SUBMIT_WQ)
		return 0;

	/* drm_sched wants a reclaim-safe workqueue for its run/free work. */
	sdev->shared_wq = alloc_ordered_workqueue("simgpu-submit",
						  WQ_MEM_RECLAIM);
	sdev->shared_highpri_wq = alloc_ordered_workqueue("simgpu-submit-hi",
							  WQ_MEM_RECLAIM |
							  WQ_HIGHPRI);
	if (!sdev->shared_wq || !sdev->shared_highpri_wq)
		return -ENOMEM;
	return 0;
}

static void simgpu_workqueues_fini(struct simgpu_device *sdev)
{
	if (sdev->shared_wq)
		destroy_workqueue(sdev->shared_wq);
	if (sdev->shared_highpri_wq)
		destroy_workqueue(sdev->shared_highpri_wq);
}

static int __init simgpu_init(void)
{
	struct simgpu_device *sdev;
	struct device *parent;
	int ret;

	ret = simgpu_params_parse();
	if (ret)
		return ret;

	WARN_ONCE(test_warn_on_load,
		  "simgpu: test_warn_on_load=1: warning on purpose\n");

	parent = simgpu_parent_create(DRIVER_NAME);
	if (IS_ERR(parent))
		return PTR_ERR(parent);

	if (!devres_open_group(parent, NULL, GFP_KERNEL)) {
		ret = -ENOMEM;
		goto err_parent;
	}

	sdev = devm_drm_dev_alloc(parent, &simgpu_driver, struct simgpu_device,
				  drm);
	if (IS_ERR(sdev)) {
		ret = PTR_ERR(sdev);
		goto err_devres;
	}
	sdev->parent = parent;
	sdev->engine_count = simgpu_params.engines;

	ret = simgpu_workqueues_init(sdev);
	if (ret)
		goto err_wq;

	ret = simgpu_engines_init(sdev);
	if (ret)
		goto err_wq;

	ret = simgpu_vm_init(sdev);
	if (ret)
		goto err_engines;

	ret = simgpu_userq_init(sdev);
	if (ret)
		goto err_vm;

	ret = drm_dev_register(&sdev->drm, 0);
	if (ret)
		goto err_userq;

	simgpu_debugfs_init(sdev);
	simgpu_device = sdev;
	return 0;

err_userq:
	simgpu_userq_fini(sdev);
err_vm:
	simgpu_vm_fini(sdev);
err_engines:
	simgpu_engines_fini(sdev);
err_wq:
	simgpu_workqueues_fini(sdev);
err_devres:
	devres_release_group(parent, NULL);
err_parent:
	simgpu_parent_destroy(parent);
	return ret;
}

/*
 * No file is open (the fops hold the module), so no queue exists, and no
 * fence of ours exists (each holds the module), so no job.
 */
static void __exit simgpu_exit(void)
{
	struct simgpu_device *sdev = simgpu_device;
	struct device *parent = sdev->parent;

	simgpu_debugfs_fini(sdev);
	drm_dev_unregister(&sdev->drm);
	simgpu_userq_fini(sdev);
	simgpu_vm_fini(sdev);
	simgpu_engines_fini(sdev);
	simgpu_workqueues_fini(sdev);
	devres_release_group(parent, NULL);
	simgpu_parent_destroy(parent);
	/* The last fences' frees may still be running their RCU callbacks. */
	rcu_barrier();
}

module_init(simgpu_init);
module_exit(simgpu_exit);

MODULE_DESCRIPTION(DRIVER_DESC);
MODULE_LICENSE("GPL");
