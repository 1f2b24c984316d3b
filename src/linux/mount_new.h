/* A new (not bind) filesystem of a config mount, made as a detached mount
 * with fsopen/fsconfig/fsmount, filled (tmpcopyup) and flagged while still
 * detached, then moved onto the target fd; propagation and recursive
 * attributes go to the mount's own fd after the move.  No step looks the
 * destination up again, so a sibling sharing a volume with the rootfs
 * cannot swap the path for another directory or mount in between
 * (issue 12.4). */
#ifndef HUSK_LINUX_MOUNT_NEW_H
#define HUSK_LINUX_MOUNT_NEW_H

#include <stdint.h>
#include "linux/mount_options.h"
#include "util/error.h"

/* The MOUNT_ATTR_* of the per-mount MS_* flags in f (atime: relatime
 * unless noatime or strictatime, as mount(2) does). */
uint64_t mount_attr_flags(unsigned long f);

/* The detached mount of type with source and o's flags and data: an fd
 * (close it) or <0.  what names the mount in errors. */
int mount_new_detached(const char *type, const char *source, const struct mount_options *o, const char *what,
		       husk_error **err);

/* Mounts type on target (an O_PATH fd of the directory), with o applied;
 * under, when >= 0, is copied into the new mount first (tmpcopyup). */
int mount_new_at(int target, const char *type, const char *source, const struct mount_options *o, int under,
		 const char *what, husk_error **err);

/* Attaches the detached mount mnt onto target, then gives it o's
 * propagation and recursive attributes through the same fd. */
int mount_attach(int mnt, int target, const struct mount_options *o, const char *what, husk_error **err);

#endif
