/* The shim's side of the attach socket (attach_proto.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "shim/attach_proto.h"
#include "shim/loop_tags.h"
#include "shim/shim.h"

#define STDIN_WAIT_MS 5000     /* stdin dropped after this long unread */
#define PRIMARY_WAIT_MS 60000  /* the foreground caller dropped after this long unread */

int attach_listen(struct shim *s, husk_error **err)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof(a.sun_path), "/proc/self/fd/%d/" ATTACH_SOCKET_NAME, s->dirfd);
	unlinkat(s->dirfd, ATTACH_SOCKET_NAME, 0);
	s->listen = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->listen < 0)
		return husk_fail(err, errno, "attach socket");
	if (bind(s->listen, (struct sockaddr *) &a, sizeof(a)) < 0 || listen(s->listen, 16) < 0)
		return husk_fail(err, errno, "attach socket");
	return 0;
}

void attach_accept(struct shim *s)
{
	int fd = accept4(s->listen, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	if (s->n_clients == SHIM_MAX_CLIENTS) {
		close(fd);
		return;
	}
	s->clients[s->n_clients++] = fd;
	attach_client_watch(s, fd);
}

void attach_client_watch(struct shim *s, int fd)
{
	/* Room for bursts: a client that falls further behind is dropped. */
	int size = 1 << 20;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	fcntl(fd, F_SETFL, O_NONBLOCK);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = TAG(TAG_CLIENT, fd) };
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		attach_client_drop(s, fd);
}

void attach_client_drop(struct shim *s, int fd)
{
	for (size_t i = 0; i < s->n_clients; i++)
		if (s->clients[i] == fd) {
			s->clients[i] = s->clients[--s->n_clients];
			if (fd == s->primary)
				s->primary = -1;
			epoll_ctl(s->epfd, EPOLL_CTL_DEL, fd, NULL);
			close(fd);
			return;
		}
}

/* Stdin is written with a deadline: a container that never reads it
 * makes the shim drop the input, not hang.  While it waits, the
 * container's output is read on: a container blocked writing it would
 * never read its stdin. */
static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t) t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void write_stdin(struct shim *s, int fd, const char *data, size_t len)
{
	int64_t deadline = 0;
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n > 0) {
			data += n, len -= n;
			deadline = 0;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return;
		if (!deadline)
			deadline = now_ms() + STDIN_WAIT_MS;
		else if (now_ms() >= deadline)
			return;
		struct pollfd p[3] = { { .fd = fd, .events = POLLOUT },
				       { .fd = s->out, .events = POLLIN },
				       { .fd = s->err, .events = POLLIN } };
		if (poll(p, 3, 100) < 0 && errno != EINTR)
			return;
		if (p[1].revents)
			shim_pump(s, &s->out, ATTACH_STDOUT);
		if (p[2].revents)
			shim_pump(s, &s->err, ATTACH_STDERR);
		if (s->tty && s->out < 0)
			return;   /* the terminal itself is gone */
	}
}

bool attach_client_input(struct shim *s, int fd)
{
	/* The upper half: write_stdin reads the container's output into the
	 * lower one while this waits to be written. */
	char *in = s->buf + ATTACH_MSG_MAX;
	ssize_t n = recv(fd, in, ATTACH_MSG_MAX, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n <= 0) {
		attach_client_drop(s, fd);
		return false;
	}
	int target = s->tty ? s->out : s->in;
	switch (in[0]) {
	case ATTACH_STDIN:
		if (s->open_stdin && target >= 0)
			write_stdin(s, target, in + 1, n - 1);
		break;
	case ATTACH_RESIZE:
		if (s->tty && s->out >= 0 && n >= 1 + (ssize_t) sizeof(struct attach_resize)) {
			struct attach_resize r;
			memcpy(&r, in + 1, sizeof(r));
			struct winsize ws = { .ws_row = r.rows, .ws_col = r.cols };
			ioctl(s->out, TIOCSWINSZ, &ws);
		}
		break;
	case ATTACH_CLOSE_STDIN:
		if (!s->open_stdin)
			break;
		if (s->tty && s->out >= 0) {
			/* A terminal has no half-close: its EOF character. */
			struct termios t;
			char eof = tcgetattr(s->out, &t) == 0 ? (char) t.c_cc[VEOF] : 4;
			write_stdin(s, s->out, &eof, 1);
		} else if (s->in >= 0) {
			close(s->in);
			s->in = -1;
		}
		break;
	}
	return true;
}

/* One datagram to a client: false when it is to be dropped.  The
 * foreground caller is waited for (the container's output then waits too,
 * in its pipe) rather than dropped, up to PRIMARY_WAIT_MS. */
static bool send_client(struct shim *s, int fd, struct msghdr *m)
{
	for (int waited = 0;;) {
		if (sendmsg(fd, m, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
			return true;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN || fd != s->primary || waited >= PRIMARY_WAIT_MS)
			return false;
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		if (poll(&p, 1, 1000) == 0)
			waited += 1000;
	}
}

void attach_broadcast(struct shim *s, int type, const void *data, size_t len)
{
	unsigned char t = (unsigned char) type;
	for (size_t i = 0; i < s->n_clients;) {
		struct iovec iov[2] = { { &t, 1 }, { (void *) data, len } };
		struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };
		if (!send_client(s, s->clients[i], &m))
			attach_client_drop(s, s->clients[i]);   /* too slow, or gone */
		else
			i++;
	}
}
