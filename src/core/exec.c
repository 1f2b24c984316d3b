/* exec: a new process in a running container, described by --process or
 * by the container's own process with the command line's changes. */
#include "core/container.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/internal.h"
#include "linux/join.h"
#include "linux/lsm.h"
#include "linux/sync.h"
#include "linux/terminal.h"
#include "linux/affinity.h"
#include "linux/seccomp_cache.h"
#include "spec/spec.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"

int container_exec(const struct exec_options *o, int *ret_status, husk_error **err)
{
	cleanup_handle struct core_handle h;
	int r = core_handle_open(o->root, o->id, false, &h, err);
	if (r < 0)
		return r;
	if (h.status == STATUS_PAUSED && !o->ignore_paused)
		return husk_fail(err, 0, "cannot exec in a paused container %s", o->id);
	if (h.status != STATUS_RUNNING && h.status != STATUS_CREATED && h.status != STATUS_PAUSED)
		return husk_fail(err, 0, "cannot exec in a %s container %s", status_name(h.status), o->id);

	cleanup_spec struct spec *container = NULL, *exec = NULL;
	cleanup_free char *text = NULL;
	size_t len = 0;
	struct seccomp_program seccomp = { 0 };
	if ((r = spec_load(h.dir.fd, &container, NULL, NULL, err)) < 0)
		return r;
	if (o->process_file && (r = read_file_at(AT_FDCWD, o->process_file, &text, &len, err)) < 0)
		return husk_wrap(err, "exec: --process");
	if ((r = exec_process_spec(o, container, text, len, &exec, err)) < 0)
		return r;
	if ((r = lsm_check(exec, err)) < 0 || (r = affinity_check(&exec->process.exec_cpu_affinity, err)) < 0)
		return husk_wrap(err, "exec in %s", o->id);
	/* The pty master goes to --console-socket, or to husk itself, which
	 * relays it in the foreground. */
	cleanup_close int console = -1, pty_peer = -1, pty = -1;
	if (exec->process.terminal) {
		if (o->console_socket) {
			if ((console = terminal_connect(o->console_socket, err)) < 0)
				return console;
		} else if (o->detach) {
			return husk_fail(err, 0, "exec: --tty with --detach needs --console-socket");
		} else {
			int sv[2];
			if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
				return husk_fail(err, errno, "socketpair");
			pty_peer = sv[0];
			console = sv[1];
		}
	}
	size_t n_subs = 0;
	while (o->cgroups && o->cgroups[n_subs])
		n_subs++;
	cleanup_free struct join_subcgroup *subs = n_subs ? calloc(n_subs, sizeof(*subs)) : NULL;
	if (n_subs && subs == NULL)
		return husk_fail(err, ENOMEM, "exec");
	if (n_subs && !h.has_cgroup)
		return husk_fail(err, 0, "exec --cgroup: container %s has no cgroup", o->id);
	if ((r = join_subcgroups_parse(o->cgroups, n_subs, subs, err)) < 0)
		return husk_wrap(err, "exec in %s", o->id);
	if ((r = seccomp_compile_cached(container->seccomp, o->seccomp_cache, &seccomp, err)) < 0)
		return r;
	log_debug("exec in %s: joining the %s container's process %d (%s)", o->id, status_name(h.status),
		  (int) h.st.pid, exec->process.args && exec->process.args[0] ? exec->process.args[0] : "?");
	struct join_config jc = {
		.target = h.st.pid, .container = container,
		.setup = { .process = &exec->process, .seccomp = &seccomp,
			   .personality = container->personality_domain,
			   .memory_policy = &container->memory_policy,
			   .in_userns = container->namespaces[NS_USER].present,
			   .preserve_fds = o->preserve_fds },
		.console_fd = console,
		.cgroup_path = h.has_cgroup ? h.cg.path : NULL,
		.subs = subs, .n_subs = n_subs,
	};
	sigset_t set, old;
	sigprocmask(SIG_SETMASK, NULL, &old);
	if (!o->detach && core_block_signals(&set) < 0) {
		seccomp_program_free(&seccomp);
		return husk_fail(err, errno, "block signals");
	}
	pid_t pid = -1;
	cleanup_close int sync_fd = -1;
	r = spawn_in_container(&jc, &pid, &sync_fd, err);
	if (r >= 0) {
		log_debug("exec in %s: process %d in the container's namespaces and cgroups", o->id, (int) pid);
		r = sync_wait_eof(sync_fd, "exec process", core_forward_notify, &h, err);
	}
	if (r >= 0)
		log_debug("exec in %s: process %d exec'd its program", o->id, (int) pid);
	seccomp_program_free(&seccomp);
	closep(&console);
	if (r >= 0 && pty_peer >= 0)
		r = pty = terminal_recv_master(pty_peer, err);
	if (r >= 0 && o->pid_file)
		r = core_write_pid_file(o->pid_file, pid, err);
	if (r < 0) {
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		sigprocmask(SIG_SETMASK, &old, NULL);
		return husk_wrap(err, "exec in %s", o->id);
	}
	*ret_status = 0;
	if (!o->detach) {
		r = core_wait_forwarding(pid, &set, pty, false, ret_status, err);
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (r >= 0)
			log_debug("exec in %s: process %d exited with status %d", o->id, (int) pid, *ret_status);
	}
	return r;
}
