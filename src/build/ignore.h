/* .containerignore (else .dockerignore) of a build context, docker's rules:
 * one pattern a line, "#" comments, white space trimmed, each pattern
 * cleaned as a path (leading "/" and "./" dropped); Go filepath.Match
 * syntax per path component ("*", "?", "[...]", "\\" escapes) plus "**"
 * matching any number of components; a pattern also excludes everything
 * under what it matches; "!pattern" re-includes; the last match wins. */
#ifndef HUSK_BUILD_IGNORE_H
#define HUSK_BUILD_IGNORE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

struct ignore {
	char **pats;
	bool *negate;
	size_t n;
};

/* Reads the file of the context dirfd (none: no patterns). */
int ignore_load(int ctxfd, struct ignore *ig, husk_error **err);
/* Parses the text of an ignore file. */
int ignore_parse(const char *text, struct ignore *ig, husk_error **err);
/* Whether path (relative to the context, no leading "/") is excluded. */
bool ignore_match(const struct ignore *ig, const char *path);
void ignore_free(struct ignore *ig);
/* p lexically cleaned into out, relative (no empty or "." components,
 * ".." drops the one before): -1 when it does not fit, or when ".." would
 * leave the top and clamp is false (clamp: it stays at the top). */
int build_path_clean(const char *p, char *out, size_t cap, bool clamp);

#endif
