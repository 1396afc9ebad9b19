// SPDX-License-Identifier: MIT
/*
 * Named thread placements and pinning, from hwloc's view of the machine.
 * A placement the machine does not have is -ENOENT with the reason: the
 * caller reports the case as a SKIP.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <hwloc.h>

#include "env.h"

const char *const drmb_placement_names[] = {
	"auto", "none", "same-core", "smt-sibling", "same-llc", "cross-llc",
	"cross-package", NULL,
};

static hwloc_topology_t topo;
static int topo_err = 1;	/* 1 = not loaded yet */

static hwloc_topology_t topology(void)
{
	if (topo_err == 1) {
		topo_err = hwloc_topology_init(&topo) || hwloc_topology_load(topo) ? -ENODEV : 0;
		if (topo_err && topo)
			hwloc_topology_destroy(topo);
	}
	return topo_err ? NULL : topo;
}

/* The deepest-shared cache: the highest cache level hwloc knows. */
static hwloc_obj_type_t llc_type(hwloc_topology_t t)
{
	static const hwloc_obj_type_t levels[] = {
		HWLOC_OBJ_L3CACHE, HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L1CACHE,
	};
	size_t i;

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (hwloc_get_nbobjs_by_type(t, levels[i]) > 0)
			return levels[i];
	return HWLOC_OBJ_TYPE_MAX;
}

static int first_pu(hwloc_obj_t obj)
{
	return obj->cpuset ? hwloc_bitmap_first(obj->cpuset) : -1;
}

static hwloc_obj_t ancestor(hwloc_topology_t t, hwloc_obj_type_t type, hwloc_obj_t o)
{
	return type == HWLOC_OBJ_TYPE_MAX ? NULL : hwloc_get_ancestor_obj_by_type(t, type, o);
}

/* Two cores related as wanted: same or different LLC / package. */
static int pick_cores(hwloc_topology_t t, int same_llc, int same_pkg,
		      int *a, int *b)
{
	hwloc_obj_type_t llc = llc_type(t);
	int n = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE), i, j;

	for (i = 0; i < n; i++) {
		hwloc_obj_t ci = hwloc_get_obj_by_type(t, HWLOC_OBJ_CORE, i);

		for (j = i + 1; j < n; j++) {
			hwloc_obj_t cj = hwloc_get_obj_by_type(t, HWLOC_OBJ_CORE, j);
			hwloc_obj_t li = ancestor(t, llc, ci), lj = ancestor(t, llc, cj);
			hwloc_obj_t pi = ancestor(t, HWLOC_OBJ_PACKAGE, ci);
			hwloc_obj_t pj = ancestor(t, HWLOC_OBJ_PACKAGE, cj);

			if (same_llc >= 0 && (!li || !lj || (li == lj) != same_llc))
				continue;
			if (same_pkg >= 0 && (!pi || !pj || (pi == pj) != same_pkg))
				continue;
			*a = first_pu(ci);
			*b = first_pu(cj);
			return 0;
		}
	}
	return -ENOENT;
}

static int resolve(hwloc_topology_t t, const char *name, int *a, int *b,
		   char *why, size_t whylen)
{
	int ncores = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE), i;

	if (!strcmp(name, "same-core")) {
		*a = *b = first_pu(hwloc_get_root_obj(t));
		return 0;
	}
	if (!strcmp(name, "smt-sibling")) {
		for (i = 0; i < ncores; i++) {
			hwloc_obj_t core = hwloc_get_obj_by_type(t, HWLOC_OBJ_CORE, i);

			if (hwloc_bitmap_weight(core->cpuset) >= 2) {
				*a = hwloc_bitmap_first(core->cpuset);
				*b = hwloc_bitmap_next(core->cpuset, *a);
				return 0;
			}
		}
		snprintf(why, whylen, "placement smt-sibling: no core has two hardware threads (SMT off or absent)");
		return -ENOENT;
	}
	if (!strcmp(name, "same-llc") || !strcmp(name, "cross-llc")) {
		int same = !strcmp(name, "same-llc");

		if (llc_type(t) == HWLOC_OBJ_TYPE_MAX) {
			snprintf(why, whylen, "placement %s: hwloc reports no caches on this machine", name);
			return -ENOENT;
		}
		if (!pick_cores(t, same, same ? -1 : 1, a, b))
			return 0;
		snprintf(why, whylen, "placement %s: no two cores %s a last-level cache%s",
			 name, same ? "share" : "in one package with different", "");
		return -ENOENT;
	}
	if (!strcmp(name, "cross-package")) {
		if (!pick_cores(t, -1, 0, a, b))
			return 0;
		snprintf(why, whylen, "placement cross-package: this machine has %d package(s) with cores",
			 hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PACKAGE));
		return -ENOENT;
	}
	snprintf(why, whylen, "unknown placement '%s'", name);
	return -EINVAL;
}

int drmb_placement_resolve(const char *name, struct drmb_placement *out,
			   char *why, size_t whylen)
{
	static const char *const auto_order[] = {
		"same-llc", "cross-llc", "cross-package", "smt-sibling", "same-core",
	};
	hwloc_topology_t t;
	size_t i;
	int ret;

	memset(out, 0, sizeof(*out));
	out->cpu_signaller = out->cpu_waiter = -1;
	if (!strcmp(name, "none")) {
		snprintf(out->name, sizeof(out->name), "none");
		return 0;
	}
	t = topology();
	if (!t) {
		snprintf(why, whylen, "placement %s: hwloc could not load the topology", name);
		return -ENOENT;
	}
	if (strcmp(name, "auto")) {
		ret = resolve(t, name, &out->cpu_signaller, &out->cpu_waiter, why, whylen);
		if (!ret)
			snprintf(out->name, sizeof(out->name), "%s", name);
		return ret;
	}
	for (i = 0; i < sizeof(auto_order) / sizeof(auto_order[0]); i++) {
		if (!resolve(t, auto_order[i], &out->cpu_signaller, &out->cpu_waiter,
			     why, whylen)) {
			snprintf(out->name, sizeof(out->name), "%s", auto_order[i]);
			return 0;
		}
	}
	return -ENOENT;
}

int drmb_pin_self(int cpu)
{
	hwloc_topology_t t;
	hwloc_bitmap_t set;
	int ret;

	if (cpu < 0)
		return 0;
	t = topology();
	if (!t)
		return -ENODEV;
	set = hwloc_bitmap_alloc();
	if (!set)
		return -ENOMEM;
	hwloc_bitmap_only(set, cpu);
	ret = hwloc_set_cpubind(t, set, HWLOC_CPUBIND_THREAD) ? -errno : 0;
	hwloc_bitmap_free(set);
	return ret;
}

int drmb_topology_summary(char *buf, size_t len)
{
	hwloc_topology_t t = topology();
	int cores, pus, llcs;

	if (!t) {
		snprintf(buf, len, "unavailable (hwloc failed to load)");
		return -ENODEV;
	}
	cores = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE);
	pus = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU);
	llcs = llc_type(t) == HWLOC_OBJ_TYPE_MAX ? 0 :
	       hwloc_get_nbobjs_by_type(t, llc_type(t));
	snprintf(buf, len, "packages=%d cores=%d pus=%d smt=%s llcs=%d",
		 hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PACKAGE), cores, pus,
		 pus > cores ? "yes" : "no", llcs);
	return 0;
}
