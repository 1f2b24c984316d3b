/* `update --resources` (and linux.resources at create): the JSON object
 * written to cgroup files by the v1 and v2 writers.
 *
 * The cgroup "directory" is a temporary one in which every file the
 * writers know is a symlink to /dev/null: writes succeed, reads give
 * nothing, and no run depends on the one before. */
#include "fuzz.h"

#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "cgroup/resources.h"
#include "util/error.h"
#include "util/json.h"

static const char *const cgroup_files[] = {
	"memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.soft_limit_in_bytes",
	"memory.kmem.limit_in_bytes", "memory.kmem.tcp.limit_in_bytes", "memory.swappiness",
	"memory.oom_control", "memory.usage_in_bytes", "memory.memsw.usage_in_bytes",
	"memory.use_hierarchy", "memory.max", "memory.swap.max", "memory.low", "memory.high",
	"memory.current", "memory.swap.current", "memory.oom.group",
	"cpu.shares", "cpu.cfs_quota_us", "cpu.cfs_period_us", "cpu.cfs_burst_us", "cpu.rt_period_us",
	"cpu.rt_runtime_us", "cpu.idle", "cpu.weight", "cpu.max", "cpu.max.burst",
	"cpuset.cpus", "cpuset.mems", "pids.max", "devices.allow", "devices.deny",
	"blkio.weight", "blkio.leaf_weight", "blkio.weight_device", "blkio.leaf_weight_device",
	"blkio.bfq.weight", "blkio.bfq.weight_device", "blkio.throttle.read_bps_device",
	"blkio.throttle.write_bps_device", "blkio.throttle.read_iops_device",
	"blkio.throttle.write_iops_device", "io.weight", "io.bfq.weight", "io.max",
	"net_cls.classid", "net_prio.ifpriomap", "rdma.max",
	"hugetlb.2MB.limit_in_bytes", "hugetlb.1GB.limit_in_bytes", "hugetlb.2MB.max", "hugetlb.1GB.max",
	"hugetlb.2MB.rsvd.limit_in_bytes", "hugetlb.2MB.rsvd.max",
};

static char dir[64];

static void remove_dir(void)
{
	char path[PATH_MAX];
	for (size_t i = 0; i < sizeof(cgroup_files) / sizeof(*cgroup_files); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, cgroup_files[i]);
		unlink(path);
	}
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void) argc;
	(void) argv;
	snprintf(dir, sizeof(dir), "/tmp/husk-fuzz-cgroup.XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	char path[PATH_MAX];
	for (size_t i = 0; i < sizeof(cgroup_files) / sizeof(*cgroup_files); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, cgroup_files[i]);
		if (symlink("/dev/null", path) < 0)
			abort();
	}
	atexit(remove_dir);
	return 0;
}

/* v1: every controller's directory is the same one. */
static int same_dir(void *ctx, const char *controller, char *out, size_t len)
{
	(void) ctx;
	(void) controller;
	snprintf(out, len, "%s", dir);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	if (text == NULL)
		return 0;
	husk_error *err = NULL;
	json_object *res = NULL;
	/* read_resources: JSON, and an object. */
	if (json_parse_text(text, size, &res, &err) == 0 && json_is_object(res)) {
		resources_apply_v2(res, dir, &err);
		husk_error_freep(&err);
		resources_apply_v1(res, same_dir, NULL, &err);
	}
	husk_error_free(err);
	json_object_put(res);
	free(text);
	return 0;
}
