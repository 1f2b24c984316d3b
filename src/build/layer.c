/* A directory of changes as a normalised, gzipped layer tar (layer.h):
 * written once, hashed on the way (diffID before gzip, the blob digest
 * after), then unpacked into the store as any pulled layer. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <zlib.h>

#include "build/layer.h"
#include "image/digest.h"
#include "util/cleanup.h"
#include "util/signals.h"

struct tar_out {
	struct blob_writer *w;
	struct sha256_ctx *diff;
	z_stream z;
	husk_error *err;
	uint64_t entries;
	struct link { dev_t dev; ino_t ino; char *path; } *links;
	size_t n_links;
	int64_t epoch;
	bool skip_mount_points;
};

static int deflate_out(struct tar_out *t, const void *buf, size_t len, int flush)
{
	unsigned char chunk[65536];
	t->z.next_in = (unsigned char *) buf;
	t->z.avail_in = (uInt) len;
	do {
		t->z.next_out = chunk;
		t->z.avail_out = sizeof(chunk);
		int zr = deflate(&t->z, flush);
		if (zr == Z_STREAM_ERROR)
			return husk_fail(&t->err, 0, "layer: gzip failed");
		size_t have = sizeof(chunk) - t->z.avail_out;
		if (have && blob_writer_write(t->w, chunk, have, &t->err) < 0)
			return -1;
	} while (t->z.avail_out == 0);
	return 0;
}

static la_ssize_t write_cb(struct archive *a, void *arg, const void *buf, size_t len)
{
	(void) a;
	struct tar_out *t = arg;
	sha256_update(t->diff, buf, len);
	return deflate_out(t, buf, len, Z_NO_FLUSH) < 0 ? -1 : (la_ssize_t) len;
}

static int64_t clamp(const struct tar_out *t, int64_t sec)
{
	return t->epoch >= 0 && sec > t->epoch ? t->epoch : sec;
}

static int put_header(struct archive *a, struct tar_out *t, struct archive_entry *e)
{
	t->entries++;
	if (archive_write_header(a, e) != ARCHIVE_OK)
		return husk_fail(&t->err, 0, "layer tar: %s: %s", archive_entry_pathname(e),
				 archive_error_string(a));
	return 0;
}

/* An empty regular file entry (whiteouts). */
static int put_marker(struct archive *a, struct tar_out *t, const char *path, int64_t mtime)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, 0);
	archive_entry_set_mtime(e, clamp(t, mtime), 0);
	int r = put_header(a, t, e);
	archive_entry_free(e);
	return r;
}

static int put_data(struct archive *a, struct tar_out *t, int fd, const char *path)
{
	char buf[65536];
	ssize_t n;
	unsigned chunks = 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (archive_write_data(a, buf, (size_t) n) != n)
			return husk_fail(&t->err, 0, "layer tar: %s: %s", path, archive_error_string(a));
		/* every 16 MiB: a signal to husk build ends a big file's layer early */
		if (++chunks % 256 == 0 && signals_interrupt_pending())
			return husk_fail(&t->err, EINTR, "layer: %s", path);
	}
	return n < 0 ? husk_fail(&t->err, errno, "layer: read %s", path) : 0;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *) x, *(char *const *) y);
}

static int walk(struct archive *a, struct tar_out *t, int dirfd, const char *prefix);

static const char *hard_link(struct tar_out *t, const struct stat *st, const char *path)
{
	for (size_t i = 0; i < t->n_links; i++)
		if (t->links[i].dev == st->st_dev && t->links[i].ino == st->st_ino)
			return t->links[i].path;
	struct link *nl = realloc(t->links, (t->n_links + 1) * sizeof(*nl));
	if (nl) {
		t->links = nl;
		t->links[t->n_links++] = (struct link) { st->st_dev, st->st_ino, strdup(path) };
	}
	return NULL;
}

static bool mount_point(const struct tar_out *t, const char *path, const struct stat *st);

/* etc/ in a RUN's upper dir holding only the mount points: copied up for
 * them, not changed by the step. */
static bool only_mount_points(const struct tar_out *t, int dirfd, const char *path)
{
	if (!t->skip_mount_points || strcmp(path, "etc") != 0)
		return false;
	static const char *const names[] = { "hostname", "hosts", "resolv.conf" };
	int fd = openat(dirfd, "etc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	bool only = true;
	struct dirent *de;
	while (only && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		struct stat st;
		char sub[64];
		only = false;
		for (size_t i = 0; i < 3; i++)
			if (!strcmp(de->d_name, names[i]) && fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
				snprintf(sub, sizeof(sub), "etc/%s", names[i]);
				only = mount_point(t, sub, &st);
			}
	}
	closedir(d);
	return only;
}

static bool mount_point(const struct tar_out *t, const char *path, const struct stat *st)
{
	return t->skip_mount_points && S_ISREG(st->st_mode) && st->st_size == 0 &&
	       (!strcmp(path, "etc/hostname") || !strcmp(path, "etc/hosts") ||
		!strcmp(path, "etc/resolv.conf"));
}

static int entry(struct archive *a, struct tar_out *t, int dirfd, const char *name, const char *path)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return husk_fail(&t->err, errno, "layer: stat %s", path);
	if (mount_point(t, path, &st) || (S_ISDIR(st.st_mode) && only_mount_points(t, dirfd, path)))
		return 0;
	if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
		char wh[4200];
		const char *slash = strrchr(path, '/');
		snprintf(wh, sizeof(wh), "%.*s.wh.%s", slash ? (int) (slash - path + 1) : 0, path, name);
		return put_marker(a, t, wh, st.st_mtime);
	}
	cleanup_close int fd = -1;
	if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
		fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
				 (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
		if (fd < 0)
			return husk_fail(&t->err, errno, "layer: open %s", path);
	}
	cleanup_free char *full = NULL;
	if (asprintf(&full, "%s%s", path, S_ISDIR(st.st_mode) ? "/" : "") < 0)
		return husk_fail(&t->err, ENOMEM, "layer");
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, full);
	archive_entry_set_mode(e, st.st_mode);
	archive_entry_set_uid(e, st.st_uid);
	archive_entry_set_gid(e, st.st_gid);
	archive_entry_set_mtime(e, clamp(t, st.st_mtime), 0);
	const char *link = NULL;
	if (S_ISREG(st.st_mode) && st.st_nlink > 1 && (link = hard_link(t, &st, path)))
		archive_entry_set_hardlink(e, link);
	else if (S_ISREG(st.st_mode))
		archive_entry_set_size(e, st.st_size);
	if (S_ISLNK(st.st_mode)) {
		char target[4097];
		ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);
		if (n < 0) {
			archive_entry_free(e);
			return husk_fail(&t->err, errno, "layer: readlink %s", path);
		}
		target[n] = '\0';
		archive_entry_set_symlink(e, target);
	}
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		archive_entry_set_rdev(e, st.st_rdev);
	if (fd >= 0) {
		char cap[1024];
		ssize_t n = fgetxattr(fd, "security.capability", cap, sizeof(cap));
		if (n > 0)
			archive_entry_xattr_add_entry(e, "security.capability", cap, (size_t) n);
	}
	int r = put_header(a, t, e);
	archive_entry_free(e);
	if (r < 0)
		return r;
	if (S_ISREG(st.st_mode) && !link)
		return put_data(a, t, fd, path);
	if (!S_ISDIR(st.st_mode))
		return 0;
	char v[2];
	if (fgetxattr(fd, "trusted.overlay.opaque", v, sizeof(v)) == 1 && v[0] == 'y') {
		cleanup_free char *opq = NULL;
		if (asprintf(&opq, "%s/.wh..wh..opq", path) < 0)
			return husk_fail(&t->err, ENOMEM, "layer");
		if ((r = put_marker(a, t, opq, st.st_mtime)) < 0)
			return r;
	}
	return walk(a, t, fd, path);
}

/* The entries of dirfd, sorted, depth first. */
static int walk(struct archive *a, struct tar_out *t, int dirfd, const char *prefix)
{
	int dup_fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dup_fd < 0 ? NULL : fdopendir(dup_fd);
	if (!d) {
		if (dup_fd >= 0)
			close(dup_fd);
		return husk_fail(&t->err, errno, "layer: read directory %s", *prefix ? prefix : ".");
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int r = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			char **nv = realloc(names, cap * sizeof(char *));
			if (!nv) {
				r = husk_fail(&t->err, ENOMEM, "layer");
				break;
			}
			names = nv;
		}
		if (!(names[n] = strdup(de->d_name))) {
			r = husk_fail(&t->err, ENOMEM, "layer");
			break;
		}
		n++;
	}
	closedir(d);
	if (r == 0)
		qsort(names, n, sizeof(char *), cmp_str);
	for (size_t i = 0; r == 0 && i < n; i++) {
		cleanup_free char *path = NULL;
		if (asprintf(&path, "%s%s%s", prefix, *prefix ? "/" : "", names[i]) < 0)
			r = husk_fail(&t->err, ENOMEM, "layer");
		else
			r = entry(a, t, dirfd, names[i], path);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

static int write_tar(struct tar_out *t, int dirfd)
{
	struct archive *a = archive_write_new();
	if (!a)
		return husk_fail(&t->err, ENOMEM, "layer tar");
	archive_write_set_format_pax_restricted(a);
	archive_write_set_bytes_in_last_block(a, 1);
	int r = 0;
	if (archive_write_open(a, t, NULL, write_cb, NULL) != ARCHIVE_OK)
		r = husk_fail(&t->err, 0, "layer tar: %s", archive_error_string(a));
	if (r == 0)
		r = walk(a, t, dirfd, "");
	if (archive_write_close(a) != ARCHIVE_OK && r == 0)
		r = husk_fail(&t->err, 0, "layer tar: %s", archive_error_string(a));
	archive_write_free(a);
	return r;
}

int layer_from_dir(struct store *s, int dirfd, const char *parent_chain, int64_t epoch,
		   bool skip_mount_points, struct layer_made *out, husk_error **err)
{
	struct tar_out t = { .epoch = epoch, .skip_mount_points = skip_mount_points };
	*out = (struct layer_made) { 0 };
	bool exists = false;
	int r = blob_writer_open(s, NULL, -1, &t.w, &exists, err);
	if (r < 0)
		return r;
	if (!(t.diff = sha256_new())) {
		blob_writer_abort(t.w);
		return husk_fail(err, ENOMEM, "layer");
	}
	/* windowBits 31: a gzip header with no name and mtime 0. */
	if (deflateInit2(&t.z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		sha256_free(t.diff);
		blob_writer_abort(t.w);
		return husk_fail(err, ENOMEM, "layer: gzip");
	}
	r = write_tar(&t, dirfd);
	if (r == 0)
		r = deflate_out(&t, NULL, 0, Z_FINISH);
	deflateEnd(&t.z);
	for (size_t i = 0; i < t.n_links; i++)
		free(t.links[i].path);
	free(t.links);
	sha256_finish(t.diff, out->diff_id);
	if (r < 0 || t.entries == 0) {
		blob_writer_abort(t.w);
		if (r < 0) {
			*err = t.err;
			return r;
		}
		out->empty = true;
		return 0;
	}
	if ((r = blob_writer_commit(t.w, out->blob, err)) < 0)
		return r;
	cleanup_close int fd = store_blob_open(s, out->blob, err);
	if (fd < 0)
		return fd;
	return store_layer_add(s, parent_chain, fd, out->diff_id, out->chain, err);
}
