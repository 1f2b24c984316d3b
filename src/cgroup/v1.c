/* cgroup v1: a directory per hierarchy (/sys/fs/cgroup/<controllers>), and
 * on a hybrid host the cgroup2 at /sys/fs/cgroup/unified kept in step. */
#include "cgroup/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/resources.h"
#include "util/cleanup.h"
#include "util/json.h"

#define ROOT "/sys/fs/cgroup"
#define CGROUP_SUPER_MAGIC 0x27e0eb
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* Calls fn for each hierarchy mounted under /sys/fs/cgroup (the
 * comma-joined controller names, "systemd", "unified"...). */
int cgroup_v1_hierarchies(int (*fn)(const char *name, void *ctx), void *ctx)
{
	cleanup_closedir DIR *d = opendir(ROOT);
	if (d == NULL)
		return -errno;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		char dir[300];
		struct statfs sf;
		snprintf(dir, sizeof(dir), ROOT "/%s", de->d_name);
		if (statfs(dir, &sf) < 0 || (sf.f_type != CGROUP_SUPER_MAGIC && sf.f_type != CGROUP2_SUPER_MAGIC))
			continue;
		int r = fn(de->d_name, ctx);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The directory of the cgroup in the hierarchy holding controller ctrl. */
static bool controller_dir(const struct cgroup *cg, const char *ctrl, char *out, size_t len)
{
	char probe[300];
	/* cpu and cpuacct may share a hierarchy mounted as "cpu,cpuacct";
	 * the single names are then symlinks, which resolve fine. */
	snprintf(probe, sizeof(probe), ROOT "/%s", ctrl);
	struct stat st;
	if (stat(probe, &st) < 0 || !S_ISDIR(st.st_mode))
		return false;
	snprintf(out, len, "%s%s", probe, cg->path);
	return true;
}

struct enter_ctx {
	const struct cgroup *cg;
	pid_t pid;
	husk_error **err;
};

/* mkdir -p of the cgroup inside one hierarchy; cpuset directories get
 * their parent's cpus and mems, or no task could join them. */
static int make_dirs(const char *hier, const char *path, husk_error **err)
{
	char dir[1400], parent[1400];
	bool cpuset = strstr(hier, "cpuset") != NULL;
	snprintf(dir, sizeof(dir), ROOT "/%s", hier);
	snprintf(parent, sizeof(parent), "%s", dir);
	for (const char *p = path; *p;) {
		const char *next = strchr(p + 1, '/');
		size_t n = next ? (size_t) (next - p) : strlen(p);
		size_t len = strlen(dir);
		snprintf(dir + len, sizeof(dir) - len, "%.*s", (int) n, p);
		p += n;
		if (strcmp(dir + len, "/") == 0)
			continue;
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return husk_fail(err, errno, "create cgroup %s", dir);
		if (cpuset) {
			char buf[256];
			for (int i = 0; i < 2; i++) {
				const char *f = i == 0 ? "cpuset.cpus" : "cpuset.mems";
				if (cgroup_read(dir, f, buf, sizeof(buf)) > 1)
					continue;
				if (cgroup_read(parent, f, buf, sizeof(buf)) > 0 && cgroup_write(dir, f, buf, err) < 0)
					return -1;
			}
		}
		snprintf(parent, sizeof(parent), "%s", dir);
	}
	return 0;
}

static int enter_one(const char *hier, void *ctx)
{
	struct enter_ctx *e = ctx;
	char dir[1400], pid[16];
	int r = make_dirs(hier, e->cg->path, e->err);
	if (r < 0)
		return r;
	snprintf(dir, sizeof(dir), ROOT "/%s%s", hier, e->cg->path);
	snprintf(pid, sizeof(pid), "%d", (int) e->pid);
	return cgroup_write(dir, "cgroup.procs", pid, e->err);
}

static int v1_enter(struct cgroup *cg, pid_t pid, json_object *resources, husk_error **err)
{
	(void) resources;   /* written by apply */
	struct enter_ctx e = { cg, pid, err };
	int r = cgroup_v1_hierarchies(enter_one, &e);
	if (r < 0 && err && *err == NULL)
		return husk_fail(err, -r, "list cgroup hierarchies");
	return r;
}

struct remove_ctx {
	const struct cgroup *cg;
	bool wait;
	husk_error **err;
};

static int remove_one(const char *hier, void *ctx)
{
	struct remove_ctx *rc = ctx;
	char dir[1400];
	snprintf(dir, sizeof(dir), ROOT "/%s%s", hier, rc->cg->path);
	return cgroup_rmdir_tree(dir, rc->wait, rc->err);
}

static int v1_remove(const struct cgroup *cg, bool wait, husk_error **err)
{
	struct remove_ctx rc = { cg, wait, err };
	return cgroup_v1_hierarchies(remove_one, &rc);
}

static int v1_procs(const struct cgroup *cg, pid_t **ret, size_t *n, husk_error **err)
{
	char dir[1400];
	/* Every task is in every hierarchy: the first one that is there. */
	static const char *const ctrls[] = { "pids", "memory", "freezer", "cpu", "systemd", "unified" };
	for (size_t i = 0; i < sizeof(ctrls) / sizeof(ctrls[0]); i++)
		if (controller_dir(cg, ctrls[i], dir, sizeof(dir)) && access(dir, F_OK) == 0)
			return cgroup_read_procs(dir, ret, n, err);
	*ret = NULL;
	*n = 0;
	return 0;
}

static int v1_freeze(const struct cgroup *cg, bool frozen, husk_error **err)
{
	char dir[1400], state[32];
	if (!controller_dir(cg, "freezer", dir, sizeof(dir)))
		return husk_fail(err, 0, "no freezer cgroup on this host");
	const char *want = frozen ? "FROZEN" : "THAWED";
	int r = cgroup_write(dir, "freezer.state", want, err);
	if (r < 0)
		return r;
	/* FREEZING until every task stopped; done when it reads FROZEN. */
	for (int i = 0; i < 1000; i++) {
		if (cgroup_read(dir, "freezer.state", state, sizeof(state)) > 0 && strncmp(state, want, strlen(want)) == 0)
			return 0;
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
		if (frozen && i % 50 == 49)
			cgroup_write(dir, "freezer.state", want, NULL);
	}
	return husk_fail(err, ETIMEDOUT, "freeze %s", dir);
}

static bool v1_frozen(const struct cgroup *cg)
{
	char dir[1400], state[32];
	return controller_dir(cg, "freezer", dir, sizeof(dir)) &&
	       cgroup_read(dir, "freezer.state", state, sizeof(state)) > 0 &&
	       strncmp(state, "THAWED", 6) != 0;
}

static int v1_dir(void *ctx, const char *ctrl, char *out, size_t len)
{
	return controller_dir(ctx, ctrl, out, len) ? 0 : -ENOENT;
}

static int v1_apply(const struct cgroup *cg, json_object *res, husk_error **err)
{
	return resources_apply_v1(res, v1_dir, (void *) cg, err);
}

static int v1_stats(const struct cgroup *cg, json_object **ret, husk_error **err)
{
	return resources_stats_v1(v1_dir, (void *) cg, ret, err);
}

const struct cgroup_ops cgroup_v1_ops = {
	.name = "cgroupfs v1",
	.enter = v1_enter,
	.apply = v1_apply,
	.freeze = v1_freeze,
	.frozen = v1_frozen,
	.procs = v1_procs,
	.stats = v1_stats,
	.remove = v1_remove,
};
