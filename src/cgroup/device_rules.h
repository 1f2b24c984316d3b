/* linux.resources.devices as a list of rules, for both cgroup versions:
 * the config's rules in order, then the devices every container gets (as
 * runc adds them).  Read in order, the last rule that matches an access
 * decides it; v1 writes them to devices.allow/deny, v2 hands them to an
 * eBPF program (devices_v2.c). */
#ifndef HUSK_CGROUP_DEVICE_RULES_H
#define HUSK_CGROUP_DEVICE_RULES_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* access bits; the same values as the kernel's BPF_DEVCG_ACC_* */
enum { DEVICE_MKNOD = 1, DEVICE_READ = 2, DEVICE_WRITE = 4, DEVICE_RWM = 7 };

struct device_rule {
	char type;         /* 'a' (every device), 'b' or 'c' */
	int64_t major;     /* -1: any */
	int64_t minor;     /* -1: any */
	unsigned access;   /* DEVICE_* bits */
	bool allow;
};

/* The rules of list (which may be NULL: the defaults alone), malloc'd. */
int device_rules_parse(json_object *list, struct device_rule **ret, size_t *n, husk_error **err);

/* The rule as devices.allow/devices.deny take it: "c 1:3 rwm", "a". */
void device_rule_text(const struct device_rule *r, char *buf, size_t len);

#endif
