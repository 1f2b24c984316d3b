/* seccomp_agent: a seccomp notify listener for tests.  Listens on a unix
 * socket, receives the notify fd and the container process state from the
 * runtime, writes the state JSON to STATE_FILE, then answers every
 * notified syscall with errno ERRNO (so `mkdir` fails with it) until the
 * container's process is gone.
 *   seccomp_agent SOCKET STATE_FILE ERRNO */
#include <errno.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int die(const char *what)
{
	fprintf(stderr, "seccomp_agent: %s: %s\n", what, strerror(errno));
	exit(1);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: seccomp_agent SOCKET STATE_FILE ERRNO\n");
		return 2;
	}
	int answer = atoi(argv[3]);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
	unlink(sa.sun_path);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(s, 1) < 0)
		die("listen");
	int c = accept(s, NULL, NULL);
	if (c < 0)
		die("accept");
	static char state[65536];
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = state, .iov_len = sizeof(state) - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	ssize_t n = recvmsg(c, &mh, 0);
	if (n < 0)
		die("recvmsg");
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	if (cm == NULL || cm->cmsg_type != SCM_RIGHTS) {
		fprintf(stderr, "seccomp_agent: no fd received\n");
		return 1;
	}
	int fd;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	FILE *f = fopen(argv[2], "w");
	if (f == NULL)
		die("open state file");
	fwrite(state, 1, n, f);
	fclose(f);
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	for (;;) {
		memset(&req, 0, sizeof(req));
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
			if (errno == EINTR)
				continue;
			break; /* ENOENT/EBADF: the filter's processes are gone */
		}
		resp = (struct seccomp_notif_resp) { .id = req.id, .error = -answer };
		ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	}
	return 0;
}
