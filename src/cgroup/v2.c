/* cgroup v2: the unified hierarchy at /sys/fs/cgroup. */
#include "cgroup/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/devices_v2.h"
#include "cgroup/resources.h"
#include "util/json.h"

#define ROOT "/sys/fs/cgroup"

static void dir_of(const struct cgroup *cg, char *out, size_t len)
{
	snprintf(out, len, ROOT "%s", cg->path);
}

/* Each ancestor delegates the controllers it has to its children, so the
 * container's cgroup can use them. */
static int enable_controllers(const char *dir, husk_error **err)
{
	char avail[512], line[600] = "";
	if (cgroup_read(dir, "cgroup.controllers", avail, sizeof(avail)) <= 0)
		return 0;
	for (char *c = strtok(avail, " \n"); c; c = strtok(NULL, " \n")) {
		size_t n = strlen(line);
		snprintf(line + n, sizeof(line) - n, "%s+%s", n ? " " : "", c);
	}
	if (*line == '\0')
		return 0;
	return cgroup_write(dir, "cgroup.subtree_control", line, err);
}

/* Creates the cgroup and its parents; dir gets its path. */
static int make_dirs(const struct cgroup *cg, char *dir, size_t len_dir, husk_error **err)
{
	int r;
	snprintf(dir, len_dir, ROOT);
	for (const char *p = cg->path; *p;) {
		const char *next = strchr(p + 1, '/');
		size_t n = next ? (size_t) (next - p) : strlen(p);
		/* An ancestor above a subtree delegated to a rootless husk is
		 * not its to change (root may write any). */
		char ctl[1450];
		snprintf(ctl, sizeof(ctl), "%s/cgroup.subtree_control", dir);
		if (access(ctl, W_OK) == 0 && (r = enable_controllers(dir, err)) < 0)
			return r;
		size_t len = strlen(dir);
		snprintf(dir + len, len_dir - len, "%.*s", (int) n, p);
		p += n;
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return husk_fail(err, errno, "create cgroup %s", dir);
	}
	return 0;
}

static int v2_enter(struct cgroup *cg, pid_t pid, json_object *resources, husk_error **err)
{
	(void) resources;   /* written by apply */
	char dir[1400], pidbuf[16];
	int r = make_dirs(cg, dir, sizeof(dir), err);
	if (r < 0)
		return r;
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int) pid);
	return cgroup_write(dir, "cgroup.procs", pidbuf, err);
}

static int v2_open_dir(const struct cgroup *cg, husk_error **err)
{
	char dir[1400];
	int r = make_dirs(cg, dir, sizeof(dir), err);
	if (r < 0)
		return r;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return husk_fail(err, errno, "open cgroup %s", dir);
	return fd;
}

static int v2_apply(const struct cgroup *cg, json_object *res, husk_error **err)
{
	char dir[1400];
	dir_of(cg, dir, sizeof(dir));
	int r = resources_apply_v2(res, dir, err);
	json_object *devices = res ? json_member(res, "devices") : NULL;
	if (r >= 0 && devices)
		r = devices_v2_apply(dir, devices, err);
	return r;
}

static bool v2_frozen(const struct cgroup *cg)
{
	char dir[1400], buf[512];
	dir_of(cg, dir, sizeof(dir));
	return cgroup_read(dir, "cgroup.events", buf, sizeof(buf)) > 0 && strstr(buf, "frozen 1") != NULL;
}

static int v2_freeze(const struct cgroup *cg, bool frozen, husk_error **err)
{
	char dir[1400];
	dir_of(cg, dir, sizeof(dir));
	int r = cgroup_write(dir, "cgroup.freeze", frozen ? "1" : "0", err);
	if (r < 0)
		return r;
	for (int i = 0; i < 1000; i++) {
		if (v2_frozen(cg) == frozen)
			return 0;
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
	return husk_fail(err, ETIMEDOUT, "%s %s", frozen ? "freeze" : "thaw", dir);
}

static int v2_procs(const struct cgroup *cg, pid_t **ret, size_t *n, husk_error **err)
{
	char dir[1400];
	dir_of(cg, dir, sizeof(dir));
	return cgroup_read_procs(dir, ret, n, err);
}

static int v2_stats(const struct cgroup *cg, json_object **ret, husk_error **err)
{
	char dir[1400];
	dir_of(cg, dir, sizeof(dir));
	return resources_stats_v2(dir, ret, err);
}

static int v2_remove(const struct cgroup *cg, bool wait, husk_error **err)
{
	char dir[1400];
	dir_of(cg, dir, sizeof(dir));
	return cgroup_rmdir_tree(dir, wait, err);
}

const struct cgroup_ops cgroup_v2_ops = {
	.name = "cgroupfs v2",
	.enter = v2_enter,
	.open_dir = v2_open_dir,
	.apply = v2_apply,
	.freeze = v2_freeze,
	.frozen = v2_frozen,
	.procs = v2_procs,
	.stats = v2_stats,
	.remove = v2_remove,
};
