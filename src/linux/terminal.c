#include "linux/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "linux/path.h"
#include "util/cleanup.h"
#include "util/fdpass.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

static int send_master(int sock, int master, const char *name, husk_error **err)
{
	ssize_t r = fdpass_send(sock, name, strlen(name), master);
	if (r < 0)
		return husk_fail(err, (int) -r, "send the terminal to the console socket");
	return 0;
}

/* The node /dev/console is bound over: made with O_EXCL|O_NOFOLLOW in the
 * container's real /dev directory, or an existing file or device there.
 * A symlink (a sibling sharing a /dev volume may put one there at any
 * time) is removed, never followed: the pty lands on /dev/console itself
 * or the start fails (issue 12.5). */
static int open_console_node(int dev, husk_error **err)
{
	for (int tries = 0; tries < 8; tries++) {
		int fd = openat(dev, "console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST) {
			if (fd < 0)
				return husk_fail(err, errno, "create /dev/console");
			return fd;
		}
		fd = openat(dev, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;
		if (fd >= 0 && fstat(fd, &st) == 0 && (S_ISREG(st.st_mode) || S_ISCHR(st.st_mode)))
			return fd;
		if (fd >= 0)
			close(fd);
		/* A symlink or something else: removed, then made anew. */
		int r = unlinkat(dev, "console", 0);
		if (r < 0 && errno == EISDIR)
			r = unlinkat(dev, "console", AT_REMOVEDIR);
		if (r < 0 && errno != ENOENT)
			return husk_fail(err, errno, "remove /dev/console");
	}
	return husk_fail(err, 0, "/dev/console: replaced again and again while the terminal was set up");
}

static int mount_dev_console(int slave, husk_error **err)
{
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
	cleanup_close int dev = syscall(SYS_openat2, AT_FDCWD, "/dev", &how, sizeof(how));
	if (dev < 0)
		return husk_fail(err, errno, "open /dev (a real directory) in the container");
	cleanup_close int target = open_console_node(dev, err);
	if (target < 0)
		return target;
	cleanup_close int tree = open_tree(slave, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0)
		return husk_fail(err, errno, "bind the terminal on /dev/console");
	if (move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return husk_fail(err, errno, "bind the terminal on /dev/console");
	return 0;
}

int terminal_setup(int console_sock, bool mount_console, unsigned rows, unsigned cols,
		   husk_error **err)
{
	cleanup_close int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return husk_fail(err, errno, "open /dev/ptmx in the container");
	int unlock = 0;
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		return husk_fail(err, errno, "unlock the pty");
	/* The peer from the master itself, not by a /dev/pts path the
	 * container could have replaced. */
	cleanup_close int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return husk_fail(err, errno, "open the pty slave");
	if (rows && cols) {
		struct winsize ws = { .ws_row = rows, .ws_col = cols };
		if (ioctl(master, TIOCSWINSZ, &ws) < 0)
			return husk_fail(err, errno, "set the terminal size");
	}
	int r;
	if (mount_console && (r = mount_dev_console(slave, err)) < 0)
		return r;
	unsigned n = 0;
	char name[32] = "/dev/ptmx";
	if (ioctl(master, TIOCGPTN, &n) == 0)
		snprintf(name, sizeof(name), "/dev/pts/%u", n);
	if ((r = send_master(console_sock, master, name, err)) < 0)
		return r;
	if (setsid() < 0)
		return husk_fail(err, errno, "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return husk_fail(err, errno, "make the pty the controlling terminal");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return husk_fail(err, errno, "dup the terminal to fd %d", fd);
	return 0;
}

int terminal_connect(const char *path, husk_error **err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return husk_fail(err, ENAMETOOLONG, "console socket %s", path);
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return husk_fail(err, e, "connect to console socket %s", path);
	}
	return fd;
}

int terminal_recv_master(int sock, husk_error **err)
{
	char name[64];
	int fd;
	ssize_t r = fdpass_recv(sock, name, sizeof(name), &fd);
	if (r < 0)
		return husk_fail(err, (int) -r, "receive the terminal");
	if (fd < 0)
		return husk_fail(err, 0, "the container sent no terminal");
	return fd;
}
