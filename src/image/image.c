/* An image as the engine uses it: manifest, config, the chain ids of its
 * layers, its names. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image/digest.h"
#include "image/store_internal.h"
#include "util/cleanup.h"
#include "util/json.h"

void store_image_free(struct store_image *img)
{
	if (img == NULL)
		return;
	json_object_put(img->manifest);
	json_object_put(img->config);
	free(img->chain_ids);
	if (img->names)
		for (char **p = img->names; *p; p++)
			free(*p);
	free(img->names);
	free(img);
}

static const char *config_digest_of(json_object *manifest)
{
	json_object *c = json_member(manifest, "config");
	json_object *d = c ? json_member(c, "digest") : NULL;
	return d && json_is_string(d) && digest_valid(json_object_get_string(d))
		       ? json_object_get_string(d) : NULL;
}

int store_manifest_config(struct store *s, const char *manifest_digest, char out[DIGEST_LEN],
			  husk_error **err)
{
	cleanup_json json_object *m = NULL;
	int r = store_blob_json(s, manifest_digest, STORE_JSON_MAX, &m, err);
	if (r < 0)
		return r;
	const char *d = config_digest_of(m);
	if (d == NULL)
		return husk_fail(err, 0, "manifest %s: no config digest", manifest_digest);
	snprintf(out, DIGEST_LEN, "%s", d);
	return 0;
}

int store_config_chain_ids(json_object *config, const char *what, char (**ret)[DIGEST_LEN],
			   size_t *n_ret, husk_error **err)
{
	json_object *rootfs = json_member(config, "rootfs");
	json_object *ids = rootfs ? json_member(rootfs, "diff_ids") : NULL;
	if (ids == NULL || !json_is_array(ids))
		return husk_fail(err, 0, "config %s: no rootfs.diff_ids array", what);
	size_t n = json_object_array_length(ids);
	char (*chain)[DIGEST_LEN] = calloc(n ? n : 1, DIGEST_LEN);
	if (chain == NULL)
		return husk_fail(err, ENOMEM, "config %s", what);
	for (size_t i = 0; i < n; i++) {
		json_object *d = json_object_array_get_idx(ids, i);
		if (!json_is_string(d) || !digest_valid(json_object_get_string(d))) {
			free(chain);
			return husk_fail(err, 0, "config %s: rootfs.diff_ids[%zu] is not a sha256 digest",
					 what, i);
		}
		store_chain_id(i ? chain[i - 1] : NULL, json_object_get_string(d), chain[i]);
	}
	*ret = chain;
	*n_ret = n;
	return 0;
}

int store_image_load(struct store *s, const char *manifest_digest, json_object *manifests,
		     struct store_image **ret, husk_error **err)
{
	struct store_image *img = calloc(1, sizeof(*img));
	int r;
	if (img == NULL)
		return husk_fail(err, ENOMEM, "image");
	snprintf(img->manifest_digest, DIGEST_LEN, "%s", manifest_digest);
	if ((r = store_blob_json(s, manifest_digest, STORE_JSON_MAX, &img->manifest, err)) < 0)
		goto fail;
	const char *cd = config_digest_of(img->manifest);
	if (cd == NULL) {
		r = husk_fail(err, 0, "manifest %s: no config digest", manifest_digest);
		goto fail;
	}
	snprintf(img->id, DIGEST_LEN, "%s", cd);
	if ((r = store_blob_json(s, cd, STORE_JSON_MAX, &img->config, err)) < 0)
		goto fail;
	if ((r = store_config_chain_ids(img->config, cd, &img->chain_ids, &img->n_layers, err)) < 0)
		goto fail;
	size_t n = manifests ? json_object_array_length(manifests) : 0, k = 0;
	img->names = calloc(n + 1, sizeof(char *));
	if (img->names == NULL) {
		r = husk_fail(err, ENOMEM, "image");
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(manifests, i);
		json_object *d = json_member(e, "digest");
		const char *name = store_entry_name(e);
		if (name && d && json_is_string(d) && strcmp(json_object_get_string(d), manifest_digest) == 0)
			if ((img->names[k] = strdup(name)) != NULL)
				k++;
	}
	*ret = img;
	return 0;
fail:
	store_image_free(img);
	return r;
}
