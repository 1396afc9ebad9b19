// SPDX-License-Identifier: GPL-2.0
/*
 * simgpu's DRM client usage stats (Documentation/gpu/drm-usage-stats.rst),
 * the keys gputop, nvtop and drmbench read from /proc/PID/fdinfo/FD:
 *
 *   drm-engine-e<N>:          ns the file's jobs held engine N
 *   drm-engine-capacity-e<N>: 1 (an engine runs one job at a time)
 *   drm-cycles-e<N>:          the same time in cycles of a 1 GHz clock
 *   drm-maxfreq-e<N>:         1000 MHz
 *
 * A job holds its engine for the time the engine model gave it (its
 * record's engine_start_ns to engine_end_ns: its duration, after the jobs
 * before it), counted on its queue when it completes. A late timer makes
 * the completion late, not the engine busier: the next job started at the
 * planned end. The sum covers the file's live queues: a
 * destroyed queue's time leaves it (upstream drivers keep it per file).
 */

#include <linux/seq_file.h>
#include <linux/xarray.h>

#include "simgpu_drv.h"

static void simgpu_fdinfo_engines(struct seq_file *m, struct simgpu_file *sfile)
{
	u64 busy[SIMGPU_MAX_ENGINES] = {};
	struct simgpu_queue *queue;
	unsigned long id, flags;
	u32 e;

	/* The xarray's lock keeps its queues alive (destroy erases first). */
	xa_lock(&sfile->queues);
	xa_for_each(&sfile->queues, id, queue) {
		spin_lock_irqsave(&queue->state_lock, flags);
		busy[queue->engine->index] += queue->busy_ns;
		spin_unlock_irqrestore(&queue->state_lock, flags);
	}
	xa_unlock(&sfile->queues);

	for (e = 0; e < sfile->sdev->engine_count; e++) {
		seq_printf(m, "drm-engine-e%u:\t%llu ns\n", e, busy[e]);
		seq_printf(m, "drm-engine-capacity-e%u:\t1\n", e);
		seq_printf(m, "drm-cycles-e%u:\t%llu\n", e, busy[e]);
		seq_printf(m, "drm-maxfreq-e%u:\t1000 MHz\n", e);
	}
}

void simgpu_show_fdinfo(struct seq_file *m, struct file *f)
{
	struct drm_file *file = f->private_data;

	simgpu_show_fdinfo_common(m, f);
	simgpu_fdinfo_engines(m, file->driver_priv);
}
