/* The container's log in Kubernetes' CRI format, one record a line:
 *   2026-12-07T13:19:49.123456789Z stdout F the text
 * (time RFC 3339 UTC with nanoseconds, the stream, F: the text ends a line,
 * P: a partial line, continued by the next record).  All records of one
 * read get the time of that read.  With a max size the file is rotated to
 * NAME.1 ... NAME.<max_file - 1>.  A write that fails (a full disk) drops
 * what it could not write and counts it: the container is never blocked. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "shim/shim.h"
#include "util/utc.h"


static int open_current(struct log_writer *w)
{
	w->fd = openat(w->dirfd, w->name, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	struct stat st;
	w->size = w->fd >= 0 && fstat(w->fd, &st) == 0 ? st.st_size : 0;
	return w->fd;
}

int log_writer_open(struct log_writer *w, int dirfd, const char *name, int64_t max_size,
		    int max_file, husk_error **err)
{
	w->dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	snprintf(w->name, sizeof(w->name), "%s", name);
	w->max_size = max_size;
	w->max_file = max_file < 1 ? 1 : max_file;
	w->dropped = 0;
	w->used = 0;
	if (w->dirfd < 0 || open_current(w) < 0)
		return husk_fail(err, errno, "log %s", name);
	return 0;
}

void log_writer_close(struct log_writer *w)
{
	log_writer_flush(w);
	if (w->fd >= 0)
		close(w->fd);
	if (w->dirfd >= 0)
		close(w->dirfd);
	w->fd = w->dirfd = -1;
}

static void rotate(struct log_writer *w)
{
	char from[300], to[300];
	close(w->fd);
	w->fd = -1;
	if (w->max_file == 1) {
		/* One file: it starts again empty. */
		unlinkat(w->dirfd, w->name, 0);
	} else {
		for (int i = w->max_file - 1; i >= 1; i--) {
			snprintf(to, sizeof(to), "%s.%d", w->name, i);
			if (i == 1)
				snprintf(from, sizeof(from), "%s", w->name);
			else
				snprintf(from, sizeof(from), "%s.%d", w->name, i - 1);
			renameat(w->dirfd, from, w->dirfd, to);
		}
	}
	open_current(w);
}

/* Writes len bytes of n iovecs: rotated first when they would pass the
 * max size; what fails is dropped and counted. */
static void flush(struct log_writer *w, const struct iovec *iov, int n, size_t len)
{
	if (len == 0)
		return;
	if (w->max_size && w->size > 0 && w->size + (int64_t) len > w->max_size)
		rotate(w);
	if (w->fd < 0 && open_current(w) < 0) {
		w->dropped += len;
		return;
	}
	ssize_t done = writev(w->fd, iov, n);
	if (done < 0)
		done = 0;
	w->size += done;
	w->dropped += len - done;
}

static void flush_buffer(struct log_writer *w, char *buf, size_t *used)
{
	struct iovec one = { buf, *used };
	flush(w, &one, 1, *used);
	*used = 0;
}

void log_writer_write(struct log_writer *w, const char *stream, const char *data, size_t len)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	char full[64];
	utc_rfc3339(&ts, full);
	/* No printf: it showed in the profile, once a read. */
	size_t n = UTC_RFC3339_LEN, sl = strlen(stream);
	full[n++] = ' ';
	memcpy(full + n, stream, sl);
	n += sl;
	memcpy(full + n, " F ", 3);
	n += 3;
	/* The buffer is the shim's (given back when idle), not the stack,
	 * whose pages would stay dirty for the shim's life. */
	char small[4096], *buf = w->out ? w->out : small;
	size_t cap = w->out ? LOG_WRITER_OUT : sizeof(small), used = w->out ? w->used : 0;
	while (len > 0) {
		const char *end = memchr(data, '\n', len);
		size_t line = end ? (size_t) (end - data) + 1 : len;
		size_t rec = n + line + !end;   /* a partial line gets a newline */
		if (used + rec > cap)
			flush_buffer(w, buf, &used);
		if (rec > cap) {
			/* Longer than the buffer (only the stack's): written as it is. */
			char part[64];
			memcpy(part, full, n);
			part[n - 2] = 'P';
			struct iovec iov[3] = { { end ? full : part, n }, { (void *) data, line },
						{ (void *) "\n", 1 } };
			flush(w, iov, end ? 2 : 3, rec);
		} else {
			memcpy(buf + used, full, n);
			if (!end)
				buf[used + n - 2] = 'P';
			memcpy(buf + used + n, data, line);
			used += n + line;
			if (!end)
				buf[used++] = '\n';
		}
		data += line, len -= line;
	}
	if (w->out)
		w->used = used;   /* written by log_writer_flush */
	else
		flush_buffer(w, buf, &used);
}

void log_writer_flush(struct log_writer *w)
{
	if (w->out && w->used)
		flush_buffer(w, w->out, &w->used);
}
