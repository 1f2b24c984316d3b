#include "linux/join.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "linux/affinity.h"
#include "linux/fds.h"
#include "linux/raw_ids.h"
#include "linux/join_cgroup.h"
#include "linux/namespaces.h"
#include "linux/sync.h"
#include "linux/terminal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

/* The container process's namespaces of every type its config lists. */
static int open_target_ns(const struct join_config *c, int fds[NS_COUNT], husk_error **err)
{
	for (int t = 0; t < NS_COUNT; t++)
		fds[t] = -1;
	for (int t = 0; t < NS_COUNT; t++) {
		if (!c->container->namespaces[t].present)
			continue;
		static const char *const proc_names[NS_COUNT] = {
			[NS_PID] = "pid", [NS_NET] = "net", [NS_MNT] = "mnt", [NS_IPC] = "ipc",
			[NS_UTS] = "uts", [NS_USER] = "user", [NS_CGROUP] = "cgroup", [NS_TIME] = "time",
		};
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int) c->target, proc_names[t]);
		fds[t] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[t] < 0) {
			int e = errno;
			ns_close_all(fds);
			return husk_fail(err, e, "open %s", path);
		}
	}
	return 0;
}

/* The container's process: in every namespace of the container already. */
static __attribute__((noreturn)) void joined_main(const struct join_config *c, int sync_fd)
{
	cleanup_error husk_error *err = NULL;
	struct exec_plan plan = { 0 };
	if (sync_expect(sync_fd, SYNC_GO, "husk", NULL, &err) < 0 ||
	    affinity_apply_final(&c->setup.process->exec_cpu_affinity, &err) < 0)
		goto fail;
	log_debug("exec: pid %d set up in the container, about to exec %s", (int) getpid(),
		  c->setup.process->args && c->setup.process->args[0] ? c->setup.process->args[0] : "?");
	if (c->setup.process->terminal &&
	    terminal_setup(c->console_fd, false, c->setup.process->console_height,
			   c->setup.process->console_width, &err) < 0)
		goto fail;
	if (process_finalize(&c->setup, &plan, &err) < 0 ||
	    process_late_seccomp(&c->setup, sync_fd, &err) < 0)
		goto fail;
	process_exec(&plan, &err);
fail:
	sync_send_error(sync_fd, err);
	_exit(127);
}

/* The intermediate, still in the host's pid namespace, so that nothing of
 * the container sees it: it enters every other namespace, the mount
 * namespace (and with it the container's root) included, and only then
 * the pid namespace, whose first process of ours is the child it clones
 * for husk (CLONE_PARENT) - already inside the container's mounts, so its
 * /proc/<pid>/root is the container's (issue 12.1). */
static __attribute__((noreturn)) void intermediate_main(const struct join_config *c, int fds[NS_COUNT],
							int sync_fd)
{
	cleanup_error husk_error *err = NULL;
	/* Inherited by the child, which keeps it until it is in the cgroup. */
	if (affinity_apply_initial(&c->setup.process->exec_cpu_affinity, &err) < 0)
		goto fail;
	/* Only the passed fds and husk's own reach the process the container
	 * sees (issue 12.2). */
	int keep[NS_COUNT + 3] = { sync_fd, c->console_fd, log_fd() };
	for (int i = 0; i < NS_COUNT; i++)
		keep[3 + i] = fds[i];
	if (fds_close_except(3 + c->setup.preserve_fds + c->setup.listen_fds, keep,
			     sizeof(keep) / sizeof(keep[0]), &err) < 0)
		goto fail;
	/* Inherited by the child: it runs the husk binary until it execs
	 * (CVE-2019-5736; the binary itself is sealed, see exe_seal.h). */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		husk_fail(&err, errno, "set non-dumpable");
		goto fail;
	}
	log_debug("exec: joining the namespaces of pid %d", (int) c->target);
	if (ns_join(fds, 1u << NS_USER, &err) < 0)
		goto fail;
	if (fds[NS_USER] >= 0 && (raw_setresgid(0, 0, 0) < 0 || raw_setresuid(0, 0, 0) < 0)) {
		husk_fail(&err, errno, "become root in the user namespace");
		goto fail;
	}
	/* ns_join enters the mount namespace last of these: that moves root
	 * and cwd into the container. */
	if (ns_join(fds, ~((1u << NS_USER) | (1u << NS_PID) | (1u << NS_TIME)), &err) < 0 ||
	    ns_join(fds, (1u << NS_PID) | (1u << NS_TIME), &err) < 0)
		goto fail;
	ns_close_all(fds);
	pid_t pid = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid == 0)
		joined_main(c, sync_fd);
	if (pid < 0) {
		husk_fail(&err, errno, "clone");
		goto fail;
	}
	if (sync_send(sync_fd, SYNC_SPAWNED, pid, &err) < 0)
		goto fail;
	_exit(0);
fail:
	sync_send_error(sync_fd, err);
	_exit(127);
}

int spawn_in_container(const struct join_config *c, pid_t *ret_pid, int *ret_sync_fd,
		       husk_error **err)
{
	int fds[NS_COUNT], sv[2], r;
	if ((r = open_target_ns(c, fds, err)) < 0)
		return r;
	if ((r = sync_pair(sv, err)) < 0) {
		ns_close_all(fds);
		return r;
	}
	cleanup_close int parent_end = sv[0], child_end = sv[1];
	pid_t mid = syscall(SYS_clone, SIGCHLD, NULL, NULL, NULL, NULL);
	if (mid < 0) {
		r = husk_fail(err, errno, "clone");
		ns_close_all(fds);
		return r;
	}
	if (mid == 0) {
		close(parent_end);
		intermediate_main(c, fds, child_end);
	}
	ns_close_all(fds);
	closep(&child_end);
	int32_t pid = -1;
	r = sync_expect(parent_end, SYNC_SPAWNED, "husk", &pid, err);
	while (waitpid(mid, NULL, 0) < 0 && errno == EINTR)
		;
	if (r < 0)
		return r;
	log_debug("exec: process %d cloned in the pid namespace of %d; joining its cgroups", (int) pid,
		  (int) c->target);
	if ((r = join_cgroups(c->target, pid, c->cgroup_path, c->subs, c->n_subs, err)) < 0 || (r = sync_send(parent_end, SYNC_GO, pid, err)) < 0) {
		kill(pid, SIGKILL);
		return r;
	}
	*ret_pid = pid;
	*ret_sync_fd = steal_fd(parent_end);
	return 0;
}
