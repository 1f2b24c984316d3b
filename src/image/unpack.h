/* Unpacking one layer tar (image-spec "layer changesets") into a directory,
 * safely, reading each byte of the blob once.
 *
 * The blob (gzip, zstd or uncompressed; libarchive finds out) is read in one
 * pass that hashes the compressed bytes (the blob digest), decompresses,
 * hashes the tar stream (the diffID) and writes the entries.  Whiteouts
 * become overlayfs whiteouts: ".wh.NAME" a 0:0 character device NAME,
 * ".wh..wh..opq" the xattr trusted.overlay.opaque=y on its directory.
 * Every entry is created relative to dest_dirfd with openat2
 * RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS, never following a symlink a
 * previous entry made; ../ and absolute names, hard links leaving the
 * layer, and the limits below fail the unpack with an error naming the
 * entry. */
#ifndef HUSK_IMAGE_UNPACK_H
#define HUSK_IMAGE_UNPACK_H

#include <stdint.h>

#include "image/store.h"
#include "util/error.h"

struct unpack_limits {
	uint64_t max_bytes;     /* uncompressed tar bytes (decompression bombs) */
	uint64_t max_entries;
};
/* The defaults: max_bytes 64 GiB (68719476736 bytes of tar: past it the
 * unpack fails with "layer larger than N bytes uncompressed (the limit)",
 * whatever the blob's size, so a gzip bomb of a few MB stops there) and
 * max_entries 4 million (4000000 tar headers, whiteouts included: "layer of
 * more than N entries (the limit)").  Both are far above real images (the
 * largest common base layers hold ~100k files, a few GB).  What was
 * written before a limit hit stays in dest: the caller (store_layer_add)
 * unpacks under tmp/ and removes it on failure. */
extern const struct unpack_limits unpack_default_limits;

struct unpack_result {
	char blob_digest[DIGEST_LEN];   /* sha256 of the bytes read from fd */
	char diff_id[DIGEST_LEN];       /* sha256 of the uncompressed tar */
	uint64_t blob_size, tar_size;
};

/* Unpacks the layer read from fd (to its end: trailing bytes count in the
 * blob digest and size) into the empty directory dest_dirfd (O_PATH is
 * enough); lim NULL: the defaults.  Runs as root to keep ownership (not
 * root: files stay the caller's).  Errors name the entry:
 * `layer entry "NAME": <why>`, or `layer blob: ...` / `layer tar: ...`. */
int layer_unpack(int fd, int dest_dirfd, const struct unpack_limits *lim,
		 struct unpack_result *out, husk_error **err);

/* layer_unpack that also hands every byte it reads from fd to tee (a blob
 * writer, see store.h), in the same pass: the blob is stored and unpacked
 * from one read of its input.  The blob's digest is out->blob_digest; tee
 * may be a writer that does not hash (blob_writer_open_unhashed).  An
 * uncompressed tar is hashed once: its diffID is its blob digest. */
int layer_unpack_tee(int fd, int dest_dirfd, const struct unpack_limits *lim,
		     struct blob_writer *tee, struct unpack_result *out, husk_error **err);

/* Where a layer's bytes come from when not from an fd (a member of an
 * archive being read): read() points *buf at the next bytes and returns
 * how many, 0 at the end, <0 with *err set. */
struct unpack_source {
	long (*read)(void *arg, const void **buf, husk_error **err);
	void *arg;
};
/* layer_unpack_tee reading from src instead of an fd. */
int layer_unpack_source(const struct unpack_source *src, int dest_dirfd,
			const struct unpack_limits *lim, struct blob_writer *tee,
			struct unpack_result *out, husk_error **err);

#endif
