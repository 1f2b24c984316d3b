/* COPY/ADD: writing the sources into the step's root (copy.h). */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "build/copy_internal.h"
#include "util/cleanup.h"
#include "util/signals.h"

struct writer {
	const struct copy_src *src;
	const struct copy_opts *o;
	husk_error **err;
};

static void owner_of(const struct writer *w, const struct stat *st, uid_t *u, gid_t *g)
{
	if (w->o->chown) {
		*u = w->o->uid;
		*g = w->o->gid;
	} else if (w->o->keep_owner) {
		*u = st->st_uid;
		*g = st->st_gid;
	} else {
		*u = 0;
		*g = 0;
	}
}

/* The directory path (absolute in root) made as needed, each new one owned
 * by uid:gid; returns an O_PATH fd of it. */
static int mkdir_in_root(int root, const char *path, uid_t uid, gid_t gid, husk_error **err)
{
	char sofar[4096] = "";
	size_t n = 0;
	int cur = copy_open_in(root, "", O_PATH | O_DIRECTORY);
	if (cur < 0)
		return husk_fail(err, -cur, "destination root");
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t) (e - p) : strlen(p);
		if (!len)
			break;
		if (n + len + 2 >= sizeof(sofar)) {
			close(cur);
			return husk_fail(err, ENAMETOOLONG, "destination %s", path);
		}
		char comp[4096];
		memcpy(comp, p, len);
		comp[len] = '\0';
		sofar[n++] = '/';
		memcpy(sofar + n, p, len);
		n += len;
		sofar[n] = '\0';
		p += len;
		int next = copy_open_in(root, sofar, O_PATH | O_DIRECTORY);
		if (next == -ENOENT) {
			if (mkdirat(cur, comp, 0755) < 0 && errno != EEXIST) {
				close(cur);
				return husk_fail(err, errno, "destination %s", sofar);
			}
			fchownat(cur, comp, uid, gid, AT_SYMLINK_NOFOLLOW);
			next = copy_open_in(root, sofar, O_PATH | O_DIRECTORY);
		}
		close(cur);
		if (next < 0)
			return husk_fail(err, -next, "destination %s", sofar);
		cur = next;
	}
	return cur;
}

static void set_meta(int dirfd, const char *name, const struct stat *st, uid_t u, gid_t g)
{
	fchownat(dirfd, name, u, g, AT_SYMLINK_NOFOLLOW);
	if (!S_ISLNK(st->st_mode))
		fchmodat(dirfd, name, st->st_mode & 07777, 0);
	struct timespec ts[2] = { st->st_mtim, st->st_mtim };
	utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW);
}

static int copy_data(int in, int out)
{
	for (;;) {
		/* 64 MiB at a time: a signal to husk build stops a big copy early */
		ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 26, 0);
		if (n == 0)
			return 0;
		if (n > 0 && signals_interrupt_pending())
			return -EINTR;
		if (n < 0) {
			if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
				return -errno;
			char buf[65536];
			ssize_t r;
			while ((r = read(in, buf, sizeof(buf))) > 0)
				if (write(out, buf, (size_t) r) != r)
					return -EIO;
			return r < 0 ? -errno : 0;
		}
	}
}

static int copy_tree(struct writer *w, int sfd, const char *sname, const char *rel, int dfd,
		     const char *dname);

static int copy_children(struct writer *w, int sdir, const char *rel, int ddir)
{
	char **names = NULL;
	int r = copy_dir_names(sdir, &names);
	if (r < 0)
		return husk_fail(w->err, -r, "source %s", *rel ? rel : ".");
	for (char **p = names; r >= 0 && *p; p++) {
		cleanup_free char *sub = NULL;
		if (asprintf(&sub, "%s%s%s", rel, *rel ? "/" : "", *p) < 0) {
			r = husk_fail(w->err, ENOMEM, "copy");
			break;
		}
		if (w->src->ign && copy_ignored(w->src->ign, sub, true))
			continue;
		r = copy_tree(w, sdir, *p, sub, ddir, *p);
	}
	copy_strv_free(names);
	return r;
}

/* sname under sfd (or sfd itself when sname is "") to dname under dfd. */
static int copy_tree(struct writer *w, int sfd, const char *sname, const char *rel, int dfd,
		     const char *dname)
{
	struct stat st;
	if (fstatat(sfd, sname, &st, *sname ? AT_SYMLINK_NOFOLLOW : AT_EMPTY_PATH) < 0)
		return husk_fail(w->err, errno, "source %s", rel);
	if (w->src->ign && *sname && !S_ISDIR(st.st_mode) && ignore_match(w->src->ign, rel))
		return 0;
	uid_t u;
	gid_t g;
	owner_of(w, &st, &u, &g);
	struct stat have;
	bool exists = fstatat(dfd, dname, &have, AT_SYMLINK_NOFOLLOW) == 0;
	if (S_ISDIR(st.st_mode)) {
		if (exists && !S_ISDIR(have.st_mode) && unlinkat(dfd, dname, 0) < 0)
			return husk_fail(w->err, errno, "destination %s", dname);
		if ((!exists || !S_ISDIR(have.st_mode)) && mkdirat(dfd, dname, 0700) < 0)
			return husk_fail(w->err, errno, "destination %s", dname);
		cleanup_close int s = *sname ? openat(sfd, sname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
					     : copy_reopen(sfd, O_RDONLY | O_DIRECTORY);
		cleanup_close int d = openat(dfd, dname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (s < 0 || d < 0)
			return husk_fail(w->err, errno, "copy %s", rel);
		int r = copy_children(w, s, rel, d);
		if (r < 0)
			return r;
		set_meta(dfd, dname, &st, u, g);
		return 0;
	}
	if (exists && S_ISDIR(have.st_mode))
		return husk_fail(w->err, EISDIR, "%s %s: the destination %s is a directory", w->o->what,
				 rel, dname);
	if (exists && unlinkat(dfd, dname, 0) < 0)
		return husk_fail(w->err, errno, "destination %s", dname);
	if (S_ISREG(st.st_mode)) {
		cleanup_close int in = *sname ? openat(sfd, sname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
					      : copy_reopen(sfd, O_RDONLY);
		cleanup_close int out = openat(dfd, dname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
							   O_CLOEXEC, 0600);
		if (in < 0 || out < 0)
			return husk_fail(w->err, errno, "copy %s", rel);
		int r = copy_data(in, out);
		if (r < 0)
			return husk_fail(w->err, -r, "copy %s", rel);
	} else if (S_ISLNK(st.st_mode)) {
		char target[4097];
		ssize_t n = readlinkat(sfd, sname, target, sizeof(target) - 1);
		if (n < 0)
			return husk_fail(w->err, errno, "readlink %s", rel);
		target[n] = '\0';
		if (symlinkat(target, dfd, dname) < 0)
			return husk_fail(w->err, errno, "symlink %s", dname);
	} else if (mknodat(dfd, dname, st.st_mode, st.st_rdev) < 0) {
		return husk_fail(w->err, errno, "mknod %s", dname);
	}
	set_meta(dfd, dname, &st, u, g);
	return 0;
}

/* Whether the file of the O_PATH fd is a tar archive (any compression). */
static bool is_tar(int pathfd)
{
	int fd = copy_reopen(pathfd, O_RDONLY);
	if (fd < 0)
		return false;
	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	archive_read_support_filter_all(a);
	struct archive_entry *e;
	bool yes = archive_read_open_fd(a, fd, 65536) == ARCHIVE_OK &&
		   archive_read_next_header(a, &e) == ARCHIVE_OK;
	archive_read_free(a);
	close(fd);
	return yes;
}

/* ADD of a local tar archive: extracted into the directory dirfd. */
static int extract_tar(int fd, int dirfd, const char *rel, husk_error **err)
{
	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	archive_read_support_filter_all(a);
	struct archive_entry *e;
	if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK || archive_read_next_header(a, &e) != ARCHIVE_OK) {
		int r = husk_fail(err, 0, "ADD %s: %s", rel, archive_error_string(a));
		archive_read_free(a);
		return r;
	}
	struct archive *disk = archive_write_disk_new();
	archive_write_disk_set_options(disk, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_OWNER |
				       ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR |
				       ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
				       ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS | ARCHIVE_EXTRACT_UNLINK);
	/* archive_write_disk works relative to the working directory. */
	cleanup_close int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int r = 1;
	if (cwd < 0 || fchdir(dirfd) < 0)
		r = husk_fail(err, errno, "ADD %s: enter the destination", rel);
	while (r > 0) {
		if (archive_write_header(disk, e) != ARCHIVE_OK) {
			r = husk_fail(err, 0, "ADD %s: %s: %s", rel, archive_entry_pathname(e),
				      archive_error_string(disk));
			break;
		}
		const void *buf;
		size_t len;
		la_int64_t off;
		int x;
		while ((x = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK)
			if (archive_write_data_block(disk, buf, len, off) != ARCHIVE_OK)
				break;
		if (x != ARCHIVE_EOF) {
			r = husk_fail(err, 0, "ADD %s: %s", rel, archive_error_string(a));
			break;
		}
		archive_write_finish_entry(disk);
		x = archive_read_next_header(a, &e);
		if (x == ARCHIVE_EOF)
			break;
		if (x != ARCHIVE_OK)
			r = husk_fail(err, 0, "ADD %s: %s", rel, archive_error_string(a));
	}
	archive_write_close(disk);
	archive_write_free(disk);
	archive_read_free(a);
	if (cwd >= 0 && fchdir(cwd) < 0 && r > 0)
		r = husk_fail(err, errno, "ADD: return to the working directory");
	return r;
}

int copy_run(const struct copy_src *src, char *const *paths, int dstroot, const char *dest,
	     const struct copy_opts *o, husk_error **err)
{
	struct writer w = { .src = src, .o = o, .err = err };
	size_t n = 0;
	while (paths[n])
		n++;
	size_t dl = strlen(dest);
	bool into = (dl && dest[dl - 1] == '/') || n > 1;
	uid_t u = o->chown ? o->uid : 0;
	gid_t g = o->chown ? o->gid : 0;
	if (!into) {
		cleanup_close int d = copy_open_in(dstroot, dest, O_PATH | O_DIRECTORY);
		into = d >= 0;
	}
	for (size_t i = 0; i < n; i++) {
		cleanup_close int sfd = copy_open_in(src->rootfd, paths[i], O_PATH);
		struct stat st;
		if (sfd < 0 || fstat(sfd, &st) < 0)
			return husk_fail(err, sfd < 0 ? -sfd : errno, "%s %s", o->what, paths[i]);
		cleanup_free char *copy = strdup(paths[i]), *dcopy = strdup(dest);
		if (!copy || !dcopy)
			return husk_fail(err, ENOMEM, "%s", o->what);
		const char *base = *paths[i] ? basename(copy) : ".";
		int r;
		if (S_ISDIR(st.st_mode)) {
			/* A directory's contents, not the directory itself. */
			cleanup_close int d = mkdir_in_root(dstroot, dest, u, g, err);
			if (d < 0)
				return d;
			cleanup_close int s = copy_reopen(sfd, O_RDONLY | O_DIRECTORY);
			cleanup_close int dd = copy_reopen(d, O_RDONLY | O_DIRECTORY);
			if (s < 0 || dd < 0)
				return husk_fail(err, errno, "%s %s", o->what, paths[i]);
			r = copy_children(&w, s, paths[i], dd);
		} else if (o->unpack && S_ISREG(st.st_mode) && is_tar(sfd)) {
			/* A local tar archive: unpacked into dest, a directory. */
			cleanup_close int d = mkdir_in_root(dstroot, dest, u, g, err);
			if (d < 0)
				return d;
			cleanup_close int in = copy_reopen(sfd, O_RDONLY);
			cleanup_close int dd = copy_reopen(d, O_RDONLY | O_DIRECTORY);
			if (in < 0 || dd < 0)
				return husk_fail(err, errno, "ADD %s", paths[i]);
			r = extract_tar(in, dd, paths[i], err);
		} else {
			const char *parent = into ? dest : dirname(dcopy);
			cleanup_close int d = mkdir_in_root(dstroot, parent, u, g, err);
			if (d < 0)
				return d;
			cleanup_free char *dname = strdup(into ? base : basename(strcpy(dcopy, dest)));
			cleanup_close int dd = copy_reopen(d, O_RDONLY | O_DIRECTORY);
			if (!dname || dd < 0)
				return husk_fail(err, dname ? errno : ENOMEM, "%s %s", o->what, paths[i]);
			r = copy_tree(&w, sfd, "", paths[i], dd, dname);
		}
		if (r < 0)
			return husk_wrap(err, "%s %s", o->what, paths[i]);
	}
	return 0;
}
