/* A client of the OCI distribution API (registry v2): GETs of manifests
 * and blobs, with the auth dance registries use (anonymous, basic, and the
 * bearer-token challenge), over libcurl loaded lazily (curl_lazy.h). */
#ifndef HUSK_IMAGE_REGISTRY_H
#define HUSK_IMAGE_REGISTRY_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

struct registry_options {
	const char *tls_ca;     /* CA bundle instead of the system's; NULL: system CAs */
	bool insecure;          /* plain http */
	const char *authfile;   /* NULL: the default search (registry_auth.c) */
	long timeout;           /* seconds: connect, and a transfer stalled that long */
};

struct registry {
	char *host;             /* "127.0.0.1:5000", "registry-1.docker.io" */
	char *repo;             /* "library/busybox" */
	const struct registry_options *opt;
	char *userpass;         /* "user:pass" from the auth file, or NULL */
	pthread_mutex_t lock;   /* guards the two below: workers share them */
	char *token;            /* bearer token once a challenge was answered */
	bool use_basic;         /* the registry asked for Basic */
};

/* Where a response body goes, chunk by chunk; <0 (with err) stops the
 * transfer. */
typedef int (*registry_sink)(void *ctx, const void *buf, size_t len, husk_error **err);

struct registry_response {
	long status;
	char *content_type;     /* malloc'd, or NULL */
	char *digest;           /* Docker-Content-Digest, or NULL */
};
void registry_response_clear(struct registry_response *r);

/* host: the registry's name as in the reference ("docker.io" is
 * registry-1.docker.io). */
int registry_init(struct registry *r, const char *host, const char *repo,
		  const struct registry_options *opt, husk_error **err);
void registry_clear(struct registry *r);

/* GET /v2/<repo>/<path> (path: "manifests/<ref>", "blobs/<digest>"),
 * answering an auth challenge once, following redirects (blob storage),
 * body into sink.  A status other than 200 is an error that says what the
 * registry answered (404: "unknown", 401/403: "denied"). */
int registry_get(struct registry *r, const char *path, const char *accept, registry_sink sink,
		 void *ctx, struct registry_response *resp, husk_error **err);

/* The credentials for host in the auth file ("user:pass", malloc'd), or
 * NULL in *ret when there are none (registry_auth.c). */
int registry_auth_lookup(const char *authfile, const char *host, char **ret, husk_error **err);

/* Parses a WWW-Authenticate header: scheme ("Bearer", "Basic") and the
 * realm/service/scope parameters (each malloc'd or NULL). */
struct auth_challenge {
	char *scheme, *realm, *service, *scope;
};
int auth_challenge_parse(const char *header, struct auth_challenge *c);
void auth_challenge_clear(struct auth_challenge *c);

#endif
