/* The file descriptors a container process may hold: what the caller
 * passed on purpose (stdio, --preserve-fds, LISTEN_FDS) and husk's own,
 * nothing the caller leaked (issue 12.2). */
#ifndef HUSK_LINUX_FDS_H
#define HUSK_LINUX_FDS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

/* Closes every fd from `from` up except the n in keep (-1 entries are
 * ignored).  Done first thing in a process that will be seen from inside
 * the container: close-on-exec alone leaves them open while it waits. */
int fds_close_except(int from, const int *keep, size_t n, husk_error **err);
/* Marks every fd from `from` up close-on-exec (close_range, or one by one
 * where it is refused). */
int fds_cloexec_from(unsigned from, husk_error **err);

/* Whether path reaches its file through a /proc magic link
 * (/proc/self/fd/N, /proc/<pid>/exe, ...) to a file that is not one of
 * the passed fds 3 .. 3+passed-1: such a program is not the container's. */
bool fds_foreign_magic_link(const char *path, int passed);

#endif
