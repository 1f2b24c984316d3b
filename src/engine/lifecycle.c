/* start (in the foreground), stop, kill, rm, exec of engine containers:
 * the runtime container of the same id, through the core. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/container.h"
#include "engine/internal.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/log.h"
#include "util/signals.h"

/* The container's lock file: the husk that runs it holds it. */
int lifecycle_open_lock(const char *cdir, husk_error **err)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/lock", cdir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	return fd < 0 ? husk_fail(err, errno, "open %s", path) : fd;
}

void lifecycle_set_state(json_object *meta, const char *key, json_object *v)
{
	json_object_object_add(json_member(meta, "state"), key, v);
}

bool lifecycle_runtime_exists(const struct engine_ctx *c, const char *id)
{
	json_object *st = NULL;
	husk_error *e = NULL;
	int r = container_state(c->root, id, &st, &e);
	json_object_put(st);
	husk_error_free(e);
	return r >= 0;
}

static void store_image_freep(struct store_image **p)
{
	if (*p)
		store_image_free(*p);
}

/* A container stopped earlier: its overlay again. */
int lifecycle_remount(const struct engine_ctx *c, json_object *meta, const char *cdir,
		      husk_error **err)
{
	struct store opened;
	int r = store_open(c->store, false, &opened, err);
	if (r < 0)
		return r;
	cleanup_store struct store s = opened;
	struct store_image *img __attribute__((cleanup(store_image_freep))) = NULL;
	if ((r = store_image_resolve(&s, json_object_get_string(json_member(meta, "imageId")), &img,
				     err)) < 0)
		return r;
	return overlay_mount(&s, img, cdir, false, meta, err);
}

int lifecycle_run_begin(const struct engine_ctx *c, const char *id, const char *cdir,
			json_object *meta, husk_error **err)
{
	int r;
	if (!overlay_mounted(cdir) && (r = lifecycle_remount(c, meta, cdir, err)) < 0)
		return r;
	/* What a killed husk left of an earlier run goes first. */
	if ((r = network_teardown(c, id, cdir, false, err)) < 0 ||
	    (r = network_join_refresh(c, cdir, meta, err)) < 0)
		return r;
	if (lifecycle_runtime_exists(c, id) && (r = container_delete(c->root, id, true, err)) < 0)
		return r;
	char now[40];
	cdir_now(now);
	lifecycle_set_state(meta, "status", json_object_new_string("running"));
	lifecycle_set_state(meta, "startedAt", json_object_new_string(now));
	return 0;
}

void lifecycle_run_end(const struct engine_ctx *c, const char *id, const char *cdir,
		       json_object *meta, bool ran)
{
	uint64_t ooms = 0;
	bool running = false;
	json_object *stats = NULL;
	husk_error *ignored = NULL;
	if (ran && container_stats(c->root, id, &stats, &ooms, &running, &ignored) >= 0)
		lifecycle_set_state(meta, "oomKilled", json_object_new_boolean(ooms > 0));
	json_object_put(stats);
	husk_error_free(ignored);
	ignored = NULL;
	/* The container ended: its network goes (a failed DEL stays recorded,
	 * for rm to try again). */
	if (network_teardown(c, id, cdir, false, &ignored) < 0)
		log_warn("%s", ignored->msg);
	husk_error_free(ignored);
	ignored = NULL;
	container_delete(c->root, id, true, &ignored);
	husk_error_free(ignored);
}

static int run_locked(const struct engine_ctx *c, int cfd, const char *id, const char *cdir,
		      json_object *meta, int *status, husk_error **err)
{
	int r;
	if ((r = lifecycle_run_begin(c, id, cdir, meta, err)) < 0 ||
	    (r = cdir_meta_write(cfd, id, meta, err)) < 0)
		return r;
	json_object *conf = json_member(meta, "config");
	bool in = json_object_get_boolean(json_member(conf, "OpenStdin")) ||
		  json_object_get_boolean(json_member(conf, "Tty"));
	if (!in) {
		/* Without -i the container's stdin is empty, as docker's. */
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null >= 0) {
			dup2(null, 0);
			close(null);
		}
	}
	struct network_start net = { .c = c, .id = id, .cdir = cdir, .meta = meta };
	char cache[PATH_MAX];
	struct create_options o = { .root = c->root, .id = id, .bundle = cdir,
				    .rootless = container_rootless(),
				    .systemd_cgroup = c->systemd_cgroup,
				    .interrupt_kills = c->interrupt_kills,
				    .seccomp_cache = engine_seccomp_cache(c, cache, sizeof(cache)),
				    .created = network_created, .created_arg = &net };
	int st = 0;
	r = container_run(&o, false, true, &st, err);
	lifecycle_run_end(c, id, cdir, meta, r >= 0);
	husk_error *ignored = NULL;
	char now[40];
	cdir_now(now);
	lifecycle_set_state(meta, "status", json_object_new_string("exited"));
	lifecycle_set_state(meta, "exitCode", json_object_new_int(r < 0 ? 127 : st));
	lifecycle_set_state(meta, "finishedAt", json_object_new_string(now));
	if (r < 0)
		lifecycle_set_state(meta, "error", json_object_new_string((*err)->msg));
	overlay_unmount(cdir, &ignored);
	husk_error_free(ignored);
	ignored = NULL;
	cdir_meta_write(cfd, id, meta, r < 0 ? &ignored : err);
	husk_error_free(ignored);
	*status = st;
	return r;
}

const char *engine_seccomp_cache(const struct engine_ctx *c, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/" ENGINE_SECCOMP_CACHE, c->store);
	return n > 0 && (size_t) n < len ? buf : NULL;
}

int engine_start(const struct engine_ctx *c, const char *ref, int *status, husk_error **err)
{
	cleanup_close int cfd = -1;
	char id[ENGINE_ID_LEN + 1];
	int r = cdir_open(c->store, &cfd, err);
	if (r < 0 || (r = cdir_resolve(cfd, ref, id, err)) < 0)
		return r;
	cleanup_free char *cdir = cdir_path(c->store, id, NULL);
	cleanup_close int lock = lifecycle_open_lock(cdir, err);
	if (lock < 0)
		return lock;
	if (flock(lock, LOCK_EX | LOCK_NB) < 0)
		return husk_fail(err, errno == EWOULDBLOCK ? EBUSY : errno,
				 "container %s: already running", ref);
	cleanup_json json_object *meta = NULL;
	if ((r = cdir_meta_read(cfd, id, &meta, err)) < 0)
		return r;
	r = run_locked(c, cfd, id, cdir, meta, status, err);
	if (json_object_get_boolean(json_member(meta, "rm"))) {
		husk_error *ignored = NULL;
		cdir_remove(cfd, id, &ignored);
		husk_error_free(ignored);
	}
	return r;
}

bool lifecycle_runner_alive(const char *cdir)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/lock", cdir);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0)
		return false;
	return errno == EWOULDBLOCK;
}

void lifecycle_request_stop(const char *cdir, json_object *meta)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/" STOP_REQUESTED, cdir);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	/* A shim waiting to restart has no container to be killed: it is told
	 * directly (SIGTERM ends its wait). */
	json_object *st = json_member(meta, "state");
	const char *status = json_object_get_string(json_member(st, "status"));
	int shim = json_object_get_int(json_member(st, "shimPid"));
	if (status && !strcmp(status, "restarting") && shim > 1 && lifecycle_runner_alive(cdir))
		kill(shim, SIGTERM);
}

/* Waits up to timeout_ms for pid to exit: 1 when it did. */
static int wait_exit(pid_t pid, int timeout_ms)
{
	int pfd = syscall(SYS_pidfd_open, pid, 0);
	if (pfd < 0)
		return errno == ESRCH;
	struct pollfd p = { .fd = pfd, .events = POLLIN };
	int r = poll(&p, 1, timeout_ms);
	close(pfd);
	return r > 0;
}

/* Waits for the husk that runs the container to record its end. */
static void wait_runner(const char *cdir)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/lock", cdir);
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		flock(fd, LOCK_EX);
		close(fd);
	}
}

static int lookup(const struct engine_ctx *c, const char *ref, int *cfd, char id[ENGINE_ID_LEN + 1],
		  json_object **meta, husk_error **err)
{
	int r = cdir_open(c->store, cfd, err);
	if (r < 0 || (r = cdir_resolve(*cfd, ref, id, err)) < 0 ||
	    (r = cdir_meta_read(*cfd, id, meta, err)) < 0)
		return r;
	return 0;
}

int engine_stop(const struct engine_ctx *c, const char *ref, int timeout, husk_error **err)
{
	cleanup_close int cfd = -1;
	cleanup_json json_object *meta = NULL;
	char id[ENGINE_ID_LEN + 1];
	int r = lookup(c, ref, &cfd, id, &meta, err), pid = 0;
	if (r < 0)
		return r;
	const char *st = inspect_status(c, id, meta, &pid);
	cleanup_free char *cdir = cdir_path(c->store, id, NULL);
	lifecycle_request_stop(cdir, meta);
	if (strcmp(st, "running") && strcmp(st, "paused")) {
		wait_runner(cdir);
		return 0;
	}
	int sig = SIGTERM;
	const char *name = json_object_get_string(json_member(json_member(meta, "config"),
							     "StopSignal"));
	husk_error *ignored = NULL;
	if (name && signal_parse(name, &sig, &ignored) < 0)
		sig = SIGTERM;
	husk_error_free(ignored);
	ignored = NULL;
	if (container_kill(c->root, id, sig, false, &ignored) < 0 || !wait_exit(pid, timeout * 1000)) {
		husk_error_free(ignored);
		ignored = NULL;
		if ((r = container_kill(c->root, id, SIGKILL, true, &ignored)) < 0 && lifecycle_runtime_exists(c, id)) {
			*err = ignored;
			return husk_wrap(err, "stop %s", ref);
		}
		husk_error_free(ignored);
		wait_exit(pid, 10000);
	}
	wait_runner(cdir);
	return 0;
}

int engine_kill(const struct engine_ctx *c, const char *ref, int sig, husk_error **err)
{
	cleanup_close int cfd = -1;
	cleanup_json json_object *meta = NULL;
	char id[ENGINE_ID_LEN + 1];
	int r = lookup(c, ref, &cfd, id, &meta, err);
	if (r < 0)
		return r;
	const char *st = inspect_status(c, id, meta, NULL);
	if (strcmp(st, "running") && strcmp(st, "paused"))
		return husk_fail(err, 0, "container %s: is not running (%s)", ref, st);
	cleanup_free char *cdir = cdir_path(c->store, id, NULL);
	lifecycle_request_stop(cdir, meta);
	return container_kill(c->root, id, sig, false, err);
}

int engine_rm(const struct engine_ctx *c, const char *ref, bool force, husk_error **err)
{
	cleanup_close int cfd = -1;
	cleanup_json json_object *meta = NULL;
	char id[ENGINE_ID_LEN + 1];
	int r = lookup(c, ref, &cfd, id, &meta, err), pid = 0;
	if (r < 0)
		return r;
	const char *st = inspect_status(c, id, meta, &pid);
	cleanup_free char *cdir = cdir_path(c->store, id, NULL);
	if (!strcmp(st, "running") || !strcmp(st, "paused") || !strcmp(st, "restarting")) {
		if (!force)
			return husk_fail(err, EBUSY, "container %s: is %s: stop it first, or rm -f",
					 ref, st);
		lifecycle_request_stop(cdir, meta);
		husk_error *ignored = NULL;
		container_kill(c->root, id, SIGKILL, true, &ignored);
		husk_error_free(ignored);
		wait_exit(pid, 10000);
	}
	cleanup_close int lock = lifecycle_open_lock(cdir, err);
	if (lock < 0)
		return lock;
	if (flock(lock, force ? LOCK_EX : LOCK_EX | LOCK_NB) < 0)
		return husk_fail(err, EBUSY, "container %s: is starting: rm -f", ref);
	struct stat sb;
	if (stat(cdir, &sb) < 0)
		return 0;   /* a --rm container, removed by its runner */
	if ((r = network_teardown(c, id, cdir, force, err)) < 0)
		return r;
	if (lifecycle_runtime_exists(c, id) && (r = container_delete(c->root, id, true, err)) < 0)
		return r;
	if ((r = overlay_unmount(cdir, err)) < 0)
		return r;
	return cdir_remove(cfd, id, err);
}

int engine_exec(const struct engine_ctx *c, const char *ref, char **argv, bool tty,
		int *status, husk_error **err)
{
	cleanup_close int cfd = -1;
	cleanup_json json_object *meta = NULL;
	char id[ENGINE_ID_LEN + 1];
	int r = lookup(c, ref, &cfd, id, &meta, err);
	if (r < 0)
		return r;
	const char *st = inspect_status(c, id, meta, NULL);
	if (strcmp(st, "running"))
		return husk_fail(err, 0, "container %s: is not running (%s)", ref, st);
	char cache[PATH_MAX];
	struct exec_options o = { .root = c->root, .id = id, .argv = argv, .tty = tty,
				  .seccomp_cache = engine_seccomp_cache(c, cache, sizeof(cache)) };
	return container_exec(&o, status, err);
}

int engine_network_check(const struct engine_ctx *c, const char *ref, husk_error **err)
{
	cleanup_close int cfd = -1;
	cleanup_json json_object *meta = NULL;
	char id[ENGINE_ID_LEN + 1];
	int r = lookup(c, ref, &cfd, id, &meta, err);
	if (r < 0)
		return r;
	if (!network_cni_name(meta))
		return husk_fail(err, 0, "container %s: is not on a CNI network (--network cni:NAME)",
				 ref);
	if (strcmp(inspect_status(c, id, meta, NULL), "running"))
		return husk_fail(err, 0, "container %s: is not running", ref);
	cleanup_free char *cdir = cdir_path(c->store, id, NULL);
	return network_cni_check(c, id, cdir, ref, err);
}
