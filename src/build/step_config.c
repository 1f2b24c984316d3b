/* The steps that change only the image config (no layer). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/build_internal.h"
#include "util/cleanup.h"
#include "util/json.h"

static bool substitutes(enum instr_kind k)
{
	return k != I_RUN && k != I_CMD && k != I_ENTRYPOINT && k != I_SHELL && k != I_MAINTAINER &&
	       k != I_HEALTHCHECK && k != I_ONBUILD;
}

static int fail_in(const struct build *b, const struct instr *in, husk_error **err)
{
	return husk_wrap(err, "%s:%d: %s", b->cf.path, in->line, in->keyword);
}

int step_describe(struct build *b, const struct instr *in, struct bstate *st, char **desc,
		  husk_error **err)
{
	cleanup_free char *body = NULL;
	if (in->exec_form) {
		json_object *a = json_object_new_array();
		for (char **p = in->args; *p; p++)
			json_object_array_add(a, json_object_new_string(*p));
		body = strdup(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(a);
	} else if (substitutes(in->kind)) {
		struct shlex sh = build_shlex(b, st);
		if (shlex_word(&sh, in->rest, &body, err) < 0)
			return fail_in(b, in, err);
	} else {
		body = strdup(in->rest);
	}
	size_t flen = in->sub ? strlen(in->sub) + 1 : 0;
	for (char **f = in->flags; *f; f++)
		flen += strlen(*f) + 3;
	/* COPY's documents are its sources: their text is in the key */
	for (char **h = in->kind == I_RUN ? NULL : in->heredocs; h && *h; h++)
		flen += strlen(*h) + 1;
	size_t cap = strlen(in->keyword) + flen + (body ? strlen(body) : 0) + 2;
	char *d = malloc(cap);
	if (!body || !d) {
		free(d);
		return husk_fail(err, ENOMEM, "build");
	}
	size_t n = (size_t) snprintf(d, cap, "%s", in->keyword);
	for (char **f = in->flags; *f; f++)
		n += (size_t) snprintf(d + n, cap - n, " --%s", *f);
	if (in->sub)
		n += (size_t) snprintf(d + n, cap - n, " %s", in->sub);
	n += (size_t) snprintf(d + n, cap - n, " %s", body);
	for (char **h = in->kind == I_RUN ? NULL : in->heredocs; h && *h; h++)
		n += (size_t) snprintf(d + n, cap - n, "\n%s", *h);
	*desc = d;
	return 0;
}

static void strv_free(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

static void env_set(json_object *section, const char *key, size_t klen, const char *value)
{
	json_object *env = json_member(section, "Env");
	if (!env || !json_is_array(env)) {
		env = json_object_new_array();
		json_object_object_add(section, "Env", env);
	}
	cleanup_free char *kv = NULL;
	if (asprintf(&kv, "%.*s=%s", (int) klen, key, value) < 0)
		return;
	for (size_t i = 0; i < json_object_array_length(env); i++) {
		const char *e = json_object_get_string(json_object_array_get_idx(env, i));
		if (e && strncmp(e, key, klen) == 0 && e[klen] == '=') {
			json_object_array_put_idx(env, i, json_object_new_string(kv));
			return;
		}
	}
	json_object_array_add(env, json_object_new_string(kv));
}

static json_object *object_member(json_object *o, const char *key)
{
	json_object *v = json_member(o, key);
	if (!v || !json_is_object(v)) {
		v = json_object_new_object();
		json_object_object_add(o, key, v);
	}
	return v;
}

/* KEY=VALUE words (ENV, LABEL; ENV's old form "ENV KEY VALUE" too). */
static int pairs(struct build *b, const struct instr *in, struct bstate *st, json_object *target,
		 bool env, husk_error **err)
{
	struct shlex sh = build_shlex(b, st);
	char **w = NULL;
	if (shlex_words(&sh, in->rest, &w, err) < 0)
		return fail_in(b, in, err);
	int r = 0;
	if (w[0] && !strchr(w[0], '=')) {
		if (!env || !w[1]) {
			r = husk_fail(err, 0, "%s:%d: %s %s: expects KEY=VALUE", b->cf.path, in->line,
				      in->keyword, w[0]);
		} else {
			/* ENV KEY the rest of the line */
			const char *p = in->rest;
			while (*p && !isspace((unsigned char) *p))
				p++;
			cleanup_free char *value = NULL;
			if (shlex_word(&sh, p + strspn(p, " \t"), &value, err) < 0)
				r = fail_in(b, in, err);
			else
				env_set(target, w[0], strlen(w[0]), value);
		}
		strv_free(w);
		return r;
	}
	for (char **p = w; *p && r == 0; p++) {
		char *eq = strchr(*p, '=');
		if (!eq || eq == *p) {
			r = husk_fail(err, 0, "%s:%d: %s %s: expects KEY=VALUE", b->cf.path, in->line,
				      in->keyword, *p);
			break;
		}
		if (env)
			env_set(target, *p, (size_t) (eq - *p), eq + 1);
		else
			json_object_object_add(target, (*eq = '\0', *p), json_object_new_string(eq + 1));
	}
	strv_free(w);
	return r;
}

static int arg(struct build *b, const struct instr *in, husk_error **err)
{
	struct shlex sh = build_shlex(b, b->lookup_st);
	char **w = NULL;
	if (shlex_words(&sh, in->rest, &w, err) < 0)
		return fail_in(b, in, err);
	for (char **p = w; *p; p++) {
		char *eq = strchr(*p, '=');
		size_t klen = eq ? (size_t) (eq - *p) : strlen(*p);
		char name[256];
		snprintf(name, sizeof(name), "%.*s", (int) (klen < 255 ? klen : 255), *p);
		bool given;
		const char *v = build_arg_value(b, name, &given);
		if (!given && eq)
			v = eq + 1;
		if (!given && !eq) {
			/* a global ARG named again in the stage takes its value */
			size_t n = strlen(name);
			for (char **g = b->global_args; g && *g; g++)
				if (strncmp(*g, name, n) == 0 && (*g)[n] == '=')
					v = *g + n + 1;
		}
		if (!v)
			continue;
		size_t na = 0;
		while (b->args && b->args[na])
			na++;
		char *kv = NULL;
		if (asprintf(&kv, "%s=%s", name, v) < 0) {
			strv_free(w);
			return husk_fail(err, ENOMEM, "ARG");
		}
		/* later declarations win: put first */
		char **nv = realloc(b->args, (na + 2) * sizeof(char *));
		if (!nv) {
			free(kv);
			strv_free(w);
			return husk_fail(err, ENOMEM, "ARG");
		}
		memmove(nv + 1, nv, na * sizeof(char *));
		nv[0] = kv;
		nv[na + 1] = NULL;
		b->args = nv;
	}
	strv_free(w);
	return 0;
}

static json_object *command(const struct instr *in, const struct bstate *st)
{
	json_object *a = json_object_new_array();
	if (in->exec_form) {
		for (char **p = in->args; *p; p++)
			json_object_array_add(a, json_object_new_string(*p));
		return a;
	}
	if (st->shell) {
		for (char **p = st->shell; *p; p++)
			json_object_array_add(a, json_object_new_string(*p));
	} else {
		json_object_array_add(a, json_object_new_string("/bin/sh"));
		json_object_array_add(a, json_object_new_string("-c"));
	}
	json_object_array_add(a, json_object_new_string(in->rest));
	return a;
}

static char *join_path(const char *base, const char *p)
{
	char *out = NULL;
	if (asprintf(&out, "%s/%s", *p == '/' ? "" : (base && *base ? base : ""), p) < 0)
		return NULL;
	/* clean: drop "//", "/./" and resolve "/../" */
	char *r = out, *w = out;
	while (*r) {
		if (r[0] == '/' && (r[1] == '/' || r[1] == '\0')) {
			r++;
		} else if (r[0] == '/' && r[1] == '.' && (r[2] == '/' || r[2] == '\0')) {
			r += 2;
		} else if (r[0] == '/' && r[1] == '.' && r[2] == '.' && (r[3] == '/' || r[3] == '\0')) {
			r += 3;
			while (w > out && *--w != '/')
				;
		} else {
			*w++ = *r++;
		}
	}
	if (w == out)
		*w++ = '/';
	*w = '\0';
	return out;
}

int step_config(struct build *b, const struct instr *in, struct bstate *st, husk_error **err)
{
	if (in->kind == I_ARG) {
		b->lookup_st = st;
		return arg(b, in, err);   /* also before FROM, where there is no st */
	}
	json_object *sec = bstate_section(st);
	struct shlex sh = build_shlex(b, st);
	cleanup_free char *word = NULL;
	char **w = NULL;
	int r = 0;
	switch (in->kind) {
	case I_ENV:
		return pairs(b, in, st, sec, true, err);
	case I_LABEL:
		return pairs(b, in, st, object_member(sec, "Labels"), false, err);
	case I_ARG:
		return arg(b, in, err);
	case I_WORKDIR:
	case I_USER:
	case I_STOPSIGNAL:
	case I_MAINTAINER:
		if (in->kind == I_MAINTAINER)
			word = strdup(in->rest);
		else if (shlex_word(&sh, in->rest, &word, err) < 0)
			return fail_in(b, in, err);
		if (!word)
			return husk_fail(err, ENOMEM, "build");
		if (in->kind == I_WORKDIR) {
			json_object *cur = json_member(sec, "WorkingDir");
			char *p = join_path(cur ? json_object_get_string(cur) : "/", word);
			if (!p)
				return husk_fail(err, ENOMEM, "WORKDIR");
			json_object_object_add(sec, "WorkingDir", json_object_new_string(p));
			free(p);
		} else if (in->kind == I_MAINTAINER) {
			json_object_object_add(st->config, "author", json_object_new_string(word));
		} else {
			json_object_object_add(sec, in->kind == I_USER ? "User" : "StopSignal",
					       json_object_new_string(word));
		}
		return 0;
	case I_CMD:
		b->cmd_set = true;
		json_object_object_add(sec, "Cmd", command(in, st));
		return 0;
	case I_ENTRYPOINT:
		json_object_object_add(sec, "Entrypoint", command(in, st));
		if (!b->cmd_set)
			json_object_object_add(sec, "Cmd", NULL);   /* docker: the base's CMD goes */
		return 0;
	case I_SHELL:
		strv_free(st->shell);
		st->shell = NULL;
		for (size_t n = 0; in->args[n]; n++) {
			char **nv = realloc(st->shell, (n + 2) * sizeof(char *));
			if (!nv)
				return husk_fail(err, ENOMEM, "SHELL");
			st->shell = nv;
			st->shell[n] = strdup(in->args[n]);
			st->shell[n + 1] = NULL;
		}
		return 0;
	case I_EXPOSE:
	case I_VOLUME:
		if (in->exec_form) {
			w = calloc(1, sizeof(char *));
			for (size_t n = 0; w && in->args[n]; n++) {
				char **nv = realloc(w, (n + 2) * sizeof(char *));
				if (!nv)
					break;
				w = nv;
				w[n] = strdup(in->args[n]);
				w[n + 1] = NULL;
			}
		} else if (shlex_words(&sh, in->rest, &w, err) < 0) {
			return fail_in(b, in, err);
		}
		if (!w)
			return husk_fail(err, ENOMEM, "build");
		json_object *o = object_member(sec, in->kind == I_EXPOSE ? "ExposedPorts" : "Volumes");
		for (char **p = w; *p && r == 0; p++) {
			cleanup_free char *key = NULL;
			if (in->kind == I_EXPOSE && !strchr(*p, '/'))
				r = asprintf(&key, "%s/tcp", *p) < 0 ? -ENOMEM : 0;
			else
				key = strdup(*p);
			if (!key)
				r = husk_fail(err, ENOMEM, "build");
			else if (in->kind == I_EXPOSE && !isdigit((unsigned char) key[0]))
				r = husk_fail(err, 0, "%s:%d: EXPOSE %s: not a port", b->cf.path, in->line, *p);
			else
				json_object_object_add(o, key, json_object_new_object());
		}
		strv_free(w);
		return r;
	case I_HEALTHCHECK:
		return step_healthcheck(b, in, st, err);
	case I_ONBUILD:
		return step_onbuild(b, in, st, err);
	default:
		return husk_fail(err, ENOTSUP, "%s:%d: %s is not supported by husk build", b->cf.path,
				 in->line, in->keyword);
	}
}
