/* An image from a config and its layer blobs, all in the store already:
 * the layers unpacked, an OCI manifest written, the names recorded. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/digest.h"
#include "image/image_in.h"
#include "image/import.h"
#include "image/media_types.h"
#include "image/store_internal.h"
#include "util/cleanup.h"
#include "util/json.h"

static int64_t blob_size(struct store *s, const char *digest)
{
	char p[96];
	struct stat st;
	store_blob_path(digest, p);
	return fstatat(s->dirfd, p, &st, 0) == 0 ? st.st_size : -1;
}

static json_object *descriptor(const char *media_type, const char *digest, int64_t size)
{
	json_object *d = json_object_new_object();
	json_object_object_add(d, "mediaType", json_object_new_string(media_type));
	json_object_object_add(d, "digest", json_object_new_string(digest));
	json_object_object_add(d, "size", json_object_new_int64(size));
	return d;
}

int image_in_layers(struct image_in *in, json_object *config, const char *config_digest,
		    size_t n, const char (*blobs)[DIGEST_LEN], husk_error **err)
{
	json_object *rootfs = json_member(config, "rootfs");
	json_object *ids = rootfs ? json_member(rootfs, "diff_ids") : NULL;
	if (ids == NULL || !json_is_array(ids))
		return husk_fail(err, 0, "config %s: no rootfs.diff_ids array", config_digest);
	if (json_object_array_length(ids) != n)
		return husk_fail(err, 0, "config %s: %zu diff_ids for %zu layers", config_digest,
				 json_object_array_length(ids), n);
	char parent[DIGEST_LEN] = "";
	for (size_t i = 0; i < n; i++) {
		json_object *d = json_object_array_get_idx(ids, i);
		if (!json_is_string(d) || !digest_valid(json_object_get_string(d)))
			return husk_fail(err, 0, "config %s: rootfs.diff_ids[%zu] is not a sha256 digest",
					 config_digest, i);
		char chain[DIGEST_LEN];
		int r = image_in_layer(in, i ? parent : NULL, blobs[i], json_object_get_string(d), chain, err);
		if (r < 0)
			return r;
		memcpy(parent, chain, DIGEST_LEN);
	}
	return 0;
}

int image_in_add(struct image_in *in, const char *config_digest, size_t n,
		 const char (*blobs)[DIGEST_LEN], char *const *names, size_t n_names,
		 char manifest_out[DIGEST_LEN], husk_error **err)
{
	cleanup_json json_object *config = NULL;
	int r = store_blob_json(in->s, config_digest, STORE_JSON_MAX, &config, err);
	if (r < 0)
		return husk_wrap(err, "image config");
	image_in_use(in, config_digest);
	if ((r = image_in_layers(in, config, config_digest, n, blobs, err)) < 0)
		return r;
	cleanup_json json_object *m = json_object_new_object();
	json_object_object_add(m, "schemaVersion", json_object_new_int(2));
	json_object_object_add(m, "mediaType", json_object_new_string(MT_OCI_MANIFEST));
	json_object_object_add(m, "config", descriptor(MT_OCI_CONFIG, config_digest,
						       blob_size(in->s, config_digest)));
	json_object *layers = json_object_new_array();
	json_object_object_add(m, "layers", layers);
	for (size_t i = 0; i < n; i++)
		json_object_array_add(layers, descriptor(image_in_layer_media_type(in, blobs[i]), blobs[i],
							 blob_size(in->s, blobs[i])));
	if ((r = image_in_json_blob(in, m, manifest_out, NULL, err)) < 0)
		return r;
	return image_in_tag(in, manifest_out, names, n_names, err);
}

int image_in_tag(struct image_in *in, const char *manifest, char *const *names, size_t n_names,
		 husk_error **err)
{
	image_in_use(in, manifest);
	if (n_names == 0)
		return store_image_tag(in->s, manifest, NULL, err);
	for (size_t i = 0; i < n_names; i++) {
		int r = store_image_tag(in->s, manifest, names[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

static void now_rfc3339(char out[40])
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 40 - n, ".%09ldZ", ts.tv_nsec);
}

int image_import(struct store *s, int fd, const char *name, char id_out[DIGEST_LEN],
		 husk_error **err)
{
	cleanup_free char *norm = NULL;
	int r = store_ref_normalize(name, &norm, err);
	if (r < 0)
		return r;
	if (strchr(norm, '@'))
		return husk_fail(err, 0, "import: name \"%s\": a digest cannot name a new image", name);
	struct image_in in = { .s = s };
	char blob[1][DIGEST_LEN], chain[DIGEST_LEN], cfg[DIGEST_LEN], manifest[DIGEST_LEN], when[40];
	/* One read of the input: stored and unpacked as it passes. */
	if ((r = image_in_layer_stream(&in, fd, NULL, -1, NULL, NULL, blob[0], chain, err)) < 0)
		goto out;
	now_rfc3339(when);
	json_object *c = json_object_new_object();
	json_object_object_add(c, "created", json_object_new_string(when));
	json_object_object_add(c, "architecture", json_object_new_string("amd64"));
	json_object_object_add(c, "os", json_object_new_string("linux"));
	json_object_object_add(c, "config", json_object_new_object());
	json_object *rootfs = json_object_new_object(), *ids = json_object_new_array();
	json_object_object_add(rootfs, "type", json_object_new_string("layers"));
	json_object_array_add(ids, json_object_new_string(chain));   /* a base layer: chain = diffID */
	json_object_object_add(rootfs, "diff_ids", ids);
	json_object_object_add(c, "rootfs", rootfs);
	json_object *hist = json_object_new_array(), *h = json_object_new_object();
	json_object_object_add(h, "created", json_object_new_string(when));
	json_object_object_add(h, "created_by", json_object_new_string("husk image import"));
	json_object_array_add(hist, h);
	json_object_object_add(c, "history", hist);
	r = image_in_json_blob(&in, c, cfg, NULL, err);
	json_object_put(c);
	if (r < 0)
		goto out;
	r = image_in_add(&in, cfg, 1, (const char(*)[DIGEST_LEN]) blob, &norm, 1, manifest, err);
	if (r >= 0 && id_out)
		memcpy(id_out, cfg, DIGEST_LEN);
out:
	image_in_finish(&in, r >= 0);
	return r < 0 ? husk_wrap(err, "import") : 0;
}
