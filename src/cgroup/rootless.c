/* Cgroups of a rootless container, as runc and crun have them: only a
 * cgroup v2 subtree delegated to the user (writable by it) can be used.
 * Without one, a container that asks for no limits runs without a cgroup
 * of its own (the "none" driver); one that asks for limits is refused. */
#include "cgroup/cgroup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/json.h"

#define ROOT "/sys/fs/cgroup"

/* A limit is any resource but the device rules: those need CAP_BPF (v2)
 * or CAP_SYS_ADMIN (v1) whatever the delegation, and runc drops them
 * too for rootless containers. */
static bool asks_limits(json_object *res)
{
	if (res == NULL || !json_object_is_type(res, json_type_object))
		return false;
	json_object_object_foreach(res, key, val) {
		if (strcmp(key, "devices") == 0 || val == NULL)
			continue;
		if ((json_object_is_type(val, json_type_object) && json_object_object_length(val) == 0) ||
		    (json_object_is_type(val, json_type_array) && json_object_array_length(val) == 0))
			continue;
		return true;
	}
	return false;
}

static int noop_enter(struct cgroup *cg, pid_t pid, json_object *res, husk_error **err)
{
	(void) cg, (void) pid, (void) res, (void) err;
	return 0;
}

static int noop_apply(const struct cgroup *cg, json_object *res, husk_error **err)
{
	(void) cg, (void) res, (void) err;
	return 0;
}

static int none_freeze(const struct cgroup *cg, bool frozen, husk_error **err)
{
	(void) cg, (void) frozen;
	return husk_fail(err, 0, "the container has no cgroup (rootless, none delegated)");
}

static bool none_frozen(const struct cgroup *cg)
{
	(void) cg;
	return false;
}

static int none_procs(const struct cgroup *cg, pid_t **ret, size_t *n, husk_error **err)
{
	(void) cg, (void) err;
	*ret = NULL;
	*n = 0;
	return 0;
}

static int none_stats(const struct cgroup *cg, json_object **ret, husk_error **err)
{
	(void) cg, (void) ret;
	return husk_fail(err, 0, "the container has no cgroup (rootless, none delegated)");
}

static int none_remove(const struct cgroup *cg, bool wait, husk_error **err)
{
	(void) cg, (void) wait, (void) err;
	return 0;
}

/* Only during create: the state then records no cgroup path, and the
 * later commands see a container without a cgroup. */
static const struct cgroup_ops none_ops = {
	.name = "none (rootless)",
	.enter = noop_enter,
	.apply = noop_apply,
	.freeze = none_freeze,
	.frozen = none_frozen,
	.procs = none_procs,
	.stats = none_stats,
	.remove = none_remove,
};

static int no_cgroup(struct cgroup *cg)
{
	*cg = (struct cgroup) { .mode = cgroup_detect(), .ops = &none_ops };
	return 0;
}

/* The parent of husk's own cgroup, as runc takes it for a relative
 * cgroupsPath: the user's own cgroup most likely has processes in it, so
 * it cannot have children with controllers. */
static void own_parent(char *out, size_t len)
{
	char line[1200];
	snprintf(out, len, "/");
	cleanup_fclose FILE *f = fopen("/proc/self/cgroup", "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::/", 4) != 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		char *slash = strrchr(line + 3, '/');
		if (slash > line + 3)
			*slash = '\0';
		else
			slash[1] = '\0';
		snprintf(out, len, "%s", line + 3);
	}
}

/* Whether uid may make the cgroup and move processes into it: the
 * deepest existing directory on its path is writable, and so is the
 * cgroup.procs of the cgroup itself when it exists. */
static bool delegated(const char *path, char *why, size_t len)
{
	char dir[1400];
	snprintf(dir, sizeof(dir), ROOT "%s", path);
	if (access(dir, F_OK) == 0) {
		size_t n = strlen(dir);
		snprintf(dir + n, sizeof(dir) - n, "/cgroup.procs");
		snprintf(why, len, "%s", dir);
		return access(dir, W_OK) == 0;
	}
	while (access(dir, F_OK) < 0) {
		char *slash = strrchr(dir, '/');
		if (slash == NULL || slash == dir)
			break;
		*slash = '\0';
	}
	snprintf(why, len, "%s", dir);
	return access(dir, W_OK) == 0;
}

int cgroup_init_rootless(struct cgroup *cg, const char *cgroups_path, const char *id,
			 json_object *resources, husk_error **err)
{
	bool limits = asks_limits(resources);
	/* Device rules cannot be written unprivileged: they are dropped. */
	if (resources && json_object_is_type(resources, json_type_object))
		json_object_object_del(resources, "devices");
	if (cgroup_detect() != CGROUP_V2) {
		if (limits)
			return husk_fail(err, 0, "rootless: linux.resources asks for limits, but this host has cgroup v1, which cannot be delegated to an unprivileged user");
		return no_cgroup(cg);
	}
	char parent[1024], path[1024], why[1400];
	own_parent(parent, sizeof(parent));
	int r = cgroup_join_path(cgroups_path, id, parent, path, sizeof(path), err);
	if (r < 0)
		return r;
	if (!delegated(path, why, sizeof(why))) {
		if (limits)
			return husk_fail(err, 0, "rootless: linux.resources asks for limits, but cgroup %s is not delegated to uid %u (%s is not writable)",
					 path, (unsigned) geteuid(), why);
		return no_cgroup(cg);
	}
	return cgroup_from_path(cg, path, NULL, err);
}
