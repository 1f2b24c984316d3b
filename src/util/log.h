/* Logging: errors and debug messages go to --log (text or JSON lines, the
 * shape runc writes and containerd/conmon read) or, without --log, stderr. */
#ifndef HUSK_UTIL_LOG_H
#define HUSK_UTIL_LOG_H

#include <stdbool.h>
#include "util/error.h"

enum log_format { LOG_TEXT, LOG_JSON };

/* Opens the log destination; path NULL means stderr. */
int log_init(const char *path, enum log_format format, bool debug, husk_error **err);

void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reports the final error of a command: one line "husk: <msg>" on stderr
 * plus a record at level error in the log. */
void log_fatal(const husk_error *err);

/* The fd that log records go to (for the child to inherit), or -1. */
int log_fd(void);

#endif
