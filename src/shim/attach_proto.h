/* The attach socket: how `husk container attach` (and exec -it, run
 * without -d) talks to a container's shim.
 *
 * Per container one SOCK_SEQPACKET unix socket named "attach" in the
 * container's directory STORE/containers/<id>/.  Connect through
 * "/proc/self/fd/<dirfd>/attach" (dirfd: an O_PATH/O_DIRECTORY fd of that
 * directory) so that the 108-byte sun_path limit never matters.
 *
 * Every message is one datagram: its first byte is the type, the rest its
 * payload.  Several clients may be connected; output is fanned out to all
 * of them.  A client that does not read fast enough is disconnected rather
 * than slowing the container down. */
#ifndef HUSK_SHIM_ATTACH_PROTO_H
#define HUSK_SHIM_ATTACH_PROTO_H

#include <stdint.h>

#define ATTACH_SOCKET_NAME "attach"

/* The largest datagram either side sends (type byte included). */
#define ATTACH_MSG_MAX 65536

enum attach_msg {
	/* client -> shim: bytes for the container's stdin.  Ignored unless
	 * the container was started with -i (OpenStdin). */
	ATTACH_STDIN = 0,
	/* shim -> client: bytes the container wrote to stdout (with -t: all
	 * of the terminal's output; stream 2 is then never sent). */
	ATTACH_STDOUT = 1,
	/* shim -> client: bytes the container wrote to stderr. */
	ATTACH_STDERR = 2,
	/* client -> shim: the window size, struct attach_resize; applied to
	 * the container's pty (only with -t). */
	ATTACH_RESIZE = 3,
	/* client -> shim: close the container's stdin (EOF), no payload. */
	ATTACH_CLOSE_STDIN = 4,
	/* shim -> client: the container exited; payload an int (native
	 * endian, 4 bytes): the status as waitpid(2) encodes it.  The shim
	 * closes the connection after it. */
	ATTACH_EXIT = 5,
};

/* Payload of ATTACH_RESIZE (native endian). */
struct attach_resize {
	uint16_t rows, cols;
} __attribute__((packed));

#endif
