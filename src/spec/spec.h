/* The typed view of an OCI runtime-spec config.json.
 *
 * Strings point into the parsed JSON document (spec->json), which the spec
 * owns, so parsing copies no string.  Arrays are NULL-terminated. */
#ifndef HUSK_SPEC_SPEC_H
#define HUSK_SPEC_SPEC_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

#include "spec/version.h"

enum ns_type {
	NS_PID,
	NS_NET,
	NS_MNT,
	NS_IPC,
	NS_UTS,
	NS_USER,
	NS_CGROUP,
	NS_TIME,
	NS_COUNT
};

struct spec_namespace {
	bool present;     /* listed in linux.namespaces */
	const char *path; /* join this one instead of creating a new one */
};

struct spec_id_mapping {
	uint32_t container_id, host_id, size;
};

struct spec_mount {
	const char *destination;
	const char *type;    /* may be NULL (bind mounts) */
	const char *source;  /* may be NULL */
	const char **options;
	struct spec_id_mapping *uid_mappings, *gid_mappings; /* idmapped mount */
	size_t n_uid_mappings, n_gid_mappings;
};

struct spec_device {
	const char *path;
	char type;           /* 'c', 'u', 'b' or 'p' */
	int64_t major, minor;
	mode_t file_mode;
	bool has_file_mode;
	uid_t uid;
	gid_t gid;
	bool has_uid, has_gid;
};

struct spec_rlimit {
	const char *type;
	int resource;        /* RLIMIT_* */
	uint64_t soft, hard;
};

struct spec_hook {
	const char *path;
	const char **args;
	const char **env;
	int timeout;         /* seconds, 0 = none */
};

enum hook_stage {
	HOOK_PRESTART,
	HOOK_CREATE_RUNTIME,
	HOOK_CREATE_CONTAINER,
	HOOK_START_CONTAINER,
	HOOK_POSTSTART,
	HOOK_POSTSTOP,
	HOOK_STAGE_COUNT
};

struct spec_hook_list {
	struct spec_hook *hooks;
	size_t n;
};

enum cap_set { CAP_SET_BOUNDING, CAP_SET_EFFECTIVE, CAP_SET_INHERITABLE, CAP_SET_PERMITTED,
	       CAP_SET_AMBIENT, CAP_SET_COUNT };

struct spec_process {
	bool terminal;
	unsigned console_height, console_width;
	uid_t uid;
	gid_t gid;
	gid_t *additional_gids;
	size_t n_additional_gids;
	bool has_umask;
	mode_t umask;
	const char **args;
	const char **env;
	const char *cwd;
	bool has_capabilities;
	const char **capabilities[CAP_SET_COUNT]; /* NULL: set not given */
	struct spec_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	bool has_oom_score_adj;
	int oom_score_adj;
	const char *apparmor_profile;
	const char *selinux_label;
	bool has_io_priority;
	int io_class;            /* IOPRIO_CLASS_* */
	int io_priority;
	bool has_scheduler;
	struct spec_scheduler {
		int policy;          /* SCHED_* */
		int nice;
		int priority;
		uint64_t flags;      /* SCHED_FLAG_* */
		uint64_t runtime, deadline, period;
	} scheduler;
	/* CPU lists ("0-3,7") of an exec'd process: before and after it joins
	 * the container's cgroup; NULL when not given. */
	struct spec_exec_cpu_affinity {
		const char *initial, *final;
	} exec_cpu_affinity;
};

/* linux.memoryPolicy: set_mempolicy(2) of the container's processes. */
struct spec_memory_policy {
	bool present;
	int mode;            /* MPOL_* */
	unsigned flags;      /* MPOL_F_* */
	const char *nodes;   /* node list, NULL or "" for none */
};

/* linux.netDevices: an interface of the runtime's network namespace moved
 * into the container's, renamed to name when given. */
struct spec_net_device {
	const char *host_name;
	const char *name;    /* NULL: keeps host_name */
};

/* linux.intelRdt: only whether it was asked for (and its closID). */
struct spec_intel_rdt {
	bool present;
	const char *clos_id;
};

enum time_clock { CLOCK_OFFSET_MONOTONIC, CLOCK_OFFSET_BOOTTIME, CLOCK_OFFSET_COUNT };

struct spec_time_offset {
	bool present;
	int64_t secs;
	uint32_t nanosecs;
};

struct spec {
	json_object *json;          /* the whole document; owns every string below */
	const char *oci_version;
	const char *root_path; /* as written: may be relative to the bundle */
	bool root_readonly;
	bool has_process;
	struct spec_process process;
	const char *hostname;
	const char *domainname;
	struct spec_mount *mounts;
	size_t n_mounts;
	struct spec_hook_list hooks[HOOK_STAGE_COUNT];
	json_object *annotations;   /* object or NULL */

	/* linux */
	struct spec_namespace namespaces[NS_COUNT];
	struct spec_id_mapping *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	struct spec_device *devices;
	size_t n_devices;
	const char **masked_paths;
	const char **readonly_paths;
	const char *rootfs_propagation;
	const char *cgroups_path;
	const char *mount_label;
	json_object *sysctl;        /* object or NULL */
	json_object *resources;     /* object or NULL: the cgroup layer reads it */
	json_object *seccomp;       /* object or NULL */
	struct spec_time_offset time_offsets[CLOCK_OFFSET_COUNT];
	const char *personality_domain; /* "LINUX", "LINUX32" or NULL */
	struct spec_memory_policy memory_policy;
	struct spec_net_device *net_devices;
	size_t n_net_devices;
	struct spec_intel_rdt intel_rdt;
};

/* Parses a config.json document.  Field errors name the field, e.g.
 * "process.args: must be an array of strings". */
int spec_parse(const char *text, size_t len, struct spec **ret, husk_error **err);

/* Reads and parses <bundle>/config.json, then validates it. */
int spec_load(int bundle_fd, struct spec **ret, char **ret_text, size_t *ret_len,
	      husk_error **err);

/* Checks what parsing cannot: required fields, absolute paths, namespace
 * combinations.  Does not touch the filesystem. */
int spec_validate(const struct spec *spec, husk_error **err);

/* The fields of runtime-spec 1.1 to 1.3 (execCPUAffinity, memoryPolicy,
 * netDevices, intelRdt), parsed and checked (src/spec/parse_v13.c). */
int spec_parse_v13(json_object *doc, struct spec *s, husk_error **err);

/* The i-th recognised linux.memoryPolicy mode and flag name (features);
 * NULL past the last. */
const char *spec_memory_policy_mode_name(int i);
const char *spec_memory_policy_flag_name(int i);

/* ociVersion: 1.0.x to 1.3.x (with a -suffix or +build) or an error. */
int spec_check_oci_version(const char *version, husk_error **err);

/* Whether m is a bind mount: type bind, or option bind or rbind. */
bool spec_mount_is_bind(const struct spec_mount *m);

void spec_free(struct spec *spec);
void spec_freep(struct spec **spec);
#define cleanup_spec __attribute__((cleanup(spec_freep)))

const char *ns_type_name(enum ns_type t);
int ns_type_from_name(const char *name);   /* -1 when unknown */

/* The default config.json, with runc's defaults; --rootless adds a user
 * namespace mapping root to uid/gid and drops what needs real root. */
json_object *spec_default(bool rootless, uid_t uid, gid_t gid);

#endif
