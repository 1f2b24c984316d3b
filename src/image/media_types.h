/* The media types the store accepts (image-spec and docker's schema2). */
#ifndef HUSK_IMAGE_MEDIA_TYPES_H
#define HUSK_IMAGE_MEDIA_TYPES_H

#include <stdbool.h>
#include <string.h>

#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MT_DOCKER_LAYER "application/vnd.docker.image.rootfs.diff.tar"

static inline bool mt_is_manifest(const char *t)
{
	return strcmp(t, MT_OCI_MANIFEST) == 0 || strcmp(t, MT_DOCKER_MANIFEST) == 0;
}

static inline bool mt_is_index(const char *t)
{
	return strcmp(t, MT_OCI_INDEX) == 0 || strcmp(t, MT_DOCKER_LIST) == 0;
}

static inline bool mt_is_config(const char *t)
{
	return strcmp(t, MT_OCI_CONFIG) == 0 || strcmp(t, MT_DOCKER_CONFIG) == 0;
}

/* Layers husk unpacks: tar, gzip or zstd (never the non-distributable
 * "foreign" layers, whose bytes live elsewhere). */
static inline bool mt_is_layer(const char *t)
{
	static const char *const ok[] = {
		MT_OCI_LAYER, MT_OCI_LAYER "+gzip", MT_OCI_LAYER "+zstd",
		MT_DOCKER_LAYER, MT_DOCKER_LAYER ".gzip",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(*ok); i++)
		if (strcmp(t, ok[i]) == 0)
			return true;
	return false;
}

#endif
