#include "linux/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

static bool is_procfs(int fd)
{
	struct statfs sf;
	return fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

int proc_open(const char *path, husk_error **err)
{
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return husk_fail(err, errno, "open %s", path);
	if (!is_procfs(fd)) {
		close(fd);
		return husk_fail(err, 0, "%s is not a procfs", path);
	}
	return fd;
}

int proc_write(int proc_fd, const char *rel, const char *value, husk_error **err)
{
	struct open_how how = {
		.flags = O_WRONLY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	/* "self" is the one symlink allowed, resolved by hand: it names our
	 * pid as this procfs numbers it, which is not getpid() when the
	 * procfs is the host's and we are in a new pid namespace. */
	char buf[512], self[32];
	if (strncmp(rel, "self/", 5) == 0) {
		ssize_t n = readlinkat(proc_fd, "self", self, sizeof(self) - 1);
		if (n < 0)
			return husk_fail(err, errno, "read /proc/self");
		self[n] = '\0';
		snprintf(buf, sizeof(buf), "%s/%s", self, rel + 5);
		rel = buf;
	}
	cleanup_close int fd = syscall(SYS_openat2, proc_fd, rel, &how, sizeof(how));
	if (fd < 0)
		return husk_fail(err, errno, "open /proc/%s", rel);
	if (!is_procfs(fd))
		return husk_fail(err, 0, "/proc/%s is not on procfs", rel);
	int r = write_all(fd, value, strlen(value));
	if (r < 0)
		return husk_fail(err, -r, "write %s to /proc/%s", value, rel);
	return 0;
}
