/* The container process's last steps: rlimits, identity, working
 * directory, the program to run and its environment. */
#ifndef HUSK_LINUX_PROCESS_H
#define HUSK_LINUX_PROCESS_H

#include "linux/seccomp_filter.h"
#include "spec/spec.h"
#include "util/error.h"

struct exec_plan {
	char *path;      /* resolved program */
	char **argv;     /* borrowed from the spec */
	char **envp;     /* spec env, plus HOME when missing, plus LISTEN_FDS */
};

/* What process_finalize() needs: the process part of a config and the
 * container facts it depends on.  Shared by create and exec. */
struct process_setup {
	const struct spec_process *process;
	const struct seccomp_program *seccomp; /* may be empty */
	const char *personality;               /* linux.personality.domain or NULL */
	const struct spec_memory_policy *memory_policy; /* linux.memoryPolicy or NULL */
	bool in_userns;
	int listen_fds;
	int preserve_fds;
};

/* Inside the container's namespaces and root: rlimits, scheduling,
 * capabilities around the uid/gid switch (CAP_SYS_ADMIN kept until exec
 * when the filter needs it), LSM label, no_new_privs, personality, program
 * lookup, fds. */
int process_finalize(const struct process_setup *ps, struct exec_plan *plan,
		     husk_error **err);

/* Just before exec: signal dispositions and mask reset, then the seccomp
 * filter, with no_new_privs on or off (the latest point: nothing husk
 * does depends on what the profile allows, issue 13).  A notify fd goes to
 * report_fd. */
int process_late_seccomp(const struct process_setup *ps, int report_fd, husk_error **err);

int process_set_rlimits(const struct spec_process *p, husk_error **err);

/* setgroups/setresgid/setresuid, umask and cwd, in that order, so the cwd
 * is entered with the permissions of the container's user. */
int process_set_identity(const struct spec_process *p, husk_error **err);

/* Resolves argv[0] on the container's PATH (from process.env) and builds
 * the environment; done inside the container, after pivot_root. */
int process_plan(const struct spec_process *p, int listen_fds, int preserve_fds,
		 struct exec_plan *plan, husk_error **err);

/* execs; only returns on failure. */
int process_exec(const struct exec_plan *plan, husk_error **err);

#endif
