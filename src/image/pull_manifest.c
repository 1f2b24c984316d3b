/* Manifests, indexes and blobs of a pull, each checked against its digest
 * and size before anything uses it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image/digest.h"
#include "image/pull.h"
#include "util/cleanup.h"

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"

struct capped {
	char *data;
	size_t len, max;
};

static int capped_sink(void *p, const void *buf, size_t len, husk_error **err)
{
	struct capped *m = p;
	if (m->len + len > m->max)
		return husk_fail(err, EFBIG, "manifest larger than %zu bytes", m->max);
	char *d = realloc(m->data, m->len + len + 1);
	if (d == NULL)
		return husk_fail(err, ENOMEM, "manifest");
	memcpy(d + m->len, buf, len);
	d[m->len + len] = '\0';
	m->data = d;
	m->len += len;
	return 0;
}

void pull_manifest_clear(struct pull_manifest *m)
{
	free(m->data);
	json_object_put(m->json);
	memset(m, 0, sizeof(*m));
}

static const char *json_str(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v)
		       : NULL;
}

int pull_manifest_fetch(struct registry *r, const char *ref, const char *expect_digest,
			int64_t expect_size, struct pull_manifest *m, husk_error **err)
{
	memset(m, 0, sizeof(*m));
	char path[512];
	snprintf(path, sizeof(path), "manifests/%s", ref);
	struct capped buf = { .max = PULL_MANIFEST_MAX };
	struct registry_response resp = { 0 };
	int rc = registry_get(r, path, MT_OCI_INDEX ", " MT_DOCKER_LIST ", " MT_OCI_MANIFEST ", " MT_DOCKER_MANIFEST,
			      capped_sink, &buf, &resp, err);
	if (rc < 0) {
		free(buf.data);
		return rc;
	}
	m->data = buf.data ? buf.data : strdup("");
	m->len = buf.len;
	sha256_of(m->data, m->len, m->digest);
	const char *want = expect_digest ? expect_digest : resp.digest;
	if (want != NULL && strncmp(want, "sha256:", 7) == 0 && strcmp(want, m->digest) != 0)
		rc = husk_fail(err, 0, "manifest %s: digest mismatch: expected %s, got %s", ref, want,
			       m->digest);
	else if (expect_size >= 0 && (int64_t)m->len != expect_size)
		rc = husk_fail(err, 0, "manifest %s: size mismatch: expected %lld, got %zu bytes", ref,
			       (long long)expect_size, m->len);
	else if ((m->json = json_tokener_parse(m->data)) == NULL ||
		 !json_object_is_type(m->json, json_type_object))
		rc = husk_fail(err, 0, "manifest %s: not a JSON object", ref);
	if (rc < 0) {
		registry_response_clear(&resp);
		return rc;
	}
	const char *mt = json_str(m->json, "mediaType");
	if (mt == NULL)
		mt = resp.content_type;
	json_object *v;
	if (mt == NULL || (strcmp(mt, MT_OCI_INDEX) != 0 && strcmp(mt, MT_DOCKER_LIST) != 0 &&
			   strcmp(mt, MT_OCI_MANIFEST) != 0 && strcmp(mt, MT_DOCKER_MANIFEST) != 0))
		/* OCI allows a manifest without mediaType: its shape decides. */
		mt = json_object_object_get_ex(m->json, "manifests", &v)  ? MT_OCI_INDEX
		     : json_object_object_get_ex(m->json, "layers", &v) ? MT_OCI_MANIFEST
									  : NULL;
	if (mt == NULL)
		rc = husk_fail(err, 0, "manifest %s: unsupported media type %s", ref,
			       resp.content_type ? resp.content_type : "(none)");
	else
		m->is_index = strcmp(mt, MT_OCI_INDEX) == 0 || strcmp(mt, MT_DOCKER_LIST) == 0;
	registry_response_clear(&resp);
	return rc;
}

int pull_descriptor(json_object *d, const char *what, char digest[DIGEST_LEN], int64_t *size,
		    const char **media_type, husk_error **err)
{
	json_object *s;
	const char *dg = json_object_is_type(d, json_type_object) ? json_str(d, "digest") : NULL;
	if (dg == NULL || !digest_valid(dg))
		return husk_fail(err, 0, "%s: no valid sha256 digest", what);
	if (!json_object_object_get_ex(d, "size", &s) || !json_object_is_type(s, json_type_int) ||
	    json_object_get_int64(s) < 0)
		return husk_fail(err, 0, "%s: no valid size", what);
	strcpy(digest, dg);
	*size = json_object_get_int64(s);
	if (media_type != NULL)
		*media_type = json_str(d, "mediaType");
	return 0;
}

int pull_index_pick(json_object *index, char digest[DIGEST_LEN], int64_t *size, husk_error **err)
{
	json_object *ms;
	if (!json_object_object_get_ex(index, "manifests", &ms) ||
	    !json_object_is_type(ms, json_type_array))
		return husk_fail(err, 0, "index: no \"manifests\" array");
	char seen[512] = "";
	size_t n = json_object_array_length(ms);
	for (size_t i = 0; i < n; i++) {
		json_object *d = json_object_array_get_idx(ms, i), *p;
		if (!json_object_object_get_ex(d, "platform", &p))
			continue;
		const char *os = json_str(p, "os"), *arch = json_str(p, "architecture");
		if (os && arch && strcmp(os, "linux") == 0 && strcmp(arch, "amd64") == 0)
			return pull_descriptor(d, "index entry linux/amd64", digest, size, NULL, err);
		size_t l = strlen(seen);
		snprintf(seen + l, sizeof(seen) - l, "%s%s/%s", l ? ", " : "", os ? os : "?",
			 arch ? arch : "?");
	}
	return husk_fail(err, 0, "no linux/amd64 image in the index (it has: %s)", *seen ? seen : "none");
}

struct blob_sink {
	struct blob_writer *w;
	const volatile bool *stop;
};

static int blob_sink(void *p, const void *buf, size_t len, husk_error **err)
{
	struct blob_sink *b = p;
	if (b->stop != NULL && *b->stop)
		return husk_fail(err, ECANCELED, "cancelled");
	return blob_writer_write(b->w, buf, len, err);
}

int pull_blob(struct registry *r, struct store *s, const char *digest, int64_t size,
	      const volatile bool *stop, husk_error **err)
{
	struct blob_sink b = { .stop = stop };
	bool exists = false;
	int rc = blob_writer_open(s, digest, size, &b.w, &exists, err);
	if (rc < 0 || exists)
		return rc;
	char path[128];
	snprintf(path, sizeof(path), "blobs/%s", digest);
	if ((rc = registry_get(r, path, NULL, blob_sink, &b, NULL, err)) < 0) {
		blob_writer_abort(b.w);
		return husk_wrap(err, "blob %s", digest);
	}
	char got[DIGEST_LEN];
	if ((rc = blob_writer_commit(b.w, got, err)) < 0)
		return husk_wrap(err, "blob %s", digest);
	return 0;
}
