/* Names: references normalised as docker does, and index.json, the OCI
 * index whose entries name manifests. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "image/digest.h"
#include "image/store_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

#define REF_NAME "org.opencontainers.image.ref.name"

static bool valid_path_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
	       c == '/';
}

static bool valid_tag(const char *t)
{
	size_t n = strlen(t);
	if (n == 0 || n > 128 || t[0] == '.' || t[0] == '-')
		return false;
	for (const char *p = t; *p; p++)
		if (!isalnum((unsigned char) *p) && *p != '_' && *p != '.' && *p != '-')
			return false;
	return true;
}

int store_ref_normalize(const char *ref, char **ret, husk_error **err)
{
	*ret = NULL;
	if (ref[0] == '\0' || strlen(ref) > 512)
		return husk_fail(err, 0, "reference \"%.64s\": empty or too long", ref);
	cleanup_free char *copy = strdup(ref);
	if (copy == NULL)
		return husk_fail(err, ENOMEM, "reference");
	char *digest = strchr(copy, '@');
	if (digest) {
		*digest++ = '\0';
		if (!digest_valid(digest))
			return husk_fail(err, 0, "reference \"%s\": \"%s\" is not a sha256 digest", ref,
					 digest);
	}
	/* The domain: a first component with a dot or a colon, or localhost. */
	const char *domain = "docker.io", *path = copy;
	char *slash = strchr(copy, '/');
	if (slash && (memchr(copy, '.', (size_t) (slash - copy)) ||
		      memchr(copy, ':', (size_t) (slash - copy)) ||
		      ((size_t) (slash - copy) == 9 && strncmp(copy, "localhost", 9) == 0))) {
		*slash = '\0';
		domain = copy;
		path = slash + 1;
	}
	char *tag = strrchr(path, ':');
	if (tag) {
		*tag++ = '\0';
		if (!valid_tag(tag))
			return husk_fail(err, 0, "reference \"%s\": invalid tag \"%s\"", ref, tag);
	}
	if (path[0] == '\0' || path[0] == '/' || path[strlen(path) - 1] == '/' || strstr(path, "//"))
		return husk_fail(err, 0, "reference \"%s\": invalid repository name", ref);
	for (const char *p = path; *p; p++)
		if (!valid_path_char(*p))
			return husk_fail(err, 0, "reference \"%s\": invalid repository name (it must be lower case, [a-z0-9._/-])", ref);
	for (const char *p = domain; *p; p++)
		if (!isalnum((unsigned char) *p) && !strchr(".-:[]", *p))
			return husk_fail(err, 0, "reference \"%s\": invalid registry \"%s\"", ref, domain);
	bool library = strcmp(domain, "docker.io") == 0 && strchr(path, '/') == NULL;
	int n;
	if (digest && !tag)
		n = asprintf(ret, "%s/%s%s@%s", domain, library ? "library/" : "", path, digest);
	else
		n = asprintf(ret, "%s/%s%s:%s", domain, library ? "library/" : "", path, tag ? tag : "latest");
	if (n < 0) {
		*ret = NULL;
		return husk_fail(err, ENOMEM, "reference");
	}
	return 0;
}

const char *store_entry_name(json_object *entry)
{
	json_object *a = json_member(entry, "annotations");
	json_object *n = a ? json_member(a, REF_NAME) : NULL;
	return n && json_is_string(n) ? json_object_get_string(n) : NULL;
}

static const char *entry_digest(json_object *entry)
{
	json_object *d = json_member(entry, "digest");
	return d && json_is_string(d) ? json_object_get_string(d) : "";
}

int store_index_read(struct store *s, json_object **index, json_object **manifests,
		     husk_error **err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;
	husk_error *e = NULL;
	*index = NULL;
	if (read_file_at(s->dirfd, "index.json", &buf, &len, &e) < 0) {
		if (e->errnum != ENOENT) {
			*err = e;
			return husk_wrap(err, "store %s", s->path);
		}
		husk_error_free(e);
		*index = json_object_new_object();
		json_object_object_add(*index, "schemaVersion", json_object_new_int(2));
		json_object_object_add(*index, "mediaType",
				       json_object_new_string("application/vnd.oci.image.index.v1+json"));
	} else if (json_parse_text(buf, len, index, err) < 0) {
		return husk_wrap(err, "store %s: index.json", s->path);
	}
	json_object *m = json_member(*index, "manifests");
	if (m == NULL) {
		m = json_object_new_array();
		json_object_object_add(*index, "manifests", m);
	}
	if (!json_is_array(m)) {
		json_putp(index);
		return husk_fail(err, 0, "store %s: index.json: manifests is not an array", s->path);
	}
	*manifests = m;
	return 0;
}

int store_index_write(struct store *s, json_object *index, husk_error **err)
{
	cleanup_free char *text = json_to_string(index, true);
	if (text == NULL)
		return husk_fail(err, ENOMEM, "index.json");
	int r = write_file_atomic_at(s->dirfd, "index.json", text, strlen(text), 0644, err);
	return r < 0 ? husk_wrap(err, "store %s", s->path) : 0;
}

int store_image_tag(struct store *s, const char *manifest_digest, const char *name,
		    husk_error **err)
{
	cleanup_json json_object *index = NULL;
	json_object *ms = NULL;
	cleanup_json json_object *manifest = NULL;
	int r = store_blob_json(s, manifest_digest, STORE_JSON_MAX, &manifest, err);
	if (r < 0)
		return r;
	if ((r = store_index_read(s, &index, &ms, err)) < 0)
		return r;
	bool have = false;
	/* Drops the name from its old image and this image's untagged entry. */
	for (size_t i = json_object_array_length(ms); i-- > 0;) {
		json_object *e = json_object_array_get_idx(ms, i);
		const char *n = store_entry_name(e);
		bool same = strcmp(entry_digest(e), manifest_digest) == 0;
		if (name && ((n && strcmp(n, name) == 0) || (same && !n)))
			json_object_array_del_idx(ms, i, 1);
		else if (same)
			have = true;
	}
	if (name == NULL && have)
		return 0;
	struct stat st;
	char p[96];
	store_blob_path(manifest_digest, p);
	if (fstatat(s->dirfd, p, &st, 0) < 0)
		return husk_fail(err, errno, "manifest %s", manifest_digest);
	json_object *mt = json_member(manifest, "mediaType");
	json_object *e = json_object_new_object();
	json_object_object_add(e, "mediaType", json_object_new_string(
		mt && json_is_string(mt) ? json_object_get_string(mt) : "application/vnd.oci.image.manifest.v1+json"));
	json_object_object_add(e, "digest", json_object_new_string(manifest_digest));
	json_object_object_add(e, "size", json_object_new_int64(st.st_size));
	if (name) {
		json_object *a = json_object_new_object();
		json_object_object_add(a, REF_NAME, json_object_new_string(name));
		json_object_object_add(e, "annotations", a);
	}
	json_object_array_add(ms, e);
	return store_index_write(s, index, err);
}

static bool is_hex_prefix(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char) *s) && !(*s >= 'a' && *s <= 'f'))
			return false;
	return true;
}

int store_image_resolve(struct store *s, const char *ref, struct store_image **ret,
			husk_error **err)
{
	cleanup_json json_object *index = NULL;
	json_object *ms = NULL;
	*ret = NULL;
	int r = store_index_read(s, &index, &ms, err);
	if (r < 0)
		return r;
	size_t n = json_object_array_length(ms);
	/* An id or an id prefix: "sha256:abc..." or "abc...". */
	const char *id = strncmp(ref, "sha256:", 7) == 0 ? ref + 7 : ref;
	bool maybe_id = is_hex_prefix(id);
	cleanup_free char *norm = NULL;
	husk_error *nerr = NULL;
	if (store_ref_normalize(ref, &norm, &nerr) < 0) {
		if (!maybe_id) {
			*err = nerr;
			return husk_error_code(nerr);
		}
		husk_error_free(nerr);
	}
	if (norm) {
		const char *at = strchr(norm, '@');
		for (size_t i = 0; i < n; i++) {
			json_object *e = json_object_array_get_idx(ms, i);
			const char *name = store_entry_name(e);
			if ((at && strcmp(entry_digest(e), at + 1) == 0) ||
			    (!at && name && strcmp(name, norm) == 0))
				return store_image_load(s, entry_digest(e), ms, ret, err);
		}
	}
	if (maybe_id) {
		const char *found = NULL;
		char found_id[DIGEST_LEN] = "";
		for (size_t i = 0; i < n; i++) {
			const char *md = entry_digest(json_object_array_get_idx(ms, i));
			char cfg[DIGEST_LEN];
			husk_error *e = NULL;
			if (store_manifest_config(s, md, cfg, &e) < 0) {
				husk_error_free(e);
				continue;
			}
			if (strncmp(cfg + 7, id, strlen(id)) != 0 || strcmp(cfg, found_id) == 0)
				continue;
			if (found)
				return husk_fail(err, 0, "image \"%s\": ambiguous id prefix", ref);
			found = md;
			memcpy(found_id, cfg, DIGEST_LEN);
		}
		if (found)
			return store_image_load(s, found, ms, ret, err);
	}
	return husk_fail(err, ENOENT, "image \"%s\": not in the store %s", ref, s->path);
}
