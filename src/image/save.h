/* `husk image save`: images of the store written as one archive that
 * docker/podman load and skopeo read. */
#ifndef HUSK_IMAGE_SAVE_H
#define HUSK_IMAGE_SAVE_H

#include <stddef.h>

#include "image/store.h"
#include "util/error.h"

enum save_format {
	SAVE_DOCKER_ARCHIVE,   /* docker save: manifest.json, <id>.json, <diffID>.tar */
	SAVE_OCI_ARCHIVE,      /* an OCI image layout in a tar */
};

/* Parses "docker-archive" / "oci-archive". */
int save_format_parse(const char *name, enum save_format *ret, husk_error **err);

/* Writes the images refs[0..n) (names, ids or id prefixes) to out_fd, each
 * blob streamed from the store and checked against its digest as it
 * passes; a shared layer is written once.  The store must stay locked
 * (LOCK_SH at least) while this runs. */
int image_save(struct store *s, char *const *refs, size_t n, enum save_format f, int out_fd,
	       husk_error **err);

#endif
