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

/* The absolute path, as seen from the root, that path resolves to: the
 * part that exists resolved by the kernel (symlinks followed inside root),
 * the missing rest appended with "." and ".." applied as in_root_mkpath()
 * would create it.  Creates nothing.  0 or a negative errno. */
int in_root_resolve(int root_fd, const char *path, char *out, size_t n);

/* The absolute path, as seen from the root, of what fd (opened under it)
 * is: its /proc/self/fd link with the root's own taken off.  -EXDEV when
 * fd is not under the root.  0 or a negative errno. */
int in_root_fd_path(int root_fd, int fd, char *out, size_t n);

/* Writes "/proc/self/fd/<fd>" into buf (at least 32 bytes). */
const char *fd_path(char *buf, int fd);

#endif
