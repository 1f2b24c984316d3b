/* sha256 digests as the image spec writes them: "sha256:<64 hex>". */
#ifndef HUSK_IMAGE_DIGEST_H
#define HUSK_IMAGE_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "image/store.h"
#include "util/error.h"

struct sha256_ctx;

/* A running hash; NULL when out of memory. */
struct sha256_ctx *sha256_new(void);
void sha256_update(struct sha256_ctx *c, const void *buf, size_t len);
/* Writes "sha256:<hex>" and frees c. */
void sha256_finish(struct sha256_ctx *c, char out[DIGEST_LEN]);
void sha256_free(struct sha256_ctx *c);
static inline void sha256_freep(struct sha256_ctx **c)
{
	sha256_free(*c);
	*c = NULL;
}
#define cleanup_sha256 __attribute__((cleanup(sha256_freep)))

/* sha256 of a buffer, as "sha256:<hex>". */
void sha256_of(const void *buf, size_t len, char out[DIGEST_LEN]);

/* Whether s is "sha256:" followed by exactly 64 lower-case hex digits (the
 * only algorithm the store accepts: a digest names files under blobs/). */
bool digest_valid(const char *s);
/* The hex part of a valid digest. */
static inline const char *digest_hex(const char *d)
{
	return d + 7;
}

#endif
