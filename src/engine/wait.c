/* `husk container wait`: the exit code of the container's next end.  A
 * running container's shim tells it on the attach socket (ATTACH_EXIT,
 * sent before a --rm container is removed); without a shim (a foreground
 * run) the runner's lock is waited for. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/internal.h"
#include "shim/attach_proto.h"
#include "util/cleanup.h"
#include "util/json.h"

/* 1 and *status when the shim said the container exited; 0 when the
 * socket was not there or closed without it. */
static int wait_shim(int dirfd, int *status)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof(a.sun_path), "/proc/self/fd/%d/" ATTACH_SOCKET_NAME, dirfd);
	cleanup_close int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *) &a, sizeof(a)) < 0)
		return 0;
	static char buf[ATTACH_MSG_MAX];
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		if (buf[0] == ATTACH_EXIT && n >= 1 + (ssize_t) sizeof(int)) {
			memcpy(status, buf + 1, sizeof(int));
			return 1;
		}
	}
}

static bool active(const char *st)
{
	return !strcmp(st, "running") || !strcmp(st, "paused") || !strcmp(st, "restarting");
}

int engine_wait(const struct engine_ctx *c, const char *ref, int *ret_code, husk_error **err)
{
	cleanup_close int cfd = -1;
	char id[ENGINE_ID_LEN + 1];
	int r = cdir_open(c->store, &cfd, err);
	if (r < 0 || (r = cdir_resolve(cfd, ref, id, err)) < 0)
		return r;
	cleanup_free char *cdir = cdir_path(c->store, id, NULL);
	cleanup_close int dirfd = openat(cfd, id, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return husk_fail(err, errno, "container %s", ref);
	for (int round = 0;; round++) {
		cleanup_json json_object *meta = NULL;
		if ((r = cdir_meta_read(cfd, id, &meta, err)) < 0)
			return r;
		const char *st = inspect_status(c, id, meta, NULL);
		if (!active(st) && !lifecycle_runner_alive(cdir)) {
			*ret_code = json_object_get_int(json_member(json_member(meta, "state"), "exitCode"));
			return 0;
		}
		int status;
		if (wait_shim(dirfd, &status)) {
			*ret_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			return 0;
		}
		/* No shim: the foreground husk's lock, then its record. */
		cleanup_close int lock = lifecycle_open_lock(cdir, err);
		if (lock < 0)
			return lock;
		if (round > 0)
			usleep(50000);
		flock(lock, LOCK_SH);
	}
}
