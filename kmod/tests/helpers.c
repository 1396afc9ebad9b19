// SPDX-License-Identifier: MIT
/*
 * helpers.c: see helpers.h. Every wrapper returns 0 or -errno (or a value,
 * 0 meaning failure where said) and never exits.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/sync_file.h>

#include "helpers.h"
#include "simgpu-fuzz.h"

int fd = -1;
struct drm_simgpu_dev_info info;

/* ioctl returning 0 or -errno, restarting on signals. */
int sg_ioctl(int f, unsigned long req, void *arg)
{
	return drmIoctl(f, req, arg) ? -errno : 0;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int queue_create(int f, uint32_t engine, uint32_t prio, uint32_t flags,
			uint64_t timeout_ns, uint32_t *id)
{
	struct drm_simgpu_queue_create c = {
		.engine = engine, .priority = prio, .flags = flags,
		.timeout_ns = timeout_ns,
	};
	int ret = sg_ioctl(f, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &c);

	*id = c.queue_id;
	return ret;
}

int queue_destroy(int f, uint32_t id)
{
	struct drm_simgpu_queue_destroy d = { .queue_id = id };

	return sg_ioctl(f, DRM_IOCTL_SIMGPU_QUEUE_DESTROY, &d);
}

int queue_query(int f, uint32_t id, struct drm_simgpu_queue_query *q)
{
	memset(q, 0, sizeof(*q));
	q->queue_id = id;
	return sg_ioctl(f, DRM_IOCTL_SIMGPU_QUEUE_QUERY, q);
}

int submit(int f, uint32_t queue, struct drm_simgpu_job *jobs,
		  uint32_t n, uint64_t *first)
{
	struct drm_simgpu_submit s = {
		.queue_id = queue, .job_count = n,
		.jobs = (uintptr_t)jobs, .job_stride = sizeof(*jobs),
	};
	int ret = sg_ioctl(f, DRM_IOCTL_SIMGPU_SUBMIT, &s);

	if (first)
		*first = s.first_seqno;
	return ret;
}

/* One job signalling binary syncobj @out (if non-zero). */
int submit_one(int f, uint32_t queue, uint64_t duration_ns,
		      uint32_t out, uint64_t *seqno)
{
	struct drm_simgpu_sync sig = {
		.flags = SIMGPU_SYNC_SIGNAL, .handle = out,
	};
	struct drm_simgpu_job job = {
		.duration_ns = duration_ns,
		.syncs = (uintptr_t)&sig, .sync_count = out ? 1 : 0,
	};

	return submit(f, queue, &job, 1, seqno);
}

int job_query(int f, uint32_t queue, uint64_t seqno, uint32_t count,
		     struct drm_simgpu_job_record *recs)
{
	struct drm_simgpu_job_query q = {
		.queue_id = queue, .count = count, .first_seqno = seqno,
		.records = (uintptr_t)recs, .record_size = sizeof(*recs),
	};

	return sg_ioctl(f, DRM_IOCTL_SIMGPU_JOB_QUERY, &q);
}

int wait_syncobj(uint32_t h)
{
	return drmSyncobjWait(fd, &h, 1, now_ns() + HANG_NS, 0, NULL);
}

int wait_point(uint32_t h, uint64_t point)
{
	return drmSyncobjTimelineWait(fd, &h, &point, 1, now_ns() + HANG_NS,
				      0, NULL);
}

uint32_t syncobj(void)
{
	uint32_t h = 0;

	if (drmSyncobjCreate(fd, 0, &h))
		return 0;
	return h;
}

/* Wait until the queue's jobs up to @seqno have signalled. */
int wait_seqno(int f, uint32_t queue, uint64_t seqno)
{
	struct drm_simgpu_queue_query q;
	uint64_t deadline = now_ns() + HANG_NS;

	do {
		if (queue_query(f, queue, &q))
			return -errno;
		if (q.last_signalled_seqno >= seqno)
			return 0;
		usleep(1000);
	} while (now_ns() < deadline);
	return -ETIMEDOUT;
}

bool record_ordered(const struct drm_simgpu_job_record *r)
{
	return r->ioctl_ns && r->ioctl_ns <= r->run_job_ns &&
	       r->run_job_ns <= r->engine_start_ns &&
	       r->engine_start_ns <= r->engine_end_ns &&
	       r->engine_end_ns <= r->signal_ns;
}

/* SKIP where the kernel has no drm_gpuvm, after checking the ioctls say so. */
enum result vm_unsupported(void)
{
	struct drm_simgpu_vm_create c = { 0 };

	if (sg_ioctl(fd, DRM_IOCTL_SIMGPU_VM_CREATE, &c) != -EOPNOTSUPP)
		return why(FAIL, "VM_BIND feature bit 0 but VM_CREATE did not return -EOPNOTSUPP");
	return why(SKIP, "VM_BIND unsupported on this kernel (no drm_gpuvm): VM_CREATE returns -EOPNOTSUPP");
}

int vm_create(int f, uint32_t flags, uint32_t prealloc, uint32_t *id)
{
	struct drm_simgpu_vm_create c = {
		.flags = flags, .prealloc = prealloc,
		.kernel_va_start = 0, .kernel_va_size = VM_KERNEL_SIZE,
	};
	int ret = sg_ioctl(f, DRM_IOCTL_SIMGPU_VM_CREATE, &c);

	*id = c.vm_id;
	return ret;
}

int vm_destroy(int f, uint32_t id)
{
	struct drm_simgpu_vm_destroy d = { .vm_id = id };

	return sg_ioctl(f, DRM_IOCTL_SIMGPU_VM_DESTROY, &d);
}

int vm_bind(int f, uint32_t id, struct drm_simgpu_vm_bind_op *ops, uint32_t n)
{
	struct drm_simgpu_vm_bind b = {
		.vm_id = id, .op_count = n, .op_stride = sizeof(*ops),
		.ops = (uintptr_t)ops,
	};

	return sg_ioctl(f, DRM_IOCTL_SIMGPU_VM_BIND, &b);
}

int vm_query(int f, uint32_t id, uint64_t va, struct drm_simgpu_vm_query *q)
{
	memset(q, 0, sizeof(*q));
	q->vm_id = id;
	q->va = va;
	return sg_ioctl(f, DRM_IOCTL_SIMGPU_VM_QUERY, q);
}

struct drm_simgpu_vm_bind_op op_map(uint32_t h, uint64_t off, uint64_t va, uint64_t size)
{
	return (struct drm_simgpu_vm_bind_op){
		.op = SIMGPU_VM_BIND_OP_MAP, .handle = h, .bo_offset = off,
		.va = va, .size = size,
	};
}

struct drm_simgpu_vm_bind_op op_null(uint64_t va, uint64_t size)
{
	return (struct drm_simgpu_vm_bind_op){
		.op = SIMGPU_VM_BIND_OP_MAP_NULL, .va = va, .size = size,
	};
}

struct drm_simgpu_vm_bind_op op_unmap(uint64_t va, uint64_t size)
{
	return (struct drm_simgpu_vm_bind_op){
		.op = SIMGPU_VM_BIND_OP_UNMAP, .va = va, .size = size,
	};
}

uint32_t bo(uint64_t size)
{
	struct drm_simgpu_bo_create c = { .size = size };

	return sg_ioctl(fd, DRM_IOCTL_SIMGPU_BO_CREATE, &c) ? 0 : c.handle;
}

void bo_close(uint32_t h)
{
	struct drm_gem_close c = { .handle = h };

	sg_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

/* Does @va translate to (@mapping, @handle, @off) with @page_size leaves? */
bool translates(uint32_t vm, uint64_t va, uint32_t mapping,
		       uint32_t handle, uint64_t off, uint64_t page_size)
{
	struct drm_simgpu_vm_query q;

	if (vm_query(fd, vm, va, &q))
		return false;
	if (q.mapping != mapping) {
		snprintf(harness_reason, sizeof(harness_reason), "va %#llx: mapping %u, want %u",
			 (unsigned long long)va, q.mapping, mapping);
		return false;
	}
	if (mapping == SIMGPU_VM_MAPPING_BO &&
	    (q.handle != handle || q.bo_offset != off))
		return false;
	if (page_size && q.page_size != page_size)
		return false;
	return true;
}

uint64_t vm_mappings(uint32_t vm)
{
	struct drm_simgpu_vm_query q;

	return vm_query(fd, vm, 0, &q) ? ~0ull : q.mappings;
}

uint64_t dev_tables_live(void)
{
	struct drm_simgpu_dev_info i = { 0 };
	struct drm_simgpu_dev_query q = { .size = sizeof(i), .info = (uintptr_t)&i };

	return sg_ioctl(fd, DRM_IOCTL_SIMGPU_DEV_QUERY, &q) ? ~0ull : i.vm_tables_live;
}

int pt_fail_after(int n)
{
	FILE *f = fopen(PT_FAIL_KNOB, "w");
	int ret;

	if (!f)
		return -errno;
	ret = fprintf(f, "%d\n", n) > 0 ? 0 : -EIO;
	return fclose(f) ? -errno : ret;
}

int vm_bind_async(int f, uint32_t id, struct drm_simgpu_vm_bind_op *ops, uint32_t n,
			 struct drm_simgpu_sync *syncs, uint32_t nsyncs, uint32_t flags)
{
	struct drm_simgpu_vm_bind b = {
		.vm_id = id, .flags = SIMGPU_VM_BIND_ASYNC | flags, .op_count = n,
		.op_stride = sizeof(*ops), .ops = (uintptr_t)ops,
		.sync_count = nsyncs, .syncs = (uintptr_t)syncs,
	};

	/* Not drmIoctl(): it retries -EAGAIN, which NONBLOCK returns. */
	if (flags & SIMGPU_VM_BIND_NONBLOCK)
		return ioctl(f, DRM_IOCTL_SIMGPU_VM_BIND, &b) ? -errno : 0;
	return sg_ioctl(f, DRM_IOCTL_SIMGPU_VM_BIND, &b);
}

int set_knob(const char *path, unsigned long v)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -errno;
	ret = fprintf(f, "%lu\n", v) > 0 ? 0 : -EIO;
	return fclose(f) ? -errno : ret;
}

/* A bind (async with @flags & ASYNC) returning its seqno in *@seqno. */
int vm_bind_seq(int f, uint32_t id, struct drm_simgpu_vm_bind_op *ops, uint32_t n,
		       struct drm_simgpu_sync *syncs, uint32_t nsyncs, uint32_t flags,
		       uint64_t *seqno)
{
	struct drm_simgpu_vm_bind b = {
		.vm_id = id, .flags = flags, .op_count = n,
		.op_stride = sizeof(*ops), .ops = (uintptr_t)ops,
		.sync_count = nsyncs, .syncs = (uintptr_t)syncs,
		.seqno = 12345,	/* an output: must not come back */
	};
	int ret = sg_ioctl(f, DRM_IOCTL_SIMGPU_VM_BIND, &b);

	*seqno = b.seqno;
	return ret;
}

int bind_query(int f, uint32_t vm, uint64_t seqno, uint32_t count,
		      struct drm_simgpu_vm_bind_record *recs)
{
	struct drm_simgpu_vm_bind_query q = {
		.vm_id = vm, .count = count, .first_seqno = seqno,
		.records = (uintptr_t)recs, .record_size = sizeof(*recs),
	};

	return sg_ioctl(f, DRM_IOCTL_SIMGPU_VM_BIND_QUERY, &q);
}

bool bind_record_ordered(const struct drm_simgpu_vm_bind_record *r)
{
	return r->status == SIMGPU_JOB_STATUS_DONE && r->ioctl_ns &&
	       r->ioctl_ns <= r->run_ns && r->run_ns <= r->pt_done_ns &&
	       r->pt_done_ns <= r->signal_ns;
}

int queue_create_vm(int f, uint32_t vm, uint32_t *id)
{
	struct drm_simgpu_queue_create c = { .priority = 1, .vm_id = vm };
	int ret = sg_ioctl(f, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &c);

	*id = c.queue_id;
	return ret;
}

int userq_create(int f, struct drm_simgpu_userq_create *c)
{
	return sg_ioctl(f, DRM_IOCTL_SIMGPU_USERQ_CREATE, c);
}

int userq_destroy(int f, uint32_t id)
{
	struct drm_simgpu_userq_destroy d = { .queue_id = id };

	return sg_ioctl(f, DRM_IOCTL_SIMGPU_USERQ_DESTROY, &d);
}

int userq_kick(int f, uint32_t id)
{
	struct drm_simgpu_userq_kick k = { .queue_id = id };

	return sg_ioctl(f, DRM_IOCTL_SIMGPU_USERQ_KICK, &k);
}

int userq_query(int f, uint32_t id, struct drm_simgpu_userq_query *q)
{
	memset(q, 0, sizeof(*q));
	q->queue_id = id;
	return sg_ioctl(f, DRM_IOCTL_SIMGPU_USERQ_QUERY, q);
}

int userq_records(int f, uint32_t id, uint64_t seqno, uint32_t n,
			 struct drm_simgpu_userq_job_record *recs)
{
	struct drm_simgpu_userq_query q = {
		.queue_id = id, .first_seqno = seqno, .records = (uintptr_t)recs,
		.record_count = n, .record_size = sizeof(*recs),
	};

	return sg_ioctl(f, DRM_IOCTL_SIMGPU_USERQ_QUERY, &q);
}

int userq_wait(int f, uint32_t id, uint64_t offset, uint64_t value,
		      int64_t deadline, uint64_t *current)
{
	struct drm_simgpu_userq_wait w = {
		.queue_id = id, .offset = offset, .value = value,
		.deadline_ns = deadline,
	};
	int ret = sg_ioctl(f, DRM_IOCTL_SIMGPU_USERQ_WAIT, &w);

	if (current)
		*current = w.current_value;
	return ret;
}

int userq_bridge(int f, uint32_t id, uint32_t op, uint64_t offset,
			uint64_t value, uint32_t handle, uint64_t point)
{
	struct drm_simgpu_userq_bridge b = {
		.queue_id = id, .op = op, .offset = offset, .value = value,
		.handle = handle, .flags = point ? SIMGPU_SYNC_TIMELINE : 0,
		.point = point,
	};

	return sg_ioctl(f, DRM_IOCTL_SIMGPU_USERQ_BRIDGE, &b);
}

int userq_sync_update(int f, uint32_t id)
{
	struct drm_simgpu_userq_sync_update u = { .queue_id = id };

	return sg_ioctl(f, DRM_IOCTL_SIMGPU_USERQ_SYNC_UPDATE, &u);
}

void *map(int f, uint64_t offset, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, f, offset);

	return p == MAP_FAILED ? NULL : p;
}

uint32_t bo_on(int f, uint64_t size)
{
	struct drm_simgpu_bo_create c = { .size = size };

	return sg_ioctl(f, DRM_IOCTL_SIMGPU_BO_CREATE, &c) ? 0 : c.handle;
}

void *bo_map(int f, uint32_t h, uint64_t size)
{
	struct drm_simgpu_bo_mmap_offset o = { .handle = h };

	if (sg_ioctl(f, DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET, &o))
		return NULL;
	return map(f, o.offset, size);
}

void uq_close(struct uq *q)
{
	if (q->id)
		userq_destroy(q->f, q->id);
	if (q->ring)
		munmap(q->ring, q->ring_size);
	if (q->io)
		munmap(q->io, 4096);
	if (q->bell)
		munmap((void *)q->bell, 4096);
	if (q->sync)
		munmap(q->sync, SYNC_BO_SIZE);
	if (q->own_sync && q->sync_handle) {
		struct drm_gem_close gc = { .handle = q->sync_handle };

		drmIoctl(q->f, DRM_IOCTL_GEM_CLOSE, &gc);
	}
	if (q->efd >= 0)
		close(q->efd);
	memset(q, 0, sizeof(*q));
	q->efd = -1;
}

/* Create a user queue and map everything; 0 or -errno (q closed then). */
int uq_open(struct uq *q, int f, const struct uq_opts *o)
{
	struct drm_simgpu_userq_create c = {
		.fw_policy = o->policy,
		.ring_size = o->ring_size ?: 4096,
		.idle_timeout_us = o->idle_timeout_us,
	};
	int ret;

	memset(q, 0, sizeof(*q));
	q->f = f;
	q->efd = -1;
	q->ring_size = c.ring_size;
	q->sync_handle = o->sync_handle;
	if (!q->sync_handle) {
		q->sync_handle = bo_on(f, SYNC_BO_SIZE);
		q->own_sync = true;
		if (!q->sync_handle)
			return -ENOMEM;
	}
	c.sync_handle = q->sync_handle;
	if (o->eventfd) {
		q->efd = eventfd(0, EFD_NONBLOCK);
		if (q->efd < 0)
			return -errno;
		c.flags = SIMGPU_USERQ_CREATE_EVENTFD;
		c.eventfd = q->efd;
	}
	ret = userq_create(f, &c);
	if (ret) {
		uq_close(q);
		return ret;
	}
	q->id = c.queue_id;
	q->ring = map(f, c.ring_mmap_offset, q->ring_size);
	q->io = map(f, c.io_mmap_offset, 4096);
	q->bell = map(f, c.doorbell_mmap_offset, 4096);
	q->sync = bo_map(f, q->sync_handle, SYNC_BO_SIZE);
	if (!q->ring || !q->io || !q->bell || !q->sync) {
		ret = -errno ?: -ENOMEM;
		uq_close(q);
		return ret;
	}
	return 0;
}

/*
 * The producer side of the memory-ordering contract: descriptor, release
 * of insert, doorbell, full fence, then a kick if the queue went inactive
 * (or always with @kick, the doorbell of FW_SLEEP queues).
 */
int uq_ring(struct uq *q, uint64_t insert, bool kick)
{
	__atomic_store_n(&q->io->insert, insert, __ATOMIC_RELEASE);
	*q->bell = *q->bell + 1;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (kick || __atomic_load_n(&q->io->state, __ATOMIC_RELAXED) ==
		    SIMGPU_USERQ_STATE_INACTIVE)
		return userq_kick(q->f, q->id);
	return 0;
}

/* Push @job; returns its seqno, or 0 if the kick failed. */
uint64_t uq_push(struct uq *q, const struct drm_simgpu_userq_job *job,
			bool kick)
{
	uint64_t slot = q->next_insert % q->ring_size;

	memcpy((char *)q->ring + slot, job, sizeof(*job));
	q->next_insert += sizeof(*job);
	if (uq_ring(q, q->next_insert, kick))
		return 0;
	return q->next_insert / sizeof(*job);
}

struct drm_simgpu_userq_job uq_job(uint64_t duration_ns,
					  uint64_t offset, uint64_t value)
{
	struct drm_simgpu_userq_job j = {
		.op = SIMGPU_USERQ_OP_RUN, .duration_ns = duration_ns,
		.signal_offset = offset, .signal_value = value,
		.user_data = value ^ 0x5a5a,
	};

	return j;
}

/* Spin on the mapped sync object, as a user-mode driver would. */
int uq_spin(struct uq *q, uint64_t offset, uint64_t value)
{
	uint64_t deadline = now_ns() + HANG_NS;

	while (__atomic_load_n(&q->sync[offset / 8], __ATOMIC_ACQUIRE) < value) {
		if (now_ns() > deadline)
			return -ETIMEDOUT;
		sched_yield();
	}
	return 0;
}

int uq_wait_state(struct uq *q, uint32_t state)
{
	struct drm_simgpu_userq_query qq;
	uint64_t deadline = now_ns() + HANG_NS;

	do {
		if (userq_query(q->f, q->id, &qq))
			return -errno;
		if (qq.state == state)
			return 0;
		usleep(1000);
	} while (now_ns() < deadline);
	return -ETIMEDOUT;
}

bool userq_record_ordered(const struct drm_simgpu_userq_job_record *r)
{
	return r->seen_ns && r->seen_ns <= r->engine_start_ns &&
	       r->engine_start_ns <= r->engine_end_ns &&
	       r->engine_end_ns <= r->complete_ns &&
	       r->status == SIMGPU_USERQ_JOB_STATUS_DONE && !r->error;
}

/* Wait for the eventfd to count, as a user-mode driver's event loop would. */
int efd_wait(int efd)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t v;

	if (poll(&p, 1, HANG_NS / MS) != 1)
		return -ETIMEDOUT;
	return read(efd, &v, sizeof(v)) == sizeof(v) ? 0 : -errno;
}

int set_stall_ms(unsigned long ms)
{
	return set_knob(STALL_KNOB, ms);
}

/* The timeline name a sync_file reports for its only fence. */
int sync_file_timeline(int sf, char *name, size_t len)
{
	struct sync_fence_info fi;
	struct sync_file_info si = {
		.num_fences = 1, .sync_fence_info = (uintptr_t)&fi,
	};

	memset(&fi, 0, sizeof(fi));
	if (ioctl(sf, SYNC_IOC_FILE_INFO, &si))
		return -errno;
	snprintf(name, len, "%s", fi.obj_name);
	return 0;
}

bool fd_signalled(int f, int timeout_ms)
{
	struct pollfd pfd = { .fd = f, .events = POLLIN };

	return poll(&pfd, 1, timeout_ms) == 1 && (pfd.revents & POLLIN);
}

long module_refcnt(void)
{
	FILE *f = fopen("/sys/module/simgpu/refcnt", "r");
	long n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

/* Wait until the module's count drops below @n; the last count seen. */
long refcnt_drops_below(long n)
{
	uint64_t deadline = now_ns() + HANG_NS;
	long now;

	while ((now = module_refcnt()) >= n && now_ns() < deadline)
		usleep(10 * 1000);
	return now;
}

void pin_self(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

long read_knob(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* The first render node whose driver is simgpu, by name, not by path. */
int open_simgpu(void)
{
	struct dirent *de;
	DIR *dir = opendir("/dev/dri");
	int f = -1;

	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		char path[300];
		drmVersionPtr v;

		if (strncmp(de->d_name, "renderD", 7))
			continue;
		snprintf(path, sizeof(path), "/dev/dri/%s", de->d_name);
		f = open(path, O_RDWR | O_CLOEXEC);
		if (f < 0)
			continue;
		v = drmGetVersion(f);
		if (v && !strcmp(v->name, "simgpu")) {
			drmFreeVersion(v);
			break;
		}
		drmFreeVersion(v);
		close(f);
		f = -1;
	}
	closedir(dir);
	return f;
}

static int fixture_setup(char *why_not, unsigned long len)
{
	struct drm_simgpu_dev_query q = {
		.size = sizeof(info), .info = (uintptr_t)&info,
	};

	fd = open_simgpu();
	if (fd < 0) {
		snprintf(why_not, len, "no /dev/dri render node of driver simgpu (module not loaded?)");
		return -ENODEV;
	}
	if (sg_ioctl(fd, DRM_IOCTL_SIMGPU_DEV_QUERY, &q)) {
		snprintf(why_not, len, "DEV_QUERY failed: %s", strerror(errno));
		close(fd);
		fd = -1;
		return -ENODEV;
	}
	return 0;
}

/* Closing the fd is what frees the file's queues, VMs, syncobjs and BOs. */
static void fixture_teardown(void)
{
	if (fd >= 0)
		close(fd);
	fd = -1;
}

/*
 * simgpu counts its live objects in debugfs ("name count" lines): once a
 * test's process is gone every count must be back to 0.
 */
static int fixture_leftovers(char *what, unsigned long len)
{
	FILE *f = fopen(DEBUGFS_DIR "/live", "r");
	unsigned long long n;
	char name[64];
	size_t used = 0;

	if (!f) {
		snprintf(what, len, "%s/live: %s", DEBUGFS_DIR, strerror(errno));
		return -ENOENT;
	}
	what[0] = 0;
	while (fscanf(f, "%63s %llu", name, &n) == 2) {
		if (!n || used >= len)
			continue;
		used += snprintf(what + used, len - used, "%s%s %llu",
				 used ? ", " : "", name, n);
	}
	fclose(f);
	return used ? -EBUSY : 0;
}

const struct harness_fixture simgpu_fixture = {
	.setup = fixture_setup,
	.teardown = fixture_teardown,
	.leftovers = fixture_leftovers,
};

/* A SIGALRM handler that only interrupts: the ioctl returns -EINTR. */
void on_alarm(int sig)
{
	(void)sig;
}

enum result run_bad_cases(int f, unsigned long req, void *arg, void *target,
			  const void *good, size_t size,
			  const struct bad_case *cases, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		const struct bad_case *c = &cases[i];
		int ret;

		memcpy(target, good, size);
		for (k = 0; k < ARRAY_SIZE(c->set) && c->set[k].size; k++) {
			uint64_t v = c->set[k].value;
			char *p = (char *)target + c->set[k].off;

			if (c->set[k].size == 4)
				*(uint32_t *)p = v;
			else
				*(uint64_t *)p = v;
		}
		ret = sg_ioctl(f, req, arg);
		if (harness_check_fails(ret != c->err))
			return why(FAIL, "bad-input case '%s': %d (%s), want %d (%s)",
				   c->what, ret, strerror(-ret), c->err,
				   strerror(-c->err));
	}
	return PASS;
}
