/* Semantic checks of a parsed config: everything that can be known wrong
 * before touching the system is rejected here, naming the field. */
#include "spec/spec.h"

#include <string.h>

#include "spec/proc_mounts.h"

static const char *const ns_names[NS_COUNT] = {
	[NS_PID] = "pid",   [NS_NET] = "network", [NS_MNT] = "mount",   [NS_IPC] = "ipc",
	[NS_UTS] = "uts",   [NS_USER] = "user",   [NS_CGROUP] = "cgroup", [NS_TIME] = "time",
};

const char *ns_type_name(enum ns_type t)
{
	return t < NS_COUNT ? ns_names[t] : "?";
}

int ns_type_from_name(const char *name)
{
	for (int t = 0; t < NS_COUNT; t++)
		if (strcmp(ns_names[t], name) == 0)
			return t;
	return -1;
}

static bool is_abs(const char *p)
{
	return p != NULL && p[0] == '/';
}

static bool private_ns(const struct spec *s, enum ns_type t)
{
	return s->namespaces[t].present && s->namespaces[t].path == NULL;
}

static int check_paths(const char **paths, const char *field, husk_error **err)
{
	for (size_t i = 0; paths && paths[i]; i++)
		if (!is_abs(paths[i]))
			return husk_fail(err, 0, "config.json: %s[%zu]: \"%s\" is not an absolute path",
					 field, i, paths[i]);
	return 0;
}

static int validate_process(const struct spec *s, husk_error **err)
{
	const struct spec_process *p = &s->process;
	if (!s->has_process)
		return husk_fail(err, 0, "config.json: process: is required");
	if (p->args == NULL || p->args[0] == NULL || p->args[0][0] == '\0')
		return husk_fail(err, 0, "config.json: process.args: must name the program to run");
	if (p->cwd != NULL && !is_abs(p->cwd))
		return husk_fail(err, 0, "config.json: process.cwd: \"%s\" is not an absolute path",
				 p->cwd);
	for (size_t i = 0; i < p->n_rlimits; i++)
		for (size_t k = 0; k < i; k++)
			if (p->rlimits[k].resource == p->rlimits[i].resource)
				return husk_fail(err, 0, "config.json: process.rlimits[%zu].type: %s given twice",
						 i, p->rlimits[i].type);
	for (size_t i = 0; p->env && p->env[i]; i++)
		if (strchr(p->env[i], '=') == NULL)
			return husk_fail(err, 0, "config.json: process.env[%zu]: \"%s\" is not NAME=VALUE",
					 i, p->env[i]);
	return 0;
}

static int validate_namespaces(const struct spec *s, husk_error **err)
{
	if (s->hostname && *s->hostname && !private_ns(s, NS_UTS))
		return husk_fail(err, 0, "config.json: hostname: needs a new uts namespace");
	if (s->domainname && *s->domainname && !private_ns(s, NS_UTS))
		return husk_fail(err, 0, "config.json: domainname: needs a new uts namespace");
	const char *which = s->n_uid_mappings ? "uidMappings" : "gidMappings";
	if ((s->n_uid_mappings || s->n_gid_mappings) && !private_ns(s, NS_USER))
		return husk_fail(err, 0, "config.json: linux.%s: need a new user namespace", which);
	which = s->n_uid_mappings == 0 ? "uidMappings" : "gidMappings";
	if (private_ns(s, NS_USER) && (s->n_uid_mappings == 0 || s->n_gid_mappings == 0))
		return husk_fail(err, 0, "config.json: linux.%s: a new user namespace needs uid and gid mappings",
				 which);
	for (int t = 0; t < NS_COUNT; t++)
		if (s->namespaces[t].path && !is_abs(s->namespaces[t].path))
			return husk_fail(err, 0, "config.json: linux.namespaces: %s path \"%s\" is not absolute",
					 ns_names[t], s->namespaces[t].path);
	return 0;
}

static int validate_linux(const struct spec *s, husk_error **err)
{
	int r;
	if ((r = check_paths(s->masked_paths, "linux.maskedPaths", err)) < 0 ||
	    (r = check_paths(s->readonly_paths, "linux.readonlyPaths", err)) < 0)
		return r;
	for (size_t i = 0; i < s->n_devices; i++)
		if (!is_abs(s->devices[i].path))
			return husk_fail(err, 0, "config.json: linux.devices[%zu].path: \"%s\" is not absolute",
					 i, s->devices[i].path);
	for (int c = 0; c < CLOCK_OFFSET_COUNT; c++)
		if (s->time_offsets[c].present && !private_ns(s, NS_TIME))
			return husk_fail(err, 0, "config.json: linux.timeOffsets: needs a new time namespace");
	if (s->personality_domain && strcmp(s->personality_domain, "LINUX") != 0 &&
	    strcmp(s->personality_domain, "LINUX32") != 0)
		return husk_fail(err, 0, "config.json: linux.personality.domain: unknown domain \"%s\"",
				 s->personality_domain);
	if (s->rootfs_propagation && *s->rootfs_propagation) {
		static const char *const ok[] = { "private", "rprivate", "slave", "rslave", "shared",
						  "rshared", "unbindable", "runbindable", NULL };
		bool found = false;
		for (int i = 0; ok[i]; i++)
			found |= strcmp(ok[i], s->rootfs_propagation) == 0;
		if (!found)
			return husk_fail(err, 0, "config.json: linux.rootfsPropagation: unknown value \"%s\"",
					 s->rootfs_propagation);
	}
	return 0;
}

int spec_validate(const struct spec *s, husk_error **err)
{
	int r;
	if ((r = spec_check_oci_version(s->oci_version, err)) < 0)
		return r;
	if (s->root_path == NULL || *s->root_path == '\0')
		return husk_fail(err, 0, "config.json: root.path: is required");
	if ((r = validate_process(s, err)) < 0)
		return r;
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct spec_mount *m = &s->mounts[i];
		if (!is_abs(m->destination))
			return husk_fail(err, 0, "config.json: mounts[%zu].destination: \"%s\" is not an absolute path",
					 i, m->destination);
		if ((m->n_uid_mappings == 0) != (m->n_gid_mappings == 0))
			return husk_fail(err, 0, "config.json: mounts[%zu]: an idmapped mount needs both uidMappings and gidMappings",
					 i);
	}
	if ((r = validate_proc_mounts(s, err)) < 0)
		return r;
	static const char *const stages[HOOK_STAGE_COUNT] = {
		"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"
	};
	for (int st = 0; st < HOOK_STAGE_COUNT; st++)
		for (size_t i = 0; i < s->hooks[st].n; i++)
			if (!is_abs(s->hooks[st].hooks[i].path))
				return husk_fail(err, 0, "config.json: hooks.%s[%zu].path: \"%s\" is not an absolute path",
						 stages[st], i, s->hooks[st].hooks[i].path);
	if ((r = validate_namespaces(s, err)) < 0 || (r = validate_linux(s, err)) < 0)
		return r;
	return 0;
}
