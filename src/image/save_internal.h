/* Between save.c (what goes in the archive) and save_entry.c (how an entry
 * is written). */
#ifndef HUSK_IMAGE_SAVE_INTERNAL_H
#define HUSK_IMAGE_SAVE_INTERNAL_H

#include <archive.h>
#include <stdint.h>

#include "image/store.h"
#include "util/error.h"

struct save_out {
	struct store *s;
	struct archive *a;
	char (*written)[DIGEST_LEN];   /* blobs already in the archive */
	size_t n_written;
};

/* Whether digest was written already; if not, remembers it as written. */
int save_once(struct save_out *o, const char *digest, bool *already, husk_error **err);
/* A directory entry (name ends with '/'). */
int save_dir(struct save_out *o, const char *name, husk_error **err);
/* A file entry from memory. */
int save_buffer(struct save_out *o, const char *name, const void *buf, size_t len,
		husk_error **err);
/* A file entry with the bytes of blob digest, which must be size bytes long
 * (size < 0: any); fails when the bytes do not hash to digest. */
int save_blob(struct save_out *o, const char *name, const char *digest, int64_t size,
	      husk_error **err);
/* A file entry with the uncompressed tar of layer blob `digest` (gzip, zstd,
 * or already a tar), checked against diff_id.  Reads the blob twice when it
 * is compressed: a tar header carries the size before the data. */
int save_layer_tar(struct save_out *o, const char *name, const char *digest,
		   const char *diff_id, husk_error **err);

#endif
