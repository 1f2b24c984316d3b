/* The shim: the parent of a detached container (husk container run -d,
 * start).  A fork of husk (no exec: nothing to load, and it is the core's
 * own create/start that it calls), in a session of its own, a subreaper,
 * holding none of its caller's fds.  It keeps the container's stdio (pipes,
 * or the master of its pty), writes its output to the log (log_writer.c),
 * serves the attach socket (attach_server.c, attach_proto.h), records the
 * exit in meta.json and restarts by the policy (exit.c).
 *
 * If the shim is killed, the container keeps running (see man
 * husk-container, SHIM): nothing records its end then, and its output
 * goes nowhere. */
#ifndef HUSK_SHIM_SHIM_H
#define HUSK_SHIM_SHIM_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "engine/internal.h"
#include "shim/attach_proto.h"
#include "util/error.h"

#define SHIM_MAX_CLIENTS 64
/* The log's records are copied into one buffer and written with one
 * write() each time it fills: a writev of a few hundred 40- and 100-byte
 * iovecs cost the kernel a folio copy per segment (2/3 of the shim's CPU). */
#define LOG_WRITER_OUT (2 * ATTACH_MSG_MAX)   /* a whole read and its prefixes fit */
/* The shim's buffer: output read, a client's message, the log's records. */
#define SHIM_BUF_SIZE (2 * ATTACH_MSG_MAX + LOG_WRITER_OUT)
#define SHIM_LOCK_FD 3   /* the container's lock, held for the shim's life */

struct log_writer {
	int dirfd;            /* the log's directory */
	char name[256];       /* its file name there: ctr.log, rotated to .1, .2 ... */
	int fd;
	int64_t size, max_size;   /* max_size 0: no rotation */
	int max_file;
	uint64_t dropped;     /* bytes not written (a write failed: a full disk) */
	char *out;            /* LOG_WRITER_OUT bytes, scratch (NULL: 4 KiB on the stack) */
	size_t used;          /* of out: records not written yet (log_writer_flush) */
};

struct shim {
	struct engine_ctx ctx;
	char id[ENGINE_ID_LEN + 1];
	char *cdir;
	int cfd, dirfd;
	bool tty, open_stdin, rm;
	/* restart policy */
	enum { RESTART_NO, RESTART_ON_FAILURE, RESTART_ALWAYS } restart;
	int max_retries, restarts;
	int64_t backoff_ms;
	/* the running container */
	pid_t pid;
	int out, err, in;     /* pipe ends (-1: closed); with a tty, out is the master */
	struct timespec started;
	/* event loop */
	int epfd, sigfd, listen;
	int clients[SHIM_MAX_CLIENTS];
	size_t n_clients;
	/* The caller of a foreground run or start (one end of a socketpair
	 * made before the fork, so that none of the output is missed): it is
	 * waited for when it reads slowly instead of being dropped; -1: none. */
	int primary;
	char *buf;            /* SHIM_BUF_SIZE: output read into the first half, client
	                       * messages into the second; given back when idle */
	struct log_writer log;
};

/* spawn.c: engine_start_detached and engine_start_attached (engine.h)
 * fork the shim. */

/* spawn.c: config and log from meta.json again (the resumed shim). */
int shim_reload(struct shim *s);
/* resume.c: husk executed again with the shim's state (returns only if
 * that failed; the shim then goes on as it is). */
void shim_reexec(struct shim *s);

/* run.c: one run of the container under the shim: stdio set up, created
 * and started through the core; s->pid, s->out, s->err, s->in. */
int shim_run_container(struct shim *s, husk_error **err);

/* loop.c: serves the container until the shim's work is done. */
void shim_loop(struct shim *s);
/* Output read from out or err (stream 1 or 2): into the log and to the
 * attached clients. */
void shim_output(struct shim *s, int stream, const char *data, size_t len);
/* Reads what *fd (out or err) has into shim_output; false when it closed. */
bool shim_pump(struct shim *s, int *fd, int stream);

/* exit.c: the container's end recorded; whether to run it again (1, after
 * the backoff has been waited for by the loop) or to stop (0). */
int shim_record_exit(struct shim *s, int status);
/* Starts it again after the backoff: 0, or < 0 when it failed (recorded). */
int shim_restart(struct shim *s);

/* log_writer.c */
int log_writer_open(struct log_writer *w, int dirfd, const char *name, int64_t max_size,
		    int max_file, husk_error **err);
/* Writes data as CRI lines of stream ("stdout", "stderr"), time now. */
void log_writer_write(struct log_writer *w, const char *stream, const char *data, size_t len);
/* Writes the records kept in out: when the shim has nothing more to read,
 * so that a busy stream costs one write per LOG_WRITER_OUT, not per read. */
void log_writer_flush(struct log_writer *w);
void log_writer_close(struct log_writer *w);

/* attach_server.c */
int attach_listen(struct shim *s, husk_error **err);
void attach_accept(struct shim *s);
/* A connected client fd into the loop (fails quietly: it is dropped). */
void attach_client_watch(struct shim *s, int fd);
/* A message from client fd; false when it hung up (then it is removed). */
bool attach_client_input(struct shim *s, int fd);
void attach_broadcast(struct shim *s, int type, const void *data, size_t len);
void attach_client_drop(struct shim *s, int fd);

#endif
