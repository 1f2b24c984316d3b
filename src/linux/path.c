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
#include "util/path_clean.h"

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

/* A missing path with its dangling symlinks replaced, as often as it
 * takes, by what they point to: an absolute target from the root, a
 * relative one from the symlink's directory (which is resolved inside
 * the root first).  From the first component that is missing and not a
 * symlink on, the path stays as written: that part is created.  runc
 * (securejoin) and crun create a mount's destination there too, so that an
 * image's /etc/resolv.conf -> /run/systemd/resolve/stub-resolv.conf gets
 * the generated file at the target, inside the rootfs.  0, -ELOOP after 40
 * symlinks, or another negative errno. */
static int follow_dangling(int root_fd, const char *path, char *out, size_t n)
{
	char cur[4096], next[8192], target[4096], base[4096];
	while (*path == '/')
		path++;
	if (snprintf(cur, sizeof(cur), "%s", path) >= (int) sizeof(cur))
		return -ENAMETOOLONG;
	for (int hops = 0;; hops++) {
		if (hops > 40)
			return -ELOOP;
		bool followed = false;
		for (char *p = cur;; p++) {
			if (*p != '/' && *p != '\0')
				continue;
			char saved = *p;
			*p = '\0';
			int fd = *cur ? openat2_in_root(root_fd, cur, O_PATH) : -EEXIST;
			if (fd >= 0)
				close(fd);
			if (fd != -ENOENT) {
				*p = saved;
				if (fd < 0 && fd != -EEXIST)
					return fd;
				if (saved == '\0')
					break;
				continue;
			}
			/* cur is missing: a dangling symlink, or the first to create. */
			char *slash = strrchr(cur, '/');
			const char *name = slash ? slash + 1 : cur;
			if (slash)
				*slash = '\0';
			int pfd = openat2_in_root(root_fd, slash ? cur : ".", O_PATH | O_DIRECTORY);
			ssize_t tl = pfd >= 0 ? readlinkat(pfd, name, target, sizeof(target) - 1) : -1;
			int r = 0;
			base[0] = '\0';
			if (tl > 0 && target[0] != '/')
				r = in_root_fd_path(root_fd, pfd, base, sizeof(base));
			if (pfd >= 0)
				close(pfd);
			if (slash)
				*slash = '/';
			*p = saved;
			if (tl <= 0 || (size_t) tl >= sizeof(target) - 1)
				break;   /* not a symlink: created from here */
			if (r < 0)
				return r;
			target[tl] = '\0';
			if (snprintf(next, sizeof(next), "%s/%s%s", base, target, p) >= (int) sizeof(cur))
				return -ENAMETOOLONG;
			const char *np = next;
			while (*np == '/')
				np++;
			memmove(cur, np, strlen(np) + 1);
			followed = true;
			break;
		}
		if (!followed)
			break;
	}
	if (snprintf(out, n, "%s", cur) >= (int) n)
		return -ENAMETOOLONG;
	return 0;
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
	int r = follow_dangling(root_fd, path, buf, sizeof(buf));
	if (r < 0)
		return husk_fail(err, -r, "open %s in the container", path);
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

int in_root_fd_path(int root_fd, int fd, char *out, size_t n)
{
	char root[4096], found[4096], tp[32];
	ssize_t rl = readlink(fd_path(tp, root_fd), root, sizeof(root) - 1);
	if (rl < 0)
		return -errno;
	ssize_t fl = readlink(fd_path(tp, fd), found, sizeof(found) - 1);
	if (fl < 0)
		return -errno;
	if ((size_t) rl >= sizeof(root) - 1 || (size_t) fl >= sizeof(found) - 1)
		return -ENAMETOOLONG;
	root[rl] = found[fl] = '\0';
	if (found[0] != '/')
		return -EXDEV; /* "anon_inode:...", or unreachable from our root */
	size_t skip = 0;
	if (strcmp(root, "/") != 0) {
		if (strncmp(found, root, (size_t) rl) != 0 || (found[rl] != '\0' && found[rl] != '/'))
			return -EXDEV;
		skip = (size_t) rl;
	}
	return path_clean(found + skip, out, n);
}

int in_root_resolve(int root_fd, const char *path, char *out, size_t n)
{
	char buf[4096], followed[4096];
	int whole = openat2_in_root(root_fd, path, O_PATH);
	if (whole >= 0)
		close(whole);
	else if (whole == -ENOENT) {
		/* Where in_root_mkpath would create it. */
		int r = follow_dangling(root_fd, path, followed, sizeof(followed));
		if (r < 0)
			return r;
		path = followed;
	}
	if (snprintf(buf, sizeof(buf), "/%s", path) >= (int) sizeof(buf))
		return -ENAMETOOLONG;
	/* The longest prefix that exists, symlinks resolved by the kernel;
	 * what is missing after it is appended as mkpath would make it. */
	size_t cut = strlen(buf);
	int fd;
	for (;;) {
		char saved = buf[cut];
		buf[cut] = '\0';
		fd = openat2_in_root(root_fd, buf, O_PATH);
		buf[cut] = saved;
		if (fd != -ENOENT)
			break;
		while (cut > 0 && buf[cut - 1] == '/')
			cut--;
		while (cut > 0 && buf[cut - 1] != '/')
			cut--;
	}
	if (fd < 0)
		return fd;
	cleanup_close int found = fd;
	char joined[8192];
	int r = in_root_fd_path(root_fd, found, joined, sizeof(joined) / 2);
	if (r < 0)
		return r;
	size_t len = strlen(joined);
	if (snprintf(joined + len, sizeof(joined) - len, "/%s", buf + cut) >= (int) (sizeof(joined) - len))
		return -ENAMETOOLONG;
	return path_clean(joined, out, n);
}
