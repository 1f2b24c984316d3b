/* Device rules on cgroup v1: devices.allow and devices.deny, written so that
 * the change from the cgroup's present rules (devices.list) to the new
 * ones is minimal, as runc's devices emulator does: a running container
 * never loses, even for a moment, access to a device it keeps. */
#ifndef HUSK_CGROUP_DEVICES_V1_H
#define HUSK_CGROUP_DEVICES_V1_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "cgroup/device_rules.h"
#include "util/error.h"

/* The kernel's model of a devices cgroup: a default and the exceptions to
 * it (one per type:major:minor, with the access bits they cover). */
struct devices_v1_state {
	bool allow_all;
	struct device_rule *ex;   /* .allow is !allow_all */
	size_t n, cap;
};

/* What the kernel makes of rules written in order to a cgroup that starts
 * denying everything (as runc's emulator, and as v2's filter reads them). */
int devices_v1_emulate(const struct device_rule *rules, size_t n, struct devices_v1_state *st,
		       husk_error **err);
/* A devices.list. */
int devices_v1_parse_list(const char *text, struct devices_v1_state *st, husk_error **err);
void devices_v1_state_free(struct devices_v1_state *st);

/* The writes from cur to target, each as (file, line), through fn.  Where
 * both deny by default, only the exceptions that differ change, those
 * added first; else (a default changes, or an allow-all cgroup whose
 * exceptions devices.list does not show) the default is written, then
 * every exception. */
int devices_v1_transition(const struct devices_v1_state *cur, const struct devices_v1_state *target,
			  int (*fn)(const char *file, const char *line, void *ctx), void *ctx);

/* linux.resources.devices (with the defaults after it) to the cgroup
 * directory dir, minimally. */
int devices_v1_apply(const char *dir, json_object *list, husk_error **err);

#endif
