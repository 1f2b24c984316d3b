/* recvtty: the console-socket end of a terminal test.  Listens on a unix
 * socket, takes the pty master an OCI runtime sends (SCM_RIGHTS), writes
 * what the container prints to stdout until the pty closes, and, given
 * --input TEXT, types TEXT into the terminal first.
 *   recvtty [--input TEXT] [--ready FILE] SOCKET */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int die(const char *what)
{
	fprintf(stderr, "recvtty: %s: %s\n", what, strerror(errno));
	exit(1);
}

int main(int argc, char **argv)
{
	const char *input = NULL, *ready = NULL;
	int i = 1;
	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (strcmp(argv[i], "--input") == 0)
			input = argv[i + 1];
		else if (strcmp(argv[i], "--ready") == 0)
			ready = argv[i + 1];
	}
	if (i != argc - 1) {
		fprintf(stderr, "usage: recvtty [--input TEXT] [--ready FILE] SOCKET\n");
		return 2;
	}
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[i]);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	unlink(sa.sun_path);
	if (s < 0 || bind(s, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(s, 1) < 0)
		die("listen");
	if (ready) {
		FILE *f = fopen(ready, "w");
		if (f)
			fclose(f);
	}
	int c = accept(s, NULL, NULL);
	if (c < 0)
		die("accept");
	char name[256] = { 0 }, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	if (recvmsg(c, &mh, 0) < 0)
		die("recvmsg");
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	if (cm == NULL || cm->cmsg_type != SCM_RIGHTS) {
		fprintf(stderr, "recvtty: no fd received\n");
		return 1;
	}
	int master;
	memcpy(&master, CMSG_DATA(cm), sizeof(int));
	fprintf(stderr, "recvtty: got %s\n", name);
	if (input && write(master, input, strlen(input)) < 0)
		die("write");
	char buf[4096];
	ssize_t n;
	/* EIO: every slave fd is closed, the container is gone. */
	while ((n = read(master, buf, sizeof(buf))) > 0)
		if (write(1, buf, n) < 0)
			die("write stdout");
	return 0;
}
