/* What the engine's files share (not for callers: see engine.h). */
#ifndef HUSK_ENGINE_INTERNAL_H
#define HUSK_ENGINE_INTERNAL_H

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/types.h>

#include "engine/engine.h"
#include "image/store.h"
#include "spec/spec.h"
#include "util/error.h"

/* cdir.c: the containers/ directory of the store. */
/* O_DIRECTORY fd of STORE/containers (made when missing, with .names/),
 * what killed creates left removed. */
int cdir_open(const char *store, int *ret_fd, husk_error **err);
void cdir_new_id(char id[ENGINE_ID_LEN + 1]);
/* A container by full id, name or unique id prefix. */
int cdir_resolve(int cfd, const char *ref, char id[ENGINE_ID_LEN + 1], husk_error **err);
/* Claims a name for id (-EEXIST with err when taken); releases it. */
int cdir_name_claim(int cfd, const char *name, const char *id, husk_error **err);
void cdir_name_release(int cfd, const char *name);
int cdir_meta_read(int cfd, const char *id, json_object **ret, husk_error **err);
int cdir_meta_write(int cfd, const char *id, json_object *meta, husk_error **err);
/* cdir_creating.c: a create's lock on containers/.creating/<id>, held
 * from before its name is claimed until its meta.json is written; sweep:
 * what creates that were killed left (cdir_open does it). */
int cdir_creating_begin(int cfd, const char *id, const char *name, int *ret_fd, husk_error **err);
void cdir_creating_end(int cfd, const char *id, int fd);
void cdir_creating_sweep(int cfd, const char *store);
/* Removes the container's directory (renamed away first, so that a
 * half-removed one is never listed) and its name. */
int cdir_remove(int cfd, const char *id, husk_error **err);
/* cdir/name = the JSON of o, written to a temporary file and renamed. */
int cdir_write_json(const char *cdir, const char *name, json_object *o, husk_error **err);
/* RFC 3339 UTC with nanoseconds, as docker's timestamps. */
void cdir_now(char buf[40]);
/* The absolute path of STORE/containers/<id>[/sub]. */
char *cdir_path(const char *store, const char *id, const char *sub);

/* overlay.c: the container's rootfs.  transient (a --rm container, whose
 * upper dir is thrown away after its one run): overlayfs's "volatile", no
 * sync of the upper filesystem at unmount. */
int overlay_mount(struct store *s, const struct store_image *img, const char *cdir,
		  bool transient, json_object *meta, husk_error **err);
int overlay_unmount(const char *cdir, husk_error **err);
bool overlay_mounted(const char *cdir);

/* image_config.c: config.json from the image config and the flags. */
int image_config_apply(json_object *spec, json_object *meta, const struct store_image *img,
		       const struct engine_flags *f, int rootfd, husk_error **err);

/* user.c: "name", "uid", "uid:gid", "name:group" through the image's
 * /etc/passwd and /etc/group (read under rootfd, RESOLVE_IN_ROOT). */
struct user_ids {
	uid_t uid;
	gid_t gid;
	gid_t *gids;     /* additional groups (malloc'd) */
	size_t n_gids;
	char *home;      /* from /etc/passwd, or NULL */
};
int user_resolve(int rootfd, const char *user, struct user_ids *ret, husk_error **err);
void user_ids_free(struct user_ids *u);

/* host_flags.c: -v, --tmpfs, resources, capabilities, network. */
int host_flags_apply(json_object *spec, json_object *meta, const struct engine_flags *f,
		     const char *cdir, husk_error **err);

/* privileged.c: --privileged on top of the rest (drops the seccomp
 * profile, the masked paths; adds the host's devices). */
int privileged_apply(json_object *spec, husk_error **err);

/* seccomp_profile.c: podman's default profile in the OCI form, for the
 * capabilities the process has; file: a profile given by --security-opt
 * (docker's or the OCI form). */
int seccomp_profile(const char *file, json_object *caps, json_object **ret, husk_error **err);

/* etc_files.c: hostname, hosts, resolv.conf in the container's dir
 * (hostConfig.Dns and ExtraHosts of meta in them). */
int etc_files_write(json_object *spec, json_object *meta, const char *cdir, bool host_network,
		    husk_error **err);
/* /etc/hosts: localhost, own (the container's names on its addresses;
 * NULL: 127.0.1.1 HOSTNAME), the --add-host entries, peers. */
char *etc_hosts_text(const char *hostname, json_object *extra, const char *own, const char *peers);

/* run_options.c: --restart and --log-opt checked, into meta.json. */
int run_options_apply(json_object *meta, const struct engine_flags *f, husk_error **err);

/* lifecycle.c, for the shim: the overlay of a stopped container again;
 * whether the runtime has a container of id; the lock file (held by
 * whoever runs the container: a foreground husk or the shim). */
int lifecycle_remount(const struct engine_ctx *c, json_object *meta, const char *cdir,
		      husk_error **err);
bool lifecycle_runtime_exists(const struct engine_ctx *c, const char *id);
/* meta.json's state.KEY = v. */
void lifecycle_set_state(json_object *meta, const char *key, json_object *v);
/* Before a run (foreground or under the shim): the overlay mounted again,
 * what a killed husk left (a CNI network, the runtime container) gone,
 * state "running" in meta (not written). */
int lifecycle_run_begin(const struct engine_ctx *c, const char *id, const char *cdir,
			json_object *meta, husk_error **err);
/* After it: state.oomKilled when it ran, its network torn down, the
 * runtime container deleted. */
void lifecycle_run_end(const struct engine_ctx *c, const char *id, const char *cdir,
		       json_object *meta, bool ran);
int lifecycle_open_lock(const char *cdir, husk_error **err);
/* Whether someone (a shim, a foreground husk) holds the container's lock. */
bool lifecycle_runner_alive(const char *cdir);
/* The file that tells the shim not to restart: stop, kill and rm make it,
 * start removes it. */
#define STOP_REQUESTED "stop-requested"
void lifecycle_request_stop(const char *cdir, json_object *meta);

/* userns.c: the container's user namespace (see there).  flags:
 * --uidmap/--gidmap checked into meta.idMappings; apply: the namespace
 * and its maps in the spec (rootless: the ids of husk's own namespace,
 * mapped onto themselves); maps: those of meta, false when it has none;
 * host_id: the host id of container id id (-1: unmapped). */
#define USERNS_IDMAP_MAX 64
struct userns_idmap {
	struct spec_id_mapping uid[USERNS_IDMAP_MAX], gid[USERNS_IDMAP_MAX];
	size_t n_uid, n_gid;
};
int userns_flags(json_object *meta, const struct engine_flags *f, husk_error **err);
int userns_apply(json_object *spec, json_object *meta, husk_error **err);
bool userns_maps(json_object *meta, struct userns_idmap *m);
int64_t userns_host_id(const struct spec_id_mapping *m, size_t n, uint32_t id);
/* With maps: the directories the container's root must reach made so. */
int userns_prepare_dirs(const char *store, const char *cdir, json_object *meta, husk_error **err);

/* inspect.c: docker's inspect object from meta.json and the runtime state. */
int inspect_object(const struct engine_ctx *c, int cfd, const char *id, json_object **ret,
		   husk_error **err);
/* The status of a container: "created", "running", "paused", "exited"
 * (the runtime state when there is one, else the recorded one). */
const char *inspect_status(const struct engine_ctx *c, const char *id, json_object *meta,
			   int *ret_pid);

/* ports.c: -p flags as CNI's portMappings list. */
int ports_parse(char **publish, json_object **ret, husk_error **err);

/* network_cni.c: --network cni:NAME (see there).  prepare (create): the
 * list exists, -p parsed into hostConfig.PortMappings.  created: the
 * core's created hook (arg: struct network_start).  teardown: DEL of
 * what cni.json records, the netns pin removed; force goes on past a
 * failed DEL.  check: CHECK of a running container's network. */
struct network_start {
	const struct engine_ctx *c;
	const char *id, *cdir;
	json_object *meta;
};
const char *network_cni_name(json_object *meta);
int network_cni_prepare(const struct engine_ctx *c, const struct engine_flags *f,
			json_object *meta, husk_error **err);
int network_cni_created(void *arg, pid_t pid, husk_error **err);
int network_cni_teardown(const struct engine_ctx *c, const char *id, const char *cdir,
			 bool force, husk_error **err);
int network_cni_check(const struct engine_ctx *c, const char *id, const char *cdir,
		      const char *ref, husk_error **err);

/* network.c: every kind of --network.  prepare (create): the flags
 * checked, hostConfig's Networks, IPAddress, Dns, ExtraHosts, PortMappings
 * (-p, -P), container:OTHER's namespace in spec.  created: the core's
 * created hook (arg: struct network_start), for the foreground run and the
 * shim.  teardown: whatever the container's network left (force: go on
 * past failures). */
int network_prepare(const struct engine_ctx *c, const struct engine_flags *f,
		    const struct store_image *img, json_object *spec, json_object *meta,
		    husk_error **err);
int network_created(void *arg, pid_t pid, husk_error **err);
/* container:OTHER: config.json's network namespace made OTHER's of now
 * (before each start). */
int network_join_refresh(const struct engine_ctx *c, const char *cdir, json_object *meta,
			 husk_error **err);
int network_teardown(const struct engine_ctx *c, const char *id, const char *cdir, bool force,
		     husk_error **err);
/* network_bridge.c: husk's own networks (hostConfig.Networks). */
json_object *network_bridge_list(json_object *meta);
int network_bridge_created(void *arg, pid_t pid, husk_error **err);
int network_bridge_teardown(const struct engine_ctx *c, const char *id, const char *cdir,
			    bool force, husk_error **err);
/* net.json of the container (1) or none (0). */
int network_bridge_record(const char *cdir, json_object **ret);

#endif
