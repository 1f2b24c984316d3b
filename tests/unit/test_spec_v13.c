/* The fields of runtime-spec 1.1 to 1.3 (execCPUAffinity, memoryPolicy,
 * netDevices, intelRdt), the CPU/node list syntax and the ociVersion
 * policy: what is taken, and that each refusal names its field. */
#include <linux/mempolicy.h>
#include <stdio.h>
#include <string.h>

#include "spec/id_list.h"
#include "spec/spec.h"
#include "tap.h"

/* A config of version, with process extra (JSON members) and linux extra. */
static char *config(const char *version, const char *process, const char *lx)
{
	static char buf[4096];
	snprintf(buf, sizeof(buf),
		 "{\"ociVersion\": \"%s\", \"root\": {\"path\": \"rootfs\"},"
		 " \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"%s%s},"
		 " \"linux\": {\"namespaces\": [{\"type\": \"network\"}, {\"type\": \"mount\"}]%s%s}}",
		 version, *process ? ", " : "", process, *lx ? ", " : "", lx);
	return buf;
}

/* Loads text through parse and validate: NULL and the message on failure. */
static struct spec *load(const char *text, char *msg, size_t len)
{
	struct spec *s = NULL;
	husk_error *err = NULL;
	*msg = '\0';
	if (spec_parse(text, strlen(text), &s, &err) < 0 || spec_validate(s, &err) < 0) {
		snprintf(msg, len, "%s", err && err->msg ? err->msg : "(no message)");
		spec_freep(&s);
	}
	husk_error_free(err);
	return s;
}

static void refused(const char *process, const char *lx, const char *needle, const char *what)
{
	char msg[512];
	struct spec *s = load(config("1.3.0", process, lx), msg, sizeof(msg));
	ok(s == NULL, "%s is refused", what);
	like(msg, needle, "  the message names %s", needle);
	spec_free(s);
}

static void test_versions(void)
{
	static const char *const good[] = { "1.0.0", "1.0.2-dev", "1.0.0-rc5", "1.1.0", "1.2.1", "1.3.0",
					    "1.3.7+build.1", "1.0", NULL };
	static const char *const bad[] = { "1.4.0", "2.0.0", "0.9.0", "10.0.0", "1.", "1.x", "v1.0.0",
					   "1.0.0junk", "1.3 ", "99999999999999999999.0.0", NULL };
	char msg[512];
	for (int i = 0; good[i]; i++) {
		struct spec *s = load(config(good[i], "", ""), msg, sizeof(msg));
		ok(s != NULL, "ociVersion %s is taken (%s)", good[i], msg);
		spec_free(s);
	}
	for (int i = 0; bad[i]; i++) {
		struct spec *s = load(config(bad[i], "", ""), msg, sizeof(msg));
		ok(s == NULL, "ociVersion \"%s\" is refused", bad[i]);
		like(msg, "ociVersion", "  the message names ociVersion");
		spec_free(s);
	}
	struct spec *s = load(config("1.4.0", "", ""), msg, sizeof(msg));
	like(msg, "1.0.0 to " SPEC_OCI_VERSION, "the refusal says which versions are taken");
	spec_free(s);
}

static void test_id_lists(void)
{
	unsigned long mask[4] = { 0 };
	char why[96];
	ok(id_list_parse("0-3,7,64", 255, "CPU", mask, 4, why, sizeof(why)) == 0, "0-3,7,64 parses");
	ok(mask[0] == 0x8f && mask[1] == 1, "  to CPUs 0,1,2,3,7 and 64");
	ok(id_list_parse("", 255, "CPU", NULL, 0, why, sizeof(why)) == 0, "an empty list parses");
	static const char *const bad[] = { "3-1", "1,,2", "-1", "1-", "a", " 1", "1 ", "256", "0-99999999999999999999",
					   ",", "1;2", NULL };
	for (int i = 0; bad[i]; i++)
		ok(id_list_parse(bad[i], 255, "CPU", NULL, 0, why, sizeof(why)) < 0, "\"%s\" is refused (%s)", bad[i],
		   why);
}

static void test_affinity(void)
{
	char msg[512];
	struct spec *s = load(config("1.3.0", "\"execCPUAffinity\": {\"initial\": \"0\", \"final\": \"0-1\"}", ""),
			      msg, sizeof(msg));
	ok(s != NULL, "execCPUAffinity is taken (%s)", msg);
	if (s) {
		is_str(s->process.exec_cpu_affinity.initial, "0", "initial");
		is_str(s->process.exec_cpu_affinity.final, "0-1", "final");
	}
	spec_free(s);
	refused("\"execCPUAffinity\": {\"initial\": 0}", "", "execCPUAffinity.initial", "a numeric initial");
	refused("\"execCPUAffinity\": {\"final\": \"1-0\"}", "", "execCPUAffinity.final", "a backwards range");
	refused("\"execCPUAffinity\": {\"final\": \"99999\"}", "", "out of range", "CPU 99999");
	refused("\"execCPUAffinity\": []", "", "process.execCPUAffinity", "an array");
}

static void test_memory_policy(void)
{
	char msg[512];
	struct spec *s = load(config("1.3.0", "", "\"memoryPolicy\": {\"mode\": \"MPOL_BIND\", \"nodes\": \"0\","
						  " \"flags\": [\"MPOL_F_STATIC_NODES\"]}"),
			      msg, sizeof(msg));
	ok(s != NULL, "memoryPolicy is taken (%s)", msg);
	if (s) {
		ok(s->memory_policy.present && s->memory_policy.mode == MPOL_BIND, "mode MPOL_BIND");
		ok(s->memory_policy.flags == MPOL_F_STATIC_NODES, "flag MPOL_F_STATIC_NODES");
	}
	spec_free(s);
	refused("", "\"memoryPolicy\": {\"nodes\": \"0\"}", "memoryPolicy.mode", "no mode");
	refused("", "\"memoryPolicy\": {\"mode\": \"MPOL_NUKE\"}", "unknown mode", "an unknown mode");
	refused("", "\"memoryPolicy\": {\"mode\": \"MPOL_BIND\"}", "needs at least one node", "BIND without nodes");
	refused("", "\"memoryPolicy\": {\"mode\": \"MPOL_LOCAL\", \"nodes\": \"0\"}", "takes no nodes", "LOCAL with nodes");
	refused("", "\"memoryPolicy\": {\"mode\": \"MPOL_BIND\", \"nodes\": \"4294967296\"}", "out of range",
		"a huge node number");
	refused("", "\"memoryPolicy\": {\"mode\": \"MPOL_BIND\", \"nodes\": \"0\", \"flags\": [\"MPOL_F_X\"]}",
		"flags[0]", "an unknown flag");
	refused("", "\"memoryPolicy\": {\"mode\": \"MPOL_BIND\", \"nodes\": \"0\","
		    " \"flags\": [\"MPOL_F_STATIC_NODES\", \"MPOL_F_RELATIVE_NODES\"]}",
		"exclude each other", "static and relative together");
	refused("", "\"memoryPolicy\": {\"mode\": \"MPOL_DEFAULT\", \"flags\": [\"MPOL_F_STATIC_NODES\"]}",
		"no flags", "DEFAULT with a flag");
	refused("", "\"memoryPolicy\": {\"mode\": \"MPOL_BIND\", \"nodes\": \"0\", \"flags\": \"x\"}",
		"memoryPolicy.flags", "flags not an array");
}

static void test_net_devices(void)
{
	char msg[512];
	struct spec *s = load(config("1.3.0", "", "\"netDevices\": {\"eth1\": {\"name\": \"ctr0\"}, \"dummy0\": {}}"),
			      msg, sizeof(msg));
	ok(s != NULL, "netDevices is taken (%s)", msg);
	if (s) {
		ok(s->n_net_devices == 2, "two devices");
		is_str(s->net_devices[0].host_name, "eth1", "first host name");
		is_str(s->net_devices[0].name, "ctr0", "first new name");
		ok(s->net_devices[1].name == NULL, "second keeps its name");
	}
	spec_free(s);
	refused("", "\"netDevices\": {\"eth1\": {\"name\": \"a/b\"}}", "not a valid interface name", "a name with /");
	refused("", "\"netDevices\": {\"eth1\": {\"name\": \"sixteen_chars_xx\"}}", "not a valid", "a 16-byte name");
	refused("", "\"netDevices\": {\"..\": {}}", "not a valid", "the name ..");
	refused("", "\"netDevices\": {\"eth1\": []}", "must be an object", "an array entry");
	refused("", "\"netDevices\": {\"eth1\": {\"name\": \"x\"}, \"eth2\": {\"name\": \"x\"}}", "both be named",
		"two devices given one name");
	refused("", "\"netDevices\": {\"eth1\": {}, \"eth2\": {\"name\": \"eth1\"}}", "both be named",
		"a rename onto another's name");
	char text[1024];
	snprintf(text, sizeof(text), "{\"ociVersion\": \"1.3.0\", \"root\": {\"path\": \"r\"}, \"process\": {\"args\": [\"sh\"]},"
				     " \"linux\": {\"netDevices\": {\"eth1\": {}}}}");
	s = load(text, msg, sizeof(msg));
	ok(s == NULL, "netDevices without a network namespace is refused");
	like(msg, "network namespace", "  the message says why");
	spec_free(s);
}

static void test_intel_rdt(void)
{
	char msg[512];
	struct spec *s = load(config("1.3.0", "", "\"intelRdt\": {\"closID\": \"g\"}"), msg, sizeof(msg));
	ok(s != NULL && s->intel_rdt.present, "intelRdt is parsed (%s)", msg);
	spec_free(s);
	refused("", "\"intelRdt\": {\"closID\": 1}", "intelRdt.closID", "a numeric closID");
}

int main(void)
{
	tap_init();
	tap_group(test_versions);
	tap_group(test_id_lists);
	tap_group(test_affinity);
	tap_group(test_memory_policy);
	tap_group(test_net_devices);
	tap_group(test_intel_rdt);
	return tap_done();
}
