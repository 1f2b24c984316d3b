/* Images as docker shows them (inspect.c) and removing them (remove.c). */
#ifndef HUSK_IMAGE_INSPECT_H
#define HUSK_IMAGE_INSPECT_H

#include <stdint.h>

#include "image/store.h"

/* Id, RepoTags, RepoDigests, Created, Architecture, Os, Config,
 * RootFS{Type,Layers}, Size (the layers' uncompressed bytes). */
json_object *image_inspect_json(struct store *s, const struct store_image *img);
uint64_t image_size(struct store *s, const struct store_image *img);
/* Every image of the store, once each. */
int image_list(struct store *s, struct store_image ***ret, size_t *n_ret, husk_error **err);
void image_list_free(struct store_image **v, size_t n);

/* husk image rm REF: untags REF; the image (all its names) goes when ref
 * was its last name or its id.  Refused while a container of
 * STORE/containers/<id>/image uses it, unless force.  *removed: whether
 * the image went (else only the name). */
int image_remove(struct store *s, const char *ref, bool force, bool *removed, husk_error **err);
/* Removes blobs and layers that no image, container or entry of husk
 * build's cache (STORE/build-cache/) references; *freed gets the bytes
 * freed. */
int image_prune(struct store *s, uint64_t *freed, husk_error **err);

#endif
