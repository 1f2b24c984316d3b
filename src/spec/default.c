/* The config.json that `husk spec` writes: the same defaults runc uses, so
 * bundles made for one runtime behave the same in the other. */
#include "spec/spec.h"

#include <string.h>

static json_object *strings(const char *const *v)
{
	json_object *a = json_object_new_array();
	for (; *v; v++)
		json_object_array_add(a, json_object_new_string(*v));
	return a;
}

static void put(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

static void put_str(json_object *o, const char *key, const char *s)
{
	put(o, key, json_object_new_string(s));
}

static json_object *process(void)
{
	static const char *const args[] = { "sh", NULL };
	static const char *const env[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", NULL
	};
	static const char *const caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
	json_object *p = json_object_new_object(), *user = json_object_new_object();
	json_object *c = json_object_new_object(), *rl = json_object_new_object();
	json_object *rls = json_object_new_array();

	put(p, "terminal", json_object_new_boolean(1));
	put(user, "uid", json_object_new_int(0));
	put(user, "gid", json_object_new_int(0));
	put(p, "user", user);
	put(p, "args", strings(args));
	put(p, "env", strings(env));
	put_str(p, "cwd", "/");
	put(c, "bounding", strings(caps));
	put(c, "effective", strings(caps));
	put(c, "permitted", strings(caps));
	put(c, "ambient", strings(caps));
	put(p, "capabilities", c);
	put_str(rl, "type", "RLIMIT_NOFILE");
	put(rl, "hard", json_object_new_int(1024));
	put(rl, "soft", json_object_new_int(1024));
	json_object_array_add(rls, rl);
	put(p, "rlimits", rls);
	put(p, "noNewPrivileges", json_object_new_boolean(1));
	return p;
}

static json_object *mount(const char *dest, const char *type, const char *src,
			  const char *const *opts)
{
	json_object *m = json_object_new_object();
	put_str(m, "destination", dest);
	put_str(m, "type", type);
	put_str(m, "source", src);
	if (opts)
		put(m, "options", strings(opts));
	return m;
}

static json_object *mounts(bool rootless)
{
	static const char *const dev[] = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
	static const char *const pts[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666",
					   "mode=0620", "gid=5", NULL };
	static const char *const pts_rootless[] = { "nosuid", "noexec", "newinstance",
						    "ptmxmode=0666", "mode=0620", NULL };
	static const char *const shm[] = { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL };
	static const char *const mq[] = { "nosuid", "noexec", "nodev", NULL };
	static const char *const sys[] = { "nosuid", "noexec", "nodev", "ro", NULL };
	static const char *const sys_rootless[] = { "rbind", "nosuid", "noexec", "nodev", "ro", NULL };
	static const char *const cg[] = { "nosuid", "noexec", "nodev", "relatime", "ro", NULL };
	json_object *a = json_object_new_array();

	json_object_array_add(a, mount("/proc", "proc", "proc", NULL));
	json_object_array_add(a, mount("/dev", "tmpfs", "tmpfs", dev));
	json_object_array_add(a, mount("/dev/pts", "devpts", "devpts", rootless ? pts_rootless : pts));
	json_object_array_add(a, mount("/dev/shm", "tmpfs", "shm", shm));
	json_object_array_add(a, mount("/dev/mqueue", "mqueue", "mqueue", mq));
	/* Without a network namespace of its own a rootless container may not
	 * mount sysfs: it gets the host's, bound read-only. */
	json_object_array_add(a, rootless ? mount("/sys", "none", "/sys", sys_rootless)
					  : mount("/sys", "sysfs", "sysfs", sys));
	json_object_array_add(a, mount("/sys/fs/cgroup", "cgroup", "cgroup", cg));
	return a;
}

static json_object *id_map(unsigned host_id)
{
	json_object *a = json_object_new_array(), *m = json_object_new_object();
	put(m, "containerID", json_object_new_int(0));
	put(m, "hostID", json_object_new_int64(host_id));
	put(m, "size", json_object_new_int(1));
	json_object_array_add(a, m);
	return a;
}

static json_object *linux_section(bool rootless, uid_t uid, gid_t gid)
{
	static const char *const masked[] = {
		"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
		"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
		"/proc/scsi", NULL
	};
	static const char *const ro[] = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
					  "/proc/sysrq-trigger", NULL };
	static const char *const ns_rootful[] = { "pid", "network", "ipc", "uts", "mount", NULL };
	static const char *const ns_rootless[] = { "pid", "ipc", "uts", "mount", "user", NULL };
	json_object *l = json_object_new_object(), *ns = json_object_new_array();

	if (!rootless) {
		json_object *res = json_object_new_object(), *devs = json_object_new_array();
		json_object *deny = json_object_new_object();
		put(deny, "allow", json_object_new_boolean(0));
		put_str(deny, "access", "rwm");
		json_object_array_add(devs, deny);
		put(res, "devices", devs);
		put(l, "resources", res);
	}
	for (const char *const *t = rootless ? ns_rootless : ns_rootful; *t; t++) {
		json_object *n = json_object_new_object();
		put_str(n, "type", *t);
		json_object_array_add(ns, n);
	}
	put(l, "namespaces", ns);
	if (rootless) {
		put(l, "uidMappings", id_map(uid));
		put(l, "gidMappings", id_map(gid));
	}
	put(l, "maskedPaths", strings(masked));
	put(l, "readonlyPaths", strings(ro));
	return l;
}

json_object *spec_default(bool rootless, uid_t uid, gid_t gid)
{
	json_object *s = json_object_new_object(), *root = json_object_new_object();
	put_str(s, "ociVersion", SPEC_OCI_VERSION);
	put(s, "process", process());
	put_str(root, "path", "rootfs");
	put(root, "readonly", json_object_new_boolean(1));
	put(s, "root", root);
	put_str(s, "hostname", "husk");
	put(s, "mounts", mounts(rootless));
	put(s, "linux", linux_section(rootless, uid, gid));
	return s;
}
