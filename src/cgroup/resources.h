/* linux.resources written to cgroup files, and the stats read back, in
 * runc's shapes, for both cgroup versions (with runc's v1→v2 conversions:
 * cpu shares → weight, blkio → io). */
#ifndef HUSK_CGROUP_RESOURCES_H
#define HUSK_CGROUP_RESOURCES_H

#include <json-c/json.h>
#include <stddef.h>

#include "util/error.h"

/* v1: the directory of the cgroup in the hierarchy of a controller;
 * -ENOENT when the host does not mount that controller. */
typedef int (*cgroup_dir_fn)(void *ctx, const char *controller, char *out, size_t len);

int resources_apply_v1(json_object *res, cgroup_dir_fn dir, void *ctx, husk_error **err);
int resources_stats_v1(cgroup_dir_fn dir, void *ctx, json_object **ret, husk_error **err);

int resources_apply_v2(json_object *res, const char *dir, husk_error **err);
int resources_stats_v2(const char *dir, json_object **ret, husk_error **err);

/* runc's conversions, exposed for their unit tests. */
uint64_t cpu_shares_to_weight(uint64_t shares);
uint64_t blkio_weight_to_io_weight(uint64_t weight);

#endif
