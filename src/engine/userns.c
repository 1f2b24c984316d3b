/* The user namespace of an engine container.
 *
 * As root, --uidmap/--gidmap CONTAINER:HOST:SIZE (podman's flags; without
 * --gidmap the uid maps serve for gids) give the container a user
 * namespace of those maps, and its overlay lower layers are idmapped
 * mounts of the same maps (overlay.c), so that the image's files are owned
 * inside as the image says; the upper dir is the container root's (its
 * writes land on the host with their mapped owners).
 *
 * Rootless, husk runs in its own user namespace (core/container.h:
 * container_enter_user_ns) where the layers were unpacked with the
 * image's owners; the container gets a user namespace of its own that
 * maps those ids onto themselves, so that `husk container exec`, from
 * outside, can join it (the user owns its parent). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/container.h"
#include "engine/internal.h"
#include "util/cleanup.h"
#include "util/json.h"

/* [{containerID: in, hostID: in, size: n}] of each line of file. */
static int identity_of(const char *file, json_object **ret, husk_error **err)
{
	cleanup_fclose FILE *f = fopen(file, "re");
	if (!f)
		return husk_fail(err, errno, "%s", file);
	json_object *a = json_object_new_array();
	unsigned long in, out, n;
	while (fscanf(f, "%lu %lu %lu", &in, &out, &n) == 3) {
		json_object *m = json_object_new_object();
		json_object_object_add(m, "containerID", json_object_new_int64((int64_t) in));
		json_object_object_add(m, "hostID", json_object_new_int64((int64_t) in));
		json_object_object_add(m, "size", json_object_new_int64((int64_t) n));
		json_object_array_add(a, m);
	}
	*ret = a;
	return 0;
}

static bool has_namespace(json_object *linux_, const char *type)
{
	json_object *ns = json_member(linux_, "namespaces");
	for (size_t i = 0; ns && i < json_object_array_length(ns); i++)
		if (strcmp(json_object_get_string(json_member(json_object_array_get_idx(ns, i), "type")),
			   type) == 0)
			return true;
	return false;
}

/* Without a network namespace of its own a rootless container may not
 * mount a sysfs (the host's network namespace is not its user
 * namespace's): the host's /sys is bound read-only, as runc's rootless
 * spec and podman do. */
static void bind_host_sys(json_object *spec)
{
	json_object *mounts = json_member(spec, "mounts");
	for (size_t i = 0; mounts && i < json_object_array_length(mounts); i++) {
		json_object *m = json_object_array_get_idx(mounts, i);
		if (strcmp(json_object_get_string(json_member(m, "destination")), "/sys") != 0)
			continue;
		json_object_object_add(m, "type", json_object_new_string("none"));
		json_object_object_add(m, "source", json_object_new_string("/sys"));
		json_object *o = json_object_new_array();
		static const char *const opts[] = { "rbind", "nosuid", "noexec", "nodev", "ro" };
		for (size_t k = 0; k < sizeof(opts) / sizeof(*opts); k++)
			json_object_array_add(o, json_object_new_string(opts[k]));
		json_object_object_add(m, "options", o);
	}
}

/* Whether id is inside one of the identity maps. */
static bool mapped(json_object *maps, int64_t id)
{
	for (size_t i = 0; i < json_object_array_length(maps); i++) {
		json_object *m = json_object_array_get_idx(maps, i);
		int64_t first = json_object_get_int64(json_member(m, "containerID"));
		if (id >= first && id - first < json_object_get_int64(json_member(m, "size")))
			return true;
	}
	return false;
}

/* devpts' gid=5 (tty) fails where gid 5 is not mapped (a user without
 * /etc/subgid range): the option goes, as runc's rootless spec has it. */
static void drop_unmapped_tty_gid(json_object *spec, json_object *gids)
{
	if (mapped(gids, 5))
		return;
	json_object *mounts = json_member(spec, "mounts");
	for (size_t i = 0; mounts && i < json_object_array_length(mounts); i++) {
		json_object *m = json_object_array_get_idx(mounts, i), *o = json_member(m, "options");
		if (strcmp(json_object_get_string(json_member(m, "type")), "devpts") != 0 || !o)
			continue;
		for (size_t k = json_object_array_length(o); k-- > 0;)
			if (strcmp(json_object_get_string(json_object_array_get_idx(o, k)), "gid=5") == 0)
				json_object_array_del_idx(o, k, 1);
	}
}

static void add_user_namespace(json_object *linux_)
{
	if (has_namespace(linux_, "user"))
		return;
	json_object *ns = json_member(linux_, "namespaces");
	json_object *u = json_object_new_object();
	json_object_object_add(u, "type", json_object_new_string("user"));
	json_object_array_add(ns, u);
}

/* "C:H:S" into {containerID, hostID, size}. */
static int parse_map(const char *flag, const char *text, json_object *into, husk_error **err)
{
	unsigned long v[3];
	char *end = (char *) text;
	for (int i = 0; i < 3; i++) {
		const char *start = end;
		errno = 0;
		v[i] = strtoul(start, &end, 10);
		if (errno || end == start || *start == '-' || v[i] > UINT32_MAX ||
		    *end != (i < 2 ? ':' : '\0'))
			return husk_fail(err, 0, "%s %s: expects CONTAINER:HOST:SIZE", flag, text);
		if (i < 2)
			end++;
	}
	if (v[2] == 0 || v[0] + v[2] - 1 > UINT32_MAX || v[1] + v[2] - 1 > UINT32_MAX)
		return husk_fail(err, 0, "%s %s: the size is 0 or the range passes 4294967295", flag, text);
	json_object *m = json_object_new_object();
	json_object_object_add(m, "containerID", json_object_new_int64((int64_t) v[0]));
	json_object_object_add(m, "hostID", json_object_new_int64((int64_t) v[1]));
	json_object_object_add(m, "size", json_object_new_int64((int64_t) v[2]));
	json_object_array_add(into, m);
	return 0;
}

int userns_flags(json_object *meta, const struct engine_flags *f, husk_error **err)
{
	if (!f->uidmap && !f->gidmap)
		return 0;
	if (container_rootless())
		return husk_fail(err, 0, "--uidmap/--gidmap: rootless, the container maps the ids of husk's user namespace already (/etc/subuid); idmapped layers need root");
	if (!f->uidmap)
		return husk_fail(err, 0, "--gidmap: needs --uidmap too");
	json_object *maps = json_object_new_object(), *u = json_object_new_array(),
		    *g = json_object_new_array();
	json_object_object_add(maps, "uid", u);
	json_object_object_add(maps, "gid", g);
	json_object_object_add(meta, "idMappings", maps);
	for (char **p = f->uidmap; *p; p++)
		if (parse_map("--uidmap", *p, u, err) < 0)
			return -1;
	for (char **p = f->gidmap ? f->gidmap : f->uidmap; *p; p++)
		if (parse_map(f->gidmap ? "--gidmap" : "--uidmap", *p, g, err) < 0)
			return -1;
	return 0;
}

static size_t to_maps(json_object *a, struct spec_id_mapping *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; a && i < json_object_array_length(a) && n < max; i++) {
		json_object *m = json_object_array_get_idx(a, i);
		out[n++] = (struct spec_id_mapping) {
			.container_id = (uint32_t) json_object_get_int64(json_member(m, "containerID")),
			.host_id = (uint32_t) json_object_get_int64(json_member(m, "hostID")),
			.size = (uint32_t) json_object_get_int64(json_member(m, "size")) };
	}
	return n;
}

bool userns_maps(json_object *meta, struct userns_idmap *m)
{
	json_object *maps = json_member(meta, "idMappings");
	m->n_uid = to_maps(json_member(maps, "uid"), m->uid, USERNS_IDMAP_MAX);
	m->n_gid = to_maps(json_member(maps, "gid"), m->gid, USERNS_IDMAP_MAX);
	return m->n_uid > 0 && m->n_gid > 0;
}

int64_t userns_host_id(const struct spec_id_mapping *m, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (id >= m[i].container_id && id - m[i].container_id < m[i].size)
			return (int64_t) m[i].host_id + (id - m[i].container_id);
	return -1;
}

/* podman's HostConfig.IDMappings: {UidMap: ["C:H:S"], GidMap: [...]}. */
static json_object *as_strings(json_object *a)
{
	json_object *out = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *m = json_object_array_get_idx(a, i);
		char buf[64];
		snprintf(buf, sizeof(buf), "%lld:%lld:%lld",
			 (long long) json_object_get_int64(json_member(m, "containerID")),
			 (long long) json_object_get_int64(json_member(m, "hostID")),
			 (long long) json_object_get_int64(json_member(m, "size")));
		json_object_array_add(out, json_object_new_string(buf));
	}
	return out;
}

int userns_apply(json_object *spec, json_object *meta, husk_error **err)
{
	json_object *linux_ = json_member(spec, "linux"), *uids, *gids;
	json_object *maps = json_member(meta, "idMappings");
	if (maps) {
		json_object *ids = json_object_new_object();
		json_object_object_add(ids, "UidMap", as_strings(json_member(maps, "uid")));
		json_object_object_add(ids, "GidMap", as_strings(json_member(maps, "gid")));
		json_object_object_add(json_member(meta, "hostConfig"), "IDMappings", ids);
		add_user_namespace(linux_);
		json_object_object_add(linux_, "uidMappings", json_object_get(json_member(maps, "uid")));
		json_object_object_add(linux_, "gidMappings", json_object_get(json_member(maps, "gid")));
		return 0;
	}
	if (!container_rootless())
		return 0;
	if (!has_namespace(linux_, "network"))
		bind_host_sys(spec);
	if (identity_of("/proc/self/uid_map", &uids, err) < 0)
		return -1;
	if (identity_of("/proc/self/gid_map", &gids, err) < 0) {
		json_object_put(uids);
		return -1;
	}
	drop_unmapped_tty_gid(spec, gids);
	add_user_namespace(linux_);
	json_object_object_add(linux_, "uidMappings", uids);
	json_object_object_add(linux_, "gidMappings", gids);
	return 0;
}

/* The container's root must reach its rootfs (STORE/containers/<id>/
 * rootfs, bound by the runtime from inside the user namespace): store/
 * and containers/ get o+x (search, not read: their entries keep their own
 * modes), the container's directory is its root's group's (0710, as
 * docker's userns-remap root), and hostname, hosts and resolv.conf its
 * root's, so that they are root's inside. */
int userns_prepare_dirs(const char *store, const char *cdir, json_object *meta, husk_error **err)
{
	struct userns_idmap m;
	if (!userns_maps(meta, &m))
		return 0;
	int64_t uid = userns_host_id(m.uid, m.n_uid, 0), gid = userns_host_id(m.gid, m.n_gid, 0);
	if (uid < 0 || gid < 0)
		return husk_fail(err, 0, "--uidmap/--gidmap: container id 0 is not mapped");
	char path[4096];
	const char *search[] = { store, "containers" };
	for (size_t i = 0; i < 2; i++) {
		struct stat st;
		snprintf(path, sizeof(path), "%s%s%s", i ? store : "", i ? "/" : "", search[i]);
		if (stat(path, &st) < 0 || chmod(path, (st.st_mode & 07777) | 0011) < 0)
			return husk_fail(err, errno, "--uidmap: chmod o+x %s", path);
	}
	if (chown(cdir, 0, (gid_t) gid) < 0 || chmod(cdir, 0710) < 0)
		return husk_fail(err, errno, "--uidmap: %s", cdir);
	static const char *const files[] = { "hostname", "hosts", "resolv.conf" };
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", cdir, files[i]);
		if (chown(path, (uid_t) uid, (gid_t) gid) < 0 && errno != ENOENT)
			return husk_fail(err, errno, "--uidmap: chown %s", path);
	}
	return 0;
}
