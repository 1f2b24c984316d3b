#include "linux/copyup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

static int copy_file(int src_dir, int dst_dir, const char *name, const struct stat *st, husk_error **err)
{
	cleanup_close int in = openat(src_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return husk_fail(err, errno, "open %s", name);
	cleanup_close int out = openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				       st->st_mode & 07777);
	if (out < 0)
		return husk_fail(err, errno, "create %s", name);
	char buf[65536];
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return husk_fail(err, errno, "read %s", name);
		if (n == 0)
			return 0;
		if (write_all(out, buf, (size_t) n) < 0)
			return husk_fail(err, errno, "write %s", name);
	}
}

/* Owner, then mode (chown clears set-id bits), then times: of the copy of
 * name in dst_dir. */
static int copy_attrs(int dst_dir, const char *name, const struct stat *st, husk_error **err)
{
	if (fchownat(dst_dir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return husk_fail(err, errno, "chown %s", name);
	if (!S_ISLNK(st->st_mode) && fchmodat(dst_dir, name, st->st_mode & 07777, 0) < 0)
		return husk_fail(err, errno, "chmod %s", name);
	struct timespec times[2] = { st->st_atim, st->st_mtim };
	if (utimensat(dst_dir, name, times, AT_SYMLINK_NOFOLLOW) < 0)
		return husk_fail(err, errno, "set times of %s", name);
	return 0;
}

static int copy_entry(int src_dir, int dst_dir, const char *name, husk_error **err)
{
	struct stat st;
	if (fstatat(src_dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return husk_fail(err, errno, "stat %s", name);
	int r = 0;
	if (S_ISDIR(st.st_mode)) {
		if (mkdirat(dst_dir, name, 0700) < 0)
			return husk_fail(err, errno, "mkdir %s", name);
		cleanup_close int s = openat(src_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		cleanup_close int d = openat(dst_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (s < 0 || d < 0)
			return husk_fail(err, errno, "open directory %s", name);
		r = copy_dir_contents(s, d, err);
	} else if (S_ISREG(st.st_mode)) {
		r = copy_file(src_dir, dst_dir, name, &st, err);
	} else if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(src_dir, name, target, sizeof(target) - 1);
		if (n < 0)
			return husk_fail(err, errno, "readlink %s", name);
		target[n] = '\0';
		if (symlinkat(target, dst_dir, name) < 0)
			return husk_fail(err, errno, "symlink %s", name);
	} else if (S_ISSOCK(st.st_mode)) {
		return 0; /* a socket is nothing without its listener */
	} else if (mknodat(dst_dir, name, st.st_mode, st.st_rdev) < 0) {
		return husk_fail(err, errno, "mknod %s", name);
	}
	if (r < 0)
		return husk_wrap(err, "%s", name);
	return copy_attrs(dst_dir, name, &st, err);
}

int copy_dir_contents(int src_dir, int dst_dir, husk_error **err)
{
	int fd = openat(src_dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return husk_fail(err, errno, "open directory");
	cleanup_closedir DIR *d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return husk_fail(err, errno, "read directory");
	}
	struct dirent *e;
	while ((errno = 0, e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		int r = copy_entry(src_dir, dst_dir, e->d_name, err);
		if (r < 0)
			return r;
	}
	if (errno)
		return husk_fail(err, errno, "read directory");
	return 0;
}
