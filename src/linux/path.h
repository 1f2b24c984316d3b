/* Paths inside the container's root filesystem.
 *
 * Every path from config.json that names something inside the rootfs is
 * resolved with openat2(RESOLVE_IN_ROOT): ".." and absolute symlinks stop at
 * the rootfs, so a hostile image cannot point a mount, a device or a mask at
 * the host.  Callers then act on the returned fd (mount on
 * /proc/self/fd/N, move_mount, mknodat relative to the parent), never on a
 * path string that could be swapped for a symlink in between. */
#ifndef HUSK_LINUX_PATH_H
#define HUSK_LINUX_PATH_H

#include <stdbool.h>
#include <sys/types.h>
#include "util/error.h"

/* Opens path (relative to the root fd, leading '/' ignored) with O_PATH,
 * symlinks resolved inside root. Returns the fd or a negative errno; *err is
 * filled only when err is not NULL. */
int in_root_open(int root_fd, const char *path, int flags, husk_error **err);

enum in_root_kind { IN_ROOT_DIR, IN_ROOT_FILE };

/* Opens path like in_root_open(), first creating missing directories (mode
 * 0755) and, for IN_ROOT_FILE, an empty final file.  Returns an O_PATH fd. */
int in_root_mkpath(int root_fd, const char *path, enum in_root_kind kind, husk_error **err);

/* Writes "/proc/self/fd/<fd>" into buf (at least 32 bytes). */
const char *fd_path(char *buf, int fd);

#endif
