/* sha256 through OpenSSL's libcrypto, linked statically.  Its SHA256_*
 * functions, not EVP: EVP_sha256() fetches from the default provider and
 * so links every algorithm in, with ~370 kB of pointer tables that each
 * husk process (a shim too) relocates and keeps dirty; SHA256_* link the
 * same assembly core and nothing else.  (Deprecated in OpenSSL 3, kept.) */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "image/digest.h"

struct sha256_ctx {
	SHA256_CTX md;
};

struct sha256_ctx *sha256_new(void)
{
	struct sha256_ctx *c = malloc(sizeof(*c));
	if (c == NULL)
		return NULL;
	if (SHA256_Init(&c->md) != 1) {
		free(c);
		return NULL;
	}
	return c;
}

void sha256_update(struct sha256_ctx *c, const void *buf, size_t len)
{
	SHA256_Update(&c->md, buf, len);
}

static void hex_digest(const unsigned char *md, char out[DIGEST_LEN])
{
	static const char hex[] = "0123456789abcdef";
	memcpy(out, "sha256:", 7);
	for (int i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[8 + 2 * i] = hex[md[i] & 15];
	}
	out[71] = '\0';
}

void sha256_finish(struct sha256_ctx *c, char out[DIGEST_LEN])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256_Final(md, &c->md);
	hex_digest(md, out);
	sha256_free(c);
}

void sha256_free(struct sha256_ctx *c)
{
	if (c == NULL)
		return;
	free(c);
}

void sha256_of(const void *buf, size_t len, char out[DIGEST_LEN])
{
	/* Not SHA256(): that one goes through EVP (see above). */
	SHA256_CTX c;
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256_Init(&c);
	SHA256_Update(&c, buf, len);
	SHA256_Final(md, &c);
	hex_digest(md, out);
}

bool digest_valid(const char *s)
{
	if (strncmp(s, "sha256:", 7) != 0 || strlen(s) != 71)
		return false;
	for (const char *p = s + 7; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}
