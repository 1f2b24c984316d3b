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
	const char *flags; /* the --flags it takes, space-separated; NULL: none split off */
} keywords[] = {
	{ "FROM", I_FROM, false, "platform" },  { "RUN", I_RUN, true, "mount" },
	{ "COPY", I_COPY, true, "from chown" }, { "ADD", I_ADD, true, "from chown" },
	{ "ENV", I_ENV, false, NULL },          { "ARG", I_ARG, false, NULL },
	{ "WORKDIR", I_WORKDIR, false, NULL },  { "USER", I_USER, false, NULL },
	{ "CMD", I_CMD, true, NULL },           { "ENTRYPOINT", I_ENTRYPOINT, true, NULL },
	{ "LABEL", I_LABEL, false, NULL },      { "EXPOSE", I_EXPOSE, false, NULL },
	{ "VOLUME", I_VOLUME, true, NULL },     { "STOPSIGNAL", I_STOPSIGNAL, false, NULL },
	{ "SHELL", I_SHELL, true, NULL },       { "MAINTAINER", I_MAINTAINER, false, NULL },
	{ "HEALTHCHECK", I_HEALTHCHECK, false, "interval timeout start-period start-interval retries" },
	{ "ONBUILD", I_ONBUILD, false, NULL },
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
	strv_free(in->heredocs);
}

void instr_free(struct instr *in)
{
	if (in)
		instr_clear(in);
	free(in);
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

static char *trimmed(const char *s)
{
	while (isspace((unsigned char) *s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char) s[n - 1]))
		n--;
	return strndup(s, n);
}

/* Whether word (of len bytes) is one of the space-separated names of list. */
static bool listed(const char *list, const char *word, size_t len)
{
	for (const char *p = list; p && *p;) {
		size_t n = strcspn(p, " ");
		if (n == len && strncmp(p, word, len) == 0)
			return true;
		p += n + (p[n] == ' ');
	}
	return false;
}

static int check_flags(const struct containerfile *cf, const struct instr *in, const char *allowed,
		       husk_error **err)
{
	for (char **f = in->flags; *f; f++) {
		size_t n = strcspn(*f, "=");
		if (!listed(allowed, *f, n))
			return husk_fail(err, 0, "%s:%d: %s --%.*s: a flag husk build does not support",
					 cf->path, in->line, in->keyword, (int) (n > 40 ? 40 : n), *f);
	}
	const char *platform = instr_flag(in, "platform");
	if (platform && strcmp(platform, "linux/amd64") != 0)
		return husk_fail(err, 0, "%s:%d: FROM --platform=%.40s: husk builds linux/amd64 only",
				 cf->path, in->line, platform);
	return 0;
}

/* HEALTHCHECK [flags] CMD command | NONE: sub, and the command as exec or
 * shell form in args or rest. */
static int healthcheck(const struct containerfile *cf, struct instr *in, husk_error **err)
{
	if (strcasecmp(in->rest, "NONE") == 0) {
		in->sub = "NONE";
		if (in->flags[0])
			return fail_at(err, cf, in->line, "HEALTHCHECK NONE takes no flags", NULL);
		return 0;
	}
	if (strncasecmp(in->rest, "CMD", 3) != 0 || !isspace((unsigned char) in->rest[3]))
		return fail_at(err, cf, in->line, "HEALTHCHECK expects CMD command or NONE", NULL);
	in->sub = "CMD";
	bool json = false;
	char *cmd = trimmed(in->rest + 3);
	if (!cmd || parse_exec(cmd, &in->args, &json) < 0) {
		free(cmd);
		return husk_fail(err, ENOMEM, "%s", cf->path);
	}
	free(in->rest);
	in->rest = cmd;
	in->exec_form = json;
	if (json && !in->args[0])
		return fail_at(err, cf, in->line, "HEALTHCHECK CMD: an empty list", NULL);
	return 0;
}

/* The here-document markers of a shell-form line: their words (malloc'd,
 * NULL-terminated, never NULL) and whether each strips tabs ("<<-").
 * Markers inside quotes and "<<<" are not ones. */
static int heredoc_markers(const char *s, char ***words, bool **strip)
{
	size_t n = 0;
	*words = calloc(1, sizeof(char *));
	*strip = NULL;
	if (!*words)
		return -ENOMEM;
	char quote = 0;
	for (const char *p = s; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
			continue;
		}
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '\'' || *p == '"') {
			quote = *p;
			continue;
		}
		if (p[0] != '<' || p[1] != '<' || p[2] == '<')
			continue;
		const char *w = p + 2;
		bool dash = *w == '-';
		w += dash;
		char q = (*w == '"' || *w == '\'') ? *w++ : 0;
		size_t len = 0;
		while (isalnum((unsigned char) w[len]) || w[len] == '_')
			len++;
		if (!len || (q && w[len] != q))
			continue;
		bool *ns = realloc(*strip, (n + 1) * sizeof(bool));
		if (!ns || strv_push(words, &n, strndup(w, len)) < 0) {
			if (ns)
				*strip = ns;
			return -ENOMEM;
		}
		*strip = ns;
		ns[n - 1] = dash;
		p = w + len + (q != 0) - 1;
	}
	return 0;
}

/* The line of the instruction is only one marker: "<<EOF", "<<-'EOF'". */
static bool lone_marker(const char *rest)
{
	char **w = NULL;
	bool *strip = NULL;
	bool lone = false;
	if (heredoc_markers(rest, &w, &strip) == 0 && w[0] && !w[1] && strncmp(rest, "<<", 2) == 0) {
		size_t n = 2 + (rest[2] == '-');
		n += (rest[n] == '"' || rest[n] == '\'') ? strlen(w[0]) + 2 : strlen(w[0]);
		lone = rest[n] == '\0';
	}
	strv_free(w);
	free(strip);
	return lone;
}

/* raw: the lines after the instruction's (here-documents and their end
 * lines, "" when none); bodies: theirs, taken. */
static int add_instr(struct containerfile *cf, const char *logical, const char *raw, char **bodies,
		     int line, husk_error **err)
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
		strv_free(bodies);
		char word[64];
		snprintf(word, sizeof(word), "%.*s\"", (int) (klen > 40 ? 40 : klen), s);
		return fail_at(err, cf, line, "unknown instruction \"", word);
	}
	struct instr *nv = realloc(cf->v, (cf->n + 1) * sizeof(*nv));
	if (!nv) {
		strv_free(bodies);
		return husk_fail(err, ENOMEM, "%s", cf->path);
	}
	cf->v = nv;
	struct instr *in = &cf->v[cf->n];
	*in = (struct instr) { .kind = keywords[k].kind, .keyword = keywords[k].name, .line = line,
			       .heredocs = bodies ? bodies : calloc(1, sizeof(char *)) };
	const char *rest = e;
	int r = in->heredocs ? 0 : -ENOMEM;
	if (r == 0 && asprintf(&in->text, "%s%s%s", s, *raw ? "\n" : "", raw) < 0) {
		in->text = NULL;
		r = -ENOMEM;
	}
	if (r == 0 && keywords[k].flags)
		r = split_flags(e, &in->flags, &rest);
	else if (r == 0 && !(in->flags = calloc(1, sizeof(char *))))
		r = -ENOMEM;
	bool json = false;
	if (r == 0 && keywords[k].exec_form && !in->heredocs[0])
		r = parse_exec(rest, &in->args, &json);
	in->exec_form = json;
	if (r == 0 && !json && !(in->rest = trimmed(rest)))
		r = -ENOMEM;
	if (r == 0 && in->kind == I_RUN && in->heredocs[0]) {
		/* the script alone, or the text and the documents for the shell */
		char *script = NULL;
		if (lone_marker(in->rest))
			script = strdup(in->heredocs[0]);
		else if (asprintf(&script, "%s\n%s", in->rest, raw) < 0)
			script = NULL;
		free(in->rest);
		in->rest = script;
		r = script ? 0 : -ENOMEM;
	}
	if (r < 0) {
		instr_clear(in);
		return husk_fail(err, ENOMEM, "%s", cf->path);
	}
	cf->n++;
	if ((r = check_flags(cf, in, keywords[k].flags, err)) < 0)
		return r;
	if (!json && in->rest[0] == '\0' && !(in->kind == I_RUN && in->heredocs[0]))
		return fail_at(err, cf, line, in->keyword, " needs arguments");
	if (in->kind == I_SHELL && !json)
		return fail_at(err, cf, line, "SHELL needs the JSON form: SHELL [\"executable\", \"arg\"...]",
			       NULL);
	if (json && in->args[0] == NULL && (in->kind == I_SHELL || in->kind == I_COPY || in->kind == I_ADD))
		return fail_at(err, cf, line, in->keyword, ": an empty list");
	if (in->kind == I_HEALTHCHECK)
		return healthcheck(cf, in, err);
	if (in->kind == I_ONBUILD) {
		/* the trigger must be an instruction that can run later */
		struct instr *t = NULL;
		if (strncasecmp(in->rest, "ONBUILD", 7) == 0 &&
		    (!in->rest[7] || isspace((unsigned char) in->rest[7])))
			return fail_at(err, cf, line, "ONBUILD cannot trigger ONBUILD", NULL);
		r = instr_parse(in->rest, cf->path, line, &t, err);
		if (r >= 0 && (t->kind == I_ONBUILD || t->kind == I_FROM || t->kind == I_MAINTAINER))
			r = fail_at(err, cf, line, "ONBUILD cannot trigger ", t->keyword);
		instr_free(t);
		return r;
	}
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
	if (nlen == 6 && strncasecmp(name, "syntax", 6) == 0) {
		/* another frontend is another language: refused, not misread */
		static const char *const ours[] = { "docker/dockerfile", "docker.io/docker/dockerfile",
						    "docker.io/library/dockerfile" };
		for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
			size_t n = strlen(ours[i]);
			if (vlen >= n && strncmp(s, ours[i], n) == 0 &&
			    (vlen == n || s[n] == ':' || s[n] == '@' || s[n] == ' '))
				return 1;
		}
		char v[64];
		snprintf(v, sizeof(v), "%.*s", (int) (vlen > 40 ? 40 : vlen), s);
		return fail_at(err, cf, lineno, "syntax directive: husk build reads the Dockerfile "
			       "language only (docker/dockerfile[:VERSION]), not ", v);
	}
	if (nlen == 5 && strncasecmp(name, "check", 5) == 0)
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

/* Appends line and a newline to *buf (of *len bytes). */
static int append_line(char **buf, size_t *len, const char *line)
{
	size_t n = strlen(line);
	char *nb = realloc(*buf, *len + n + 2);
	if (!nb)
		return -ENOMEM;
	memcpy(nb + *len, line, n);
	*len += n;
	nb[(*len)++] = '\n';
	nb[*len] = '\0';
	*buf = nb;
	return 0;
}

/* The here-documents logical names, read from the lines after it (*save,
 * strsep's): *raw the lines as written (without the last newline),
 * *bodies their texts; 0 when it names none. */
static int read_heredocs(struct containerfile *cf, const char *logical, int start, char **save,
			 int *lineno, char **raw, char ***bodies, husk_error **err)
{
	const char *s = logical + strspn(logical, " \t");
	size_t klen = strcspn(s, " \t");
	*raw = NULL;
	*bodies = NULL;
	if (!((klen == 3 && (!strncasecmp(s, "RUN", 3) || !strncasecmp(s, "ADD", 3))) ||
	      (klen == 4 && !strncasecmp(s, "COPY", 4))))
		return 0;
	cleanup_strv char **words = NULL;
	cleanup_free bool *strip = NULL;
	if (heredoc_markers(s + klen, &words, &strip) < 0)
		return husk_fail(err, ENOMEM, "%s", cf->path);
	if (!words[0] || s[klen + strspn(s + klen, " \t")] == '[')
		return 0;
	size_t rlen = 0, nb = 0;
	*bodies = calloc(1, sizeof(char *));
	if (!*bodies)
		return husk_fail(err, ENOMEM, "%s", cf->path);
	for (size_t i = 0; words[i]; i++) {
		char *body = calloc(1, 1), *line;
		size_t blen = 0;
		bool ended = false;
		int r = body ? 0 : -ENOMEM;
		while (r == 0 && (line = strsep(save, "\n")) != NULL) {
			(*lineno)++;
			size_t n = strlen(line);
			if (n && line[n - 1] == '\r')
				line[n - 1] = '\0';
			if (append_line(raw, &rlen, line) < 0) {
				r = -ENOMEM;
				break;
			}
			const char *t = line;
			if (strip[i])
				t += strspn(t, "\t");
			if (strcmp(t, words[i]) == 0) {
				ended = true;
				break;
			}
			r = append_line(&body, &blen, t);
		}
		if (r == 0)
			r = strv_push(bodies, &nb, body);
		else
			free(body);
		if (r < 0)
			return husk_fail(err, ENOMEM, "%s", cf->path);
		if (!ended)
			return husk_fail(err, 0, "%s:%d: here-document <<%s: no line %s ends it", cf->path,
					 start, words[i], words[i]);
	}
	if (rlen)
		(*raw)[rlen - 1] = '\0';
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
			char *raw = NULL, **bodies = NULL;
			if (!blank(logical) &&
			    (r = read_heredocs(out, logical, start, &save, &lineno, &raw, &bodies, err)) >= 0)
				r = add_instr(out, logical, raw ? raw : "", bodies, start, err);
			else
				strv_free(bodies);
			free(raw);
			llen = 0;
		}
	}
	if (r >= 0 && joining && llen && !blank(logical))
		r = add_instr(out, logical, "", NULL, start, err);
	if (r >= 0)
		r = check_order(out, err);
	if (r < 0)
		containerfile_free(out);
	return r;
}

int instr_parse(const char *text, const char *path, int line, struct instr **out, husk_error **err)
{
	struct containerfile cf = { .escape = '\\', .path = strdup(path) };
	*out = NULL;
	if (!cf.path)
		return husk_fail(err, ENOMEM, "%s", path);
	int r = add_instr(&cf, text, "", NULL, line, err);
	if (r >= 0 && !(*out = malloc(sizeof(**out))))
		r = husk_fail(err, ENOMEM, "%s", path);
	if (r >= 0) {
		**out = cf.v[0];
		cf.n = 0;
	}
	containerfile_free(&cf);
	return r;
}
