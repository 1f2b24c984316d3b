#include "linux/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/devices.h"
#include "linux/mount_options.h"
#include "linux/mounts.h"
#include "linux/path.h"
#include "util/cleanup.h"

static unsigned long root_propagation(const struct spec *s)
{
	/* Validation admits only propagation names here. */
	const char *opts[] = { s->rootfs_propagation, NULL };
	struct mount_options o;
	if (s->rootfs_propagation && *s->rootfs_propagation && mount_options_parse(opts, &o, NULL) >= 0) {
		free(o.data);
		if (o.propagation)
			return o.propagation;
	}
	/* Default as runc: nothing done inside propagates back to the host,
	 * while host mounts still propagate in. */
	return MS_SLAVE | MS_REC;
}

/* /dev gets the standard nodes only when config mounts a fresh filesystem
 * there (not when the host's /dev is bound in). */
static bool dev_is_fresh(const struct spec *s)
{
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct spec_mount *m = &s->mounts[i];
		if (strcmp(m->destination, "/dev") != 0)
			continue;
		return !spec_mount_is_bind(m);
	}
	return false;
}

/* The host's /dev/null, checked to be the real device, never something
 * planted: masked files are covered with it.  Opened in the container's
 * mount namespace, since open_tree() clones only mounts of its own. */
static int open_dev_null(husk_error **err)
{
	int fd = open("/dev/null", O_PATH | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return husk_fail(err, errno, "open /dev/null");
	if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) {
		close(fd);
		return husk_fail(err, 0, "/dev/null is not the null device");
	}
	return fd;
}

static int mask_paths(int root_fd, const struct spec *s, husk_error **err)
{
	const char **paths = s->masked_paths;
	if (paths == NULL || paths[0] == NULL)
		return 0;
	cleanup_close int dev_null = open_dev_null(err);
	if (dev_null < 0)
		return dev_null;
	for (size_t i = 0; paths && paths[i]; i++) {
		cleanup_close int fd = in_root_open(root_fd, paths[i], O_PATH | O_NOFOLLOW, NULL);
		if (fd == -ENOENT)
			continue;
		if (fd < 0)
			return husk_fail(err, -fd, "mask %s", paths[i]);
		struct stat st;
		if (fstat(fd, &st) < 0)
			return husk_fail(err, errno, "mask %s", paths[i]);
		if (S_ISDIR(st.st_mode)) {
			char tp[32];
			if (mount("tmpfs", fd_path(tp, fd), "tmpfs", MS_RDONLY, NULL) < 0)
				return husk_fail(err, errno, "mask %s", paths[i]);
		} else if (bind_fd_over(dev_null, fd, false, false, err) < 0) {
			return husk_wrap(err, "mask %s", paths[i]);
		}
	}
	return 0;
}

static int readonly_paths(int root_fd, const struct spec *s, husk_error **err)
{
	for (size_t i = 0; s->readonly_paths && s->readonly_paths[i]; i++) {
		cleanup_close int fd = in_root_open(root_fd, s->readonly_paths[i], O_PATH | O_NOFOLLOW, NULL);
		if (fd == -ENOENT)
			continue;
		if (fd < 0)
			return husk_fail(err, -fd, "read-only path %s", s->readonly_paths[i]);
		if (bind_fd_over(fd, fd, true, true, err) < 0)
			return husk_wrap(err, "read-only path %s", s->readonly_paths[i]);
	}
	return 0;
}

int rootfs_enter(const struct rootfs_config *c, husk_error **err)
{
	if (chdir(c->rootfs) < 0)
		return husk_fail(err, errno, "chdir %s", c->rootfs);
	if (c->no_pivot) {
		/* Weaker than pivot_root: the old root stays reachable to a
		 * process that can escape a chroot. */
		if (mount(c->rootfs, "/", NULL, MS_MOVE, NULL) < 0)
			return husk_fail(err, errno, "move %s to /", c->rootfs);
		if (chroot(".") < 0)
			return husk_fail(err, errno, "chroot");
	} else {
		/* pivot_root(".", ".") stacks the old root on top of the new
		 * one; detaching it leaves only the rootfs. */
		if (syscall(SYS_pivot_root, ".", ".") < 0)
			return husk_fail(err, errno, "pivot_root %s", c->rootfs);
		if (umount2(".", MNT_DETACH) < 0)
			return husk_fail(err, errno, "detach the old root");
	}
	if (chdir("/") < 0)
		return husk_fail(err, errno, "chdir /");
	return 0;
}

int rootfs_prepare(const struct rootfs_config *c, husk_error **err)
{
	const struct spec *s = c->spec;
	int r;
	if (mount(NULL, "/", NULL, root_propagation(s), NULL) < 0)
		return husk_fail(err, errno, "set propagation of /");
	if (mount(c->rootfs, c->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return husk_fail(err, errno, "bind rootfs %s", c->rootfs);
	unsigned long prop = root_propagation(s);
	if ((prop & MS_SHARED) || !(prop & MS_REC)) {
		/* pivot_root refuses a new root whose parent mount is shared,
		 * and a shared host mount holding the rootfs stays shared when
		 * the propagation asked for is shared or not recursive.  The
		 * first bind is made slave or private (shared comes back in
		 * rootfs_finish) and the root bound once more on top of it.
		 * Mounts below keep their peers. */
		unsigned long first = (prop & MS_SLAVE) ? MS_SLAVE : MS_PRIVATE;
		if (mount(NULL, c->rootfs, NULL, first, NULL) < 0 ||
		    mount(c->rootfs, c->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
			return husk_fail(err, errno, "bind rootfs %s", c->rootfs);
	}
	/* Opened after the bind, so that lookups from it see the mounts made
	 * on the bind and not on the directory underneath. */
	cleanup_close int root_fd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return husk_fail(err, errno, "open rootfs %s", c->rootfs);

	for (size_t i = 0; i < s->n_mounts; i++)
		if ((r = mount_entry(root_fd, &s->mounts[i], c->mount_fds ? c->mount_fds[i] : -1,
					   &c->cgroup, err)) < 0)
			return husk_wrap(err, "mounts[%zu] %s", i, s->mounts[i].destination);
	if ((r = devices_create(root_fd, s, c->in_userns, dev_is_fresh(s), err)) < 0 ||
	    (r = mask_paths(root_fd, s, err)) < 0 || (r = readonly_paths(root_fd, s, err)) < 0)
		return r;
	return 0;
}

int rootfs_finish(const struct rootfs_config *c, husk_error **err)
{
	unsigned long prop = root_propagation(c->spec);
	if ((prop & MS_SHARED) && mount(NULL, "/", NULL, prop, NULL) < 0)
		return husk_fail(err, errno, "set propagation of the container's /");
	if (!c->spec->root_readonly)
		return 0;
	cleanup_close int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	unsigned long keep = root >= 0 ? mount_kept_flags(root) : 0;
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | keep, NULL) < 0)
		return husk_fail(err, errno, "remount / read-only");
	return 0;
}
