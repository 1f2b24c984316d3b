/* The runtime core as a library: what each husk command does, without the
 * command line.  Other tools (a shim, an image front-end) call these. */
#ifndef HUSK_CORE_CONTAINER_H
#define HUSK_CORE_CONTAINER_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "util/error.h"

struct create_options {
	const char *root;            /* state root (--root) */
	const char *id;
	const char *bundle;          /* NULL: the current directory */
	const char *pid_file;        /* NULL: none */
	const char *console_socket;  /* NULL: none */
	bool no_pivot;
	bool no_new_keyring;
	bool systemd_cgroup;         /* --systemd-cgroup */
	bool rootless;               /* --rootless, or auto: container_rootless() */
	int preserve_fds;
	/* A foreground run of husk build's: SIGINT, SIGTERM, SIGHUP, SIGQUIT
	 * kill the container and stay pending for the caller (which blocks
	 * them) instead of being passed on. */
	bool interrupt_kills;
	/* A directory of compiled seccomp programs (linux/seccomp_cache.h), or
	 * NULL: the profile is compiled every time. */
	const char *seccomp_cache;
	/* Called once the container process is set up in its namespaces and
	 * its state recorded, before it is started (run only): the engine
	 * wires its network there.  A failure fails the run. */
	int (*created)(void *arg, pid_t pid, husk_error **err);
	void *created_arg;
};

/* `create`: returns once the container waits for `start`. */
int container_create(const struct create_options *o, husk_error **err);

/* `run`: create + start; unless detach, waits and sets *ret_status to the
 * exit code (128+N when killed by signal N), then deletes unless keep. */
int container_run(const struct create_options *o, bool detach, bool keep, int *ret_status,
		  husk_error **err);

struct exec_options {
	const char *root;
	const char *id;
	const char *process_file;     /* --process: a runtime-spec process JSON */
	char **argv;                  /* the command, NULL-terminated (or NULL) */
	const char *cwd;
	const char **env;             /* NAME=VALUE added to the environment */
	const char *user;             /* "uid[:gid]" */
	const char **additional_gids;
	const char **caps;            /* added to bounding, effective, permitted */
	const char *console_socket;
	const char *pid_file;
	const char *apparmor;
	const char *process_label;
	const char **cgroups;         /* --cgroup [CONTROLLER:]PATH, NULL-terminated */
	const char *seccomp_cache;    /* as create_options' */
	int preserve_fds;
	bool tty, detach, no_new_privs, ignore_paused;
};

/* `exec`: a new process in a running container; unless detach, waits and
 * sets *ret_status as container_run does. */
int container_exec(const struct exec_options *o, int *ret_status, husk_error **err);

int container_start(const char *root, const char *id, husk_error **err);
int container_kill(const char *root, const char *id, int sig, bool all, husk_error **err);
int container_delete(const char *root, const char *id, bool force, husk_error **err);

/* The runtime-spec state of one container (ociVersion, id, status, pid,
 * bundle, rootfs, created, owner, annotations). */
int container_state(const char *root, const char *id, json_object **ret, husk_error **err);

/* The states of all containers under root, sorted by id; each object also
 * has "owner" set to the user owning its state directory. */
int container_list(const char *root, json_object **ret, husk_error **err);

/* pause (freeze) or resume (thaw) the container's cgroup. */
int container_pause(const char *root, const char *id, bool pause, husk_error **err);

/* The pids in the container's cgroup (malloc'd). */
int container_pids(const char *root, const char *id, pid_t **ret, size_t *n, husk_error **err);

/* Writes linux.resources (only what is given) to the container's cgroup. */
int container_update(const char *root, const char *id, json_object *resources, husk_error **err);

/* runc's stats object of the container's cgroup (NULL once the container
 * stopped: *ret_running says which), and its count of OOM kills. */
int container_stats(const char *root, const char *id, json_object **ret, uint64_t *ret_oom_kills,
		    bool *ret_running, husk_error **err);

/* Whether husk runs rootless, as runc decides it for --rootless auto: not
 * as root, or as a root whose user namespace does not map the host's. */
bool container_rootless(void);

/* The rootless engine: husk enters a user namespace mapping the user's
 * id to 0 and its /etc/subuid and /etc/subgid ranges from 1 (and a mount
 * namespace of it), to unpack layers with their owners, mount overlays
 * and remove what containers wrote.  Nothing to do as root (of the host or
 * of a namespace already).  in_user_ns: fn in a child that entered it
 * (the caller stays where it is); as root fn runs in the caller. */
int container_enter_user_ns(husk_error **err);
int container_in_user_ns(int (*fn)(void *arg, husk_error **err), void *arg, husk_error **err);

/* A user namespace of these maps, for MOUNT_ATTR_IDMAP (the engine's
 * idmapped layers); the fd, or < 0. */
struct spec_id_mapping;
int container_idmap_userns(const struct spec_id_mapping *uids, size_t n_uids,
			   const struct spec_id_mapping *gids, size_t n_gids, husk_error **err);

/* The default state root: /run/husk for root; rootless,
 * $XDG_RUNTIME_DIR/husk, else /run/husk for root of a user namespace,
 * else /run/user/UID/husk when that directory is the user's, else
 * /tmp/husk-UID (refused unless the user's own, mode 0700). */
int container_default_root(char *buf, size_t len, husk_error **err);

/* `features`: the runtime-spec features document of this husk on this host. */
json_object *container_features(void);

/* Before create, run and exec: re-executes argv from a read-only private
 * bind of the husk binary (see linux/exe_seal.h); returns 0 when husk runs
 * sealed already or cannot seal (rootless), < 0 on failure. */
int container_seal_binary(char **argv, husk_error **err);

/* checkpoint and restore with CRIU (libcriu); runc's flags. */
struct criu_options {
	const char *root;
	const char *id;
	const char *image_path;          /* NULL: ./checkpoint */
	const char *work_path;           /* NULL: the image path */
	const char *criu_path;           /* --criu: the criu binary (NULL: criu on PATH) */
	const char *manage_cgroups_mode; /* soft|full|strict|ignore, NULL: CRIU's default */
	bool leave_running, tcp_established, file_locks, ext_unix_sk, shell_job;
	/* restore only */
	const char *bundle;
	const char *console_socket;
	const char *pid_file;
	bool detach, systemd_cgroup;
};

/* `checkpoint`: dumps a running container into the image path; the
 * container is deleted afterwards unless leave_running. */
int container_checkpoint(const struct criu_options *o, husk_error **err);

/* `restore`: a new container o->id from the bundle's config and the images;
 * unless detach, waits and sets *ret_status as container_run does. */
int container_restore(const struct criu_options *o, int *ret_status, husk_error **err);

#endif
