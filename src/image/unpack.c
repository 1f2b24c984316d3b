/* layer_unpack: one pass over the blob.  An inner libarchive reader
 * (format raw; gzip, zstd, xz or no filter) reads fd, hashing the bytes
 * it is given (the blob digest); its decompressed output, hashed again
 * (the diffID) and counted against the limits, is the input of an outer
 * reader (format tar, no filter) whose entries unpack_entry() writes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/digest.h"
#include "core/container.h"
#include "image/unpack.h"
#include "image/unpack_internal.h"
#include "util/cleanup.h"

const struct unpack_limits unpack_default_limits = {
	.max_bytes = 64ULL << 30,
	.max_entries = 4000000,
};

#define BUF_SIZE (256 << 10)

struct stream {
	int fd;                     /* read from, when src is NULL */
	const struct unpack_source *src;
	struct sha256_ctx *blob, *diff;
	uint64_t blob_size, tar_size, max_bytes;
	struct archive *inner;
	struct blob_writer *tee;    /* gets the blob's bytes too, or NULL */
	bool plain;                 /* no compression: diffID = blob digest */
	husk_error *err;        /* why a callback failed */
	char in[BUF_SIZE], out[BUF_SIZE];
};

static la_ssize_t blob_read(struct archive *a, void *data, const void **buf)
{
	struct stream *s = data;
	ssize_t n;
	const void *p = s->in;
	if (s->src) {
		n = s->src->read(s->src->arg, &p, &s->err);
		if (n < 0) {
			archive_set_error(a, EIO, "read");
			return -1;
		}
	} else {
		do
			n = read(s->fd, s->in, sizeof(s->in));
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			husk_fail(&s->err, errno, "reading the layer blob");
			archive_set_error(a, errno, "read");
			return -1;
		}
	}
	sha256_update(s->blob, p, (size_t) n);
	s->blob_size += (uint64_t) n;
	if (s->tee && n > 0 && blob_writer_write(s->tee, p, (size_t) n, &s->err) < 0) {
		archive_set_error(a, EIO, "write");
		return -1;
	}
	*buf = p;
	return n;
}

static la_ssize_t tar_read(struct archive *a, void *data, const void **buf)
{
	struct stream *s = data;
	la_ssize_t n = archive_read_data(s->inner, s->out, sizeof(s->out));
	if (n < 0) {
		if (s->err == NULL)
			husk_fail(&s->err, archive_errno(s->inner), "decompressing the layer: %s",
				  archive_error_string(s->inner) ?: "?");
		archive_set_error(a, EIO, "decompress");
		return -1;
	}
	if (s->tar_size + (uint64_t) n > s->max_bytes) {
		husk_fail(&s->err, EFBIG, "layer larger than %llu bytes uncompressed (the limit)",
			  (unsigned long long) s->max_bytes);
		archive_set_error(a, EFBIG, "limit");
		return -1;
	}
	if (!s->plain)
		sha256_update(s->diff, s->out, (size_t) n);
	s->tar_size += (uint64_t) n;
	*buf = s->out;
	return n;
}

static void archive_freep(struct archive **a)
{
	if (*a)
		archive_read_free(*a);
}
#define cleanup_archive __attribute__((cleanup(archive_freep)))

static void stream_free(struct stream **sp)
{
	struct stream *s = *sp;
	if (s == NULL)
		return;
	sha256_free(s->blob);
	sha256_free(s->diff);
	husk_error_free(s->err);
	free(s);
}

/* A failure of libarchive, or the reason one of our callbacks gave it. */
static int stream_fail(struct stream *s, struct archive *a, husk_error **err, const char *what)
{
	if (s->err) {
		*err = steal_ptr(s->err);
		return husk_error_code(*err);
	}
	/* libarchive's own errnos (EILSEQ for a format it does not know)
	 * say less than its message. */
	if (s->blob_size == 0)
		return husk_fail(err, 0, "%s: empty", what);
	return husk_fail(err, 0, "%s: %s", what, archive_error_string(a) ?: "?");
}

/* What is left after the tar's end-of-archive blocks, and after the end of
 * the compressed stream, still belongs to the blob and the diffID. */
static int drain(struct stream *s, struct archive *tar, husk_error **err)
{
	const void *buf;
	la_ssize_t n;
	while ((n = tar_read(tar, s, &buf)) > 0)
		;
	if (n < 0)
		return stream_fail(s, tar, err, "layer tar");
	while ((n = blob_read(tar, s, &buf)) > 0)
		;
	return n < 0 ? stream_fail(s, tar, err, "layer blob") : 0;
}

static int unpack_entries(struct stream *s, struct archive *tar, int dest,
			  const struct unpack_limits *lim, husk_error **err)
{
	struct unpack_ctx c = { .dest = dest, .tar = tar, .root = geteuid() == 0,
				  .userxattr = container_rootless(), .parent_fd = -1 };
	struct archive_entry *e;
	uint64_t entries = 0;
	int r = 0;
	for (;;) {
		int ar = archive_read_next_header(tar, &e);
		if (ar == ARCHIVE_EOF)
			break;
		if (ar < ARCHIVE_WARN) {
			r = stream_fail(s, tar, err, "layer tar");
			goto out;
		}
		if (++entries > lim->max_entries) {
			r = husk_fail(err, EFBIG, "layer of more than %llu entries (the limit)",
				      (unsigned long long) lim->max_entries);
			goto out;
		}
		r = unpack_entry(&c, e, err);
		if (r < 0) {
			/* A limit hit while reading the entry's data is the
			 * cause, not the short read it made. */
			if (s->err) {
				husk_error_freep(err);
				r = stream_fail(s, tar, err, "layer tar");
			}
			goto out;
		}
	}
	r = drain(s, tar, err);
	if (r == 0)
		r = unpack_dir_times(&c, err);
out:
	unpack_ctx_free(&c);
	return r;
}

int layer_unpack(int fd, int dest_dirfd, const struct unpack_limits *lim,
		 struct unpack_result *out, husk_error **err)
{
	return layer_unpack_tee(fd, dest_dirfd, lim, NULL, out, err);
}

static int unpack_stream(int fd, const struct unpack_source *src, int dest_dirfd,
			 const struct unpack_limits *lim, struct blob_writer *tee,
			 struct unpack_result *out, husk_error **err);

int layer_unpack_tee(int fd, int dest_dirfd, const struct unpack_limits *lim,
		     struct blob_writer *tee, struct unpack_result *out, husk_error **err)
{
	return unpack_stream(fd, NULL, dest_dirfd, lim, tee, out, err);
}

int layer_unpack_source(const struct unpack_source *src, int dest_dirfd,
			const struct unpack_limits *lim, struct blob_writer *tee,
			struct unpack_result *out, husk_error **err)
{
	return unpack_stream(-1, src, dest_dirfd, lim, tee, out, err);
}

static int unpack_stream(int fd, const struct unpack_source *src, int dest_dirfd,
			 const struct unpack_limits *lim, struct blob_writer *tee,
			 struct unpack_result *out, husk_error **err)
{
	if (lim == NULL)
		lim = &unpack_default_limits;
	__attribute__((cleanup(stream_free))) struct stream *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return husk_fail(err, ENOMEM, "unpacking a layer");
	s->fd = fd;
	s->src = src;
	s->tee = tee;
	s->max_bytes = lim->max_bytes;
	s->blob = sha256_new();
	s->diff = sha256_new();
	cleanup_archive struct archive *inner = archive_read_new();
	cleanup_archive struct archive *tar = archive_read_new();
	if (s->blob == NULL || s->diff == NULL || inner == NULL || tar == NULL)
		return husk_fail(err, ENOMEM, "unpacking a layer");
	s->inner = inner;
	/* The compressions of the image spec (and xz, which docker reads);
	 * not archive_read_support_filter_all, whose lrzip and friends run
	 * external programs. */
	archive_read_support_filter_gzip(inner);
	archive_read_support_filter_zstd(inner);
	archive_read_support_filter_xz(inner);
	archive_read_support_format_raw(inner);
	struct archive_entry *e;
	if (archive_read_open(inner, s, NULL, blob_read, NULL) != ARCHIVE_OK)
		return stream_fail(s, inner, err, "layer blob");
	int ar = archive_read_next_header(inner, &e);
	if (ar == ARCHIVE_EOF)
		return husk_fail(err, 0, "layer blob: empty");
	if (ar < ARCHIVE_WARN)
		return stream_fail(s, inner, err, "layer blob");
	/* Only the client's own pseudo-filter: the tar is the blob itself,
	 * every byte of which blob_read hashes already. */
	s->plain = archive_filter_count(inner) == 1;
	archive_read_support_format_tar(tar);
	if (archive_read_open(tar, s, NULL, tar_read, NULL) != ARCHIVE_OK)
		return stream_fail(s, tar, err, "layer tar");
	if (unpack_entries(s, tar, dest_dirfd, lim, err) < 0)
		return husk_error_code(*err);
	if (s->plain && s->tar_size != s->blob_size)
		return husk_fail(err, 0, "layer blob: %llu bytes read, %llu bytes of tar",
				 (unsigned long long) s->blob_size, (unsigned long long) s->tar_size);
	sha256_finish(steal_ptr(s->blob), out->blob_digest);
	if (s->plain)
		memcpy(out->diff_id, out->blob_digest, DIGEST_LEN);
	else
		sha256_finish(steal_ptr(s->diff), out->diff_id);
	out->blob_size = s->blob_size;
	out->tar_size = s->tar_size;
	return 0;
}
