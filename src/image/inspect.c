/* Images as docker shows them: `image inspect`'s JSON, and the list of
 * every image of the store. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image/digest.h"
#include "image/inspect.h"
#include "image/store_internal.h"
#include "util/cleanup.h"
#include "util/json.h"

static json_object *copy_member(json_object *o, const char *key)
{
	json_object *v = json_member(o, key), *out = NULL;
	if (v == NULL || json_object_deep_copy(v, &out, NULL) < 0)
		return NULL;
	return out;
}

json_object *image_inspect_json(struct store *s, const struct store_image *img)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "Id", json_object_new_string(img->id));
	json_object *tags = json_object_new_array(), *digests = json_object_new_array();
	for (char **n = img->names; n && *n; n++) {
		json_object_array_add(tags, json_object_new_string(*n));
		/* RepoDigests: repository@manifest digest, as docker. */
		char *colon = strrchr(*n, ':'), *slash = strrchr(*n, '/');
		int len = colon && (!slash || colon > slash) ? (int) (colon - *n) : (int) strlen(*n);
		char buf[640];
		snprintf(buf, sizeof(buf), "%.*s@%s", len, *n, img->manifest_digest);
		json_object_array_add(digests, json_object_new_string(buf));
	}
	json_object_object_add(o, "RepoTags", tags);
	json_object_object_add(o, "RepoDigests", digests);
	json_object_object_add(o, "Digest", json_object_new_string(img->manifest_digest));
	json_object_object_add(o, "Created", copy_member(img->config, "created"));
	json_object_object_add(o, "Author", copy_member(img->config, "author"));
	json_object_object_add(o, "Architecture", copy_member(img->config, "architecture"));
	json_object_object_add(o, "Os", copy_member(img->config, "os"));
	json_object *cfg = copy_member(img->config, "config");
	json_object_object_add(o, "Config", cfg ? cfg : json_object_new_object());
	json_object *rootfs = json_object_new_object(), *layers = json_object_new_array();
	json_object_object_add(rootfs, "Type", json_object_new_string("layers"));
	json_object *r = json_member(img->config, "rootfs");
	json_object *ids = r ? json_member(r, "diff_ids") : NULL;
	for (size_t i = 0; ids && i < json_object_array_length(ids); i++)
		json_object_array_add(layers, json_object_get(json_object_array_get_idx(ids, i)));
	json_object_object_add(rootfs, "Layers", layers);
	json_object_object_add(o, "RootFS", rootfs);
	json_object_object_add(o, "Size", json_object_new_int64((int64_t) image_size(s, img)));
	json_object_object_add(o, "History", copy_member(img->config, "history"));
	return o;
}

uint64_t image_size(struct store *s, const struct store_image *img)
{
	uint64_t n = 0;
	for (size_t i = 0; i < img->n_layers; i++)
		n += store_layer_size(s, img->chain_ids[i]);
	return n;
}

int image_list(struct store *s, struct store_image ***ret, size_t *n_ret, husk_error **err)
{
	cleanup_json json_object *index = NULL;
	json_object *ms = NULL;
	int r = store_index_read(s, &index, &ms, err);
	if (r < 0)
		return r;
	size_t n = json_object_array_length(ms), k = 0;
	struct store_image **v = calloc(n + 1, sizeof(*v));
	if (v == NULL)
		return husk_fail(err, ENOMEM, "image list");
	for (size_t i = 0; i < n; i++) {
		json_object *d = json_member(json_object_array_get_idx(ms, i), "digest");
		const char *md = d && json_is_string(d) ? json_object_get_string(d) : "";
		bool seen = false;
		for (size_t j = 0; j < k; j++)
			seen = seen || strcmp(v[j]->manifest_digest, md) == 0;
		if (seen || !digest_valid(md))
			continue;
		if ((r = store_image_load(s, md, ms, &v[k], err)) < 0) {
			image_list_free(v, k);
			return husk_wrap(err, "store %s", s->path);
		}
		k++;
	}
	*ret = v;
	*n_ret = k;
	return 0;
}

void image_list_free(struct store_image **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		store_image_free(v[i]);
	free(v);
}
