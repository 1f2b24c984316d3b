/* The create → start handshake: the container process waits in accept()
 * on <state dir>/start.sock; `husk start` connects.  No polling, and
 * `start` learns whether exec failed (the error comes back on the
 * connection) or succeeded (the CLOEXEC connection closes).  The
 * connection speaks the sync protocol (sync.h). */
#ifndef HUSK_LINUX_START_SOCKET_H
#define HUSK_LINUX_START_SOCKET_H

#include "linux/sync.h"
#include "util/error.h"

int start_socket_listen(int dir_fd, husk_error **err);

/* Connects, removes the socket file, and waits for the exec; a seccomp
 * notify fd sent on the way goes to on_seccomp. */
int start_socket_trigger(int dir_fd, sync_fd_handler on_seccomp, void *ctx, husk_error **err);

#endif
