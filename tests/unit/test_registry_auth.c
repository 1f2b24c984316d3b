/* The registry client's parsers: WWW-Authenticate challenges, the refs of
 * a pull, and credentials from an auth.json-style file. */
#include <stdlib.h>
#include <string.h>

#include "image/pull.h"
#include "image/registry.h"
#include "tap.h"

static void test_challenges(void)
{
	struct auth_challenge c;
	ok(auth_challenge_parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
				"scope=\"repository:library/busybox:pull\"", &c) == 0, "a docker.io challenge parses");
	is_str(c.scheme, "Bearer", "scheme");
	is_str(c.realm, "https://auth.docker.io/token", "realm");
	is_str(c.service, "registry.docker.io", "service");
	is_str(c.scope, "repository:library/busybox:pull", "scope (with its colons)");
	auth_challenge_clear(&c);
	ok(auth_challenge_parse("Basic realm=\"husk \\\"test\\\"\"", &c) == 0, "a Basic challenge parses");
	is_str(c.scheme, "Basic", "Basic scheme");
	is_str(c.realm, "husk \"test\"", "escaped quotes in a realm");
	ok(c.scope == NULL && c.service == NULL, "absent parameters are NULL");
	auth_challenge_clear(&c);
	ok(auth_challenge_parse("Bearer realm=http://h/t, service=s", &c) == 0 &&
		   c.realm && strcmp(c.realm, "http://h/t") == 0 && c.service && strcmp(c.service, "s") == 0,
	   "unquoted values and a space after the comma");
	auth_challenge_clear(&c);
}

static void test_refs(void)
{
	struct pull_ref r;
	husk_error *err = NULL;
	ok(pull_ref_parse("127.0.0.1:5000/a/b:v1", &r, &err) == 0, "host:port/repo:tag parses");
	is_str(r.host, "127.0.0.1:5000", "host keeps its port");
	is_str(r.repo, "a/b", "repo");
	is_str(r.tag_or_digest, "v1", "tag");
	pull_ref_clear(&r);
	ok(pull_ref_parse("docker.io/library/busybox@sha256:abc", &r, &err) == 0 && r.by_digest &&
		   strcmp(r.tag_or_digest, "sha256:abc") == 0 && strcmp(r.repo, "library/busybox") == 0,
	   "a digest reference");
	pull_ref_clear(&r);
	ok(pull_ref_parse("busybox", &r, &err) < 0, "a reference without a registry is refused");
	pull_ref_clear(&r);
	husk_error_free(err);
}

static void test_authfile(void)
{
	char path[] = "/tmp/husk-test-auth.XXXXXX";
	int fd = mkstemp(path);
	const char *json = "{\"auths\":{\"other:1\":{\"auth\":\"eDp5\"},"
			   "\"https://127.0.0.1:5000/v1/\":{\"auth\":\"dGVzdGVyOnMzY3JldA==\"},"
			   "\"https://index.docker.io/v1/\":{\"auth\":\"ZDpw\"},"
			   "\"bad:1\":{\"auth\":\"!!!!\"}}}";
	ok(fd >= 0 && write(fd, json, strlen(json)) == (ssize_t)strlen(json), "auth file written");
	close(fd);
	char *up = NULL;
	husk_error *err = NULL;
	ok(registry_auth_lookup(path, "127.0.0.1:5000", &up, &err) == 0, "lookup of a key with scheme and path");
	is_str(up, "tester:s3cret", "credentials decoded");
	free(up);
	ok(registry_auth_lookup(path, "registry-1.docker.io", &up, &err) == 0, "docker.io under index.docker.io");
	is_str(up, "d:p", "docker.io credentials");
	free(up);
	ok(registry_auth_lookup(path, "127.0.0.1:5001", &up, &err) == 0 && up == NULL, "no entry: anonymous");
	ok(registry_auth_lookup(path, "bad:1", &up, &err) < 0 && err != NULL, "an auth that is not base64 is refused");
	like(err ? err->msg : NULL, "base64", "the error says why");
	husk_error_free(err);
	unlink(path);
}

int main(void)
{
	tap_init();
	tap_group(test_challenges);
	tap_group(test_refs);
	tap_group(test_authfile);
	return tap_done();
}
