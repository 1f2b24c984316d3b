#include "util/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int code_of(int errnum)
{
	return errnum > 0 ? -errnum : -EINVAL;
}

int husk_vfail(husk_error **err, int errnum, const char *fmt, va_list ap)
{
	if (err == NULL || *err != NULL)
		return code_of(errnum);

	husk_error *e = calloc(1, sizeof(*e));
	if (e == NULL)
		abort();
	char *what = NULL;
	if (vasprintf(&what, fmt, ap) < 0)
		abort();
	if (errnum > 0) {
		if (asprintf(&e->msg, "%s: %s", what, strerror(errnum)) < 0)
			abort();
		free(what);
	} else {
		e->msg = what;
	}
	e->errnum = errnum;
	*err = e;
	return code_of(errnum);
}

int husk_fail(husk_error **err, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = husk_vfail(err, errnum, fmt, ap);
	va_end(ap);
	return r;
}

int husk_wrap(husk_error **err, const char *fmt, ...)
{
	if (err == NULL || *err == NULL)
		return -EINVAL;
	char *ctx = NULL, *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&ctx, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (asprintf(&msg, "%s: %s", ctx, (*err)->msg) < 0)
		abort();
	free(ctx);
	free((*err)->msg);
	(*err)->msg = msg;
	return code_of((*err)->errnum);
}

int husk_error_code(const husk_error *err)
{
	return code_of(err ? err->errnum : 0);
}

void husk_error_free(husk_error *err)
{
	if (err == NULL)
		return;
	free(err->msg);
	free(err);
}

void husk_error_freep(husk_error **err)
{
	husk_error_free(*err);
	*err = NULL;
}
