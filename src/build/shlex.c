/* docker's shell lexer for instruction arguments (see shlex.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "build/shlex.h"

struct buf {
	char *s;
	size_t n, cap;
	bool oom;
};

static void put(struct buf *b, char c)
{
	if (b->n + 2 > b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 64;
		char *ns = realloc(b->s, cap);
		if (!ns) {
			b->oom = true;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
	b->s[b->n++] = c;
	b->s[b->n] = '\0';
}

static void puts_buf(struct buf *b, const char *s)
{
	for (; s && *s; s++)
		put(b, *s);
}

struct lex {
	const struct shlex *sh;
	const char *p;
	husk_error **err;
	int depth;
};

static int word_until(struct lex *lx, struct buf *out, const char *stop, bool split, bool *any);

static bool name_char(char c)
{
	return isalnum((unsigned char) c) || c == '_';
}

/* After '$': a variable substituted into out. */
static int variable(struct lex *lx, struct buf *out)
{
	const char *p = lx->p;
	if (*p != '{') {
		const char *s = p;
		while (name_char(*p))
			p++;
		if (p == s) {
			put(out, '$');
			return 0;
		}
		char name[256];
		size_t n = (size_t) (p - s) < sizeof(name) - 1 ? (size_t) (p - s) : sizeof(name) - 1;
		memcpy(name, s, n);
		name[n] = '\0';
		puts_buf(out, lx->sh->lookup(lx->sh->ctx, name));
		lx->p = p;
		return 0;
	}
	p++;
	const char *s = p;
	while (name_char(*p))
		p++;
	if (p == s)
		return husk_fail(lx->err, 0, "bad substitution: \"${%.20s\"", s);
	char name[256];
	size_t n = (size_t) (p - s) < sizeof(name) - 1 ? (size_t) (p - s) : sizeof(name) - 1;
	memcpy(name, s, n);
	name[n] = '\0';
	const char *val = lx->sh->lookup(lx->sh->ctx, name);
	if (*p == '}') {
		puts_buf(out, val);
		lx->p = p + 1;
		return 0;
	}
	if (*p == '\0')
		return husk_fail(lx->err, 0, "bad substitution: no } after ${%s", name);
	bool colon = *p == ':';
	if (colon)
		p++;
	char op = *p;
	if (op != '-' && op != '+')
		return husk_fail(lx->err, 0, "bad substitution: \"${%s%s%c\": only :- :+ - + are known",
				 name, colon ? ":" : "", op ? op : ' ');
	lx->p = p + 1;
	if (++lx->depth > 64)
		return husk_fail(lx->err, 0, "bad substitution: nested too deep");
	struct buf word = { 0 };
	bool any = false;
	int r = word_until(lx, &word, "}", false, &any);
	lx->depth--;
	if (r < 0 || *lx->p != '}') {
		free(word.s);
		return r < 0 ? r : husk_fail(lx->err, 0, "bad substitution: no } after ${%s", name);
	}
	lx->p++;
	bool set = val != NULL && (!colon || *val);
	if (op == '-')
		puts_buf(out, set ? val : word.s);
	else if (set)
		puts_buf(out, word.s);
	free(word.s);
	return 0;
}

/* Reads one word (split: stops at white space) up to a char of stop. */
static int word_until(struct lex *lx, struct buf *out, const char *stop, bool split, bool *any)
{
	char esc = lx->sh->escape;
	while (*lx->p && !strchr(stop, *lx->p)) {
		char c = *lx->p;
		if (split && isspace((unsigned char) c))
			break;
		*any = true;
		if (c == esc) {
			lx->p++;
			if (*lx->p)
				put(out, *lx->p++);
		} else if (c == '\'') {
			const char *e = strchr(lx->p + 1, '\'');
			if (!e)
				return husk_fail(lx->err, 0, "unexpected end of text: no closing '");
			for (const char *q = lx->p + 1; q < e; q++)
				put(out, *q);
			lx->p = e + 1;
		} else if (c == '"') {
			lx->p++;
			while (*lx->p && *lx->p != '"') {
				if (*lx->p == esc && lx->p[1] &&
				    (lx->p[1] == '"' || lx->p[1] == '$' || lx->p[1] == esc)) {
					put(out, lx->p[1]);
					lx->p += 2;
				} else if (*lx->p == '$') {
					lx->p++;
					int r = variable(lx, out);
					if (r < 0)
						return r;
				} else {
					put(out, *lx->p++);
				}
			}
			if (*lx->p != '"')
				return husk_fail(lx->err, 0, "unexpected end of text: no closing \"");
			lx->p++;
		} else if (c == '$') {
			lx->p++;
			int r = variable(lx, out);
			if (r < 0)
				return r;
		} else {
			put(out, c);
			lx->p++;
		}
	}
	return 0;
}

int shlex_words(const struct shlex *sh, const char *in, char ***words, husk_error **err)
{
	struct lex lx = { .sh = sh, .p = in, .err = err };
	size_t n = 0;
	char **v = calloc(1, sizeof(char *));
	if (!v)
		return husk_fail(err, ENOMEM, "words");
	for (;;) {
		while (isspace((unsigned char) *lx.p))
			lx.p++;
		if (!*lx.p)
			break;
		struct buf b = { 0 };
		bool any = false;
		int r = word_until(&lx, &b, "", true, &any);
		char **nv = r < 0 || b.oom ? NULL : realloc(v, (n + 2) * sizeof(char *));
		if (!nv) {
			free(b.s);
			for (size_t i = 0; i < n; i++)
				free(v[i]);
			free(v);
			return r < 0 ? r : husk_fail(err, ENOMEM, "words");
		}
		v = nv;
		v[n++] = b.s ? b.s : strdup("");
		v[n] = NULL;
	}
	*words = v;
	return 0;
}

int shlex_word(const struct shlex *sh, const char *in, char **out, husk_error **err)
{
	struct lex lx = { .sh = sh, .p = in, .err = err };
	struct buf b = { 0 };
	bool any = false;
	int r = word_until(&lx, &b, "", false, &any);
	if (r < 0 || b.oom) {
		free(b.s);
		return r < 0 ? r : husk_fail(err, ENOMEM, "word");
	}
	*out = b.s ? b.s : strdup("");
	return *out ? 0 : husk_fail(err, ENOMEM, "word");
}
