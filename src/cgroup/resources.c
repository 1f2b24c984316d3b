#include "cgroup/resources.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "cgroup/devices_v1.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/log.h"

uint64_t cpu_shares_to_weight(uint64_t shares)
{
	if (shares == 0)
		return 0;
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t blkio_weight_to_io_weight(uint64_t weight)
{
	if (weight == 0)
		return 0;
	return 1 + (weight - 10) * 9999 / 990;
}

/* Writes a formatted value to dir/file. */
static int put(const char *dir, const char *file, husk_error **err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int put(const char *dir, const char *file, husk_error **err, const char *fmt, ...)
{
	char value[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	return cgroup_write(dir, file, value, err);
}

static json_object *obj(json_object *o, const char *key)
{
	json_object *v = o ? json_member(o, key) : NULL;
	return v && json_is_object(v) ? v : NULL;
}

static json_object *arr(json_object *o, const char *key)
{
	json_object *v = o ? json_member(o, key) : NULL;
	return v && json_is_array(v) ? v : NULL;
}

static const char *str(json_object *o, const char *key)
{
	json_object *v = o ? json_member(o, key) : NULL;
	return v && json_is_string(v) ? json_object_get_string(v) : NULL;
}

/* "-1" and limits above INT64_MAX (engines write uint64 max) mean none. */
static void limit_text(int64_t v, char *out, size_t len, const char *unlimited)
{
	if (v < 0)
		snprintf(out, len, "%s", unlimited);
	else
		snprintf(out, len, "%" PRId64, v);
}

/* memory.checkBeforeUpdate: a new limit (or memory+swap limit) at or
 * below the current usage is refused, not left to the kernel to reclaim
 * down to. */
static int check_before_update(json_object *mem, uint64_t usage, husk_error **err)
{
	json_object *b = json_member(mem, "checkBeforeUpdate");
	if (b == NULL || !json_object_get_boolean(b))
		return 0;
	static const char *const keys[] = { "swap", "limit" };
	for (int i = 0; i < 2; i++) {
		bool given;
		int64_t v = json_i64(mem, keys[i], &given);
		if (given && v > 0 && (uint64_t) v <= usage)
			return husk_fail(err, 0, "memory.%s: %" PRId64 " is not above the current usage %" PRIu64
					 " (checkBeforeUpdate)", keys[i], v, usage);
	}
	return 0;
}

/* ---- v1 ---------------------------------------------------------------- */

static int v1_dir_or_fail(cgroup_dir_fn dir, void *ctx, const char *ctrl, char *out, size_t len,
			  husk_error **err)
{
	if (dir(ctx, ctrl, out, len) < 0)
		return husk_fail(err, 0, "the %s cgroup controller is not available on this host", ctrl);
	return 0;
}

static int v1_memory(json_object *mem, cgroup_dir_fn dir, void *ctx, husk_error **err)
{
	if (mem == NULL)
		return 0;
	char d[1400], buf[64];
	bool has_limit, has_swap, given;
	int64_t limit = json_i64(mem, "limit", &has_limit), swap = json_i64(mem, "swap", &has_swap);
	int r = v1_dir_or_fail(dir, ctx, "memory", d, sizeof(d), err);
	if (r < 0)
		return r;
	if (cgroup_read(d, "memory.usage_in_bytes", buf, sizeof(buf)) > 0 &&
	    (r = check_before_update(mem, strtoull(buf, NULL, 10), err)) < 0)
		return r;
	bool memsw = cgroup_read(d, "memory.memsw.limit_in_bytes", buf, sizeof(buf)) > 0;
	if (has_swap && !memsw && swap != limit && swap > 0)
		return husk_fail(err, 0, "memory.swap: swap accounting is off on this host");
	char lim[32], sw[32];
	limit_text(limit, lim, sizeof(lim), "-1");
	limit_text(swap, sw, sizeof(sw), "-1");
	/* memsw must stay >= limit at every step: raise it first when the
	 * new limit would exceed the current memsw. */
	if (has_limit) {
		husk_error *first = NULL;
		if (cgroup_write(d, "memory.limit_in_bytes", lim, &first) < 0) {
			if (!(has_swap && memsw)) {
				*err = first;
				return -1;
			}
			husk_error_free(first);
			if ((r = cgroup_write(d, "memory.memsw.limit_in_bytes", sw, err)) < 0 ||
			    (r = cgroup_write(d, "memory.limit_in_bytes", lim, err)) < 0)
				return r;
			has_swap = false;
		}
	}
	if (has_swap && memsw && (r = cgroup_write(d, "memory.memsw.limit_in_bytes", sw, err)) < 0)
		return r;
	int64_t v = json_i64(mem, "reservation", &given);
	if (given && (r = put(d, "memory.soft_limit_in_bytes", err, "%" PRId64, v)) < 0)
		return r;
	v = json_i64(mem, "kernel", &given);
	if (given && access("/sys/fs/cgroup/memory/memory.kmem.limit_in_bytes", F_OK) == 0 &&
	    (r = put(d, "memory.kmem.limit_in_bytes", err, "%" PRId64, v)) < 0)
		return r;
	v = json_i64(mem, "kernelTCP", &given);
	if (given && (r = put(d, "memory.kmem.tcp.limit_in_bytes", err, "%" PRId64, v)) < 0)
		return r;
	/* -1 (what a uint64 of all ones reads as) leaves the kernel's value. */
	v = json_i64(mem, "swappiness", &given);
	if (given && v != -1 && (v < 0 || v > 100))
		return husk_fail(err, 0, "memory.swappiness: %" PRId64 " is not in 0-100", v);
	if (given && v != -1 && (r = put(d, "memory.swappiness", err, "%" PRId64, v)) < 0)
		return r;
	json_object *b = json_member(mem, "disableOOMKiller");
	if (b && json_object_get_boolean(b) && (r = cgroup_write(d, "memory.oom_control", "1", err)) < 0)
		return r;
	b = json_member(mem, "useHierarchy");
	if (b && json_object_get_boolean(b) && cgroup_write(d, "memory.use_hierarchy", "1", NULL) < 0)
		log_debug("memory.use_hierarchy cannot be set here");
	return 0;
}

/* A period and what is measured against it (cfs quota, rt runtime): the
 * kernel checks each write against the other value and the parent's
 * limit, so one order can be refused where the other is not (a shorter
 * period under the old quota exceeds the parent).  As runc: the period
 * first; refused with EINVAL while the other is also to be set, it is
 * written again after the other. */
static int period_pair(const char *d, json_object *cpu, const char *pkey, const char *pfile,
		       const char *vkey, const char *vfile, husk_error **err)
{
	bool has_p, has_v;
	int64_t p = json_i64(cpu, pkey, &has_p), v = json_i64(cpu, vkey, &has_v);
	has_p = has_p && p != 0;
	has_v = has_v && v != 0;
	bool again = false;
	int r;
	if (has_p) {
		cleanup_error husk_error *first = NULL;
		if ((r = put(d, pfile, &first, "%" PRId64, p)) < 0) {
			if (r != -EINVAL || !has_v) {
				if (err && *err == NULL) {
					*err = first;
					first = NULL;
				}
				return r;
			}
			again = true;
		}
	}
	if (has_v && (r = put(d, vfile, err, "%" PRId64, v)) < 0)
		return r;
	if (again && (r = put(d, pfile, err, "%" PRId64, p)) < 0)
		return r;
	return 0;
}

/* A refused rt runtime is most often beyond the parent's budget (a new
 * cgroup has none): the error says what the parent has. */
static int rt_pair(const char *d, json_object *cpu, husk_error **err)
{
	bool a, b;
	if (json_i64(cpu, "realtimePeriod", &a) == 0 && json_i64(cpu, "realtimeRuntime", &b) == 0)
		return 0;
	/* No RT group scheduling in the kernel (CONFIG_RT_GROUP_SCHED; and
	 * mainline has no cgroup v2 interface for it): an error, not a limit
	 * silently dropped. */
	char probe[64];
	if (cgroup_read(d, "cpu.rt_runtime_us", probe, sizeof(probe)) < 0)
		return husk_fail(err, 0, "cpu.realtimePeriod, cpu.realtimeRuntime: this host has no real-time group "
				 "scheduling for cgroup %s (no cpu.rt_runtime_us)", d);
	int r = period_pair(d, cpu, "realtimePeriod", "cpu.rt_period_us", "realtimeRuntime", "cpu.rt_runtime_us", err);
	char parent[1400], runtime[32], period[32];
	snprintf(parent, sizeof(parent), "%s", d);
	char *slash = strrchr(parent, '/');
	if (r >= 0 || slash == NULL)
		return r;
	*slash = '\0';
	if (cgroup_read(parent, "cpu.rt_runtime_us", runtime, sizeof(runtime)) <= 0 ||
	    cgroup_read(parent, "cpu.rt_period_us", period, sizeof(period)) <= 0)
		return r;
	runtime[strcspn(runtime, "\n")] = period[strcspn(period, "\n")] = '\0';
	return husk_wrap(err, "cpu rt (the parent cgroup has an rt runtime of %s per %s us)", runtime, period);
}

static int v1_cpu(json_object *cpu, cgroup_dir_fn dir, void *ctx, husk_error **err)
{
	if (cpu == NULL)
		return 0;
	char d[1400];
	bool given;
	int r;
	struct {
		const char *key, *file;
		bool zero_unset;
	} fields[] = {
		{ "shares", "cpu.shares", true },
		{ "burst", "cpu.cfs_burst_us", false },
		{ "idle", "cpu.idle", false },
	};
	bool any = false;
	static const char *const pairs[] = { "period", "quota", "realtimePeriod", "realtimeRuntime" };
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		any = any || (json_i64(cpu, pairs[i], &given) != 0 && given);
	if (any && ((r = v1_dir_or_fail(dir, ctx, "cpu", d, sizeof(d), err)) < 0 ||
		    (r = period_pair(d, cpu, "period", "cpu.cfs_period_us", "quota", "cpu.cfs_quota_us", err)) < 0 ||
		    (r = rt_pair(d, cpu, err)) < 0))
		return r;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		int64_t v = json_i64(cpu, fields[i].key, &given);
		if (!given || (v == 0 && fields[i].zero_unset))
			continue;
		if ((r = v1_dir_or_fail(dir, ctx, "cpu", d, sizeof(d), err)) < 0 ||
		    (r = put(d, fields[i].file, err, "%" PRId64, v)) < 0)
			return r;
	}
	const char *sets[][2] = { { "cpus", "cpuset.cpus" }, { "mems", "cpuset.mems" } };
	for (int i = 0; i < 2; i++) {
		const char *v = str(cpu, sets[i][0]);
		if (v && *v && ((r = v1_dir_or_fail(dir, ctx, "cpuset", d, sizeof(d), err)) < 0 ||
				(r = cgroup_write(d, sets[i][1], v, err)) < 0))
			return r;
	}
	return 0;
}

static int v1_blkio(json_object *bio, cgroup_dir_fn dir, void *ctx, husk_error **err)
{
	if (bio == NULL)
		return 0;
	char d[1400];
	bool given;
	int r = 0;
	bool has_leaf;
	int64_t w = json_i64(bio, "weight", &given), lw = json_i64(bio, "leafWeight", &has_leaf);
	bool need = (given && w) || (has_leaf && lw) || arr(bio, "weightDevice") || arr(bio, "throttleReadBpsDevice") ||
		    arr(bio, "throttleWriteBpsDevice") || arr(bio, "throttleReadIOPSDevice") ||
		    arr(bio, "throttleWriteIOPSDevice");
	if (!need)
		return 0;
	if ((r = v1_dir_or_fail(dir, ctx, "blkio", d, sizeof(d), err)) < 0)
		return r;
	char probe[8];
	bool bfq = cgroup_read(d, "blkio.weight", probe, sizeof(probe)) < 0;
	if (given && w && (r = put(d, bfq ? "blkio.bfq.weight" : "blkio.weight", err, "%" PRId64, w)) < 0)
		return r;
	if (has_leaf && lw && (r = put(d, "blkio.leaf_weight", err, "%" PRId64, lw)) < 0)
		return r;
	json_object *wd = arr(bio, "weightDevice");
	for (size_t i = 0; wd && i < json_object_array_length(wd); i++) {
		json_object *e = json_object_array_get_idx(wd, i);
		bool a, b, c, l;
		int64_t maj = json_i64(e, "major", &a), min = json_i64(e, "minor", &b), wt = json_i64(e, "weight", &c),
			lwt = json_i64(e, "leafWeight", &l);
		if (c && wt && (r = put(d, bfq ? "blkio.bfq.weight_device" : "blkio.weight_device", err,
					"%" PRId64 ":%" PRId64 " %" PRId64, maj, min, wt)) < 0)
			return r;
		if (l && lwt && (r = put(d, "blkio.leaf_weight_device", err, "%" PRId64 ":%" PRId64 " %" PRId64,
					 maj, min, lwt)) < 0)
			return r;
	}
	static const char *const throttles[][2] = {
		{ "throttleReadBpsDevice", "blkio.throttle.read_bps_device" },
		{ "throttleWriteBpsDevice", "blkio.throttle.write_bps_device" },
		{ "throttleReadIOPSDevice", "blkio.throttle.read_iops_device" },
		{ "throttleWriteIOPSDevice", "blkio.throttle.write_iops_device" },
	};
	for (int t = 0; t < 4; t++) {
		json_object *list = arr(bio, throttles[t][0]);
		for (size_t i = 0; list && i < json_object_array_length(list); i++) {
			json_object *e = json_object_array_get_idx(list, i);
			bool a, b, c;
			int64_t maj = json_i64(e, "major", &a), min = json_i64(e, "minor", &b), rate = json_i64(e, "rate", &c);
			if ((r = put(d, throttles[t][1], err, "%" PRId64 ":%" PRId64 " %" PRId64, maj, min, rate)) < 0)
				return r;
		}
	}
	return 0;
}

/* hugetlb and rdma: the same shape on both versions but for file names. */
static int hugetlb_rdma(json_object *res, const char *hdir, const char *rdir, bool v2, husk_error **err)
{
	int r;
	json_object *hp = arr(res, "hugepageLimits");
	for (size_t i = 0; hp && i < json_object_array_length(hp); i++) {
		json_object *e = json_object_array_get_idx(hp, i);
		bool given;
		int64_t limit = json_i64(e, "limit", &given);
		const char *size = str(e, "pageSize");
		char file[64];
		if (size == NULL || hdir == NULL)
			return husk_fail(err, 0, "hugepageLimits: no hugetlb cgroup on this host");
		snprintf(file, sizeof(file), v2 ? "hugetlb.%s.max" : "hugetlb.%s.limit_in_bytes", size);
		if ((r = put(hdir, file, err, "%" PRId64, limit)) < 0)
			return r;
		/* As runc: the reservation limit (kernel 5.7+) gets the same
		 * value where the kernel has it, or pages reserved by mmap but
		 * not yet faulted in would escape the limit. */
		snprintf(file, sizeof(file), v2 ? "hugetlb.%s.rsvd.max" : "hugetlb.%s.rsvd.limit_in_bytes", size);
		char probe[32];
		if (cgroup_read(hdir, file, probe, sizeof(probe)) >= 0 &&
		    (r = put(hdir, file, err, "%" PRId64, limit)) < 0)
			return r;
	}
	json_object *rdma = obj(res, "rdma");
	if (rdma) {
		json_object_object_foreach(rdma, dev, lim)
		{
			bool h, o;
			int64_t handles = json_i64(lim, "hcaHandles", &h), objects = json_i64(lim, "hcaObjects", &o);
			char line[256];
			int n = snprintf(line, sizeof(line), "%s", dev);
			if (h)
				n += snprintf(line + n, sizeof(line) - n, " hca_handle=%" PRId64, handles);
			if (o)
				snprintf(line + n, sizeof(line) - n, " hca_object=%" PRId64, objects);
			if (rdir == NULL)
				return husk_fail(err, 0, "rdma: no rdma cgroup on this host");
			if ((r = cgroup_write(rdir, "rdma.max", line, err)) < 0)
				return r;
		}
	}
	return 0;
}

int resources_apply_v1(json_object *res, cgroup_dir_fn dir, void *ctx, husk_error **err)
{
	if (res == NULL)
		return 0;
	char d[1400], h[1400], rd[1400];
	int r;
	json_object *unified = obj(res, "unified");
	if (unified && json_object_object_length(unified) > 0)
		return husk_fail(err, 0, "linux.resources.unified: needs a cgroup v2 host");
	if ((r = v1_memory(obj(res, "memory"), dir, ctx, err)) < 0 ||
	    (r = v1_cpu(obj(res, "cpu"), dir, ctx, err)) < 0 || (r = v1_blkio(obj(res, "blockIO"), dir, ctx, err)) < 0)
		return r;
	json_object *pids = obj(res, "pids");
	bool given;
	int64_t limit = json_i64(pids, "limit", &given);
	if (given && limit != 0) {
		char lim[32];
		limit_text(limit, lim, sizeof(lim), "max");
		if ((r = v1_dir_or_fail(dir, ctx, "pids", d, sizeof(d), err)) < 0 ||
		    (r = cgroup_write(d, "pids.max", lim, err)) < 0)
			return r;
	}
	json_object *net = obj(res, "network");
	int64_t classid = json_i64(net, "classID", &given);
	if (given && ((r = v1_dir_or_fail(dir, ctx, "net_cls", d, sizeof(d), err)) < 0 ||
		      (r = put(d, "net_cls.classid", err, "%" PRId64, classid)) < 0))
		return r;
	json_object *prios = arr(net, "priorities");
	for (size_t i = 0; prios && i < json_object_array_length(prios); i++) {
		json_object *e = json_object_array_get_idx(prios, i);
		bool g;
		int64_t p = json_i64(e, "priority", &g);
		if ((r = v1_dir_or_fail(dir, ctx, "net_prio", d, sizeof(d), err)) < 0 ||
		    (r = put(d, "net_prio.ifpriomap", err, "%s %" PRId64, str(e, "name") ? str(e, "name") : "", p)) < 0)
			return r;
	}
	json_object *devices = json_member(res, "devices");
	if (devices && dir(ctx, "devices", d, sizeof(d)) == 0 && (r = devices_v1_apply(d, devices, err)) < 0)
		return r;
	bool has_h = dir(ctx, "hugetlb", h, sizeof(h)) == 0, has_r = dir(ctx, "rdma", rd, sizeof(rd)) == 0;
	return hugetlb_rdma(res, has_h ? h : NULL, has_r ? rd : NULL, false, err);
}

/* ---- v2 ---------------------------------------------------------------- */

/* cpu.max holds quota and period in one write, which the kernel checks
 * against no parent (v2 takes the smaller of the two).  What update does
 * not give is kept from the file: --cpu-quota alone keeps the period. */
static int v2_cpu_max(json_object *cpu, const char *d, husk_error **err)
{
	bool has_quota, has_period;
	int64_t quota = json_i64(cpu, "quota", &has_quota), period = json_i64(cpu, "period", &has_period);
	has_quota = has_quota && quota != 0;
	has_period = has_period && period > 0;
	if (!has_quota && !has_period)
		return 0;
	char cur[64] = "max 100000", q[32];
	if (cgroup_read(d, "cpu.max", cur, sizeof(cur)) <= 0)
		snprintf(cur, sizeof(cur), "max 100000");
	char *sp = strchr(cur, ' ');
	int64_t cur_period = sp ? strtoll(sp + 1, NULL, 10) : 100000;
	if (sp)
		*sp = '\0';
	if (!has_quota)
		snprintf(q, sizeof(q), "%s", cur);
	else if (quota > 0)
		snprintf(q, sizeof(q), "%" PRId64, quota);
	else
		snprintf(q, sizeof(q), "max");
	return put(d, "cpu.max", err, "%s %" PRId64, q, has_period ? period : cur_period > 0 ? cur_period : 100000);
}

int resources_apply_v2(json_object *res, const char *d, husk_error **err)
{
	if (res == NULL)
		return 0;
	int r;
	bool given, has_limit, has_swap;
	json_object *mem = obj(res, "memory");
	int64_t limit = json_i64(mem, "limit", &has_limit), swap = json_i64(mem, "swap", &has_swap);
	char buf[32];
	if (mem && cgroup_read(d, "memory.current", buf, sizeof(buf)) > 0 &&
	    (r = check_before_update(mem, strtoull(buf, NULL, 10), err)) < 0)
		return r;
	if (has_limit) {
		limit_text(limit, buf, sizeof(buf), "max");
		if ((r = cgroup_write(d, "memory.max", buf, err)) < 0)
			return r;
	}
	/* v1's swap is memory+swap; v2's swap.max is swap alone. */
	if (has_swap) {
		if (swap < 0)
			snprintf(buf, sizeof(buf), "max");
		else if (has_limit && limit >= 0 && swap >= limit)
			snprintf(buf, sizeof(buf), "%" PRId64, swap - limit);
		else if (!has_limit || limit < 0)
			return husk_fail(err, 0, "memory.swap: needs a memory limit on cgroup v2");
		else
			return husk_fail(err, 0, "memory.swap: less than memory.limit");
		if ((r = cgroup_write(d, "memory.swap.max", buf, err)) < 0)
			return r;
	}
	int64_t v = json_i64(mem, "reservation", &given);
	if (given && (r = put(d, "memory.low", err, "%" PRId64, v)) < 0)
		return r;
	json_object *cpu = obj(res, "cpu");
	v = json_i64(cpu, "shares", &given);
	if (given && v && (r = put(d, "cpu.weight", err, "%" PRIu64, cpu_shares_to_weight(v))) < 0)
		return r;
	if ((r = v2_cpu_max(cpu, d, err)) < 0 || (r = rt_pair(d, cpu, err)) < 0)
		return r;
	v = json_i64(cpu, "burst", &given);
	if (given && (r = put(d, "cpu.max.burst", err, "%" PRId64, v)) < 0)
		return r;
	v = json_i64(cpu, "idle", &given);
	if (given && (r = put(d, "cpu.idle", err, "%" PRId64, v)) < 0)
		return r;
	if (str(cpu, "cpus") && *str(cpu, "cpus") && (r = cgroup_write(d, "cpuset.cpus", str(cpu, "cpus"), err)) < 0)
		return r;
	if (str(cpu, "mems") && *str(cpu, "mems") && (r = cgroup_write(d, "cpuset.mems", str(cpu, "mems"), err)) < 0)
		return r;
	v = json_i64(obj(res, "pids"), "limit", &given);
	if (given && v != 0) {
		limit_text(v, buf, sizeof(buf), "max");
		if ((r = cgroup_write(d, "pids.max", buf, err)) < 0)
			return r;
	}
	json_object *bio = obj(res, "blockIO");
	v = json_i64(bio, "weight", &given);
	if (given && v) {
		char probe[8];
		bool bfq = cgroup_read(d, "io.bfq.weight", probe, sizeof(probe)) > 0;
		if ((r = put(d, bfq ? "io.bfq.weight" : "io.weight", err, "%" PRIu64,
			     bfq ? (uint64_t) v : blkio_weight_to_io_weight(v))) < 0)
			return r;
	}
	static const char *const throttles[][2] = {
		{ "throttleReadBpsDevice", "rbps" }, { "throttleWriteBpsDevice", "wbps" },
		{ "throttleReadIOPSDevice", "riops" }, { "throttleWriteIOPSDevice", "wiops" },
	};
	for (int t = 0; t < 4; t++) {
		json_object *list = arr(bio, throttles[t][0]);
		for (size_t i = 0; list && i < json_object_array_length(list); i++) {
			json_object *e = json_object_array_get_idx(list, i);
			bool a, b, c;
			int64_t maj = json_i64(e, "major", &a), min = json_i64(e, "minor", &b), rate = json_i64(e, "rate", &c);
			if ((r = put(d, "io.max", err, "%" PRId64 ":%" PRId64 " %s=%" PRId64, maj, min,
				     throttles[t][1], rate)) < 0)
				return r;
		}
	}
	if ((r = hugetlb_rdma(res, d, d, true, err)) < 0)
		return r;
	json_object *unified = obj(res, "unified");
	if (unified) {
		json_object_object_foreach(unified, key, val)
		{
			if (strchr(key, '/') || strncmp(key, "cgroup.", 7) == 0 || !json_is_string(val))
				return husk_fail(err, 0, "linux.resources.unified: \"%s\" is not a settable file", key);
			if ((r = cgroup_write(d, key, json_object_get_string(val), err)) < 0)
				return r;
		}
	}
	/* devices are no file on v2: v2.c attaches an eBPF program for them
	 * (devices_v2.c). */
	return 0;
}

/* ---- stats ------------------------------------------------------------- */

static uint64_t read_u64(const char *dir, const char *file)
{
	char buf[64];
	if (cgroup_read(dir, file, buf, sizeof(buf)) <= 0 || strncmp(buf, "max", 3) == 0)
		return 0;
	return strtoull(buf, NULL, 10);
}

/* "key value" lines of a file into an object. */
static json_object *read_flat(const char *dir, const char *file)
{
	char buf[8192];
	json_object *o = json_object_new_object();
	if (cgroup_read(dir, file, buf, sizeof(buf)) <= 0)
		return o;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		char *sp = strchr(line, ' ');
		if (sp == NULL)
			continue;
		*sp = '\0';
		json_object_object_add(o, line, json_object_new_uint64(strtoull(sp + 1, NULL, 10)));
	}
	return o;
}

static json_object *usage(uint64_t used, uint64_t max, uint64_t failcnt, uint64_t limit)
{
	json_object *u = json_object_new_object();
	json_object_object_add(u, "usage", json_object_new_uint64(used));
	json_object_object_add(u, "max", json_object_new_uint64(max));
	json_object_object_add(u, "failcnt", json_object_new_uint64(failcnt));
	json_object_object_add(u, "limit", json_object_new_uint64(limit));
	return u;
}

static json_object *pids_stats(const char *dir)
{
	json_object *p = json_object_new_object();
	json_object_object_add(p, "current", json_object_new_uint64(read_u64(dir, "pids.current")));
	json_object_object_add(p, "limit", json_object_new_uint64(read_u64(dir, "pids.max")));
	return p;
}

static json_object *stats_skeleton(json_object *cpu, json_object *mem, json_object *pids)
{
	json_object *s = json_object_new_object();
	json_object_object_add(s, "cpu", cpu);
	json_object_object_add(s, "memory", mem);
	json_object_object_add(s, "pids", pids);
	json_object_object_add(s, "blkio", json_object_new_object());
	json_object_object_add(s, "hugetlb", json_object_new_object());
	json_object_object_add(s, "intel_rdt", json_object_new_object());
	json_object_object_add(s, "network_interfaces", NULL);
	return s;
}

int resources_stats_v1(cgroup_dir_fn dir, void *ctx, json_object **ret, husk_error **err)
{
	(void) err;
	char d[1400];
	json_object *cpu = json_object_new_object(), *cu = json_object_new_object(), *thr;
	if (dir(ctx, "cpuacct", d, sizeof(d)) == 0) {
		json_object *percpu = json_object_new_array(), *st = read_flat(d, "cpuacct.stat");
		char buf[4096];
		json_object_object_add(cu, "total", json_object_new_uint64(read_u64(d, "cpuacct.usage")));
		if (cgroup_read(d, "cpuacct.usage_percpu", buf, sizeof(buf)) > 0)
			for (char *t = strtok(buf, " \n"); t; t = strtok(NULL, " \n"))
				json_object_array_add(percpu, json_object_new_uint64(strtoull(t, NULL, 10)));
		json_object_object_add(cu, "percpu", percpu);
		/* cpuacct.stat counts in USER_HZ ticks; runc reports ns. */
		long hz = sysconf(_SC_CLK_TCK);
		uint64_t tick_ns = hz > 0 ? 1000000000ULL / hz : 10000000ULL;
		json_object *v;
		json_object_object_add(cu, "kernel", json_object_new_uint64(
			(json_object_object_get_ex(st, "system", &v) ? json_object_get_uint64(v) : 0) * tick_ns));
		json_object_object_add(cu, "user", json_object_new_uint64(
			(json_object_object_get_ex(st, "user", &v) ? json_object_get_uint64(v) : 0) * tick_ns));
		json_object_put(st);
	}
	json_object_object_add(cpu, "usage", cu);
	thr = json_object_new_object();
	if (dir(ctx, "cpu", d, sizeof(d)) == 0) {
		json_object *st = read_flat(d, "cpu.stat"), *v;
		json_object_object_add(thr, "periods", json_object_new_uint64(json_object_object_get_ex(st, "nr_periods", &v) ? json_object_get_uint64(v) : 0));
		json_object_object_add(thr, "throttled_periods", json_object_new_uint64(json_object_object_get_ex(st, "nr_throttled", &v) ? json_object_get_uint64(v) : 0));
		json_object_object_add(thr, "throttled_time", json_object_new_uint64(json_object_object_get_ex(st, "throttled_time", &v) ? json_object_get_uint64(v) : 0));
		json_object_put(st);
	}
	json_object_object_add(cpu, "throttling", thr);
	json_object *mem = json_object_new_object();
	if (dir(ctx, "memory", d, sizeof(d)) == 0) {
		json_object *raw = read_flat(d, "memory.stat"), *v;
		json_object_object_add(mem, "cache", json_object_new_uint64(json_object_object_get_ex(raw, "cache", &v) ? json_object_get_uint64(v) : 0));
		json_object_object_add(mem, "usage", usage(read_u64(d, "memory.usage_in_bytes"), read_u64(d, "memory.max_usage_in_bytes"),
							   read_u64(d, "memory.failcnt"), read_u64(d, "memory.limit_in_bytes")));
		json_object_object_add(mem, "swap", usage(read_u64(d, "memory.memsw.usage_in_bytes"), read_u64(d, "memory.memsw.max_usage_in_bytes"),
							  read_u64(d, "memory.memsw.failcnt"), read_u64(d, "memory.memsw.limit_in_bytes")));
		json_object_object_add(mem, "raw", raw);
	}
	json_object *pids = dir(ctx, "pids", d, sizeof(d)) == 0 ? pids_stats(d) : json_object_new_object();
	*ret = stats_skeleton(cpu, mem, pids);
	return 0;
}

int resources_stats_v2(const char *d, json_object **ret, husk_error **err)
{
	(void) err;
	json_object *st = read_flat(d, "cpu.stat"), *v;
	json_object *cpu = json_object_new_object(), *cu = json_object_new_object(), *thr = json_object_new_object();
#define F(o, k) (json_object_object_get_ex((o), (k), &v) ? json_object_get_uint64(v) : 0)
	json_object_object_add(cu, "total", json_object_new_uint64(F(st, "usage_usec") * 1000));
	json_object_object_add(cu, "kernel", json_object_new_uint64(F(st, "system_usec") * 1000));
	json_object_object_add(cu, "user", json_object_new_uint64(F(st, "user_usec") * 1000));
	json_object_object_add(cpu, "usage", cu);
	json_object_object_add(thr, "periods", json_object_new_uint64(F(st, "nr_periods")));
	json_object_object_add(thr, "throttled_periods", json_object_new_uint64(F(st, "nr_throttled")));
	json_object_object_add(thr, "throttled_time", json_object_new_uint64(F(st, "throttled_usec") * 1000));
	json_object_object_add(cpu, "throttling", thr);
	json_object_put(st);
	json_object *mem = json_object_new_object(), *raw = read_flat(d, "memory.stat");
	json_object_object_add(mem, "cache", json_object_new_uint64(F(raw, "file")));
	json_object *events = read_flat(d, "memory.events");
	json_object_object_add(mem, "usage", usage(read_u64(d, "memory.current"), read_u64(d, "memory.peak"),
						   F(events, "max"), read_u64(d, "memory.max")));
	json_object_put(events);
	json_object_object_add(mem, "swap", usage(read_u64(d, "memory.swap.current"), read_u64(d, "memory.swap.peak"), 0,
						  read_u64(d, "memory.swap.max")));
	json_object_object_add(mem, "raw", raw);
#undef F
	*ret = stats_skeleton(cpu, mem, pids_stats(d));
	return 0;
}
