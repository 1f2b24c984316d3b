/* husk image pull: manifest (through an index to linux/amd64), config,
 * then the layers the store lacks, each downloaded and unpacked in one
 * pass (pull_layer.c) by a few threads at once, into temporary directories;
 * they are committed bottom first as they are ready (the store takes a
 * layer only on top of its parent's chain id).  Nothing is named
 * before every blob and layer of the image is in the store, and each of
 * those is renamed in only once verified: a pull killed at any point
 * leaves only complete blobs and layers, which the next pull reuses. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "image/digest.h"
#include "image/pull.h"
#include "image/store_internal.h"
#include "util/cleanup.h"

#define PULL_JOBS 3

struct layer_job {
	char digest[DIGEST_LEN];
	int64_t size;
	char diff_id[DIGEST_LEN];
	char chain[DIGEST_LEN];
	bool need;          /* the layer is not in the store */
	bool done;          /* staged (or not needed) */
	struct layer_stage stage;
	husk_error *err;
};

struct pull_state {
	struct registry *reg;
	struct store *store;
	struct layer_job *jobs;
	size_t n, next;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	volatile bool stop;
};

static void *download_worker(void *p)
{
	struct pull_state *st = p;
	for (;;) {
		pthread_mutex_lock(&st->lock);
		while (st->next < st->n && !st->jobs[st->next].need)
			st->next++;
		size_t i = st->next++;
		bool stop = st->stop;
		pthread_mutex_unlock(&st->lock);
		if (i >= st->n || stop)
			return NULL;
		struct layer_job *j = &st->jobs[i];
		husk_error *e = NULL;
		pull_layer_stage(st->reg, st->store, j->digest, j->size, &st->stop, &j->stage, &e);
		pthread_mutex_lock(&st->lock);
		j->err = e;
		j->done = true;
		if (e != NULL)
			st->stop = true;
		pthread_cond_broadcast(&st->cond);
		pthread_mutex_unlock(&st->lock);
	}
}

static bool is_layer_type(const char *mt)
{
	return mt == NULL || strcmp(mt, "application/vnd.oci.image.layer.v1.tar") == 0 ||
	       strcmp(mt, "application/vnd.oci.image.layer.v1.tar+gzip") == 0 ||
	       strcmp(mt, "application/vnd.oci.image.layer.v1.tar+zstd") == 0 ||
	       strcmp(mt, "application/vnd.docker.image.rootfs.diff.tar.gzip") == 0 ||
	       strcmp(mt, "application/vnd.docker.image.rootfs.diff.tar") == 0;
}

/* The layers of the manifest, with their diffIDs from the config. */
static int plan_layers(struct store *s, json_object *manifest, json_object *config,
		       struct layer_job **ret, size_t *n_ret, husk_error **err)
{
	json_object *layers, *rootfs, *diffs;
	if (!json_object_object_get_ex(manifest, "layers", &layers) ||
	    !json_object_is_type(layers, json_type_array))
		return husk_fail(err, 0, "manifest: no \"layers\" array");
	if (!json_object_object_get_ex(config, "rootfs", &rootfs) ||
	    !json_object_object_get_ex(rootfs, "diff_ids", &diffs) ||
	    !json_object_is_type(diffs, json_type_array))
		return husk_fail(err, 0, "config: no rootfs.diff_ids");
	size_t n = json_object_array_length(layers);
	if (json_object_array_length(diffs) != n)
		return husk_fail(err, 0, "config: %zu diff_ids for %zu layers",
				 json_object_array_length(diffs), n);
	struct layer_job *jobs = calloc(n ? n : 1, sizeof(*jobs));
	if (jobs == NULL)
		return husk_fail(err, ENOMEM, "layers");
	for (size_t i = 0; i < n; i++) {
		const char *mt;
		char what[32];
		snprintf(what, sizeof(what), "layer %zu", i + 1);
		if (pull_descriptor(json_object_array_get_idx(layers, i), what, jobs[i].digest,
				    &jobs[i].size, &mt, err) < 0)
			goto fail;
		if (!is_layer_type(mt)) {
			husk_fail(err, 0, "%s: unsupported media type %s", what, mt);
			goto fail;
		}
		const char *d = json_object_get_string(json_object_array_get_idx(diffs, i));
		if (d == NULL || !digest_valid(d)) {
			husk_fail(err, 0, "config: diff_ids[%zu] is not a sha256 digest", i);
			goto fail;
		}
		strcpy(jobs[i].diff_id, d);
		store_chain_id(i ? jobs[i - 1].chain : NULL, d, jobs[i].chain);
		jobs[i].need = !store_layer_exists(s, jobs[i].chain);
		jobs[i].done = !jobs[i].need;
	}
	*ret = jobs;
	*n_ret = n;
	return 0;
fail:
	free(jobs);
	return -1;
}

/* Waits for layer i to be staged, then commits it on top of layer i-1. */
static int add_layer(struct pull_state *st, size_t i, husk_error **err)
{
	struct layer_job *j = &st->jobs[i];
	pthread_mutex_lock(&st->lock);
	while (!j->done)
		pthread_cond_wait(&st->cond, &st->lock);
	husk_error *e = steal_ptr(j->err);
	pthread_mutex_unlock(&st->lock);
	if (e != NULL) {
		*err = e;
		return husk_error_code(e);
	}
	if (!j->need)
		return 0;
	char chain[DIGEST_LEN];
	int rc = store_layer_commit(st->store, &j->stage, i ? st->jobs[i - 1].chain : NULL, j->diff_id,
				    chain, err);
	if (rc < 0)
		return husk_wrap(err, "layer %s", j->digest);
	return 0;
}

static int pull_layers(struct registry *reg, struct store *s, struct layer_job *jobs, size_t n,
		       husk_error **err)
{
	struct pull_state st = { .reg = reg, .store = s, .jobs = jobs, .n = n };
	pthread_mutex_init(&st.lock, NULL);
	pthread_cond_init(&st.cond, NULL);
	pthread_t th[PULL_JOBS];
	size_t started = 0;
	for (; started < PULL_JOBS && started < n; started++)
		if (pthread_create(&th[started], NULL, download_worker, &st) != 0)
			break;
	int rc = started > 0 || n == 0 ? 0 : husk_fail(err, EAGAIN, "pthread_create");
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = add_layer(&st, i, err);
	pthread_mutex_lock(&st.lock);
	st.stop = true;
	pthread_mutex_unlock(&st.lock);
	for (size_t t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	for (size_t i = 0; i < n; i++) {
		husk_error_free(jobs[i].err);
		store_layer_stage_abort(s, &jobs[i].stage);   /* staged, never committed */
	}
	pthread_cond_destroy(&st.cond);
	pthread_mutex_destroy(&st.lock);
	return rc;
}

/* A blob of bytes already in memory (the manifest) into the store. */
static int put_blob(struct store *s, const char *digest, const char *data, size_t len,
		    husk_error **err)
{
	struct blob_writer *w;
	bool exists;
	int rc = blob_writer_open(s, digest, (int64_t)len, &w, &exists, err);
	if (rc < 0 || exists)
		return rc;
	if ((rc = blob_writer_write(w, data, len, err)) < 0) {
		blob_writer_abort(w);
		return rc;
	}
	char got[DIGEST_LEN];
	return blob_writer_commit(w, got, err);
}

static int pull_image(struct registry *reg, struct store *s, const struct pull_ref *ref,
		      const char *name, char id_out[DIGEST_LEN], husk_error **err)
{
	struct pull_manifest m;
	int rc = pull_manifest_fetch(reg, ref->tag_or_digest, ref->by_digest ? ref->tag_or_digest : NULL,
				     -1, &m, err);
	if (rc < 0)
		return rc;
	if (m.is_index) {
		char d[DIGEST_LEN];
		int64_t size;
		if ((rc = pull_index_pick(m.json, d, &size, err)) < 0 ||
		    (rc = put_blob(s, m.digest, m.data, m.len, err)) < 0) {
			pull_manifest_clear(&m);
			return rc;
		}
		pull_manifest_clear(&m);
		if ((rc = pull_manifest_fetch(reg, d, d, size, &m, err)) < 0)
			return rc;
		if (m.is_index) {
			pull_manifest_clear(&m);
			return husk_fail(err, 0, "index entry %s is an index again", d);
		}
	}
	json_object *cfgd;
	char cfg_digest[DIGEST_LEN];
	int64_t cfg_size;
	json_object *config = NULL;
	struct layer_job *jobs = NULL;
	size_t n = 0;
	if (!json_object_object_get_ex(m.json, "config", &cfgd)) {
		rc = husk_fail(err, 0, "manifest: no config");
		goto out;
	}
	if ((rc = pull_descriptor(cfgd, "manifest config", cfg_digest, &cfg_size, NULL, err)) < 0)
		goto out;
	if (cfg_size > PULL_CONFIG_MAX) {
		rc = husk_fail(err, EFBIG, "config of %lld bytes (at most %d)", (long long)cfg_size,
			       PULL_CONFIG_MAX);
		goto out;
	}
	if ((rc = pull_blob(reg, s, cfg_digest, cfg_size, NULL, err)) < 0 ||
	    (rc = store_blob_json(s, cfg_digest, PULL_CONFIG_MAX, &config, err)) < 0)
		goto out;
	if ((rc = plan_layers(s, m.json, config, &jobs, &n, err)) < 0 ||
	    (rc = pull_layers(reg, s, jobs, n, err)) < 0)
		goto out;
	/* The manifest last: once it is in blobs/, all it names is too. */
	if ((rc = put_blob(s, m.digest, m.data, m.len, err)) < 0 ||
	    (rc = store_image_tag(s, m.digest, name, err)) < 0)
		goto out;
	strcpy(id_out, cfg_digest);
out:
	free(jobs);
	json_object_put(config);
	pull_manifest_clear(&m);
	return rc;
}

int image_pull(struct store *s, const char *ref, const struct registry_options *o,
	       char id_out[DIGEST_LEN], husk_error **err)
{
	cleanup_free char *name = NULL;
	int rc = store_ref_normalize(ref, &name, err);
	if (rc < 0)
		return rc;
	struct pull_ref pr;
	if ((rc = pull_ref_parse(name, &pr, err)) < 0) {
		pull_ref_clear(&pr);
		return rc;
	}
	struct registry reg;
	if ((rc = registry_init(&reg, pr.host, pr.repo, o, err)) == 0)
		rc = pull_image(&reg, s, &pr, name, id_out, err);
	registry_clear(&reg);
	pull_ref_clear(&pr);
	return rc;
}
