/* Network configuration lists (SPEC.md section 1) read and checked. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni/cni.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

/* The versions whose configuration and result formats husk reads: 0.3.0
 * on have the same "ips"/"interfaces" result (0.3.x adds "version" to
 * each ip). */
static const char *const versions[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0", NULL };

/* The spec's network name: [a-zA-Z0-9][a-zA-Z0-9_.-]*. */
bool cni_name_valid(const char *name)
{
	if (!name || !*name || strlen(name) > 128)
		return false;
	for (const char *p = name; *p; p++) {
		bool alnum = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9');
		if (!alnum && (p == name || !strchr("_.-", *p)))
			return false;
	}
	return true;
}

static int check_version(json_object *v, const char *source, husk_error **err)
{
	if (!json_is_string(v))
		return husk_fail(err, 0, "%s: cniVersion: expects a string", source);
	for (const char *const *s = versions; *s; s++)
		if (strcmp(json_object_get_string(v), *s) == 0)
			return 0;
	return husk_fail(err, 0, "%s: cniVersion %.32s: not supported (0.3.0 to 1.0.0)", source,
			 json_object_get_string(v));
}

/* A plugin's type is a file name looked up in the plugin directory: no
 * path may lead out of it. */
static int check_plugin(json_object *p, size_t i, const char *source, husk_error **err)
{
	if (!json_is_object(p))
		return husk_fail(err, 0, "%s: plugins[%zu]: expects an object", source, i);
	json_object *t = json_member(p, "type");
	const char *type = json_is_string(t) ? json_object_get_string(t) : NULL;
	if (!type || !*type || strchr(type, '/') || !strcmp(type, ".") || !strcmp(type, "..") ||
	    strlen(type) > 255 || json_string_has_nul(t))
		return husk_fail(err, 0, "%s: plugins[%zu]: type: expects a plugin's file name", source,
				 i);
	json_object *caps = json_member(p, "capabilities");
	if (caps && !json_is_object(caps))
		return husk_fail(err, 0, "%s: plugins[%zu]: capabilities: expects an object", source, i);
	return 0;
}

/* A single plugin's configuration as a list of one: its name and version
 * go up to the list. */
static json_object *wrap_single(json_object *conf)
{
	json_object *list = json_object_new_object(), *plugins = json_object_new_array();
	json_object *v = json_member(conf, "cniVersion"), *n = json_member(conf, "name");
	if (v)
		json_object_object_add(list, "cniVersion", json_object_get(v));
	if (n)
		json_object_object_add(list, "name", json_object_get(n));
	json_object *plugin = NULL;
	json_object_deep_copy(conf, &plugin, NULL);
	if (plugin) {
		json_object_object_del(plugin, "cniVersion");
		json_object_object_del(plugin, "name");
		json_object_array_add(plugins, plugin);
	}
	json_object_object_add(list, "plugins", plugins);
	return list;
}

int cni_list_parse(const char *text, size_t len, const char *source, json_object **ret,
		   husk_error **err)
{
	cleanup_json json_object *doc = NULL;
	if (json_text_has_nul(text, len))
		return husk_fail(err, 0, "%s: a NUL character in the JSON text", source);
	if (json_parse_text(text, len, &doc, err) < 0)
		return husk_wrap(err, "%s", source);
	if (!json_is_object(doc))
		return husk_fail(err, 0, "%s: expects a JSON object", source);
	if (!json_member(doc, "plugins") && json_member(doc, "type")) {
		json_object *list = wrap_single(doc);
		json_object_put(doc);
		doc = list;
	}
	json_object *name = json_member(doc, "name"), *plugins = json_member(doc, "plugins");
	json_object *dc = json_member(doc, "disableCheck");
	if (check_version(json_member(doc, "cniVersion"), source, err) < 0)
		return -1;
	if (!json_is_string(name) || !cni_name_valid(json_object_get_string(name)))
		return husk_fail(err, 0, "%s: name: expects a network name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)",
				 source);
	if (dc && !json_is_boolean(dc))
		return husk_fail(err, 0, "%s: disableCheck: expects true or false", source);
	if (!json_is_array(plugins) || json_object_array_length(plugins) == 0)
		return husk_fail(err, 0, "%s: plugins: expects a list of at least one plugin", source);
	if (json_object_array_length(plugins) > 64)
		return husk_fail(err, 0, "%s: plugins: more than 64", source);
	for (size_t i = 0; i < json_object_array_length(plugins); i++)
		if (check_plugin(json_object_array_get_idx(plugins, i), i, source, err) < 0)
			return -1;
	*ret = steal_ptr(doc);
	return 0;
}

static bool config_file(const char *n)
{
	size_t l = strlen(n);
	static const char *const exts[] = { ".conflist", ".conf", ".json", NULL };
	if (n[0] == '.')
		return false;
	for (const char *const *e = exts; *e; e++)
		if (l > strlen(*e) && strcmp(n + l - strlen(*e), *e) == 0)
			return true;
	return false;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The file names of dir's configurations, sorted. */
static int list_files(const char *dir, char ***ret, size_t *n, husk_error **err)
{
	cleanup_closedir DIR *d = opendir(dir);
	if (!d)
		return husk_fail(err, errno, "--cni-config-dir %s", dir);
	char **v = NULL;
	size_t cap = 0;
	*n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (!config_file(de->d_name))
			continue;
		if (*n + 1 >= cap) {
			cap = cap ? cap * 2 : 16;
			char **nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		v[(*n)++] = strdup(de->d_name);
		v[*n] = NULL;
	}
	if (*n > 1)
		qsort(v, *n, sizeof(*v), by_name);
	*ret = v;
	return 0;
}

int cni_list_find(const char *dir, const char *name, json_object **ret, husk_error **err)
{
	if (!cni_name_valid(name))
		return husk_fail(err, 0, "CNI network \"%.64s\": not a network name", name);
	cleanup_strv char **files = NULL;
	size_t n = 0;
	if (list_files(dir, &files, &n, err) < 0)
		return -1;
	cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return husk_fail(err, errno, "--cni-config-dir %s", dir);
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *text = NULL, *path = NULL;
		size_t len;
		if (asprintf(&path, "%s/%s", dir, files[i]) < 0)
			return husk_fail(err, ENOMEM, "CNI");
		/* Each file is read to learn its name; one that cannot be read
		 * or parsed only matters when it is the one asked for. */
		if (read_file_at(dfd, files[i], &text, &len, NULL) < 0 || len > CNI_OUTPUT_MAX)
			continue;
		cleanup_json json_object *doc = NULL;
		if (json_parse_text(text, len, &doc, NULL) < 0) {
			/* A file that is not JSON but named after the network is
			 * most likely the one: say what is wrong with it. */
			size_t nl = strlen(name);
			if (strncmp(files[i], name, nl) == 0 && files[i][nl] == '.')
				return cni_list_parse(text, len, path, ret, err);
			continue;
		}
		json_object *nm = json_member(doc, "name");
		if (!json_is_string(nm) || strcmp(json_object_get_string(nm), name))
			continue;
		return cni_list_parse(text, len, path, ret, err);
	}
	return husk_fail(err, 0, "CNI network \"%s\": no configuration of that name in %s", name,
			 dir);
}
