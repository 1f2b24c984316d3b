/* The systemd driver without a bus: cgroupsPath "slice:prefix:name" to a
 * unit and the cgroup systemd gives it, slice expansion, and
 * linux.resources as unit properties. */
#include <stdint.h>
#include <string.h>

#include "cgroup/systemd_unit.h"
#include "tap.h"

static void path_is(const char *cgroups_path, const char *id, const char *slice, const char *unit,
		    const char *path)
{
	struct cgroup cg = { 0 };
	husk_error *err = NULL;
	int r = systemd_parse_path(&cg, cgroups_path, id, &err);
	if (!ok(r == 0 && err == NULL, "cgroupsPath \"%s\" is accepted", cgroups_path ? cgroups_path : "(none)")) {
		diag("error: %s", err && err->msg ? err->msg : "(none)");
		husk_error_free(err);
		return;
	}
	is_str(cg.slice, slice, "  its slice");
	is_str(cg.unit, unit, "  its unit");
	is_str(cg.path, path, "  its cgroup");
}

static void path_refused(const char *cgroups_path, const char *why)
{
	struct cgroup cg = { 0 };
	husk_error *err = NULL;
	int r = systemd_parse_path(&cg, cgroups_path, "c1", &err);
	if (!ok(r < 0 && err && err->msg, "cgroupsPath \"%s\" is refused (%s)", cgroups_path, why))
		diag("got unit \"%s\", cgroup \"%s\"", cg.unit, cg.path);
	else
		like(err->msg, cgroups_path, "  the message names it");
	husk_error_free(err);
}

static void test_paths(void)
{
	path_is(NULL, "abc", "system.slice", "husk-abc.scope", "/system.slice/husk-abc.scope");
	path_is("", "abc", "system.slice", "husk-abc.scope", "/system.slice/husk-abc.scope");
	path_is("::n1", "abc", "system.slice", "n1.scope", "/system.slice/n1.scope");
	path_is("machine.slice:crio:x1", "abc", "machine.slice", "crio-x1.scope", "/machine.slice/crio-x1.scope");
	path_is("user-1000.slice:p:n", "abc", "user-1000.slice", "p-n.scope",
		"/user.slice/user-1000.slice/p-n.scope");
	path_is("a-b-c.slice:p:n", "abc", "a-b-c.slice", "p-n.scope", "/a.slice/a-b.slice/a-b-c.slice/p-n.scope");
	path_is("-:p:n", "abc", "-.slice", "p-n.scope", "/p-n.scope");
	path_is("-.slice:p:n", "abc", "-.slice", "p-n.scope", "/p-n.scope");
	/* Ids may hold "+", which unit names may not. */
	path_is(NULL, "a+b", "system.slice", "husk-a\\x2bb.scope", "/system.slice/husk-a\\x2bb.scope");

	path_refused("/husk/c1", "no colons");
	path_refused("system.slice:c1", "two parts");
	path_refused("system.slice:p:n:x", "four parts");
	path_refused("system.slice:p:", "empty name");
	path_refused("system:p:n", "not a .slice");
	path_refused("a/b.slice:p:n", "a slash in the slice");
	path_refused("a--b.slice:p:n", "an empty part of the slice");
	path_refused("-a.slice:p:n", "a leading dash");
	path_refused("a-.slice:p:n", "a trailing dash");
	path_refused("system.slice:p:n.slice", "a slice as the unit");
}

static void test_expand(void)
{
	char out[256];
	ok(systemd_expand_slice("system.slice", out, sizeof(out), NULL) == 0 && strcmp(out, "/system.slice") == 0,
	   "system.slice → /system.slice");
	ok(systemd_expand_slice("-.slice", out, sizeof(out), NULL) == 0 && strcmp(out, "") == 0,
	   "-.slice → the root");
	ok(systemd_expand_slice("k-p-q.slice", out, sizeof(out), NULL) == 0 &&
	   strcmp(out, "/k.slice/k-p.slice/k-p-q.slice") == 0, "k-p-q.slice → three levels");
	husk_error *err = NULL;
	ok(systemd_expand_slice("x.slice", out, 5, &err) < 0, "a result too long for the buffer is an error");
	husk_error_free(err);
}

static void mask_is(const char *list, const uint8_t *want, size_t n)
{
	uint8_t *bytes = NULL;
	size_t got;
	husk_error *err = NULL;
	int r = systemd_cpu_mask(list, &bytes, &got, &err);
	if (ok(r == 0 && got == n && memcmp(bytes, want, n) == 0, "cpu list \"%s\"", list))
		;
	else if (r < 0)
		diag("error: %s", err->msg);
	else
		diag("%zu bytes, first 0x%02x", got, got ? bytes[0] : 0);
	free(bytes);
	husk_error_free(err);
}

static void test_masks(void)
{
	mask_is("0", (const uint8_t[]) { 0x01 }, 1);
	mask_is("0-2,7", (const uint8_t[]) { 0x87 }, 1);
	mask_is("8", (const uint8_t[]) { 0x00, 0x01 }, 2);
	mask_is("0,9-10", (const uint8_t[]) { 0x01, 0x06 }, 2);
	mask_is("1, 3", (const uint8_t[]) { 0x0a }, 1);
	static const char *const bad[] = { "a", "3-1", "1-", "-1", "99999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t *bytes = NULL;
		size_t n;
		husk_error *err = NULL;
		ok(systemd_cpu_mask(bad[i], &bytes, &n, &err) < 0 && err && bytes == NULL,
		   "cpu list \"%s\" is refused", bad[i]);
		husk_error_free(err);
	}
}

static void test_quota(void)
{
	is_int((long long) systemd_cpu_quota_per_sec(50000, 100000), 500000, "50ms per 100ms → 500ms per second");
	is_int((long long) systemd_cpu_quota_per_sec(12345, 100000), 130000, "rounded up to a whole percent");
	is_int((long long) systemd_cpu_quota_per_sec(200000, 0), 2000000, "period 0 → the 100ms default");
	ok(systemd_cpu_quota_per_sec(-1, 100000) == SYSTEMD_INFINITY, "quota -1 → infinity");
	is_int(systemd_parse_version("252.38-1~deb12u1"), 252, "Debian's version string");
	is_int(systemd_parse_version("v255"), 255, "a leading v");
	is_int(systemd_parse_version(NULL), 0, "no version");
}

static const struct unit_prop *find(const struct unit_props *props, const char *name)
{
	const struct unit_prop *found = NULL;
	for (size_t i = 0; i < props->n; i++)
		if (strcmp(props->p[i].name, name) == 0)
			found = &props->p[i];   /* the last one wins, as in systemd */
	return found;
}

static void u64_is(const struct unit_props *props, const char *name, uint64_t want)
{
	const struct unit_prop *p = find(props, name);
	if (!ok(p && p->type == PROP_U64 && p->u == want, "%s = %llu", name, (unsigned long long) want))
		diag("got %s", p ? "another value" : "no such property");
	if (p && p->u != want)
		diag("got %llu", (unsigned long long) p->u);
}

static int props_of(const char *json, enum cgroup_mode mode, unsigned version, bool accounting,
		    struct unit_props *props, husk_error **err)
{
	json_object *res = json_tokener_parse(json);
	int r = systemd_resource_props(res, mode, version, accounting, props, err);
	json_object_put(res);
	return r;
}

static void test_props_v1(void)
{
	struct unit_props props;
	int r = props_of("{\"memory\":{\"limit\":1048576},\"cpu\":{\"shares\":512,\"quota\":50000,"
			 "\"period\":100000,\"cpus\":\"0\"},\"pids\":{\"limit\":10},\"blockIO\":{\"weight\":300}}",
			 CGROUP_V1, 252, true, &props, NULL);
	ok(r == 0, "v1 resources convert");
	u64_is(&props, "MemoryLimit", 1048576);
	ok(find(&props, "MemoryMax") == NULL, "no MemoryMax on v1");
	u64_is(&props, "CPUShares", 512);
	u64_is(&props, "CPUQuotaPerSecUSec", 500000);
	u64_is(&props, "CPUQuotaPeriodUSec", 100000);
	u64_is(&props, "TasksMax", 10);
	u64_is(&props, "BlockIOWeight", 300);
	const struct unit_prop *p = find(&props, "AllowedCPUs");
	ok(p && p->type == PROP_BYTES && p->n == 1 && p->bytes[0] == 1, "AllowedCPUs = cpu 0");
	p = find(&props, "BlockIOAccounting");
	ok(p && p->type == PROP_BOOL && p->u == 1, "BlockIOAccounting on");
	unit_props_clear(&props);
}

static void test_props_v2(void)
{
	struct unit_props props;
	int r = props_of("{\"memory\":{\"limit\":1048576,\"swap\":3145728,\"reservation\":4096},"
			 "\"cpu\":{\"shares\":1024,\"quota\":-1,\"cpus\":\"0-1\"},\"pids\":{\"limit\":-1},"
			 "\"blockIO\":{\"weight\":1000}}",
			 CGROUP_V2, 240, true, &props, NULL);
	ok(r == 0, "v2 resources convert");
	u64_is(&props, "MemoryMax", 1048576);
	u64_is(&props, "MemorySwapMax", 2097152);
	u64_is(&props, "MemoryLow", 4096);
	u64_is(&props, "CPUWeight", 39);
	u64_is(&props, "CPUQuotaPerSecUSec", SYSTEMD_INFINITY);
	u64_is(&props, "TasksMax", SYSTEMD_INFINITY);
	u64_is(&props, "IOWeight", 10000);
	ok(find(&props, "AllowedCPUs") == NULL, "no AllowedCPUs before systemd 244");
	ok(find(&props, "IOAccounting") != NULL && find(&props, "BlockIOAccounting") == NULL,
	   "IOAccounting, not BlockIOAccounting, on v2");
	unit_props_clear(&props);

	r = props_of("{\"memory\":{\"limit\":-1,\"swap\":-1}}", CGROUP_V2, 252, false, &props, NULL);
	ok(r == 0 && props.n == 2, "update: only what is given, no accounting");
	u64_is(&props, "MemoryMax", SYSTEMD_INFINITY);
	u64_is(&props, "MemorySwapMax", SYSTEMD_INFINITY);
	unit_props_clear(&props);

	r = props_of("{}", CGROUP_V2, 252, false, &props, NULL);
	ok(r == 0 && props.n == 0, "no resources, no properties");
}

static void test_unified(void)
{
	struct unit_props props;
	int r = props_of("{\"memory\":{\"limit\":1048576},\"unified\":{\"memory.max\":\"2097152\","
			 "\"memory.high\":\"max\",\"cpu.max\":\"20000 50000\",\"cpuset.mems\":\"0\"}}",
			 CGROUP_V2, 252, false, &props, NULL);
	ok(r == 0, "unified converts");
	u64_is(&props, "MemoryMax", 2097152);
	u64_is(&props, "MemoryHigh", SYSTEMD_INFINITY);
	u64_is(&props, "CPUQuotaPerSecUSec", 400000);
	u64_is(&props, "CPUQuotaPeriodUSec", 50000);
	ok(find(&props, "AllowedMemoryNodes") != NULL, "AllowedMemoryNodes from cpuset.mems");
	unit_props_clear(&props);

	r = props_of("{\"unified\":{\"memory.max\":\"2097152\"}}", CGROUP_V1, 252, false, &props, NULL);
	ok(r == 0 && props.n == 0, "unified is ignored on v1 (the v1 writer refuses it)");

	husk_error *err = NULL;
	r = props_of("{\"unified\":{\"pids.max\":\"lots\"}}", CGROUP_V2, 252, false, &props, &err);
	ok(r < 0 && err && props.n == 0, "a unified value that is no number is refused");
	if (err)
		like(err->msg, "pids.max", "  the message names the key");
	husk_error_free(err);
	err = NULL;
	r = props_of("{\"cpu\":{\"cpus\":\"1-0\"}}", CGROUP_V2, 252, false, &props, &err);
	ok(r < 0 && err && props.n == 0, "a bad cpu list is refused");
	husk_error_free(err);
}

int main(void)
{
	tap_init();
	tap_group(test_paths);
	tap_group(test_expand);
	tap_group(test_masks);
	tap_group(test_quota);
	tap_group(test_props_v1);
	tap_group(test_props_v2);
	tap_group(test_unified);
	return tap_done();
}
