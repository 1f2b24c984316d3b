/* create and run: from a bundle to a container process waiting for start
 * (create) or running (run). */
#include "core/container.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/internal.h"
#include "cgroup/cgroup.h"
#include "linux/hooks.h"
#include "linux/idmap.h"
#include "linux/init.h"
#include "linux/intel_rdt.h"
#include "linux/lsm.h"
#include "linux/numa_policy.h"
#include "linux/mount_options.h"
#include "linux/namespaces.h"
#include "linux/net_devices.h"
#include "linux/seccomp_cache.h"
#include "linux/start_socket.h"
#include "linux/terminal.h"
#include "linux/sync.h"
#include "linux/sysctls.h"
#include "spec/spec.h"
#include "state/state.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"

/* Everything create acquires, released in one place on every path. */
struct creation {
	struct spec *spec;
	char *config_text;
	size_t config_len;
	char *bundle;
	char *rootfs;
	int root_fd;
	struct state_dir dir;
	bool reserved;
	int ns_fds[NS_COUNT];
	int start_fd;
	int sync_fd;
	int console_fd;      /* the child's way to send the pty master */
	int pty_peer;        /* run's own end, when husk relays the terminal */
	int *mount_fds;      /* idmapped trees, one slot per mount */
	struct seccomp_program seccomp;
	const char *id;
	struct cgroup cg;
	bool in_cgroup;      /* cg exists: removed if create fails */
	pid_t pid;
	sigset_t forwarded;  /* blocked by a foreground run, read after */
};


static void creation_release(struct creation *c, bool failed)
{
	if (failed && c->pid > 0) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
	}
	if (failed && c->in_cgroup)
		/* With a pid namespace of its own, the container's processes all
		 * die with its init: anything else in its cgroup is someone
		 * else's and is spared, as runc spares it. */
		cgroup_destroy(&c->cg, !core_own_pidns(c->spec), NULL);
	/* runtime.md: a container whose creation failed once it existed goes
	 * on to the end of its lifecycle, so its poststop hooks run. */
	if (failed && c->pid > 0)
		core_run_hooks_warn(c->spec, HOOK_POSTSTOP, c->id, "stopped", 0, c->bundle);
	if (failed && c->reserved)
		state_remove(&c->dir, NULL);
	if (c->reserved)
		state_dir_close(&c->dir);
	ns_close_all(c->ns_fds);
	closep(&c->start_fd);
	closep(&c->console_fd);
	closep(&c->pty_peer);
	if (c->mount_fds)
		idmap_close(c->mount_fds, c->spec->n_mounts);
	free(c->mount_fds);
	closep(&c->sync_fd);
	closep(&c->root_fd);
	seccomp_program_free(&c->seccomp);
	spec_free(c->spec);
	free(c->config_text);
	free(c->bundle);
	free(c->rootfs);
}

/* A relative bind source is relative to the bundle, as runc reads it. */
static int absolute_bind_sources(struct spec *s, const char *bundle, husk_error **err)
{
	json_object *mounts = json_member(s->json, "mounts");
	for (size_t i = 0; i < s->n_mounts; i++) {
		struct spec_mount *m = &s->mounts[i];
		if (m->source == NULL || m->source[0] == '/')
			continue;
		struct mount_options o;
		if (mount_options_parse(m->options, &o, err) < 0)
			return -1;
		free(o.data);
		if (!o.bind && !(m->type && strcmp(m->type, "bind") == 0))
			continue;
		char *abs = NULL;
		if (asprintf(&abs, "%s/%s", bundle, m->source) < 0)
			return husk_fail(err, ENOMEM, "mounts");
		/* The spec's strings live in its JSON document: the new one
		 * goes there too. */
		json_object *src = json_member(json_object_array_get_idx(mounts, i), "source");
		json_object_set_string(src, abs);
		free(abs);
		m->source = json_object_get_string(src);
	}
	return 0;
}

static int load_bundle(const struct create_options *o, struct creation *c, husk_error **err)
{
	int r = core_bundle_load(o->bundle, &c->bundle, &c->spec, &c->config_text, &c->config_len, err);
	if (r < 0 || (r = absolute_bind_sources(c->spec, c->bundle, err)) < 0)
		return r;
	return core_rootfs_resolve(c->bundle, c->spec->root_path, &c->rootfs, err);
}

int core_write_pid_file(const char *path, pid_t pid, husk_error **err)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int) pid);
	/* Atomic, as engines poll for it: a temporary renamed into place. */
	cleanup_free char *dir = strdup(path);
	if (dir == NULL)
		return husk_fail(err, ENOMEM, "pid file");
	char *slash = strrchr(dir, '/');
	const char *name = slash ? slash + 1 : dir;
	if (slash)
		*slash = '\0';
	cleanup_close int dfd = open(slash ? (*dir ? dir : "/") : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return husk_fail(err, errno, "pid file %s", path);
	return write_file_atomic_at(dfd, name, buf, n, 0644, err);
}

static int record_state(const struct create_options *o, struct creation *c, husk_error **err)
{
	struct core_record rec = {
		.id = o->id, .pid = c->pid, .bundle = c->bundle, .rootfs = c->rootfs, .spec = c->spec,
		.config_text = c->config_text, .config_len = c->config_len, .cg = &c->cg, .pid_file = o->pid_file,
	};
	return core_record_state(&c->dir, &rec, err);
}

/* Where the container's pty master goes: the --console-socket, or, for a
 * foreground run, a socketpair whose other end husk relays through. */
static int open_console(const struct create_options *o, bool foreground, struct creation *c,
			husk_error **err)
{
	if (!c->spec->process.terminal)
		return 0;
	if (o->console_socket) {
		c->console_fd = terminal_connect(o->console_socket, err);
		return c->console_fd < 0 ? c->console_fd : 0;
	}
	if (!foreground)
		return husk_fail(err, 0, "process.terminal is set: --console-socket is needed unless run in the foreground");
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return husk_fail(err, errno, "socketpair");
	c->pty_peer = sv[0];
	c->console_fd = sv[1];
	return 0;
}

/* LISTEN_FDS from husk's environment (socket activation), as runc reads it. */
static int listen_fds(void)
{
	const char *v = getenv("LISTEN_FDS");
	int n = v ? atoi(v) : 0;
	return n > 0 && n < 65536 ? n : 0;
}

/* The seccomp notify fd of the container process, handed on to the
 * listener named in the config (a sync_fd_handler; owns fd). */
static int forward_notify(void *ctx, int fd, husk_error **err)
{
	struct creation *c = ctx;
	cleanup_close int notify = fd;
	cleanup_free char *state = state_hook_json(c->id, "creating", c->pid, c->bundle,
						   c->spec->annotations);
	if (state == NULL)
		return husk_fail(err, ENOMEM, "seccomp listener");
	return seccomp_send_listener(&c->seccomp, notify, state, c->pid, err);
}

/* Waits for the container process to be set up, running the prestart and
 * createRuntime hooks when it asks (its mounts made, before pivot_root). */
static int wait_ready(const struct create_options *o, struct creation *c, husk_error **err)
{
	struct sync_msg m;
	int r;
	for (;;) {
		if ((r = sync_recv(c->sync_fd, &m, "container process", err)) < 0)
			return r;
		if (r == 1)
			return husk_fail(err, 0, "the container process exited unexpectedly");
		if (m.type == SYNC_SECCOMP && m.fd >= 0) {
			if ((r = forward_notify(c, m.fd, err)) < 0)
				return r;
			continue;
		}
		if (m.fd >= 0)
			close(m.fd);
		if (m.type == SYNC_READY)
			return 0;
		if (m.type == SYNC_ERROR)
			return sync_error(&m, err);
		if (m.type != SYNC_HOOKS)
			return husk_fail(err, 0, "sync: unexpected message %u", m.type);
		const struct spec *s = c->spec;
		cleanup_free char *state = state_hook_json(o->id, "creating", c->pid, c->bundle,
							   s->annotations);
		if (state == NULL)
			return husk_fail(err, ENOMEM, "hook state");
		if ((r = hooks_run(&s->hooks[HOOK_PRESTART], HOOK_PRESTART, state, err)) < 0 ||
		    (r = hooks_run(&s->hooks[HOOK_CREATE_RUNTIME], HOOK_CREATE_RUNTIME, state, err)) < 0 ||
		    (r = sync_send(c->sync_fd, SYNC_HOOKS_DONE, c->pid, err)) < 0)
			return r;
	}
}

/* A rootless husk has a cgroup only where one is delegated to it. */
static int init_cgroup(const struct create_options *o, struct creation *c, husk_error **err)
{
	if (o->rootless && !o->systemd_cgroup)
		return cgroup_init_rootless(&c->cg, c->spec->cgroups_path, o->id, c->spec->resources, err);
	return cgroup_init(&c->cg, c->spec->cgroups_path, o->id, o->systemd_cgroup, err);
}

/* runc (1.1) warns, and goes on, when the cgroup a container is given
 * already holds processes: they share its limits, and delete --force
 * kills them with it. */
static void warn_if_busy(const struct cgroup *cg)
{
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	husk_error *ignored = NULL;
	if (cg->path[0] && cg->ops->procs(cg, &pids, &n, &ignored) < 0)
		n = 0;
	husk_error_free(ignored);
	if (n > 0)
		log_warn("the container's cgroup %s is not empty: %zu process(es) found", cg->path, n);
}

/* Shared by create and run: up to the container process being set up and
 * its state recorded.  `run` skips the start socket and is started by
 * SYNC_GO alone. */
/* Into the container's network namespace: the joined one, or its own. */
static int move_net_devices(struct creation *c, husk_error **err)
{
	if (c->spec->n_net_devices == 0)
		return 0;
	if (c->ns_fds[NS_NET] >= 0)
		return netdev_move(c->spec, c->ns_fds[NS_NET], err);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int) c->pid);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return husk_fail(err, errno, "open %s", path);
	return netdev_move(c->spec, fd, err);
}

static int create_container(const struct create_options *o, bool run, bool foreground,
			    struct creation *c, husk_error **err)
{
	int r;
	c->id = o->id;
	if ((r = state_check_id(o->id, err)) < 0 || (r = load_bundle(o, c, err)) < 0 ||
	    (r = sysctl_validate(c->spec, err)) < 0 || (r = lsm_check(c->spec, err)) < 0 ||
	    (r = mempolicy_check(&c->spec->memory_policy, err)) < 0 ||
	    (r = intel_rdt_check(&c->spec->intel_rdt, err)) < 0 || (r = netdev_check(c->spec, err)) < 0 ||
	    (r = seccomp_compile_cached(c->spec->seccomp, o->seccomp_cache, &c->seccomp, err)) < 0 ||
	    (r = init_cgroup(o, c, err)) < 0)
		return r;
	if ((r = open_console(o, foreground, c, err)) < 0)
		return r;
	if ((r = ns_open_joined(c->spec, c->ns_fds, err)) < 0 ||
	    (r = state_open_root(o->root, true, &c->root_fd, err)) < 0)
		return r;
	/* From here on what husk makes must be undone, so a foreground run
	 * takes its signals to pass them on; until here (reading and checking
	 * a config of any size) a signal ends husk as it ends any program. */
	if (foreground && core_block_signals(&c->forwarded) < 0)
		return husk_fail(err, errno, "block signals");
	if ((r = state_reserve(c->root_fd, o->id, &c->dir, err)) < 0)
		return r;
	c->reserved = true;
	/* Once the id is this create's: a create losing the race for it would
	 * see the winner's processes. */
	warn_if_busy(&c->cg);
	c->mount_fds = calloc(c->spec->n_mounts + 1, sizeof(int));
	if (c->mount_fds == NULL)
		return husk_fail(err, ENOMEM, "mounts");
	if ((r = idmap_prepare(c->spec, c->mount_fds, err)) < 0)
		return r;
	if (!run && (c->start_fd = start_socket_listen(c->dir.fd, err)) < 0)
		return c->start_fd;

	struct init_config ic = {
		.id = o->id, .spec = c->spec, .rootfs = c->rootfs, .bundle = c->bundle,
		.no_new_keyring = o->no_new_keyring,
		.start_fd = c->start_fd, .console_fd = c->console_fd, .mount_fds = c->mount_fds,
		.cgroup_path = c->cg.path, .seccomp = &c->seccomp,
		.listen_fds = listen_fds(), .preserve_fds = o->preserve_fds, .no_pivot = o->no_pivot,
		.parent_fds = { c->dir.fd, c->root_fd, -1 },
	};
	memcpy(ic.ns_fds, c->ns_fds, sizeof(ic.ns_fds));
	/* In its cgroup, with its limits, before it runs anything: cloned
	 * into it where the driver and kernel can, moved there otherwise. */
	cleanup_close int cg_fd = -1;
	/* A path of the config's is noted before the cgroup is made: a delete
	 * after husk died from here on finds it (the default one it knows). */
	if (c->cg.path[0] && !cgroup_is_default(&c->cg, o->id) &&
	    (r = write_file_at(c->dir.fd, "cgroup", c->cg.path, strlen(c->cg.path), 0600, err)) < 0)
		return r;
	if (c->cg.ops->open_dir) {
		if ((cg_fd = c->cg.ops->open_dir(&c->cg, err)) < 0)
			return cg_fd;
		c->in_cgroup = true;
	}
	ic.cgroup_fd = ic.parent_fds[2] = cg_fd;
	if ((r = spawn_container(&ic, &c->pid, &c->sync_fd, err)) < 0)
		return r;
	log_debug("container %s: process %d cloned%s", o->id, (int) c->pid,
		  ic.cloned_into_cgroup ? " into its cgroup" : "");
	if (!ic.cloned_into_cgroup && (r = c->cg.ops->enter(&c->cg, c->pid, c->spec->resources, err)) < 0)
		return r;
	c->in_cgroup = true;
	if ((r = c->cg.ops->apply(&c->cg, c->spec->resources, err)) < 0 ||
	    (r = move_net_devices(c, err)) < 0 || (r = sync_send(c->sync_fd, SYNC_PLACED, 0, err)) < 0)
		return r;
	if ((r = wait_ready(o, c, err)) < 0 || (r = record_state(o, c, err)) < 0 ||
	    (run && o->created && (r = o->created(o->created_arg, c->pid, err)) < 0) ||
	    (r = sync_send(c->sync_fd, SYNC_GO, c->pid, err)) < 0)
		return r;
	return 0;
}

static void creation_init(struct creation *c)
{
	*c = (struct creation) { .root_fd = -1, .start_fd = -1, .sync_fd = -1, .console_fd = -1,
				 .pty_peer = -1 };
	for (int t = 0; t < NS_COUNT; t++)
		c->ns_fds[t] = -1;
}

int container_create(const struct create_options *o, husk_error **err)
{
	struct creation c;
	creation_init(&c);
	int r = create_container(o, false, false, &c, err);
	/* The child closes its end once it no longer dies with us. */
	if (r >= 0)
		r = sync_wait_eof(c.sync_fd, "container process", NULL, NULL, err);
	creation_release(&c, r < 0);
	return r < 0 ? husk_wrap(err, "create %s", o->id) : 0;
}

int container_run(const struct create_options *o, bool detach, bool keep, int *ret_status,
		  husk_error **err)
{
	sigset_t old;
	sigprocmask(SIG_SETMASK, NULL, &old);
	struct creation c;
	creation_init(&c);
	int r = create_container(o, true, !detach, &c, err);
	/* EOF: the container process has exec'd its program. */
	if (r >= 0)
		r = sync_wait_eof(c.sync_fd, "container process", forward_notify, &c, err);
	if (r >= 0)
		core_run_hooks_warn(c.spec, HOOK_POSTSTART, o->id, "running", c.pid, c.bundle);
	/* The pty master, when husk relays the terminal itself. */
	cleanup_close int pty = -1;
	if (r >= 0 && c.pty_peer >= 0)
		r = pty = terminal_recv_master(c.pty_peer, err);
	pid_t pid = c.pid;
	creation_release(&c, r < 0);
	if (r < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return husk_wrap(err, "run %s", o->id);
	}
	*ret_status = 0;
	if (detach)
		return 0;
	r = core_wait_forwarding(pid, &c.forwarded, pty, o->interrupt_kills, ret_status, err);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (r < 0)
		return husk_wrap(err, "run %s", o->id);
	if (!keep) {
		cleanup_error husk_error *e = NULL;
		if (container_delete(o->root, o->id, true, &e) < 0)
			log_warn("delete %s: %s", o->id, e->msg);
	}
	return 0;
}
