/* The cgroup layer: one interface, a driver per kind of host.
 *
 *   v1      one hierarchy per controller under /sys/fs/cgroup/<name>
 *           (a hybrid host's /sys/fs/cgroup/unified cgroup2 is kept in step)
 *   v2      the unified hierarchy at /sys/fs/cgroup
 *   systemd (--systemd-cgroup) a transient scope unit that systemd creates
 *           over D-Bus, whose cgroup the v1 or v2 writers then fill in
 *
 * A container's cgroup is named by a path relative to the hierarchy roots
 * ("/husk/<id>" by default); its state.json records it, and the unit for
 * the systemd driver. */
#ifndef HUSK_CGROUP_CGROUP_H
#define HUSK_CGROUP_CGROUP_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

enum cgroup_mode { CGROUP_V1, CGROUP_V2 };

struct cgroup;

struct cgroup_ops {
	const char *name;
	/* Creates the cgroup (and its parents) and moves pid into it; may
	 * settle cg->path (systemd: where the unit's cgroup really is).  The
	 * systemd driver gives systemd the resources it knows here. */
	int (*enter)(struct cgroup *cg, pid_t pid, json_object *resources, husk_error **err);
	/* Creates the cgroup (and its parents) and returns an fd of its
	 * directory, for clone3's CLONE_INTO_CGROUP, which starts a process
	 * in it; NULL where that cannot be done (v1, systemd). */
	int (*open_dir)(const struct cgroup *cg, husk_error **err);
	/* Writes linux.resources; update: only what is given changes. */
	int (*apply)(const struct cgroup *cg, json_object *resources, husk_error **err);
	int (*freeze)(const struct cgroup *cg, bool frozen, husk_error **err);
	bool (*frozen)(const struct cgroup *cg);
	/* The pids in the cgroup, malloc'd. */
	int (*procs)(const struct cgroup *cg, pid_t **ret, size_t *n, husk_error **err);
	/* runc's stats object ("cpu", "memory", "pids", ...). */
	int (*stats)(const struct cgroup *cg, json_object **ret, husk_error **err);
	/* Removes the cgroup; it must be empty.  With wait, EBUSY (the last
	 * task still leaving) is retried for up to 200 ms. */
	int (*remove)(const struct cgroup *cg, bool wait, husk_error **err);
};

struct cgroup {
	enum cgroup_mode mode;
	const struct cgroup_ops *ops;
	char path[1024];   /* "/husk/<id>" */
	char unit[256];    /* systemd driver: "husk-<id>.scope"; "" for cgroupfs */
	char slice[256];   /* systemd driver: the unit's slice */
};

enum cgroup_mode cgroup_detect(void);

/* The cgroup of a container: cgroupsPath as runc reads it (absolute;
 * relative to husk's default parent "/husk"; empty → "/husk/<id>"), or
 * with `systemd` "slice:prefix:name" (empty → "system.slice:husk:<id>"). */
int cgroup_init(struct cgroup *cg, const char *cgroups_path, const char *id, bool systemd,
		husk_error **err);
/* For a rootless husk (rootless.c): a cgroup only in a delegated (writable)
 * cgroup v2 subtree, a relative cgroupsPath taken from the parent of
 * husk's own cgroup as runc does; else none (path "") when resources asks
 * for no limits, an error when it does.  Drops resources.devices. */
int cgroup_init_rootless(struct cgroup *cg, const char *cgroups_path, const char *id,
			 json_object *resources, husk_error **err);
/* The same from a path (and systemd unit, or "") recorded in state.json. */
int cgroup_from_path(struct cgroup *cg, const char *path, const char *unit, husk_error **err);

/* True when cg is the cgroup husk gives a container that names none. */
bool cgroup_is_default(const struct cgroup *cg, const char *id);

/* Kills every process in the cgroup with sig; with SIGKILL, waits until it
 * is empty. */
int cgroup_kill_all(const struct cgroup *cg, int sig, husk_error **err);

/* How many processes of the cgroup the OOM killer killed (v1
 * memory.oom_control, v2 memory.events); 0 when unknown. */
uint64_t cgroup_oom_kills(const struct cgroup *cg);

/* Kills what remains (when kill_rest) and removes the cgroup, and husk's
 * default parent when it is left empty; -EBUSY while processes are left. */
int cgroup_destroy(const struct cgroup *cg, bool kill_rest, husk_error **err);

extern const struct cgroup_ops cgroup_v1_ops, cgroup_v2_ops;
/* NULL when husk is built without libsystemd. */
extern const struct cgroup_ops *const cgroup_systemd_ops;

/* Calls fn with the name of each hierarchy mounted under /sys/fs/cgroup
 * ("memory", "cpu,cpuacct", "systemd", "unified", ...). */
int cgroup_v1_hierarchies(int (*fn)(const char *name, void *ctx), void *ctx);

/* Helpers shared by the drivers (cgroup.c). */
/* cgroupsPath as runc reads it: absolute as it is, relative (or empty: the
 * id) below parent. */
int cgroup_join_path(const char *cgroups_path, const char *id, const char *parent, char *out,
		     size_t len, husk_error **err);
int cgroup_write(const char *dir, const char *file, const char *value, husk_error **err);
int cgroup_read(const char *dir, const char *file, char *buf, size_t len);
/* The pids of dir's cgroup and of every cgroup below it (tree.c). */
int cgroup_read_procs(const char *dir, pid_t **ret, size_t *n, husk_error **err);
/* Removes dir and every (empty) cgroup below it, deepest first; with wait,
 * EBUSY is retried for up to 200 ms each. */
int cgroup_rmdir_tree(const char *dir, bool wait, husk_error **err);
int64_t json_i64(json_object *obj, const char *key, bool *given);

#endif
