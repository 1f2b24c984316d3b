/* The cgroups of an exec's process: those of the container's process, or
 * sub-cgroups of the container's cgroup that `exec --cgroup` names. */
#ifndef HUSK_LINUX_JOIN_CGROUP_H
#define HUSK_LINUX_JOIN_CGROUP_H

#include <stddef.h>
#include <sys/types.h>
#include "util/error.h"

/* One `--cgroup [CONTROLLER[,CONTROLLER...]:]PATH`, as runc reads it. */
struct join_subcgroup {
	char controllers[256]; /* "" for every hierarchy */
	char sub[1024];        /* relative to the container's cgroup */
};

/* Parses the --cgroup arguments (n of them) into subs, which has room for
 * n: more than one colon, an empty controller, a path without controller
 * when several are given, or a path leaving the container's cgroup ("..")
 * are refused. */
int join_subcgroups_parse(const char *const *args, size_t n, struct join_subcgroup *subs,
			  husk_error **err);

/* Puts pid in every cgroup the target is in (v1 hierarchies and v2) or,
 * for a hierarchy that subs names, in that sub-cgroup of cg_path (the
 * container's cgroup), which must exist; a controller that no hierarchy of
 * the target has is an error. */
int join_cgroups(pid_t target, pid_t pid, const char *cg_path, const struct join_subcgroup *subs,
		 size_t n_subs, husk_error **err);

#endif
