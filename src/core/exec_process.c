/* The process of an exec: the --process JSON (or the container's own
 * process) with the command line's changes, as a parsed and validated spec.
 * Apart from exec.c so that the fuzz harness reaches it without a container. */
#include "core/container.h"
#include "core/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/json.h"

static json_object *strings_array(char *const *v)
{
	json_object *a = json_object_new_array();
	for (; v && *v; v++)
		json_object_array_add(a, json_object_new_string(*v));
	return a;
}

/* Appends v's strings to the array at obj[key], creating it. */
static void append_strings(json_object *obj, const char *key, const char **v)
{
	json_object *a = json_member(obj, key);
	if (a == NULL || !json_is_array(a)) {
		a = json_object_new_array();
		json_object_object_add(obj, key, a);
	}
	for (; v && *v; v++)
		json_object_array_add(a, json_object_new_string(*v));
}

static int parse_id(const char *s, const char *what, int64_t *ret, husk_error **err)
{
	char *end;
	errno = 0;
	long long n = strtoll(s, &end, 10);
	if (errno || end == s || (*end && *end != ':') || n < 0 || n >= UINT32_MAX)
		return husk_fail(err, 0, "exec: %s \"%s\" is not a numeric id", what, s);
	*ret = n;
	return 0;
}

static int apply_user(json_object *proc, const struct exec_options *o, husk_error **err)
{
	json_object *user = json_member(proc, "user");
	if (user == NULL) {
		user = json_object_new_object();
		json_object_object_add(proc, "user", user);
	}
	int64_t id = 0;
	int r;
	if (o->user) {
		if ((r = parse_id(o->user, "--user", &id, err)) < 0)
			return r;
		json_object_object_add(user, "uid", json_object_new_int64(id));
		const char *colon = strchr(o->user, ':');
		if (colon) {
			if ((r = parse_id(colon + 1, "--user gid", &id, err)) < 0)
				return r;
			json_object_object_add(user, "gid", json_object_new_int64(id));
		}
	}
	for (const char **g = o->additional_gids; g && *g; g++) {
		if ((r = parse_id(*g, "--additional-gids", &id, err)) < 0)
			return r;
		json_object *a = json_member(user, "additionalGids");
		if (a == NULL) {
			a = json_object_new_array();
			json_object_object_add(user, "additionalGids", a);
		}
		json_object_array_add(a, json_object_new_int64(id));
	}
	return 0;
}

/* The process object of the exec: --process as given, or the container's
 * process with the command line's changes. */
static int exec_process(const struct exec_options *o, const struct spec *container,
			const char *text, size_t len, json_object **ret, husk_error **err)
{
	json_object *proc = NULL;
	int r;
	if (text) {
		if ((r = json_parse_text(text, len, &proc, err)) < 0)
			return husk_wrap(err, "exec: --process");
	} else if (json_object_deep_copy(json_member(container->json, "process"), &proc, NULL) < 0) {
		return husk_fail(err, ENOMEM, "exec");
	}
	if (!json_is_object(proc)) {
		json_object_put(proc);
		return husk_fail(err, 0, "exec: the process must be a JSON object");
	}
	/* What a --process file leaves out is the container's, as in runc. */
	static const char *const inherited[] = { "capabilities", "rlimits", "noNewPrivileges",
						  "apparmorProfile", "selinuxLabel" };
	json_object *cproc = json_member(container->json, "process");
	for (size_t i = 0; text && i < sizeof(inherited) / sizeof(*inherited); i++) {
		json_object *v = json_member(cproc, inherited[i]);
		if (v && json_member(proc, inherited[i]) == NULL)
			json_object_object_add(proc, inherited[i], json_object_get(v));
	}
	/* The command line's changes go into these: json-c asserts (or
	 * corrupts memory) when adding to one that is not what it should be. */
	json_object *user = json_member(proc, "user"), *caps = json_member(proc, "capabilities"),
		    *gids = user ? json_member(user, "additionalGids") : NULL;
	const char *bad = user && !json_is_object(user)   ? "user: must be an object"
			  : caps && !json_is_object(caps) ? "capabilities: must be an object"
			  : gids && !json_is_array(gids)  ? "user.additionalGids: must be an array"
							  : NULL;
	if (bad) {
		json_object_put(proc);
		return husk_fail(err, 0, "exec: process.%s", bad);
	}
	if (o->argv && o->argv[0])
		json_object_object_add(proc, "args", strings_array(o->argv));
	if (o->tty || !text)
		json_object_object_add(proc, "terminal", json_object_new_boolean(o->tty));
	if (o->cwd)
		json_object_object_add(proc, "cwd", json_object_new_string(o->cwd));
	append_strings(proc, "env", o->env);
	if (o->caps) {
		json_object *caps = json_member(proc, "capabilities");
		if (caps == NULL) {
			caps = json_object_new_object();
			json_object_object_add(proc, "capabilities", caps);
		}
		append_strings(caps, "bounding", o->caps);
		append_strings(caps, "effective", o->caps);
		append_strings(caps, "permitted", o->caps);
	}
	if (o->no_new_privs)
		json_object_object_add(proc, "noNewPrivileges", json_object_new_boolean(1));
	if (o->apparmor)
		json_object_object_add(proc, "apparmorProfile", json_object_new_string(o->apparmor));
	if (o->process_label)
		json_object_object_add(proc, "selinuxLabel", json_object_new_string(o->process_label));
	if ((r = apply_user(proc, o, err)) < 0) {
		json_object_put(proc);
		return r;
	}
	*ret = proc;
	return 0;
}

/* Parsed and validated by the config parser: wrapped in a minimal config. */
static int parse_exec_process(json_object *proc, struct spec **ret, husk_error **err)
{
	cleanup_json json_object *doc = json_object_new_object(), *root = json_object_new_object();
	json_object_object_add(doc, "ociVersion", json_object_new_string("1.0.2"));
	json_object_object_add(root, "path", json_object_new_string("/"));
	json_object_object_add(doc, "root", json_object_get(root));
	json_object_object_add(doc, "process", json_object_get(proc));
	cleanup_free char *text = json_to_string(doc, false);
	int r = spec_parse(text, strlen(text), ret, err);
	if (r >= 0 && (r = spec_validate(*ret, err)) < 0)
		spec_freep(ret);
	if (r < 0)
		return husk_wrap(err, "exec");
	return 0;
}

int exec_process_spec(const struct exec_options *o, const struct spec *container, const char *text,
		      size_t len, struct spec **ret, husk_error **err)
{
	cleanup_json json_object *proc = NULL;
	int r = exec_process(o, container, text, len, &proc, err);
	if (r < 0)
		return r;
	return parse_exec_process(proc, ret, err);
}
