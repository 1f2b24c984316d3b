/* Variables of a build: --build-arg, ARG (global and per stage), ENV. */
#include <stdlib.h>
#include <string.h>

#include "build/build_internal.h"
#include "util/json.h"

static const char *in_strv(char **v, const char *name)
{
	size_t n = strlen(name);
	for (; v && *v; v++)
		if (strncmp(*v, name, n) == 0 && (*v)[n] == '=')
			return *v + n + 1;
	return NULL;
}

const char *build_arg_value(const struct build *b, const char *name, bool *given)
{
	size_t n = strlen(name);
	*given = false;
	for (char **a = b->o->build_args; a && *a; a++) {
		if (strncmp(*a, name, n) != 0)
			continue;
		if ((*a)[n] == '=') {
			*given = true;
			return *a + n + 1;
		}
		if ((*a)[n] == '\0') {
			const char *v = getenv(name);
			*given = v != NULL;
			return v;
		}
	}
	return NULL;
}

static const char *lookup(void *ctx, const char *name)
{
	struct build *b = ctx;
	if (b->lookup_st) {
		json_object *env = json_member(bstate_section(b->lookup_st), "Env");
		size_t n = strlen(name);
		for (size_t i = 0; env && json_is_array(env) && i < json_object_array_length(env); i++) {
			const char *e = json_object_get_string(json_object_array_get_idx(env, i));
			if (e && strncmp(e, name, n) == 0 && e[n] == '=')
				return e + n + 1;
		}
		return in_strv(b->args, name);
	}
	return in_strv(b->global_args, name);
}

/* Steps run one at a time: the build holds the state being looked in. */
struct shlex build_shlex(struct build *b, struct bstate *st)
{
	b->lookup_st = st;
	return (struct shlex) { .escape = b->cf.escape, .lookup = lookup, .ctx = b };
}
