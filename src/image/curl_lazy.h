/* libcurl, loaded on first pull.
 *
 * libcurl and the libraries it needs (OpenSSL's libssl, nghttp2, libssh2,
 * librtmp, libldap, GSSAPI, ...) are a dozen shared objects: linking it
 * would make every container start pay for loading and relocating them,
 * for the one command that talks to a registry.  The registry client calls
 * libcurl through this table, which curl_lazy_load() fills with
 * dlopen/dlsym.  <curl/curl.h> still gives the types and the prototypes the
 * pointers are checked against. */
#ifndef HUSK_IMAGE_CURL_LAZY_H
#define HUSK_IMAGE_CURL_LAZY_H

#include <curl/curl.h>

#include "util/error.h"

/* The curl_<name> functions the registry client calls. */
#define CURL_LAZY_FUNCTIONS(X) \
	X(global_init) X(easy_init) X(easy_setopt) X(easy_perform) X(easy_getinfo) \
	X(easy_cleanup) X(easy_strerror) X(easy_escape) X(free) X(slist_append) \
	X(slist_free_all)

struct curl_lazy {
#define CURL_LAZY_FIELD(name) typeof(curl_##name) *name;
	CURL_LAZY_FUNCTIONS(CURL_LAZY_FIELD)
#undef CURL_LAZY_FIELD
};

/* Filled by curl_lazy_load(); call nothing in it before that succeeded. */
extern struct curl_lazy curl_lazy;

/* Loads libcurl.so.4 once, fills curl_lazy and runs curl_global_init (so
 * call it before starting threads); again: a no-op. */
int curl_lazy_load(husk_error **err);

#endif
