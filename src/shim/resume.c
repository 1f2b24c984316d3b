/* The shim executes husk again once the container runs: what husk and
 * the create left on the heap (fragments of parsed configs, the image,
 * the seccomp profile: 188 kB that malloc_trim could not give back) is
 * then gone, and the shim serving the container is a fresh process of a
 * few pages (bench/README.md, shim).  Its state travels as one JSON
 * argument; the fds it names (the lock, the container's stdio, the attach
 * socket and clients) stay open across the exec.  It is done again after
 * each restart.  If the exec fails the shim goes on as it is. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "shim/shim.h"
#include "util/json.h"

static void add_int(json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static void add_str(json_object *o, const char *k, const char *v)
{
	if (v)
		json_object_object_add(o, k, json_object_new_string(v));
}

/* fd kept open across the exec (or closed there when -1). */
static void keep(int fd)
{
	if (fd >= 0)
		fcntl(fd, F_SETFD, 0);
}

static json_object *state_of(struct shim *s)
{
	json_object *o = json_object_new_object();
	add_str(o, "store", s->ctx.store);
	add_str(o, "root", s->ctx.root);
	add_str(o, "cniConfigDir", s->ctx.cni_config_dir);
	add_str(o, "cniPluginDir", s->ctx.cni_plugin_dir);
	add_int(o, "cniTimeoutMs", s->ctx.cni_timeout_ms);
	add_int(o, "systemdCgroup", s->ctx.systemd_cgroup);
	add_str(o, "id", s->id);
	add_str(o, "cdir", s->cdir);
	add_int(o, "restarts", s->restarts);
	add_int(o, "backoffMs", s->backoff_ms);
	add_int(o, "pid", s->pid);
	add_int(o, "startedSec", s->started.tv_sec);
	add_int(o, "startedNsec", s->started.tv_nsec);
	add_int(o, "logDropped", (int64_t) s->log.dropped);
	int fds[] = { s->cfd, s->dirfd, s->out, s->err, s->in, s->listen, s->primary };
	const char *names[] = { "cfd", "dirfd", "out", "err", "in", "listen", "primary" };
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		add_int(o, names[i], fds[i]);
		keep(fds[i]);
	}
	json_object *c = json_object_new_array();
	for (size_t i = 0; i < s->n_clients; i++) {
		json_object_array_add(c, json_object_new_int(s->clients[i]));
		keep(s->clients[i]);
	}
	json_object_object_add(o, "clients", c);
	keep(SHIM_LOCK_FD);
	return o;
}

void shim_reexec(struct shim *s)
{
	json_object *o = state_of(s);
	char *argv[] = { "husk-shim", ENGINE_SHIM_RESUME_ARG,
			 (char *) json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), NULL };
	extern char **environ;
	execve("/proc/self/exe", argv, environ);
	/* Not executed: the shim goes on here, its fds close-on-exec again. */
	json_object_put(o);
	int fds[] = { SHIM_LOCK_FD, s->cfd, s->dirfd, s->out, s->err, s->in, s->listen };
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			fcntl(fds[i], F_SETFD, FD_CLOEXEC);
	for (size_t i = 0; i < s->n_clients; i++)
		fcntl(s->clients[i], F_SETFD, FD_CLOEXEC);
}

static int get_fd(json_object *o, const char *k)
{
	json_object *v = json_member(o, k);
	int fd = v ? json_object_get_int(v) : -1;
	if (fd >= 0)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

/* The state's strings, copied out so that its parse can be freed: one
 * page at most of the shim's .bss. */
struct pool {
	char buf[4 * 4096];
	size_t used;
};

static const char *get_str(struct pool *p, json_object *o, const char *k)
{
	const char *v = json_object_get_string(json_member(o, k));
	size_t n = v ? strlen(v) + 1 : 0;
	if (!v || n > sizeof(p->buf) - p->used)
		return NULL;
	char *d = memcpy(p->buf + p->used, v, n);
	p->used += n;
	return d;
}

int engine_shim_resume(const char *state)
{
	json_object *o = json_tokener_parse(state);
	if (!o)
		return 1;
	prctl(PR_SET_NAME, "husk-shim", 0, 0, 0);
	static struct shim s;
	static struct pool p;
	s.ctx = (struct engine_ctx) {
		.store = get_str(&p, o, "store"), .root = get_str(&p, o, "root"),
		.cni_config_dir = get_str(&p, o, "cniConfigDir"),
		.cni_plugin_dir = get_str(&p, o, "cniPluginDir"),
		.cni_timeout_ms = json_object_get_int(json_member(o, "cniTimeoutMs")),
		.systemd_cgroup = json_object_get_int(json_member(o, "systemdCgroup")),
	};
	const char *id = json_object_get_string(json_member(o, "id"));
	snprintf(s.id, sizeof(s.id), "%s", id ? id : "");
	s.cdir = (char *) get_str(&p, o, "cdir");
	s.restarts = json_object_get_int(json_member(o, "restarts"));
	s.pid = json_object_get_int(json_member(o, "pid"));
	s.started.tv_sec = json_object_get_int64(json_member(o, "startedSec"));
	s.started.tv_nsec = json_object_get_int64(json_member(o, "startedNsec"));
	s.cfd = get_fd(o, "cfd");
	s.dirfd = get_fd(o, "dirfd");
	s.out = get_fd(o, "out");
	s.err = get_fd(o, "err");
	s.in = get_fd(o, "in");
	s.listen = get_fd(o, "listen");
	s.primary = get_fd(o, "primary");
	s.epfd = s.sigfd = -1;
	s.log.fd = s.log.dirfd = -1;
	fcntl(SHIM_LOCK_FD, F_SETFD, FD_CLOEXEC);
	json_object *c = json_member(o, "clients");
	for (size_t i = 0; i < json_object_array_length(c) && s.n_clients < SHIM_MAX_CLIENTS; i++) {
		int fd = json_object_get_int(json_object_array_get_idx(c, i));
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		s.clients[s.n_clients++] = fd;
	}
	int64_t backoff = json_object_get_int64(json_member(o, "backoffMs"));
	s.log.dropped = (uint64_t) json_object_get_int64(json_member(o, "logDropped"));
	json_object_put(o);
	if (!s.cdir || s.cfd < 0 || s.dirfd < 0 || shim_reload(&s) < 0)
		return 1;
	s.backoff_ms = backoff;
	/* Both parses freed: the heap's pages back to the kernel. */
	malloc_trim(0);
	shim_loop(&s);
	return 0;
}
