/* What the store's own files share (not for the engine: use store.h). */
#ifndef HUSK_IMAGE_STORE_INTERNAL_H
#define HUSK_IMAGE_STORE_INTERNAL_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "image/store.h"
#include "image/unpack.h"

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

/* A blob writer that leaves the hashing to its caller (layer_unpack_tee
 * hashes the same bytes as it reads them): committed with the digest the
 * caller computed, checked against the expected digest and size as
 * blob_writer_commit does. */
int blob_writer_open_unhashed(struct store *s, const char *expected_digest, int64_t expected_size,
			      struct blob_writer **w, husk_error **err);
int blob_writer_commit_hashed(struct blob_writer *w, const char *digest, char digest_out[DIGEST_LEN],
			      bool *created, husk_error **err);

/* The caller has synced the file system since the last write (syncfs):
 * the commit need not fsync. */
void blob_writer_mark_synced(struct blob_writer *w);

/* Makes an unhashed writer a hashing one by reading back what it holds
 * (for a failure path: the caller's hashing stopped midway). */
int blob_writer_rehash(struct blob_writer *w, husk_error **err);

/* A layer unpacked under tmp/ and not yet in layers/: a layer_stage.
 * Staging needs no parent, so the layers of an image unpack in parallel;
 * committing needs the parent in layers/, so they commit bottom first. */
struct layer_stage {
	char tmp_path[80];      /* "tmp/<pid>.layer.<random>"; "" once gone */
	struct unpack_result res;
	bool synced;            /* the caller synced since: no syncfs at commit */
};
/* Unpacks the blob read from fd to its end under tmp/; tee (NULL: none)
 * gets every byte read (layer_unpack_tee). */
int store_layer_stage(struct store *s, int fd, struct blob_writer *tee, struct layer_stage *st,
		      husk_error **err);
/* store_layer_stage reading from src (an archive's member). */
int store_layer_stage_source(struct store *s, const struct unpack_source *src,
			     struct blob_writer *tee, struct layer_stage *st, husk_error **err);
/* Into layers/<chain> on top of parent (NULL: a base layer; else it must
 * be in layers/), its diffID checked against expected_diff_id (NULL: not
 * checked), after a syncfs.  The stage is gone afterwards in every case. */
int store_layer_commit(struct store *s, struct layer_stage *st, const char *parent,
		       const char *expected_diff_id, char chain_out[DIGEST_LEN], husk_error **err);
void store_layer_stage_abort(struct store *s, struct layer_stage *st);

/* Removes layers/<chain> (renamed under tmp/ first). */
void store_layer_remove(struct store *s, const char *chain_id);

#endif
