/* See image_in.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/digest.h"
#include "image/image_in.h"
#include "image/media_types.h"
#include "image/store_internal.h"
#include "util/cleanup.h"
#include "util/json.h"

struct in_stage {
	char blob[DIGEST_LEN];
	struct layer_stage st;
};

static int remember(struct in_item **v, size_t *n, const char *digest, husk_error **err)
{
	struct in_item *nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (nv == NULL)
		return husk_fail(err, ENOMEM, "image");
	*v = nv;
	snprintf(nv[*n].digest, DIGEST_LEN, "%s", digest);
	nv[*n].used = false;
	(*n)++;
	return 0;
}

int image_in_commit(struct image_in *in, struct blob_writer *w, char digest[DIGEST_LEN],
		    husk_error **err)
{
	bool created = false;
	int r = blob_writer_commit_new(w, digest, &created, err);
	if (r < 0 || !created)
		return r;
	if (remember(&in->blobs, &in->n_blobs, digest, err) < 0) {
		char p[96];
		store_blob_path(digest, p);
		unlinkat(in->s->dirfd, p, 0);
		return -ENOMEM;
	}
	return 0;
}

int image_in_commit_hashed(struct image_in *in, struct blob_writer *w, const char *digest,
			   char out[DIGEST_LEN], husk_error **err)
{
	bool created = false;
	int r = blob_writer_commit_hashed(w, digest, out, &created, err);
	if (r < 0)
		return r;
	if (created && remember(&in->blobs, &in->n_blobs, out, err) < 0) {
		char p[96];
		store_blob_path(out, p);
		unlinkat(in->s->dirfd, p, 0);
		return -ENOMEM;
	}
	return 0;
}

int image_in_keep_stage(struct image_in *in, const char *blob, struct layer_stage *st,
			husk_error **err)
{
	struct in_stage *nv = realloc(in->stages, (in->n_stages + 1) * sizeof(*nv));
	if (nv == NULL) {
		store_layer_stage_abort(in->s, st);
		return husk_fail(err, ENOMEM, "layer");
	}
	in->stages = nv;
	snprintf(nv[in->n_stages].blob, DIGEST_LEN, "%s", blob);
	nv[in->n_stages].st = *st;
	in->n_stages++;
	return 0;
}

/* A kept stage of blob whose diffID is diff_id, not yet named, or NULL. */
static struct layer_stage *kept_stage(struct image_in *in, const char *blob, const char *diff_id)
{
	for (size_t i = 0; i < in->n_stages; i++) {
		struct in_stage *k = &in->stages[i];
		if (k->st.tmp_path[0] && strcmp(k->blob, blob) == 0 &&
		    strcmp(k->st.res.diff_id, diff_id) == 0)
			return &k->st;
	}
	return NULL;
}

int image_in_copy_fd(struct image_in *in, int fd, const char *expected, int64_t size,
		     char digest[DIGEST_LEN], husk_error **err)
{
	struct blob_writer *w = NULL;
	bool exists = false;
	int r = blob_writer_open(in->s, expected, size, &w, &exists, err);
	if (r < 0)
		return r;
	if (exists) {
		snprintf(digest, DIGEST_LEN, "%s", expected);
		return 0;
	}
	enum { BUF = 1 << 20 };
	cleanup_free char *buf = malloc(BUF);
	if (buf == NULL) {
		blob_writer_abort(w);
		return husk_fail(err, ENOMEM, "blob");
	}
	for (;;) {
		ssize_t n = read(fd, buf, BUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = husk_fail(err, errno, "read");
			break;
		}
		if (n == 0)
			break;
		if ((r = blob_writer_write(w, buf, (size_t) n, err)) < 0)
			break;
	}
	if (r < 0) {
		blob_writer_abort(w);
		return r;
	}
	return image_in_commit(in, w, digest, err);
}

int image_in_json_blob(struct image_in *in, json_object *v, char digest[DIGEST_LEN],
		       int64_t *size, husk_error **err)
{
	cleanup_free char *text = json_to_string(v, false);
	if (text == NULL)
		return husk_fail(err, ENOMEM, "json");
	struct blob_writer *w = NULL;
	int r = blob_writer_open(in->s, NULL, -1, &w, NULL, err);
	if (r < 0)
		return r;
	if ((r = blob_writer_write(w, text, strlen(text), err)) < 0) {
		blob_writer_abort(w);
		return r;
	}
	if (size)
		*size = (int64_t) strlen(text);
	if ((r = image_in_commit(in, w, digest, err)) < 0)
		return r;
	image_in_use(in, digest);
	return 0;
}

void image_in_use(struct image_in *in, const char *digest)
{
	for (size_t i = 0; i < in->n_blobs; i++)
		if (strcmp(in->blobs[i].digest, digest) == 0)
			in->blobs[i].used = true;
}

int image_in_layer(struct image_in *in, const char *parent, const char *blob,
		   const char *diff_id, char chain[DIGEST_LEN], husk_error **err)
{
	char want[DIGEST_LEN] = "";
	if (diff_id && digest_valid(diff_id)) {
		store_chain_id(parent, diff_id, want);
		if (store_layer_exists(in->s, want)) {
			memcpy(chain, want, DIGEST_LEN);
			image_in_use(in, blob);
			return 0;
		}
	}
	/* Unpacked when its blob was read: named now, the tmp/ dir renamed. */
	struct layer_stage *st = want[0] ? kept_stage(in, blob, diff_id) : NULL;
	int r;
	if (st) {
		r = store_layer_commit(in->s, st, parent, diff_id, chain, err);
	} else {
		cleanup_close int fd = store_blob_open(in->s, blob, err);
		if (fd < 0)
			return fd;
		r = store_layer_add(in->s, parent, fd, diff_id, chain, err);
	}
	if (r < 0)
		return husk_wrap(err, "layer %s", blob);
	image_in_use(in, blob);
	return remember(&in->layers, &in->n_layers, chain, err);
}

/* A layer that failed to unpack from a file whose digest is known: when
 * the file is not that digest, that is the error to report (a tampered
 * blob), not what the unpacker tripped on.  Reads the file again, on this
 * failure path only. */
static int mismatch_first(int fd, const char *expected, int r, husk_error **err)
{
	cleanup_sha256 struct sha256_ctx *h = sha256_new();
	cleanup_free char *buf = malloc(1 << 16);
	if (h == NULL || buf == NULL)
		return r;
	ssize_t n;
	for (off_t off = 0; (n = pread(fd, buf, 1 << 16, off)) > 0; off += n)
		sha256_update(h, buf, (size_t) n);
	if (n < 0)
		return r;   /* not a file: keep the unpacker's error */
	char got[DIGEST_LEN];
	sha256_finish(steal_ptr(h), got);
	if (strcmp(got, expected) == 0)
		return r;
	husk_error_freep(err);
	return husk_fail(err, 0, "blob %s: digest mismatch: the content is %s", expected, got);
}

int image_in_layer_stream(struct image_in *in, int fd, const char *expected, int64_t size,
			  const char *parent, const char *diff_id, char blob[DIGEST_LEN],
			  char chain[DIGEST_LEN], husk_error **err)
{
	struct blob_writer *w = NULL;
	struct layer_stage st;
	int r = blob_writer_open_unhashed(in->s, expected, size, &w, err);
	if (r < 0)
		return r;
	if ((r = store_layer_stage(in->s, fd, w, &st, err)) < 0) {
		blob_writer_abort(w);
		return expected ? mismatch_first(fd, expected, r, err) : r;
	}
	/* One flush for both, the blob and the layer, before either is named. */
	if (syncfs(in->s->dirfd) < 0) {
		r = husk_fail(err, errno, "layer: syncfs");
		blob_writer_abort(w);
		store_layer_stage_abort(in->s, &st);
		return r;
	}
	blob_writer_mark_synced(w);
	st.synced = true;
	if ((r = image_in_commit_hashed(in, w, st.res.blob_digest, blob, err)) < 0) {
		store_layer_stage_abort(in->s, &st);
		return r;
	}
	image_in_use(in, blob);
	/* A layer the store had already is not this command's to remove. */
	store_chain_id(parent, st.res.diff_id, chain);
	bool had = store_layer_exists(in->s, chain);
	if ((r = store_layer_commit(in->s, &st, parent, diff_id, chain, err)) < 0)
		return husk_wrap(err, "layer %s", blob);
	return had ? 0 : remember(&in->layers, &in->n_layers, chain, err);
}

const char *image_in_layer_media_type(struct image_in *in, const char *blob)
{
	unsigned char m[4] = { 0 };
	husk_error *e = NULL;
	int fd = store_blob_open(in->s, blob, &e);
	husk_error_free(e);
	if (fd >= 0) {
		if (pread(fd, m, sizeof(m), 0) < 0)
			m[0] = 0;
		close(fd);
	}
	if (m[0] == 0x1f && m[1] == 0x8b)
		return MT_OCI_LAYER "+gzip";
	if (m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
		return MT_OCI_LAYER "+zstd";
	return MT_OCI_LAYER;
}

void image_in_finish(struct image_in *in, bool ok)
{
	char p[96];
	for (size_t i = 0; i < in->n_blobs; i++) {
		if (ok && in->blobs[i].used)
			continue;
		store_blob_path(in->blobs[i].digest, p);
		unlinkat(in->s->dirfd, p, 0);
	}
	for (size_t i = 0; !ok && i < in->n_layers; i++)
		store_layer_remove(in->s, in->layers[i].digest);
	for (size_t i = 0; i < in->n_stages; i++)
		store_layer_stage_abort(in->s, &in->stages[i].st);
	free(in->blobs);
	free(in->layers);
	free(in->stages);
	in->blobs = in->layers = NULL;
	in->stages = NULL;
	in->n_blobs = in->n_layers = in->n_stages = 0;
}
