/* checkpoint: a running container dumped by CRIU into an image directory,
 * then (unless --leave-running) deleted, as runc does. */
#include "core/container.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/criu_common.h"
#include "core/internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

/* runc's descriptors.json: what the container's stdio were, so that a
 * restore can hand its own pipes in their place. */
static int write_descriptors(const struct criu_session *s, pid_t pid, husk_error **err)
{
	json_object *fds = json_object_new_array();
	for (int fd = 0; fd < 3; fd++) {
		char path[64], target[PATH_MAX];
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int) pid, fd);
		ssize_t n = readlink(path, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		json_object_array_add(fds, json_object_new_string(target));
	}
	const char *text = json_object_to_json_string_ext(fds, JSON_C_TO_STRING_PLAIN);
	int r = write_file_at(s->image_fd, CRIU_DESCRIPTORS, text, strlen(text), 0600, err);
	json_object_put(fds);
	return r;
}

/* CRIU freezes the tasks with the cgroup freezer rather than ptrace. */
static int set_freezer(struct criu_session *s, const struct core_handle *h, husk_error **err)
{
	if (!h->has_cgroup)
		return 0;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "/sys/fs/cgroup%s%s", h->cg.mode == CGROUP_V1 ? "/freezer" : "",
		 h->cg.path);
	if (access(path, F_OK) < 0)
		return 0;
	if (s->lib.local_set_freeze_cgroup(s->opts, path) < 0)
		return husk_fail(err, ENOMEM, "criu options");
	return 0;
}

static int dump(const struct criu_options *o, struct core_handle *h, husk_error **err)
{
	switch (h->status) {
	case STATUS_RUNNING:
	case STATUS_PAUSED:
		break;
	default:
		return husk_fail(err, 0, "container is %s: only a running container can be checkpointed",
				 status_name(h->status));
	}
	struct spec *spec = NULL;
	int r = spec_load(h->dir.fd, &spec, NULL, NULL, err);
	if (r < 0)
		return r;
	struct criu_session s;
	if ((r = criu_session_open(&s, o, true, "dump.log", err)) < 0)
		goto out;
	const struct criu_lib *l = &s.lib;
	l->local_set_pid(s.opts, h->st.pid);
	l->local_set_leave_running(s.opts, o->leave_running);
	if (l->local_set_root(s.opts, h->st.rootfs) < 0) {
		r = husk_fail(err, ENOMEM, "criu options");
		goto out;
	}
	/* A joined network namespace stays outside the images. */
	const char *netns = spec->namespaces[NS_NET].path;
	struct stat st;
	if (netns && stat(netns, &st) == 0) {
		char ext[64];
		snprintf(ext, sizeof(ext), "net[%llu]:extRootNetNS", (unsigned long long) st.st_ino);
		if (l->local_add_external(s.opts, ext) < 0) {
			r = husk_fail(err, ENOMEM, "criu options");
			goto out;
		}
	}
	if ((r = criu_add_ext_mounts(&s, spec, h->st.bundle, h->has_cgroup ? h->cg.path : "", h->st.pid, err)) < 0 ||
	    (r = set_freezer(&s, h, err)) < 0 || (r = write_descriptors(&s, h->st.pid, err)) < 0)
		goto out;
	log_debug("checkpoint %s: criu dump of pid %d", o->id, (int) h->st.pid);
	if ((r = l->local_dump(s.opts)) < 0)
		r = criu_fail(&s, r, "dump", err);
out:
	criu_session_close(&s);
	spec_free(spec);
	return r;
}

int container_checkpoint(const struct criu_options *o, husk_error **err)
{
	int r;
	{
		cleanup_handle struct core_handle h;
		if ((r = core_handle_open(o->root, o->id, true, &h, err)) < 0)
			return husk_wrap(err, "checkpoint %s", o->id);
		if ((r = dump(o, &h, err)) < 0)
			return husk_wrap(err, "checkpoint %s", o->id);
	}
	/* The processes are gone with the dump: the container goes too. */
	if (!o->leave_running && (r = container_delete(o->root, o->id, true, err)) < 0)
		return husk_wrap(err, "checkpoint %s", o->id);
	return 0;
}
