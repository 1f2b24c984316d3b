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
#include <unistd.h>

#include "shim/attach_proto.h"
#include "shim/loop_tags.h"
#include "shim/shim.h"

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
	/* Room for bursts: a client that falls further behind is dropped. */
	int size = 1 << 20;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = TAG(TAG_CLIENT, fd) };
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		close(fd);
		return;
	}
	s->clients[s->n_clients++] = fd;
}

void attach_client_drop(struct shim *s, int fd)
{
	for (size_t i = 0; i < s->n_clients; i++)
		if (s->clients[i] == fd) {
			s->clients[i] = s->clients[--s->n_clients];
			epoll_ctl(s->epfd, EPOLL_CTL_DEL, fd, NULL);
			close(fd);
			return;
		}
}

/* Stdin is written with a deadline: a container that never reads it
 * makes the shim drop the input, not hang. */
static void write_stdin(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n > 0) {
			data += n, len -= n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		if (n < 0 && errno == EAGAIN && poll(&p, 1, 5000) > 0)
			continue;
		return;
	}
}

bool attach_client_input(struct shim *s, int fd)
{
	ssize_t n = recv(fd, s->buf, ATTACH_MSG_MAX, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n <= 0) {
		attach_client_drop(s, fd);
		return false;
	}
	int target = s->tty ? s->out : s->in;
	switch (s->buf[0]) {
	case ATTACH_STDIN:
		if (s->open_stdin && target >= 0)
			write_stdin(target, s->buf + 1, n - 1);
		break;
	case ATTACH_RESIZE:
		if (s->tty && s->out >= 0 && n >= 1 + (ssize_t) sizeof(struct attach_resize)) {
			struct attach_resize r;
			memcpy(&r, s->buf + 1, sizeof(r));
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
			write_stdin(s->out, &eof, 1);
		} else if (s->in >= 0) {
			close(s->in);
			s->in = -1;
		}
		break;
	}
	return true;
}

void attach_broadcast(struct shim *s, int type, const void *data, size_t len)
{
	unsigned char t = (unsigned char) type;
	for (size_t i = 0; i < s->n_clients;) {
		struct iovec iov[2] = { { &t, 1 }, { (void *) data, len } };
		struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };
		if (sendmsg(s->clients[i], &m, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
			attach_client_drop(s, s->clients[i]);   /* too slow, or gone */
		else
			i++;
	}
}
