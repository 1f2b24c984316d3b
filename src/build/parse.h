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
 * FROM, RUN, COPY, ADD and HEALTHCHECK are split off; a flag husk build
 * does not know (BuildKit's RUN --network, COPY --link...) is an error, never
 * ignored.  Here-documents (BuildKit's syntax): the shell form of RUN, COPY
 * and ADD may name <<WORD, <<-WORD (leading tabs dropped), <<"WORD" or
 * <<'WORD'; the lines after the instruction up to one that is WORD are the
 * body, kept as written (no continuations, no comments).  A RUN that is a
 * here-document alone runs its body as the script; else its text goes to
 * the shell with the bodies (which reads them itself).  ONBUILD's trigger is
 * checked as an instruction (not ONBUILD, FROM or MAINTAINER).
 * Errors: "FILE:LINE: why". */
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
	const char *sub;      /* HEALTHCHECK: "CMD" (args or rest: the command) or "NONE" */
	char **heredocs;      /* RUN, COPY, ADD: the bodies of its <<WORD here-documents,
	                       * in order (NULL-terminated, never NULL) */
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

/* One instruction of text (an ONBUILD trigger when it runs): *out (free it
 * with instr_free); errors name path and line. */
int instr_parse(const char *text, const char *path, int line, struct instr **out, husk_error **err);
void instr_free(struct instr *in);

/* The value of flag name of an instruction ("from" of --from=x), or NULL;
 * a flag without '=' has the value "". */
const char *instr_flag(const struct instr *in, const char *name);

#endif
