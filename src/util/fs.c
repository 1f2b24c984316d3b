#include "util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"

/* MiB of HUSK_READ_MAX, for messages. */
#define READ_MAX_MIB (HUSK_READ_MAX >> 20)

int read_file_at(int dirfd, const char *path, char **ret_buf, size_t *ret_len, husk_error **err)
{
	/* O_NONBLOCK: opening a FIFO nobody writes must not wait; the file
	 * type is checked before any read. */
	cleanup_close int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return husk_fail(err, errno, "open %s", path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return husk_fail(err, errno, "stat %s", path);
	if (!S_ISREG(st.st_mode))
		return husk_fail(err, 0, "%s: not a regular file", path);
	if (st.st_size > HUSK_READ_MAX)
		return husk_fail(err, 0, "%s: larger than %d MiB", path, READ_MAX_MIB);
	int r = read_fd_all(fd, ret_buf, ret_len, err);
	return r < 0 ? husk_wrap(err, "%s", path) : 0;
}

int read_fd_all(int fd, char **ret_buf, size_t *ret_len, husk_error **err)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return husk_fail(err, errno, "stat");
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISDIR(st.st_mode))
		return husk_fail(err, 0, "not a regular file or a pipe");
	/* From the start when it is a file; a pipe is read as it comes. */
	if (S_ISREG(st.st_mode) && lseek(fd, 0, SEEK_SET) < 0)
		return husk_fail(err, errno, "seek");
	size_t cap = st.st_size > 0 && st.st_size <= HUSK_READ_MAX ? (size_t) st.st_size + 1 : 4096;
	size_t len = 0;
	cleanup_free char *buf = malloc(cap);
	if (buf == NULL)
		return husk_fail(err, ENOMEM, "read");
	for (;;) {
		if (len + 1 >= cap) {
			/* One byte past the limit is enough to know. */
			if (len > HUSK_READ_MAX)
				return husk_fail(err, 0, "larger than %d MiB", READ_MAX_MIB);
			size_t ncap = cap * 2 > (size_t) HUSK_READ_MAX + 2 ? (size_t) HUSK_READ_MAX + 2 : cap * 2;
			char *n = realloc(buf, ncap);
			if (n == NULL)
				return husk_fail(err, ENOMEM, "read");
			buf = n;
			cap = ncap;
		}
		ssize_t r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return husk_fail(err, errno, "read");
		if (r == 0)
			break;
		len += r;
	}
	if (len > HUSK_READ_MAX)
		return husk_fail(err, 0, "larger than %d MiB", READ_MAX_MIB);
	buf[len] = '\0';
	*ret_buf = steal_ptr(buf);
	if (ret_len)
		*ret_len = len;
	return 0;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t r = write(fd, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		p += r;
		len -= r;
	}
	return 0;
}

int write_file_at(int dirfd, const char *path, const void *buf, size_t len, mode_t mode,
		  husk_error **err)
{
	cleanup_close int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return husk_fail(err, errno, "open %s", path);
	int r = write_all(fd, buf, len);
	if (r < 0)
		return husk_fail(err, -r, "write %s", path);
	return 0;
}

int write_file_atomic_at(int dirfd, const char *name, const void *buf, size_t len,
			 mode_t mode, husk_error **err)
{
	char tmp[256];
	if (snprintf(tmp, sizeof(tmp), ".%s.%d", name, (int) getpid()) >= (int) sizeof(tmp))
		return husk_fail(err, ENAMETOOLONG, "write %s", name);
	int r = write_file_at(dirfd, tmp, buf, len, mode, err);
	if (r < 0)
		return r;
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		r = husk_fail(err, errno, "rename %s", name);
		unlinkat(dirfd, tmp, 0);
		return r;
	}
	return 0;
}

int mkdir_p(const char *path, mode_t mode, husk_error **err)
{
	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return husk_fail(err, errno, "mkdir %s", path);
	cleanup_free char *copy = strdup(path);
	if (copy == NULL)
		return husk_fail(err, ENOMEM, "mkdir %s", path);
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST)
			return husk_fail(err, errno, "mkdir %s", copy);
		*p = '/';
	}
	if (mkdir(copy, mode) < 0 && errno != EEXIST)
		return husk_fail(err, errno, "mkdir %s", path);
	return 0;
}

int remove_flat_dir_at(int dirfd, const char *name, husk_error **err)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return husk_fail(err, errno, "open %s", name);
	}
	cleanup_closedir DIR *d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return husk_fail(err, errno, "open %s", name);
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(fd, de->d_name, 0) < 0 && errno != ENOENT)
			return husk_fail(err, errno, "remove %s/%s", name, de->d_name);
	}
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return husk_fail(err, errno, "remove %s", name);
	return 0;
}
