/* Getting images into the store: import of a rootfs tarball, load of a
 * docker-archive, an OCI archive or an OCI layout.  Each takes the store
 * opened exclusively. */
#ifndef HUSK_IMAGE_IMPORT_H
#define HUSK_IMAGE_IMPORT_H

#include "image/image_in.h"
#include "image/store.h"

/* A one-layer image from a root filesystem tar (any compression) read from
 * fd, named name; id_out (may be NULL) gets its id. */
int image_import(struct store *s, int fd, const char *name, char id_out[DIGEST_LEN],
		 husk_error **err);

/* Loads every image of an archive read from fd (path names it in errors),
 * or of the OCI layout directory dirfd when fd < 0.  Prints nothing; calls
 * loaded(name or id, arg) for each image it recorded. */
int image_load(struct store *s, int fd, int dirfd, const char *path,
	       void (*loaded)(const char *what, void *arg), void *arg, husk_error **err);

/* image_add.c: unpacks the layers of config (diff_ids checked), writes an
 * OCI manifest and records it under names (none: untagged). */
int image_in_add(struct image_in *in, const char *config_digest, size_t n,
		 const char (*blobs)[DIGEST_LEN], char *const *names, size_t n_names,
		 char manifest_out[DIGEST_LEN], husk_error **err);
int image_in_layers(struct image_in *in, json_object *config, const char *config_digest,
		    size_t n, const char (*blobs)[DIGEST_LEN], husk_error **err);
int image_in_tag(struct image_in *in, const char *manifest, char *const *names, size_t n_names,
		 husk_error **err);

#endif
