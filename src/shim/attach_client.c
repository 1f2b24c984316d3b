#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "shim/attach_client.h"
#include "shim/attach_proto.h"
#include "util/cleanup.h"
#include "util/fs.h"

int attach_connect(int dirfd, int *ret_sock, husk_error **err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	/* Through the directory's fd: the store's path may be longer than
	 * sun_path. */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dirfd, ATTACH_SOCKET_NAME);
	cleanup_close int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0)
		return husk_fail(err, errno, "attach socket");
	if (connect(s, (struct sockaddr *) &sa, sizeof(sa)) < 0)
		return husk_fail(err, errno, "connect to the container's shim");
	*ret_sock = s;
	s = -1;
	return 0;
}

int attach_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
}

/* The caller's terminal in raw mode, and the signal mask, as they were. */
struct relay_saved {
	int tty_fd;
	struct termios term;
	sigset_t mask;
	struct sigaction pipe;
};

static void relay_restore(struct relay_saved *s)
{
	if (s->tty_fd >= 0)
		tcsetattr(s->tty_fd, TCSADRAIN, &s->term);
	sigprocmask(SIG_SETMASK, &s->mask, NULL);
	sigaction(SIGPIPE, &s->pipe, NULL);
}

/* One datagram: the type byte, then the payload (n < ATTACH_MSG_MAX). */
static int send_msg(int sock, int type, const void *data, size_t n)
{
	unsigned char t = (unsigned char) type;
	struct iovec iov[2] = { { &t, 1 }, { (void *) data, n } };
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = n ? 2 : 1 };
	while (sendmsg(sock, &m, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

static void send_size(int sock, int tty_fd)
{
	struct winsize ws;
	if (tty_fd < 0 || ioctl(tty_fd, TIOCGWINSZ, &ws) < 0 || (!ws.ws_row && !ws.ws_col))
		return;
	struct attach_resize r = { .rows = ws.ws_row, .cols = ws.ws_col };
	send_msg(sock, ATTACH_RESIZE, &r, sizeof(r));
}

/* Bytes of the caller's stdin: to the container, through the detach
 * keys.  1 when they detached, -1 at EOF, 0 otherwise. */
static int relay_stdin(int sock, const struct attach_io *io)
{
	unsigned char in[4096], out[sizeof(in) + DETACH_KEYS_MAX];
	ssize_t n = read(io->in, in, sizeof(in));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	size_t on = 0;
	if (n <= 0) {
		if (io->keys && (on = detach_keys_flush(io->keys, out)))
			send_msg(sock, ATTACH_STDIN, out, on);
		if (io->close_stdin_at_eof)
			send_msg(sock, ATTACH_CLOSE_STDIN, NULL, 0);
		return -1;
	}
	bool detached;
	if (io->keys) {
		detached = detach_keys_feed(io->keys, in, n, out, &on);
	} else {
		detached = false;
		memcpy(out, in, n);
		on = n;
	}
	if (on && send_msg(sock, ATTACH_STDIN, out, on) < 0)
		return -1;
	return detached;
}

static int relay_loop(int sock, int sfd, const struct attach_io *io, int tty_fd, int *ret_status,
		      husk_error **err)
{
	bool in_open = io->stdin_open;
	cleanup_free unsigned char *buf = malloc(ATTACH_MSG_MAX);
	if (!buf)
		return husk_fail(err, ENOMEM, "attach");
	for (;;) {
		struct pollfd p[3] = {
			{ .fd = sock, .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
			{ .fd = in_open ? io->in : -1, .events = POLLIN },
		};
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return husk_fail(err, errno, "attach: poll");
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGWINCH)
					send_size(sock, tty_fd);
				else if (io->on_signal)
					io->on_signal((int) si.ssi_signo, io->data);
				else {
					*ret_status = (int) si.ssi_signo;
					return ATTACH_ENDED_SIGNAL;
				}
			}
		}
		if (p[0].revents) {
			ssize_t n = recv(sock, buf, ATTACH_MSG_MAX, MSG_DONTWAIT);
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n < 0)
				return husk_fail(err, errno, "attach: read from the shim");
			if (n == 0)
				return husk_fail(err, EPIPE, "attach: the shim went away before the "
						 "container's exit status came");
			int fd = buf[0] == ATTACH_STDERR && !io->tty ? io->err : io->out;
			switch (buf[0]) {
			case ATTACH_STDOUT:
			case ATTACH_STDERR:
				/* The caller's stdout gone: keep relaying (the container
				 * still runs); its output then goes nowhere. */
				write_all(fd, buf + 1, n - 1);
				break;
			case ATTACH_EXIT:
				if (n < 1 + (ssize_t) sizeof(int))
					return husk_fail(err, EPROTO, "attach: a short exit message");
				memcpy(ret_status, buf + 1, sizeof(int));
				return ATTACH_ENDED_EXIT;
			default:
				break;   /* a newer shim's message */
			}
		}
		if (in_open && p[2].revents) {
			int r = relay_stdin(sock, io);
			if (r > 0)
				return ATTACH_ENDED_DETACH;
			if (r < 0)
				in_open = false;
		}
	}
}

int attach_relay(int sock, const struct attach_io *io, int *ret_status, husk_error **err)
{
	struct relay_saved saved = { .tty_fd = -1 };
	sigset_t set;
	sigemptyset(&set);
	static const int sigs[] = { SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&set, sigs[i]);
	/* Blocked and read from a signalfd, so that none ends husk with the
	 * terminal left raw. */
	if (sigprocmask(SIG_BLOCK, &set, &saved.mask) < 0)
		return husk_fail(err, errno, "attach: block signals");
	struct sigaction ign = { .sa_handler = SIG_IGN };
	sigaction(SIGPIPE, &ign, &saved.pipe);
	cleanup_close int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		relay_restore(&saved);
		return husk_fail(err, errno, "attach: signalfd");
	}
	int tty_fd = -1;
	if (io->tty) {
		tty_fd = isatty(io->in) ? io->in : isatty(io->out) ? io->out : -1;
		if (tty_fd == io->in && tcgetattr(tty_fd, &saved.term) == 0) {
			struct termios raw = saved.term;
			cfmakeraw(&raw);
			if (tcsetattr(tty_fd, TCSADRAIN, &raw) == 0)
				saved.tty_fd = tty_fd;
		}
		send_size(sock, tty_fd);
	}
	int r = relay_loop(sock, sfd, io, tty_fd, ret_status, err);
	relay_restore(&saved);
	return r;
}
