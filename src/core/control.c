/* pause, resume, ps, update, events: what a container's cgroup allows. */
#include "core/container.h"

#include <errno.h>
#include <stdlib.h>

#include "core/internal.h"
#include "spec/spec.h"
#include "util/cleanup.h"
#include "util/json.h"

static int open_with_cgroup(const char *root, const char *id, bool lock, struct core_handle *h,
			    husk_error **err)
{
	int r = core_handle_open(root, id, lock, h, err);
	if (r < 0)
		return r;
	if (!h->has_cgroup)
		return husk_fail(err, 0, "container \"%s\" has no cgroup", id);
	return 0;
}

int container_pause(const char *root, const char *id, bool pause, husk_error **err)
{
	cleanup_handle struct core_handle h;
	int r = open_with_cgroup(root, id, true, &h, err);
	if (r < 0)
		return r;
	if (pause && h.status != STATUS_RUNNING && h.status != STATUS_CREATED)
		return husk_fail(err, 0, "cannot pause container %s: it is %s", id, status_name(h.status));
	if (!pause && h.status != STATUS_PAUSED)
		return husk_fail(err, 0, "cannot resume container %s: it is not paused", id);
	if ((r = h.cg.ops->freeze(&h.cg, pause, err)) < 0)
		return husk_wrap(err, "%s %s", pause ? "pause" : "resume", id);
	return 0;
}

int container_pids(const char *root, const char *id, pid_t **ret, size_t *n, husk_error **err)
{
	cleanup_handle struct core_handle h;
	int r = core_handle_open(root, id, false, &h, err);
	if (r < 0)
		return r;
	/* Rootless without a delegated cgroup: its pid namespace says. */
	if (!h.has_cgroup && !h.st.shared_pidns && (h.status == STATUS_RUNNING || h.status == STATUS_CREATED))
		return core_pidns_members(&h, ret, n, err);
	if (!h.has_cgroup)
		return husk_fail(err, 0, "container \"%s\" has no cgroup", id);
	if (h.status == STATUS_STOPPED || h.status == STATUS_CREATING) {
		*ret = NULL;
		*n = 0;
		return husk_fail(err, 0, "container \"%s\" is not running", id);
	}
	return h.cg.ops->procs(&h.cg, ret, n, err);
}

int container_update(const char *root, const char *id, json_object *resources, husk_error **err)
{
	cleanup_handle struct core_handle h;
	int r = open_with_cgroup(root, id, true, &h, err);
	if (r < 0)
		return r;
	if (h.status == STATUS_STOPPED || h.status == STATUS_CREATING)
		return husk_fail(err, 0, "cannot update container %s: it is %s", id, status_name(h.status));
	/* memory.checkBeforeUpdate of the config holds for every update
	 * that does not say otherwise. */
	json_object *mem = json_member(resources, "memory");
	if (mem && json_member(mem, "checkBeforeUpdate") == NULL) {
		cleanup_spec struct spec *s = NULL;
		if ((r = spec_load(h.dir.fd, &s, NULL, NULL, err)) < 0)
			return husk_wrap(err, "update %s", id);
		json_object *cmem = s->resources ? json_member(s->resources, "memory") : NULL;
		json_object *check = cmem ? json_member(cmem, "checkBeforeUpdate") : NULL;
		if (check)
			json_object_object_add(mem, "checkBeforeUpdate", json_object_get(check));
	}
	if ((r = h.cg.ops->apply(&h.cg, resources, err)) < 0)
		return husk_wrap(err, "update %s", id);
	return 0;
}

int container_stats(const char *root, const char *id, json_object **ret, uint64_t *ret_oom_kills,
		    bool *ret_running, husk_error **err)
{
	cleanup_handle struct core_handle h;
	*ret = NULL;
	int r = open_with_cgroup(root, id, false, &h, err);
	if (r < 0)
		return r;
	/* A stopped container keeps its cgroup until delete: its OOM count
	 * still tells whether its last process was OOM-killed. */
	*ret_oom_kills = cgroup_oom_kills(&h.cg);
	*ret_running = h.status != STATUS_STOPPED && h.status != STATUS_CREATING;
	if (!*ret_running)
		return 0;
	return h.cg.ops->stats(&h.cg, ret, err);
}
