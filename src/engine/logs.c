/* `husk container logs`: the log written by the shim (src/shim/log_writer.c,
 * CRI lines "TIME STREAM F|P TEXT"), its rotated files oldest first. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/internal.h"
#include "engine/logs.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

static void record(struct log_reader *r, const char *line, size_t len)
{
	const char *sp1 = memchr(line, ' ', len);
	if (!sp1 || len - (sp1 - line) < 10)
		return;   /* not a record (cut short by a full disk) */
	const char *stream = sp1 + 1;
	bool err = !strncmp(stream, "stderr ", 7);
	if (!err && strncmp(stream, "stdout ", 7))
		return;
	char tag = stream[7];
	if ((tag != 'F' && tag != 'P') || stream[8] != ' ')
		return;
	const char *text = stream + 9;
	size_t tlen = len - (text - line);
	if (r->since[0] && strncmp(line, r->since, sp1 - line) < 0 && (size_t) (sp1 - line) >= 20)
		return;
	if (r->counting) {
		r->lines += tag == 'F';
		return;
	}
	if (r->skip > 0) {
		r->skip -= tag == 'F';
		return;
	}
	int fd = err ? 2 : r->out;
	if (r->timestamps && r->line_start[err]) {
		write_all(fd, line, sp1 - line);
		write_all(fd, " ", 1);
	}
	write_all(fd, text, tlen);
	if (tag == 'F')
		write_all(fd, "\n", 1);
	r->line_start[err] = tag == 'F';
}

void log_reader_feed(struct log_reader *r, int fd)
{
	for (;;) {
		if (r->have == LOG_BUF) {
			record(r, r->buf, r->have);   /* a record longer than any written */
			r->have = 0;
		}
		ssize_t n = read(fd, r->buf + r->have, LOG_BUF - r->have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		r->have += n;
		char *p = r->buf, *end = r->buf + r->have, *nl;
		while ((nl = memchr(p, '\n', end - p))) {
			record(r, p, nl - p);
			p = nl + 1;
		}
		r->have = end - p;
		memmove(r->buf, p, r->have);
	}
}

void log_reader_file_end(struct log_reader *r)
{
	r->have = 0;
}

/* --since: RFC 3339 (2026-12-07T13:00:00[.N](Z|+01:00)), a duration before
 * now (30s, 5m, 2h) or unix seconds; into the log's own time form. */
static int parse_since(const char *s, char out[40], husk_error **err)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	time_t t;
	long nsec = 0;
	char *end;
	struct tm tm = { 0 };
	const char *rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (rest) {
		t = timegm(&tm);
		if (*rest == '.') {
			long scale = 100000000;
			for (rest++; *rest >= '0' && *rest <= '9'; rest++, scale /= 10)
				nsec += (*rest - '0') * scale;
		}
		int sh, sm;
		if (*rest == 'Z' && !rest[1]) {
		} else if ((*rest == '+' || *rest == '-') && sscanf(rest + 1, "%2d:%2d", &sh, &sm) == 2 &&
			   strlen(rest) == 6) {
			t -= (*rest == '+' ? 1 : -1) * (sh * 3600 + sm * 60);
		} else if (*rest) {
			goto bad;
		}
	} else {
		errno = 0;
		double v = strtod(s, &end);
		if (errno || end == s || v < 0)
			goto bad;
		if (*end == '\0') {
			t = (time_t) v;
			nsec = (long) ((v - (double) t) * 1e9);
		} else {
			long mult = !strcmp(end, "s") ? 1 : !strcmp(end, "m") ? 60 : !strcmp(end, "h") ? 3600 : 0;
			if (!mult)
				goto bad;
			double ago = v * mult;
			t = now.tv_sec - (time_t) ago;
		}
	}
	gmtime_r(&t, &tm);
	int n = (int) strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 40 - n, ".%09ldZ", nsec);
	return 0;
bad:
	return husk_fail(err, EINVAL, "--since %s: expects a time (2026-12-07T13:00:00Z), a duration "
			 "(10s, 5m, 2h) or unix seconds", s);
}

/* The log's directory (an fd) and file name, from meta.json. */
int logs_locate(const struct engine_ctx *c, const char *id, json_object *meta, int *ret_dirfd,
		char name[256], husk_error **err)
{
	json_object *l = json_member(meta, "logConfig");
	const char *path = json_object_get_string(json_member(l, "path"));
	cleanup_free char *dir = path ? strdup(path) : cdir_path(c->store, id, NULL);
	if (!dir)
		return husk_fail(err, ENOMEM, "logs");
	if (path) {
		char *slash = strrchr(dir, '/');
		snprintf(name, 256, "%s", slash + 1);
		slash[slash == dir] = '\0';
	} else {
		snprintf(name, 256, "ctr.log");
	}
	*ret_dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return *ret_dirfd < 0 ? husk_fail(err, errno, "logs: %s", dir) : 0;
}

/* Every file of the log, oldest first; the current one's fd is kept in
 * *cur (for -f) when cur is given. */
int logs_read_all(struct log_reader *r, int dirfd, const char *name, int max_file, int *cur)
{
	char path[300];
	for (int i = max_file - 1; i >= 1; i--) {
		snprintf(path, sizeof(path), "%s.%d", name, i);
		cleanup_close int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			log_reader_feed(r, fd);
			log_reader_file_end(r);
		}
	}
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		log_reader_feed(r, fd);
	if (cur)
		*cur = fd;
	else if (fd >= 0)
		close(fd);
	return 0;
}

int logs_follow(const struct engine_ctx *c, int cfd, const char *id, struct log_reader *r,
		int dirfd, const char *name, int fd);

int engine_logs(const struct engine_ctx *c, const char *ref, const struct engine_logs_options *o,
		int out, husk_error **err)
{
	cleanup_close int cfd = -1;
	char id[ENGINE_ID_LEN + 1];
	int r = cdir_open(c->store, &cfd, err);
	if (r < 0 || (r = cdir_resolve(cfd, ref, id, err)) < 0)
		return r;
	cleanup_json json_object *meta = NULL;
	if ((r = cdir_meta_read(cfd, id, &meta, err)) < 0)
		return r;
	cleanup_close int dirfd = -1;
	char name[256];
	if ((r = logs_locate(c, id, meta, &dirfd, name, err)) < 0)
		return r;
	json_object *l = json_member(meta, "logConfig");
	int max_file = l ? json_object_get_int(json_member(l, "maxFile")) : 1;
	cleanup_free char *buf = malloc(LOG_BUF);
	if (!buf)
		return husk_fail(err, ENOMEM, "logs");
	struct log_reader rd = { .out = out, .timestamps = o->timestamps, .buf = buf,
				 .line_start = { true, true } };
	if (o->since && (r = parse_since(o->since, rd.since, err)) < 0)
		return r;
	if (o->tail >= 0) {
		rd.counting = true;
		logs_read_all(&rd, dirfd, name, max_file, NULL);
		rd.counting = false;
		rd.have = 0;
		rd.skip = rd.lines > o->tail ? rd.lines - o->tail : 0;
	}
	int cur = -1;
	logs_read_all(&rd, dirfd, name, max_file, o->follow ? &cur : NULL);
	if (!o->follow)
		return 0;
	return logs_follow(c, cfd, id, &rd, dirfd, name, cur);
}
