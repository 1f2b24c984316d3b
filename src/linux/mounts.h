/* One entry of config.json "mounts", mounted inside the container's rootfs
 * (before pivot_root), its destination resolved safely inside the rootfs. */
#ifndef HUSK_LINUX_MOUNTS_H
#define HUSK_LINUX_MOUNTS_H

#include "spec/spec.h"
#include "util/error.h"

/* premade_fd: a detached tree prepared by the parent (idmapped), moved
 * into place instead of mounting the source; -1 for none. */
/* Where the container's cgroup is, for mounts of type cgroup. */
struct cgroup_view {
	const char *path;  /* "/husk/<id>" */
	bool own_ns;       /* the container has its own cgroup namespace */
};

int mount_entry(int root_fd, const struct spec_mount *m, int premade_fd,
		const struct cgroup_view *cgroup, husk_error **err);

/* Bind-mounts the tree at fd (O_PATH) over target_fd, read-only when ro,
 * with the new mount API: no window in which the new mount is writable. */
int bind_fd_over(int src_fd, int target_fd, bool recursive, bool ro, husk_error **err);

/* The flags of the mount at fd that a remount must repeat, or the kernel
 * refuses it (EPERM) when a user namespace locked them. */
unsigned long mount_kept_flags(int fd);

#endif
