/* COPY and ADD: sources from the build context (its ignore file applied)
 * or from the root of a stage or image (--from), into the root of the
 * step's container.  Sources are resolved inside their root
 * (RESOLVE_IN_ROOT: a symlink cannot lead out), a source whose path leaves
 * the context ("../x") is refused; destinations are made and written
 * inside the step's root the same way. */
#ifndef HUSK_BUILD_COPY_H
#define HUSK_BUILD_COPY_H

#include <stdbool.h>
#include <sys/types.h>

#include "build/ignore.h"
#include "image/digest.h"
#include "util/error.h"

struct copy_src {
	int rootfd;                /* the context or a stage's root */
	const struct ignore *ign;  /* the context's, or NULL */
	bool context;              /* "outside the context" is an error */
};

struct copy_opts {
	bool chown;                /* else: 0:0 from the context, the owner from --from */
	uid_t uid;
	gid_t gid;
	bool keep_owner;
	bool unpack;               /* ADD: a local tar archive is extracted */
	const char *what;          /* "COPY" or "ADD", for errors */
};

/* The sources (globs expanded, sorted) as clean paths relative to the root. */
int copy_sources(const struct copy_src *src, char *const *args, size_t n, char ***paths,
		 husk_error **err);
/* Names, types, modes and content of the sources (not their mtimes) into h. */
int copy_hash(const struct copy_src *src, char *const *paths, struct sha256_ctx *h,
	      husk_error **err);
/* Copies them to dest (absolute in dstroot); dest ending in "/", more than
 * one source or an existing directory: into that directory. */
int copy_run(const struct copy_src *src, char *const *paths, int dstroot, const char *dest,
	     const struct copy_opts *o, husk_error **err);

#endif
