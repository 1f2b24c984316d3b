/* Until the store (src/image/store.c, branch h14-store) is merged: the
 * read side of store.h that the engine uses, over the layout store.h
 * describes.  meson.build builds this file only when src/image/store.c
 * does not exist; delete it once the store lands. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/digest.h"
#include "image/store.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

int store_open(const char *path, bool exclusive, struct store *s, husk_error **err)
{
	*s = (struct store) { .dirfd = -1, .lockfd = -1 };
	if (mkdir_p(path, 0700, err) < 0)
		return -1;
	s->dirfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0)
		return husk_fail(err, errno, "store %s", path);
	s->lockfd = openat(s->dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->lockfd < 0 || flock(s->lockfd, exclusive ? LOCK_EX : LOCK_SH) < 0) {
		int e = errno;
		store_close(s);
		return husk_fail(err, e, "store %s: lock", path);
	}
	s->path = strdup(path);
	return 0;
}

void store_close(struct store *s)
{
	if (s->dirfd >= 0)
		close(s->dirfd);
	if (s->lockfd >= 0)
		close(s->lockfd);
	free(s->path);
	*s = (struct store) { .dirfd = -1, .lockfd = -1 };
}

int store_blob_json(struct store *s, const char *digest, size_t max_len, json_object **ret,
		    husk_error **err)
{
	if (!digest_valid(digest))
		return husk_fail(err, 0, "blob %s: not a sha256 digest", digest);
	char path[128];
	snprintf(path, sizeof(path), "blobs/sha256/%s", digest_hex(digest));
	cleanup_free char *buf = NULL;
	size_t len;
	if (read_file_at(s->dirfd, path, &buf, &len, err) < 0)
		return -1;
	if (len > max_len)
		return husk_fail(err, EFBIG, "blob %s: too large", digest);
	return json_parse_text(buf, len, ret, err);
}

void store_chain_id(const char *parent, const char *diff_id, char out[DIGEST_LEN])
{
	if (!parent) {
		snprintf(out, DIGEST_LEN, "%s", diff_id);
		return;
	}
	char buf[2 * DIGEST_LEN + 2];
	int n = snprintf(buf, sizeof(buf), "%s %s", parent, diff_id);
	sha256_of(buf, n, out);
}

void store_image_free(struct store_image *img)
{
	json_object_put(img->manifest);
	json_object_put(img->config);
	free(img->chain_ids);
	for (char **n = img->names; n && *n; n++)
		free(*n);
	free(img->names);
	free(img);
}

static int load(struct store *s, const char *manifest, struct store_image **ret, husk_error **err)
{
	struct store_image *img = calloc(1, sizeof(*img));
	if (!img)
		return husk_fail(err, ENOMEM, "image");
	snprintf(img->manifest_digest, DIGEST_LEN, "%s", manifest);
	img->names = calloc(1, sizeof(char *));
	int r = store_blob_json(s, manifest, 4 << 20, &img->manifest, err);
	json_object *cfg = r >= 0 ? json_member(img->manifest, "config") : NULL;
	const char *cd = cfg ? json_object_get_string(json_member(cfg, "digest")) : NULL;
	if (r >= 0 && !cd)
		r = husk_fail(err, 0, "manifest %s: no config", manifest);
	if (r >= 0) {
		snprintf(img->id, DIGEST_LEN, "%s", cd);
		r = store_blob_json(s, cd, 16 << 20, &img->config, err);
	}
	json_object *diffs = r >= 0 ? json_member(json_member(img->config, "rootfs"), "diff_ids") : NULL;
	if (r >= 0 && (!diffs || !json_is_array(diffs)))
		r = husk_fail(err, 0, "image %s: no rootfs.diff_ids", cd);
	if (r >= 0) {
		img->n_layers = json_object_array_length(diffs);
		img->chain_ids = calloc(img->n_layers + 1, DIGEST_LEN);
		for (size_t i = 0; i < img->n_layers; i++)
			store_chain_id(i ? img->chain_ids[i - 1] : NULL,
				       json_object_get_string(json_object_array_get_idx(diffs, i)),
				       img->chain_ids[i]);
	}
	if (r < 0) {
		store_image_free(img);
		return r;
	}
	*ret = img;
	return 0;
}

int store_ref_normalize(const char *ref, char **ret, husk_error **err)
{
	const char *slash = strchr(ref, '/');
	bool domain = slash && (memchr(ref, '.', slash - ref) || memchr(ref, ':', slash - ref) ||
				strncmp(ref, "localhost/", 10) == 0);
	const char *last = strrchr(ref, '/');
	bool tagged = strchr(last ? last : ref, ':') || strchr(ref, '@');
	if (asprintf(ret, "%s%s%s%s", domain ? "" : "docker.io/", domain || slash ? "" : "library/",
		     ref, tagged ? "" : ":latest") < 0)
		return husk_fail(err, ENOMEM, "reference %s", ref);
	return 0;
}

int store_image_resolve(struct store *s, const char *ref, struct store_image **ret,
			husk_error **err)
{
	cleanup_free char *buf = NULL, *norm = NULL;
	size_t len;
	cleanup_json json_object *index = NULL;
	husk_error *none = NULL;
	if (read_file_at(s->dirfd, "index.json", &buf, &len, &none) < 0) {
		husk_error_free(none);
		return husk_fail(err, 0, "image %s: no such image in the store", ref);
	}
	if (json_parse_text(buf, len, &index, err) < 0 || store_ref_normalize(ref, &norm, err) < 0)
		return -1;
	json_object *m = json_member(index, "manifests");
	const char *idref = strncmp(ref, "sha256:", 7) == 0 ? ref + 7 : ref;
	char found[DIGEST_LEN] = "";
	for (size_t i = 0; m && i < json_object_array_length(m); i++) {
		json_object *d = json_object_array_get_idx(m, i);
		const char *dg = json_object_get_string(json_member(d, "digest"));
		const char *name = json_object_get_string(
			json_member(json_member(d, "annotations"), "org.opencontainers.image.ref.name"));
		if (dg && name && strcmp(name, norm) == 0)
			return load(s, dg, ret, err);
		if (dg && strlen(idref) >= 4 && strspn(idref, "0123456789abcdef") == strlen(idref)) {
			struct store_image *img;
			husk_error *e = NULL;
			if (load(s, dg, &img, &e) < 0) {
				husk_error_free(e);
				continue;
			}
			bool match = strncmp(img->id + 7, idref, strlen(idref)) == 0;
			store_image_free(img);
			if (match && *found && strcmp(found, dg))
				return husk_fail(err, 0, "image %s: the id prefix is ambiguous", ref);
			if (match)
				snprintf(found, sizeof(found), "%s", dg);
		}
	}
	if (*found)
		return load(s, found, ret, err);
	return husk_fail(err, 0, "image %s: no such image in the store", ref);
}
