/* Credentials and auth challenges of the registry client.
 *
 * The auth file is the one podman and docker write
 * ({"auths":{"HOST[:PORT]":{"auth":"base64(user:pass)"}}}): --authfile, else
 * $REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json, else
 * ~/.docker/config.json (the first that exists).  Keys may carry a scheme
 * and a path ("https://index.docker.io/v1/"), as docker login writes them. */
#include <errno.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/registry.h"
#include "util/cleanup.h"

/* "https://host:port/v1/" -> whether it names host. */
static bool key_matches(const char *key, const char *host)
{
	if (strncmp(key, "https://", 8) == 0)
		key += 8;
	else if (strncmp(key, "http://", 7) == 0)
		key += 7;
	size_t n = strcspn(key, "/");
	if (strlen(host) == n && strncmp(key, host, n) == 0)
		return true;
	/* docker.io's credentials live under its historical names. */
	if (strcmp(host, "registry-1.docker.io") == 0)
		return (n == 9 && strncmp(key, "docker.io", 9) == 0) ||
		       (n == 15 && strncmp(key, "index.docker.io", 15) == 0);
	return false;
}

static int decode_auth(const char *b64, const char *file, char **ret, husk_error **err)
{
	size_t len = strlen(b64);
	cleanup_free unsigned char *out = malloc(len / 4 * 3 + 4);
	if (out == NULL)
		return husk_fail(err, ENOMEM, "%s", file);
	int n = len % 4 == 0 ? EVP_DecodeBlock(out, (const unsigned char *)b64, (int)len) : -1;
	if (n < 0)
		return husk_fail(err, 0, "%s: an \"auth\" is not base64", file);
	/* EVP_DecodeBlock counts the padding's zero bytes. */
	while (len > 0 && b64[len - 1] == '=') {
		len--;
		n--;
	}
	out[n] = '\0';
	if (strlen((char *)out) != (size_t)n || strchr((char *)out, ':') == NULL)
		return husk_fail(err, 0, "%s: an \"auth\" is not base64 of user:password", file);
	*ret = (char *)steal_ptr(out);
	return 0;
}

static int lookup_in(const char *file, const char *host, char **ret, husk_error **err)
{
	json_object *root = json_object_from_file(file);
	if (root == NULL)
		return husk_fail(err, 0, "auth file %s: %s", file, json_util_get_last_err());
	int r = 0;
	json_object *auths;
	if (json_object_object_get_ex(root, "auths", &auths) &&
	    json_object_is_type(auths, json_type_object)) {
		json_object_object_foreach(auths, key, val) {
			json_object *a;
			if (!key_matches(key, host) || !json_object_object_get_ex(val, "auth", &a) ||
			    !json_object_is_type(a, json_type_string))
				continue;
			r = decode_auth(json_object_get_string(a), file, ret, err);
			break;
		}
	}
	json_object_put(root);
	return r;
}

int registry_auth_lookup(const char *authfile, const char *host, char **ret, husk_error **err)
{
	*ret = NULL;
	if (authfile != NULL)
		return lookup_in(authfile, host, ret, err);
	char path[4096];
	const char *env = getenv("REGISTRY_AUTH_FILE");
	if (env != NULL && *env)
		return lookup_in(env, host, ret, err);
	if ((env = getenv("XDG_RUNTIME_DIR")) != NULL && *env) {
		snprintf(path, sizeof(path), "%s/containers/auth.json", env);
		if (access(path, F_OK) == 0)
			return lookup_in(path, host, ret, err);
	}
	if ((env = getenv("HOME")) != NULL && *env) {
		snprintf(path, sizeof(path), "%s/.docker/config.json", env);
		if (access(path, F_OK) == 0)
			return lookup_in(path, host, ret, err);
	}
	return 0;
}

/* Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="..." */
int auth_challenge_parse(const char *h, struct auth_challenge *c)
{
	memset(c, 0, sizeof(*c));
	h += strspn(h, " \t");
	size_t n = strcspn(h, " \t");
	if (n == 0 || (c->scheme = strndup(h, n)) == NULL)
		return -1;
	h += n;
	while (*h) {
		h += strspn(h, " \t,");
		size_t kn = strcspn(h, "=");
		if (h[kn] != '=')
			break;
		const char *k = h;
		h += kn + 1;
		char val[2048];
		size_t vn = 0;
		if (*h == '"') {
			for (h++; *h && *h != '"'; h++) {
				if (*h == '\\' && h[1])
					h++;
				if (vn < sizeof(val) - 1)
					val[vn++] = *h;
			}
			if (*h == '"')
				h++;
		} else {
			for (; *h && *h != ',' && *h != ' '; h++)
				if (vn < sizeof(val) - 1)
					val[vn++] = *h;
		}
		val[vn] = '\0';
		char **dst = kn == 5 && strncasecmp(k, "realm", 5) == 0     ? &c->realm
			     : kn == 7 && strncasecmp(k, "service", 7) == 0 ? &c->service
			     : kn == 5 && strncasecmp(k, "scope", 5) == 0   ? &c->scope
									     : NULL;
		if (dst != NULL && *dst == NULL && (*dst = strdup(val)) == NULL)
			return -1;
	}
	return 0;
}

void auth_challenge_clear(struct auth_challenge *c)
{
	free(c->scheme);
	free(c->realm);
	free(c->service);
	free(c->scope);
	memset(c, 0, sizeof(*c));
}
