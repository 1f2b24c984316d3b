/* engine_start_detached: the shim forked off husk, which returns once the
 * container runs (or with the shim's error). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shim/shim.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

/* What the shim tells husk on the ready pipe: 0, or an errno and the
 * message of its failure. */
struct ready_msg {
	int32_t code;
	char msg[1020];
};

static void shim_config(struct shim *s, json_object *meta)
{
	json_object *conf = json_member(meta, "config");
	s->tty = json_object_get_boolean(json_member(conf, "Tty"));
	s->open_stdin = json_object_get_boolean(json_member(conf, "OpenStdin"));
	s->rm = json_object_get_boolean(json_member(meta, "rm"));
	json_object *p = json_member(meta, "restartPolicy");
	const char *name = json_object_get_string(json_member(p, "Name"));
	s->restart = !name || !strcmp(name, "no") ? RESTART_NO :
		     !strcmp(name, "always") ? RESTART_ALWAYS : RESTART_ON_FAILURE;
	s->max_retries = json_object_get_int(json_member(p, "MaximumRetryCount"));
	s->backoff_ms = 100;
}

static int open_log(struct shim *s, json_object *meta, husk_error **err)
{
	json_object *l = json_member(meta, "logConfig");
	int64_t max_size = json_object_get_int64(json_member(l, "maxSize"));
	int max_file = l ? json_object_get_int(json_member(l, "maxFile")) : 1;
	const char *path = json_object_get_string(json_member(l, "path"));
	if (!path)
		return log_writer_open(&s->log, s->dirfd, "ctr.log", max_size, max_file, err);
	cleanup_free char *dir = strdup(path);
	if (!dir)
		return husk_fail(err, ENOMEM, "log");
	char *slash = strrchr(dir, '/');
	*slash = '\0';
	if (mkdir_p(*dir ? dir : "/", 0700, err) < 0)
		return husk_wrap(err, "log %s", path);
	cleanup_close int dfd = open(*dir ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return husk_fail(err, errno, "log %s", path);
	return log_writer_open(&s->log, dfd, slash + 1, max_size, max_file, err);
}

static int shim_setup(struct shim *s, json_object *meta, husk_error **err)
{
	s->cfd = s->dirfd = s->epfd = s->sigfd = s->listen = s->in = s->out = s->err = -1;
	s->log.fd = s->log.dirfd = -1;
	/* The caller's connection is a client before the container starts. */
	if (s->primary >= 0)
		s->clients[s->n_clients++] = s->primary;
	shim_config(s, meta);
	int r = cdir_open(s->ctx.store, &s->cfd, err);
	if (r < 0)
		return r;
	if ((s->dirfd = openat(s->cfd, s->id, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return husk_fail(err, errno, "container %.12s", s->id);
	if ((r = open_log(s, meta, err)) < 0 || (r = attach_listen(s, err)) < 0)
		return r;
	return shim_run_container(s, err);
}

int shim_reload(struct shim *s)
{
	cleanup_json json_object *meta = NULL;
	husk_error *e = NULL;
	int r = cdir_meta_read(s->cfd, s->id, &meta, &e);
	if (r >= 0) {
		shim_config(s, meta);
		r = open_log(s, meta, &e);
	}
	husk_error_free(e);
	return r;
}

/* The shim's process: fds 3 (the lock, held for the shim's life), 4
 * (ready) and, attached, 5 (the caller's end of the attach socketpair) are
 * all it keeps of husk's. */
static __attribute__((noreturn)) void shim_main(struct shim *s, json_object *meta)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; fd < 3; fd++)
		dup2(null, fd);
	close(null);
	if (s->ctx.root[0] == '/' && chdir("/") < 0)
		_exit(1);
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	prctl(PR_SET_NAME, "husk-shim", 0, 0, 0);
	/* A husk killed before it read the ready pipe must not take the
	 * shim with it (EPIPE instead; the loop blocks it for good, and the
	 * container unblocks every signal before its exec). */
	sigset_t pipe_set;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, NULL);
	husk_error *e = NULL;
	int r = shim_setup(s, meta, &e);
	json_object_put(meta);
	struct ready_msg m = { .code = r < 0 ? (e && e->errnum ? e->errnum : EINVAL) : 0 };
	if (r < 0)
		snprintf(m.msg, sizeof(m.msg), "%s", e ? e->msg : "shim failed");
	husk_error_free(e);
	if (r < 0 && s->rm && s->cfd >= 0) {
		/* --rm: a container that could not start goes too. */
		e = NULL;
		cdir_remove(s->cfd, s->id, &e);
		husk_error_free(e);
	}
	(void) !write(4, &m, r < 0 ? sizeof(m) : sizeof(m.code));
	close(4);
	if (r < 0)
		_exit(1);
	/* A fresh process for the long wait (resume.c); if that fails, what
	 * create parsed and built is freed at least. */
	shim_reexec(s);
	malloc_trim(0);
	shim_loop(s);
	_exit(0);
}

/* In the forked child: only the lock, the ready pipe and the attach
 * socket (when there is one), at fds 3, 4 and 5. */
static void keep_fds(int lock, int ready, int attach)
{
	int l = fcntl(lock, F_DUPFD_CLOEXEC, 10), w = fcntl(ready, F_DUPFD_CLOEXEC, 10);
	int a = attach >= 0 ? fcntl(attach, F_DUPFD_CLOEXEC, 10) : -1;
	dup3(l, 3, O_CLOEXEC);
	dup3(w, 4, O_CLOEXEC);
	if (a >= 0)
		dup3(a, 5, O_CLOEXEC);
	syscall(SYS_close_range, a >= 0 ? 6U : 5U, ~0U, 0U);
}

static int read_ready(int fd, husk_error **err)
{
	struct ready_msg m = { 0 };
	size_t got = 0;
	while (got < sizeof(m)) {
		ssize_t n = read(fd, (char *) &m + got, sizeof(m) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	if (got < sizeof(m.code))
		return husk_fail(err, EPIPE, "shim: ended before the container ran");
	if (m.code == 0)
		return 0;
	m.msg[sizeof(m.msg) - 1] = '\0';
	/* The message has its strerror already: the errno is set after. */
	husk_fail(err, 0, "%s", m.msg);
	if (err && *err)
		(*err)->errnum = m.code;
	return -m.code;
}

/* The shim forked, the container started under it; attach: the caller's
 * end of a socketpair the shim serves as its first client (else -1).
 * 1: a container the shim cannot run (a cni: network) with attach set,
 * for the caller to run in the foreground. */
static int start_shim(const struct engine_ctx *c, const char *ref, struct engine_attach *attach,
		      husk_error **err)
{
	struct shim s = { .ctx = *c, .primary = -1 };
	cleanup_close int cfd = -1;
	int r = cdir_open(c->store, &cfd, err);
	if (r < 0 || (r = cdir_resolve(cfd, ref, s.id, err)) < 0)
		return r;
	cleanup_free char *cdir = cdir_path(c->store, s.id, NULL);
	cleanup_free char *root = realpath(c->root, NULL);
	if (root)
		s.ctx.root = root;
	s.cdir = cdir;
	cleanup_close int lock = lifecycle_open_lock(cdir, err);
	if (lock < 0)
		return lock;
	if (flock(lock, LOCK_EX | LOCK_NB) < 0)
		return husk_fail(err, errno == EWOULDBLOCK ? EBUSY : errno,
				 "container %s: already running", ref);
	cleanup_json json_object *meta = NULL;
	if ((r = cdir_meta_read(cfd, s.id, &meta, err)) < 0)
		return r;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" STOP_REQUESTED, cdir);
	unlink(path);
	cleanup_close int sv0 = -1, sv1 = -1;
	if (attach) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
			return husk_fail(err, errno, "attach socket");
		sv0 = sv[0], sv1 = sv[1];
		json_object *conf = json_member(meta, "config");
		*attach = (struct engine_attach) {
			.sock = -1, .tty = json_object_get_boolean(json_member(conf, "Tty")),
			.open_stdin = json_object_get_boolean(json_member(conf, "OpenStdin")),
		};
		memcpy(attach->id, s.id, sizeof(s.id));
	}
	int ready[2];
	if (pipe2(ready, O_CLOEXEC) < 0)
		return husk_fail(err, errno, "pipe");
	pid_t mid = fork();
	if (mid == 0) {
		/* A session of its own, and not its leader (the second fork): no
		 * terminal can ever become its controlling one. */
		keep_fds(lock, ready[1], sv1);
		if (sv1 >= 0)
			s.primary = 5;
		setsid();
		pid_t p = fork();
		if (p != 0)
			_exit(p < 0);
		shim_main(&s, meta);   /* frees it: cleanup never runs there */
	}
	close(ready[1]);
	if (mid < 0) {
		close(ready[0]);
		return husk_fail(err, errno, "fork");
	}
	waitpid(mid, NULL, 0);
	r = read_ready(ready[0], err);
	close(ready[0]);
	if (r < 0)
		return husk_wrap(err, "start %s", ref);
	if (attach) {
		attach->sock = sv0;
		sv0 = -1;
	}
	return 0;
}

int engine_start_detached(const struct engine_ctx *c, const char *ref, husk_error **err)
{
	return start_shim(c, ref, NULL, err);
}

int engine_start_attached(const struct engine_ctx *c, const char *ref, struct engine_attach *ret,
			  husk_error **err)
{
	return start_shim(c, ref, ret, err);
}
