/* The uid/gid maps of a new user namespace, written the way runc and crun
 * do for any caller, root or not:
 *   - directly, when husk may (root; or one mapping of husk's own id,
 *     with setgroups denied first, as the kernel wants of an unprivileged
 *     writer of gid_map);
 *   - else through newuidmap/newgidmap (shadow's uidmap), which map the
 *     ranges /etc/subuid and /etc/subgid grant the caller. */
#ifndef HUSK_LINUX_USERNS_MAPS_H
#define HUSK_LINUX_USERNS_MAPS_H

#include <sys/types.h>
#include "spec/spec.h"
#include "util/error.h"

/* Runs `tool PID c h s ...` (newuidmap, newgidmap); its first line of
 * stderr goes in the error. */
int userns_run_map_tool(const char *tool, pid_t pid, const struct spec_id_mapping *m, size_t n,
			husk_error **err);
int userns_write_maps(pid_t pid, const struct spec *s, husk_error **err);

#endif
