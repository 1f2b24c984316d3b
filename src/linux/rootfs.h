/* The container's filesystem view, built in its new mount namespace: the
 * rootfs bound on itself, config mounts, devices, masked and read-only
 * paths, then pivot_root (or MS_MOVE + chroot with --no-pivot). */
#ifndef HUSK_LINUX_ROOTFS_H
#define HUSK_LINUX_ROOTFS_H

#include <stdbool.h>
#include "linux/mounts.h"
#include "spec/spec.h"
#include "util/error.h"

struct rootfs_config {
	const struct spec *spec;
	const char *rootfs;   /* absolute host path */
	const int *mount_fds; /* per mount: a premade (idmapped) tree or -1; may be NULL */
	struct cgroup_view cgroup; /* the container's cgroup, for cgroup mounts */
	bool no_pivot;
	bool in_userns;
};

/* Everything done from the host's view: propagation, the rootfs bound on
 * itself, config mounts, devices, masked and read-only paths. */
int rootfs_prepare(const struct rootfs_config *c, husk_error **err);

/* pivot_root into the rootfs (or MS_MOVE + chroot). */
int rootfs_enter(const struct rootfs_config *c, husk_error **err);

/* After everything else: root.readonly. */
int rootfs_finish(const struct rootfs_config *c, husk_error **err);

#endif
