/* Layers: a compressed blob unpacked once into layers/<chain-hex>/diff,
 * keyed by its chain id, so that every image and container stacking the
 * same layers on the same parents shares one copy.  Unpacked under tmp/,
 * its diffID checked, then renamed into place. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/digest.h"
#include "image/store_internal.h"
#include "image/unpack.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

void store_chain_id(const char *parent_chain, const char *diff_id, char out[DIGEST_LEN])
{
	if (parent_chain == NULL) {
		snprintf(out, DIGEST_LEN, "%s", diff_id);
		return;
	}
	char buf[2 * DIGEST_LEN];
	int n = snprintf(buf, sizeof(buf), "%s %s", parent_chain, diff_id);
	sha256_of(buf, (size_t) n, out);
}

bool store_layer_exists(struct store *s, const char *chain_id)
{
	char p[96];
	if (!digest_valid(chain_id))
		return false;
	snprintf(p, sizeof(p), "layers/%s/diff", digest_hex(chain_id));
	return faccessat(s->dirfd, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

void store_layer_stage_abort(struct store *s, struct layer_stage *st)
{
	if (st->tmp_path[0])
		store_remove_tree_at(s->dirfd, st->tmp_path);
	st->tmp_path[0] = '\0';
}

static int stage(struct store *s, int fd, const struct unpack_source *src, struct blob_writer *tee,
		 struct layer_stage *st, husk_error **err)
{
	char tmp[64];
	st->tmp_path[0] = '\0';
	st->synced = false;
	int r = store_tmp_name("layer", tmp, sizeof(tmp));
	if (r < 0)
		return husk_fail(err, -r, "layer: temporary name");
	snprintf(st->tmp_path, sizeof(st->tmp_path), "tmp/%s", tmp);
	if (mkdirat(s->dirfd, st->tmp_path, 0700) < 0) {
		r = husk_fail(err, errno, "layer: mkdir %s/%s", s->path, st->tmp_path);
		st->tmp_path[0] = '\0';
		return r;
	}
	cleanup_close int tmpfd = openat(s->dirfd, st->tmp_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int difffd = -1;
	if (tmpfd < 0 || mkdirat(tmpfd, "diff", 0755) < 0 ||
	    (difffd = openat(tmpfd, "diff", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		r = husk_fail(err, errno, "layer: %s/%s/diff", s->path, st->tmp_path);
		goto fail;
	}
	r = src ? layer_unpack_source(src, difffd, &unpack_default_limits, tee, &st->res, err)
		: layer_unpack_tee(fd, difffd, &unpack_default_limits, tee, &st->res, err);
	if (r < 0)
		goto fail;
	return 0;
fail:
	store_layer_stage_abort(s, st);
	return r;
}

int store_layer_stage(struct store *s, int fd, struct blob_writer *tee, struct layer_stage *st,
		      husk_error **err)
{
	return stage(s, fd, NULL, tee, st, err);
}

int store_layer_stage_source(struct store *s, const struct unpack_source *src,
			     struct blob_writer *tee, struct layer_stage *st, husk_error **err)
{
	return stage(s, -1, src, tee, st, err);
}

int store_layer_commit(struct store *s, struct layer_stage *st, const char *parent,
		       const char *expected_diff_id, char chain_out[DIGEST_LEN], husk_error **err)
{
	int r;
	cleanup_free char *text = NULL;
	cleanup_close int tmpfd = -1;
	if (parent && !store_layer_exists(s, parent)) {
		r = husk_fail(err, ENOENT, "layer: parent %s is not in the store", parent);
		goto fail;
	}
	if (expected_diff_id && strcmp(st->res.diff_id, expected_diff_id) != 0) {
		r = husk_fail(err, 0, "layer %s: diffID mismatch: the layer is %s", expected_diff_id,
			      st->res.diff_id);
		goto fail;
	}
	store_chain_id(parent, st->res.diff_id, chain_out);
	json_object *meta = json_object_new_object();
	json_object_object_add(meta, "diffID", json_object_new_string(st->res.diff_id));
	json_object_object_add(meta, "parent", parent ? json_object_new_string(parent) : NULL);
	json_object_object_add(meta, "blob", json_object_new_string(st->res.blob_digest));
	json_object_object_add(meta, "size", json_object_new_int64((int64_t) st->res.tar_size));
	text = json_to_string(meta, false);
	json_object_put(meta);
	if (text == NULL) {
		r = husk_fail(err, ENOMEM, "layer meta.json");
		goto fail;
	}
	if ((tmpfd = openat(s->dirfd, st->tmp_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		r = husk_fail(err, errno, "layer: %s/%s", s->path, st->tmp_path);
		goto fail;
	}
	if ((r = write_file_at(tmpfd, "meta.json", text, strlen(text), 0644, err)) < 0)
		goto fail;
	/* The layer's files reach the disk before its name: a crash after the
	 * rename never shows a layer with missing content. */
	if (!st->synced && syncfs(tmpfd) < 0) {
		r = husk_fail(err, errno, "layer: syncfs");
		goto fail;
	}
	/* Synced before meta.json was written: that file alone still. */
	if (st->synced) {
		cleanup_close int mfd = openat(tmpfd, "meta.json", O_RDONLY | O_CLOEXEC);
		if (mfd < 0 || fsync(mfd) < 0) {
			r = husk_fail(err, errno, "layer: fsync meta.json");
			goto fail;
		}
	}
	char final[96];
	snprintf(final, sizeof(final), "layers/%s", digest_hex(chain_out));
	if (renameat(s->dirfd, st->tmp_path, s->dirfd, final) < 0) {
		if (errno == EEXIST || errno == ENOTEMPTY) {
			store_layer_stage_abort(s, st);   /* made meanwhile */
			return 0;
		}
		r = husk_fail(err, errno, "layer %s: rename into %s/layers", chain_out, s->path);
		goto fail;
	}
	st->tmp_path[0] = '\0';
	return 0;
fail:
	store_layer_stage_abort(s, st);
	return r;
}

int store_layer_add(struct store *s, const char *parent_chain, int blob_fd,
		    const char *expected_diff_id, char chain_out[DIGEST_LEN], husk_error **err)
{
	if (parent_chain && !store_layer_exists(s, parent_chain))
		return husk_fail(err, ENOENT, "layer: parent %s is not in the store", parent_chain);
	if (expected_diff_id) {
		if (!digest_valid(expected_diff_id))
			return husk_fail(err, 0, "layer: diffID \"%s\" is not a sha256 digest",
					 expected_diff_id);
		store_chain_id(parent_chain, expected_diff_id, chain_out);
		if (store_layer_exists(s, chain_out))
			return 0;
	}
	struct layer_stage st;
	int r = store_layer_stage(s, blob_fd, NULL, &st, err);
	if (r < 0)
		return r;
	return store_layer_commit(s, &st, parent_chain, expected_diff_id, chain_out, err);
}

/* The uncompressed size recorded in layers/<chain>/meta.json, 0 if unknown. */
uint64_t store_layer_size(struct store *s, const char *chain_id)
{
	char p[128];
	snprintf(p, sizeof(p), "layers/%s/meta.json", digest_hex(chain_id));
	cleanup_free char *buf = NULL;
	size_t len = 0;
	husk_error *e = NULL;
	if (read_file_at(s->dirfd, p, &buf, &len, &e) < 0) {
		husk_error_free(e);
		return 0;
	}
	json_object *o = NULL;
	if (json_parse_text(buf, len, &o, &e) < 0) {
		husk_error_free(e);
		return 0;
	}
	json_object *v = json_member(o, "size");
	uint64_t n = v ? (uint64_t) json_object_get_int64(v) : 0;
	json_object_put(o);
	return n;
}

void store_layer_remove(struct store *s, const char *chain_id)
{
	char p[96], tmp[64], tmp_path[80];
	snprintf(p, sizeof(p), "layers/%s", digest_hex(chain_id));
	/* Out of layers/ first, in one rename: a crash halfway through the
	 * removal leaves a tmp/ entry, never a layer with files missing. */
	if (store_tmp_name("rm", tmp, sizeof(tmp)) < 0)
		return;
	snprintf(tmp_path, sizeof(tmp_path), "tmp/%s", tmp);
	if (renameat(s->dirfd, p, s->dirfd, tmp_path) == 0)
		store_remove_tree_at(s->dirfd, tmp_path);
}
