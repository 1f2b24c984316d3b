/* Names of layer entries and the directories they go in: every lookup is
 * openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS from
 * the layer directory, so a symlink an earlier entry made is never
 * followed, and ".." is refused before the kernel sees it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "image/unpack_internal.h"
#include "util/cleanup.h"

int unpack_openat_beneath(int dirfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t) flags | O_CLOEXEC | O_NOFOLLOW,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd;
	do
		fd = syscall(SYS_openat2, dirfd, *path ? path : ".", &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN);
	return fd < 0 ? -errno : fd;
}

int unpack_clean_name(const char *name, char out[PATH_MAX], const char **why)
{
	size_t n = 0;
	const char *p = name;
	if (strlen(name) >= PATH_MAX) {
		*why = "name longer than PATH_MAX";
		return -ENAMETOOLONG;
	}
	while (*p) {
		while (*p == '/')
			p++;
		const char *end = strchrnul(p, '/');
		size_t len = (size_t) (end - p);
		if (len == 0 || (len == 1 && p[0] == '.')) {
			p = end;
			continue;
		}
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			*why = "\"..\" in the name";
			return -EINVAL;
		}
		if (n)
			out[n++] = '/';
		memcpy(out + n, p, len);
		n += len;
		p = end;
	}
	out[n] = '\0';
	/* A whiteout is a file: nothing can be under it. */
	for (char *q = out, *s; (s = strchr(q, '/')); q = s + 1)
		if (strncmp(q, ".wh.", 4) == 0) {
			*why = "a whiteout (\".wh.\") as a directory";
			return -EINVAL;
		}
	return 0;
}

void unpack_drop_cache(struct unpack_ctx *c)
{
	if (c->parent_fd >= 0)
		close(c->parent_fd);
	c->parent_fd = -1;
	c->parent_path[0] = '\0';
}

int unpack_open_parent(struct unpack_ctx *c, const char *dir)
{
	if (c->parent_fd >= 0 && strcmp(c->parent_path, dir) == 0)
		return c->parent_fd;
	unpack_drop_cache(c);
	int fd = unpack_openat_beneath(c->dest, dir, O_PATH | O_DIRECTORY);
	if (fd == -ENOENT) {
		/* Tars need not list parents: make the missing ones, one
		 * component at a time, each beneath the one before. */
		char buf[PATH_MAX];
		strcpy(buf, dir);
		cleanup_close int cur = unpack_openat_beneath(c->dest, "", O_PATH | O_DIRECTORY);
		if (cur < 0)
			return cur;
		for (char *p = buf, *s; p; p = s) {
			s = strchr(p, '/');
			if (s)
				*s++ = '\0';
			if (mkdirat(cur, p, 0755) < 0 && errno != EEXIST)
				return -errno;
			int next = unpack_openat_beneath(cur, p, O_PATH | O_DIRECTORY);
			if (next < 0)
				return next;
			close(cur);
			cur = next;
		}
		fd = steal_fd(cur);
	}
	if (fd < 0)
		return fd;
	strcpy(c->parent_path, dir);
	c->parent_fd = fd;
	return fd;
}

/* Depth-first removal; each directory opened beneath its parent without
 * following anything. */
static int remove_tree(int dirfd, const char *name, int depth)
{
	if (unlinkat(dirfd, name, 0) == 0)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	if (depth > 256)
		return -ELOOP;
	int fd = unpack_openat_beneath(dirfd, name, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return fd;
	cleanup_closedir DIR *d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return -errno;
	}
	struct dirent *de;
	while ((errno = 0, de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		int r = remove_tree(fd, de->d_name, depth + 1);
		if (r < 0)
			return r;
	}
	if (errno)
		return -errno;
	return unlinkat(dirfd, name, AT_REMOVEDIR) < 0 ? -errno : 0;
}

int unpack_remove(struct unpack_ctx *c, int dirfd, const char *name)
{
	/* The cached directory stays valid when a child of it goes; any
	 * other removal may have taken it (or a directory above it). */
	int r = remove_tree(dirfd, name, 0);
	if (dirfd != c->parent_fd)
		unpack_drop_cache(c);
	return r == -ENOENT ? 0 : r;
}
