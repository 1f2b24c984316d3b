/* What a mount may cover in the container's /proc (runc's checkProcMount).
 *
 * A host directory over /proc or anything in it would hide the container's
 * procfs from itself and from husk, which goes on to write /proc/self/attr,
 * apply maskedPaths and read /proc/self/fd in there: a bind of a host
 * directory at /proc/sys/kernel, say, turns a masked or read-only path
 * into a host file.  Only a procfs may go at /proc, and under it only
 * binds over the files lxcfs emulates. */
#ifndef HUSK_SPEC_PROC_MOUNTS_H
#define HUSK_SPEC_PROC_MOUNTS_H

#include <stdbool.h>
#include "spec/spec.h"
#include "util/error.h"

/* dest: a clean absolute path (path_clean()), where the mount lands.
 * procfs: the mount is a procfs (type proc, or a bind of one).  NULL when
 * the mount is allowed, else why not (a static string). */
const char *proc_mount_refusal(const char *dest, bool bind, bool procfs);


/* The check of config.json alone (spec_validate()): each destination,
 * cleaned up lexically, against proc_mount_refusal(), a bind at /proc
 * passing (its source is looked at when it is mounted).  Symlinks in the
 * rootfs are followed at mount time, where the check is made again. */
int validate_proc_mounts(const struct spec *s, husk_error **err);

#endif
