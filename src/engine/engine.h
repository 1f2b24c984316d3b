/* The engine: containers made from images of the store (src/image/).
 *
 * A container is a directory STORE/containers/<id>/ (id: 64 random hex):
 *   config.json   the runtime bundle's config, made from the image config
 *   rootfs/       mount point of an overlay: the image's layers below, the
 *                 container's upper/ and work/ on top
 *   image         the image id, read by `husk image rm` (in-use check)
 *   meta.json     name, image reference, created, flags, recorded state
 *   hostname, hosts, resolv.conf   bind-mounted into the container
 *   lock          flock: held by the husk that runs the container
 * and STORE/containers/.names/<name> -> <id>, which keeps names unique.
 * The runtime container (under --root) has the same id; the engine calls
 * the core (core/container.h) for it. */
#ifndef HUSK_ENGINE_ENGINE_H
#define HUSK_ENGINE_ENGINE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

#define ENGINE_ID_LEN 64

/* The flags of `husk container create|run` (strv: NULL-terminated, may be
 * NULL). */
struct engine_flags {
	const char *name;
	bool rm, interactive, tty;
	char **env;            /* -e NAME=VALUE or NAME (from husk's environment) */
	char **env_files;      /* --env-file */
	const char *workdir, *user;
	const char *entrypoint;  /* --entrypoint; "" clears the image's */
	char **volumes;        /* -v HOST:CTR[:ro|rw] */
	char **tmpfs;          /* --tmpfs CTR[:opts] */
	bool read_only, privileged, no_new_privs;
	const char *hostname;
	const char *memory;    /* --memory 64m */
	const char *cpus;      /* --cpus 1.5 */
	int64_t pids_limit;    /* 0: none */
	char **cap_add, **cap_drop;
	const char *seccomp;   /* NULL: the default profile; "unconfined"; a file */
	const char *network;   /* NULL or "none", "host", "cni:NAME" */
	char **publish;        /* -p [HOSTIP:]HOSTPORT:CTRPORT[/tcp|udp] */
	char **command;        /* COMMAND [ARG...] or NULL */
};

struct engine_ctx {
	const char *store;   /* --store */
	const char *root;    /* --root: the runtime state */
	bool systemd_cgroup;
	const char *cni_config_dir, *cni_plugin_dir;  /* --cni-config-dir, --cni-plugin-dir */
	int cni_timeout_ms;  /* per plugin call; 0: the default */
};

/* create: the container directory, its overlay and config; fills id. */
int engine_create(const struct engine_ctx *c, const char *image, const struct engine_flags *f,
		  char id[ENGINE_ID_LEN + 1], husk_error **err);
/* start in the foreground: waits, records the exit code in meta.json,
 * unmounts; removes the container when it was created with --rm. */
int engine_start(const struct engine_ctx *c, const char *ref, int *status, husk_error **err);
int engine_stop(const struct engine_ctx *c, const char *ref, int timeout, husk_error **err);
int engine_kill(const struct engine_ctx *c, const char *ref, int sig, husk_error **err);
int engine_rm(const struct engine_ctx *c, const char *ref, bool force, husk_error **err);
int engine_exec(const struct engine_ctx *c, const char *ref, char **argv, bool tty,
		int *status, husk_error **err);
/* inspect: docker's object of one container; list: of all. */
int engine_inspect(const struct engine_ctx *c, const char *ref, json_object **ret,
		   husk_error **err);
int engine_list(const struct engine_ctx *c, json_object **ret, husk_error **err);
/* `husk network check`: CHECK of the CNI network of a running container. */
int engine_network_check(const struct engine_ctx *c, const char *ref, husk_error **err);

#endif
