/* The image so far of a build stage, and the cache of states by key. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "build/build_internal.h"
#include "image/digest.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

void bstate_clear(struct bstate *s)
{
	json_object_put(s->config);
	free(s->blobs);
	for (char **p = s->shell; p && *p; p++)
		free(*p);
	free(s->shell);
	*s = (struct bstate) { 0 };
}

static char **strv_dup(char **v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	char **o = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; o && i < n; i++)
		if (!(o[i] = strdup(v[i]))) {
			for (size_t j = 0; j < i; j++)
				free(o[j]);
			free(o);
			return NULL;
		}
	return o;
}

int bstate_copy(const struct bstate *from, struct bstate *to, husk_error **err)
{
	*to = (struct bstate) { 0 };
	if (json_object_deep_copy(from->config, &to->config, NULL) < 0)
		return husk_fail(err, ENOMEM, "build state");
	if (from->n_blobs) {
		to->blobs = malloc(from->n_blobs * DIGEST_LEN);
		if (!to->blobs) {
			bstate_clear(to);
			return husk_fail(err, ENOMEM, "build state");
		}
		memcpy(to->blobs, from->blobs, from->n_blobs * DIGEST_LEN);
	}
	to->n_blobs = from->n_blobs;
	memcpy(to->key, from->key, DIGEST_LEN);
	if (from->shell && !(to->shell = strv_dup(from->shell))) {
		bstate_clear(to);
		return husk_fail(err, ENOMEM, "build state");
	}
	return 0;
}

void build_time(const struct build *b, char out[40])
{
	time_t t = b->epoch >= 0 ? (time_t) b->epoch : time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 40, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

json_object *bstate_section(struct bstate *st)
{
	json_object *c = json_member(st->config, "config");
	if (!c || !json_is_object(c)) {
		c = json_object_new_object();
		json_object_object_add(st->config, "config", c);
	}
	return c;
}

void bstate_history(struct build *b, struct bstate *st, const char *created_by, bool empty)
{
	char when[40];
	build_time(b, when);
	json_object *h = json_member(st->config, "history");
	if (!h || !json_is_array(h)) {
		h = json_object_new_array();
		json_object_object_add(st->config, "history", h);
	}
	json_object *e = json_object_new_object();
	json_object_object_add(e, "created", json_object_new_string(when));
	json_object_object_add(e, "created_by", json_object_new_string(created_by));
	json_object_object_add(e, "comment", json_object_new_string("husk build"));
	if (empty)
		json_object_object_add(e, "empty_layer", json_object_new_boolean(1));
	json_object_array_add(h, e);
	json_object_object_add(st->config, "created", json_object_new_string(when));
}

int bstate_add_layer(struct bstate *st, const char *diff_id, const char *blob, husk_error **err)
{
	json_object *rootfs = json_member(st->config, "rootfs");
	if (!rootfs || !json_is_object(rootfs)) {
		rootfs = json_object_new_object();
		json_object_object_add(rootfs, "type", json_object_new_string("layers"));
		json_object_object_add(st->config, "rootfs", rootfs);
	}
	json_object *ids = json_member(rootfs, "diff_ids");
	if (!ids || !json_is_array(ids)) {
		ids = json_object_new_array();
		json_object_object_add(rootfs, "diff_ids", ids);
	}
	char (*nb)[DIGEST_LEN] = realloc(st->blobs, (st->n_blobs + 1) * DIGEST_LEN);
	if (!nb)
		return husk_fail(err, ENOMEM, "build state");
	st->blobs = nb;
	memcpy(st->blobs[st->n_blobs++], blob, DIGEST_LEN);
	json_object_array_add(ids, json_object_new_string(diff_id));
	return 0;
}

int bstate_image(const struct bstate *st, struct store_image *img, husk_error **err)
{
	*img = (struct store_image) { .config = st->config };
	json_object *rootfs = json_member(st->config, "rootfs");
	json_object *ids = rootfs ? json_member(rootfs, "diff_ids") : NULL;
	size_t n = ids && json_is_array(ids) ? json_object_array_length(ids) : 0;
	img->chain_ids = calloc(n + 1, DIGEST_LEN);
	if (!img->chain_ids)
		return husk_fail(err, ENOMEM, "build state");
	for (size_t i = 0; i < n; i++)
		store_chain_id(i ? img->chain_ids[i - 1] : NULL,
			       json_object_get_string(json_object_array_get_idx(ids, i)), img->chain_ids[i]);
	img->n_layers = n;
	const char *text = json_object_to_json_string_ext(st->config, JSON_C_TO_STRING_PLAIN);
	sha256_of(text, strlen(text), img->id);
	memcpy(img->manifest_digest, img->id, DIGEST_LEN);
	return 0;
}

static int cache_dir(struct build *b, husk_error **err)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/build-cache", b->c->store);
	int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			return husk_fail(err, errno, "mkdir %s", p);
		fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	return fd < 0 ? husk_fail(err, errno, "open %s", p) : fd;
}

static bool present(struct build *b, const struct bstate *st)
{
	char p[4096];
	struct store_image img;
	husk_error *e = NULL;
	if (bstate_image(st, &img, &e) < 0) {
		husk_error_free(e);
		return false;
	}
	bool ok = img.n_layers == st->n_blobs;
	for (size_t i = 0; ok && i < st->n_blobs; i++) {
		snprintf(p, sizeof(p), "%s/blobs/sha256/%s", b->c->store, digest_hex(st->blobs[i]));
		ok = access(p, F_OK) == 0;
		snprintf(p, sizeof(p), "%s/layers/%s/diff", b->c->store, digest_hex(img.chain_ids[i]));
		ok = ok && access(p, F_OK) == 0;
	}
	free(img.chain_ids);
	return ok;
}

int cache_load(struct build *b, const char *key, struct bstate *st, husk_error **err)
{
	cleanup_close int dfd = cache_dir(b, err);
	if (dfd < 0)
		return -1;
	cleanup_free char *buf = NULL;
	size_t len = 0;
	husk_error *e = NULL;
	if (read_file_at(dfd, digest_hex(key), &buf, &len, &e) < 0) {
		husk_error_free(e);
		return 0;
	}
	cleanup_json json_object *v = NULL;
	if (json_parse_text(buf, len, &v, &e) < 0) {
		husk_error_free(e);
		return 0;
	}
	json_object *config = json_member(v, "config"), *layers = json_member(v, "layers");
	json_object *shell = json_member(v, "shell");
	if (!config || !json_is_object(config) || !layers || !json_is_array(layers))
		return 0;
	struct bstate n = { .config = json_object_get(config) };
	memcpy(n.key, key, DIGEST_LEN);
	size_t nl = json_object_array_length(layers);
	n.blobs = calloc(nl + 1, DIGEST_LEN);
	if (!n.blobs) {
		bstate_clear(&n);
		return husk_fail(err, ENOMEM, "build cache");
	}
	for (size_t i = 0; i < nl; i++) {
		const char *d = json_object_get_string(json_object_array_get_idx(layers, i));
		if (!d || !digest_valid(d)) {
			bstate_clear(&n);
			return 0;
		}
		memcpy(n.blobs[i], d, DIGEST_LEN);
	}
	n.n_blobs = nl;
	if (shell && json_is_array(shell)) {
		size_t ns = json_object_array_length(shell);
		n.shell = calloc(ns + 1, sizeof(char *));
		for (size_t i = 0; n.shell && i < ns; i++)
			n.shell[i] = strdup(json_object_get_string(json_object_array_get_idx(shell, i)));
	}
	if (!present(b, &n)) {
		bstate_clear(&n);
		return 0;
	}
	bstate_clear(st);
	*st = n;
	return 1;
}

int cache_save(struct build *b, const struct bstate *st, husk_error **err)
{
	cleanup_close int dfd = cache_dir(b, err);
	if (dfd < 0)
		return -1;
	cleanup_json json_object *v = json_object_new_object();
	json_object_object_add(v, "config", json_object_get(st->config));
	json_object *layers = json_object_new_array();
	for (size_t i = 0; i < st->n_blobs; i++)
		json_object_array_add(layers, json_object_new_string(st->blobs[i]));
	json_object_object_add(v, "layers", layers);
	if (st->shell) {
		json_object *sh = json_object_new_array();
		for (char **p = st->shell; *p; p++)
			json_object_array_add(sh, json_object_new_string(*p));
		json_object_object_add(v, "shell", sh);
	}
	const char *text = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
	return write_file_atomic_at(dfd, digest_hex(st->key), text, strlen(text), 0600, err);
}
