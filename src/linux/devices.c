#include "linux/devices.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "linux/mounts.h"
#include "linux/path.h"
#include "util/cleanup.h"

static const struct spec_device standard_devices[] = {
	{ .path = "/dev/null", .type = 'c', .major = 1, .minor = 3 },
	{ .path = "/dev/zero", .type = 'c', .major = 1, .minor = 5 },
	{ .path = "/dev/full", .type = 'c', .major = 1, .minor = 7 },
	{ .path = "/dev/random", .type = 'c', .major = 1, .minor = 8 },
	{ .path = "/dev/urandom", .type = 'c', .major = 1, .minor = 9 },
	{ .path = "/dev/tty", .type = 'c', .major = 5, .minor = 0 },
};

static const struct {
	const char *target, *name;
} standard_links[] = {
	{ "/proc/self/fd", "fd" },       { "/proc/self/fd/0", "stdin" },
	{ "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" },
	{ "pts/ptmx", "ptmx" },
};

/* Splits "/dev/x/y" into an fd for "/dev/x" (created if missing) and "y". */
static int open_parent(int root_fd, const char *path, const char **ret_name, husk_error **err)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	size_t n = slash ? (size_t) (slash - path) : 0;
	if (n >= sizeof(dir))
		return husk_fail(err, ENAMETOOLONG, "device %s", path);
	memcpy(dir, path, n);
	dir[n] = '\0';
	*ret_name = slash ? slash + 1 : path;
	return in_root_mkpath(root_fd, n ? dir : "/", IN_ROOT_DIR, err);
}

static mode_t type_bits(char type)
{
	switch (type) {
	case 'b': return S_IFBLK;
	case 'p': return S_IFIFO;
	default: return S_IFCHR;
	}
}

/* No mknod in a user namespace: bind the host's node over an empty file. */
static int bind_host_node(int dir, const char *name, const struct spec_device *d, husk_error **err)
{
	cleanup_close int src = open(d->path, O_PATH | O_CLOEXEC | O_NOFOLLOW);
	if (src < 0)
		return husk_fail(err, errno, "device %s: open the host's node", d->path);
	cleanup_close int f = openat(dir, name, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0);
	if (f < 0)
		return husk_fail(err, errno, "device %s", d->path);
	return bind_fd_over(src, f, false, false, err);
}

static int make_node(int root_fd, const struct spec_device *d, bool in_userns, husk_error **err)
{
	const char *name;
	cleanup_close int dir = open_parent(root_fd, d->path, &name, err);
	if (dir < 0)
		return dir;
	mode_t perm = d->has_file_mode ? d->file_mode : 0666;
	if (in_userns)
		return bind_host_node(dir, name, d, err);
	dev_t dev = makedev(d->major, d->minor);
	if (mknodat(dir, name, type_bits(d->type) | perm, dev) < 0) {
		/* husk itself in a user namespace that is not the host's (rootless
		 * podman runs its runtime in one, and the config then has none of
		 * its own): no mknod there either. */
		if (errno == EPERM)
			return bind_host_node(dir, name, d, err);
		if (errno != EEXIST)
			return husk_fail(err, errno, "mknod %s", d->path);
		/* A node the image shipped is replaced: it may be anything. */
		if (unlinkat(dir, name, 0) < 0 || mknodat(dir, name, type_bits(d->type) | perm, dev) < 0)
			return husk_fail(err, errno, "mknod %s", d->path);
	}
	/* mknod applies the umask: set the exact mode and owner. */
	if (fchmodat(dir, name, perm, AT_SYMLINK_NOFOLLOW) < 0 && errno != EOPNOTSUPP)
		return husk_fail(err, errno, "chmod %s", d->path);
	if (fchownat(dir, name, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return husk_fail(err, errno, "chown %s", d->path);
	return 0;
}

static bool configured(const struct spec *s, const char *path)
{
	for (size_t i = 0; i < s->n_devices; i++)
		if (strcmp(s->devices[i].path, path) == 0)
			return true;
	return false;
}

int devices_create(int root_fd, const struct spec *s, bool in_userns, bool standard,
		   husk_error **err)
{
	int r;
	if (standard) {
		for (size_t i = 0; i < sizeof(standard_devices) / sizeof(standard_devices[0]); i++)
			if (!configured(s, standard_devices[i].path) &&
			    (r = make_node(root_fd, &standard_devices[i], in_userns, err)) < 0)
				return r;
		cleanup_close int dev = in_root_open(root_fd, "/dev", O_PATH | O_DIRECTORY, err);
		if (dev < 0)
			return dev;
		for (size_t i = 0; i < sizeof(standard_links) / sizeof(standard_links[0]); i++)
			if (symlinkat(standard_links[i].target, dev, standard_links[i].name) < 0 &&
			    errno != EEXIST)
				return husk_fail(err, errno, "symlink /dev/%s", standard_links[i].name);
		if (access("/proc/kcore", F_OK) == 0 && symlinkat("/proc/kcore", dev, "core") < 0 &&
		    errno != EEXIST)
			return husk_fail(err, errno, "symlink /dev/core");
	}
	for (size_t i = 0; i < s->n_devices; i++)
		if ((r = make_node(root_fd, &s->devices[i], in_userns, err)) < 0)
			return r;
	return 0;
}
