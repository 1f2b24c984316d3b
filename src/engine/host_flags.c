/* The flags that shape the container rather than its process: volumes,
 * tmpfs, a read-only root, resources, capabilities, seccomp, network,
 * --privileged.  The defaults are docker's and podman's. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/internal.h"
#include "linux/caps.h"
#include "util/cleanup.h"
#include "util/json.h"

/* podman's default_capabilities (containers.conf): docker's set without
 * AUDIT_WRITE, MKNOD and NET_RAW. */
static const char *const default_caps[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
	"CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID",
	"CAP_SYS_CHROOT", NULL,
};

static json_object *mount_obj(const char *dst, const char *type, const char *src,
			      const char *const *opts, char *extra)
{
	json_object *m = json_object_new_object(), *o = json_object_new_array();
	json_object_object_add(m, "destination", json_object_new_string(dst));
	json_object_object_add(m, "type", json_object_new_string(type));
	json_object_object_add(m, "source", json_object_new_string(src));
	for (; opts && *opts; opts++)
		json_object_array_add(o, json_object_new_string(*opts));
	for (char *save = NULL, *t = extra ? strtok_r(extra, ",", &save) : NULL; t;
	     t = strtok_r(NULL, ",", &save))
		json_object_array_add(o, json_object_new_string(t));
	json_object_object_add(m, "options", o);
	return m;
}

/* docker's Mounts entry of inspect. */
static void inspect_mount(json_object *list, const char *type, const char *src, const char *dst,
			  bool rw)
{
	json_object *m = json_object_new_object();
	json_object_object_add(m, "Type", json_object_new_string(type));
	json_object_object_add(m, "Source", json_object_new_string(src));
	json_object_object_add(m, "Destination", json_object_new_string(dst));
	json_object_object_add(m, "Mode", json_object_new_string(""));
	json_object_object_add(m, "RW", json_object_new_boolean(rw));
	json_object_object_add(m, "Propagation", json_object_new_string("rprivate"));
	json_object_array_add(list, m);
}

static int volume(json_object *mounts, json_object *list, const char *arg, husk_error **err)
{
	cleanup_free char *v = strdup(arg);
	if (!v)
		return husk_fail(err, ENOMEM, "-v");
	char *dst = strchr(v, ':'), *mode = NULL;
	if (dst) {
		*dst++ = '\0';
		if ((mode = strchr(dst, ':')))
			*mode++ = '\0';
	}
	if (!dst || v[0] != '/' || dst[0] != '/')
		return husk_fail(err, 0, "-v %s: expects HOST:CONTAINER[:ro|rw], both absolute paths",
				 arg);
	bool ro = false;
	for (char *save = NULL, *t = mode ? strtok_r(mode, ",", &save) : NULL; t;
	     t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, "ro") == 0)
			ro = true;
		else if (strcmp(t, "rw") != 0 && strcmp(t, "z") != 0 && strcmp(t, "Z") != 0)
			return husk_fail(err, 0, "-v %s: unknown mode \"%s\" (ro or rw)", arg, t);
	}
	if (strcmp(dst, "/") == 0)
		return husk_fail(err, 0, "-v %s: cannot mount over the container's /", arg);
	struct stat st;
	if (stat(v, &st) < 0)
		return husk_fail(err, errno, "-v %s: %s", arg, v);
	static const char *const rw_opts[] = { "rbind", "rprivate", NULL };
	static const char *const ro_opts[] = { "rbind", "rprivate", "ro", NULL };
	json_object_array_add(mounts, mount_obj(dst, "bind", v, ro ? ro_opts : rw_opts, NULL));
	inspect_mount(list, "bind", v, dst, !ro);
	return 0;
}

static int tmpfs(json_object *mounts, json_object *list, const char *arg, husk_error **err)
{
	cleanup_free char *v = strdup(arg);
	if (!v)
		return husk_fail(err, ENOMEM, "--tmpfs");
	char *opts = strchr(v, ':');
	if (opts)
		*opts++ = '\0';
	if (v[0] != '/' || strcmp(v, "/") == 0)
		return husk_fail(err, 0, "--tmpfs %s: expects CONTAINER-PATH[:OPTIONS], an absolute path",
				 arg);
	static const char *const def[] = { "rw", "noexec", "nosuid", "nodev", NULL };
	json_object_array_add(mounts, mount_obj(v, "tmpfs", "tmpfs", def, opts));
	inspect_mount(list, "tmpfs", "tmpfs", v, true);
	return 0;
}

/* "64m" -> bytes (b, k, m, g, t; powers of 1024 as docker). */
static int parse_size(const char *s, int64_t *ret)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return -EINVAL;
	const char *units = "bkmgt";
	const char *u = *end ? strchr(units, tolower((unsigned char) *end)) : units;
	if (!u || (*end && end[1] && strcasecmp(end + 1, "b") != 0))
		return -EINVAL;
	for (const char *k = units; k < u; k++)
		v *= 1024;
	if (v > 9.2e18)
		return -ERANGE;
	*ret = (int64_t) v;
	return 0;
}

static json_object *section(json_object *o, const char *key)
{
	json_object *s = json_member(o, key);
	if (!s) {
		s = json_object_new_object();
		json_object_object_add(o, key, s);
	}
	return s;
}

static int resources(json_object *linux_, json_object *hc, const struct engine_flags *f,
		     husk_error **err)
{
	json_object *res = section(linux_, "resources");
	int64_t mem = 0;
	if (f->memory) {
		if (parse_size(f->memory, &mem) < 0 || mem < 6 << 20)
			return husk_fail(err, 0, "--memory %s: expects a size of at least 6m (b, k, m, g)",
					 f->memory);
		json_object_object_add(section(res, "memory"), "limit", json_object_new_int64(mem));
	}
	json_object_object_add(hc, "Memory", json_object_new_int64(mem));
	int64_t nano = 0;
	if (f->cpus) {
		char *end;
		double c = strtod(f->cpus, &end);
		if (*end || end == f->cpus || !(c > 0) || c > 4096)
			return husk_fail(err, 0, "--cpus %s: expects a positive number", f->cpus);
		json_object *cpu = section(res, "cpu");
		json_object_object_add(cpu, "quota", json_object_new_int64((int64_t) (c * 100000 + 0.5)));
		json_object_object_add(cpu, "period", json_object_new_int64(100000));
		nano = (int64_t) (c * 1e9 + 0.5);
	}
	json_object_object_add(hc, "NanoCpus", json_object_new_int64(nano));
	if (f->pids_limit) {
		json_object_object_add(section(res, "pids"), "limit",
				       json_object_new_int64(f->pids_limit));
	}
	json_object_object_add(hc, "PidsLimit", json_object_new_int64(f->pids_limit));
	return 0;
}

static int cap_bit(const char *name, const char *flag, int *ret, husk_error **err)
{
	char full[64];
	snprintf(full, sizeof(full), "%s%s", strncasecmp(name, "CAP_", 4) ? "CAP_" : "", name);
	for (char *p = full; *p; p++)
		*p = toupper((unsigned char) *p);
	int c = cap_from_name(full);
	if (c < 0 || c > 63)
		return husk_fail(err, 0, "%s %s: unknown capability", flag, name);
	*ret = c;
	return 0;
}

static int capabilities(json_object *proc, json_object *hc, const struct engine_flags *f,
			json_object **ret_caps, husk_error **err)
{
	/* ALL: what husk's own bounding set holds, as docker's daemon does. */
	uint64_t all = 0, set = 0;
	int last = cap_last_cap(); /* six prctls: once, not once per capability */
	for (int i = 0; i <= last && i < 64; i++)
		if (prctl(PR_CAPBSET_READ, i, 0, 0, 0) == 1)
			all |= 1ULL << i;
	for (const char *const *c = default_caps; *c; c++)
		set |= 1ULL << cap_from_name(*c);
	for (char **p = f->cap_drop; p && *p; p++)
		if (strcasecmp(*p, "ALL") == 0)
			set = 0;
	for (char **p = f->cap_add; p && *p; p++) {
		int b;
		if (strcasecmp(*p, "ALL") == 0)
			set = all;
		else if (cap_bit(*p, "--cap-add", &b, err) < 0)
			return -1;
		else
			set |= 1ULL << b;
	}
	for (char **p = f->cap_drop; p && *p; p++) {
		int b;
		if (strcasecmp(*p, "ALL") == 0)
			continue;
		if (cap_bit(*p, "--cap-drop", &b, err) < 0)
			return -1;
		set &= ~(1ULL << b);
	}
	if (f->privileged)
		set = all;
	json_object *names = json_object_new_array();
	for (int i = 0; i < 64; i++)
		if (set & (1ULL << i) && cap_name(i))
			json_object_array_add(names, json_object_new_string(cap_name(i)));
	json_object *caps = json_object_new_object();
	static const char *const sets[] = { "bounding", "effective", "permitted", NULL };
	for (const char *const *s = sets; *s; s++)
		json_object_object_add(caps, *s, json_object_get(names));
	json_object_object_add(proc, "capabilities", caps);
	json_object_object_add(hc, "CapAdd", json_object_new_array());
	for (char **p = f->cap_add; p && *p; p++)
		json_object_array_add(json_member(hc, "CapAdd"), json_object_new_string(*p));
	json_object_object_add(hc, "CapDrop", json_object_new_array());
	for (char **p = f->cap_drop; p && *p; p++)
		json_object_array_add(json_member(hc, "CapDrop"), json_object_new_string(*p));
	*ret_caps = names;
	return 0;
}

static void remove_namespace(json_object *linux_, const char *type)
{
	json_object *ns = json_member(linux_, "namespaces");
	for (size_t i = 0; ns && i < json_object_array_length(ns); i++) {
		json_object *t = json_member(json_object_array_get_idx(ns, i), "type");
		if (t && strcmp(json_object_get_string(t), type) == 0) {
			json_object_array_del_idx(ns, i, 1);
			return;
		}
	}
}

int host_flags_apply(json_object *spec, json_object *meta, const struct engine_flags *f,
		     const char *cdir, husk_error **err)
{
	(void) cdir;
	json_object *linux_ = section(spec, "linux"), *proc = json_member(spec, "process");
	json_object *hc = json_object_new_object(), *list = json_object_new_array();
	json_object_object_add(meta, "hostConfig", hc);
	json_object_object_add(meta, "mounts", list);
	json_object *mounts = json_member(spec, "mounts");
	for (char **p = f->volumes; p && *p; p++)
		if (volume(mounts, list, *p, err) < 0)
			return -1;
	for (char **p = f->tmpfs; p && *p; p++)
		if (tmpfs(mounts, list, *p, err) < 0)
			return -1;
	json_object_object_add(section(spec, "root"), "readonly", json_object_new_boolean(f->read_only));
	json_object_object_add(hc, "ReadonlyRootfs", json_object_new_boolean(f->read_only));
	if (resources(linux_, hc, f, err) < 0)
		return -1;
	json_object *caps;
	if (capabilities(proc, hc, f, &caps, err) < 0)
		return -1;
	cleanup_json json_object *caps_ref __attribute__((unused)) = caps;
	json_object_object_add(proc, "noNewPrivileges", json_object_new_boolean(f->no_new_privs));
	json_object_object_add(proc, "rlimits", json_object_new_array());
	json_object_object_add(hc, "Privileged", json_object_new_boolean(f->privileged));
	const char *net = f->network ? f->network : "none";
	/* cni:NAME, container:OTHER and husk networks are checked by
	 * network_prepare (they need the store, the config dir). */
	json_object_object_add(hc, "NetworkMode", json_object_new_string(net));
	if (strcmp(net, "host") == 0)
		remove_namespace(linux_, "network");
	json_object_object_add(hc, "AutoRemove", json_object_new_boolean(f->rm));
	json_object *sopt = json_object_new_array();
	json_object_object_add(hc, "SecurityOpt", sopt);
	if (f->no_new_privs)
		json_object_array_add(sopt, json_object_new_string("no-new-privileges"));
	if (f->privileged)
		return privileged_apply(spec, err);
	if (f->seccomp && strcmp(f->seccomp, "unconfined") == 0) {
		json_object_array_add(sopt, json_object_new_string("seccomp=unconfined"));
		return 0;
	}
	json_object *profile;
	if (seccomp_profile(f->seccomp, caps, &profile, err) < 0)
		return -1;
	json_object_object_add(linux_, "seccomp", profile);
	return 0;
}
