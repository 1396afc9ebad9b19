// SPDX-License-Identifier: MIT
/*
 * Environment control and recording. Control is best effort and every
 * outcome is recorded: a floor measured with CPU idle states allowed is 18x
 * off on these VMs (docs/measuring.md), so a result must say which it was.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "device.h"
#include "env.h"
#include "measure.h"
#include "result.h"

#include "version.gen.h"

void drmb_env_setup(struct drmb_env *e, const struct drmb_env_opts *o)
{
	int32_t zero = 0;
	char accel[32], vendor[128];

	memset(e, 0, sizeof(*e));
	e->opts = *o;
	e->dma_latency_fd = -1;

	if (o->no_mlock) {
		snprintf(e->mlock, sizeof(e->mlock), "off (--no-mlock)");
	} else if (mlockall(MCL_CURRENT | MCL_FUTURE)) {
		snprintf(e->mlock, sizeof(e->mlock), "failed: %s", strerror(errno));
	} else {
		snprintf(e->mlock, sizeof(e->mlock), "current+future");
	}

	/* The kernel honours the request only while the fd stays open. */
	if (o->no_dma_latency) {
		snprintf(e->dma_latency, sizeof(e->dma_latency), "not requested (--no-dma-latency)");
	} else {
		e->dma_latency_fd = open("/dev/cpu_dma_latency", O_WRONLY | O_CLOEXEC);
		if (e->dma_latency_fd < 0) {
			snprintf(e->dma_latency, sizeof(e->dma_latency), "not held: %s",
				 strerror(errno));
		} else if (write(e->dma_latency_fd, &zero, sizeof(zero)) != sizeof(zero)) {
			snprintf(e->dma_latency, sizeof(e->dma_latency), "not held: %s",
				 strerror(errno));
			close(e->dma_latency_fd);
			e->dma_latency_fd = -1;
		} else {
			snprintf(e->dma_latency, sizeof(e->dma_latency), "0us held");
		}
	}

	if (o->fifo_prio)
		snprintf(e->waiter_sched, sizeof(e->waiter_sched), "fifo/%d", o->fifo_prio);
	else
		snprintf(e->waiter_sched, sizeof(e->waiter_sched), "other");

	e->clock_overhead_ns = drmb_clock_overhead_ns();
	drmb_hypervisor(accel, sizeof(accel), vendor, sizeof(vendor));
	if (o->counters == 0 || (o->counters < 0 && !strcmp(accel, "tcg"))) {
		int i;

		for (i = 0; i < DRMB_NR_COUNTERS; i++) {
			e->counters.fd[i] = -1;
			snprintf(e->counters.why[i], sizeof(e->counters.why[i]), "%s",
				 o->counters == 0 ? "off (--no-counters)" :
				 "off under TCG (--counters forces)");
		}
	} else {
		drmb_counters_open(&e->counters);
	}
	{
		uint64_t ns;

		e->steal = strcmp(accel, "tcg") && strcmp(accel, "none") && !drmb_steal_ns(&ns);
	}
}

void drmb_env_release(struct drmb_env *e)
{
	if (e->dma_latency_fd >= 0)
		close(e->dma_latency_fd);
	e->dma_latency_fd = -1;
	drmb_counters_close(&e->counters);
}

int drmb_env_waiter_sched(const struct drmb_env *e)
{
	struct sched_param sp = { .sched_priority = e->opts.fifo_prio };

	if (!e->opts.fifo_prio)
		return 0;
	return -pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
}

int drmb_parse_proc_stat_steal(const char *text, uint64_t *ticks)
{
	unsigned long long v[8];

	/* cpu  user nice system idle iowait irq softirq steal ... */
	if (strncmp(text, "cpu ", 4) ||
	    sscanf(text + 4, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
		return -ENOENT;
	*ticks = v[7];
	return 0;
}

ssize_t drmb_read_text(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	buf[n] = '\0';
	return n;
}

int drmb_steal_ns(uint64_t *ns)
{
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t ticks;
	char buf[512];
	ssize_t n;
	int ret;

	n = drmb_read_text("/proc/stat", buf, sizeof(buf));
	if (n < 0)
		return n;
	if (n == 0 || hz <= 0)
		return -ENOENT;
	ret = drmb_parse_proc_stat_steal(buf, &ticks);
	if (!ret)
		*ns = ticks * (1000000000ull / (uint64_t)hz);
	return ret;
}

/* ---- recorded environment --------------------------------------------- */

/* First line of a small sysfs/procfs file, or def. */
static void read_line(const char *path, char *buf, size_t len, const char *def)
{
	FILE *f = fopen(path, "r");

	if (!f || !fgets(buf, len, f)) {
		snprintf(buf, len, "%s", def);
	} else {
		buf[strcspn(buf, "\n")] = '\0';
		if (!buf[0])
			snprintf(buf, len, "%s", def);
	}
	if (f)
		fclose(f);
}

static void cpu_model(char *buf, size_t len)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(buf, len, "unknown");
	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (colon && !strncmp(line, "model name", 10)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(buf, len, "%s", colon + 2);
			break;
		}
	}
	if (f)
		fclose(f);
}

void drmb_hypervisor(char *accel, size_t alen, char *vendor, size_t vlen)
{
	static const struct { const char *sig, *accel; } sigs[] = {
		{ "KVMKVMKVM", "kvm" }, { "TCGTCGTCGTCG", "tcg" },
		{ "Microsoft Hv", "hyperv" }, { "VMwareVMware", "vmware" },
		{ "XenVMMXenVMM", "xen" }, { "VBoxVBoxVBox", "virtualbox" },
	};
	unsigned int eax = 0, ebx = 0, ecx = 0, edx = 0;
	char sig[13] = "", dmi[128];
	size_t i;

	snprintf(accel, alen, "none");
	snprintf(vendor, vlen, "none");
#if defined(__x86_64__) || defined(__i386__)
	__cpuid(1, eax, ebx, ecx, edx);
	if (ecx & (1u << 31)) {
		__cpuid(0x40000000, eax, ebx, ecx, edx);
		memcpy(sig, &ebx, 4);
		memcpy(sig + 4, &ecx, 4);
		memcpy(sig + 8, &edx, 4);
		sig[12] = '\0';
		snprintf(accel, alen, "unknown-hypervisor");
		snprintf(vendor, vlen, "cpuid:%s", sig[0] ? sig : "(empty)");
		for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			if (!strcmp(sig, sigs[i].sig))
				snprintf(accel, alen, "%s", sigs[i].accel);
	}
#endif
	/* QEMU TCG sets no hypervisor bit; its CPU model names it. */
	if (!strcmp(accel, "none")) {
		char model[128];

		cpu_model(model, sizeof(model));
		if (strstr(model, "QEMU TCG")) {
			snprintf(accel, alen, "tcg");
			snprintf(vendor, vlen, "cpu-model:%s", model);
		}
	}
	read_line("/sys/class/dmi/id/sys_vendor", dmi, sizeof(dmi), "");
	if (dmi[0] && strcmp(vendor, "none")) {
		size_t off = strlen(vendor);

		snprintf(vendor + off, vlen - off, " dmi:%s", dmi);
	}
}

/*
 * The DRM scheduler's module parameters in force (gpu_sched.sched_policy,
 * ...), one key each: a run queue policy is part of what a scheduler
 * result depends on. Nothing when gpu_sched is not loaded; its 6.1 has no
 * parameters.
 */
static int sched_params(struct drmb_kvlist *kv)
{
	static const char dir[] = "/sys/module/gpu_sched/parameters";
	char path[320], val[128], key[300];
	struct dirent *e;
	DIR *d = opendir(dir);
	int ret = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		snprintf(key, sizeof(key), "gpu_sched.%s", e->d_name);
		read_line(path, val, sizeof(val), "unreadable");
		ret |= drmb_kv_set(kv, key, "%s", val);
	}
	closedir(d);
	return ret;
}

int drmb_info_collect(struct drmb_kvlist *kv)
{
	char buf[1024], buf2[256], path[128];
	struct utsname u;
	int ret = 0;

	uname(&u);
	ret |= drmb_kv_set(kv, "drmbench-version", "%s", DRMB_VERSION);
	ret |= drmb_kv_set(kv, "host", "%s", u.nodename);
	ret |= drmb_kv_set(kv, "kernel-release", "%s", u.release);
	ret |= drmb_kv_set(kv, "kernel-version", "%s", u.version);
	ret |= drmb_kv_set(kv, "arch", "%s", u.machine);
	cpu_model(buf, sizeof(buf));
	ret |= drmb_kv_set(kv, "cpu-model", "%s", buf);
	drmb_topology_summary(buf, sizeof(buf));
	ret |= drmb_kv_set(kv, "cpu-topology", "%s", buf);
	ret |= drmb_kv_set(kv, "online-cpus", "%ld", sysconf(_SC_NPROCESSORS_ONLN));

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
	read_line(path, buf, sizeof(buf), "none (no cpufreq)");
	ret |= drmb_kv_set(kv, "cpu-governor", "%s", buf);
	read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_min_freq", buf, sizeof(buf), "");
	read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_max_freq", buf2, sizeof(buf2), "");
	if (buf[0])
		ret |= drmb_kv_set(kv, "cpu-freq-khz", "%s-%s", buf, buf2);
	else
		ret |= drmb_kv_set(kv, "cpu-freq-khz", "unknown (no cpufreq)");
	read_line("/sys/devices/system/cpu/intel_pstate/no_turbo", buf, sizeof(buf), "");
	read_line("/sys/devices/system/cpu/cpufreq/boost", buf2, sizeof(buf2), "");
	ret |= drmb_kv_set(kv, "cpu-boost", "%s",
			   buf[0] ? (buf[0] == '1' ? "off" : "on") :
			   buf2[0] ? (buf2[0] == '1' ? "on" : "off") : "unknown");
	read_line("/sys/devices/system/cpu/cpuidle/current_driver", buf, sizeof(buf), "none");
	ret |= drmb_kv_set(kv, "cpuidle-driver", "%s", buf);
	read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		  buf, sizeof(buf), "unknown");
	ret |= drmb_kv_set(kv, "clocksource", "%s", buf);

	drmb_hypervisor(buf, sizeof(buf), buf2, sizeof(buf2));
	ret |= drmb_kv_set(kv, "accel", "%s", strcmp(buf, "none") ? buf : "none (bare metal)");
	ret |= drmb_kv_set(kv, "hypervisor", "%s", buf2);

	drmb_devices_describe(buf, sizeof(buf));
	ret |= drmb_kv_set(kv, "drm-devices", "%s", buf);
	ret |= sched_params(kv);
#ifdef HAVE_LIBPFM
	ret |= drmb_kv_set(kv, "libpfm4", "yes");
#else
	ret |= drmb_kv_set(kv, "libpfm4", "no");
#endif
	return ret ? -ENOMEM : 0;
}
