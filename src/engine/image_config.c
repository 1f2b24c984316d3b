/* config.json's process from the image config (OCI image-spec "config")
 * and the flags, with docker's rules: COMMAND replaces Cmd; --entrypoint
 * replaces Entrypoint and clears Cmd; -e and --env-file are merged over
 * the image's Env (the later wins); -w over WorkingDir; -u over User;
 * Labels become annotations. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/signals.h"

static json_object *image_section(const struct store_image *img, const char *key)
{
	json_object *c = json_member(img->config, "config");
	return c ? json_member(c, key) : NULL;
}

static const char *image_string(const struct store_image *img, const char *key)
{
	json_object *v = image_section(img, key);
	return v && json_is_string(v) ? json_object_get_string(v) : NULL;
}

/* Entrypoint and Cmd are docker's "strslice": an array of strings, or one
 * string standing for an array of one (as docker reads them). */
static int append_strings(json_object *to, json_object *from)
{
	if (!from || json_object_is_type(from, json_type_null))
		return 0;
	if (json_is_string(from)) {
		json_object_array_add(to, json_object_get(from));
		return 0;
	}
	if (!json_is_array(from))
		return -EINVAL;
	for (size_t i = 0; i < json_object_array_length(from); i++) {
		json_object *s = json_object_array_get_idx(from, i);
		if (!json_is_string(s))
			return -EINVAL;
		json_object_array_add(to, json_object_get(s));
	}
	return 0;
}

/* The environment being built: NAME -> "NAME=VALUE", in json-c's object,
 * a hash table that keeps the order of insertion (a replaced NAME keeps
 * its place).  An image's Env may hold a hundred thousand entries: a
 * linear search per entry took minutes. */
static void env_set(json_object *env, const char *kv)
{
	cleanup_free char *key = strndup(kv, strcspn(kv, "="));
	if (key)
		json_object_object_add(env, key, json_object_new_string(kv));
}

static bool env_has(json_object *env, const char *key)
{
	return json_object_object_get_ex(env, key, NULL);
}

/* -e NAME=VALUE, or NAME: its value in husk's environment (skipped when
 * unset), as docker. */
static void env_flag(json_object *env, const char *arg)
{
	if (strchr(arg, '=')) {
		env_set(env, arg);
		return;
	}
	const char *v = getenv(arg);
	if (!v)
		return;
	cleanup_free char *kv = NULL;
	if (asprintf(&kv, "%s=%s", arg, v) >= 0)
		env_set(env, kv);
}

/* --env-file: NAME=VALUE or NAME per line; # comments and blank lines. */
static int env_file(json_object *env, const char *path, husk_error **err)
{
	cleanup_free char *buf = NULL;
	size_t len;
	if (read_file_at(-100 /* AT_FDCWD */, path, &buf, &len, err) < 0)
		return husk_wrap(err, "--env-file %s", path);
	if (strlen(buf) != len)
		return husk_fail(err, 0, "--env-file %s: holds a NUL byte", path);
	for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(line);
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		line += strspn(line, " \t");
		if (!*line || *line == '#')
			continue;
		if (*line == '=')
			return husk_fail(err, 0, "--env-file %s: \"%s\": no variable name", path, line);
		env_flag(env, line);
	}
	return 0;
}

static int process_args(json_object *proc, json_object *conf, const struct store_image *img,
			const struct engine_flags *f, husk_error **err)
{
	json_object *entry = json_object_new_array(), *cmd;
	if (f->entrypoint) {
		if (*f->entrypoint)
			json_object_array_add(entry, json_object_new_string(f->entrypoint));
	} else if (append_strings(entry, image_section(img, "Entrypoint")) < 0) {
		json_object_put(entry);
		return husk_fail(err, 0, "image %.19s: Entrypoint is not an array of strings", img->id);
	}
	if (f->command && f->command[0]) {
		cmd = json_strv(f->command);
	} else {
		cmd = json_object_new_array();
		if (!f->entrypoint && append_strings(cmd, image_section(img, "Cmd")) < 0) {
			json_object_put(entry);
			json_object_put(cmd);
			return husk_fail(err, 0, "image %.19s: Cmd is not an array of strings", img->id);
		}
	}
	json_object *args = json_object_new_array();
	append_strings(args, entry);
	append_strings(args, cmd);
	json_object_object_add(conf, "Entrypoint", entry);
	json_object_object_add(conf, "Cmd", cmd);
	if (json_object_array_length(args) == 0) {
		json_object_put(args);
		return husk_fail(err, 0, "image %.19s: no command: the image has no Entrypoint or Cmd, "
				 "and none was given", img->id);
	}
	json_object_object_add(proc, "args", args);
	return 0;
}

static int process_env(json_object *proc, const struct store_image *img,
		       const struct engine_flags *f, const struct user_ids *u, husk_error **err)
{
	cleanup_json json_object *env = json_object_new_object();
	json_object *ienv = image_section(img, "Env");
	for (size_t i = 0; ienv && json_is_array(ienv) && i < json_object_array_length(ienv); i++) {
		json_object *e = json_object_array_get_idx(ienv, i);
		if (json_is_string(e) && strchr(json_object_get_string(e), '='))
			env_set(env, json_object_get_string(e));
	}
	if (!env_has(env, "PATH"))
		env_set(env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	for (char **p = f->env_files; p && *p; p++)
		if (env_file(env, *p, err) < 0)
			return -1;
	for (char **p = f->env; p && *p; p++) {
		if (**p == '=')
			return husk_fail(err, 0, "-e %s: no variable name", *p);
		env_flag(env, *p);
	}
	if (f->tty && !env_has(env, "TERM"))
		env_set(env, "TERM=xterm");
	if (!env_has(env, "HOSTNAME") && f->hostname) {
		cleanup_free char *h = NULL;
		if (asprintf(&h, "HOSTNAME=%s", f->hostname) >= 0)
			env_set(env, h);
	}
	if (!env_has(env, "HOME")) {
		cleanup_free char *h = NULL;
		if (asprintf(&h, "HOME=%s", u->home && *u->home ? u->home : "/") >= 0)
			env_set(env, h);
	}
	json_object *list = json_object_new_array_ext(json_object_object_length(env));
	json_object_object_foreach(env, k, v) {
		(void) k;
		json_object_array_add(list, json_object_get(v));
	}
	json_object_object_add(proc, "env", list);
	return 0;
}

int image_config_apply(json_object *spec, json_object *meta, const struct store_image *img,
		       const struct engine_flags *f, int rootfd, husk_error **err)
{
	json_object *proc = json_member(spec, "process");
	json_object *conf = json_object_new_object();
	json_object_object_add(meta, "config", conf);
	if (process_args(proc, conf, img, f, err) < 0)
		return -1;

	const char *user = f->user ? f->user : image_string(img, "User");
	struct user_ids u;
	if (user_resolve(rootfd, user, &u, err) < 0)
		return -1;
	json_object *ju = json_object_new_object();
	json_object_object_add(ju, "uid", json_object_new_int64(u.uid));
	json_object_object_add(ju, "gid", json_object_new_int64(u.gid));
	if (u.n_gids) {
		json_object *g = json_object_new_array();
		for (size_t i = 0; i < u.n_gids; i++)
			json_object_array_add(g, json_object_new_int64(u.gids[i]));
		json_object_object_add(ju, "additionalGids", g);
	}
	json_object_object_add(proc, "user", ju);
	int r = process_env(proc, img, f, &u, err);
	user_ids_free(&u);
	if (r < 0)
		return r;

	const char *cwd = f->workdir ? f->workdir : image_string(img, "WorkingDir");
	if (!cwd || !*cwd)
		cwd = "/";
	if (cwd[0] != '/')
		return husk_fail(err, 0, "%s %s: the working directory must be absolute",
				 f->workdir ? "-w" : "the image's WorkingDir", cwd);
	json_object_object_add(proc, "cwd", json_object_new_string(cwd));
	json_object_object_add(proc, "terminal", json_object_new_boolean(f->tty));

	json_object *labels = image_section(img, "Labels"), *ann = json_object_new_object();
	json_object *jl = json_object_new_object();
	if (labels && json_is_object(labels)) {
		json_object_object_foreach(labels, k, v) {
			if (!json_is_string(v))
				continue;
			json_object_object_add(ann, k, json_object_get(v));
			json_object_object_add(jl, k, json_object_get(v));
		}
	}
	json_object_object_add(spec, "annotations", ann);
	json_object_object_add(conf, "Labels", jl);
	json_object_object_add(conf, "Env", json_object_get(json_member(proc, "env")));
	json_object_object_add(conf, "WorkingDir", json_object_new_string(cwd));
	json_object_object_add(conf, "User", json_object_new_string(user ? user : ""));
	const char *stop = image_string(img, "StopSignal");
	int sig;
	/* Refused at create, as docker does, rather than a stop that
	 * silently sends SIGTERM instead. */
	if (stop && signal_parse(stop, &sig, err) < 0)
		return husk_wrap(err, "the image's StopSignal");
	json_object_object_add(conf, "StopSignal", json_object_new_string(stop ? stop : "SIGTERM"));
	json_object_object_add(conf, "Tty", json_object_new_boolean(f->tty));
	json_object_object_add(conf, "OpenStdin", json_object_new_boolean(f->interactive));
	return 0;
}
