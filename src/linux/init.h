/* The container process, from clone to exec.
 *
 * spawn_container() clones once with every new namespace; the child runs
 * container_init(), which sets the container up, reports SYNC_READY, waits
 * for SYNC_GO and then for `start` (a connection on the start socket) or,
 * under `run`, execs at once.  husk itself is never re-executed. */
#ifndef HUSK_LINUX_INIT_H
#define HUSK_LINUX_INIT_H

#include <stdbool.h>
#include <sys/types.h>
#include "linux/seccomp_filter.h"
#include "spec/spec.h"
#include "util/error.h"

struct init_config {
	const char *id;
	const struct spec *spec;
	const char *rootfs;        /* absolute host path */
	const char *bundle;        /* absolute host path, for hooks' state */
	int ns_fds[NS_COUNT];      /* namespaces to join, -1 for the others */
	int start_fd;              /* listening start socket; -1 under `run` */
	int console_fd;            /* where the pty master goes when
				    * process.terminal; -1 otherwise */
	const int *mount_fds;      /* per mount: premade idmapped tree or -1 */
	const char *cgroup_path;   /* the container's cgroup ("/husk/<id>") */
	int cgroup_fd;             /* its directory, to clone into (clone3
				    * CLONE_INTO_CGROUP), or -1 */
	bool cloned_into_cgroup;   /* set by spawn_container: the process
				    * started in cgroup_fd's cgroup */
	const struct seccomp_program *seccomp; /* compiled by the parent; len 0: none */
	int preserve_fds;          /* fds 3 .. 3+n-1 pass into the container */
	int listen_fds;            /* LISTEN_FDS of husk's environment: n more fds
				    * pass, and LISTEN_FDS/LISTEN_PID are set */
	/* The parent's fds the child closes first: above all the state
	 * directory, whose flock the child would otherwise share and hold
	 * while it waits for `start`. */
	int parent_fds[3];
	bool no_pivot;
	bool no_new_keyring;       /* keep the caller's session keyring */
	pid_t host_pid;            /* the child's pid as the host sees it (set
				    * by the child from the parent's messages) */
};

/* Clones the container process, into cgroup_fd's cgroup when given and the
 * kernel can (5.7+).  Returns its pid and the parent's end of the sync
 * socket; uid/gid maps are written before this returns, and the child
 * waits for SYNC_PLACED (its cgroup entered) before going on. */
int spawn_container(struct init_config *c, pid_t *ret_pid, int *ret_sync_fd, husk_error **err);

#endif
