/* Opening the store: its directories, its lock, and the removal of what
 * dead writers left under tmp/. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/store_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

static const char *const store_dirs[] = { "blobs", "blobs/sha256", "layers", "containers", "tmp" };

/* tmp/ names start with the writer's pid and a dot: "1234.blob.XXXXXX". */
static bool writer_gone(const char *name)
{
	char *end = NULL;
	long pid = strtol(name, &end, 10);
	if (end == name || *end != '.' || pid <= 0)
		return true;   /* not ours: nothing may use it */
	if (pid == getpid())
		return false;
	return kill((pid_t) pid, 0) < 0 && errno == ESRCH;
}

static void clean_tmp(int dirfd)
{
	int fd = openat(dirfd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	cleanup_closedir DIR *d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (writer_gone(e->d_name))
			store_remove_tree_at(fd, e->d_name);
	}
}

int store_open(const char *path, bool exclusive, struct store *s, husk_error **err)
{
	*s = (struct store){ .dirfd = -1, .lockfd = -1 };
	if (path == NULL)
		return store_default_path(NULL, 0, err);
	int r = mkdir_p(path, 0700, err);
	if (r < 0)
		return husk_wrap(err, "store %s", path);
	cleanup_close int dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return husk_fail(err, errno, "store %s", path);
	for (size_t i = 0; i < sizeof(store_dirs) / sizeof(*store_dirs); i++)
		if (mkdirat(dirfd, store_dirs[i], 0700) < 0 && errno != EEXIST)
			return husk_fail(err, errno, "store %s: mkdir %s", path, store_dirs[i]);
	cleanup_close int lockfd = openat(dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lockfd < 0)
		return husk_fail(err, errno, "store %s: lock", path);
	while (flock(lockfd, exclusive ? LOCK_EX : LOCK_SH) < 0)
		if (errno != EINTR)
			return husk_fail(err, errno, "store %s: flock", path);
	if (faccessat(dirfd, "oci-layout", F_OK, 0) < 0) {
		static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
		if (write_file_atomic_at(dirfd, "oci-layout", layout, sizeof(layout) - 1, 0644, err) < 0)
			return husk_wrap(err, "store %s", path);
	}
	clean_tmp(dirfd);
	s->path = strdup(path);
	if (s->path == NULL)
		return husk_fail(err, ENOMEM, "store %s", path);
	s->dirfd = steal_fd(dirfd);
	s->lockfd = steal_fd(lockfd);
	return 0;
}

void store_close(struct store *s)
{
	if (s->dirfd >= 0)
		close(s->dirfd);
	if (s->lockfd >= 0)
		close(s->lockfd);
	free(s->path);
	*s = (struct store){ .dirfd = -1, .lockfd = -1 };
}

int store_tmp_name(const char *kind, char *buf, size_t len)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char rnd[8];
	if (getentropy(rnd, sizeof(rnd)) < 0)
		return -errno;
	char suffix[9];
	for (int i = 0; i < 8; i++)
		suffix[i] = chars[rnd[i] % (sizeof(chars) - 1)];
	suffix[8] = '\0';
	snprintf(buf, len, "%d.%s.%s", (int) getpid(), kind, suffix);
	return 0;
}

/* rm -rf relative to dirfd, never following a symlink; best effort. */
void store_remove_tree_at(int dirfd, const char *name)
{
	if (unlinkat(dirfd, name, 0) == 0 || (errno != EISDIR && errno != EPERM))
		return;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	DIR *d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (e->d_type == DT_DIR || e->d_type == DT_UNKNOWN)
			store_remove_tree_at(fd, e->d_name);
		else
			unlinkat(fd, e->d_name, 0);
	}
	closedir(d);
	unlinkat(dirfd, name, AT_REMOVEDIR);
}

/* du of a tree (st_blocks), not following symlinks. */
uint64_t store_tree_bytes_at(int dirfd, const char *name)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	uint64_t n = (uint64_t) st.st_blocks * 512;
	if (!S_ISDIR(st.st_mode))
		return n;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return n;
	DIR *d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return n;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n += store_tree_bytes_at(fd, e->d_name);
	closedir(d);
	return n;
}

int store_default_path(char *buf, size_t len, husk_error **err)
{
	if (geteuid() == 0) {
		if (buf)
			snprintf(buf, len, "/var/lib/husk");
		return 0;
	}
	/* podman's rule: $XDG_DATA_HOME, else ~/.local/share. */
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	struct passwd *pw = NULL;
	if ((!xdg || *xdg != '/') && (!home || *home != '/') && (pw = getpwuid(geteuid())))
		home = pw->pw_dir;
	int n = 0;
	if (!buf && ((xdg && *xdg == '/') || (home && *home == '/')))
		return husk_fail(err, 0, "rootless store: no room for the path: give --store");
	if (xdg && *xdg == '/')
		n = snprintf(buf, len, "%s/husk", xdg);
	else if (home && *home == '/')
		n = snprintf(buf, len, "%s/.local/share/husk", home);
	else
		return husk_fail(err, 0, "rootless store: neither XDG_DATA_HOME nor HOME is set: give --store");
	if (n < 0 || (size_t) n >= len)
		return husk_fail(err, ENAMETOOLONG, "rootless store");
	return 0;
}
