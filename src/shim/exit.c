/* The container's end: recorded in meta.json (state.status, exitCode,
 * exitSignal, finishedAt, oomKilled), told to attached clients, then the
 * restart policy: on-failure[:N] and always start it again after a backoff
 * (100 ms doubling to 10 s, back to 100 ms after a run of 10 s or more),
 * unless stop, kill or rm asked for its end (STOP_REQUESTED). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/container.h"
#include "shim/attach_proto.h"
#include "shim/shim.h"
#include "util/cleanup.h"
#include "util/json.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 10000

static bool wants_restart(struct shim *s, int code)
{
	if (faccessat(s->dirfd, STOP_REQUESTED, F_OK, 0) == 0)
		return false;
	switch (s->restart) {
	case RESTART_ALWAYS:
		return true;
	case RESTART_ON_FAILURE:
		return code != 0 && (s->max_retries == 0 || s->restarts < s->max_retries);
	default:
		return false;
	}
}

static void next_backoff(struct shim *s)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec - s->started.tv_sec >= 10)
		s->backoff_ms = BACKOFF_MIN_MS;
	else if (s->restarts > 0)
		s->backoff_ms = s->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : s->backoff_ms * 2;
}

static void ignore(husk_error **e)
{
	husk_error_free(*e);
	*e = NULL;
}

static void tell_exit(struct shim *s, int status)
{
	attach_broadcast(s, ATTACH_EXIT, &status, sizeof(status));
	while (s->n_clients)
		attach_client_drop(s, s->clients[0]);
}

int shim_record_exit(struct shim *s, int status)
{
	husk_error *e = NULL;
	cleanup_json json_object *meta = NULL;
	if (cdir_meta_read(s->cfd, s->id, &meta, &e) < 0) {
		ignore(&e);
		if (status >= 0)
			tell_exit(s, status);
		return 0;   /* removed under the shim (rm -f) */
	}
	bool again = false;
	if (status >= 0) {
		int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		lifecycle_run_end(&s->ctx, s->id, s->cdir, meta, true);
		again = wants_restart(s, code);
		char now[40];
		cdir_now(now);
		lifecycle_set_state(meta, "exitCode", json_object_new_int(code));
		if (WIFSIGNALED(status))
			lifecycle_set_state(meta, "exitSignal", json_object_new_int(WTERMSIG(status)));
		else
			json_object_object_del(json_member(meta, "state"), "exitSignal");
		lifecycle_set_state(meta, "finishedAt", json_object_new_string(now));
	}
	if (s->log.dropped)
		lifecycle_set_state(meta, "logDroppedBytes", json_object_new_int64((int64_t) s->log.dropped));
	lifecycle_set_state(meta, "status", json_object_new_string(again ? "restarting" : "exited"));
	if (!again) {
		overlay_unmount(s->cdir, &e);
		ignore(&e);
	}
	if (!again && s->rm) {
		log_writer_close(&s->log);
		cdir_remove(s->cfd, s->id, &e);
	} else {
		cdir_meta_write(s->cfd, s->id, meta, &e);
	}
	ignore(&e);
	if (!again) {
		/* Done with it: the log closed, the lock free for a start or rm
		 * that follows at once. */
		log_writer_close(&s->log);
		close(SHIM_LOCK_FD);
	}
	/* Told once the end is recorded (or the container removed): what an
	 * attached run reads right after it returns is the truth. */
	if (status >= 0)
		tell_exit(s, status);
	if (again)
		next_backoff(s);
	return again;
}

int shim_restart(struct shim *s)
{
	s->restarts++;
	husk_error *e = NULL;
	int r = shim_run_container(s, &e);   /* records its failure itself */
	husk_error_free(e);
	return r;
}
