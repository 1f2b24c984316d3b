/* The context's ignore file (see ignore.h). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "build/ignore.h"
#include "util/cleanup.h"
#include "util/fs.h"

void ignore_free(struct ignore *ig)
{
	for (size_t i = 0; i < ig->n; i++)
		free(ig->pats[i]);
	free(ig->pats);
	free(ig->negate);
	*ig = (struct ignore) { 0 };
}

int build_path_clean(const char *p, char *out, size_t cap, bool clamp)
{
	size_t n = 0;
	while (*p) {
		while (*p == '/')
			p++;
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t) (e - p) : strlen(p);
		if (len == 0)
			break;
		if (len == 1 && p[0] == '.') {
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (n == 0 && !clamp)
				return -1;
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
		} else {
			if (n + len + 2 > cap)
				return -1;
			if (n)
				out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
	}
	out[n] = '\0';
	return 0;
}

/* A pattern cleaned as a path; ".." at the top stays at the top. */
static char *clean(const char *p)
{
	size_t cap = strlen(p) + 2;
	char *out = malloc(cap);
	if (out && build_path_clean(p, out, cap, true) < 0) {
		free(out);
		return NULL;
	}
	return out;
}

int ignore_parse(const char *text, struct ignore *ig, husk_error **err)
{
	*ig = (struct ignore) { 0 };
	cleanup_free char *copy = strdup(text);
	if (!copy)
		return husk_fail(err, ENOMEM, "ignore file");
	char *save = copy, *line;
	while ((line = strsep(&save, "\n"))) {
		while (isspace((unsigned char) *line))
			line++;
		size_t len = strlen(line);
		while (len && isspace((unsigned char) line[len - 1]))
			line[--len] = '\0';
		if (!*line || *line == '#')
			continue;
		bool neg = *line == '!';
		if (neg) {
			line++;
			while (isspace((unsigned char) *line))
				line++;
		}
		char *p = clean(line);
		char **np = realloc(ig->pats, (ig->n + 1) * sizeof(char *));
		bool *nn = np ? realloc(ig->negate, (ig->n + 1) * sizeof(bool)) : NULL;
		if (np)
			ig->pats = np;
		if (nn)
			ig->negate = nn;
		if (!p || !np || !nn) {
			free(p);
			ignore_free(ig);
			return husk_fail(err, ENOMEM, "ignore file");
		}
		if (!*p) {
			free(p);
			continue;
		}
		ig->pats[ig->n] = p;
		ig->negate[ig->n++] = neg;
	}
	return 0;
}

int ignore_load(int ctxfd, struct ignore *ig, husk_error **err)
{
	*ig = (struct ignore) { 0 };
	static const char *const names[] = { ".containerignore", ".dockerignore" };
	for (size_t i = 0; i < 2; i++) {
		cleanup_free char *buf = NULL;
		size_t len = 0;
		if (faccessat(ctxfd, names[i], F_OK, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (read_file_at(ctxfd, names[i], &buf, &len, err) < 0)
			return -1;
		return ignore_parse(buf, ig, err);
	}
	return 0;
}

/* Component-wise match of pattern p against path s (both '/'-separated);
 * prefix: the pattern may match a leading part of the path (a directory
 * whose contents are then excluded too). */
static bool match(const char *p, const char *s)
{
	if (!*p)
		return !*s || *s == '/';   /* a parent directory matched */
	const char *pe = strchr(p, '/');
	size_t plen = pe ? (size_t) (pe - p) : strlen(p);
	const char *pnext = pe ? pe + 1 : p + plen;
	if (plen == 2 && p[0] == '*' && p[1] == '*') {
		/* zero or more components */
		if (match(pnext, s))
			return true;
		for (const char *q = s; *q; q++)
			if (*q == '/' && match(pnext, q + 1))
				return true;
		return !*pnext;
	}
	if (!*s)
		return false;
	const char *se = strchr(s, '/');
	size_t slen = se ? (size_t) (se - s) : strlen(s);
	char pc[4096], sc[4096];
	if (plen >= sizeof(pc) || slen >= sizeof(sc))
		return false;
	memcpy(pc, p, plen);
	pc[plen] = '\0';
	memcpy(sc, s, slen);
	sc[slen] = '\0';
	if (fnmatch(pc, sc, 0) != 0)
		return false;
	if (!*pnext && !pe)
		return true;   /* the rest of s is under what matched */
	return se ? match(pnext, se + 1) : !*pnext;
}

bool ignore_match(const struct ignore *ig, const char *path)
{
	bool excluded = false;
	for (size_t i = 0; i < ig->n; i++)
		if (match(ig->pats[i], path))
			excluded = !ig->negate[i];
	return excluded;
}
