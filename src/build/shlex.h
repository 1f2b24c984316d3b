/* Words of a Containerfile instruction, as docker's shell lexer makes them:
 * quotes removed ('...' literal, "..." with variables), the escape
 * character taking the next one literally, and the variables of ARG and
 * ENV substituted: $VAR, ${VAR}, ${VAR:-word} (word when VAR is unset or
 * empty), ${VAR-word} (when unset), ${VAR:+word} (word when VAR is set and
 * not empty), ${VAR+word} (when set).  A substituted value is never split
 * into more words. */
#ifndef HUSK_BUILD_SHLEX_H
#define HUSK_BUILD_SHLEX_H

#include <stdbool.h>

#include "util/error.h"

struct shlex {
	char escape;
	/* The value of a variable, NULL when unset. */
	const char *(*lookup)(void *ctx, const char *name);
	void *ctx;
};

/* in split at unquoted white space into *words (NULL-terminated). */
int shlex_words(const struct shlex *sh, const char *in, char ***words, husk_error **err);
/* in as one word (white space kept). */
int shlex_word(const struct shlex *sh, const char *in, char **out, husk_error **err);

#endif
