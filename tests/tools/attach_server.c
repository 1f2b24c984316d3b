/* attach_server [-t] DIR COMMAND [ARG...]: a stand-in for the shim's
 * attach socket (src/shim/attach_proto.h), so that the attach client is
 * tested without the shim.  It runs COMMAND with pipes (-t: a pty) as its
 * stdio, serves DIR/attach to any number of clients (output to all of
 * them, their stdin to COMMAND), appends each resize to DIR/resizes as
 * "ROWS COLS" (and applies it to the pty), and when COMMAND has exited
 * sends its status to every client, removes the socket and exits. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "shim/attach_proto.h"

#define MAX_CLIENTS 16

static int clients[MAX_CLIENTS];
static const char *dir;

static void die(const char *what)
{
	fprintf(stderr, "attach_server: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void broadcast(const unsigned char *buf, size_t n)
{
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (clients[i] >= 0 && send(clients[i], buf, n, MSG_NOSIGNAL) < 0) {
			close(clients[i]);
			clients[i] = -1;
		}
}

static void from_client(int i, int in_fd, int pty)
{
	unsigned char buf[ATTACH_MSG_MAX];
	ssize_t n = recv(clients[i], buf, sizeof(buf), 0);
	if (n <= 0) {
		close(clients[i]);
		clients[i] = -1;
		return;
	}
	if (buf[0] == ATTACH_STDIN && in_fd >= 0) {
		if (write(in_fd, buf + 1, n - 1) < 0)
			perror("attach_server: write stdin");
	} else if (buf[0] == ATTACH_RESIZE && n == 1 + sizeof(struct attach_resize)) {
		struct attach_resize r;
		memcpy(&r, buf + 1, sizeof(r));
		char path[4096];
		snprintf(path, sizeof(path), "%s/resizes", dir);
		FILE *f = fopen(path, "a");
		if (f) {
			fprintf(f, "%u %u\n", r.rows, r.cols);
			fclose(f);
		}
		struct winsize ws = { .ws_row = r.rows, .ws_col = r.cols };
		if (pty >= 0)
			ioctl(pty, TIOCSWINSZ, &ws);
	} else if (buf[0] == ATTACH_CLOSE_STDIN && pty < 0 && in_fd >= 0) {
		close(in_fd);
	}
}

int main(int argc, char **argv)
{
	bool tty = argc > 1 && strcmp(argv[1], "-t") == 0;
	if (argc < 3 + tty) {
		fprintf(stderr, "usage: attach_server [-t] DIR COMMAND [ARG...]\n");
		return 2;
	}
	dir = argv[1 + tty];
	char **cmd = argv + 2 + tty;
	for (int i = 0; i < MAX_CLIENTS; i++)
		clients[i] = -1;
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, errp[2] = { -1, -1 }, pty = -1;
	if (tty) {
		if ((pty = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0 || grantpt(pty) < 0 ||
		    unlockpt(pty) < 0)
			die("pty");
	} else if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		die("pipe");
	}
	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		if (tty) {
			setsid();
			int s = open(ptsname(pty), O_RDWR);
			if (s < 0 || ioctl(s, TIOCSCTTY, 0) < 0)
				die("slave");
			dup2(s, 0), dup2(s, 1), dup2(s, 2);
		} else {
			dup2(in[0], 0), dup2(out[1], 1), dup2(errp[1], 2);
		}
		execvp(cmd[0], cmd);
		die(cmd[0]);
	}
	int in_fd = tty ? pty : in[1], out_fd = tty ? pty : out[0], err_fd = tty ? -1 : errp[0];
	if (!tty)
		close(in[0]), close(out[1]), close(errp[1]);
	int lsock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	/* a store's container directory is longer than sun_path */
	int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		die(dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dfd, ATTACH_SOCKET_NAME);
	unlink(sa.sun_path);
	if (lsock < 0 || bind(lsock, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(lsock, 16) < 0)
		die("listen");
	while (out_fd >= 0 || err_fd >= 0) {
		struct pollfd p[3 + MAX_CLIENTS] = {
			{ .fd = lsock, .events = POLLIN },
			{ .fd = out_fd, .events = POLLIN },
			{ .fd = err_fd, .events = POLLIN },
		};
		for (int i = 0; i < MAX_CLIENTS; i++)
			p[3 + i] = (struct pollfd) { .fd = clients[i], .events = POLLIN };
		if (poll(p, 3 + MAX_CLIENTS, -1) < 0 && errno != EINTR)
			die("poll");
		if (p[0].revents & POLLIN) {
			int c = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
			for (int i = 0; c >= 0 && i < MAX_CLIENTS; i++)
				if (clients[i] < 0) {
					clients[i] = c;
					c = -1;
				}
			if (c >= 0)
				close(c);
		}
		for (int s = 1; s <= 2; s++) {
			if (!p[s].revents)
				continue;
			unsigned char buf[4097];
			buf[0] = s == 1 ? ATTACH_STDOUT : ATTACH_STDERR;
			ssize_t n = read(p[s].fd, buf + 1, sizeof(buf) - 1);
			if (n > 0) {
				broadcast(buf, n + 1);
				continue;
			}
			close(p[s].fd);
			*(s == 1 ? &out_fd : &err_fd) = -1;
		}
		for (int i = 0; i < MAX_CLIENTS; i++)
			if (clients[i] >= 0 && p[3 + i].revents)
				from_client(i, in_fd, pty);
	}
	int status;
	if (waitpid(child, &status, 0) < 0)
		die("waitpid");
	unlink(sa.sun_path);
	unsigned char msg[1 + sizeof(int)] = { ATTACH_EXIT };
	memcpy(msg + 1, &status, sizeof(int));
	broadcast(msg, sizeof(msg));
	return 0;
}
