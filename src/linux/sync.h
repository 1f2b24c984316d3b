/* The parent/child protocol of create: small messages over a
 * SOCK_SEQPACKET socket (a socketpair, or the start socket's connection),
 * so each read returns one whole message, an fd can ride along
 * (SCM_RIGHTS), and the death of either side is seen as EOF, never as a
 * hang. */
#ifndef HUSK_LINUX_SYNC_H
#define HUSK_LINUX_SYNC_H

#include <stdint.h>
#include "util/error.h"

enum sync_type {
	SYNC_PLACED = 1, /* parent → child: uid/gid maps written, cgroup entered */
	SYNC_READY,      /* child → parent: set up, waiting to be started */
	SYNC_GO,         /* parent → child: state recorded, carry on; value = host pid */
	SYNC_HOOKS,      /* child → parent: mounts done, run prestart/createRuntime */
	SYNC_HOOKS_DONE, /* parent → child: they ran; value = host pid */
	SYNC_SECCOMP,    /* child → husk: the seccomp notify fd rides along */
	SYNC_ERROR,      /* child → parent: setup failed; payload is the message */
	SYNC_SPAWNED,    /* intermediate → parent: value = the container process's pid */
};

struct sync_msg {
	uint32_t type;
	int32_t value;   /* errno of a SYNC_ERROR, the pid where noted */
	char text[4000];
	int fd;          /* received with SCM_RIGHTS, -1 if none (not on the wire) */
};

int sync_pair(int fds[2], husk_error **err);
int sync_send(int fd, enum sync_type type, int32_t value, husk_error **err);
/* Sends a message of `type` carrying pass_fd. */
int sync_send_fd(int fd, enum sync_type type, int pass_fd, husk_error **err);
/* Sends err as a SYNC_ERROR message (best effort: the child is dying). */
void sync_send_error(int fd, const husk_error *err);
/* The error a SYNC_ERROR message carries, as *err; returns its code. */
int sync_error(const struct sync_msg *m, husk_error **err);
/* Receives one message; returns 0, or 1 at EOF (m untouched), or < 0. */
int sync_recv(int fd, struct sync_msg *m, const char *peer, husk_error **err);
/* Receives one message and fails unless it is `want` (EOF included); a
 * SYNC_ERROR from the peer becomes the returned error.  ret_value (may be
 * NULL) gets its value. */
int sync_expect(int fd, enum sync_type want, const char *peer, int32_t *ret_value,
		husk_error **err);

/* Waits for the peer to close its end (0), or returns its SYNC_ERROR.  A
 * SYNC_SECCOMP on the way is handed to on_seccomp, which owns the fd. */
typedef int (*sync_fd_handler)(void *ctx, int fd, husk_error **err);
int sync_wait_eof(int fd, const char *peer, sync_fd_handler on_seccomp, void *ctx,
		  husk_error **err);

#endif
