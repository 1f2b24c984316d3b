/* The two archive formats, once their blobs are staged: docker-archive's
 * manifest.json, and the OCI index (with manifests and nested indexes). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/digest.h"
#include "image/import.h"
#include "image/load_internal.h"
#include "image/media_types.h"
#include "image/store_internal.h"
#include "util/cleanup.h"
#include "util/json.h"

/* An entry's staged digest, following symlinks between entries (newer
 * docker saves link repeated layers), relative to the link's directory. */
static const char *staged_digest(struct load_ctx *c, const char *name, int depth)
{
	if (depth > 8)
		return NULL;
	for (size_t i = 0; i < c->n_staged; i++) {
		struct staged *e = &c->staged[i];
		if (strcmp(e->name, name) != 0)
			continue;
		if (!e->link)
			return e->digest;
		char target[4096];
		const char *slash = strrchr(e->name, '/');
		const char *l = e->link;
		int dirlen = slash ? (int) (slash - e->name) : 0;
		while (strncmp(l, "../", 3) == 0 && dirlen > 0) {
			l += 3;
			const char *p = memrchr(e->name, '/', (size_t) dirlen);
			dirlen = p ? (int) (p - e->name) : 0;
		}
		snprintf(target, sizeof(target), "%.*s%s%s", dirlen, e->name, dirlen ? "/" : "", l);
		return staged_digest(c, target, depth + 1);
	}
	return NULL;
}

static const char *clean_name_json(const char *n)
{
	while (n[0] == '.' && n[1] == '/')
		n += 2;
	return n;
}

static const char *str_member(json_object *o, const char *key)
{
	json_object *v = json_member(o, key);
	return v && json_is_string(v) ? json_object_get_string(v) : NULL;
}

static int parse(const char *what, const char *text, size_t len, json_object **ret, husk_error **err)
{
	if (json_text_has_nul(text, len))
		return husk_fail(err, 0, "%s: a \\u0000 escape in JSON", what);
	int r = json_parse_text(text, len, ret, err);
	return r < 0 ? husk_wrap(err, "%s", what) : 0;
}

/* Names of an image, normalised; a name that does not parse is an error. */
static int add_name(char ***names, size_t *n, const char *ref, husk_error **err)
{
	char *norm = NULL;
	int r = store_ref_normalize(ref, &norm, err);
	if (r < 0)
		return r;
	char **nv = realloc(*names, (*n + 2) * sizeof(char *));
	if (nv == NULL) {
		free(norm);
		return husk_fail(err, ENOMEM, "load");
	}
	nv[(*n)++] = norm;
	nv[*n] = NULL;
	*names = nv;
	return 0;
}

static void report(struct load_ctx *c, char **names, size_t n, const char *id)
{
	if (!c->loaded)
		return;
	if (n == 0)
		c->loaded(id, c->arg);
	for (size_t i = 0; i < n; i++)
		c->loaded(names[i], c->arg);
}

static int docker_image(struct load_ctx *c, json_object *item, size_t idx, husk_error **err)
{
	const char *cfg_name = str_member(item, "Config");
	json_object *layers = json_member(item, "Layers");
	json_object *tags = json_member(item, "RepoTags");
	if (cfg_name == NULL || layers == NULL || !json_is_array(layers))
		return husk_fail(err, 0, "manifest.json[%zu]: needs Config (a string) and Layers (an array)", idx);
	const char *cfg = staged_digest(c, clean_name_json(cfg_name), 0);
	if (cfg == NULL)
		return husk_fail(err, 0, "manifest.json[%zu]: config %s is not in the archive", idx, cfg_name);
	size_t n = json_object_array_length(layers);
	cleanup_free char (*blobs)[DIGEST_LEN] = calloc(n ? n : 1, DIGEST_LEN);
	if (blobs == NULL)
		return husk_fail(err, ENOMEM, "load");
	for (size_t i = 0; i < n; i++) {
		json_object *l = json_object_array_get_idx(layers, i);
		const char *d = json_is_string(l) ? staged_digest(c, clean_name_json(json_object_get_string(l)), 0) : NULL;
		if (d == NULL)
			return husk_fail(err, 0, "manifest.json[%zu]: layer %s is not in the archive", idx,
					 json_is_string(l) ? json_object_get_string(l) : "(not a string)");
		snprintf(blobs[i], DIGEST_LEN, "%s", d);
	}
	cleanup_strv char **names = NULL;
	size_t n_names = 0;
	if (tags && !json_is_array(tags))
		return husk_fail(err, 0, "manifest.json[%zu]: RepoTags is not an array", idx);
	for (size_t i = 0; tags && i < json_object_array_length(tags); i++) {
		json_object *t = json_object_array_get_idx(tags, i);
		if (!json_is_string(t))
			return husk_fail(err, 0, "manifest.json[%zu]: RepoTags[%zu] is not a string", idx, i);
		if (add_name(&names, &n_names, json_object_get_string(t), err) < 0)
			return husk_wrap(err, "manifest.json[%zu]", idx);
	}
	char cfg_digest[DIGEST_LEN], manifest[DIGEST_LEN];
	snprintf(cfg_digest, sizeof(cfg_digest), "%s", cfg);
	int r = image_in_add(&c->in, cfg_digest, n, (const char(*)[DIGEST_LEN]) blobs, names, n_names,
			     manifest, err);
	if (r < 0)
		return r;
	report(c, names, n_names, cfg_digest);
	return 0;
}

int load_docker(struct load_ctx *c, husk_error **err)
{
	cleanup_json json_object *m = NULL;
	int r = parse("manifest.json", c->docker_manifest, c->docker_manifest_len, &m, err);
	if (r < 0)
		return r;
	if (!json_is_array(m) || json_object_array_length(m) == 0)
		return husk_fail(err, 0, "manifest.json: not a non-empty array");
	for (size_t i = 0; i < json_object_array_length(m); i++)
		if ((r = docker_image(c, json_object_array_get_idx(m, i), i, err)) < 0)
			return r;
	return 0;
}

/* A blob a descriptor names: staged from the archive, or copied from the
 * layout directory; its size checked against the descriptor's. */
static int oci_blob(struct load_ctx *c, json_object *desc, const char *what, char out[DIGEST_LEN],
		    husk_error **err)
{
	const char *d = str_member(desc, "digest");
	json_object *sz = json_member(desc, "size");
	if (d == NULL || !digest_valid(d))
		return husk_fail(err, 0, "%s: digest \"%s\" is not sha256:<64 hex>", what, d ? d : "");
	if (sz == NULL || !json_is_integer(sz) || json_object_get_int64(sz) < 0)
		return husk_fail(err, 0, "%s %s: no size", what, d);
	int64_t size = json_object_get_int64(sz);
	if (c->layout_fd >= 0) {
		char p[96];
		store_blob_path(d, p);
		cleanup_close int fd = openat(c->layout_fd, p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return husk_fail(err, errno, "%s %s", what, d);
		int r = image_in_copy_fd(&c->in, fd, d, size, out, err);
		if (r < 0)
			return husk_wrap(err, "%s", what);
	} else {
		char name[96];
		store_blob_path(d, name);
		if (staged_digest(c, name, 0) == NULL)
			return husk_fail(err, 0, "%s %s: not in the archive", what, d);
		snprintf(out, DIGEST_LEN, "%s", d);
	}
	struct stat st;
	char p[96];
	store_blob_path(out, p);
	if (fstatat(c->in.s->dirfd, p, &st, 0) < 0)
		return husk_fail(err, errno, "%s %s", what, d);
	if (st.st_size != size)
		return husk_fail(err, 0, "%s %s: size mismatch: %lld bytes, the descriptor says %lld", what,
				 d, (long long) st.st_size, (long long) size);
	return 0;
}

/* The layers of an OCI layout directory, each read once from its file:
 * stored as a blob and unpacked in the same pass (a layer already in the
 * store is left to oci_blob, which copies its blob).  Checks of media
 * types, digests and sizes are oci_manifest's and the blob writer's. */
static int layout_layers(struct load_ctx *c, const char *cfg, json_object *layers,
			 husk_error **err)
{
	cleanup_json json_object *config = NULL;
	int r = store_blob_json(c->in.s, cfg, STORE_JSON_MAX, &config, err);
	if (r < 0)
		return r;
	json_object *rootfs = json_member(config, "rootfs");
	json_object *ids = rootfs ? json_member(rootfs, "diff_ids") : NULL;
	size_t n = json_object_array_length(layers);
	if (ids == NULL || !json_is_array(ids) || json_object_array_length(ids) != n)
		return 0;   /* image_in_layers says what is wrong */
	char parent[DIGEST_LEN] = "", chain[DIGEST_LEN], blob[DIGEST_LEN];
	for (size_t i = 0; i < n; i++) {
		json_object *l = json_object_array_get_idx(layers, i);
		const char *d = str_member(l, "digest"), *mt = str_member(l, "mediaType");
		const char *diff = json_object_get_string(json_object_array_get_idx(ids, i));
		json_object *sz = json_member(l, "size");
		if (d == NULL || !digest_valid(d) || diff == NULL || !digest_valid(diff) || sz == NULL ||
		    !json_is_integer(sz) || mt == NULL || !mt_is_layer(mt))
			return 0;
		store_chain_id(i ? parent : NULL, diff, chain);
		if (!store_layer_exists(c->in.s, chain)) {
			char p[96];
			store_blob_path(d, p);
			cleanup_close int fd = openat(c->layout_fd, p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0)
				return husk_fail(err, errno, "layer %s", d);
			r = image_in_layer_stream(&c->in, fd, d, json_object_get_int64(sz), i ? parent : NULL,
						  diff, blob, chain, err);
			if (r < 0)
				return husk_wrap(err, "layer %s", d);
		}
		memcpy(parent, chain, DIGEST_LEN);
	}
	return 0;
}

static int oci_manifest(struct load_ctx *c, json_object *desc, char **names, size_t n_names,
			husk_error **err)
{
	char md[DIGEST_LEN], cfg[DIGEST_LEN];
	int r = oci_blob(c, desc, "manifest", md, err);
	if (r < 0)
		return r;
	cleanup_json json_object *m = NULL;
	if ((r = store_blob_json(c->in.s, md, STORE_JSON_MAX, &m, err)) < 0)
		return r;
	const char *mt = str_member(m, "mediaType");
	if (mt == NULL)
		mt = str_member(desc, "mediaType");
	if (mt == NULL || !mt_is_manifest(mt))
		return husk_fail(err, 0, "manifest %s: unsupported media type \"%s\"", md, mt ? mt : "");
	json_object *cd = json_member(m, "config"), *layers = json_member(m, "layers");
	if (cd == NULL || !json_is_object(cd) || layers == NULL || !json_is_array(layers))
		return husk_fail(err, 0, "manifest %s: needs config and layers", md);
	const char *cmt = str_member(cd, "mediaType");
	if (cmt == NULL || !mt_is_config(cmt))
		return husk_fail(err, 0, "manifest %s: unsupported config media type \"%s\"", md, cmt ? cmt : "");
	if ((r = oci_blob(c, cd, "config", cfg, err)) < 0)
		return r;
	if (c->layout_fd >= 0 && (r = layout_layers(c, cfg, layers, err)) < 0)
		return r;
	size_t n = json_object_array_length(layers);
	cleanup_free char (*blobs)[DIGEST_LEN] = calloc(n ? n : 1, DIGEST_LEN);
	if (blobs == NULL)
		return husk_fail(err, ENOMEM, "load");
	for (size_t i = 0; i < n; i++) {
		json_object *l = json_object_array_get_idx(layers, i);
		const char *lmt = str_member(l, "mediaType");
		if (lmt == NULL || !mt_is_layer(lmt))
			return husk_fail(err, 0, "manifest %s: layer %zu: unsupported media type \"%s\"", md, i,
					 lmt ? lmt : "");
		if ((r = oci_blob(c, l, "layer", blobs[i], err)) < 0)
			return r;
	}
	cleanup_json json_object *config = NULL;
	if ((r = store_blob_json(c->in.s, cfg, STORE_JSON_MAX, &config, err)) < 0)
		return r;
	image_in_use(&c->in, cfg);
	if ((r = image_in_layers(&c->in, config, cfg, n, (const char(*)[DIGEST_LEN]) blobs, err)) < 0)
		return r;
	if ((r = image_in_tag(&c->in, md, names, n_names, err)) < 0)
		return r;
	report(c, names, n_names, cfg);
	return 0;
}

static bool platform_ok(json_object *desc)
{
	json_object *p = json_member(desc, "platform");
	if (p == NULL)
		return true;
	const char *os = str_member(p, "os"), *arch = str_member(p, "architecture");
	return (!os || strcmp(os, "linux") == 0) && (!arch || strcmp(arch, "amd64") == 0);
}

static int oci_index(struct load_ctx *c, json_object *index, const char *what, char **names,
		     size_t n_names, int depth, husk_error **err)
{
	json_object *ms = json_member(index, "manifests");
	if (ms == NULL || !json_is_array(ms))
		return husk_fail(err, 0, "%s: no manifests array", what);
	int loaded = 0, r;
	for (size_t i = 0; i < json_object_array_length(ms); i++) {
		json_object *d = json_object_array_get_idx(ms, i);
		const char *mt = str_member(d, "mediaType");
		if (!json_is_object(d) || mt == NULL)
			return husk_fail(err, 0, "%s: manifests[%zu]: no mediaType", what, i);
		cleanup_strv char **own = NULL;
		size_t n_own = 0;
		json_object *a = json_member(d, "annotations");
		const char *ref = a ? str_member(a, "io.containerd.image.name") : NULL;
		if (ref == NULL && a)
			ref = str_member(a, "org.opencontainers.image.ref.name");
		/* A bare tag ("latest", as skopeo's oci:DIR:TAG writes it) names no repository. */
		if (ref && !strchr(ref, '/') && !strchr(ref, ':'))
			ref = NULL;
		if (ref && add_name(&own, &n_own, ref, err) < 0)
			return husk_wrap(err, "%s: manifests[%zu]", what, i);
		char **use = n_own ? own : names;
		size_t n_use = n_own ? n_own : n_names;
		if (mt_is_manifest(mt)) {
			if (!platform_ok(d))
				continue;
			r = oci_manifest(c, d, use, n_use, err);
		} else if (mt_is_index(mt) && depth < 4) {
			char digest[DIGEST_LEN];
			cleanup_json json_object *sub = NULL;
			if ((r = oci_blob(c, d, "index", digest, err)) < 0)
				return r;
			image_in_use(&c->in, digest);
			if ((r = store_blob_json(c->in.s, digest, STORE_JSON_MAX, &sub, err)) < 0)
				return r;
			r = oci_index(c, sub, digest, use, n_use, depth + 1, err);
		} else {
			return husk_fail(err, 0, "%s: manifests[%zu]: unsupported media type \"%s\"", what, i, mt);
		}
		if (r < 0)
			return r;
		loaded++;
	}
	if (loaded == 0)
		return husk_fail(err, 0, "%s: no image for linux/amd64", what);
	return 0;
}

int load_oci(struct load_ctx *c, husk_error **err)
{
	cleanup_json json_object *index = NULL;
	int r = parse("index.json", c->oci_index, c->oci_index_len, &index, err);
	if (r < 0)
		return r;
	if (!json_is_object(index))
		return husk_fail(err, 0, "index.json: not a JSON object");
	return oci_index(c, index, "index.json", NULL, 0, 0, err);
}
