/* husk image load: a docker-archive (docker/podman save), an OCI archive
 * or an OCI layout directory.  An archive is read once: its entries may
 * come in any order, so each blob-like entry is staged into the store as
 * it passes (hashed while written, checked against its name when the name
 * is a digest); the images are then built from the store's blobs. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/digest.h"
#include "image/import.h"
#include "image/load_internal.h"
#include "image/store_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

static int stage_add(struct load_ctx *c, const char *name, const char *digest, const char *link,
		     husk_error **err)
{
	struct staged *nv = realloc(c->staged, (c->n_staged + 1) * sizeof(*nv));
	if (nv == NULL)
		return husk_fail(err, ENOMEM, "load");
	c->staged = nv;
	struct staged *e = &nv[c->n_staged];
	e->name = strdup(name);
	e->link = link ? strdup(link) : NULL;
	snprintf(e->digest, DIGEST_LEN, "%s", digest ? digest : "");
	if (e->name == NULL)
		return husk_fail(err, ENOMEM, "load");
	c->n_staged++;
	return 0;
}

static const char *clean_name(const char *n)
{
	while (n[0] == '.' && n[1] == '/')
		n += 2;
	while (n[0] == '/')
		n++;
	return n;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int read_small(struct archive *a, const char *name, int64_t size, char **buf, size_t *len,
		      husk_error **err)
{
	if (size < 0 || size > STORE_JSON_MAX)
		return husk_fail(err, EFBIG, "%s: more than %d bytes", name, STORE_JSON_MAX);
	char *b = malloc((size_t) size + 1);
	if (b == NULL)
		return husk_fail(err, ENOMEM, "%s", name);
	la_ssize_t n = archive_read_data(a, b, (size_t) size);
	if (n != size) {
		free(b);
		return husk_fail(err, 0, "%s: %s", name, n < 0 ? archive_error_string(a) : "short read");
	}
	b[size] = '\0';
	free(*buf);
	*buf = b;
	*len = (size_t) size;
	return 0;
}

/* One member of the archive as an unpack source: its data blocks, each
 * also written to the blob writer before the unpacker sees it. */
struct member {
	struct archive *a;
	const char *name;
	struct blob_writer *w;
	const void *first;      /* the block read to sniff the member, not yet handed out */
	size_t first_len;
	int64_t first_off, off;
	bool failed;            /* reading the archive or writing the blob failed */
};

static long member_read(void *arg, const void **buf, husk_error **err)
{
	struct member *m = arg;
	const void *p = m->first;
	size_t len = m->first_len;
	la_int64_t off = m->first_off;
	if (p) {
		m->first = NULL;
	} else {
		int ar = archive_read_data_block(m->a, &p, &len, &off);
		if (ar == ARCHIVE_EOF)
			return 0;
		if (ar < ARCHIVE_WARN) {
			m->failed = true;
			return husk_fail(err, 0, "%s: %s", m->name, archive_error_string(m->a));
		}
	}
	/* Holes (a sparse member) would be bytes the blob never got. */
	if (off != m->off) {
		m->failed = true;
		return husk_fail(err, 0, "%s: a sparse member", m->name);
	}
	m->off += (int64_t) len;
	if (blob_writer_write(m->w, p, len, err) < 0) {
		m->failed = true;
		return -1;
	}
	*buf = p;
	return (long) len;
}

/* The rest of the member into the blob. */
static int member_drain(struct member *m, husk_error **err)
{
	const void *buf;
	long n;
	while ((n = member_read(m, &buf, err)) > 0)
		;
	return n < 0 ? -1 : 0;
}

/* A member that may be a layer (not JSON): unpacked under tmp/ as it is
 * stored, the layer kept for the manifest that names it (whose parents
 * are known only then).  One that does not unpack is stored all the same:
 * if an image names it as a layer, image_in_layer unpacks it again and
 * says why that fails. */
static int stage_layer(struct load_ctx *c, struct member *m, const char *expected, int64_t size,
		       char digest[DIGEST_LEN], husk_error **err)
{
	int r = blob_writer_open_unhashed(c->in.s, expected, size, &m->w, err);
	if (r < 0)
		return r;
	struct unpack_source src = { .read = member_read, .arg = m };
	struct layer_stage st;
	husk_error *why = NULL;
	if (store_layer_stage_source(c->in.s, &src, NULL, &st, &why) < 0) {
		if (m->failed) {
			blob_writer_abort(m->w);
			*err = why;
			return husk_error_code(why);
		}
		husk_error_free(why);
		if (member_drain(m, err) < 0 || blob_writer_rehash(m->w, err) < 0) {
			blob_writer_abort(m->w);
			return -1;
		}
		return image_in_commit(&c->in, m->w, digest, err);
	}
	/* One flush for the blob and the layer, as image_in_layer_stream. */
	if (syncfs(c->in.s->dirfd) < 0) {
		r = husk_fail(err, errno, "layer: syncfs");
		blob_writer_abort(m->w);
		store_layer_stage_abort(c->in.s, &st);
		return r;
	}
	blob_writer_mark_synced(m->w);
	st.synced = true;
	if ((r = image_in_commit_hashed(&c->in, m->w, st.res.blob_digest, digest, err)) < 0) {
		store_layer_stage_abort(c->in.s, &st);
		return r;
	}
	return image_in_keep_stage(&c->in, digest, &st, err);
}

/* A JSON member (or an empty one): a blob. */
static int stage_blob(struct load_ctx *c, struct member *m, const char *expected, int64_t size,
		      char digest[DIGEST_LEN], husk_error **err)
{
	int r = blob_writer_open(c->in.s, expected, size, &m->w, NULL, err);
	if (r < 0)
		return r;
	if (member_drain(m, err) < 0) {
		blob_writer_abort(m->w);
		return -1;
	}
	return image_in_commit(&c->in, m->w, digest, err);
}

static int stage_entry(struct load_ctx *c, struct archive *a, const char *name, int64_t size,
		       husk_error **err)
{
	char expected[DIGEST_LEN] = "";
	if (strncmp(name, "blobs/sha256/", 13) == 0) {
		snprintf(expected, sizeof(expected), "sha256:%s", name + 13);
		if (!digest_valid(expected))
			return husk_fail(err, 0, "%s: not a sha256 digest", name);
		if (store_blob_exists(c->in.s, expected))
			return stage_add(c, name, expected, NULL, err);
	}
	struct member m = { .a = a, .name = name };
	int ar = archive_read_data_block(a, &m.first, &m.first_len, &m.first_off);
	if (ar == ARCHIVE_EOF)
		m.first = NULL;
	else if (ar < ARCHIVE_WARN)
		return husk_fail(err, 0, "%s: %s", name, archive_error_string(a));
	/* A layer is a tar, or compressed: never JSON. */
	const char *p = m.first;
	size_t i = 0;
	while (p && i < m.first_len && strchr(" \t\r\n", p[i]) && p[i])
		i++;
	bool json = p == NULL || i == m.first_len || p[i] == '{' || p[i] == '[';
	char digest[DIGEST_LEN];
	int r = json ? stage_blob(c, &m, expected[0] ? expected : NULL, size, digest, err)
		     : stage_layer(c, &m, expected[0] ? expected : NULL, size, digest, err);
	if (r < 0)
		return husk_wrap(err, "%s", name);
	return stage_add(c, name, digest, NULL, err);
}

/* The one pass over the archive. */
static int read_archive(struct load_ctx *c, int fd, husk_error **err)
{
	struct archive *a = archive_read_new();
	if (a == NULL)
		return husk_fail(err, ENOMEM, "libarchive");
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	int r = 0;
	if (archive_read_open_fd(a, fd, 1 << 20) != ARCHIVE_OK) {
		r = husk_fail(err, 0, "%s", archive_error_string(a));
		goto out;
	}
	struct archive_entry *e;
	int ar;
	while ((ar = archive_read_next_header(a, &e)) == ARCHIVE_OK || ar == ARCHIVE_WARN) {
		const char *name = clean_name(archive_entry_pathname(e) ? archive_entry_pathname(e) : "");
		mode_t type = archive_entry_filetype(e);
		int64_t size = archive_entry_size_is_set(e) ? archive_entry_size(e) : -1;
		if (type == AE_IFLNK && archive_entry_symlink(e)) {
			r = stage_add(c, name, NULL, archive_entry_symlink(e), err);
		} else if (type != AE_IFREG) {
			continue;
		} else if (strcmp(name, "manifest.json") == 0) {
			r = read_small(a, name, size, &c->docker_manifest, &c->docker_manifest_len, err);
		} else if (strcmp(name, "index.json") == 0) {
			r = read_small(a, name, size, &c->oci_index, &c->oci_index_len, err);
		} else if (strncmp(name, "blobs/sha256/", 13) == 0 || ends_with(name, ".tar") ||
			   (ends_with(name, ".json") && !strchr(name, '/'))) {
			r = stage_entry(c, a, name, size, err);
		}
		if (r < 0)
			goto out;
	}
	if (ar != ARCHIVE_EOF)
		r = husk_fail(err, 0, "%s", archive_error_string(a));
out:
	archive_read_free(a);
	return r;
}

static void free_ctx(struct load_ctx *c)
{
	for (size_t i = 0; i < c->n_staged; i++) {
		free(c->staged[i].name);
		free(c->staged[i].link);
	}
	free(c->staged);
	free(c->docker_manifest);
	free(c->oci_index);
}

int image_load(struct store *s, int fd, int dirfd, const char *path,
	       void (*loaded)(const char *what, void *arg), void *arg, husk_error **err)
{
	struct load_ctx c = { .in = { .s = s }, .layout_fd = dirfd, .loaded = loaded, .arg = arg };
	int r;
	if (fd >= 0) {
		r = read_archive(&c, fd, err);
	} else {
		husk_error *e = NULL;
		r = read_file_at(dirfd, "index.json", &c.oci_index, &c.oci_index_len, &e);
		if (r < 0) {
			*err = e;
			r = husk_wrap(err, "not an OCI layout");
		}
	}
	if (r >= 0) {
		if (c.docker_manifest)
			r = load_docker(&c, err);
		else if (c.oci_index)
			r = load_oci(&c, err);
		else
			r = husk_fail(err, 0, "neither a docker-archive (manifest.json) nor an OCI archive (index.json)");
	}
	image_in_finish(&c.in, r >= 0);
	free_ctx(&c);
	return r < 0 ? husk_wrap(err, "load %s", path) : 0;
}
