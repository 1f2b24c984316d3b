#include "linux/start_socket.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "linux/sync.h"
#include "util/cleanup.h"

#define SOCK_NAME "start.sock"

/* Addressed through /proc/self/fd so the state root may be any length. */
static socklen_t address(int dir_fd, struct sockaddr_un *sa)
{
	*sa = (struct sockaddr_un) { .sun_family = AF_UNIX };
	snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/" SOCK_NAME, dir_fd);
	return sizeof(*sa);
}

int start_socket_listen(int dir_fd, husk_error **err)
{
	struct sockaddr_un sa;
	cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return husk_fail(err, errno, "start socket");
	if (bind(fd, (struct sockaddr *) &sa, address(dir_fd, &sa)) < 0 || listen(fd, 1) < 0)
		return husk_fail(err, errno, "start socket");
	return steal_fd(fd);
}

int start_socket_trigger(int dir_fd, husk_error **err)
{
	struct sockaddr_un sa;
	cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return husk_fail(err, errno, "start socket");
	if (connect(fd, (struct sockaddr *) &sa, address(dir_fd, &sa)) < 0) {
		if (errno == ECONNREFUSED || errno == ENOENT)
			return husk_fail(err, 0, "the container process is gone");
		return husk_fail(err, errno, "connect to the container");
	}
	unlinkat(dir_fd, SOCK_NAME, 0);
	/* EOF: exec happened.  Otherwise the container sent a SYNC_ERROR. */
	struct sync_msg m = { 0 };
	size_t len = 0;
	while (len < sizeof(m)) {
		ssize_t r = read(fd, (char *) &m + len, sizeof(m) - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += r;
	}
	if (len == 0)
		return 0;
	m.text[sizeof(m.text) - 1] = '\0';
	if (m.type != SYNC_ERROR || len <= offsetof(struct sync_msg, text))
		return husk_fail(err, 0, "the container failed to start");
	return sync_error(&m, err);
}
