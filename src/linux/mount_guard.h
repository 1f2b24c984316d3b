/* The /proc rule (spec/proc_mounts.h) and real directories for procfs and
 * sysfs, enforced where each config mount is made.
 *
 * config.json was checked lexically (spec_validate()); here the rule is
 * applied to where the mount really lands in the rootfs, symlinks of the
 * image followed: first on the path, before anything is created for the
 * mount, then again on the fd the mount is made on, so that a rename or a
 * symlink swapped in between cannot move it.  procfs and sysfs, and any
 * mount at /proc or /sys, go on a real directory: a symlink there would put
 * them wherever the image says while the path still shows something else. */
#ifndef HUSK_LINUX_MOUNT_GUARD_H
#define HUSK_LINUX_MOUNT_GUARD_H

#include <stdbool.h>
#include "linux/path.h"
#include "spec/spec.h"
#include "util/error.h"

struct mount_guard {
	char dest[4096];  /* m->destination cleaned up lexically */
	const char *type; /* "proc", "sysfs", "bind", ... */
	bool bind, procfs, real_dir;
};

/* Fills g for m (type as mount_entry() sees it; src_fd the idmapped tree
 * of a bind, or -1 to statfs m->source) and refuses m when its destination
 * resolves into /proc against the rule.  Creates nothing. */
int mount_guard_init(struct mount_guard *g, int root_fd, const struct spec_mount *m, const char *type,
		     bool bind, int src_fd, husk_error **err);

/* The fd to mount m on: made if missing (a directory or, for kind
 * IN_ROOT_FILE, a file), a real directory when g->real_dir, and checked
 * again against the rule.  An O_PATH fd or <0. */
int mount_guard_open(const struct mount_guard *g, int root_fd, const struct spec_mount *m, enum in_root_kind kind,
		     husk_error **err);

#endif
