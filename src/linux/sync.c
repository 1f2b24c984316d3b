#include "linux/sync.h"
#include "util/fdpass.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int sync_pair(int fds[2], husk_error **err)
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
		return husk_fail(err, errno, "socketpair");
	return 0;
}

static int send_msg(int fd, const struct sync_msg *m, size_t len, int pass_fd)
{
	ssize_t r = fdpass_send(fd, m, len, pass_fd);
	return r < 0 ? (int) r : 0;
}

int sync_send(int fd, enum sync_type type, int32_t value, husk_error **err)
{
	struct sync_msg m = { .type = type, .value = value };
	int r = send_msg(fd, &m, offsetof(struct sync_msg, text), -1);
	if (r < 0)
		return husk_fail(err, -r, "sync: send");
	return 0;
}

int sync_send_fd(int fd, enum sync_type type, int pass_fd, husk_error **err)
{
	struct sync_msg m = { .type = type };
	int r = send_msg(fd, &m, offsetof(struct sync_msg, text), pass_fd);
	if (r < 0)
		return husk_fail(err, -r, "sync: send fd");
	return 0;
}

void sync_send_error(int fd, const husk_error *err)
{
	struct sync_msg m = { .type = SYNC_ERROR, .value = err ? err->errnum : 0 };
	const char *text = err && err->msg ? err->msg : "unknown error";
	size_t n = strnlen(text, sizeof(m.text) - 1);
	memcpy(m.text, text, n);
	send_msg(fd, &m, offsetof(struct sync_msg, text) + n + 1, -1);
}

int sync_error(const struct sync_msg *m, husk_error **err)
{
	/* The text is already "what: why", strerror included. */
	int code = husk_fail(err, 0, "%s", m->text);
	if (err && *err) {
		(*err)->errnum = m->value;
		code = husk_error_code(*err);
	}
	return code;
}

int sync_recv(int fd, struct sync_msg *m, const char *peer, husk_error **err)
{
	ssize_t r = fdpass_recv(fd, m, offsetof(struct sync_msg, fd), &m->fd);
	if (r < 0)
		return husk_fail(err, (int) -r, "sync: receive from %s", peer);
	if (r == 0)
		return 1;
	if ((size_t) r < offsetof(struct sync_msg, text)) {
		if (m->fd >= 0)
			close(m->fd);
		return husk_fail(err, 0, "sync: short message from %s", peer);
	}
	if ((size_t) r == offsetof(struct sync_msg, text))
		m->text[0] = '\0';
	m->text[sizeof(m->text) - 1] = '\0';
	return 0;
}

int sync_expect(int fd, enum sync_type want, const char *peer, int32_t *ret_value,
		husk_error **err)
{
	struct sync_msg m;
	int r = sync_recv(fd, &m, peer, err);
	if (r < 0)
		return r;
	if (r == 1)
		return husk_fail(err, 0, "%s exited unexpectedly", peer);
	if (m.fd >= 0)
		close(m.fd);
	if (m.type == SYNC_ERROR)
		return sync_error(&m, err);
	if (m.type != want)
		return husk_fail(err, 0, "sync: unexpected message %u from %s", m.type, peer);
	if (ret_value)
		*ret_value = m.value;
	return 0;
}

int sync_wait_eof(int fd, const char *peer, sync_fd_handler on_seccomp, void *ctx,
		  husk_error **err)
{
	for (;;) {
		struct sync_msg m;
		int r = sync_recv(fd, &m, peer, err);
		if (r != 0)
			return r < 0 ? r : 0;
		if (m.type == SYNC_SECCOMP && m.fd >= 0 && on_seccomp) {
			if ((r = on_seccomp(ctx, m.fd, err)) < 0)
				return r;
			continue;
		}
		if (m.fd >= 0)
			close(m.fd);
		if (m.type == SYNC_ERROR)
			return sync_error(&m, err);
		return husk_fail(err, 0, "sync: unexpected message %u from %s", m.type, peer);
	}
}
