/* path_clean() and the /proc rule of config mounts (spec/proc_mounts.h):
 * what may be mounted at and inside /proc, after lexical clean-up. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/proc_mounts.h"
#include "spec/spec.h"
#include "tap.h"
#include "util/path_clean.h"

static void cleans(const char *in, const char *want)
{
	char out[64] = "";
	int r = path_clean(in, out, sizeof(out));
	ok(r == 0, "path_clean(\"%s\") succeeds", in);
	is_str(out, want, "path_clean(\"%s\")", in);
}

static void test_path_clean(void)
{
	cleans("/proc", "/proc");
	cleans("", "/");
	cleans("/", "/");
	cleans("//proc//", "/proc");
	cleans("/./proc/.", "/proc");
	cleans("/proc/sys/../sys/./kernel", "/proc/sys/kernel");
	cleans("/../../proc", "/proc");
	cleans("/proc/..", "/");
	cleans("/a/b/../../../c", "/c");
	cleans("proc/self", "/proc/self");
	cleans("/..proc/.x/...", "/..proc/.x/...");
	char small[6];
	is_int(path_clean("/proc/sys", small, sizeof(small)), -ENAMETOOLONG, "a path longer than out is refused");
	is_int(path_clean("/proc", small, sizeof(small)), 0, "a path that just fits is not");
}

static void test_rule(void)
{
	ok(proc_mount_refusal("/proc", false, true) == NULL, "a procfs at /proc");
	ok(proc_mount_refusal("/proc", true, true) == NULL, "a bind of a procfs at /proc");
	like(proc_mount_refusal("/proc", true, false), "only a procfs", "a bind of a host directory at /proc");
	like(proc_mount_refusal("/proc", false, false), "only a procfs", "a tmpfs at /proc");
	like(proc_mount_refusal("/proc/sys/kernel", true, false), "inside /proc", "a bind at /proc/sys/kernel");
	like(proc_mount_refusal("/proc/self", true, false), "inside /proc", "a bind at /proc/self");
	like(proc_mount_refusal("/proc/sys", false, true), "inside /proc", "a procfs at /proc/sys");
	like(proc_mount_refusal("/proc/cpuinfo", false, false), "inside /proc", "a tmpfs at /proc/cpuinfo");
	like(proc_mount_refusal("/proc/net/dev", true, false), "inside /proc", "a bind at /proc/net/dev");
	like(proc_mount_refusal("/proc/cpuinfo/x", true, false), "inside /proc", "a bind under /proc/cpuinfo");
	static const char *const lxcfs[] = { "cpuinfo", "meminfo", "stat", "uptime",
					     "loadavg", "diskstats", "swaps", "slabinfo" };
	for (size_t i = 0; i < sizeof(lxcfs) / sizeof(lxcfs[0]); i++) {
		char p[64];
		snprintf(p, sizeof(p), "/proc/%s", lxcfs[i]);
		ok(proc_mount_refusal(p, true, false) == NULL, "a bind at %s", p);
	}
	ok(proc_mount_refusal("/procfoo", false, false) == NULL, "/procfoo is not /proc");
	ok(proc_mount_refusal("/sys/proc", false, false) == NULL, "/sys/proc is not /proc");
	ok(proc_mount_refusal("/", true, false) == NULL, "/ is not /proc");
}

/* spec_validate() of a small config with one mount: NULL when it passes,
 * else the message (caller frees). */
static char *validate_mount(const char *mount)
{
	char text[1024];
	snprintf(text, sizeof(text),
		 "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"},"
		 " \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"}, \"mounts\": [%s]}", mount);
	struct spec *s = NULL;
	husk_error *err = NULL;
	char *msg = NULL;
	if (spec_parse(text, strlen(text), &s, &err) < 0 || spec_validate(s, &err) < 0)
		msg = strdup(err && err->msg ? err->msg : "(no message)");
	husk_error_free(err);
	spec_free(s);
	return msg;
}

static void validates(const char *mount)
{
	char *msg = validate_mount(mount);
	if (!ok(msg == NULL, "validates: %s", mount))
		diag("%s", msg);
	free(msg);
}

static void refused(const char *mount, const char *needle)
{
	char *msg = validate_mount(mount);
	like(msg, needle, "refused: %s", mount);
	free(msg);
}

static void test_validate(void)
{
	validates("{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"}");
	/* whether its source is a procfs is seen when it is mounted */
	validates("{\"destination\": \"/proc\", \"type\": \"bind\", \"source\": \"/x\"}");
	validates("{\"destination\": \"/proc/meminfo\", \"source\": \"/x\", \"options\": [\"bind\"]}");
	validates("{\"destination\": \"/proc/../etc\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}");
	refused("{\"destination\": \"//proc/.\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}",
		"mounts[0].destination: \"//proc/.\": only a procfs may be mounted at /proc");
	refused("{\"destination\": \"/proc/sys/../sys\", \"source\": \"/x\", \"options\": [\"rbind\"]}",
		"mounts[0].destination: \"/proc/sys/../sys\": inside /proc only");
	refused("{\"destination\": \"/proc/meminfo\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}",
		"inside /proc only");
	refused("{\"destination\": \"/proc/sys\", \"type\": \"proc\", \"source\": \"proc\"}",
		"inside /proc only");
}

int main(void)
{
	tap_init();
	tap_group(test_path_clean);
	tap_group(test_rule);
	tap_group(test_validate);
	return tap_done();
}
