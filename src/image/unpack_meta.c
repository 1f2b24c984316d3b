/* What an entry carries besides its content: ownership, mode (setuid
 * too: chown clears it, so mode comes after), xattrs (after chown, which
 * clears security.capability) and times; directories' times at the end,
 * once nothing more is written into them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/unpack_internal.h"
#include "util/cleanup.h"

int unpack_fail(struct unpack_ctx *c, const char *name, husk_error **err, int errnum,
		const char *fmt, ...)
{
	(void) c;
	char why[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return husk_fail(err, errnum, "layer entry \"%.200s\": %s", name, why);
}

/* The xattrs a layer may set: file capabilities, user.* and trusted.*, but
 * never overlayfs' own (trusted.overlay.*, and user.overlay.* that a
 * rootless overlay reads: only whiteouts make those).  Rootless, trusted.*
 * cannot be set and is left out. */
static bool xattr_kept(const struct unpack_ctx *c, const char *name)
{
	if (strcmp(name, "security.capability") == 0)
		return true;
	if (strncmp(name, "user.", 5) == 0)
		return strncmp(name, "user.overlay.", 13) != 0;
	return !c->userxattr && strncmp(name, "trusted.", 8) == 0 &&
	       strncmp(name, "trusted.overlay.", 16) != 0;
}

static void entry_times(struct archive_entry *e, struct timespec ts[2])
{
	ts[1].tv_sec = archive_entry_mtime(e);
	ts[1].tv_nsec = archive_entry_mtime_nsec(e);
	if (archive_entry_atime_is_set(e)) {
		ts[0].tv_sec = archive_entry_atime(e);
		ts[0].tv_nsec = archive_entry_atime_nsec(e);
	} else {
		ts[0] = ts[1];
	}
}

int unpack_meta(struct unpack_ctx *c, struct archive_entry *e, int fd, int parentfd,
		const char *base, const char *name, husk_error **err)
{
	mode_t type = archive_entry_filetype(e);
	bool is_link = type == AE_IFLNK;
	char proc[64];
	if (fd < 0)
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d/", parentfd);
	if (c->root) {
		la_int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);
		if (uid < 0 || uid >= UINT32_MAX || gid < 0 || gid >= UINT32_MAX)
			return unpack_fail(c, name, err, 0, "owner %lld:%lld out of range",
					   (long long) uid, (long long) gid);
		/* Also for 0:0: a setgid parent gave the new inode its group. */
		if ((fd >= 0 ? fchown(fd, (uid_t) uid, (gid_t) gid)
			     : fchownat(parentfd, base, (uid_t) uid, (gid_t) gid, AT_SYMLINK_NOFOLLOW)) < 0) {
			if (errno == EINVAL && c->userxattr)
				return unpack_fail(c, name, err, 0, "owner %lld:%lld is not mapped in the rootless user namespace (too few ids for this user in /etc/subuid and /etc/subgid)",
						   (long long) uid, (long long) gid);
			return unpack_fail(c, name, err, errno, "chown");
		}
	}
	mode_t mode = archive_entry_perm(e) & 07777;
	/* fchmodat follows a symlink: base is never one here (just made). */
	if (!is_link && (fd >= 0 ? fchmod(fd, mode) : fchmodat(parentfd, base, mode, 0)) < 0)
		return unpack_fail(c, name, err, errno, "chmod");
	const char *xname;
	const void *value;
	size_t size;
	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &xname, &value, &size) == ARCHIVE_OK) {
		if (!xattr_kept(c, xname))
			continue;
		int r;
		if (fd >= 0) {
			r = fsetxattr(fd, xname, value, size, 0);
		} else {
			/* Devices and fifos are never opened; the parent's fd
			 * path plus a base that is no symlink (or, for a
			 * symlink, lsetxattr: the link itself). */
			char path[PATH_MAX + 64];
			snprintf(path, sizeof(path), "%s%s", proc, base);
			r = lsetxattr(path, xname, value, size, 0);
		}
		if (r < 0)
			return unpack_fail(c, name, err, errno, "setting xattr %.100s", xname);
	}
	if (type == AE_IFDIR)
		return 0;
	struct timespec ts[2];
	entry_times(e, ts);
	if ((fd >= 0 ? futimens(fd, ts) : utimensat(parentfd, base, ts, AT_SYMLINK_NOFOLLOW)) < 0)
		return unpack_fail(c, name, err, errno, "setting its times");
	return 0;
}

int unpack_defer_dir_time(struct unpack_ctx *c, struct archive_entry *e)
{
	if (c->n_dirs == c->cap_dirs) {
		size_t cap = c->cap_dirs ? 2 * c->cap_dirs : 64;
		struct unpack_dir_time *d = realloc(c->dirs, cap * sizeof(*d));
		if (d == NULL)
			return -ENOMEM;
		c->dirs = d;
		c->cap_dirs = cap;
	}
	struct unpack_dir_time *d = &c->dirs[c->n_dirs];
	d->path = strdup(c->path);
	if (d->path == NULL)
		return -ENOMEM;
	entry_times(e, d->times);
	c->n_dirs++;
	return 0;
}

int unpack_dir_times(struct unpack_ctx *c, husk_error **err)
{
	for (size_t i = c->n_dirs; i-- > 0;) {
		struct unpack_dir_time *d = &c->dirs[i];
		cleanup_close int fd = unpack_openat_beneath(c->dest, d->path, O_RDONLY | O_DIRECTORY);
		/* Gone or no longer a directory: a later entry replaced it. */
		if (fd == -ENOENT || fd == -ENOTDIR || fd == -ELOOP)
			continue;
		if (fd < 0 || futimens(fd, d->times) < 0)
			return unpack_fail(c, d->path, err, fd < 0 ? -fd : errno, "setting its times");
	}
	return 0;
}

void unpack_ctx_free(struct unpack_ctx *c)
{
	for (size_t i = 0; i < c->n_dirs; i++)
		free(c->dirs[i].path);
	free(c->dirs);
	c->dirs = NULL;
	c->n_dirs = c->cap_dirs = 0;
	unpack_drop_cache(c);
}
