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
	if (w->dirfd < 0 || open_current(w) < 0)
		return husk_fail(err, errno, "log %s", name);
	return 0;
}

void log_writer_close(struct log_writer *w)
{
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

static void flush(struct log_writer *w, struct iovec *iov, int n, size_t len)
{
	if (n == 0)
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

void log_writer_write(struct log_writer *w, const char *stream, const char *data, size_t len)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	char full[64], part[64];
	utc_rfc3339(&ts, full);
	int n = UTC_RFC3339_LEN;
	n += snprintf(full + n, sizeof(full) - n, " %s F ", stream);
	memcpy(part, full, n + 1);
	part[n - 2] = 'P';
	static const char nl = '\n';
	/* The iovecs in the shim's buffer (given back when idle), not on the
	 * stack, whose pages would stay dirty for the shim's life. */
	struct iovec small[64], *iov = w->iov ? w->iov : small;
	int batch_max = w->iov ? LOG_WRITER_BATCH : 64;
	int k = 0;
	size_t batch = 0;
	while (len > 0) {
		if (k + 3 > batch_max) {
			flush(w, iov, k, batch);
			k = 0, batch = 0;
		}
		const char *end = memchr(data, '\n', len);
		size_t line = end ? (size_t) (end - data) + 1 : len;
		iov[k++] = (struct iovec) { end ? full : part, n };
		iov[k++] = (struct iovec) { (void *) data, line };
		batch += n + line;
		if (!end) {
			iov[k++] = (struct iovec) { (void *) &nl, 1 };
			batch++;
		}
		data += line, len -= line;
	}
	flush(w, iov, k, batch);
}
