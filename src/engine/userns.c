/* The user namespace of an engine container.
 *
 * Rootless, husk runs in its own user namespace (core/container.h:
 * container_enter_user_ns) where the layers were unpacked with the
 * image's owners; the container gets a user namespace of its own that
 * maps those ids onto themselves, so that `husk container exec`, from
 * outside, can join it (the user owns its parent). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

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

static void add_user_namespace(json_object *linux_)
{
	json_object *ns = json_member(linux_, "namespaces");
	for (size_t i = 0; i < json_object_array_length(ns); i++)
		if (strcmp(json_object_get_string(json_member(json_object_array_get_idx(ns, i), "type")),
			   "user") == 0)
			return;
	json_object *u = json_object_new_object();
	json_object_object_add(u, "type", json_object_new_string("user"));
	json_object_array_add(ns, u);
}

int userns_apply(json_object *spec, husk_error **err)
{
	if (!container_rootless())
		return 0;
	json_object *linux_ = json_member(spec, "linux"), *uids, *gids;
	if (identity_of("/proc/self/uid_map", &uids, err) < 0)
		return -1;
	if (identity_of("/proc/self/gid_map", &gids, err) < 0) {
		json_object_put(uids);
		return -1;
	}
	add_user_namespace(linux_);
	json_object_object_add(linux_, "uidMappings", uids);
	json_object_object_add(linux_, "gidMappings", gids);
	return 0;
}
