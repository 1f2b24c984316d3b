/* features: what this husk implements on this host (runtime-spec
 * features.md), for engines to read before they write a config. */
#include "core/container.h"

#include <string.h>

#include "cgroup/cgroup.h"
#include "linux/caps.h"
#include "linux/lsm.h"
#include "linux/mount_options.h"
#include "linux/seccomp_filter.h"
#include "util/json.h"

static void add_string(const char *name, void *ctx)
{
	json_object_array_add(ctx, json_object_new_string(name));
}

static void add_seccomp(const char *kind, const char *name, void *ctx)
{
	json_object *arr = json_member(ctx, kind);
	if (arr == NULL) {
		arr = json_object_new_array();
		json_object_object_add(ctx, kind, arr);
	}
	json_object_array_add(arr, json_object_new_string(name));
}

static json_object *enabled(bool on)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "enabled", json_object_new_boolean(on));
	return o;
}

static json_object *string_array(const char *const *v)
{
	json_object *a = json_object_new_array();
	for (; *v; v++)
		json_object_array_add(a, json_object_new_string(*v));
	return a;
}

json_object *container_features(void)
{
	static const char *const hooks[] = { "prestart", "createRuntime", "createContainer",
					     "startContainer", "poststart", "poststop", NULL };
	static const char *const namespaces[] = { "cgroup", "ipc", "mount", "network", "pid",
						  "time", "user", "uts", NULL };
	json_object *f = json_object_new_object(), *lx = json_object_new_object();
	json_object *mounts = json_object_new_array(), *caps = json_object_new_array();
	json_object *seccomp = enabled(true), *cgroup = json_object_new_object();
	json_object *annotations = json_object_new_object(), *ext = json_object_new_object();

	json_object_object_add(f, "ociVersionMin", json_object_new_string("1.0.0"));
	json_object_object_add(f, "ociVersionMax", json_object_new_string(SPEC_OCI_VERSION));
	json_object_object_add(f, "hooks", string_array(hooks));
	mount_options_names(add_string, mounts);
	json_object_object_add(f, "mountOptions", mounts);

	json_object_object_add(lx, "namespaces", string_array(namespaces));
	for (int cap = 0; cap <= cap_last_cap() && cap_name(cap); cap++)
		json_object_array_add(caps, json_object_new_string(cap_name(cap)));
	json_object_object_add(lx, "capabilities", caps);
	/* cgroupfs v1 (hybrid hosts too) and v2; the systemd driver when husk
	 * is built with libsystemd (root's system instance only). */
	json_object_object_add(cgroup, "v1", json_object_new_boolean(1));
	json_object_object_add(cgroup, "v2", json_object_new_boolean(1));
	json_object_object_add(cgroup, "systemd", json_object_new_boolean(cgroup_systemd_ops != NULL));
	json_object_object_add(cgroup, "systemdUser", json_object_new_boolean(0));
	json_object_object_add(cgroup, "rdma", json_object_new_boolean(0));
	json_object_object_add(lx, "cgroup", cgroup);
	seccomp_features(add_seccomp, seccomp);
	json_object_object_add(lx, "seccomp", seccomp);
	json_object_object_add(lx, "apparmor", enabled(lsm_apparmor_enabled()));
	json_object_object_add(lx, "selinux", enabled(lsm_selinux_enabled()));
	/* resctrl groups are not managed yet: intelRdt is refused (with the
	 * reason) rather than ignored. */
	json_object_object_add(lx, "intelRdt", enabled(false));
	json_object *mpol = json_object_new_object(), *modes = json_object_new_array(),
		    *mflags = json_object_new_array();
	for (int i = 0; spec_memory_policy_mode_name(i); i++)
		json_object_array_add(modes, json_object_new_string(spec_memory_policy_mode_name(i)));
	for (int i = 0; spec_memory_policy_flag_name(i); i++)
		json_object_array_add(mflags, json_object_new_string(spec_memory_policy_flag_name(i)));
	json_object_object_add(mpol, "modes", modes);
	json_object_object_add(mpol, "flags", mflags);
	json_object_object_add(lx, "memoryPolicy", mpol);
	json_object_object_add(lx, "netDevices", enabled(true));
	json_object_object_add(ext, "idmap", enabled(true));
	json_object_object_add(lx, "mountExtensions", ext);
	json_object_object_add(f, "linux", lx);

	json_object_object_add(annotations, "io.github.seccomp.libseccomp.version",
			       json_object_new_string(seccomp_library_version()));
	/* features.md has no field for process.execCPUAffinity (1.2.0). */
	json_object_object_add(annotations, "run.husk.process.execCPUAffinity", json_object_new_string("true"));
	json_object_object_add(f, "annotations", annotations);
	return f;
}
