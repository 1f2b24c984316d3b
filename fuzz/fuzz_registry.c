/* What `husk image pull` parses of what it is given or sent, before any
 * blob: the reference (store_ref_normalize, pull_ref_parse), a registry's
 * WWW-Authenticate challenge, the auth file's entry for the host, and a
 * manifest list / image index with its descriptors.  The input is up to
 * four parts separated by NUL bytes, in that order. */
#include "fuzz.h"

#include <fcntl.h>
#include <stdio.h>

#include "image/pull.h"
#include "image/registry.h"
#include "image/store.h"
#include "util/error.h"
#include "util/json.h"

static char authfile[64];

static void remove_authfile(void)
{
	unlink(authfile);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	if (text == NULL)
		return 0;
	if (authfile[0] == '\0') {
		strcpy(authfile, "/tmp/husk-fuzz-auth.XXXXXX");
		int fd = mkstemp(authfile);
		if (fd < 0)
			abort();
		close(fd);
		atexit(remove_authfile);
	}
	char *p = text, *end = text + size;
	size_t len = 0;
	husk_error *err = NULL;
	char *ref = fuzz_part(&p, end, &len), *normal = NULL;
	struct pull_ref pr = { 0 };
	if (ref && store_ref_normalize(ref, &normal, &err) == 0)
		pull_ref_parse(normal, &pr, &err);
	husk_error_freep(&err);

	char *header = fuzz_part(&p, end, &len);
	struct auth_challenge ch = { 0 };
	if (header)
		auth_challenge_parse(header, &ch);
	auth_challenge_clear(&ch);

	char *auth = fuzz_part(&p, end, &len);
	if (auth) {
		int fd = open(authfile, O_WRONLY | O_TRUNC | O_CLOEXEC);
		if (fd < 0 || (len && write(fd, auth, len) != (ssize_t) len))
			abort();
		close(fd);
		char *cred = NULL;
		registry_auth_lookup(authfile, pr.host ? pr.host : "registry.example", &cred, &err);
		husk_error_freep(&err);
		free(cred);
	}
	pull_ref_clear(&pr);
	free(normal);

	char *index = fuzz_part(&p, end, &len);
	json_object *j = NULL;
	if (index && json_parse_text(index, len, &j, &err) == 0) {
		char digest[DIGEST_LEN];
		int64_t sz;
		pull_index_pick(j, digest, &sz, &err);
		husk_error_freep(&err);
		json_object *layers = json_member(j, "layers");
		size_t n = layers && json_is_array(layers) ? json_object_array_length(layers) : 0;
		for (size_t i = 0; i < n; i++) {
			const char *mt;
			pull_descriptor(json_object_array_get_idx(layers, i), "layer", digest, &sz, &mt,
					&err);
			husk_error_freep(&err);
		}
		json_object_put(j);
	}
	husk_error_free(err);
	free(text);
	return 0;
}
