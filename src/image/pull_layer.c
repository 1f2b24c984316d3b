/* One layer of a pull, downloaded and unpacked in one pass: a feeder
 * thread GETs the blob and writes the body into a socket; this thread
 * unpacks what it reads from the other end (layer_unpack_tee), which also
 * writes the bytes into the blob's temporary file.  Nothing is read back:
 * the blob is hashed once, as it passes.  The unpacked layer stays staged
 * under tmp/ (no parent needed yet), so that the layers of an image unpack
 * in parallel; pull.c commits them bottom first. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "image/pull.h"
#include "image/store_internal.h"
#include "util/cleanup.h"

struct feeder {
	struct registry *reg;
	const char *digest;
	const volatile bool *stop;
	int fd;                 /* the socket's writing end; closed at the end */
	husk_error *err;
};

static int feed_sink(void *p, const void *buf, size_t len, husk_error **err)
{
	struct feeder *f = p;
	if (f->stop != NULL && *f->stop)
		return husk_fail(err, ECANCELED, "cancelled");
	const char *b = buf;
	while (len > 0) {
		/* MSG_NOSIGNAL: an unpacker that gave up (bad tar) closes its
		 * end; that is EPIPE here, not a SIGPIPE for the process. */
		ssize_t n = send(f->fd, b, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return husk_fail(err, errno, "the unpacker stopped reading");
		b += n;
		len -= (size_t) n;
	}
	return 0;
}

static void *feed(void *p)
{
	struct feeder *f = p;
	char path[128];
	snprintf(path, sizeof(path), "blobs/%s", f->digest);
	registry_get(f->reg, path, NULL, feed_sink, f, NULL, &f->err);
	close(f->fd);           /* EOF for the unpacker */
	return NULL;
}

int pull_layer_stage(struct registry *reg, struct store *s, const char *digest, int64_t size,
		     const volatile bool *stop, struct layer_stage *st, husk_error **err)
{
	st->tmp_path[0] = '\0';
	if (store_blob_exists(s, digest)) {   /* fetched before, not unpacked */
		cleanup_close int fd = store_blob_open(s, digest, err);
		if (fd < 0)
			return fd;
		return store_layer_stage(s, fd, NULL, st, err);
	}
	struct blob_writer *w = NULL;
	int r = blob_writer_open_unhashed(s, digest, size, &w, err);
	if (r < 0)
		return r;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		blob_writer_abort(w);
		return husk_fail(err, errno, "socketpair");
	}
	struct feeder f = { .reg = reg, .digest = digest, .stop = stop, .fd = sv[1] };
	pthread_t th;
	if ((r = pthread_create(&th, NULL, feed, &f)) != 0) {
		close(sv[0]);
		close(sv[1]);
		blob_writer_abort(w);
		return husk_fail(err, r, "pthread_create");
	}
	husk_error *unpack_err = NULL;
	r = store_layer_stage(s, sv[0], w, st, &unpack_err);
	close(sv[0]);           /* a feeder still sending gets EPIPE */
	pthread_join(th, NULL);
	/* The transfer's failure explains the unpacker's (a short tar). */
	if (f.err != NULL) {
		husk_error_free(unpack_err);
		store_layer_stage_abort(s, st);
		blob_writer_abort(w);
		*err = f.err;
		return husk_wrap(err, "blob %s", digest);
	}
	if (r < 0) {
		blob_writer_abort(w);
		*err = unpack_err;
		return husk_wrap(err, "blob %s", digest);
	}
	char got[DIGEST_LEN];
	if ((r = blob_writer_commit_hashed(w, st->res.blob_digest, got, NULL, err)) < 0) {
		store_layer_stage_abort(s, st);
		return husk_wrap(err, "blob %s", digest);
	}
	return 0;
}
