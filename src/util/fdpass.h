/* Passing one fd over a unix socket (SCM_RIGHTS) with a payload. */
#ifndef HUSK_UTIL_FDPASS_H
#define HUSK_UTIL_FDPASS_H

#include <stddef.h>
#include <sys/types.h>

/* Sends len bytes of data with fd (no fd when fd < 0); -errno on error. */
ssize_t fdpass_send(int sock, const void *data, size_t len, int fd);

/* Receives up to len bytes into data and, if one came, an fd (CLOEXEC) in
 * *ret_fd (-1 otherwise); returns the byte count (0 at EOF) or -errno. */
ssize_t fdpass_recv(int sock, void *data, size_t len, int *ret_fd);

#endif
