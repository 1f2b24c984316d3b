/* Bringing images into the store (import, load; usable by pull): what one
 * command added, so that a failure removes it all again and a success
 * removes what it staged but did not use.  The caller holds the store's
 * lock exclusively from start to end. */
#ifndef HUSK_IMAGE_IMAGE_IN_H
#define HUSK_IMAGE_IMAGE_IN_H

#include <stdbool.h>
#include <stdint.h>

#include "image/store.h"

struct image_in {
	struct store *s;
	struct in_item {
		char digest[DIGEST_LEN];
		bool used;
	} *blobs, *layers;
	/* Layers unpacked under tmp/ as their blob was read, not yet named
	 * (their parent was not known then): see image_in_keep_stage. */
	struct in_stage *stages;
	size_t n_blobs, n_layers, n_stages;
};

/* Commits w as image_blob_commit does and records the blob when new. */
int image_in_commit(struct image_in *in, struct blob_writer *w, char digest[DIGEST_LEN],
		    husk_error **err);
/* image_in_commit of an unhashed writer, with the digest its caller computed. */
int image_in_commit_hashed(struct image_in *in, struct blob_writer *w, const char *digest,
			   char out[DIGEST_LEN], husk_error **err);
/* Copies fd to its end into a blob (expected digest/size optional). */
int image_in_copy_fd(struct image_in *in, int fd, const char *expected, int64_t size,
		     char digest[DIGEST_LEN], husk_error **err);
int image_in_json_blob(struct image_in *in, json_object *v, char digest[DIGEST_LEN],
		       int64_t *size, husk_error **err);
void image_in_use(struct image_in *in, const char *digest);
/* The layer of a blob in the store on top of parent (NULL: base): in the
 * store already, a kept stage of that blob, or unpacked from the blob. */
int image_in_layer(struct image_in *in, const char *parent, const char *blob,
		   const char *diff_id, char chain[DIGEST_LEN], husk_error **err);
/* A layer blob read from fd once: stored as a blob (expected digest and
 * size optional) and unpacked on top of parent in the same pass; the blob
 * digest and the chain id out.  A failure leaves neither. */
int image_in_layer_stream(struct image_in *in, int fd, const char *expected, int64_t size,
			  const char *parent, const char *diff_id, char blob[DIGEST_LEN],
			  char chain[DIGEST_LEN], husk_error **err);
/* Keeps the layer *st (store_layer_stage) that was unpacked from the
 * stored blob `blob`: image_in_layer names it by its chain id when an image
 * uses that blob with that diffID on top of a parent; image_in_finish
 * removes it if none did.  Takes st, also on failure. */
struct layer_stage;
int image_in_keep_stage(struct image_in *in, const char *blob, struct layer_stage *st,
			husk_error **err);
/* The media type of a layer blob from its first bytes. */
const char *image_in_layer_media_type(struct image_in *in, const char *blob);
/* ok: drops new blobs nobody used; !ok: drops every new blob and layer. */
void image_in_finish(struct image_in *in, bool ok);

#endif
