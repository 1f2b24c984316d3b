#include "cgroup/systemd_unit.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup/resources.h"
#include "util/json.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

int systemd_expand_slice(const char *slice, char *out, size_t len, husk_error **err)
{
	*out = '\0';
	if (!ends_with(slice, ".slice") || strchr(slice, '/'))
		return husk_fail(err, 0, "slice \"%s\": not a slice unit name (\"name.slice\", no \"/\")", slice);
	if (strcmp(slice, "-.slice") == 0)
		return 0;
	size_t base = strlen(slice) - strlen(".slice"), used = 0;
	/* Each dash opens a level: "a-b-c.slice" lives in a-b.slice, in a.slice. */
	for (size_t i = 0; i <= base; i++) {
		if (i < base && slice[i] != '-')
			continue;
		if (i == 0 || slice[i - 1] == '-' || (i == base && slice[base - 1] == '-'))
			return husk_fail(err, 0, "slice \"%s\": empty part between dashes", slice);
		int n = snprintf(out + used, len - used, "/%.*s.slice", (int) i, slice);
		if (n < 0 || (size_t) n >= len - used)
			return husk_fail(err, ENAMETOOLONG, "slice \"%s\"", slice);
		used += n;
	}
	return 0;
}

/* Unit names hold [A-Za-z0-9:_.\-]; anything else (an id's "+") is
 * written \xNN as systemd-escape does. */
static int escape_name(const char *in, size_t in_len, char *out, size_t len)
{
	size_t used = strlen(out);
	for (size_t i = 0; i < in_len; i++) {
		unsigned char c = in[i];
		bool plain = isalnum(c) || c == '_' || c == '-' || (c == '.' && !(i == 0 && used == 0));
		int n = plain ? snprintf(out + used, len - used, "%c", c)
			      : snprintf(out + used, len - used, "\\x%02x", c);
		if (n < 0 || (size_t) n >= len - used)
			return -ENAMETOOLONG;
		used += n;
	}
	return 0;
}

int systemd_parse_path(struct cgroup *cg, const char *cgroups_path, const char *id, husk_error **err)
{
	char def[1100];
	if (cgroups_path == NULL || *cgroups_path == '\0') {
		snprintf(def, sizeof(def), ":" SYSTEMD_DEFAULT_PREFIX ":%s", id);
		cgroups_path = def;
	}
	const char *c1 = strchr(cgroups_path, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (c1 == NULL || c2 == NULL || strchr(c2 + 1, ':'))
		return husk_fail(err, 0, "cgroupsPath \"%s\": the systemd driver needs the form \"slice:prefix:name\"",
				 cgroups_path);
	const char *prefix = c1 + 1, *name = c2 + 1;
	size_t slice_len = c1 - cgroups_path, prefix_len = c2 - prefix;
	if (*name == '\0')
		return husk_fail(err, 0, "cgroupsPath \"%s\": the name part is empty", cgroups_path);
	if (ends_with(name, ".slice"))
		return husk_fail(err, 0, "cgroupsPath \"%s\": a slice as the container's unit is not supported",
				 cgroups_path);

	if (slice_len == 0)
		snprintf(cg->slice, sizeof(cg->slice), SYSTEMD_DEFAULT_SLICE);
	else if (slice_len == 1 && *cgroups_path == '-')
		snprintf(cg->slice, sizeof(cg->slice), "-.slice");
	else if (slice_len >= sizeof(cg->slice))
		return husk_fail(err, ENAMETOOLONG, "cgroupsPath \"%s\"", cgroups_path);
	else
		snprintf(cg->slice, sizeof(cg->slice), "%.*s", (int) slice_len, cgroups_path);
	char slice_dir[sizeof(cg->path)];
	int r = systemd_expand_slice(cg->slice, slice_dir, sizeof(slice_dir), err);
	if (r < 0)
		return husk_wrap(err, "cgroupsPath \"%s\"", cgroups_path);

	cg->unit[0] = '\0';
	if ((prefix_len && (escape_name(prefix, prefix_len, cg->unit, sizeof(cg->unit)) < 0 ||
			    escape_name("-", 1, cg->unit, sizeof(cg->unit)) < 0)) ||
	    escape_name(name, strlen(name), cg->unit, sizeof(cg->unit)) < 0 ||
	    escape_name(".scope", 6, cg->unit, sizeof(cg->unit)) < 0)
		return husk_fail(err, ENAMETOOLONG, "cgroupsPath \"%s\": unit name", cgroups_path);
	if (snprintf(cg->path, sizeof(cg->path), "%s/%s", slice_dir, cg->unit) >= (int) sizeof(cg->path))
		return husk_fail(err, ENAMETOOLONG, "cgroupsPath \"%s\"", cgroups_path);
	return 0;
}

unsigned systemd_parse_version(const char *text)
{
	if (text == NULL)
		return 0;
	while (*text && !isdigit((unsigned char) *text))
		text++;
	return (unsigned) strtoul(text, NULL, 10);
}

int systemd_cpu_mask(const char *list, uint8_t **ret, size_t *n, husk_error **err)
{
	*ret = NULL;
	*n = 0;
	for (const char *p = list; *p;) {
		char *end;
		errno = 0;
		unsigned long lo = strtoul(p, &end, 10), hi = lo;
		if (end == p || errno)
			goto bad;
		if (*end == '-') {
			p = end + 1;
			hi = strtoul(p, &end, 10);
			if (end == p || errno || hi < lo)
				goto bad;
		}
		if (hi >= 8192)
			return husk_fail(err, 0, "cpu list \"%s\": %lu is out of range", list, hi);
		if (hi / 8 + 1 > *n) {
			uint8_t *grown = realloc(*ret, hi / 8 + 1);
			if (grown == NULL)
				return husk_fail(err, ENOMEM, "cpu list");
			memset(grown + *n, 0, hi / 8 + 1 - *n);
			*ret = grown;
			*n = hi / 8 + 1;
		}
		for (unsigned long c = lo; c <= hi; c++)
			(*ret)[c / 8] |= 1u << (c % 8);
		p = end;
		while (*p == ',' || isspace((unsigned char) *p))
			p++;
	}
	return 0;
bad:
	free(*ret);
	*ret = NULL;
	*n = 0;
	return husk_fail(err, 0, "cpu list \"%s\": not a list of numbers and ranges", list);
}

uint64_t systemd_cpu_quota_per_sec(int64_t quota, int64_t period)
{
	if (quota <= 0)
		return SYSTEMD_INFINITY;
	if (period <= 0)
		period = 100000;
	uint64_t usec = (uint64_t) quota * 1000000 / (uint64_t) period;
	/* systemd stores the quota in 1% steps (10ms per second): round up,
	 * so that the limit is never tighter than asked. */
	return (usec + 9999) / 10000 * 10000;
}

void unit_props_clear(struct unit_props *props)
{
	for (size_t i = 0; i < props->n; i++)
		free(props->p[i].bytes);
	props->n = 0;
}

static struct unit_prop *add(struct unit_props *out, const char *name, enum unit_prop_type type, uint64_t u)
{
	/* UNIT_PROPS_MAX is above what one resources object can give. */
	struct unit_prop *p = &out->p[out->n++];
	*p = (struct unit_prop) { .name = name, .type = type, .u = u };
	return p;
}

/* A limit: -1 (and uint64 max, which json-c reads as INT64_MAX) is none. */
static uint64_t limit_value(int64_t v)
{
	return v < 0 || v == INT64_MAX ? SYSTEMD_INFINITY : (uint64_t) v;
}

static json_object *member(json_object *o, const char *key)
{
	return o ? json_member(o, key) : NULL;
}

static const char *string_member(json_object *o, const char *key)
{
	json_object *v = member(o, key);
	return v && json_is_string(v) ? json_object_get_string(v) : NULL;
}

static int add_mask(struct unit_props *out, const char *name, const char *list, husk_error **err)
{
	if (list == NULL || *list == '\0')
		return 0;
	uint8_t *bytes;
	size_t n;
	int r = systemd_cpu_mask(list, &bytes, &n, err);
	if (r < 0)
		return r;
	struct unit_prop *p = add(out, name, PROP_BYTES, 0);
	p->bytes = bytes;
	p->n = n;
	return 0;
}

/* "max" or a number, as the unified map writes cgroup v2 files. */
static int unified_limit(const char *text, uint64_t *ret)
{
	if (strcmp(text, "max") == 0) {
		*ret = SYSTEMD_INFINITY;
		return 0;
	}
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	while (isspace((unsigned char) *end))
		end++;
	if (end == text || *end || errno || *text == '-')
		return -EINVAL;
	*ret = v;
	return 0;
}

/* linux.resources.unified (v2): the keys systemd has a property for. */
static int unified_props(json_object *unified, unsigned version, struct unit_props *out, husk_error **err)
{
	static const struct { const char *key, *prop; } limits[] = {
		{ "memory.max", "MemoryMax" }, { "memory.high", "MemoryHigh" },
		{ "memory.low", "MemoryLow" }, { "memory.min", "MemoryMin" },
		{ "memory.swap.max", "MemorySwapMax" }, { "pids.max", "TasksMax" },
		{ "cpu.weight", "CPUWeight" },
	};
	int r;
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		const char *v = string_member(unified, limits[i].key);
		uint64_t u;
		if (v == NULL)
			continue;
		if (unified_limit(v, &u) < 0)
			return husk_fail(err, 0, "unified.%s: \"%s\" is not a number or \"max\"", limits[i].key, v);
		add(out, limits[i].prop, PROP_U64, u);
	}
	const char *v = string_member(unified, "cpu.max");
	if (v) {
		char quota[32];
		long long period = 100000;
		if (sscanf(v, "%31s %lld", quota, &period) < 1 || period <= 0)
			return husk_fail(err, 0, "unified.cpu.max: \"%s\" is not \"quota [period]\"", v);
		uint64_t q;
		if (unified_limit(quota, &q) < 0)
			return husk_fail(err, 0, "unified.cpu.max: \"%s\" is not \"quota [period]\"", v);
		add(out, "CPUQuotaPerSecUSec", PROP_U64,
		    q == SYSTEMD_INFINITY ? q : systemd_cpu_quota_per_sec((int64_t) q, period));
		if (version >= 242)
			add(out, "CPUQuotaPeriodUSec", PROP_U64, (uint64_t) period);
	}
	if (version >= 244 &&
	    ((r = add_mask(out, "AllowedCPUs", string_member(unified, "cpuset.cpus"), err)) < 0 ||
	     (r = add_mask(out, "AllowedMemoryNodes", string_member(unified, "cpuset.mems"), err)) < 0))
		return r;
	return 0;
}

int systemd_resource_props(json_object *res, enum cgroup_mode mode, unsigned version,
			   bool accounting, struct unit_props *out, husk_error **err)
{
	bool v2 = mode == CGROUP_V2, given, given2;
	int r;
	out->n = 0;
	if (accounting) {
		add(out, "CPUAccounting", PROP_BOOL, 1);
		add(out, "MemoryAccounting", PROP_BOOL, 1);
		add(out, "TasksAccounting", PROP_BOOL, 1);
		add(out, v2 ? "IOAccounting" : "BlockIOAccounting", PROP_BOOL, 1);
	}
	json_object *mem = member(res, "memory"), *cpu = member(res, "cpu");

	int64_t limit = json_i64(mem, "limit", &given);
	if (given && limit != 0)
		add(out, v2 ? "MemoryMax" : "MemoryLimit", PROP_U64, limit_value(limit));
	int64_t v = json_i64(mem, "reservation", &given);
	if (v2 && given && v != 0)
		add(out, "MemoryLow", PROP_U64, limit_value(v));
	/* v1's swap counts memory+swap; v2's MemorySwapMax swap alone.  The
	 * files' writer reports the bad combinations. */
	int64_t swap = json_i64(mem, "swap", &given2);
	bool limited = limit > 0 && limit != INT64_MAX;
	if (v2 && given2 && swap != 0) {
		if (swap < 0 || swap == INT64_MAX)
			add(out, "MemorySwapMax", PROP_U64, SYSTEMD_INFINITY);
		else if (limited && swap >= limit)
			add(out, "MemorySwapMax", PROP_U64, (uint64_t) (swap - limit));
	}

	v = json_i64(cpu, "shares", &given);
	if (given && v > 0)
		add(out, v2 ? "CPUWeight" : "CPUShares", PROP_U64, v2 ? cpu_shares_to_weight(v) : (uint64_t) v);
	int64_t quota = json_i64(cpu, "quota", &given), period = json_i64(cpu, "period", &given2);
	if (given && quota != 0)
		add(out, "CPUQuotaPerSecUSec", PROP_U64, systemd_cpu_quota_per_sec(quota, given2 ? period : 0));
	if (given2 && period > 0 && version >= 242)
		add(out, "CPUQuotaPeriodUSec", PROP_U64, (uint64_t) period);
	if (version >= 244 &&
	    ((r = add_mask(out, "AllowedCPUs", string_member(cpu, "cpus"), err)) < 0 ||
	     (r = add_mask(out, "AllowedMemoryNodes", string_member(cpu, "mems"), err)) < 0))
		goto fail;

	v = json_i64(member(res, "pids"), "limit", &given);
	if (given && v != 0)
		add(out, "TasksMax", PROP_U64, limit_value(v));

	v = json_i64(member(res, "blockIO"), "weight", &given);
	if (given && v > 0)
		add(out, v2 ? "IOWeight" : "BlockIOWeight", PROP_U64,
		    v2 ? blkio_weight_to_io_weight(v) : (uint64_t) v);

	json_object *unified = member(res, "unified");
	if (v2 && unified && json_is_object(unified) && (r = unified_props(unified, version, out, err)) < 0)
		goto fail;
	return 0;
fail:
	unit_props_clear(out);
	return r;
}
