/* husk build: an image from a Containerfile.  Every RUN runs in an engine
 * container made from the image so far; what it changed (its overlay upper
 * directory) becomes a layer (layer.h); COPY and ADD write into such a
 * container's root the same way.  Every step's result is cached under
 * STORE/build-cache/<key>, key = sha256 of the parent's key, the
 * instruction after substitution and, for COPY/ADD, the hash of the
 * sources' names, modes and content (copy.h); for RUN, the ARG values. */
#ifndef HUSK_BUILD_BUILD_H
#define HUSK_BUILD_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"
#include "image/store.h"
#include "util/error.h"

struct build_options {
	const char *context;     /* a directory */
	const char *file;        /* NULL: CONTEXT/Containerfile, else CONTEXT/Dockerfile */
	char **tags;             /* NAME[:TAG], NULL-terminated (may be NULL) */
	char **build_args;       /* K=V, or K (from husk's environment) */
	const char *target;      /* the last stage built; NULL: the last one */
	const char *network;     /* RUN's network: "none" (default) or "host" */
	bool no_cache, quiet;
	bool insecure;           /* images FROM and COPY --from pull: plain http */
	const char *tls_ca;      /* ... their registry's CA bundle (NULL: the system's) */
	int64_t timestamp;       /* < 0: none; else every time in the image, mtimes clamped */
};

/* Builds; id_out gets the image id (its config digest).  On failure no
 * name is tagged and no container is left. */
int build_image(const struct engine_ctx *c, const struct build_options *o,
		char id_out[DIGEST_LEN], husk_error **err);

/* Removes the step containers of builds that were killed (their RUN's
 * process, overlay, cgroup and runtime state); *removed: how many. */
int build_leftovers_remove(const struct engine_ctx *c, size_t *removed, husk_error **err);

/* Empties the build cache (STORE/build-cache/): *entries removed, *freed
 * their bytes.  The layers only the cache kept go at the next image_prune. */
int build_cache_prune(const struct engine_ctx *c, size_t *entries, uint64_t *freed, husk_error **err);

#endif
