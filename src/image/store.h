/* The image store under --store (default /var/lib/husk): content-addressed
 * blobs, layers unpacked once, and the names that point at images.
 *
 * Layout (the store's root is also an OCI image layout, so that saving an
 * image or reading the store with skopeo needs no conversion):
 *   oci-layout, index.json        names: one manifest descriptor per name,
 *                                 annotation org.opencontainers.image.ref.name
 *                                 = "docker.io/library/busybox:latest" style
 *   blobs/sha256/<hex>            manifests, configs, compressed layers
 *   layers/<chain-hex>/diff/      a layer unpacked (overlayfs whiteouts)
 *   layers/<chain-hex>/meta.json  {"diffID", "parent", "size"}
 *   containers/<id>/              the engine's containers (src/engine/)
 *   tmp/                          everything being written; names carry the
 *                                 writer's pid, so store_open removes what a
 *                                 dead writer left
 *   lock                          flock: LOCK_SH to read names, LOCK_EX to
 *                                 change index.json, add or remove layers
 *
 * Nothing half-written is ever used: a blob is hashed while it is written,
 * checked against the expected digest and size, fsynced and renamed into
 * blobs/; a layer is unpacked under tmp/, its diffID checked, then renamed
 * to layers/<chain-hex>; index.json is replaced atomically. */
#ifndef HUSK_IMAGE_STORE_H
#define HUSK_IMAGE_STORE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

/* "sha256:" + 64 hex digits + NUL */
#define DIGEST_LEN 72

struct store {
	char *path;
	int dirfd;     /* the store's root, O_PATH|O_DIRECTORY */
	int lockfd;    /* the lock file, flocked as the caller asked */
};

/* Opens (making it when missing) the store at path; exclusive: LOCK_EX
 * rather than LOCK_SH.  Removes tmp/ entries of writers that are gone. */
/* The default store: /var/lib/husk for root; for an ordinary user
 * $XDG_DATA_HOME/husk, else $HOME/.local/share/husk (the home of the
 * password database without HOME), as podman's. */
int store_default_path(char *buf, size_t len, husk_error **err);
/* path NULL: the rootless default could not be made (the error says so). */
int store_open(const char *path, bool exclusive, struct store *s, husk_error **err);
void store_close(struct store *s);
#define cleanup_store __attribute__((cleanup(store_close)))

/* Blob writer: bytes in, sha256 and size counted as they pass. */
struct blob_writer;
/* expected_digest NULL: not known in advance (a digest is computed);
 * expected_size < 0: not known.  A blob already in the store is reported
 * by *exists (the caller may skip writing); then w is NULL. */
int blob_writer_open(struct store *s, const char *expected_digest, int64_t expected_size,
		     struct blob_writer **w, bool *exists, husk_error **err);
int blob_writer_write(struct blob_writer *w, const void *buf, size_t len, husk_error **err);
/* Checks digest and size, fsyncs, renames into blobs/; digest_out gets the
 * blob's digest.  Frees w in every case. */
int blob_writer_commit(struct blob_writer *w, char digest_out[DIGEST_LEN], husk_error **err);
/* Drops an uncommitted blob (its temporary file). */
void blob_writer_abort(struct blob_writer *w);

bool store_blob_exists(struct store *s, const char *digest);
/* O_RDONLY fd of a blob; -ENOENT (with err) when it is not in the store. */
int store_blob_open(struct store *s, const char *digest, husk_error **err);
/* A JSON blob (manifest, index, config) parsed; at most max_len bytes. */
int store_blob_json(struct store *s, const char *digest, size_t max_len, json_object **ret,
		    husk_error **err);

/* A layer from its compressed blob: unpacks it (src/image/unpack.h) on top
 * of parent_chain (NULL for a base layer), checks the diffID when
 * expected_diff_id is not NULL, and renames it to layers/<chain>.  Fills
 * chain_out.  A layer already present is not unpacked again. */
int store_layer_add(struct store *s, const char *parent_chain, int blob_fd,
		    const char *expected_diff_id, char chain_out[DIGEST_LEN], husk_error **err);
/* chain id = diffID for a base layer, else sha256(parent_chain + " " + diffID). */
void store_chain_id(const char *parent_chain, const char *diff_id, char out[DIGEST_LEN]);
bool store_layer_exists(struct store *s, const char *chain_id);

/* An image as the engine uses it. */
struct store_image {
	char manifest_digest[DIGEST_LEN];
	char id[DIGEST_LEN];        /* the config digest, as docker's image id */
	json_object *manifest;
	json_object *config;        /* the image config (OCI image-spec) */
	size_t n_layers;
	char (*chain_ids)[DIGEST_LEN];  /* bottom first */
	char **names;               /* NULL-terminated: every name of the image */
};
void store_image_free(struct store_image *img);

/* Resolves NAME[:TAG] (default tag latest; a short name as docker.io/library/
 * NAME), NAME@sha256:..., a full image id or a unique id prefix. */
int store_image_resolve(struct store *s, const char *ref, struct store_image **ret,
			husk_error **err);
/* Records a manifest already in blobs/ (its config and layers present) under
 * name (NULL: untagged, reachable by id only); a name moves from its old
 * image to this one. */
int store_image_tag(struct store *s, const char *manifest_digest, const char *name,
		    husk_error **err);

/* Normalises a reference as docker does: "busybox" ->
 * "docker.io/library/busybox:latest", "localhost:5000/a/b" ->
 * "localhost:5000/a/b:latest"; a digest reference keeps its digest. */
int store_ref_normalize(const char *ref, char **ret, husk_error **err);

#endif
