/* start, kill and delete of an existing container. */
#include "core/container.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/internal.h"
#include "linux/hooks.h"
#include "linux/seccomp_filter.h"
#include "linux/start_socket.h"
#include "spec/spec.h"
#include "state/state.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/proc.h"

int core_handle_open(const char *root, const char *id, bool lock, struct core_handle *h,
		     husk_error **err)
{
	*h = (struct core_handle) { .root_fd = -1, .dir = { .fd = -1 } };
	int r = state_open_root(root, false, &h->root_fd, err);
	if (r == -ENOENT) {
		husk_error_freep(err);
		return state_not_found(id, err);
	}
	if (r < 0 || (r = state_open(h->root_fd, id, lock, &h->dir, err)) < 0 ||
	    (r = state_read(&h->dir, &h->st, err)) < 0)
		return r;
	h->has_cgroup = h->st.cgroup_path && *h->st.cgroup_path &&
			cgroup_from_path(&h->cg, h->st.cgroup_path, h->st.systemd_unit, NULL) >= 0;
	/* A create that died before recording its state may have made its
	 * cgroup already: it noted the path first (or, from an older husk,
	 * it is the default one). */
	if (!h->st.has_state && !h->st.has_identity) {
		cleanup_free char *path = NULL;
		size_t len;
		if (read_file_at(h->dir.fd, "cgroup", &path, &len, NULL) >= 0 && len > 0)
			h->has_cgroup = cgroup_from_path(&h->cg, path, NULL, NULL) >= 0;
		else
			h->has_cgroup = cgroup_init(&h->cg, NULL, id, false, NULL) >= 0;
	}
	h->status = core_status(&h->dir, &h->st);
	return 0;
}

enum container_status core_status(const struct state_dir *d, const struct container_state *st)
{
	enum container_status s = state_status(d, st);
	struct cgroup cg;
	if ((s == STATUS_RUNNING || s == STATUS_CREATED) && st->cgroup_path && *st->cgroup_path &&
	    cgroup_from_path(&cg, st->cgroup_path, st->systemd_unit, NULL) >= 0 && cg.ops->frozen(&cg))
		return STATUS_PAUSED;
	return s;
}

void core_run_hooks_warn(const struct spec *s, enum hook_stage stage, const char *id,
			 const char *status, pid_t pid, const char *bundle)
{
	if (s->hooks[stage].n == 0)
		return;
	cleanup_error husk_error *err = NULL;
	cleanup_free char *state = state_hook_json(id, status, pid, bundle, s->annotations);
	if (state == NULL || hooks_run(&s->hooks[stage], stage, state, &err) < 0)
		log_warn("%s: %s", id, err ? err->msg : "out of memory");
}

/* The config the container was created from, for its later hooks. */
static void run_recorded_hooks(const struct core_handle *h, enum hook_stage stage, const char *status)
{
	if (!(h->st.hooks & (1u << stage)))
		return;
	cleanup_spec struct spec *s = NULL;
	cleanup_error husk_error *err = NULL;
	if (spec_load(h->dir.fd, &s, NULL, NULL, &err) < 0) {
		log_warn("%s: %s hooks not run: %s", h->dir.id, hook_stage_name(stage), err->msg);
		return;
	}
	core_run_hooks_warn(s, stage, h->dir.id, status, h->st.pid, h->st.bundle);
}

void core_handle_close(struct core_handle *h)
{
	container_state_clear(&h->st);
	state_dir_close(&h->dir);
	closep(&h->root_fd);
}

/* The seccomp notify fd the container process sends when it installs its
 * filter right before exec, handed on to the configured listener. */
int core_forward_notify(void *ctx, int fd, husk_error **err)
{
	const struct core_handle *h = ctx;
	cleanup_close int notify = fd;
	cleanup_spec struct spec *s = NULL;
	int r = spec_load(h->dir.fd, &s, NULL, NULL, err);
	if (r < 0)
		return r;
	json_object *sc = s->seccomp, *path = NULL, *meta = NULL;
	json_object_object_get_ex(sc, "listenerPath", &path);
	json_object_object_get_ex(sc, "listenerMetadata", &meta);
	struct seccomp_program listener = {
		.listener_path = json_object_get_string(path),
		.listener_metadata = meta ? json_object_get_string(meta) : NULL,
	};
	if (listener.listener_path == NULL)
		return husk_fail(err, 0, "seccomp: no listenerPath");
	cleanup_free char *state = state_hook_json(h->dir.id, "created", h->st.pid, h->st.bundle,
						   s->annotations);
	if (state == NULL)
		return husk_fail(err, ENOMEM, "seccomp listener");
	return seccomp_send_listener(&listener, notify, state, h->st.pid, err);
}

int container_start(const char *root, const char *id, husk_error **err)
{
	cleanup_handle struct core_handle h;
	int r = core_handle_open(root, id, true, &h, err);
	if (r < 0)
		return r;
	switch (h.status) {
	case STATUS_CREATED:
		break;
	case STATUS_STOPPED:
		return husk_fail(err, 0, "cannot start a container that has stopped");
	case STATUS_CREATING:
		return husk_fail(err, 0, "cannot start a container that is still being created");
	default:
		return husk_fail(err, 0, "cannot start an already %s container", status_name(h.status));
	}
	if ((r = start_socket_trigger(h.dir.fd, core_forward_notify, &h, err)) < 0)
		return husk_wrap(err, "start %s", id);
	run_recorded_hooks(&h, HOOK_POSTSTART, "running");
	return 0;
}

/* A pidfd of the container process, checked against its recorded start
 * time so a recycled pid is never signalled. */
static int open_process(const struct core_handle *h, husk_error **err)
{
	int fd = syscall(SYS_pidfd_open, h->st.pid, 0);
	if (fd < 0 && errno == ESRCH)
		return husk_fail(err, 0, "container \"%s\" is not running", h->dir.id);
	if (fd < 0)
		return husk_fail(err, errno, "pidfd_open %d", (int) h->st.pid);
	if (!proc_alive(h->st.pid, h->st.pid_start)) {
		close(fd);
		return husk_fail(err, 0, "container \"%s\" is not running", h->dir.id);
	}
	return fd;
}

static int pidfd_kill(int pidfd, int sig)
{
	return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

/* kill --all: every process in the container's pid namespace.  (With a
 * cgroup, the cgroup's member list is used instead.) */
static int kill_all(const struct core_handle *h, int sig, husk_error **err)
{
	cleanup_free pid_t *pids = NULL;
	size_t n;
	int r = core_pidns_members(h, &pids, &n, err);
	for (size_t i = 0; r >= 0 && i < n; i++)
		kill(pids[i], sig);
	return r;
}

int container_kill(const char *root, const char *id, int sig, bool all, husk_error **err)
{
	cleanup_handle struct core_handle h;
	int r = core_handle_open(root, id, false, &h, err);
	if (r < 0)
		return r;
	if (h.status == STATUS_STOPPED || h.status == STATUS_CREATING)
		return husk_fail(err, 0, "container \"%s\" is not running", id);
	if (h.status == STATUS_UNKNOWN && !proc_alive(h.st.pid, h.st.pid_start))
		return husk_fail(err, 0, "container \"%s\": no process to signal can be verified: %s", id,
				 h.st.reason);
	cleanup_close int pidfd = open_process(&h, err);
	if (pidfd < 0)
		return pidfd;
	if (all && h.has_cgroup && (r = cgroup_kill_all(&h.cg, sig, err)) < 0)
		return r;
	if (all && !h.has_cgroup && (r = kill_all(&h, sig, err)) < 0)
		return r;
	if (pidfd_kill(pidfd, sig) < 0 && errno != ESRCH)
		return husk_fail(err, errno, "kill %s", id);
	return 0;
}

/* SIGKILL and wait until the process is gone: a pidfd becomes readable
 * when its process exits, whether or not it is our child. */
static int kill_and_wait(const struct core_handle *h, husk_error **err)
{
	if (h->st.pid <= 0)
		return 0;
	cleanup_close int pidfd = syscall(SYS_pidfd_open, h->st.pid, 0);
	if (pidfd < 0)
		return errno == ESRCH ? 0 : husk_fail(err, errno, "pidfd_open");
	if (!proc_alive(h->st.pid, h->st.pid_start))
		return 0;
	if (pidfd_kill(pidfd, SIGKILL) < 0 && errno != ESRCH)
		return husk_fail(err, errno, "kill");
	/* A v1-frozen process dies only once thawed: thawed after the
	 * signal, it runs nothing of its own before dying. */
	if (h->has_cgroup && h->cg.ops->frozen(&h->cg) && h->cg.ops->freeze(&h->cg, false, err) < 0)
		return -1;
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	while (poll(&p, 1, -1) < 0)
		if (errno != EINTR)
			return husk_fail(err, errno, "wait for the container process");
	return 0;
}

/* A container of unknown state is removed only when husk knows where its
 * processes are: the identity record, or else a cgroup that exists. */
static int find_processes(const struct core_handle *h, husk_error **err)
{
	if (h->st.has_identity)
		return 0;
	cleanup_free pid_t *pids = NULL;
	size_t n;
	cleanup_error husk_error *e = NULL;
	if (h->has_cgroup && h->cg.ops->procs(&h->cg, &pids, &n, &e) >= 0)
		return 0;
	return husk_fail(err, 0, "cannot find its processes (no identity record, no cgroup): %s; "
			 "its state is left as it is", h->st.reason);
}

int container_delete(const char *root, const char *id, bool force, husk_error **err)
{
	int r = state_check_id(id, err);
	if (r < 0)
		return r;
	cleanup_handle struct core_handle h;
	r = core_handle_open(root, id, true, &h, err);
	/* As runc: --force on a container that is already gone succeeds
	 * (engines call it to clean up after a failed create). */
	if (r == -ENOENT && force) {
		husk_error_freep(err);
		return 0;
	}
	if (r < 0)
		return r;
	switch (h.status) {
	case STATUS_STOPPED:
		break;
	case STATUS_CREATED:
		/* Never started: nothing of the user's ran, delete as runc does. */
		if ((r = kill_and_wait(&h, err)) < 0)
			return husk_wrap(err, "delete %s", id);
		break;
	case STATUS_UNKNOWN:
		if (!force)
			return husk_fail(err, 0, "cannot delete container %s of unknown state without --force: %s",
					 id, h.st.reason);
		if ((r = find_processes(&h, err)) < 0)
			return husk_wrap(err, "delete %s", id);
		if ((r = kill_and_wait(&h, err)) < 0)
			return husk_wrap(err, "delete %s", id);
		break;
	default:
		if (!force)
			return husk_fail(err, 0, "cannot delete container %s that is not stopped: %s",
					 id, status_name(h.status));
		if ((r = kill_and_wait(&h, err)) < 0)
			return husk_wrap(err, "delete %s", id);
	}
	/* What is left in the cgroup of a container without a pid namespace
	 * of its own dies with it (so does anything a create that crashed
	 * left); other containers' processes in a shared cgroup keep it. */
	bool kill_rest = h.st.shared_pidns || !h.st.has_state;
	if (h.has_cgroup && (r = cgroup_destroy(&h.cg, kill_rest, err)) < 0) {
		if (kill_rest || r != -EBUSY)
			return husk_wrap(err, "delete %s", id);
		log_warn("delete %s: %s", id, err[0]->msg);
		husk_error_free(*err);
		*err = NULL;
	}
	run_recorded_hooks(&h, HOOK_POSTSTOP, "stopped");
	if ((r = state_remove(&h.dir, err)) < 0)
		return husk_wrap(err, "delete %s", id);
	return 0;
}
