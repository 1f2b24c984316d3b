/* What `husk image save` puts in its archive: docker save's layout
 * (manifest.json [{Config, RepoTags, Layers}], the config as <hex>.json,
 * each layer as an uncompressed <diffID-hex>.tar, as skopeo and podman
 * write it) or an OCI image layout (oci-layout, index.json, blobs/). */
#include <archive.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/digest.h"
#include "image/save.h"
#include "image/save_internal.h"
#include "util/cleanup.h"
#include "util/json.h"

/* One image of the archive and the names it is saved under. */
struct saved {
	struct store_image *img;
	char **tags;
	size_t n_tags;
};

struct save_set {
	struct saved *v;
	size_t n;
};

static void save_set_free(struct save_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		store_image_free(set->v[i].img);
		for (size_t k = 0; k < set->v[i].n_tags; k++)
			free(set->v[i].tags[k]);
		free(set->v[i].tags);
	}
	free(set->v);
}

int save_format_parse(const char *name, enum save_format *ret, husk_error **err)
{
	if (strcmp(name, "docker-archive") == 0)
		*ret = SAVE_DOCKER_ARCHIVE;
	else if (strcmp(name, "oci-archive") == 0)
		*ret = SAVE_OCI_ARCHIVE;
	else
		return husk_fail(err, 0, "--format %s: not docker-archive or oci-archive", name);
	return 0;
}

/* The name ref stands for when it names img (not its id): docker save
 * keeps the names it was given, and an image saved by id has none. */
static bool looks_like_id(const char *ref)
{
	if (strncmp(ref, "sha256:", 7) == 0)
		ref += 7;
	return strspn(ref, "0123456789abcdef") == strlen(ref);
}

static char *name_of(const char *ref, const struct store_image *img)
{
	char *norm = NULL;
	husk_error *e = NULL;
	if (strchr(ref, '@'))
		return NULL;
	if (store_ref_normalize(ref, &norm, &e) < 0) {
		husk_error_free(e);
		return NULL;
	}
	/* resolved, and not an id: then it is a name */
	if (!looks_like_id(ref))
		return norm;
	for (char **n = img->names; n && *n; n++)
		if (strcmp(*n, norm) == 0)
			return norm;
	free(norm);
	return NULL;
}

static int add_ref(struct store *s, struct save_set *set, const char *ref, husk_error **err)
{
	struct store_image *img;
	if (store_image_resolve(s, ref, &img, err) < 0)
		return -1;
	struct saved *sv = NULL;
	for (size_t i = 0; i < set->n && !sv; i++)
		if (strcmp(set->v[i].img->manifest_digest, img->manifest_digest) == 0)
			sv = &set->v[i];
	if (!sv) {
		struct saved *v = realloc(set->v, (set->n + 1) * sizeof(*v));
		if (!v) {
			store_image_free(img);
			return husk_fail(err, ENOMEM, "image %s", ref);
		}
		set->v = v;
		sv = &set->v[set->n++];
		*sv = (struct saved) { .img = img };
	} else {
		store_image_free(img);
	}
	char *name = name_of(ref, sv->img);
	if (!name)
		return 0;
	for (size_t k = 0; k < sv->n_tags; k++)
		if (strcmp(sv->tags[k], name) == 0) {
			free(name);
			return 0;
		}
	char **t = realloc(sv->tags, (sv->n_tags + 1) * sizeof(*t));
	if (!t) {
		free(name);
		return husk_fail(err, ENOMEM, "image %s", ref);
	}
	sv->tags = t;
	sv->tags[sv->n_tags++] = name;
	return 0;
}

/* The layer descriptors of the manifest and the diffIDs of the config,
 * which must pair up. */
static int layers_of(const struct store_image *img, json_object **layers, json_object **diffs,
		     husk_error **err)
{
	*layers = json_member(img->manifest, "layers");
	*diffs = json_member(json_member(img->config, "rootfs"), "diff_ids");
	if (!*layers || !json_is_array(*layers) || !*diffs || !json_is_array(*diffs) ||
	    json_object_array_length(*layers) != json_object_array_length(*diffs))
		return husk_fail(err, 0, "image %s: the manifest's layers do not match the config's diff_ids",
				 img->id);
	return 0;
}

static const char *str_at(json_object *arr, size_t i, const char *key)
{
	json_object *v = json_object_array_get_idx(arr, i);
	return json_object_get_string(key ? json_member(v, key) : v);
}

static int put_json(struct save_out *o, const char *name, json_object *v, husk_error **err)
{
	const char *text = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text)
		return husk_fail(err, ENOMEM, "write %s", name);
	return save_buffer(o, name, text, strlen(text), err);
}

static int docker_image(struct save_out *o, const struct saved *sv, json_object *entry,
			husk_error **err)
{
	json_object *layers, *diffs;
	if (layers_of(sv->img, &layers, &diffs, err) < 0)
		return -1;
	char name[DIGEST_LEN + 8];
	bool done;
	snprintf(name, sizeof(name), "%s.json", digest_hex(sv->img->id));
	if (save_once(o, sv->img->id, &done, err) < 0 || (!done && save_blob(o, name, sv->img->id, -1, err) < 0))
		return -1;
	json_object_object_add(entry, "Config", json_object_new_string(name));
	json_object *tags = json_object_new_array(), *names = json_object_new_array();
	json_object_object_add(entry, "RepoTags", tags);
	json_object_object_add(entry, "Layers", names);
	for (size_t k = 0; k < sv->n_tags; k++)
		json_object_array_add(tags, json_object_new_string(sv->tags[k]));
	for (size_t i = 0; i < json_object_array_length(layers); i++) {
		const char *blob = str_at(layers, i, "digest"), *diff = str_at(diffs, i, NULL);
		if (!blob || !diff || !digest_valid(blob) || !digest_valid(diff))
			return husk_fail(err, 0, "image %s: layer %zu: not a sha256 digest", sv->img->id, i);
		snprintf(name, sizeof(name), "%s.tar", digest_hex(diff));
		json_object_array_add(names, json_object_new_string(name));
		if (save_once(o, diff, &done, err) < 0 || (!done && save_layer_tar(o, name, blob, diff, err) < 0))
			return -1;
	}
	return 0;
}

static int write_docker(struct save_out *o, const struct save_set *set, husk_error **err)
{
	cleanup_json json_object *manifest = json_object_new_array();
	for (size_t i = 0; i < set->n; i++) {
		json_object *entry = json_object_new_object();
		json_object_array_add(manifest, entry);
		if (docker_image(o, &set->v[i], entry, err) < 0)
			return -1;
	}
	return put_json(o, "manifest.json", manifest, err);
}

static int oci_blob(struct save_out *o, const char *digest, int64_t size, husk_error **err)
{
	bool done;
	char name[DIGEST_LEN + 16];
	if (!digest || !digest_valid(digest))
		return husk_fail(err, 0, "blob %s: not a sha256 digest", digest ? digest : "(none)");
	snprintf(name, sizeof(name), "blobs/sha256/%s", digest_hex(digest));
	if (save_once(o, digest, &done, err) < 0 || done)
		return done ? 0 : -1;
	return save_blob(o, name, digest, size, err);
}

static json_object *descriptor(const struct store_image *img, int64_t size, const char *name)
{
	const char *mt = json_object_get_string(json_member(img->manifest, "mediaType"));
	json_object *d = json_object_new_object();
	json_object_object_add(d, "mediaType", json_object_new_string(
		mt ? mt : "application/vnd.oci.image.manifest.v1+json"));
	json_object_object_add(d, "digest", json_object_new_string(img->manifest_digest));
	json_object_object_add(d, "size", json_object_new_int64(size));
	if (name) {
		json_object *a = json_object_new_object();
		json_object_object_add(a, "org.opencontainers.image.ref.name", json_object_new_string(name));
		json_object_object_add(a, "io.containerd.image.name", json_object_new_string(name));
		json_object_object_add(d, "annotations", a);
	}
	return d;
}

static int oci_image(struct save_out *o, const struct saved *sv, json_object *manifests,
		     husk_error **err)
{
	json_object *layers = json_member(sv->img->manifest, "layers");
	json_object *cfg = json_member(sv->img->manifest, "config");
	if (!layers || !json_is_array(layers) || !cfg)
		return husk_fail(err, 0, "manifest %s: no config or layers", sv->img->manifest_digest);
	if (oci_blob(o, json_object_get_string(json_member(cfg, "digest")),
		     json_object_get_int64(json_member(cfg, "size")), err) < 0)
		return -1;
	for (size_t i = 0; i < json_object_array_length(layers); i++) {
		json_object *l = json_object_array_get_idx(layers, i);
		if (oci_blob(o, json_object_get_string(json_member(l, "digest")),
			     json_object_get_int64(json_member(l, "size")), err) < 0)
			return -1;
	}
	/* The manifest last: its size is the store's, whatever its text. */
	if (oci_blob(o, sv->img->manifest_digest, -1, err) < 0)
		return -1;
	cleanup_close int fd = store_blob_open(o->s, sv->img->manifest_digest, err);
	off_t size = fd < 0 ? -1 : lseek(fd, 0, SEEK_END);
	if (size < 0)
		return fd < 0 ? -1 : husk_fail(err, errno, "blob %s", sv->img->manifest_digest);
	if (sv->n_tags == 0)
		json_object_array_add(manifests, descriptor(sv->img, size, NULL));
	for (size_t k = 0; k < sv->n_tags; k++)
		json_object_array_add(manifests, descriptor(sv->img, size, sv->tags[k]));
	return 0;
}

static int write_oci(struct save_out *o, const struct save_set *set, husk_error **err)
{
	static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
	if (save_buffer(o, "oci-layout", layout, sizeof(layout) - 1, err) < 0 ||
	    save_dir(o, "blobs/", err) < 0 || save_dir(o, "blobs/sha256/", err) < 0)
		return -1;
	cleanup_json json_object *index = json_object_new_object();
	json_object *manifests = json_object_new_array();
	json_object_object_add(index, "schemaVersion", json_object_new_int(2));
	json_object_object_add(index, "manifests", manifests);
	for (size_t i = 0; i < set->n; i++)
		if (oci_image(o, &set->v[i], manifests, err) < 0)
			return -1;
	return put_json(o, "index.json", index, err);
}

int image_save(struct store *s, char *const *refs, size_t n, enum save_format f, int out_fd,
	       husk_error **err)
{
	__attribute__((cleanup(save_set_free))) struct save_set set = { 0 };
	for (size_t i = 0; i < n; i++)
		if (add_ref(s, &set, refs[i], err) < 0)
			return -1;
	struct save_out o = { .s = s, .a = archive_write_new() };
	if (!o.a)
		return husk_fail(err, ENOMEM, "save");
	int r = 0;
	if (archive_write_set_format_pax_restricted(o.a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(o.a, 1) != ARCHIVE_OK ||
	    archive_write_open_fd(o.a, out_fd) != ARCHIVE_OK)
		r = husk_fail(err, archive_errno(o.a) > 0 ? archive_errno(o.a) : EIO, "save: %s",
			      archive_error_string(o.a));
	if (r == 0)
		r = f == SAVE_DOCKER_ARCHIVE ? write_docker(&o, &set, err) : write_oci(&o, &set, err);
	if (r == 0 && archive_write_close(o.a) != ARCHIVE_OK)
		r = husk_fail(err, archive_errno(o.a) > 0 ? archive_errno(o.a) : EIO, "save: %s",
			      archive_error_string(o.a));
	archive_write_free(o.a);
	free(o.written);
	return r;
}
