/* What the store's own files share (not for the engine: use store.h). */
#ifndef HUSK_IMAGE_STORE_INTERNAL_H
#define HUSK_IMAGE_STORE_INTERNAL_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "image/store.h"

/* The largest manifest, index or config the store parses: 4 MiB. */
#define STORE_JSON_MAX (4 << 20)

/* A fresh name for tmp/: "<pid>.<kind>.<random>" (store_open removes it
 * once the pid is gone).  <0 (-errno) on failure. */
int store_tmp_name(const char *kind, char *buf, size_t len);
void store_remove_tree_at(int dirfd, const char *name);
uint64_t store_tree_bytes_at(int dirfd, const char *name);

/* "blobs/sha256/<hex>" of a valid digest. */
static inline void store_blob_path(const char *digest, char out[96])
{
	snprintf(out, 96, "blobs/sha256/%s", digest + 7);
}

/* index.json: the names (refs.c).  Returns the "manifests" array owned by
 * *index (an empty index when the file is missing). */
int store_index_read(struct store *s, json_object **index, json_object **manifests,
		     husk_error **err);
int store_index_write(struct store *s, json_object *index, husk_error **err);
/* The name of an index entry, or NULL when untagged. */
const char *store_entry_name(json_object *entry);

/* Loads the image of a manifest digest (image.c); names filled from index. */
int store_image_load(struct store *s, const char *manifest_digest, json_object *manifests,
		     struct store_image **ret, husk_error **err);

/* Builds a manifest digest's config digest (image.c), for id lookups. */
int store_manifest_config(struct store *s, const char *manifest_digest, char out[DIGEST_LEN],
			  husk_error **err);

/* The uncompressed size in layers/<chain>/meta.json, 0 when unknown. */
uint64_t store_layer_size(struct store *s, const char *chain_id);

/* The chain ids of a config's rootfs.diff_ids, bottom first (image.c). */
int store_config_chain_ids(json_object *config, const char *what, char (**ret)[DIGEST_LEN],
			   size_t *n_ret, husk_error **err);

/* blob_writer_commit, telling whether the blob is new to the store. */
struct blob_writer;
int blob_writer_commit_new(struct blob_writer *w, char digest_out[DIGEST_LEN], bool *created,
			   husk_error **err);

/* Removes layers/<chain> (renamed under tmp/ first). */
void store_layer_remove(struct store *s, const char *chain_id);

#endif
