/* The Containerfile parser (see parse.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "build/parse.h"
#include "util/cleanup.h"
#include "util/json.h"

static const struct {
	const char *name;
	enum instr_kind kind;
	bool exec_form;   /* takes the JSON form */
	bool has_flags;
} keywords[] = {
	{ "FROM", I_FROM, false, true },        { "RUN", I_RUN, true, true },
	{ "COPY", I_COPY, true, true },         { "ADD", I_ADD, true, true },
	{ "ENV", I_ENV, false, false },         { "ARG", I_ARG, false, false },
	{ "WORKDIR", I_WORKDIR, false, false }, { "USER", I_USER, false, false },
	{ "CMD", I_CMD, true, false },          { "ENTRYPOINT", I_ENTRYPOINT, true, false },
	{ "LABEL", I_LABEL, false, false },     { "EXPOSE", I_EXPOSE, false, false },
	{ "VOLUME", I_VOLUME, true, false },    { "STOPSIGNAL", I_STOPSIGNAL, false, false },
	{ "SHELL", I_SHELL, true, false },      { "MAINTAINER", I_MAINTAINER, false, false },
	{ "HEALTHCHECK", I_HEALTHCHECK, false, false }, { "ONBUILD", I_ONBUILD, false, false },
};

static void strv_free(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

static void instr_clear(struct instr *in)
{
	free(in->text);
	strv_free(in->flags);
	strv_free(in->args);
	free(in->rest);
}

void containerfile_free(struct containerfile *cf)
{
	for (size_t i = 0; i < cf->n; i++)
		instr_clear(&cf->v[i]);
	free(cf->v);
	free(cf->path);
	*cf = (struct containerfile) { 0 };
}

const char *instr_flag(const struct instr *in, const char *name)
{
	size_t n = strlen(name);
	for (char **f = in->flags; f && *f; f++) {
		if (strncmp(*f, name, n) == 0 && ((*f)[n] == '=' || (*f)[n] == '\0'))
			return (*f)[n] ? *f + n + 1 : *f + n;
	}
	return NULL;
}

static int strv_push(char ***v, size_t *n, char *s)
{
	char **nv = realloc(*v, (*n + 2) * sizeof(char *));
	if (!nv || !s) {
		free(s);
		if (nv)
			*v = nv;
		return -ENOMEM;
	}
	nv[(*n)++] = s;
	nv[*n] = NULL;
	*v = nv;
	return 0;
}

/* The JSON exec form: an array of strings, or not JSON at all (*ok false:
 * the shell form, as docker falls back to). */
static int parse_exec(const char *s, char ***ret, bool *ok)
{
	*ok = false;
	while (isspace((unsigned char) *s))
		s++;
	if (*s != '[')
		return 0;
	json_tokener *tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	json_object *v = json_tokener_parse_ex(tok, s, (int) strlen(s));
	bool whole = json_tokener_get_error(tok) == json_tokener_success;
	size_t used = whole ? json_tokener_get_parse_end(tok) : 0;
	json_tokener_free(tok);
	if (!whole || !json_is_array(v)) {
		json_object_put(v);
		return 0;
	}
	for (const char *t = s + used; *t; t++)
		if (!isspace((unsigned char) *t)) {
			json_object_put(v);
			return 0;
		}
	char **out = calloc(1, sizeof(char *));
	size_t n = 0;
	for (size_t i = 0; out && i < json_object_array_length(v); i++) {
		json_object *e = json_object_array_get_idx(v, i);
		if (!json_is_string(e) || json_string_has_nul(e)) {
			strv_free(out);
			json_object_put(v);
			return 0;
		}
		if (strv_push(&out, &n, strdup(json_object_get_string(e))) < 0) {
			strv_free(out);
			out = NULL;
		}
	}
	json_object_put(v);
	if (!out)
		return -ENOMEM;
	*ret = out;
	*ok = true;
	return 0;
}

/* Splits the leading --name[=value] words off s; returns what follows. */
static int split_flags(const char *s, char ***flags, const char **rest)
{
	size_t n = 0;
	*flags = calloc(1, sizeof(char *));
	if (!*flags)
		return -ENOMEM;
	for (;;) {
		while (isspace((unsigned char) *s))
			s++;
		if (strncmp(s, "--", 2) != 0 || !s[2] || isspace((unsigned char) s[2]))
			break;
		const char *e = s + 2;
		while (*e && !isspace((unsigned char) *e))
			e++;
		if (strv_push(flags, &n, strndup(s + 2, (size_t) (e - s - 2))) < 0)
			return -ENOMEM;
		s = e;
	}
	*rest = s;
	return 0;
}

static int fail_at(husk_error **err, const struct containerfile *cf, int line, const char *fmt,
		   const char *arg)
{
	return husk_fail(err, 0, "%s:%d: %s%s", cf->path, line, fmt, arg ? arg : "");
}

static int add_instr(struct containerfile *cf, const char *logical, int line, husk_error **err)
{
	const char *s = logical;
	while (isspace((unsigned char) *s))
		s++;
	const char *e = s;
	while (*e && !isspace((unsigned char) *e))
		e++;
	size_t klen = (size_t) (e - s), k;
	for (k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++)
		if (strlen(keywords[k].name) == klen && strncasecmp(keywords[k].name, s, klen) == 0)
			break;
	if (k == sizeof(keywords) / sizeof(keywords[0])) {
		char word[64];
		snprintf(word, sizeof(word), "%.*s\"", (int) (klen > 40 ? 40 : klen), s);
		return fail_at(err, cf, line, "unknown instruction \"", word);
	}
	struct instr *nv = realloc(cf->v, (cf->n + 1) * sizeof(*nv));
	if (!nv)
		return husk_fail(err, ENOMEM, "%s", cf->path);
	cf->v = nv;
	struct instr *in = &cf->v[cf->n];
	*in = (struct instr) { .kind = keywords[k].kind, .keyword = keywords[k].name, .line = line };
	const char *rest = e;
	int r = 0;
	in->text = strdup(s);
	if (!in->text)
		r = -ENOMEM;
	if (r == 0 && keywords[k].has_flags)
		r = split_flags(e, &in->flags, &rest);
	else if (r == 0 && !(in->flags = calloc(1, sizeof(char *))))
		r = -ENOMEM;
	bool json = false;
	if (r == 0 && keywords[k].exec_form)
		r = parse_exec(rest, &in->args, &json);
	in->exec_form = json;
	if (r == 0 && !json) {
		while (isspace((unsigned char) *rest))
			rest++;
		size_t n = strlen(rest);
		while (n && isspace((unsigned char) rest[n - 1]))
			n--;
		if (!(in->rest = strndup(rest, n)))
			r = -ENOMEM;
	}
	if (r < 0) {
		instr_clear(in);
		return husk_fail(err, ENOMEM, "%s", cf->path);
	}
	cf->n++;
	if (!json && in->rest[0] == '\0')
		return fail_at(err, cf, line, in->keyword, " needs arguments");
	if (in->kind == I_SHELL && !json)
		return fail_at(err, cf, line, "SHELL needs the JSON form: SHELL [\"executable\", \"arg\"...]",
			       NULL);
	if (json && in->args[0] == NULL && (in->kind == I_SHELL || in->kind == I_COPY || in->kind == I_ADD))
		return fail_at(err, cf, line, in->keyword, ": an empty list");
	return 0;
}

/* A "# name=value" parser directive: 1 when line is one (escape applied). */
static int directive(struct containerfile *cf, const char *line, int lineno, husk_error **err)
{
	const char *s = line;
	if (*s++ != '#')
		return 0;
	while (*s == ' ' || *s == '\t')
		s++;
	const char *name = s;
	while (isalpha((unsigned char) *s))
		s++;
	size_t nlen = (size_t) (s - name);
	while (*s == ' ' || *s == '\t')
		s++;
	if (nlen == 0 || *s != '=')
		return 0;
	s++;
	while (*s == ' ' || *s == '\t')
		s++;
	size_t vlen = strlen(s);
	while (vlen && isspace((unsigned char) s[vlen - 1]))
		vlen--;
	if (nlen == 6 && strncasecmp(name, "escape", 6) == 0) {
		if (vlen != 1 || (*s != '\\' && *s != '`'))
			return fail_at(err, cf, lineno, "escape directive: must be \\ or `", NULL);
		cf->escape = *s;
		return 1;
	}
	if ((nlen == 6 && strncasecmp(name, "syntax", 6) == 0) ||
	    (nlen == 5 && strncasecmp(name, "check", 5) == 0))
		return 1;
	return 0;
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char) *s))
			return false;
	return true;
}

/* Whether line (no newline) ends in the escape character, which is then
 * cut off with the whitespace after it. */
static bool continues(char *line, char esc)
{
	size_t n = strlen(line);
	while (n && isspace((unsigned char) line[n - 1]))
		n--;
	if (n && line[n - 1] == esc) {
		line[n - 1] = '\0';
		return true;
	}
	return false;
}

static int check_order(const struct containerfile *cf, husk_error **err)
{
	size_t i = 0;
	while (i < cf->n && cf->v[i].kind == I_ARG)
		i++;
	if (i == cf->n)
		return husk_fail(err, 0, "%s: no FROM instruction", cf->path);
	if (cf->v[i].kind != I_FROM)
		return fail_at(err, cf, cf->v[i].line, "the first instruction must be FROM (or ARG), not ",
			       cf->v[i].keyword);
	return 0;
}

int containerfile_parse(const char *text, size_t len, const char *path, struct containerfile *out,
			husk_error **err)
{
	*out = (struct containerfile) { .escape = '\\', .path = strdup(path) };
	if (!out->path)
		return husk_fail(err, ENOMEM, "%s", path);
	if (memchr(text, '\0', len)) {
		containerfile_free(out);
		return husk_fail(err, 0, "%s: a NUL byte: not a text file", path);
	}
	cleanup_free char *copy = strndup(text, len);
	cleanup_free char *logical = NULL;
	size_t llen = 0;
	int lineno = 0, start = 0, r = 0;
	bool directives = true, joining = false;
	if (!copy)
		return husk_fail(err, ENOMEM, "%s", path);
	char *save = copy, *line;
	/* strsep keeps empty lines (strtok would drop them). */
	while (r >= 0 && (line = strsep(&save, "\n")) != NULL) {
		lineno++;
		size_t n = strlen(line);
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		if (directives) {
			int d = directive(out, line, lineno, err);
			if (d < 0) {
				r = d;
				break;
			}
			if (d > 0)
				continue;
			directives = false;
		}
		const char *t = line;
		while (isspace((unsigned char) *t))
			t++;
		if (*t == '#' || (joining && *t == '\0'))
			continue;   /* comments and, inside an instruction, empty lines */
		if (!joining && *t == '\0')
			continue;
		if (!joining)
			start = lineno;
		bool more = continues(line, out->escape);
		size_t add = strlen(line);
		char *nl = realloc(logical, llen + add + 2);
		if (!nl) {
			r = husk_fail(err, ENOMEM, "%s", path);
			break;
		}
		logical = nl;
		memcpy(logical + llen, line, add);
		llen += add;
		logical[llen] = '\0';
		joining = more;
		if (!more) {
			if (!blank(logical))
				r = add_instr(out, logical, start, err);
			llen = 0;
		}
	}
	if (r >= 0 && joining && llen && !blank(logical))
		r = add_instr(out, logical, start, err);
	if (r >= 0)
		r = check_order(out, err);
	if (r < 0)
		containerfile_free(out);
	return r;
}
