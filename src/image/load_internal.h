/* The state of one `image load` (load.c, load_formats.c). */
#ifndef HUSK_IMAGE_LOAD_INTERNAL_H
#define HUSK_IMAGE_LOAD_INTERNAL_H

#include "image/image_in.h"

struct load_ctx {
	struct image_in in;
	/* archive entries staged as blobs, or symlinks to other entries */
	struct staged {
		char *name;
		char *link;
		char digest[DIGEST_LEN];
	} *staged;
	size_t n_staged;
	char *docker_manifest, *oci_index;
	size_t docker_manifest_len, oci_index_len;
	int layout_fd;   /* an OCI layout directory, or -1 for an archive */
	void (*loaded)(const char *what, void *arg);
	void *arg;
};

int load_docker(struct load_ctx *c, husk_error **err);
int load_oci(struct load_ctx *c, husk_error **err);

#endif
