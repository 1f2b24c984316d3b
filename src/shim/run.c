/* One run of the container under the shim: its stdio made (pipes to the
 * shim, or a pty whose master the shim keeps), then the core's create and
 * start, in this process, so that the container is the shim's child. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/container.h"
#include "shim/shim.h"
#include "util/cleanup.h"
#include "util/fdpass.h"
#include "util/json.h"

/* The console socket the core hands the pty master to: in the container's
 * directory, named through /proc/self/fd (no sun_path limit). */
static int console_listen(struct shim *s, char *path, size_t len, husk_error **err)
{
	snprintf(path, len, "/proc/self/fd/%d/console", s->dirfd);
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	unlinkat(s->dirfd, "console", 0);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return husk_fail(err, errno, "console socket");
	if (bind(fd, (struct sockaddr *) &a, sizeof(a)) < 0 || listen(fd, 1) < 0) {
		int e = errno;
		close(fd);
		return husk_fail(err, e, "console socket");
	}
	return fd;
}

static int take_master(struct shim *s, int lfd, husk_error **err)
{
	cleanup_close int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	unlinkat(s->dirfd, "console", 0);
	if (c < 0)
		return husk_fail(err, errno, "console socket");
	char name[64];
	int fd = -1;
	ssize_t n = fdpass_recv(c, name, sizeof(name), &fd);
	if (n < 0 || fd < 0)
		return husk_fail(err, n < 0 ? (int) -n : 0, "the container sent no terminal");
	return fd;
}

struct stdio_pipes {
	int out[2], err[2], in[2];
};

static void pipes_close(struct stdio_pipes *p)
{
	int *all[] = { p->out, p->err, p->in };
	for (size_t i = 0; i < 3; i++)
		for (int j = 0; j < 2; j++)
			closep(&all[i][j]);
}

static int make_pipes(struct shim *s, struct stdio_pipes *p, husk_error **err)
{
	if (pipe2(p->out, O_CLOEXEC) < 0 || pipe2(p->err, O_CLOEXEC) < 0 ||
	    (s->open_stdin && pipe2(p->in, O_CLOEXEC) < 0))
		return husk_fail(err, errno, "pipe");
	/* Room for bursts while the shim writes the log. */
	fcntl(p->out[0], F_SETPIPE_SZ, 1 << 20);
	if (s->open_stdin)
		dup2(p->in[0], 0);
	dup2(p->out[1], 1);
	dup2(p->err[1], 2);
	return 0;
}

/* The core's created hook: the init's pid, known before it starts (a
 * container that ends at once has no pid in its state to read after), then
 * the container's network. */
struct shim_created {
	struct shim *s;
	struct network_start net;
};

static int created(void *arg, pid_t pid, husk_error **err)
{
	struct shim_created *sc = arg;
	sc->s->pid = pid;
	return network_created(&sc->net, pid, err);
}

static int start(struct shim *s, json_object *meta, husk_error **err)
{
	struct stdio_pipes p = { { -1, -1 }, { -1, -1 }, { -1, -1 } };
	char console[64];
	cleanup_close int lfd = -1;
	int r = 0;
	if (s->tty)
		r = lfd = console_listen(s, console, sizeof(console), err);
	else
		r = make_pipes(s, &p, err);
	struct shim_created sc = { s, { .c = &s->ctx, .id = s->id, .cdir = s->cdir, .meta = meta } };
	char cache[PATH_MAX];
	struct create_options o = { .root = s->ctx.root, .id = s->id, .bundle = s->cdir,
				    .rootless = container_rootless(),
				    .systemd_cgroup = s->ctx.systemd_cgroup,
				    .seccomp_cache = engine_seccomp_cache(&s->ctx, cache, sizeof(cache)),
				    .console_socket = s->tty ? console : NULL,
				    .created = created, .created_arg = &sc };
	int status = 0;
	if (r >= 0)
		r = container_run(&o, true, true, &status, err);
	/* The shim's own stdio is /dev/null again. */
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; fd < 3; fd++)
		dup2(null, fd);
	close(null);
	if (r >= 0 && s->tty) {
		if ((r = s->out = take_master(s, lfd, err)) >= 0)
			fcntl(s->out, F_SETFL, O_NONBLOCK);
	} else if (r >= 0) {
		s->out = p.out[0], s->err = p.err[0], s->in = p.in[1];
		p.out[0] = p.err[0] = p.in[1] = -1;
		fcntl(s->out, F_SETFL, O_NONBLOCK);
		fcntl(s->err, F_SETFL, O_NONBLOCK);
		if (s->in >= 0)   /* written with a deadline (attach_server.c) */
			fcntl(s->in, F_SETFL, O_NONBLOCK);
	}
	pipes_close(&p);
	return r;
}

int shim_run_container(struct shim *s, husk_error **err)
{
	cleanup_json json_object *meta = NULL;
	int r = cdir_meta_read(s->cfd, s->id, &meta, err);
	if (r < 0)
		return r;
	char now[40];
	if ((r = lifecycle_run_begin(&s->ctx, s->id, s->cdir, meta, err)) < 0)
		goto fail;
	lifecycle_set_state(meta, "shimPid", json_object_new_int(getpid()));
	lifecycle_set_state(meta, "restartCount", json_object_new_int(s->restarts));
	json_object_object_del(json_member(meta, "state"), "error");
	if ((r = cdir_meta_write(s->cfd, s->id, meta, err)) < 0)
		goto fail;
	clock_gettime(CLOCK_MONOTONIC, &s->started);
	s->pid = 0;
	if ((r = start(s, meta, err)) < 0)
		goto fail;
	if (s->pid <= 0) {
		r = husk_fail(err, ESRCH, "container %.12s: no pid in its state", s->id);
		goto fail;
	}
	return 0;
fail:
	cdir_now(now);
	lifecycle_set_state(meta, "status", json_object_new_string("exited"));
	lifecycle_set_state(meta, "exitCode", json_object_new_int(127));
	lifecycle_set_state(meta, "finishedAt", json_object_new_string(now));
	lifecycle_set_state(meta, "error", json_object_new_string(*err ? (*err)->msg : "start failed"));
	husk_error *ignored = NULL;
	/* What the created hook made before the failure goes with it. */
	network_teardown(&s->ctx, s->id, s->cdir, true, &ignored);
	husk_error_free(ignored);
	ignored = NULL;
	container_delete(s->ctx.root, s->id, true, &ignored);
	husk_error_free(ignored);
	ignored = NULL;
	overlay_unmount(s->cdir, &ignored);
	husk_error_free(ignored);
	ignored = NULL;
	cdir_meta_write(s->cfd, s->id, meta, &ignored);
	husk_error_free(ignored);
	return r;
}
