/* Writes into /proc that cannot be redirected: /proc is checked to be a
 * real procfs (fstatfs) and each file is opened beneath it without
 * following any symlink or crossing a mount, so a container that mounts
 * something over /proc/sys/... or plants a symlink cannot turn husk's
 * write into a write elsewhere (the CVE-2025-52881 class). */
#ifndef HUSK_LINUX_PROC_H
#define HUSK_LINUX_PROC_H

#include "util/error.h"

/* Opens the procfs mounted at path ("/proc"), verified. */
int proc_open(const char *path, husk_error **err);

/* Writes value to proc_fd/rel (e.g. "self/oom_score_adj"). */
int proc_write(int proc_fd, const char *rel, const char *value, husk_error **err);

#endif
