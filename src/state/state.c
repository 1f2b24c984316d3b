#include "state/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "spec/version.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/proc.h"

const char *status_name(enum container_status s)
{
	static const char *const names[] = { "creating", "created", "running", "paused", "stopped" };
	return s <= STATUS_STOPPED ? names[s] : "unknown";
}

int state_check_id(const char *id, husk_error **err)
{
	size_t n = strlen(id);
	if (n == 0)
		return husk_fail(err, 0, "container id: must not be empty");
	if (n > 1024)
		return husk_fail(err, 0, "container id: longer than 1024 characters");
	if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return husk_fail(err, 0, "container id \"%s\": not allowed", id);
	for (const char *p = id; *p; p++) {
		char ch = *p;
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || strchr("_+.-", ch);
		if (!ok)
			return husk_fail(err, 0, "container id \"%s\": only letters, digits and _+.- are allowed", id);
	}
	return 0;
}

int state_open_root(const char *root, bool create, int *ret_fd, husk_error **err)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		int r = mkdir_p(root, 0700, err);
		if (r < 0)
			return husk_wrap(err, "state root");
		fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0)
		return husk_fail(err, errno, "open state root %s", root);
	*ret_fd = fd;
	return 0;
}

static int fill_dir(int root_fd, const char *id, int fd, struct state_dir *ret, husk_error **err)
{
	ret->root_fd = root_fd;
	ret->fd = fd;
	ret->id = strdup(id);
	if (ret->id == NULL)
		return husk_fail(err, ENOMEM, "state");
	return 0;
}

int state_reserve(int root_fd, const char *id, struct state_dir *ret,
		  husk_error **err)
{
	/* A private, locked directory is renamed into place without
	 * replacing anything: the rename is the atomic reservation, and the
	 * lock is already held when the id becomes visible.  '~' cannot be in
	 * an id, so `list` never sees the temporary. */
	char tmp[64];
	snprintf(tmp, sizeof(tmp), "~new-%d", (int) getpid());
	if (mkdirat(root_fd, tmp, 0700) < 0)
		return husk_fail(err, errno, "create state directory");
	int fd = openat(root_fd, tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int marker = fd < 0 ? -1 : openat(fd, STATE_MARKER, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (marker >= 0)
		close(marker);
	if (marker < 0 || flock(fd, LOCK_EX) < 0 ||
	    renameat2(root_fd, tmp, root_fd, id, RENAME_NOREPLACE) < 0) {
		int e = errno;
		if (fd >= 0) {
			unlinkat(fd, STATE_MARKER, 0);
			close(fd);
		}
		unlinkat(root_fd, tmp, AT_REMOVEDIR);
		if (e == EEXIST)
			return husk_fail(err, 0, "container \"%s\" already exists", id);
		return husk_fail(err, e, "create state directory for %s", id);
	}
	int r = fill_dir(root_fd, id, fd, ret, err);
	if (r < 0)
		close(fd);
	ret->locked = r >= 0;
	return r;
}

int state_not_found(const char *id, husk_error **err)
{
	husk_fail(err, 0, "container \"%s\" does not exist", id);
	if (err && *err)
		(*err)->errnum = ENOENT;
	return -ENOENT;
}

int state_open(int root_fd, const char *id, bool lock, struct state_dir *ret,
	       husk_error **err)
{
	int r = state_check_id(id, err);
	if (r < 0)
		return r;
	int fd = openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP))
		return state_not_found(id, err);
	if (fd < 0)
		return husk_fail(err, errno, "open state of %s", id);
	/* Only a directory husk made is a container: --root pointing at
	 * /proc/self or /etc must not turn their entries into containers. */
	if (faccessat(fd, STATE_MARKER, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
		close(fd);
		return state_not_found(id, err);
	}
	if (lock && flock(fd, LOCK_EX) < 0) {
		close(fd);
		return husk_fail(err, errno, "lock state of %s", id);
	}
	if ((r = fill_dir(root_fd, id, fd, ret, err)) < 0)
		close(fd);
	ret->locked = r >= 0 && lock;
	return r;
}

int state_write(const struct state_dir *d, const struct container_state *st, husk_error **err)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(st->id));
	json_object_object_add(o, "pid", json_object_new_int(st->pid));
	json_object_object_add(o, "pidStart", json_object_new_uint64(st->pid_start));
	json_object_object_add(o, "bundle", json_object_new_string(st->bundle));
	json_object_object_add(o, "rootfs", json_object_new_string(st->rootfs));
	json_object_object_add(o, "created", json_object_new_string(st->created));
	if (st->annotations)
		json_object_object_add(o, "annotations", json_object_get(st->annotations));
	if (st->hooks)
		json_object_object_add(o, "hooks", json_object_new_int(st->hooks));
	if (st->cgroup_path)
		json_object_object_add(o, "cgroupPath", json_object_new_string(st->cgroup_path));
	if (st->shared_pidns)
		json_object_object_add(o, "sharedPidns", json_object_new_boolean(1));
	if (st->systemd_unit && *st->systemd_unit)
		json_object_object_add(o, "systemdUnit", json_object_new_string(st->systemd_unit));
	cleanup_free char *text = json_to_string(o, false);
	json_object_put(o);
	if (text == NULL)
		return husk_fail(err, ENOMEM, "write state");
	return write_file_atomic_at(d->fd, "state.json", text, strlen(text), 0600, err);
}

static char *dup_member(json_object *o, const char *key)
{
	json_object *v = json_member(o, key);
	return strdup(v && json_is_string(v) ? json_object_get_string(v) : "");
}

/* state.json as written by state_write: -ENOENT when missing, another
 * error when it cannot be read or is not a whole state. */
static int read_state_json(const struct state_dir *d, struct container_state *st, husk_error **err)
{
	cleanup_free char *text = NULL;
	size_t len;
	int r = read_file_at(d->fd, "state.json", &text, &len, err);
	if (r < 0)
		return r;
	return state_parse(text, len, st, err);
}

int state_parse(const char *text, size_t len, struct container_state *st, husk_error **err)
{
	cleanup_json json_object *o = NULL;
	int r = json_parse_text(text, len, &o, err);
	if (r < 0)
		return r;
	json_object *v;
	if (!json_is_object(o))
		return husk_fail(err, 0, "not a JSON object");
	if (!(v = json_member(o, "pid")) || !json_is_integer(v) || json_object_get_int64(v) < 0 ||
	    json_object_get_int64(v) > INT32_MAX)
		return husk_fail(err, 0, "no pid");
	st->pid = (pid_t) json_object_get_int64(v);
	st->pid_start = (v = json_member(o, "pidStart")) ? json_object_get_uint64(v) : 0;
	st->bundle = dup_member(o, "bundle");
	st->rootfs = dup_member(o, "rootfs");
	st->created = dup_member(o, "created");
	if ((v = json_member(o, "annotations")) != NULL && json_is_object(v))
		st->annotations = json_object_get(v);
	st->hooks = (v = json_member(o, "hooks")) ? json_object_get_int(v) : 0;
	st->cgroup_path = dup_member(o, "cgroupPath");
	st->shared_pidns = (v = json_member(o, "sharedPidns")) && json_object_get_boolean(v);
	st->systemd_unit = dup_member(o, "systemdUnit");
	st->has_state = true;
	return 0;
}

static void take_identity(struct container_state *st, struct state_identity *id)
{
	st->pid = id->pid;
	st->pid_start = id->pid_start;
	st->shared_pidns = id->shared_pidns;
	free(st->cgroup_path);
	free(st->systemd_unit);
	st->cgroup_path = steal_ptr(id->cgroup_path);
	st->systemd_unit = steal_ptr(id->systemd_unit);
}

static int fill_empty(char **field)
{
	if (*field == NULL)
		*field = strdup("");
	return *field ? 0 : -1;
}

int state_read(const struct state_dir *d, struct container_state *st, husk_error **err)
{
	*st = (struct container_state) { 0 };
	st->id = strdup(d->id);
	husk_error *bad = NULL;
	int r = read_state_json(d, st, &bad);
	struct state_identity id;
	st->has_identity = state_read_identity(d, &id) == 0;
	if (r < 0 && r != -ENOENT) {
		/* Nothing of a damaged state.json is trusted. */
		bool has_identity = st->has_identity;
		container_state_clear(st);
		st->id = strdup(d->id);
		st->has_identity = has_identity;
		if (asprintf(&st->reason, "state.json: %s", bad && bad->msg ? bad->msg : "unreadable") < 0)
			st->reason = NULL;
	} else if (r == -ENOENT && st->has_identity) {
		st->reason = strdup("state.json is missing");
	} else if (r == 0 && st->has_identity && (st->pid != id.pid || st->pid_start != id.pid_start)) {
		if (asprintf(&st->reason, "state.json names pid %d (started at %llu), the identity record "
			     "pid %d (started at %llu)", (int) st->pid, st->pid_start, (int) id.pid,
			     id.pid_start) < 0)
			st->reason = NULL;
		st->has_state = false;
	}
	husk_error_free(bad);
	if (st->reason && st->has_identity)
		take_identity(st, &id);
	state_identity_clear(&id);
	if (st->id == NULL || fill_empty(&st->bundle) < 0 || fill_empty(&st->rootfs) < 0 ||
	    fill_empty(&st->created) < 0 || fill_empty(&st->cgroup_path) < 0 ||
	    fill_empty(&st->systemd_unit) < 0 || (r < 0 && r != -ENOENT && st->reason == NULL))
		return husk_fail(err, ENOMEM, "state of %s", d->id);
	return 0;
}

/* Whether another process holds the directory's lock (a create under
 * way).  A new open of the directory: a lock taken through d->fd itself
 * would only convert the lock this process may hold. */
static bool locked_by_other(const struct state_dir *d)
{
	if (d->locked)
		return false;
	cleanup_close int fd = openat(d->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
}

enum container_status state_status(const struct state_dir *d, const struct container_state *st)
{
	/* The creator holds the lock until state.json is written; a free
	 * lock and no state means it died. */
	if (!st->has_state && st->reason == NULL)
		return locked_by_other(d) ? STATUS_CREATING : STATUS_STOPPED;
	if (st->reason)
		/* Gone for sure only when the identity record says who it was. */
		return st->has_identity && !proc_alive(st->pid, st->pid_start) ? STATUS_STOPPED
										     : STATUS_UNKNOWN;
	if (!proc_alive(st->pid, st->pid_start))
		return STATUS_STOPPED;
	if (faccessat(d->fd, "start.sock", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return STATUS_CREATED;
	return STATUS_RUNNING;
}

int state_remove(struct state_dir *d, husk_error **err)
{
	return remove_flat_dir_at(d->root_fd, d->id, err);
}

void state_dir_close(struct state_dir *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	free(d->id);
	d->id = NULL;
}

void container_state_clear(struct container_state *st)
{
	free(st->id);
	free(st->bundle);
	free(st->rootfs);
	free(st->created);
	free(st->cgroup_path);
	free(st->systemd_unit);
	free(st->reason);
	json_object_put(st->annotations);
	*st = (struct container_state) { 0 };
}

char *state_hook_json(const char *id, const char *status, pid_t pid, const char *bundle,
		      json_object *annotations)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "ociVersion", json_object_new_string(SPEC_OCI_VERSION));
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "status", json_object_new_string(status));
	json_object_object_add(o, "pid", json_object_new_int(pid));
	json_object_object_add(o, "bundle", json_object_new_string(bundle));
	if (annotations)
		json_object_object_add(o, "annotations", json_object_get(annotations));
	char *text = json_to_string(o, false);
	json_object_put(o);
	return text;
}

char *state_timestamp(void)
{
	struct timespec ts;
	struct tm tm;
	char date[32], frac[16], *out = NULL;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	/* Go's RFC3339Nano drops trailing zeros of the fraction. */
	snprintf(frac, sizeof(frac), ".%09ld", ts.tv_nsec);
	size_t n = strlen(frac);
	while (n > 1 && frac[n - 1] == '0')
		frac[--n] = '\0';
	if (n == 1)
		frac[0] = '\0';
	if (asprintf(&out, "%s%sZ", date, frac) < 0)
		return NULL;
	return out;
}
