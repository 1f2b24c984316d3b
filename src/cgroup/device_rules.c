#include "cgroup/device_rules.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup/cgroup.h"
#include "util/json.h"

/* null, zero, full, random, urandom, tty, console, ptmx and the pty
 * slaves: allowed after the config's rules, whatever they say. */
static const struct device_rule defaults[] = {
	{ 'c', 1, 3, DEVICE_RWM, true }, { 'c', 1, 5, DEVICE_RWM, true },  { 'c', 1, 7, DEVICE_RWM, true },
	{ 'c', 1, 8, DEVICE_RWM, true }, { 'c', 1, 9, DEVICE_RWM, true },  { 'c', 5, 0, DEVICE_RWM, true },
	{ 'c', 5, 1, DEVICE_RWM, true }, { 'c', 5, 2, DEVICE_RWM, true },  { 'c', 136, -1, DEVICE_RWM, true },
};
#define N_DEFAULTS (sizeof(defaults) / sizeof(defaults[0]))

static int parse_rule(json_object *o, size_t i, struct device_rule *r, husk_error **err)
{
	if (!json_is_object(o))
		return husk_fail(err, 0, "linux.resources.devices[%zu]: not an object", i);
	/* allow is required by the spec; absent reads as false, as runc
	 * reads it. */
	json_object *v = json_member(o, "allow");
	if (v && !json_is_boolean(v))
		return husk_fail(err, 0, "linux.resources.devices[%zu].allow: not a boolean", i);
	r->allow = v && json_object_get_boolean(v);

	v = json_member(o, "type");
	const char *type = v && json_is_string(v) ? json_object_get_string(v) : "a";
	if (v && !json_is_string(v))
		return husk_fail(err, 0, "linux.resources.devices[%zu].type: not a string", i);
	if (strcmp(type, "a") != 0 && strcmp(type, "b") != 0 && strcmp(type, "c") != 0)
		return husk_fail(err, 0, "linux.resources.devices[%zu].type: \"%s\" is none of a, b, c", i, type);
	r->type = type[0];

	bool given;
	r->major = json_i64(o, "major", &given);
	if (!given || r->major < 0)
		r->major = -1;
	r->minor = json_i64(o, "minor", &given);
	if (!given || r->minor < 0)
		r->minor = -1;
	if (r->major > UINT32_MAX || r->minor > UINT32_MAX)
		return husk_fail(err, 0, "linux.resources.devices[%zu]: device number out of range", i);

	v = json_member(o, "access");
	const char *access = v && json_is_string(v) ? json_object_get_string(v) : "";
	if (v && !json_is_string(v))
		return husk_fail(err, 0, "linux.resources.devices[%zu].access: not a string", i);
	r->access = *access ? 0 : DEVICE_RWM;
	for (const char *c = access; *c; c++) {
		const char *bit = strchr("mrw", *c);
		if (bit == NULL)
			return husk_fail(err, 0, "linux.resources.devices[%zu].access: \"%s\" is not made of r, w, m",
					 i, access);
		r->access |= 1u << (bit - "mrw");
	}
	/* "a" stands for every device with every access. */
	if (r->type == 'a')
		*r = (struct device_rule) { 'a', -1, -1, DEVICE_RWM, r->allow };
	return 0;
}

int device_rules_parse(json_object *list, struct device_rule **ret, size_t *n, husk_error **err)
{
	*ret = NULL;
	*n = 0;
	if (list && !json_is_array(list))
		return husk_fail(err, 0, "linux.resources.devices: not an array");
	size_t given = list ? json_object_array_length(list) : 0;
	struct device_rule *rules = calloc(given + N_DEFAULTS, sizeof(*rules));
	if (rules == NULL)
		return husk_fail(err, ENOMEM, "linux.resources.devices");
	for (size_t i = 0; i < given; i++) {
		int r = parse_rule(json_object_array_get_idx(list, i), i, &rules[i], err);
		if (r < 0) {
			free(rules);
			return r;
		}
	}
	memcpy(rules + given, defaults, sizeof(defaults));
	*ret = rules;
	*n = given + N_DEFAULTS;
	return 0;
}

void device_rule_text(const struct device_rule *r, char *buf, size_t len)
{
	if (r->type == 'a') {
		snprintf(buf, len, "a");
		return;
	}
	char maj[24] = "*", min[24] = "*", acc[4];
	size_t k = 0;
	if (r->major >= 0)
		snprintf(maj, sizeof(maj), "%" PRId64, r->major);
	if (r->minor >= 0)
		snprintf(min, sizeof(min), "%" PRId64, r->minor);
	if (r->access & DEVICE_READ)
		acc[k++] = 'r';
	if (r->access & DEVICE_WRITE)
		acc[k++] = 'w';
	if (r->access & DEVICE_MKNOD)
		acc[k++] = 'm';
	acc[k] = '\0';
	snprintf(buf, len, "%c %s:%s %s", r->type, maj, min, acc);
}
