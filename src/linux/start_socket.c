#include "linux/start_socket.h"

#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

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
	cleanup_close int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return husk_fail(err, errno, "start socket");
	if (bind(fd, (struct sockaddr *) &sa, address(dir_fd, &sa)) < 0 || listen(fd, 1) < 0)
		return husk_fail(err, errno, "start socket");
	return steal_fd(fd);
}

int start_socket_trigger(int dir_fd, sync_fd_handler on_seccomp, void *ctx, husk_error **err)
{
	struct sockaddr_un sa;
	cleanup_close int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return husk_fail(err, errno, "start socket");
	if (connect(fd, (struct sockaddr *) &sa, address(dir_fd, &sa)) < 0) {
		if (errno == ECONNREFUSED || errno == ENOENT)
			return husk_fail(err, 0, "the container process is gone");
		return husk_fail(err, errno, "connect to the container");
	}
	unlinkat(dir_fd, SOCK_NAME, 0);
	return sync_wait_eof(fd, "container process", on_seccomp, ctx, err);
}
