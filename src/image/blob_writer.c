/* Blobs: written to an unnamed file (O_TMPFILE) under tmp/, hashed as the
 * bytes pass, checked against the digest and size expected, fsynced and
 * only then linked under blobs/sha256/: a crash at any instant leaves no
 * name pointing at a partial blob, and no temporary file either. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/digest.h"
#include "image/store_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

struct blob_writer {
	struct store *s;
	int fd;
	struct sha256_ctx *hash;
	char expected[DIGEST_LEN];   /* "" when not known */
	int64_t expected_size;
	uint64_t size, flushed;  /* bytes written, bytes whose writeback started */
	bool synced;             /* the caller synced the file system */
};

void blob_writer_mark_synced(struct blob_writer *w)
{
	w->synced = true;
}

bool store_blob_exists(struct store *s, const char *digest)
{
	char p[96];
	if (!digest_valid(digest))
		return false;
	store_blob_path(digest, p);
	return faccessat(s->dirfd, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

static int open_writer(struct store *s, const char *expected_digest, int64_t expected_size,
		       bool hashed, struct blob_writer **ret, bool *exists, husk_error **err)
{
	*ret = NULL;
	if (exists)
		*exists = false;
	if (expected_digest) {
		if (!digest_valid(expected_digest))
			return husk_fail(err, 0, "blob %s: not a sha256 digest", expected_digest);
		if (exists && store_blob_exists(s, expected_digest)) {
			*exists = true;
			return 0;
		}
	}
	struct blob_writer *w = calloc(1, sizeof(*w));
	if (w == NULL)
		return husk_fail(err, ENOMEM, "blob");
	w->s = s;
	w->expected_size = expected_size;
	if (expected_digest)
		snprintf(w->expected, sizeof(w->expected), "%s", expected_digest);
	w->fd = openat(s->dirfd, "tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		int e = errno;
		free(w);
		return husk_fail(err, e, "blob: temporary file in %s/tmp", s->path);
	}
	w->hash = hashed ? sha256_new() : NULL;
	if (hashed && w->hash == NULL) {
		blob_writer_abort(w);
		return husk_fail(err, ENOMEM, "blob");
	}
	*ret = w;
	return 0;
}

int blob_writer_open(struct store *s, const char *expected_digest, int64_t expected_size,
		     struct blob_writer **ret, bool *exists, husk_error **err)
{
	return open_writer(s, expected_digest, expected_size, true, ret, exists, err);
}

int blob_writer_open_unhashed(struct store *s, const char *expected_digest, int64_t expected_size,
			      struct blob_writer **ret, husk_error **err)
{
	return open_writer(s, expected_digest, expected_size, false, ret, NULL, err);
}

int blob_writer_write(struct blob_writer *w, const void *buf, size_t len, husk_error **err)
{
	w->size += len;
	if (w->expected_size >= 0 && w->size > (uint64_t) w->expected_size)
		return husk_fail(err, 0, "blob %s: more than the %lld bytes expected",
				 w->expected[0] ? w->expected : "", (long long) w->expected_size);
	if (w->hash)
		sha256_update(w->hash, buf, len);
	int r = write_all(w->fd, buf, len);
	if (r < 0)
		return husk_fail(err, -r, "blob: write to %s/tmp", w->s->path);
	/* The commit fsyncs: start the writeback every 8 MiB as the bytes come
	 * (a hint; the fsync is what counts), so it overlaps the rest. */
	if (w->size - w->flushed >= (8 << 20)) {
		sync_file_range(w->fd, (off_t) w->flushed, (off_t) (w->size - w->flushed),
				SYNC_FILE_RANGE_WRITE);
		w->flushed = w->size;
	}
	return 0;
}

int blob_writer_rehash(struct blob_writer *w, husk_error **err)
{
	if (w->hash)
		return 0;
	enum { BUF = 1 << 16 };
	cleanup_free char *buf = malloc(BUF);
	w->hash = sha256_new();
	if (buf == NULL || w->hash == NULL)
		return husk_fail(err, ENOMEM, "blob");
	ssize_t n;
	for (off_t off = 0; (n = pread(w->fd, buf, BUF, off)) > 0; off += n)
		sha256_update(w->hash, buf, (size_t) n);
	return n < 0 ? husk_fail(err, errno, "blob: read back %s/tmp", w->s->path) : 0;
}

void blob_writer_abort(struct blob_writer *w)
{
	if (w == NULL)
		return;
	if (w->fd >= 0)
		close(w->fd);
	sha256_free(w->hash);
	free(w);
}

int blob_writer_commit(struct blob_writer *w, char digest_out[DIGEST_LEN], husk_error **err)
{
	return blob_writer_commit_new(w, digest_out, NULL, err);
}

int blob_writer_commit_new(struct blob_writer *w, char digest_out[DIGEST_LEN], bool *created,
			   husk_error **err)
{
	char digest[DIGEST_LEN];
	sha256_finish(w->hash, digest);
	w->hash = NULL;
	return blob_writer_commit_hashed(w, digest, digest_out, created, err);
}

int blob_writer_commit_hashed(struct blob_writer *w, const char *digest, char digest_out[DIGEST_LEN],
			      bool *created, husk_error **err)
{
	char path[96], proc[64];
	int r = 0;
	if (w->hash) {   /* hashed itself: use blob_writer_commit_new */
		r = husk_fail(err, EINVAL, "blob: a hashing writer committed with a digest");
		goto out;
	}
	if (w->expected[0] && strcmp(digest, w->expected) != 0) {
		r = husk_fail(err, 0, "blob %s: digest mismatch: the content is %s", w->expected,
			      digest);
		goto out;
	}
	if (w->expected_size >= 0 && w->size != (uint64_t) w->expected_size) {
		r = husk_fail(err, 0, "blob %s: size mismatch: %llu bytes, expected %lld", digest,
			      (unsigned long long) w->size, (long long) w->expected_size);
		goto out;
	}
	if (!w->synced && fsync(w->fd) < 0) {
		r = husk_fail(err, errno, "blob %s: fsync", digest);
		goto out;
	}
	store_blob_path(digest, path);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", w->fd);
	/* linkat of an O_TMPFILE file: the name appears complete or not at
	 * all; EEXIST means another writer linked the same content. */
	if (created)
		*created = true;
	if (linkat(AT_FDCWD, proc, w->s->dirfd, path, AT_SYMLINK_FOLLOW) < 0) {
		if (errno != EEXIST) {
			r = husk_fail(err, errno, "blob %s: link into %s/blobs", digest, w->s->path);
			goto out;
		}
		if (created)
			*created = false;
	}
	if (digest_out)
		memcpy(digest_out, digest, DIGEST_LEN);
out:
	blob_writer_abort(w);
	return r;
}

int store_blob_open(struct store *s, const char *digest, husk_error **err)
{
	char p[96];
	if (!digest_valid(digest))
		return husk_fail(err, 0, "blob %s: not a sha256 digest", digest);
	store_blob_path(digest, p);
	int fd = openat(s->dirfd, p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return husk_fail(err, errno, "blob %s", digest);
	return fd;
}

int store_blob_json(struct store *s, const char *digest, size_t max_len, json_object **ret,
		    husk_error **err)
{
	cleanup_close int fd = store_blob_open(s, digest, err);
	if (fd < 0)
		return fd;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return husk_fail(err, errno, "blob %s", digest);
	if ((uint64_t) st.st_size > max_len)
		return husk_fail(err, EFBIG, "blob %s: %lld bytes, more than %zu", digest,
				 (long long) st.st_size, max_len);
	cleanup_free char *buf = NULL;
	size_t len = 0;
	int r = read_fd_all(fd, &buf, &len, err);
	if (r < 0)
		return husk_wrap(err, "blob %s", digest);
	if (json_text_has_nul(buf, len))
		return husk_fail(err, 0, "blob %s: a \\u0000 escape in JSON", digest);
	r = json_parse_text(buf, len, ret, err);
	if (r < 0)
		return husk_wrap(err, "blob %s", digest);
	if (!json_is_object(*ret)) {
		json_putp(ret);
		return husk_fail(err, 0, "blob %s: not a JSON object", digest);
	}
	return 0;
}
