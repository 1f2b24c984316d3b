/* Entries of a saved archive, blobs streamed from the store in 128 KiB
 * pieces (never a whole blob in memory) and hashed while they pass. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/digest.h"
#include "image/save_internal.h"
#include "util/cleanup.h"

#define CHUNK (128 * 1024)

static void entry_freep(struct archive_entry **e)
{
	if (*e)
		archive_entry_free(*e);
}

static void reader_freep(struct archive **a)
{
	if (*a)
		archive_read_free(*a);
}

static int write_fail(struct save_out *o, const char *name, husk_error **err)
{
	int e = archive_errno(o->a);
	return husk_fail(err, e > 0 ? e : EIO, "write %s: %s", name,
			 archive_error_string(o->a) ? archive_error_string(o->a) : "archive error");
}

/* Entries carry mtime 0, root:root: the same images give the same bytes. */
static int header(struct save_out *o, const char *name, mode_t type, int64_t size,
		  husk_error **err)
{
	__attribute__((cleanup(entry_freep))) struct archive_entry *e = archive_entry_new();
	if (!e)
		return husk_fail(err, ENOMEM, "write %s", name);
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
	archive_entry_set_size(e, type == AE_IFDIR ? 0 : size);
	archive_entry_set_mtime(e, 0, 0);
	if (archive_write_header(o->a, e) != ARCHIVE_OK)
		return write_fail(o, name, err);
	return 0;
}

static int data(struct save_out *o, const char *name, const void *buf, size_t len,
		husk_error **err)
{
	if (archive_write_data(o->a, buf, len) != (la_ssize_t)len)
		return write_fail(o, name, err);
	return 0;
}

int save_once(struct save_out *o, const char *digest, bool *already, husk_error **err)
{
	for (size_t i = 0; i < o->n_written; i++)
		if (strcmp(o->written[i], digest) == 0) {
			*already = true;
			return 0;
		}
	char (*w)[DIGEST_LEN] = realloc(o->written, (o->n_written + 1) * DIGEST_LEN);
	if (!w)
		return husk_fail(err, ENOMEM, "save");
	o->written = w;
	snprintf(o->written[o->n_written++], DIGEST_LEN, "%s", digest);
	*already = false;
	return 0;
}

int save_dir(struct save_out *o, const char *name, husk_error **err)
{
	return header(o, name, AE_IFDIR, 0, err);
}

int save_buffer(struct save_out *o, const char *name, const void *buf, size_t len,
		husk_error **err)
{
	if (header(o, name, AE_IFREG, len, err) < 0)
		return -1;
	return data(o, name, buf, len, err);
}

static int check_digest(const char *what, const char *got, const char *want, husk_error **err)
{
	if (strcmp(got, want) != 0)
		return husk_fail(err, 0, "%s: the store's copy hashes to %s: corrupt store", what, got);
	return 0;
}

int save_blob(struct save_out *o, const char *name, const char *digest, int64_t size,
	      husk_error **err)
{
	cleanup_close int fd = store_blob_open(o->s, digest, err);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return husk_fail(err, errno, "blob %s", digest);
	if (size >= 0 && st.st_size != size)
		return husk_fail(err, 0, "blob %s: %lld bytes in the store, the manifest says %lld",
				 digest, (long long)st.st_size, (long long)size);
	if (header(o, name, AE_IFREG, st.st_size, err) < 0)
		return -1;
	cleanup_sha256 struct sha256_ctx *h = sha256_new();
	cleanup_free char *buf = malloc(CHUNK);
	if (!h || !buf)
		return husk_fail(err, ENOMEM, "blob %s", digest);
	int64_t left = st.st_size;
	while (left > 0) {
		ssize_t n = read(fd, buf, left < CHUNK ? left : CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return husk_fail(err, n < 0 ? errno : EIO, "blob %s: read", digest);
		sha256_update(h, buf, n);
		if (data(o, name, buf, n, err) < 0)
			return -1;
		left -= n;
	}
	char got[DIGEST_LEN];
	sha256_finish(steal_ptr(h), got);
	return check_digest(digest, got, digest, err);
}

/* A reader that decompresses blob fd (from its start) as one raw stream. */
static int open_raw(int fd, const char *digest, struct archive **ret, husk_error **err)
{
	if (lseek(fd, 0, SEEK_SET) < 0)
		return husk_fail(err, errno, "blob %s", digest);
	struct archive *a = archive_read_new();
	if (!a)
		return husk_fail(err, ENOMEM, "blob %s", digest);
	struct archive_entry *e;
	/* The compressions the store keeps (not _all: lrzip and friends would
	 * run external programs). */
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_xz(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_fd(a, fd, CHUNK) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK) {
		husk_fail(err, 0, "blob %s: %s", digest, archive_error_string(a));
		archive_read_free(a);
		return -1;
	}
	*ret = a;
	return 0;
}

/* Passes the decompressed bytes to h (and to the archive when name is set),
 * counting them. */
static int pump(struct save_out *o, struct archive *r, const char *name, const char *digest,
		char *buf, struct sha256_ctx *h, int64_t *total, husk_error **err)
{
	*total = 0;
	for (;;) {
		la_ssize_t n = archive_read_data(r, buf, CHUNK);
		if (n == 0)
			return 0;
		if (n < 0)
			return husk_fail(err, 0, "blob %s: %s", digest, archive_error_string(r));
		*total += n;
		if (h)
			sha256_update(h, buf, n);
		if (name && data(o, name, buf, n, err) < 0)
			return -1;
	}
}

int save_layer_tar(struct save_out *o, const char *name, const char *digest,
		   const char *diff_id, husk_error **err)
{
	if (strcmp(digest, diff_id) == 0)   /* stored uncompressed */
		return save_blob(o, name, digest, -1, err);
	cleanup_close int fd = store_blob_open(o->s, digest, err);
	if (fd < 0)
		return -1;
	cleanup_free char *buf = malloc(CHUNK);
	if (!buf)
		return husk_fail(err, ENOMEM, "blob %s", digest);
	int64_t size, again;
	{
		__attribute__((cleanup(reader_freep))) struct archive *r = NULL;
		if (open_raw(fd, digest, &r, err) < 0 || pump(o, r, NULL, digest, buf, NULL, &size, err) < 0)
			return -1;
	}
	__attribute__((cleanup(reader_freep))) struct archive *r = NULL;
	if (open_raw(fd, digest, &r, err) < 0 || header(o, name, AE_IFREG, size, err) < 0)
		return -1;
	cleanup_sha256 struct sha256_ctx *h = sha256_new();
	if (!h)
		return husk_fail(err, ENOMEM, "blob %s", digest);
	if (pump(o, r, name, digest, buf, h, &again, err) < 0)
		return -1;
	if (again != size)
		return husk_fail(err, EIO, "blob %s: changed while it was read", digest);
	char got[DIGEST_LEN];
	sha256_finish(steal_ptr(h), got);
	return check_digest(diff_id, got, diff_id, err);
}
