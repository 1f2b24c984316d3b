/* File helpers that report failures through husk_error. */
#ifndef HUSK_UTIL_FS_H
#define HUSK_UTIL_FS_H

#include <stddef.h>
#include <sys/types.h>
#include "util/error.h"

/* The most husk reads of one input file (config.json, state.json,
 * --process, --resources): 32 MiB, a config of about a million variables.
 * An input of more is refused rather than read. */
#define HUSK_READ_MAX (32 << 20)

/* Reads a whole regular file (relative to dirfd) into a NUL-terminated
 * buffer; opens without blocking and refuses anything else (a FIFO, a
 * device) or a file over HUSK_READ_MAX. */
int read_file_at(int dirfd, const char *path, char **ret_buf, size_t *ret_len, husk_error **err);

/* Reads fd (a regular file from offset 0, or a pipe or socket to its end)
 * into a NUL-terminated buffer; stops with an error past HUSK_READ_MAX. */
int read_fd_all(int fd, char **ret_buf, size_t *ret_len, husk_error **err);

/* Writes buf to fd, retrying on short writes and EINTR. */
int write_all(int fd, const void *buf, size_t len);

/* Writes a file (relative to dirfd) with O_CREAT|O_TRUNC. */
int write_file_at(int dirfd, const char *path, const void *buf, size_t len, mode_t mode,
		  husk_error **err);

/* Writes name in dirfd atomically: a temporary file renamed over it, so a
 * reader sees the old or the new content, never a part. */
int write_file_atomic_at(int dirfd, const char *name, const void *buf, size_t len,
			 mode_t mode, husk_error **err);

/* mkdir -p of an absolute or cwd-relative path. */
int mkdir_p(const char *path, mode_t mode, husk_error **err);

/* Removes the regular files and sockets in dirfd/name and then the
 * directory itself (state directories hold no subdirectories). */
int remove_flat_dir_at(int dirfd, const char *name, husk_error **err);

#endif
