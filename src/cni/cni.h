/* CNI, the Container Network Interface (containernetworking/cni SPEC.md,
 * version 1.0): network configuration lists, the plugins that carry them
 * out (programs run with CNI_* in the environment and the configuration on
 * stdin) and their results.  husk is the "runtime" of the spec. */
#ifndef HUSK_CNI_CNI_H
#define HUSK_CNI_CNI_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

/* The plugins' output is read up to this size (a result is a few KiB). */
#define CNI_OUTPUT_MAX (1 << 20)
#define CNI_TIMEOUT_MS_DEFAULT 60000

/* conf.c: a network configuration list from its text.  A single plugin's
 * configuration (a .conf: an object with "type") is made a list of one.
 * Checked: cniVersion (a version husk speaks), name, plugins (at least one,
 * each an object whose "type" is a plain file name).  source names the
 * text in errors. */
int cni_list_parse(const char *text, size_t len, const char *source, json_object **ret,
		   husk_error **err);
/* The list named name among DIR's *.conflist, *.conf and *.json (in the
 * order of their file names, as libcni looks), or an error. */
int cni_list_find(const char *dir, const char *name, json_object **ret, husk_error **err);
bool cni_name_valid(const char *name);

/* result.c: a plugin's result (ADD), checked: cniVersion, interfaces,
 * ips[].address (CIDRs), interface indexes in range. */
int cni_result_parse(const char *text, size_t len, json_object **ret, husk_error **err);
/* The first address of the result (without its prefix length), on the
 * container's interface when the result says which; NULL when none. */
const char *cni_result_address(json_object *result, char *buf, size_t size);
/* The message of a plugin's error object ("msg (details) [code N]"), or
 * NULL when text is not one. */
char *cni_error_message(const char *text, size_t len);

/* What a runtime hands each plugin besides the configuration. */
struct cni_runtime {
	const char *plugin_dir;    /* CNI_PATH: where plugins are (':' separated) */
	const char *container_id;  /* CNI_CONTAINERID */
	const char *netns;         /* CNI_NETNS: a path to the network namespace */
	const char *ifname;        /* CNI_IFNAME */
	const char *args;          /* CNI_ARGS, or NULL */
	json_object *port_mappings; /* runtimeConfig.portMappings, or NULL */
	int timeout_ms;            /* per plugin call */
};

/* exec.c: one plugin call: the plugin named type found in plugin_dir, run
 * with command (ADD, DEL, CHECK, VERSION) and config on stdin; *ret gets
 * its parsed stdout (NULL when empty).  A plugin that fails, hangs past the
 * timeout, prints more than CNI_OUTPUT_MAX or prints what is not JSON is
 * an error saying so. */
int cni_exec(const struct cni_runtime *rt, const char *command, const char *type,
	     const char *config, json_object **ret, husk_error **err);

/* cni.c: the operations on a whole list.  add: each plugin in order, each
 * given the previous one's result; on failure the plugins already added
 * are deleted again (in reverse order) before it returns.  *ret: the last
 * result.  del: each plugin in reverse order with the cached result (may
 * be NULL), going on past failures; returns the first.  check: in order,
 * skipped when the list sets disableCheck. */
int cni_add(json_object *list, const struct cni_runtime *rt, json_object **ret, husk_error **err);
int cni_del(json_object *list, const struct cni_runtime *rt, json_object *result,
	    husk_error **err);
int cni_check(json_object *list, const struct cni_runtime *rt, json_object *result,
	      husk_error **err);
/* The configuration plugin i of list gets on stdin (the spec's "deriving
 * execution configuration"): its own object without "capabilities", the
 * list's cniVersion and name, runtimeConfig for the capabilities it asks
 * for, prevResult.  Caller frees. */
char *cni_plugin_config(json_object *list, size_t i, const struct cni_runtime *rt,
			json_object *prev);

#endif
