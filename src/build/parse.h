/* The Containerfile (Dockerfile) language: instructions, parsed once into a
 * list; variables are substituted later (shlex.c), when each step runs and
 * knows its ARG and ENV values.
 *
 * What the parser does (docker's rules): instructions are case-insensitive;
 * a line ending in the escape character (\ or, after the directive
 * "# escape=`", a backtick) continues on the next one, comment and empty
 * lines inside a continuation are dropped; "# name=value" lines before
 * anything else are parser directives (escape; syntax and check are
 * accepted and ignored); "#" lines are comments.  RUN, CMD, ENTRYPOINT,
 * SHELL, COPY, ADD and VOLUME take the exec form, a JSON array of strings
 * (parsed by json-c), else the shell form.  Leading --name=value flags of
 * FROM, RUN, COPY and ADD are split off.  Errors: "FILE:LINE: why". */
#ifndef HUSK_BUILD_PARSE_H
#define HUSK_BUILD_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

enum instr_kind {
	I_FROM, I_RUN, I_COPY, I_ADD, I_ENV, I_ARG, I_WORKDIR, I_USER, I_CMD, I_ENTRYPOINT,
	I_LABEL, I_EXPOSE, I_VOLUME, I_STOPSIGNAL, I_SHELL, I_MAINTAINER, I_HEALTHCHECK,
	I_ONBUILD,
};

struct instr {
	enum instr_kind kind;
	const char *keyword;  /* upper case, static */
	int line;             /* of its first line */
	char *text;           /* the instruction as written, continuations joined */
	char **flags;         /* "name=value" (NULL-terminated, never NULL) */
	bool exec_form;       /* args is the JSON array */
	char **args;          /* exec form: the strings (NULL-terminated) */
	char *rest;           /* shell form: what follows the keyword and the flags */
};

struct containerfile {
	char *path;           /* as named in errors */
	char escape;          /* '\\' or '`' */
	struct instr *v;
	size_t n;
};

/* Parses text (len bytes, NUL bytes refused).  At least one FROM, and only
 * ARG before the first. */
int containerfile_parse(const char *text, size_t len, const char *path, struct containerfile *out,
			husk_error **err);
void containerfile_free(struct containerfile *cf);

/* The value of flag name of an instruction ("from" of --from=x), or NULL;
 * a flag without '=' has the value "". */
const char *instr_flag(const struct instr *in, const char *name);

#endif
