/* The shim's event loop: the container's output, attach clients, and
 * SIGCHLD (its end) through a signalfd; a timer while a restart waits. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shim/attach_proto.h"
#include "shim/loop_tags.h"
#include "shim/shim.h"

#define READ_MAX (ATTACH_MSG_MAX - 1)   /* one read is one attach datagram */
#define IDLE_MS 1000                    /* the read buffer is given back after */

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t) t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void shim_output(struct shim *s, int stream, const char *data, size_t len)
{
	log_writer_write(&s->log, stream == ATTACH_STDERR ? "stderr" : "stdout", data, len);
	if (s->n_clients)
		attach_broadcast(s, stream, data, len);
}

/* The stack below this frame held the deeper calls of the start and of
 * the last burst; idle, those pages are dead (nothing runs on signal
 * handlers here: signals come through the signalfd) and go back to the
 * kernel too.  A page under the frame is kept for the red zone.  The
 * range may reach below the stack's mapping: madvise skips what is not
 * mapped (the kernel keeps a guard gap of a megabyte below a stack). */
static __attribute__((noinline)) void release_stack(void)
{
	char here;
	uintptr_t page = 4096, top = ((uintptr_t) &here & ~(page - 1)) - page;
	size_t len = 64 * page;
	madvise((void *) (top - len), len, MADV_DONTNEED);
}

static void watch(struct shim *s, int fd, int kind)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = TAG(kind, fd) };
	if (fd >= 0)
		epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev);
}

static void close_stream(struct shim *s, int *fd)
{
	if (*fd < 0)
		return;
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, *fd, NULL);
	close(*fd);
	*fd = -1;
}

/* Reads what is there: false at EOF (or EIO: a pty whose other side is
 * gone), when the stream is closed. */
bool shim_pump(struct shim *s, int *fd, int stream)
{
	ssize_t n = read(*fd, s->buf, READ_MAX);
	if (n > 0) {
		shim_output(s, stream, s->buf, n);
		return true;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	close_stream(s, fd);
	return false;
}

/* After the container's init exited: what it and its children wrote
 * before, then the streams closed (their writers are gone with it). */
static void drain(struct shim *s)
{
	for (int i = 0; i < 256 && s->out >= 0; i++) {
		ssize_t n = read(s->out, s->buf, READ_MAX);
		if (n <= 0)
			break;
		shim_output(s, ATTACH_STDOUT, s->buf, n);
	}
	for (int i = 0; i < 256 && s->err >= 0; i++) {
		ssize_t n = read(s->err, s->buf, READ_MAX);
		if (n <= 0)
			break;
		shim_output(s, ATTACH_STDERR, s->buf, n);
	}
	log_writer_flush(&s->log);
	close_stream(s, &s->out);
	close_stream(s, &s->err);
	if (s->in >= 0)
		close(s->in);
	s->in = -1;
}

/* SIGCHLD: every child reaped (the shim is a subreaper); *status and
 * true when the container's init was one. */
static bool reap(struct shim *s, int *status)
{
	bool ended = false;
	pid_t p;
	int st;
	while ((p = waitpid(-1, &st, WNOHANG)) > 0)
		if (s->pid > 0 && p == s->pid) {
			*status = st;
			ended = true;
		}
	return ended;
}

static int setup(struct shim *s)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);
	/* The container's process unblocks all signals before its exec. */
	sigprocmask(SIG_BLOCK, &set, NULL);
	s->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->buf = mmap(NULL, SHIM_BUF_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	if (s->sigfd < 0 || s->epfd < 0 || s->buf == MAP_FAILED)
		return -1;
	s->log.out = s->buf + 2 * ATTACH_MSG_MAX;
	watch(s, s->sigfd, TAG_SIGNAL);
	watch(s, s->listen, TAG_LISTEN);
	for (size_t i = 0; i < s->n_clients; i++)
		attach_client_watch(s, s->clients[i]);
	watch(s, s->out, TAG_OUT);
	watch(s, s->err, TAG_ERR);
	return 0;
}

/* Handles one event; 1 when the container ended (status set). */
static int dispatch(struct shim *s, uint64_t tag, bool *stop, int *status)
{
	int fd = TAG_FD(tag);
	struct signalfd_siginfo si;
	switch (TAG_KIND(tag)) {
	case TAG_SIGNAL:
		while (read(s->sigfd, &si, sizeof(si)) == sizeof(si))
			if (si.ssi_signo == SIGTERM && s->pid <= 0)
				*stop = true;   /* stop or rm while a restart waits */
		return reap(s, status);
	case TAG_OUT:
		shim_pump(s, &s->out, ATTACH_STDOUT);
		break;
	case TAG_ERR:
		shim_pump(s, &s->err, ATTACH_STDERR);
		break;
	case TAG_LISTEN:
		attach_accept(s);
		break;
	case TAG_CLIENT:
		attach_client_input(s, fd);
		break;
	}
	return 0;
}

void shim_loop(struct shim *s)
{
	if (setup(s) < 0)
		return;
	int64_t restart_at = -1;
	bool dirty = true, stop = false;
	int status = 0;
	/* It may have ended before SIGCHLD was blocked. */
	bool ended = reap(s, &status);
	for (;;) {
		if (ended) {
			ended = false;
			drain(s);
			s->pid = 0;
			if (shim_record_exit(s, status) <= 0)
				return;
			restart_at = now_ms() + s->backoff_ms;
		}
		if (stop && s->pid <= 0) {
			shim_record_exit(s, -1);
			return;
		}
		int timeout = restart_at >= 0 ? (int) (restart_at - now_ms()) : dirty ? IDLE_MS : -1;
		if (restart_at >= 0 && timeout <= 0) {
			restart_at = -1;
			if (shim_restart(s) < 0)
				return;
			/* The run's garbage goes with a fresh process again. */
			shim_reexec(s);
			watch(s, s->out, TAG_OUT);
			watch(s, s->err, TAG_ERR);
			ended = reap(s, &status);
			continue;
		}
		struct epoll_event ev[16];
		int n = epoll_wait(s->epfd, ev, 16, s->log.used ? 0 : timeout < 0 ? -1 : timeout);
		if (n == 0 && s->log.used) {
			/* Nothing more to read now: the kept records go out. */
			log_writer_flush(&s->log);
			continue;
		}
		if (n == 0 && restart_at < 0 && dirty) {
			/* Idle: the buffer's pages go back to the kernel. */
			madvise(s->buf, SHIM_BUF_SIZE, MADV_DONTNEED);
			release_stack();
			dirty = false;
		}
		for (int i = 0; i < n; i++) {
			dirty = true;
			if (dispatch(s, ev[i].data.u64, &stop, &status))
				ended = true;
		}
	}
}
