/* A new process inside an existing container (`husk exec`): cloned once
 * from husk, it enters the container's namespaces and cgroups, then takes
 * the same last steps as the container's first process. */
#ifndef HUSK_LINUX_JOIN_H
#define HUSK_LINUX_JOIN_H

#include <sys/types.h>
#include "linux/join_cgroup.h"
#include "linux/process.h"
#include "spec/spec.h"
#include "util/error.h"

struct join_config {
	pid_t target;                  /* the container's process */
	const struct spec *container;  /* its config: which namespaces, personality */
	struct process_setup setup;    /* the new process */
	int console_fd;                /* pty master goes here when terminal, else -1 */
	const char *cgroup_path;       /* the container's cgroup, or NULL */
	const struct join_subcgroup *subs; /* exec --cgroup */
	size_t n_subs;
};

/* Clones the process; returns its pid and the sync socket, on which EOF
 * means it exec'd and a SYNC_ERROR why it could not. */
int spawn_in_container(const struct join_config *c, pid_t *ret_pid, int *ret_sync_fd,
		       husk_error **err);

#endif
