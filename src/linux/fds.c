#include "linux/fds.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"

static void sort_ints(int *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			int t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

/* close_range refused: before 5.9 (ENOSYS), or a seccomp profile written
 * before it existed (EPERM or ENOSYS, issue 13): one by one, as
 * /proc/self/fd lists them; with cloexec, marked instead of closed. */
static int each_fd(unsigned lo, unsigned hi, bool cloexec)
{
	cleanup_closedir DIR *d = opendir("/proc/self/fd");
	if (d == NULL)
		return -errno;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);
		if (*end != '\0' || end == de->d_name || fd < lo || fd > hi || fd == dirfd(d))
			continue;
		if (!cloexec)
			close((int) fd);
		else if (fcntl((int) fd, F_SETFD, FD_CLOEXEC) < 0 && errno != EBADF)
			return -errno;
	}
	return 0;
}

static int close_span(unsigned lo, unsigned hi)
{
	if (syscall(SYS_close_range, lo, hi, 0) == 0)
		return 0;
	if (errno != ENOSYS && errno != EPERM)
		return -errno;
	return each_fd(lo, hi, false);
}

int fds_cloexec_from(unsigned from, husk_error **err)
{
	if (syscall(SYS_close_range, from, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	int r = errno == ENOSYS || errno == EPERM || errno == EINVAL ? each_fd(from, ~0U, true) : -errno;
	return r < 0 ? husk_fail(err, -r, "close_range") : 0;
}

int fds_close_except(int from, const int *keep, size_t n, husk_error **err)
{
	cleanup_free int *k = malloc((n + 1) * sizeof(*k));
	if (k == NULL)
		return husk_fail(err, ENOMEM, "close inherited fds");
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (keep[i] >= from)
			k[m++] = keep[i];
	sort_ints(k, m);
	unsigned lo = (unsigned) from;
	for (size_t i = 0; i < m; i++) {
		unsigned fd = (unsigned) k[i];
		if (fd > lo) {
			int r = close_span(lo, fd - 1);
			if (r < 0)
				return husk_fail(err, -r, "close inherited fds");
		}
		if (fd >= lo)
			lo = fd + 1;
	}
	int r = close_span(lo, ~0U);
	return r < 0 ? husk_fail(err, -r, "close inherited fds") : 0;
}

bool fds_foreign_magic_link(const char *path, int passed)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_NO_MAGICLINKS };
	cleanup_close int plain = syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	if (plain >= 0 || errno != ELOOP)
		return false;
	/* ELOOP is a magic link or a plain loop: only the first opens. */
	cleanup_close int target = open(path, O_PATH | O_CLOEXEC);
	struct stat t, p;
	if (target < 0 || fstat(target, &t) < 0)
		return false;
	for (int i = 3; i < 3 + passed; i++)
		if (fstat(i, &p) == 0 && p.st_dev == t.st_dev && p.st_ino == t.st_ino)
			return false;
	return true;
}
