/* Where a stage starts (FROM) and what COPY --from reads: an earlier
 * stage, scratch, or an image of the store (pulled when missing). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "build/build_internal.h"
#include "image/digest.h"
#include "image/pull.h"
#include "util/cleanup.h"
#include "util/json.h"

static void key_of(const struct build *b, const char *what, const char *id, char out[DIGEST_LEN])
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "%s %s epoch=%lld", what, id, (long long) b->epoch);
	sha256_of(buf, (size_t) n, out);
}

static int from_image(struct build *b, const struct store_image *img, struct bstate *st,
		      husk_error **err)
{
	*st = (struct bstate) { 0 };
	if (json_object_deep_copy(img->config, &st->config, NULL) < 0)
		return husk_fail(err, ENOMEM, "FROM");
	json_object *layers = json_member(img->manifest, "layers");
	size_t n = layers && json_is_array(layers) ? json_object_array_length(layers) : 0;
	if (n != img->n_layers) {
		bstate_clear(st);
		return husk_fail(err, 0, "image %.19s: %zu layers in its manifest, %zu diff_ids", img->id,
				 n, img->n_layers);
	}
	st->blobs = calloc(n + 1, DIGEST_LEN);
	if (!st->blobs) {
		bstate_clear(st);
		return husk_fail(err, ENOMEM, "FROM");
	}
	for (size_t i = 0; i < n; i++) {
		const char *d = json_object_get_string(json_member(json_object_array_get_idx(layers, i), "digest"));
		if (!d || !digest_valid(d)) {
			bstate_clear(st);
			return husk_fail(err, 0, "image %.19s: layer %zu has no digest", img->id, i);
		}
		memcpy(st->blobs[i], d, DIGEST_LEN);
	}
	st->n_blobs = n;
	key_of(b, "image", img->manifest_digest, st->key);
	return 0;
}

static void image_freep(struct store_image **p)
{
	if (*p)
		store_image_free(*p);
}

/* An image of the store; pull: fetched when missing. */
static int image_state(struct build *b, const char *ref, bool pull, struct bstate *st,
		       husk_error **err)
{
	struct store opened;
	if (store_open(b->c->store, false, &opened, err) < 0)
		return -1;
	struct store_image *img __attribute__((cleanup(image_freep))) = NULL;
	husk_error *miss = NULL;
	int r;
	{
		cleanup_store struct store s = opened;
		r = store_image_resolve(&s, ref, &img, &miss);
	}
	if (r >= 0) {
		husk_error_free(miss);
		return from_image(b, img, st, err);
	}
	if (!pull || r != -ENOENT) {
		*err = miss;
		return r;
	}
	husk_error_free(miss);
	if (b->out)
		fprintf(b->out, "pulling %s\n", ref);
	if (store_open(b->c->store, true, &opened, err) < 0)
		return -1;
	cleanup_store struct store s = opened;
	struct registry_options o = { .timeout = 30, .insecure = b->o->insecure, .tls_ca = b->o->tls_ca };
	char id[DIGEST_LEN];
	if ((r = image_pull(&s, ref, &o, id, err)) < 0)
		return r;
	if ((r = store_image_resolve(&s, id, &img, err)) < 0)
		return r;
	return from_image(b, img, st, err);
}

static void scratch(struct build *b, struct bstate *st)
{
	*st = (struct bstate) { .config = json_object_new_object() };
	json_object_object_add(st->config, "architecture", json_object_new_string("amd64"));
	json_object_object_add(st->config, "os", json_object_new_string("linux"));
	json_object_object_add(st->config, "config", json_object_new_object());
	json_object *rootfs = json_object_new_object();
	json_object_object_add(rootfs, "type", json_object_new_string("layers"));
	json_object_object_add(rootfs, "diff_ids", json_object_new_array());
	json_object_object_add(st->config, "rootfs", rootfs);
	key_of(b, "scratch", "", st->key);
}

/* The stage named name (or numbered) before the current one: its index, -1
 * when none; *later: a stage of that name comes at or after it. */
static int stage_named(struct build *b, const char *name, bool *later)
{
	*later = false;
	char *end;
	long i = strtol(name, &end, 10);
	if (*name && !*end)
		return i >= 0 && (size_t) i < b->cur ? (int) i : ((*later = true), -1);
	for (size_t k = 0; k < b->cur; k++)
		if (b->stages[k].name && strcasecmp(b->stages[k].name, name) == 0)
			return (int) k;
	/* AS names of this and the later stages */
	for (size_t k = 0; k < b->cf.n; k++) {
		const struct instr *in = &b->cf.v[k];
		if (in->kind != I_FROM)
			continue;
		const char *as = strcasestr(in->rest, " as ");
		if (as && strcasecmp(as + 4 + strspn(as + 4, " \t"), name) == 0)
			*later = true;
	}
	return -1;
}

int build_base(struct build *b, const char *ref, struct bstate *st, husk_error **err)
{
	bool later;
	int k = stage_named(b, ref, &later);
	if (k >= 0)
		return bstate_copy(&b->stages[k].st, st, err);
	if (later)
		return husk_fail(err, 0, "FROM %s: a stage cannot start from itself or a later one", ref);
	if (strcasecmp(ref, "scratch") == 0) {
		scratch(b, st);
		return 0;
	}
	return image_state(b, ref, true, st, err);
}

int step_from_ref(struct build *b, const char *ref, struct bstate *ret, husk_error **err)
{
	bool later;
	int k = stage_named(b, ref, &later);
	if (k >= 0)
		return bstate_copy(&b->stages[k].st, ret, err);
	if (later)
		return husk_fail(err, 0, "stage %s is this one or a later one: a cycle", ref);
	/* Not a stage: an image, pulled when missing, as FROM's. */
	if (image_state(b, ref, true, ret, err) < 0)
		return husk_wrap(err, "no stage named %s, and no such image", ref);
	return 0;
}
