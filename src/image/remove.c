/* Removing images (their names, then what nothing references) and pruning
 * blobs and layers that no image or container references. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/digest.h"
#include "image/inspect.h"
#include "image/store_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

/* A set of digests, small enough to search linearly. */
struct dset {
	char (*v)[DIGEST_LEN];
	size_t n;
};

static bool dset_has(const struct dset *d, const char *x)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->v[i], x) == 0)
			return true;
	return false;
}

static int dset_add(struct dset *d, const char *x)
{
	if (!digest_valid(x) || dset_has(d, x))
		return 0;
	char (*nv)[DIGEST_LEN] = realloc(d->v, (d->n + 1) * DIGEST_LEN);
	if (nv == NULL)
		return -ENOMEM;
	d->v = nv;
	snprintf(d->v[d->n++], DIGEST_LEN, "%s", x);
	return 0;
}

/* The directory name of the store, to read (*fd: its descriptor, closed
 * with it); NULL when it is missing. */
static DIR *open_subdir(struct store *s, const char *name, int *fd)
{
	*fd = openat(s->dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0)
		return NULL;
	DIR *d = fdopendir(*fd);
	if (d == NULL)
		close(*fd);
	return d;
}

/* The image ids STORE/containers/<id>/image record (the engine writes them). */
static int container_images(struct store *s, struct dset *ids)
{
	int fd;
	cleanup_closedir DIR *d = open_subdir(s, "containers", &fd);
	if (d == NULL)
		return 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char p[512], buf[128] = "";
		snprintf(p, sizeof(p), "%s/image", e->d_name);
		int f = openat(fd, p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (f < 0)
			continue;
		ssize_t n = read(f, buf, sizeof(buf) - 1);
		close(f);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		buf[strcspn(buf, " \t\r\n")] = '\0';
		if (dset_add(ids, buf) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The chain ids of a config's layers into layers. */
static int config_layers(json_object *cfg, const char *what, struct dset *layers)
{
	char (*chain)[DIGEST_LEN] = NULL;
	size_t nc = 0;
	husk_error *e = NULL;
	if (store_config_chain_ids(cfg, what, &chain, &nc, &e) < 0)
		husk_error_free(e);
	int r = 0;
	for (size_t j = 0; r >= 0 && j < nc; j++)
		r = dset_add(layers, chain[j]);
	free(chain);
	return r;
}

/* husk build's cache (STORE/build-cache/<key>: {"config": an image config,
 * "layers": its blobs}) keeps its layers until `image prune --build-cache`
 * empties it, as docker's build cache outlives `docker image prune`. */
static int build_cache_layers(struct store *s, struct dset *blobs, struct dset *layers)
{
	int fd;
	cleanup_closedir DIR *d = open_subdir(s, "build-cache", &fd);
	if (d == NULL)
		return 0;
	struct dirent *e;
	int r = 0;
	while (r >= 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		cleanup_free char *buf = NULL;
		size_t len = 0;
		cleanup_json json_object *v = NULL;
		husk_error *ignored = NULL;
		if (read_file_at(fd, e->d_name, &buf, &len, &ignored) < 0 ||
		    json_parse_text(buf, len, &v, &ignored) < 0) {
			husk_error_free(ignored);
			continue;
		}
		json_object *ls = json_member(v, "layers");
		for (size_t j = 0; r >= 0 && ls && json_is_array(ls) && j < json_object_array_length(ls); j++)
			r = dset_add(blobs, json_object_get_string(json_object_array_get_idx(ls, j)));
		json_object *cfg = json_member(v, "config");
		if (r >= 0 && cfg && json_is_object(cfg))
			r = config_layers(cfg, "build cache", layers);
	}
	return r;
}

int image_prune(struct store *s, uint64_t *freed, husk_error **err)
{
	struct dset blobs = { 0 }, layers = { 0 }, used = { 0 };
	struct store_image **imgs = NULL;
	size_t n = 0;
	int r = image_list(s, &imgs, &n, err);
	*freed = 0;
	if (r < 0)
		return r;
	r = container_images(s, &used);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		struct store_image *img = imgs[i];
		r = dset_add(&blobs, img->manifest_digest);
		r = r < 0 ? r : dset_add(&used, img->id);
		json_object *ls = json_member(img->manifest, "layers");
		for (size_t j = 0; r >= 0 && ls && json_is_array(ls) && j < json_object_array_length(ls); j++) {
			json_object *d = json_member(json_object_array_get_idx(ls, j), "digest");
			if (d && json_is_string(d))
				r = dset_add(&blobs, json_object_get_string(d));
		}
	}
	image_list_free(imgs, n);
	/* The configs of images and containers keep their layers. */
	for (size_t i = 0; r >= 0 && i < used.n; i++) {
		json_object *cfg = NULL;
		husk_error *e = NULL;
		if (store_blob_json(s, used.v[i], STORE_JSON_MAX, &cfg, &e) < 0) {
			husk_error_free(e);
			continue;
		}
		r = dset_add(&blobs, used.v[i]);
		if (r >= 0)
			r = config_layers(cfg, used.v[i], &layers);
		json_object_put(cfg);
	}
	if (r >= 0)
		r = build_cache_layers(s, &blobs, &layers);
	if (r < 0) {
		r = husk_fail(err, -r, "prune");
		goto out;
	}
	static const char *const dirs[] = { "blobs/sha256", "layers" };
	for (int k = 0; k < 2; k++) {
		int fd = openat(s->dirfd, dirs[k], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
		if (d == NULL) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			char dg[DIGEST_LEN + 8];
			snprintf(dg, sizeof(dg), "sha256:%s", e->d_name);
			if (dset_has(k ? &layers : &blobs, dg))
				continue;
			*freed += store_tree_bytes_at(fd, e->d_name);
			if (k == 0)
				unlinkat(fd, e->d_name, 0);
			else if (digest_valid(dg))
				store_layer_remove(s, dg);
			else
				store_remove_tree_at(fd, e->d_name);
		}
		closedir(d);
	}
	/* cache/: only what husk makes again when it is missing (the compiled
	 * seccomp programs of linux/seccomp_cache.h, and their key). */
	if (faccessat(s->dirfd, "cache", F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		*freed += store_tree_bytes_at(s->dirfd, "cache");
		store_remove_tree_at(s->dirfd, "cache");
	}
out:
	free(blobs.v);
	free(layers.v);
	free(used.v);
	return r < 0 ? r : 0;
}

int image_remove(struct store *s, const char *ref, bool force, bool *removed, husk_error **err)
{
	struct store_image *img = NULL;
	int r = store_image_resolve(s, ref, &img, err);
	*removed = false;
	if (r < 0)
		return r;
	cleanup_free char *norm = NULL;
	husk_error *e = NULL;
	if (store_ref_normalize(ref, &norm, &e) < 0)
		husk_error_free(e);
	size_t n_names = 0;
	bool by_name = false;
	for (char **p = img->names; *p; p++, n_names++)
		by_name = by_name || (norm && strcmp(*p, norm) == 0);
	cleanup_json json_object *index = NULL;
	json_object *ms = NULL;
	if ((r = store_index_read(s, &index, &ms, err)) < 0)
		goto out;
	bool whole = !by_name || n_names <= 1;
	if (whole && !by_name && n_names > 1 && !force) {
		r = husk_fail(err, 0, "image %s: it has %zu names (rm each, or -f)", ref, n_names);
		goto out;
	}
	if (whole) {
		struct dset used = { 0 };
		container_images(s, &used);
		bool in_use = dset_has(&used, img->id);
		free(used.v);
		if (in_use && !force) {
			r = husk_fail(err, EBUSY, "image %s: a container uses it (rm the container, or -f)", ref);
			goto out;
		}
	}
	for (size_t i = json_object_array_length(ms); i-- > 0;) {
		json_object *ent = json_object_array_get_idx(ms, i);
		json_object *d = json_member(ent, "digest");
		const char *name = store_entry_name(ent);
		if (!d || !json_is_string(d) || strcmp(json_object_get_string(d), img->manifest_digest) != 0)
			continue;
		if (whole || (name && strcmp(name, norm) == 0))
			json_object_array_del_idx(ms, i, 1);
	}
	if ((r = store_index_write(s, index, err)) < 0)
		goto out;
	*removed = whole;
	if (whole) {
		uint64_t freed;
		r = image_prune(s, &freed, err);
	}
out:
	store_image_free(img);
	return r;
}
