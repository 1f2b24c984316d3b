/* The operations on a network configuration list (SPEC.md section 3):
 * ADD through the plugins in order, DEL in reverse, CHECK in order. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni/cni.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/log.h"

static json_object *plugin_at(json_object *list, size_t i)
{
	return json_object_array_get_idx(json_member(list, "plugins"), i);
}

static size_t n_plugins(json_object *list)
{
	return json_object_array_length(json_member(list, "plugins"));
}

static const char *type_of(json_object *list, size_t i)
{
	return json_object_get_string(json_member(plugin_at(list, i), "type"));
}

/* runtimeConfig: only what the plugin asked for in its capabilities (the
 * one husk has is portMappings, from -p). */
static json_object *runtime_config(json_object *caps, const struct cni_runtime *rt)
{
	json_object *pm = json_member(caps, "portMappings");
	if (!rt->port_mappings || !json_is_boolean(pm) || !json_object_get_boolean(pm))
		return NULL;
	json_object *rc = json_object_new_object();
	json_object_object_add(rc, "portMappings", json_object_get(rt->port_mappings));
	return rc;
}

char *cni_plugin_config(json_object *list, size_t i, const struct cni_runtime *rt,
			json_object *prev)
{
	cleanup_json json_object *conf = NULL;
	if (json_object_deep_copy(plugin_at(list, i), &conf, NULL) < 0 || !conf)
		return NULL;
	json_object *rc = runtime_config(json_member(conf, "capabilities"), rt);
	json_object_object_del(conf, "capabilities");
	json_object_object_del(conf, "runtimeConfig");
	json_object_object_del(conf, "prevResult");
	json_object_object_add(conf, "cniVersion", json_object_get(json_member(list, "cniVersion")));
	json_object_object_add(conf, "name", json_object_get(json_member(list, "name")));
	if (rc)
		json_object_object_add(conf, "runtimeConfig", rc);
	if (prev)
		json_object_object_add(conf, "prevResult", json_object_get(prev));
	const char *s = json_object_to_json_string_ext(conf, JSON_C_TO_STRING_PLAIN);
	return s ? strdup(s) : NULL;
}

static int call(json_object *list, size_t i, const struct cni_runtime *rt, const char *command,
		json_object *prev, json_object **ret, husk_error **err)
{
	cleanup_free char *conf = cni_plugin_config(list, i, rt, prev);
	if (!conf)
		return husk_fail(err, ENOMEM, "CNI %s", command);
	log_debug("CNI %s: plugin %s (%zu of %zu)", command, type_of(list, i), i + 1,
		  n_plugins(list));
	return cni_exec(rt, command, type_of(list, i), conf, ret, err);
}

/* DEL of plugins [0, n) in reverse order. */
static int del_first(json_object *list, size_t n, const struct cni_runtime *rt,
		     json_object *result, husk_error **err)
{
	int first = 0;
	for (size_t i = n; i-- > 0;) {
		json_object *out = NULL;
		husk_error *e = NULL;
		int r = call(list, i, rt, "DEL", result, &out, &e);
		json_object_put(out);
		if (r < 0 && first == 0) {
			first = r;
			*err = e;
		} else if (r < 0) {
			log_warn("%s", e->msg);
			husk_error_free(e);
		}
	}
	return first;
}

int cni_add(json_object *list, const struct cni_runtime *rt, json_object **ret, husk_error **err)
{
	json_object *prev = NULL;
	size_t n = n_plugins(list);
	for (size_t i = 0; i < n; i++) {
		json_object *out = NULL;
		int r = call(list, i, rt, "ADD", prev, &out, err);
		if (r >= 0 && !out)
			r = husk_fail(err, 0, "plugin %s: ADD: printed no result", type_of(list, i));
		if (r < 0) {
			/* The spec: a failed ADD is followed by a DEL, of every
			 * plugin up to the one that failed (it may have done part
			 * of its work). */
			husk_error *ignored = NULL;
			del_first(list, i + 1, rt, prev, &ignored);
			husk_error_free(ignored);
			json_object_put(prev);
			return -1;
		}
		json_object_put(prev);
		prev = out;
	}
	*ret = prev;
	return 0;
}

int cni_del(json_object *list, const struct cni_runtime *rt, json_object *result,
	    husk_error **err)
{
	return del_first(list, n_plugins(list), rt, result, err);
}

int cni_check(json_object *list, const struct cni_runtime *rt, json_object *result,
	      husk_error **err)
{
	if (json_object_get_boolean(json_member(list, "disableCheck")))
		return 0;
	if (!result)
		return husk_fail(err, 0, "CNI CHECK: no result of an ADD to check against");
	for (size_t i = 0; i < n_plugins(list); i++) {
		json_object *out = NULL;
		int r = call(list, i, rt, "CHECK", result, &out, err);
		json_object_put(out);
		if (r < 0)
			return r;
	}
	return 0;
}
