/* The systemd driver's logic that needs no bus, unit-tested on its own:
 * which unit a container gets, where systemd puts its cgroup, and
 * linux.resources as unit properties.
 *
 *   cgroupsPath "slice:prefix:name"  →  unit "<prefix>-<name>.scope" in
 *   the slice ("" → system.slice, "-" → the root slice), whose cgroup is
 *   the slice expanded ("a-b.slice" → "/a.slice/a-b.slice") + "/<unit>". */
#ifndef HUSK_CGROUP_SYSTEMD_UNIT_H
#define HUSK_CGROUP_SYSTEMD_UNIT_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "cgroup/cgroup.h"
#include "util/error.h"

#define SYSTEMD_DEFAULT_SLICE "system.slice"
#define SYSTEMD_DEFAULT_PREFIX "husk"
/* systemd's "infinity" for limits. */
#define SYSTEMD_INFINITY UINT64_MAX

/* Splits cgroupsPath (NULL or "" → ":husk:<id>") into the slice and the
 * unit name, and fills cg->slice, cg->unit and cg->path. */
int systemd_parse_path(struct cgroup *cg, const char *cgroups_path, const char *id, husk_error **err);

/* "a-b.slice" → "/a.slice/a-b.slice"; "-.slice" → "". */
int systemd_expand_slice(const char *slice, char *out, size_t len, husk_error **err);

/* One unit property, as D-Bus carries it. */
enum unit_prop_type {
	PROP_U64 = 't',
	PROP_BOOL = 'b',
	PROP_BYTES = 'y',   /* "ay": cpu and memory-node bitmasks */
};

struct unit_prop {
	const char *name;
	enum unit_prop_type type;
	uint64_t u;         /* PROP_U64, PROP_BOOL */
	uint8_t *bytes;     /* PROP_BYTES, malloc'd */
	size_t n;
};

#define UNIT_PROPS_MAX 32

struct unit_props {
	struct unit_prop p[UNIT_PROPS_MAX];
	size_t n;
};

void unit_props_clear(struct unit_props *props);

/* The properties systemd knows for what linux.resources gives (only what
 * is given, so that update changes only that), for the cgroup version of
 * the host and the version of systemd (AllowedCPUs needs 244,
 * CPUQuotaPeriodUSec 242).  With `accounting`, the *Accounting switches
 * too (unit creation). */
int systemd_resource_props(json_object *res, enum cgroup_mode mode, unsigned version,
			   bool accounting, struct unit_props *out, husk_error **err);

/* "0-2,7" → bitmask bytes (bit i of byte j is cpu 8j+i). */
int systemd_cpu_mask(const char *list, uint8_t **ret, size_t *n, husk_error **err);

/* cpu quota/period → CPUQuotaPerSecUSec, rounded up to whole percents as
 * systemd keeps it; quota <= 0 → infinity. */
uint64_t systemd_cpu_quota_per_sec(int64_t quota, int64_t period);

/* "252.38-1~deb12u1" → 252; 0 when unknown. */
unsigned systemd_parse_version(const char *text);

#endif
