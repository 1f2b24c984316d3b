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
	const char *network;   /* NULL or "none", "host", "cni:NAME", "container:OTHER",
	                        * or a husk network's name: the first --network */
	char **networks;       /* every --network given (several husk networks) */
	const char *ip;        /* --ip: the address on the first husk network */
	char **dns;            /* --dns ADDRESS */
	char **add_hosts;      /* --add-host NAME:ADDRESS */
	char **publish;        /* -p [HOSTIP:]HOSTPORT:CTRPORT[/tcp|udp] */
	bool publish_all;      /* -P: the image's ExposedPorts on free host ports */
	char **command;        /* COMMAND [ARG...] or NULL */
	bool detach;           /* run -d: under a shim (src/shim/), husk returns */
	const char *restart;   /* --restart no|on-failure[:N]|always (NULL: no) */
	char **log_opts;       /* --log-opt max-size=SIZE|max-file=N|path=FILE */
	char **uidmap, **gidmap;  /* --uidmap/--gidmap CONTAINER:HOST:SIZE (root) */
};

struct engine_ctx {
	const char *store;   /* --store */
	const char *root;    /* --root: the runtime state */
	bool systemd_cgroup;
	const char *cni_config_dir, *cni_plugin_dir;  /* --cni-config-dir, --cni-plugin-dir */
	int cni_timeout_ms;  /* per plugin call; 0: the default */
	bool interrupt_kills; /* husk build: a foreground start's container is killed
	                       * by SIGINT/TERM/HUP/QUIT, left pending (core/container.h) */
};

/* The store's cache of compiled seccomp programs, STORE/cache/seccomp
 * (linux/seccomp_cache.h), into buf: create_options.seccomp_cache. */
#define ENGINE_SECCOMP_CACHE "cache/seccomp"
const char *engine_seccomp_cache(const struct engine_ctx *c, char *buf, size_t len);

/* create: the container directory, its overlay and config; fills id. */
int engine_create(const struct engine_ctx *c, const char *image, const struct engine_flags *f,
		  char id[ENGINE_ID_LEN + 1], husk_error **err);
/* create from an image that need not be named in the store (husk build's
 * steps: a config and layers of the store); ref is what meta.json records. */
struct store_image;
int engine_create_image(const struct engine_ctx *c, const struct store_image *img, const char *ref,
			const struct engine_flags *f, char id[ENGINE_ID_LEN + 1], husk_error **err);
/* start in the foreground: waits, records the exit code in meta.json,
 * unmounts; removes the container when it was created with --rm. */
int engine_start(const struct engine_ctx *c, const char *ref, int *status, husk_error **err);
int engine_stop(const struct engine_ctx *c, const char *ref, int timeout, husk_error **err);
int engine_kill(const struct engine_ctx *c, const char *ref, int sig, husk_error **err);
int engine_rm(const struct engine_ctx *c, const char *ref, bool force, husk_error **err);
int engine_exec(const struct engine_ctx *c, const char *ref, char **argv, bool tty,
		int *status, husk_error **err);
/* start under a shim (src/shim/shim.h): returns once the container runs;
 * the shim records its end, keeps its log and restarts it by its policy. */
int engine_start_detached(const struct engine_ctx *c, const char *ref, husk_error **err);
/* The same, attached (a foreground run or start): ret's socket is the
 * shim's first client, connected before the container starts, so that
 * none of its output is missed; the caller relays it (attach_relay) and
 * closes it.  1 (ret untouched): a container the shim cannot run yet (a
 * cni: network), for engine_start. */
struct engine_attach;
/* The shim executes husk again as `husk-shim ENGINE_SHIM_RESUME_ARG STATE`
 * once the container runs (src/shim/resume.c); main hands that to
 * engine_shim_resume, which serves the container and returns the exit
 * status. */
#define ENGINE_SHIM_RESUME_ARG "__shim-resume"
int engine_shim_resume(const char *state);
int engine_start_attached(const struct engine_ctx *c, const char *ref, struct engine_attach *ret,
			  husk_error **err);
/* wait: until the container's next exit (now, when it is not running);
 * *ret_code: its exit code. */
int engine_wait(const struct engine_ctx *c, const char *ref, int *ret_code, husk_error **err);
/* logs: the container's log (CRI format, see man husk-container) to out. */
struct engine_logs_options {
	bool follow, timestamps;
	long tail;             /* < 0: all */
	const char *since;     /* RFC 3339 time or a duration (10s, 5m, 1h), or NULL */
};
int engine_logs(const struct engine_ctx *c, const char *ref, const struct engine_logs_options *o,
		int out, husk_error **err);

/* inspect: docker's object of one container; list: of all. */
int engine_inspect(const struct engine_ctx *c, const char *ref, json_object **ret,
		   husk_error **err);
int engine_list(const struct engine_ctx *c, json_object **ret, husk_error **err);
/* `husk network check`: CHECK of the CNI network of a running container. */
int engine_network_check(const struct engine_ctx *c, const char *ref, husk_error **err);

/* networks.c: husk network create|ls|inspect|rm|prune (src/net/network.h).
 * rm refuses a network that a container (in any state) is on. */
struct net_create_opts;
int engine_network_create(const struct engine_ctx *c, const struct net_create_opts *o,
			  json_object **ret, husk_error **err);
int engine_network_list(const struct engine_ctx *c, json_object **ret, husk_error **err);
int engine_network_inspect(const struct engine_ctx *c, const char *name, json_object **ret,
			   husk_error **err);
int engine_network_rm(const struct engine_ctx *c, const char *name, husk_error **err);
int engine_network_prune(const struct engine_ctx *c, json_object **removed, husk_error **err);

/* attach.c: a connection to the container's shim (shim/attach_client.h),
 * with what the relay needs to know of the container.  A container that
 * does not run: one error. */
struct engine_attach {
	char id[ENGINE_ID_LEN + 1];
	int sock;              /* the attach socket (the caller closes it) */
	bool tty, open_stdin;  /* created with -t, -i */
};
int engine_attach_open(const struct engine_ctx *c, const char *ref, struct engine_attach *ret,
		       husk_error **err);
/* The id (the runtime container's too) of a running or paused container,
 * its init's pid and its name (malloc'd; each may be NULL); an error when
 * it does not run. */
int engine_running_id(const struct engine_ctx *c, const char *ref, char id[ENGINE_ID_LEN + 1],
		      int *ret_pid, char **ret_name, husk_error **err);

/* exec -d: starts argv in the running container and returns. */
int engine_exec_detached(const struct engine_ctx *c, const char *ref, char **argv,
			 husk_error **err);

/* stats.c: one sample of a running container (container stats). */
struct engine_stats {
	char id[ENGINE_ID_LEN + 1];
	char *name;                    /* malloc'd: engine_stats_clear() */
	uint64_t when_ns;              /* CLOCK_MONOTONIC of the sample */
	uint64_t cpu_ns;               /* CPU time of the cgroup so far */
	uint64_t mem_usage, mem_limit; /* bytes, inactive file cache aside; the
	                                * limit at most the host's memory */
	uint64_t pids;
	bool has_net, has_block;
	uint64_t net_rx, net_tx, blk_read, blk_write;
};
int engine_stats(const struct engine_ctx *c, const char *ref, struct engine_stats *s,
		 husk_error **err);
void engine_stats_clear(struct engine_stats *s);

#endif
