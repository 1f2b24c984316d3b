#include "util/log.h"
#include "util/json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Set once from the parsed global options, then only read. */
static struct {
	int fd;        /* -1: stderr in the configured format */
	enum log_format format;
	bool debug;
} logger = { .fd = -1, .format = LOG_TEXT, .debug = false };

int log_init(const char *path, enum log_format format, bool debug, husk_error **err)
{
	logger.format = format;
	logger.debug = debug;
	if (path == NULL || *path == '\0')
		return 0;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return husk_fail(err, errno, "open log file %s", path);
	logger.fd = fd;
	return 0;
}

int log_fd(void)
{
	return logger.fd;
}

static void write_record(const char *level, const char *msg)
{
	char stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);

	char *line = NULL;
	if (logger.format == LOG_JSON) {
		json_object *rec = json_object_new_object();
		json_object_object_add(rec, "level", json_object_new_string(level));
		json_object_object_add(rec, "msg", json_object_new_string(msg));
		json_object_object_add(rec, "time", json_object_new_string(stamp));
		char *s = json_to_string(rec, false);
		json_object_put(rec);
		if (s == NULL || asprintf(&line, "%s\n", s) < 0)
			line = NULL;
		free(s);
	} else {
		/* Same shape as logrus' text formatter, quoted like Go's %q for
		 * the common cases (quotes and backslashes). */
		size_t n = strlen(msg);
		char *q = malloc(2 * n + 1), *o = q;
		if (q == NULL)
			return;
		for (const char *p = msg; *p; p++) {
			if (*p == '"' || *p == '\\')
				*o++ = '\\';
			*o++ = *p == '\n' ? ' ' : *p;
		}
		*o = '\0';
		if (asprintf(&line, "time=\"%s\" level=%s msg=\"%s\"\n", stamp, level, q) < 0)
			line = NULL;
		free(q);
	}
	if (line == NULL)
		return;
	/* One write per record: concurrent husk processes share log files. */
	ssize_t r = write(logger.fd >= 0 ? logger.fd : STDERR_FILENO, line, strlen(line));
	(void) r;
	free(line);
}

static void vlog(const char *level, const char *fmt, va_list ap)
{
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		return;
	write_record(level, msg);
	free(msg);
}

void log_debug(const char *fmt, ...)
{
	if (!logger.debug)
		return;
	va_list ap;
	va_start(ap, fmt);
	vlog("debug", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog("warning", fmt, ap);
	va_end(ap);
}

void log_fatal(const husk_error *err)
{
	const char *raw = err && err->msg ? err->msg : "unknown error";
	/* One line, whatever the cause carried (a program name, a hook's
	 * output): line breaks are written as \n. */
	char *msg = malloc(2 * strlen(raw) + 1), *o = msg;
	if (msg == NULL)
		return;
	for (const char *p = raw; *p; p++) {
		if (*p == '\n' || *p == '\r') {
			*o++ = '\\';
			*o++ = *p == '\n' ? 'n' : 'r';
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	/* Without --log, a text record on stderr would only repeat the plain
	 * line; a JSON one is what the caller asked for, so it is kept. */
	if (logger.fd >= 0 || logger.format == LOG_JSON)
		write_record("error", msg);
	fprintf(stderr, "husk: %s\n", msg);
	free(msg);
}
