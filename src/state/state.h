/* The state store: one directory per container under --root.
 *
 *   <root>/<id>/state.json   what `state` reports (written atomically)
 *   <root>/<id>/config.json  the config the container was created from
 *   <root>/<id>/start.sock   present while the container waits for `start`
 *   <root>/<id>/.husk        made with the directory: it is husk's
 *   <root>/<id>/identity     pid, start time and cgroup again (identity.c)
 *
 * The directory itself is the lock (flock): `create` holds it exclusively
 * from the moment the id is reserved until the container is created, so a
 * directory without state.json whose lock is free was left by a create that
 * crashed. */
#ifndef HUSK_STATE_STATE_H
#define HUSK_STATE_STATE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"

/* Made in each container's directory with it: only such a directory is
 * a container. */
#define STATE_MARKER ".husk"

enum container_status {
	STATUS_CREATING,
	STATUS_CREATED,
	STATUS_RUNNING,
	STATUS_PAUSED,
	STATUS_STOPPED,
	STATUS_UNKNOWN,   /* the state directory was damaged: see reason */
};

const char *status_name(enum container_status s);

struct container_state {
	char *id;
	pid_t pid;                      /* 0 when never started */
	unsigned long long pid_start;   /* start time of pid, against pid reuse */
	char *bundle;
	char *rootfs;
	char *created;                  /* RFC 3339, nanoseconds */
	json_object *annotations;       /* owned; may be NULL */
	unsigned hooks;                 /* bit per enum hook_stage the config has */
	char *cgroup_path;              /* the container's cgroup, "" if none */
	bool shared_pidns;              /* no pid namespace of its own */
	char *systemd_unit;             /* its unit with --systemd-cgroup, else "" */
	bool has_state;                 /* state.json was there and whole */
	bool has_identity;              /* the identity record was */
	char *reason;                   /* why the state is in doubt, or NULL */
};

/* The identity record alone. */
struct state_identity {
	pid_t pid;
	unsigned long long pid_start;
	char *cgroup_path;
	char *systemd_unit;
	bool shared_pidns;
};

struct state_dir {
	int root_fd;  /* --root */
	int fd;       /* <root>/<id> */
	char *id;
	bool locked;  /* this process holds its lock */
};

/* Checks a container id: [A-Za-z0-9_+.-], not "." or "..", at most 1024. */
int state_check_id(const char *id, husk_error **err);

/* Opens --root, creating it (0700) when `create`. */
int state_open_root(const char *root, bool create, int *ret_fd, husk_error **err);

/* Reserves id atomically (two concurrent creates: one wins) and returns
 * the new directory, locked exclusively. */
int state_reserve(int root_fd, const char *id, struct state_dir *ret,
		  husk_error **err);

/* Opens an existing container's directory; takes an exclusive lock when
 * `lock` (waiting for a running create or delete to finish). */
int state_open(int root_fd, const char *id, bool lock, struct state_dir *ret,
	       husk_error **err);

/* "container ... does not exist", as -ENOENT (the message without strerror). */
int state_not_found(const char *id, husk_error **err);

int state_write(const struct state_dir *d, const struct container_state *st, husk_error **err);
/* Reads state.json and the identity record.  Damage is not an error: the
 * pid, start time and cgroup then come from the identity record and
 * st->reason says what is wrong.  Fails only when out of memory. */
int state_read(const struct state_dir *d, struct container_state *st, husk_error **err);
/* The fields of a state.json text into st, whose id the caller set (the
 * parsing half of state_read, on its own for the fuzz harness). */
int state_parse(const char *text, size_t len, struct container_state *st, husk_error **err);

/* The identity record of st (pid, pid_start, cgroup_path, systemd_unit,
 * shared_pidns), written whole or not at all. */
int state_write_identity(const struct state_dir *d, const struct container_state *st, husk_error **err);
/* 0 and *id filled, or -1 when it is missing or damaged. */
int state_read_identity(const struct state_dir *d, struct state_identity *id);
void state_identity_clear(struct state_identity *id);

/* Derives the status from the process and the directory's contents. */
enum container_status state_status(const struct state_dir *d, const struct container_state *st);


/* Removes the directory (the caller holds it). */
int state_remove(struct state_dir *d, husk_error **err);

void state_dir_close(struct state_dir *d);
void container_state_clear(struct container_state *st);

/* The state JSON that hooks read on stdin (runtime-spec "State"). */
char *state_hook_json(const char *id, const char *status, pid_t pid, const char *bundle,
		      json_object *annotations);

/* Current time as runc prints it: 2006-01-02T15:04:05.999999999Z. */
char *state_timestamp(void);

#endif
