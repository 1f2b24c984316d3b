/* Shared between the files of the core, not part of its API. */
#ifndef HUSK_CORE_INTERNAL_H
#define HUSK_CORE_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>
#include "cgroup/cgroup.h"
#include "spec/spec.h"
#include "state/state.h"
#include "util/error.h"

/* Runs the hooks of a stage whose failure only warns (poststart,
 * poststop), as the runtime-spec asks. */
void core_run_hooks_warn(const struct spec *s, enum hook_stage stage, const char *id,
			 const char *status, pid_t pid, const char *bundle);

/* Writes pid to path atomically (engines poll for the file). */
int core_write_pid_file(const char *path, pid_t pid, husk_error **err);

/* The bundle directory (bundle_opt, or "." when NULL or empty) made
 * absolute and its config.json loaded (spec_load); the caller frees. */
int core_bundle_load(const char *bundle_opt, char **bundle, struct spec **spec, char **text, size_t *len,
		     husk_error **err);

/* Whether the container has a pid namespace of its own (not joined). */
bool core_own_pidns(const struct spec *s);

/* A container just made (create, restore), as its state dir records it. */
struct core_record {
	const char *id;
	pid_t pid;
	const char *bundle, *rootfs;
	const struct spec *spec;
	const char *config_text;
	size_t config_len;
	const struct cgroup *cg;
	const char *pid_file; /* or NULL */
};

/* Writes config.json, the identity record and state.json into dir, then
 * the pid file. */
int core_record_state(struct state_dir *dir, const struct core_record *c, husk_error **err);

/* root.path (relative to the bundle, or absolute) resolved to an existing
 * directory. */
int core_rootfs_resolve(const char *bundle, const char *root_path, char **rootfs, husk_error **err);

/* Blocks the signals a foreground husk forwards (set gets them); done
 * before the clone so that none is lost. */
int core_block_signals(sigset_t *set);

/* Waits for pid, forwarding every signal of set but SIGCHLD; the status
 * is the exit code, or 128+N for a death by signal N.  With a pty master
 * (else -1), relays it to and from stdin/stdout, the caller's terminal in
 * raw mode, and passes on window size changes.  interrupt_kills (husk
 * build's steps): SIGINT, SIGTERM, SIGHUP and SIGQUIT are not passed on but
 * kill the container (SIGKILL: its init may ignore the others) and are
 * raised again for the caller, which keeps them blocked to see them. */
int core_wait_forwarding(pid_t pid, const sigset_t *set, int pty, bool interrupt_kills,
			 int *ret_status, husk_error **err);

/* An open container: its directory (locked or not) and its state. */
struct core_handle {
	int root_fd;
	struct state_dir dir;
	struct container_state st;
	enum container_status status;
	bool has_cgroup;
	struct cgroup cg;
};

/* The status of a container: the state store's view, refined with the
 * cgroup freezer (paused). */
enum container_status core_status(const struct state_dir *d, const struct container_state *st);

int core_handle_open(const char *root, const char *id, bool lock, struct core_handle *h,
		     husk_error **err);
void core_handle_close(struct core_handle *h);
#define cleanup_handle __attribute__((cleanup(core_handle_close)))

/* The pids in the pid namespace of the container's process (pidns.c),
 * for a container without a cgroup. */
int core_pidns_members(const struct core_handle *h, pid_t **ret, size_t *n, husk_error **err);

/* A sync_fd_handler (ctx: struct core_handle *): hands a seccomp notify
 * fd to the listener of the container's saved config. */
int core_forward_notify(void *ctx, int fd, husk_error **err);

struct exec_options;
/* The spec of an exec's process: text is the --process file's JSON, or
 * NULL for the container's own process; o's command line changes are
 * applied; parsed and validated as a config's process (exec_process.c). */
int exec_process_spec(const struct exec_options *o, const struct spec *container, const char *text,
		      size_t len, struct spec **ret, husk_error **err);

#endif
