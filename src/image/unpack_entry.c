/* One layer entry written into the layer directory: what an earlier entry
 * left at its name is removed first (a directory stays when the entry is
 * a directory too), then the entry is created relative to its parent's
 * fd with O_EXCL / mkdirat / symlinkat / mknodat / linkat, none of which
 * follows a symlink at the final name. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/unpack_internal.h"
#include "util/cleanup.h"

#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"

/* Splits c->path into its directory (into dir) and c->base. */
static void split_path(struct unpack_ctx *c, char dir[PATH_MAX])
{
	char *slash = strrchr(c->path, '/');
	if (slash) {
		memcpy(dir, c->path, (size_t) (slash - c->path));
		dir[slash - c->path] = '\0';
		c->base = slash + 1;
	} else {
		dir[0] = '\0';
		c->base = c->path;
	}
}

static int write_data(struct unpack_ctx *c, int fd, struct archive_entry *e, const char *name,
		      husk_error **err)
{
	const void *buf;
	size_t size;
	la_int64_t off, pos = 0;
	int r;
	while ((r = archive_read_data_block(c->tar, &buf, &size, &off)) == ARCHIVE_OK) {
		/* Sparse holes become a seek: the file reads the same. */
		if (off != pos && lseek(fd, off, SEEK_SET) < 0)
			return unpack_fail(c, name, err, errno, "seeking in the file");
		const char *p = buf;
		for (size_t left = size; left > 0;) {
			ssize_t n = write(fd, p, left);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return unpack_fail(c, name, err, errno, "writing the file");
			p += n;
			left -= (size_t) n;
		}
		pos = off + (la_int64_t) size;
	}
	if (r != ARCHIVE_EOF)
		return unpack_fail(c, name, err, archive_errno(c->tar), "reading its data: %s",
				   archive_error_string(c->tar) ?: "?");
	la_int64_t want = archive_entry_size(e);
	if (want > pos && ftruncate(fd, want) < 0)
		return unpack_fail(c, name, err, errno, "extending the file");
	/* The layer is synced before it is renamed into place: start the
	 * writeback of a large file now, while the next entries unpack,
	 * rather than wait for all of it at the end.  Only a hint. */
	if (pos >= (1 << 20))
		sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	return 0;
}

static int make_file(struct unpack_ctx *c, struct archive_entry *e, int pfd, const char *name,
		     husk_error **err)
{
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	cleanup_close int fd = openat(pfd, c->base, flags, 0600);
	if (fd < 0 && errno == EEXIST) {
		int r = unpack_remove(c, pfd, c->base);
		if (r < 0)
			return unpack_fail(c, name, err, -r, "removing what was there");
		fd = openat(pfd, c->base, flags, 0600);
	}
	if (fd < 0)
		return unpack_fail(c, name, err, errno, "creating the file");
	if (write_data(c, fd, e, name, err) < 0)
		return -1;
	return unpack_meta(c, e, fd, pfd, c->base, name, err);
}

static int make_dir(struct unpack_ctx *c, struct archive_entry *e, int pfd, const char *name,
		    husk_error **err)
{
	if (mkdirat(pfd, c->base, 0700) < 0) {
		struct stat st;
		if (errno != EEXIST)
			return unpack_fail(c, name, err, errno, "making the directory");
		if (fstatat(pfd, c->base, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return unpack_fail(c, name, err, errno, "stat");
		if (!S_ISDIR(st.st_mode)) {
			int r = unpack_remove(c, pfd, c->base);
			if (r < 0)
				return unpack_fail(c, name, err, -r, "removing what was there");
			if (mkdirat(pfd, c->base, 0700) < 0)
				return unpack_fail(c, name, err, errno, "making the directory");
		}
	}
	cleanup_close int fd = unpack_openat_beneath(pfd, c->base, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return unpack_fail(c, name, err, -fd, "opening the directory");
	if (unpack_meta(c, e, fd, pfd, c->base, name, err) < 0)
		return -1;
	if (unpack_defer_dir_time(c, e) < 0)
		return unpack_fail(c, name, err, ENOMEM, "recording its mtime");
	return 0;
}

/* Symlinks, devices, fifos, whiteouts: made by mk(), after removing what is
 * at the name when mk() finds it taken. */
static int make_node(struct unpack_ctx *c, int pfd, const char *name, const char *what,
		     int (*mk)(int pfd, const char *base, const void *arg), const void *arg,
		     husk_error **err)
{
	int r = mk(pfd, c->base, arg);
	if (r < 0 && errno == EEXIST) {
		r = unpack_remove(c, pfd, c->base);
		if (r < 0)
			return unpack_fail(c, name, err, -r, "removing what was there");
		r = mk(pfd, c->base, arg);
	}
	if (r < 0)
		return unpack_fail(c, name, err, errno, "making the %s", what);
	return 0;
}

static int mk_symlink(int pfd, const char *base, const void *arg)
{
	return symlinkat(arg, pfd, base);
}

struct node {
	mode_t mode;
	dev_t dev;
};

static int mk_node(int pfd, const char *base, const void *arg)
{
	const struct node *n = arg;
	return mknodat(pfd, base, n->mode, n->dev);
}

static int make_link(struct unpack_ctx *c, struct archive_entry *e, int pfd, const char *name,
		     const char *target, husk_error **err)
{
	char tpath[PATH_MAX], tdir[PATH_MAX];
	const char *why = NULL;
	if (unpack_clean_name(target, tpath, &why) < 0)
		return unpack_fail(c, name, err, 0, "hard link to \"%s\": %s", target, why);
	if (strcmp(tpath, c->path) == 0)
		return 0;
	char *slash = strrchr(tpath, '/');
	const char *tbase = tpath;
	tdir[0] = '\0';
	if (slash) {
		*slash = '\0';
		strcpy(tdir, tpath);
		tbase = slash + 1;
	}
	if (*tbase == '\0')
		return unpack_fail(c, name, err, 0, "hard link to the layer's root");
	cleanup_close int tfd = unpack_openat_beneath(c->dest, tdir, O_PATH | O_DIRECTORY);
	struct stat st;
	if (tfd < 0)
		return unpack_fail(c, name, err, -tfd, "hard link to \"%s\"", target);
	if (fstatat(tfd, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return unpack_fail(c, name, err, errno, "hard link to \"%s\"", target);
	if (S_ISDIR(st.st_mode))
		return unpack_fail(c, name, err, EPERM, "hard link to the directory \"%s\"", target);
	(void) e;
	/* linkat without AT_SYMLINK_FOLLOW: a link to a symlink is a second
	 * name of the symlink, never of what it points to. */
	int r = linkat(tfd, tbase, pfd, c->base, 0);
	if (r < 0 && errno == EEXIST) {
		r = unpack_remove(c, pfd, c->base);
		if (r < 0)
			return unpack_fail(c, name, err, -r, "removing what was there");
		r = linkat(tfd, tbase, pfd, c->base, 0);
	}
	if (r < 0)
		return unpack_fail(c, name, err, errno, "hard link to \"%s\"", target);
	return 0;
}

/* ".wh.NAME": NAME hidden in the lower layers, as overlayfs marks it (a 0:0
 * character device); ".wh..wh..opq": the directory hides the lower ones. */
static int whiteout(struct unpack_ctx *c, int pfd, const char *name, husk_error **err)
{
	if (strcmp(c->base, WH_OPAQUE) == 0) {
		cleanup_close int fd = unpack_openat_beneath(pfd, "", O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			return unpack_fail(c, name, err, -fd, "opening its directory");
		const char *xa = c->userxattr ? "user.overlay.opaque" : "trusted.overlay.opaque";
		if (fsetxattr(fd, xa, "y", 1, 0) < 0)
			return unpack_fail(c, name, err, errno, "setting %s", xa);
		return 0;
	}
	const char *hidden = c->base + strlen(WH_PREFIX);
	if (*hidden == '\0' || strcmp(hidden, ".") == 0 || strcmp(hidden, "..") == 0 ||
	    strncmp(hidden, WH_PREFIX, strlen(WH_PREFIX)) == 0)
		return unpack_fail(c, name, err, 0, "not a valid whiteout");
	c->base = hidden;
	struct node n = { S_IFCHR | 0, makedev(0, 0) };
	return make_node(c, pfd, name, "whiteout", mk_node, &n, err);
}

int unpack_entry(struct unpack_ctx *c, struct archive_entry *e, husk_error **err)
{
	const char *name = archive_entry_pathname(e);
	const char *why = NULL;
	char dir[PATH_MAX];
	if (name == NULL)
		return unpack_fail(c, "?", err, 0, "a name that cannot be read");
	if (unpack_clean_name(name, c->path, &why) < 0)
		return unpack_fail(c, name, err, 0, "%s", why);
	split_path(c, dir);
	mode_t type = archive_entry_filetype(e);
	const char *hardlink = archive_entry_hardlink(e);
	if (*c->base == '\0') {
		/* "./": the layer's root directory itself. */
		if (hardlink || type != AE_IFDIR)
			return unpack_fail(c, name, err, 0, "the layer's root is not a directory");
		cleanup_close int fd = unpack_openat_beneath(c->dest, "", O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			return unpack_fail(c, name, err, -fd, "opening the layer directory");
		if (unpack_meta(c, e, fd, -1, NULL, name, err) < 0)
			return -1;
		return unpack_defer_dir_time(c, e) < 0 ? unpack_fail(c, name, err, ENOMEM, "mtime") : 0;
	}
	int pfd = unpack_open_parent(c, dir);
	if (pfd < 0)
		return unpack_fail(c, name, err, -pfd, "opening its directory");
	if (strncmp(c->base, WH_PREFIX, strlen(WH_PREFIX)) == 0)
		return whiteout(c, pfd, name, err);
	if (hardlink)
		return make_link(c, e, pfd, name, hardlink, err);
	struct node n = { type | (archive_entry_perm(e) & 07777), archive_entry_rdev(e) };
	switch (type) {
	case AE_IFREG:
		return make_file(c, e, pfd, name, err);
	case AE_IFDIR:
		return make_dir(c, e, pfd, name, err);
	case AE_IFLNK: {
		const char *target = archive_entry_symlink(e);
		if (target == NULL || *target == '\0')
			return unpack_fail(c, name, err, 0, "a symlink without a target");
		if (make_node(c, pfd, name, "symlink", mk_symlink, target, err) < 0)
			return -1;
		break;
	}
	case AE_IFCHR:
	case AE_IFBLK:
		/* No device can be made in a user namespace (but the 0:0
		 * whiteout): rootless, a layer's devices are left out, as
		 * podman's storage does ("can't create device ... in user
		 * namespace"); the container's /dev is its own anyway. */
		if (c->userxattr && n.dev != 0)
			return 0;
		/* fall through */
	case AE_IFIFO:
		if (make_node(c, pfd, name, "device", mk_node, &n, err) < 0)
			return -1;
		break;
	default:
		return unpack_fail(c, name, err, 0, "unsupported entry type 0%o", (unsigned) type);
	}
	return unpack_meta(c, e, -1, pfd, c->base, name, err);
}
