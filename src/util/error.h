/* The one error idiom of husk.
 *
 * A fallible function returns an int: >= 0 on success, a negative value on
 * failure, in which case it has filled *err with an errno and a message.
 * Callers add context with husk_wrap(); only the top level prints, once,
 * as "husk: <context>: ...: <why>". */
#ifndef HUSK_UTIL_ERROR_H
#define HUSK_UTIL_ERROR_H

#include <stdarg.h>

typedef struct husk_error {
	int errnum;   /* errno that caused the failure, 0 if none */
	char *msg;    /* "what: why", already including strerror(errnum) */
	int status;   /* husk's exit status for it; 0 means 1 */
} husk_error;

/* Sets *err (if err is not NULL and *err is empty) and returns -errnum, or
 * -EINVAL when errnum is 0.  strerror(errnum) is appended when errnum != 0. */
int husk_fail(husk_error **err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int husk_vfail(husk_error **err, int errnum, const char *fmt, va_list ap);

/* Prefixes the existing message with "<fmt>: " and returns -errnum. */
int husk_wrap(husk_error **err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* -errnum of an error (or -EINVAL), for propagating a return value. */
int husk_error_code(const husk_error *err);

void husk_error_free(husk_error *err);
void husk_error_freep(husk_error **err);
#define cleanup_error __attribute__((cleanup(husk_error_freep)))

#endif
