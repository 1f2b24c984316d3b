#include "linux/init.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/fds.h"
#include "linux/raw_ids.h"
#include "linux/hooks.h"
#include "linux/namespaces.h"
#include "linux/userns_maps.h"
#include "linux/path.h"
#include "linux/proc.h"
#include "linux/process.h"
#include "linux/rootfs.h"
#include "linux/terminal.h"
#include "linux/sync.h"
#include "linux/sysctls.h"
#include "state/state.h"
#include "util/cleanup.h"
#include "util/log.h"

static bool new_ns(const struct spec *s, enum ns_type t)
{
	return s->namespaces[t].present && s->namespaces[t].path == NULL;
}

static int set_names(const struct spec *s, husk_error **err)
{
	if (s->hostname && *s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
		return husk_fail(err, errno, "sethostname");
	if (s->domainname && *s->domainname && setdomainname(s->domainname, strlen(s->domainname)) < 0)
		return husk_fail(err, errno, "setdomainname");
	return 0;
}

/* A session keyring of the container's own, named after it, so keys of
 * the caller's session are not reachable from inside.  Kernels without
 * keyrings (ENOSYS) are tolerated as runc does. */
static int join_session_keyring(const char *id, husk_error **err)
{
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, id) < 0 && errno != ENOSYS)
		return husk_fail(err, errno, "join a new session keyring");
	return 0;
}

/* The time namespace, made and given its offsets while this process
 * still has the credentials it was cloned with.  /proc/<pid>/timens_offsets
 * belongs to the process's euid only while it is dumpable, and becoming
 * root in a user namespace that maps 0 elsewhere (0 100000 65536, or one
 * id) changes the euid, which makes it non-dumpable (fs.suid_dumpable): the
 * file then belongs to the host's root and the open is refused. */
static int time_namespace(const struct spec *s, husk_error **err)
{
	if (!new_ns(s, NS_TIME))
		return 0;
	/* Our children, and we ourselves at exec, enter it. */
	if (unshare(CLONE_NEWTIME) < 0)
		return husk_fail(err, errno, "create a time namespace");
	const struct spec_time_offset *m = &s->time_offsets[CLOCK_OFFSET_MONOTONIC];
	const struct spec_time_offset *b = &s->time_offsets[CLOCK_OFFSET_BOOTTIME];
	if (!m->present && !b->present)
		return 0;
	cleanup_close int proc = proc_open("/proc", err);
	if (proc < 0)
		return proc;
	char buf[128];
	snprintf(buf, sizeof(buf), "monotonic %lld %u\nboottime %lld %u\n", (long long) m->secs, m->nanosecs,
		 (long long) b->secs, b->nanosecs);
	return proc_write(proc, "self/timens_offsets", buf, err);
}

/* linux.sysctl through the host's /proc (verified procfs), in this
 * process's new namespaces, as the root of its user namespace: the ipc
 * keys belong to that root (net ones to whoever has CAP_NET_ADMIN over the
 * network namespace, uts ones are set by syscall, see sysctls.c). */
static int sysctls(const struct spec *s, husk_error **err)
{
	if (s->sysctl == NULL)
		return 0;
	cleanup_close int proc = proc_open("/proc", err);
	if (proc < 0)
		return proc;
	return sysctl_apply(s, proc, err);
}

/* process.oomScoreAdj, written by husk into the container process's
 * /proc/<pid> before it goes on: a value below husk's own needs
 * CAP_SYS_RESOURCE over the host, which a process in a new user namespace
 * does not have, and the file is not the container process's own once it
 * is root in a user namespace that maps 0 elsewhere (see time_namespace). */
static int set_oom_score_adj(pid_t pid, const struct spec_process *p, husk_error **err)
{
	if (!p->has_oom_score_adj)
		return 0;
	cleanup_close int proc = proc_open("/proc", err);
	if (proc < 0)
		return proc;
	char rel[64], buf[16];
	snprintf(rel, sizeof(rel), "%d/oom_score_adj", (int) pid);
	snprintf(buf, sizeof(buf), "%d", p->oom_score_adj);
	return proc_write(proc, rel, buf, err);
}

/* A cwd missing from the image is created (as runc does), as root and
 * before root.readonly applies; resolved inside the new root. */
static int make_cwd(const struct spec *s, husk_error **err)
{
	const char *cwd = s->process.cwd;
	if (cwd == NULL || access(cwd, F_OK) == 0)
		return 0;
	cleanup_close int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return husk_fail(err, errno, "open /");
	cleanup_close int fd = in_root_mkpath(root, cwd, IN_ROOT_DIR, err);
	return fd < 0 ? husk_wrap(err, "cwd") : 0;
}

static bool has_hooks(const struct spec *s, enum hook_stage stage)
{
	return s->hooks[stage].n > 0;
}

static int run_hooks(const struct init_config *c, enum hook_stage stage, const char *status,
		     husk_error **err)
{
	cleanup_free char *state = state_hook_json(c->id, status, c->host_pid, c->bundle,
						   c->spec->annotations);
	if (state == NULL)
		return husk_fail(err, ENOMEM, "hook state");
	return hooks_run(&c->spec->hooks[stage], stage, state, err);
}

/* The hooks of create: prestart and createRuntime in the runtime's
 * namespaces (the parent runs them while this process waits), then
 * createContainer here, in the container's namespaces before pivot_root. */
static int create_hooks(struct init_config *c, int sync_fd, husk_error **err)
{
	const struct spec *s = c->spec;
	if (!has_hooks(s, HOOK_PRESTART) && !has_hooks(s, HOOK_CREATE_RUNTIME) &&
	    !has_hooks(s, HOOK_CREATE_CONTAINER))
		return 0;
	int32_t pid;
	int r = sync_send(sync_fd, SYNC_HOOKS, 0, err);
	if (r < 0 || (r = sync_expect(sync_fd, SYNC_HOOKS_DONE, "husk", &pid, err)) < 0)
		return r;
	c->host_pid = pid;
	if (!has_hooks(s, HOOK_CREATE_CONTAINER))
		return 0;
	return run_hooks(c, HOOK_CREATE_CONTAINER, "creating", err);
}

/* Sets up everything up to the point where only exec is left. */
static int setup(struct init_config *c, int sync_fd, struct exec_plan *plan, husk_error **err)
{
	const struct spec *s = c->spec;
	bool userns = new_ns(s, NS_USER);
	int r;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return husk_fail(err, errno, "prctl PDEATHSIG");
	/* Nothing is done before the parent has written the uid/gid maps
	 * and put this process in the container's cgroup. */
	if ((r = sync_expect(sync_fd, SYNC_PLACED, "husk", NULL, err)) < 0)
		return r;
	/* The cgroup namespace is made now, not at clone: its root is the
	 * cgroup this process is in when it is created. */
	if (new_ns(s, NS_CGROUP) && unshare(CLONE_NEWCGROUP) < 0)
		return husk_fail(err, errno, "create a cgroup namespace");
	if ((r = time_namespace(s, err)) < 0)
		return r;
	/* In a new or joined user namespace, act as its root: files the
	 * setup creates must belong to a mapped id. */
	if ((userns || c->ns_fds[NS_USER] >= 0) && (raw_setresgid(0, 0, 0) < 0 || raw_setresuid(0, 0, 0) < 0))
		return husk_fail(err, errno, "become root in the user namespace");
	/* pid, time and user are joined by the parent before clone (see
	 * spawn_container). */
	unsigned joined = ~((1u << NS_PID) | (1u << NS_TIME) | (1u << NS_USER));
	if ((r = ns_join(c->ns_fds, joined, err)) < 0)
		return r;
	if ((r = set_names(s, err)) < 0)
		return r;
	if (!c->no_new_keyring && (r = join_session_keyring(c->id, err)) < 0)
		return r;
	if ((r = sysctls(s, err)) < 0)
		return r;
	struct rootfs_config rc = {
		.spec = s, .rootfs = c->rootfs, .mount_fds = c->mount_fds,
		.cgroup = { .path = c->cgroup_path, .own_ns = new_ns(s, NS_CGROUP) },
		.no_pivot = c->no_pivot, .in_userns = userns || c->ns_fds[NS_USER] >= 0,
	};
	bool own_mounts = new_ns(s, NS_MNT);
	if (own_mounts && (r = rootfs_prepare(&rc, err)) < 0)
		return r;
	if ((r = create_hooks(c, sync_fd, err)) < 0)
		return r;
	if (own_mounts && ((r = rootfs_enter(&rc, err)) < 0 || (r = make_cwd(s, err)) < 0 ||
			   (r = rootfs_finish(&rc, err)) < 0))
		return r;
	if (s->process.terminal) {
		r = terminal_setup(c->console_fd, own_mounts, s->process.console_height,
				   s->process.console_width, err);
		closep(&c->console_fd);
		if (r < 0)
			return r;
	} else if (setsid() < 0 && errno != EPERM) {
		/* A session of its own, as runc's init makes one: CRIU dumps a
		 * container only when its session leader is inside it.  (EPERM:
		 * the process leads a group already, as with a shared pid
		 * namespace's joiner.) */
		return husk_fail(err, errno, "setsid");
	}
	struct process_setup ps = {
		.process = &s->process, .seccomp = c->seccomp, .personality = s->personality_domain,
		.memory_policy = &s->memory_policy,
		.in_userns = rc.in_userns, .listen_fds = c->listen_fds, .preserve_fds = c->preserve_fds,
	};
	return process_finalize(&ps, plan, err);
}

/* Under `create`: blocks until `husk start` connects.  The connection is
 * CLOEXEC: `start` sees it close when exec succeeds, or reads the error. */
static int wait_for_start(int start_fd, husk_error **err)
{
	int conn;
	do
		conn = accept4(start_fd, NULL, NULL, SOCK_CLOEXEC);
	while (conn < 0 && errno == EINTR);
	if (conn < 0)
		return husk_fail(err, errno, "wait for start");
	close(start_fd);
	return conn;
}

/* Before this process can be seen from inside (it is the container's
 * pid 1 while it waits for `start`), it keeps only the passed fds and
 * what it needs itself: a leaked fd of the caller's is never reachable
 * through /proc/1/fd from an exec'd process (issue 12.2). */
static int close_inherited(struct init_config *c, int sync_fd, husk_error **err)
{
	size_t n = 0, cap = NS_COUNT + c->spec->n_mounts + 4;
	cleanup_free int *keep = calloc(cap, sizeof(*keep));
	if (keep == NULL)
		return husk_fail(err, ENOMEM, "close inherited fds");
	keep[n++] = sync_fd;
	keep[n++] = c->start_fd;
	keep[n++] = c->console_fd;
	keep[n++] = log_fd();
	for (int i = 0; i < NS_COUNT; i++)
		keep[n++] = c->ns_fds[i];
	for (size_t i = 0; c->mount_fds && i < c->spec->n_mounts; i++)
		keep[n++] = c->mount_fds[i];
	return fds_close_except(3 + c->preserve_fds + c->listen_fds, keep, n, err);
}

static __attribute__((noreturn)) void container_main(struct init_config *c, int sync_fd)
{
	cleanup_error husk_error *err = NULL;
	struct exec_plan plan = { 0 };
	int report_fd = sync_fd;

	if (close_inherited(c, sync_fd, &err) < 0 || setup(c, sync_fd, &plan, &err) < 0)
		goto fail;
	int32_t pid;
	if (sync_send(sync_fd, SYNC_READY, 0, &err) < 0 || sync_expect(sync_fd, SYNC_GO, "husk", &pid, &err) < 0)
		goto fail;
	c->host_pid = pid;
	/* From here the container outlives `husk create`. */
	prctl(PR_SET_PDEATHSIG, 0);
	if (c->start_fd >= 0) {
		close(sync_fd);
		report_fd = wait_for_start(c->start_fd, &err);
		if (report_fd < 0)
			_exit(127);
	}
	/* startContainer: in the container, after start, before the exec. */
	if (has_hooks(c->spec, HOOK_START_CONTAINER) &&
	    run_hooks(c, HOOK_START_CONTAINER, "created", &err) < 0)
		goto fail;
	if (process_late_seccomp(&(struct process_setup) { .process = &c->spec->process,
							    .seccomp = c->seccomp },
				 report_fd, &err) < 0)
		goto fail;
	process_exec(&plan, &err);
fail:
	sync_send_error(report_fd, err);
	_exit(127);
}

/* With a cgroup fd, the child starts in that cgroup: it is never counted
 * in husk's own cgroup, nor runs a moment outside its own.  Kernels before
 * 5.7 refuse the flag; the caller then moves the child itself. */
static pid_t clone_child(unsigned long flags, int cgroup_fd, bool *into_cgroup)
{
	/* With CLONE_PARENT the child takes the caller's own exit signal
	 * (SIGCHLD); clone3 then wants none given. */
	struct clone_args args = { .flags = flags, .exit_signal = flags & CLONE_PARENT ? 0 : SIGCHLD };
	pid_t pid;
	*into_cgroup = false;
	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = cgroup_fd;
		pid = syscall(SYS_clone3, &args, sizeof(args));
		if (pid >= 0) {
			*into_cgroup = true;
			return pid;
		}
		log_debug("clone3 with CLONE_INTO_CGROUP: %s; the cgroup is entered after clone", strerror(errno));
		args.flags = flags;
		args.cgroup = 0;
	}
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0 && errno == ENOSYS)
		pid = syscall(SYS_clone, flags | (flags & CLONE_PARENT ? 0 : SIGCHLD), NULL, NULL, NULL, NULL);
	return pid;
}

static __attribute__((noreturn)) void child_main(struct init_config *c, int parent_end, int child_end)
{
	close(parent_end);
	for (size_t i = 0; i < sizeof(c->parent_fds) / sizeof(c->parent_fds[0]); i++)
		if (c->parent_fds[i] >= 0)
			close(c->parent_fds[i]);
	container_main(c, child_end);
}

/* The namespaces a clone creates belong to the user namespace of the
 * process that clones, and a joined user namespace can never be left
 * again (husk would lose its rights over the host's cgroups).  So with a
 * joined user namespace, a short-lived process joins it (and the pid and
 * time namespaces, which apply to children), clones the container process
 * as husk's own child (CLONE_PARENT) and exits.  One more fork, only for
 * configs that join a user namespace. */
static int spawn_in_joined_userns(struct init_config *c, int parent_end, int child_end,
				  pid_t *ret_pid, husk_error **err)
{
	bool into_cgroup;
	/* Neither process here may write to the host's cgroups: the parent
	 * moves the container process after the clone. */
	pid_t mid = clone_child(0, -1, &into_cgroup);
	if (mid < 0)
		return husk_fail(err, errno, "clone");
	if (mid == 0) {
		cleanup_error husk_error *e = NULL;
		pid_t pid = -1;
		if (ns_join(c->ns_fds, (1u << NS_USER) | (1u << NS_PID) | (1u << NS_TIME), &e) >= 0) {
			pid = clone_child(ns_new_flags(c->spec) | CLONE_PARENT, -1, &into_cgroup);
			if (pid == 0)
				child_main(c, parent_end, child_end);
			if (pid < 0)
				husk_fail(&e, errno, "clone");
		}
		if (pid < 0)
			sync_send_error(child_end, e);
		else
			sync_send(child_end, SYNC_SPAWNED, pid, NULL);
		_exit(pid < 0);
	}
	close(child_end);
	while (waitpid(mid, NULL, 0) < 0 && errno == EINTR)
		;
	int32_t pid;
	int r = sync_expect(parent_end, SYNC_SPAWNED, "container process", &pid, err);
	if (r < 0)
		return r;
	*ret_pid = pid;
	return 0;
}

/* Joined pid and time namespaces apply to the children of the process
 * that joins them: husk joins them for the clone only, and goes back to
 * its own after, so that the hooks it runs later stay in the host's. */
static pid_t clone_in_joined(struct init_config *c, husk_error **err)
{
	unsigned which = 0;
	cleanup_close int own_pid = -1, own_time = -1;
	if (c->ns_fds[NS_PID] >= 0) {
		which |= 1u << NS_PID;
		own_pid = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	}
	if (c->ns_fds[NS_TIME] >= 0) {
		which |= 1u << NS_TIME;
		own_time = open("/proc/self/ns/time", O_RDONLY | O_CLOEXEC);
	}
	if (((which & (1u << NS_PID)) && own_pid < 0) || ((which & (1u << NS_TIME)) && own_time < 0))
		return husk_fail(err, errno, "open husk's own namespaces");
	int r = ns_join(c->ns_fds, which, err);
	if (r < 0)
		return r;
	pid_t pid = clone_child(ns_new_flags(c->spec), c->cgroup_fd, &c->cloned_into_cgroup);
	int e = errno;
	if (pid != 0 && ((own_pid >= 0 && setns(own_pid, CLONE_NEWPID) < 0) ||
			 (own_time >= 0 && setns(own_time, CLONE_NEWTIME) < 0))) {
		/* Cannot happen for ancestors of a joined namespace; if it did,
		 * husk must not go on in the container's namespaces. */
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		return husk_fail(err, errno, "return to husk's own namespaces");
	}
	if (pid < 0)
		return husk_fail(err, e, "clone");
	return pid;
}

int spawn_container(struct init_config *c, pid_t *ret_pid, int *ret_sync_fd, husk_error **err)
{
	int sv[2], r;
	if ((r = sync_pair(sv, err)) < 0)
		return r;
	cleanup_close int parent_end = sv[0], child_end = sv[1];
	pid_t pid = -1;
	if (c->ns_fds[NS_USER] >= 0) {
		r = spawn_in_joined_userns(c, parent_end, steal_fd(child_end), &pid, err);
		if (r < 0)
			return r;
	} else {
		pid = clone_in_joined(c, err);
		if (pid < 0)
			return pid;
		if (pid == 0)
			child_main(c, parent_end, child_end);
	}
	closep(&child_end);
	if ((c->spec->namespaces[NS_USER].present && c->spec->namespaces[NS_USER].path == NULL &&
	     (r = userns_write_maps(pid, c->spec, err)) < 0) ||
	    (r = set_oom_score_adj(pid, &c->spec->process, err)) < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return r;
	}
	*ret_pid = pid;
	*ret_sync_fd = steal_fd(parent_end);
	return 0;
}
