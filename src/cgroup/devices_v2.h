/* Device rules on cgroup v2, where the kernel asks an eBPF program of the
 * cgroup (BPF_PROG_TYPE_CGROUP_DEVICE) instead of devices.allow/deny:
 * bpf/devices.bpf.c, loaded with libbpf with the rules as its data. */
#ifndef HUSK_CGROUP_DEVICES_V2_H
#define HUSK_CGROUP_DEVICES_V2_H

#include <json-c/json.h>

#include "util/error.h"

/* Attaches a filter for linux.resources.devices (list, with the default
 * devices after it) to the cgroup directory dir, in place of the one husk
 * attached before.  It stays attached after husk exits and goes away with
 * the cgroup. */
int devices_v2_apply(const char *dir, json_object *list, husk_error **err);

#endif
