/* `husk container logs`: reading the shim's CRI log (logs.c), following it
 * (logs_follow.c). */
#ifndef HUSK_ENGINE_LOGS_H
#define HUSK_ENGINE_LOGS_H

#include <stdbool.h>
#include <stddef.h>

struct log_reader {
	int out;                 /* stdout records go here, stderr's to fd 2 */
	bool timestamps;
	char since[40];          /* "" or the earliest time, in the log's own form */
	long skip;               /* logical lines left to skip (--tail) */
	bool counting;           /* only counting the lines (a first pass for --tail) */
	long lines;              /* lines counted */
	bool line_start[2];      /* per stream: the next record starts a line */
	char *buf;               /* LOG_BUF bytes: a read, with the end of the last */
	size_t have;
};
#define LOG_BUF (512 * 1024)

/* Reads fd to its end: its complete records handled, a partial one kept
 * for the next call. */
void log_reader_feed(struct log_reader *r, int fd);
/* What is left at the end of a file (a record cut short) dropped. */
void log_reader_file_end(struct log_reader *r);

#endif
