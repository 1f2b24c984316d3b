/* The client side of a container's attach socket (shim/attach_proto.h):
 * husk container attach, run and start in the foreground, exec -it.
 *
 * It relays the caller's stdin to the container (through the detach key
 * sequence), the container's stdout and stderr to the caller's, and, when
 * the container has a terminal, puts the caller's terminal in raw mode
 * (restored on every way out of attach_relay) and sends its size at once
 * and at every SIGWINCH. */
#ifndef HUSK_SHIM_ATTACH_CLIENT_H
#define HUSK_SHIM_ATTACH_CLIENT_H

#include <stdbool.h>

#include "shim/detach_keys.h"
#include "util/error.h"

/* Connects to the attach socket in the container directory dirfd.
 * -ECONNREFUSED or -ENOENT (err filled): no shim serves it (the container
 * is not running). */
int attach_connect(int dirfd, int *ret_sock, husk_error **err);

struct attach_io {
	int in, out, err;      /* the caller's stdio */
	bool stdin_open;       /* relay in (the container has stdin, no --no-stdin) */
	bool tty;              /* the container has a terminal */
	/* At EOF of in: close the container's stdin (docker's StdinOnce: run
	 * and start -a -i); otherwise only stop reading in. */
	bool close_stdin_at_eof;
	struct detach_keys *keys;   /* NULL: no detaching */
	/* SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1/2 that husk receives:
	 * passed to this (docker's --sig-proxy); NULL: they end the relay. */
	void (*on_signal)(int sig, void *data);
	void *data;
};

enum attach_end {
	ATTACH_ENDED_EXIT,      /* the container exited: *ret_status as waitpid(2) */
	ATTACH_ENDED_DETACH,    /* the detach keys */
	ATTACH_ENDED_SIGNAL,    /* a signal without on_signal: *ret_status is it */
};

/* Relays until one of enum attach_end (returned); < 0 with err when the
 * shim went away without saying the container exited. */
int attach_relay(int sock, const struct attach_io *io, int *ret_status, husk_error **err);

/* A waitpid(2) status as an exit code: the code, or 128+N for signal N. */
int attach_exit_code(int status);

#endif
