/* `husk image pull`: an image from a registry into the store. */
#ifndef HUSK_IMAGE_PULL_H
#define HUSK_IMAGE_PULL_H

#include "image/registry.h"
#include "image/store.h"
#include "util/error.h"

/* Pulls ref (normalised by store_ref_normalize) into s: the manifest (from
 * an index: linux/amd64), its config and the layers the store lacks
 * (each downloaded and unpacked in one pass, several at once, committed
 * bottom first), then names it.
 * id_out gets the image id (the config digest). */
int image_pull(struct store *s, const char *ref, const struct registry_options *o,
	       char id_out[DIGEST_LEN], husk_error **err);

/* The parts of a normalised reference "host/repo:tag" or
 * "host/repo@sha256:..." (pull_ref.c); each malloc'd. */
struct pull_ref {
	char *host, *repo, *tag_or_digest;
	bool by_digest;
};
int pull_ref_parse(const char *normalized, struct pull_ref *r, husk_error **err);
void pull_ref_clear(struct pull_ref *r);

/* A manifest or index as fetched and checked (pull_manifest.c). */
struct pull_manifest {
	char digest[DIGEST_LEN];
	char *data;
	size_t len;
	json_object *json;
	bool is_index;
};
void pull_manifest_clear(struct pull_manifest *m);
/* GET manifests/<ref>: at most 4 MiB, its digest checked against
 * expect_digest (when not NULL) or the registry's Docker-Content-Digest,
 * its size against expect_size (>= 0). */
int pull_manifest_fetch(struct registry *r, const char *ref, const char *expect_digest,
			int64_t expect_size, struct pull_manifest *m, husk_error **err);
/* The linux/amd64 entry of an index: its digest and size. */
int pull_index_pick(json_object *index, char digest[DIGEST_LEN], int64_t *size, husk_error **err);

/* A descriptor's digest and size, checked. */
int pull_descriptor(json_object *d, const char *what, char digest[DIGEST_LEN], int64_t *size,
		    const char **media_type, husk_error **err);

/* GET blobs/<digest> into the store, hashed while written; a blob already
 * there is not fetched.  stop: when it becomes true, the transfer gives up. */
int pull_blob(struct registry *r, struct store *s, const char *digest, int64_t size,
	      const volatile bool *stop, husk_error **err);

/* pull_layer.c: the layer blob digest (size bytes) downloaded, stored as a
 * blob and unpacked under tmp/ in one pass (a blob already in the store
 * is unpacked from there); committing st is the caller's. */
struct layer_stage;
int pull_layer_stage(struct registry *r, struct store *s, const char *digest, int64_t size,
		     const volatile bool *stop, struct layer_stage *st, husk_error **err);

#define PULL_MANIFEST_MAX (4 << 20)
#define PULL_CONFIG_MAX (16 << 20)

#endif
