/* The container process's last steps: rlimits, identity, working
 * directory, the program to run and its environment. */
#ifndef HUSK_LINUX_PROCESS_H
#define HUSK_LINUX_PROCESS_H

#include "spec/spec.h"
#include "util/error.h"

struct exec_plan {
	char *path;      /* resolved program */
	char **argv;     /* borrowed from the spec */
	char **envp;     /* spec env, plus HOME when missing, plus LISTEN_FDS */
};

int process_set_rlimits(const struct spec_process *p, husk_error **err);

/* setgroups/setresgid/setresuid, umask and cwd, in that order, so the cwd
 * is entered with the permissions of the container's user. */
int process_set_identity(const struct spec_process *p, bool in_userns, husk_error **err);

/* Resolves argv[0] on the container's PATH (from process.env) and builds
 * the environment; done inside the container, after pivot_root. */
int process_plan(const struct spec_process *p, int listen_fds, struct exec_plan *plan,
		 husk_error **err);

/* Only returns on failure. */
int process_exec(const struct exec_plan *plan, husk_error **err);

#endif
