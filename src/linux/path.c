#include "linux/path.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"

const char *fd_path(char *buf, int fd)
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}

static int openat2_in_root(int root_fd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t) flags | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	while (*path == '/')
		path++;
	if (*path == '\0')
		path = ".";
	int fd;
	do
		fd = syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN);
	return fd < 0 ? -errno : fd;
}

int in_root_open(int root_fd, const char *path, int flags, husk_error **err)
{
	int fd = openat2_in_root(root_fd, path, flags);
	if (fd < 0 && err)
		return husk_fail(err, -fd, "open %s in the container", path);
	return fd;
}

/* Creates the last component of `prefix` (whose parent already exists) and
 * returns an O_PATH fd for it.  The parent is reopened inside the root, and
 * the new entry is made relative to that fd, so no symlink is followed. */
static int make_component(int root_fd, char *prefix, bool is_dir)
{
	char *slash = strrchr(prefix, '/');
	const char *name = slash ? slash + 1 : prefix;
	int pfd;
	if (slash) {
		*slash = '\0';
		pfd = openat2_in_root(root_fd, prefix, O_PATH | O_DIRECTORY);
		*slash = '/';
	} else {
		pfd = openat2_in_root(root_fd, ".", O_PATH | O_DIRECTORY);
	}
	if (pfd < 0)
		return pfd;
	cleanup_close int parent = pfd;
	if (is_dir) {
		if (mkdirat(parent, name, 0755) < 0 && errno != EEXIST)
			return -errno;
	} else {
		int f = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (f < 0 && errno != EEXIST)
			return -errno;
		if (f >= 0)
			close(f);
	}
	return openat2_in_root(root_fd, prefix, O_PATH | (is_dir ? O_DIRECTORY : 0));
}

int in_root_mkpath(int root_fd, const char *path, enum in_root_kind kind, husk_error **err)
{
	int fd = openat2_in_root(root_fd, path, O_PATH);
	if (fd >= 0 || fd != -ENOENT) {
		if (fd < 0)
			return husk_fail(err, -fd, "open %s in the container", path);
		return fd;
	}
	char buf[4096];
	while (*path == '/')
		path++;
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int) sizeof(buf))
		return husk_fail(err, ENAMETOOLONG, "open %s in the container", path);
	/* Walk the components, creating what is missing. */
	for (char *p = buf;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		bool last = *p == '\0';
		char saved = *p;
		*p = '\0';
		if (*buf != '\0') {
			fd = openat2_in_root(root_fd, buf, O_PATH);
			if (fd == -ENOENT)
				fd = make_component(root_fd, buf, !last || kind == IN_ROOT_DIR);
			if (fd < 0)
				return husk_fail(err, -fd, "create %s in the container", buf);
			if (!last)
				close(fd);
		}
		*p = saved;
		if (last)
			return fd;
	}
}
