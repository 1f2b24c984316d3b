/* RUN: a container of the engine made from the image so far, run in the
 * foreground with its output passed on (and its last lines kept for the
 * error); its overlay upper directory becomes the step's layer. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "build/build_internal.h"
#include "build/layer.h"
#include "image/digest.h"
#include "util/cleanup.h"
#include "util/json.h"

#define TAIL_LINES 10

struct tail {
	int in, out;            /* the pipe's read end; where output goes (-1: nowhere) */
	char buf[TAIL_LINES * 256];
	size_t len;
};

/* Keeps the last bytes up to TAIL_LINES lines. */
static void tail_add(struct tail *t, const char *p, size_t n)
{
	if (n >= sizeof(t->buf)) {
		p += n - sizeof(t->buf);
		n = sizeof(t->buf);
	}
	if (t->len + n > sizeof(t->buf)) {
		size_t drop = t->len + n - sizeof(t->buf);
		memmove(t->buf, t->buf + drop, t->len - drop);
		t->len -= drop;
	}
	memcpy(t->buf + t->len, p, n);
	t->len += n;
}

static void *pump(void *arg)
{
	struct tail *t = arg;
	char buf[8192];
	ssize_t n;
	while ((n = read(t->in, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
		if (n <= 0)
			continue;
		if (t->out >= 0 && write(t->out, buf, (size_t) n) < 0)
			t->out = -1;
		tail_add(t, buf, (size_t) n);
	}
	return NULL;
}

/* The last lines of the output, for the error. */
static const char *tail_lines(struct tail *t)
{
	if (t->len == sizeof(t->buf))
		t->len--;
	t->buf[t->len] = '\0';
	while (t->len && t->buf[t->len - 1] == '\n')
		t->buf[--t->len] = '\0';
	int lines = 0;
	for (size_t i = t->len; i-- > 0;)
		if (t->buf[i] == '\n' && ++lines == TAIL_LINES)
			return t->buf + i + 1;
	return t->buf;
}

static void store_image_clear(struct store_image *img)
{
	free(img->chain_ids);
	img->chain_ids = NULL;
}

/* One RUN --mount=type=cache,target=DIR[,id=ID][,sharing=shared]: a
 * directory of the store, STORE/build-cache/.mounts/<sha256 of ID or DIR>,
 * bind-mounted at DIR for this and later builds' RUNs (not in the layer).
 * *volume: "HOSTDIR:DIR".  Any other type or key is refused. */
static int cache_mount(struct build *b, const struct instr *in, const char *spec, char **volume,
		       husk_error **err)
{
	cleanup_free char *copy = strdup(spec);
	const char *type = NULL, *target = NULL, *id = NULL;
	if (!copy)
		return husk_fail(err, ENOMEM, "RUN");
	for (char *save = copy, *kv; (kv = strsep(&save, ",")) != NULL;) {
		char *v = strchr(kv, '=');
		if (v)
			*v++ = '\0';
		if (v && !strcmp(kv, "type"))
			type = v;
		else if (v && (!strcmp(kv, "target") || !strcmp(kv, "dst") || !strcmp(kv, "destination")))
			target = v;
		else if (v && !strcmp(kv, "id"))
			id = v;
		else if (!(v && !strcmp(kv, "sharing") && !strcmp(v, "shared")))
			return husk_fail(err, 0, "%s:%d: RUN --mount=%s: %s%s%s is not supported by husk build "
					 "(type=cache,target=DIR[,id=ID][,sharing=shared])", b->cf.path, in->line,
					 spec, kv, v ? "=" : "", v ? v : "");
	}
	if (!type || strcmp(type, "cache") != 0)
		return husk_fail(err, 0, "%s:%d: RUN --mount=%s: only type=cache is supported by husk build",
				 b->cf.path, in->line, spec);
	if (!target || target[0] != '/' || strstr(target, ":"))
		return husk_fail(err, 0, "%s:%d: RUN --mount=%s: target= must be an absolute path (no ':')",
				 b->cf.path, in->line, spec);
	char key[DIGEST_LEN];
	const char *name = id && *id ? id : target;
	sha256_of(name, strlen(name), key);
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/build-cache", b->c->store);
	mkdir(dir, 0700);
	snprintf(dir, sizeof(dir), "%s/build-cache/.mounts", b->c->store);
	mkdir(dir, 0700);
	snprintf(dir, sizeof(dir), "%s/build-cache/.mounts/%s", b->c->store, digest_hex(key));
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return husk_fail(err, errno, "%s:%d: RUN --mount: mkdir %s", b->cf.path, in->line, dir);
	if (asprintf(volume, "%s:%s", dir, target) < 0)
		return husk_fail(err, ENOMEM, "RUN");
	return 0;
}

/* The volumes of RUN's --mount flags (NULL-terminated; NULL when none). */
static int run_volumes(struct build *b, const struct instr *in, char ***ret, husk_error **err)
{
	size_t n = 0;
	*ret = NULL;
	for (char **f = in->flags; *f; f++) {
		if (strncmp(*f, "mount=", 6) != 0)
			return husk_fail(err, 0, "%s:%d: RUN --%s: not supported by husk build", b->cf.path,
					 in->line, *f);
		char **nv = realloc(*ret, (n + 2) * sizeof(char *));
		if (!nv)
			return husk_fail(err, ENOMEM, "RUN");
		*ret = nv;
		nv[n + 1] = NULL;
		if (cache_mount(b, in, *f + 6, &nv[n], err) < 0) {
			nv[n] = NULL;
			return -1;
		}
		n++;
	}
	return 0;
}

static int create(struct build *b, const struct bstate *st, char **argv, bool as_root,
		  char **volumes, char id[65], husk_error **err)
{
	struct store_image img;
	if (bstate_image(st, &img, err) < 0)
		return -1;
	if (img.n_layers == 0) {
		store_image_clear(&img);
		return husk_fail(err, 0, "the image so far has no layers (FROM scratch): nothing to run in");
	}
	/* A husk network's name goes in networks too: the engine joins those. */
	char *nets[] = { (char *) b->o->network, NULL };
	struct engine_flags f = { .entrypoint = "", .command = argv, .network = b->o->network,
				  .networks = nets,
				  .env = as_root ? NULL : b->args, .user = as_root ? "0:0" : NULL,
				  .workdir = as_root ? "/" : NULL, .volumes = volumes };
	int r = engine_create_image(b->c, &img, b->owner, &f, id, err);
	store_image_clear(&img);
	return r;
}

void step_container_rm(struct build *b, const char *id)
{
	husk_error *e = NULL;
	engine_rm(b->c, id, true, &e);
	husk_error_free(e);
}

int step_container(struct build *b, const struct bstate *st, char id[65], char **rootfs,
		   husk_error **err)
{
	static char *const argv[] = { "/nonexistent", NULL };
	if (create(b, st, (char **) argv, true, NULL, id, err) < 0)
		return -1;
	if (asprintf(rootfs, "%s/containers/%s/rootfs", b->c->store, id) < 0) {
		step_container_rm(b, id);
		return husk_fail(err, ENOMEM, "build");
	}
	return 0;
}

int step_commit_dir(struct build *b, struct bstate *st, const char *dir, bool run,
		    const char *desc, husk_error **err)
{
	cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return husk_fail(err, errno, "open %s", dir);
	struct store opened;
	if (store_open(b->c->store, true, &opened, err) < 0)
		return -1;
	cleanup_store struct store s = opened;
	struct store_image img;
	if (bstate_image(st, &img, err) < 0)
		return -1;
	struct layer_made made;
	int r = layer_from_dir(&s, fd, img.n_layers ? img.chain_ids[img.n_layers - 1] : NULL, b->epoch,
			       run, &made, err);
	store_image_clear(&img);
	if (r < 0)
		return r;
	if (!made.empty && (r = bstate_add_layer(st, made.diff_id, made.blob, err)) < 0)
		return r;
	bstate_history(b, st, desc, made.empty);
	return 0;
}

/* RUN's command: the exec form as it is, else SHELL (or /bin/sh -c) + text. */
static char **run_argv(const struct instr *in, const struct bstate *st)
{
	if (in->exec_form)
		return in->args;
	size_t n = 0;
	static char *const sh[] = { "/bin/sh", "-c", NULL };
	char *const *shell = st->shell ? st->shell : sh;
	while (shell[n])
		n++;
	char **v = calloc(n + 2, sizeof(char *));
	if (!v)
		return NULL;
	memcpy(v, shell, n * sizeof(char *));
	v[n] = in->rest;
	return v;
}

/* Runs the container with fds 1 and 2 on a pipe that pump() reads. */
static int run_captured(struct build *b, const char *id, int *status, struct tail *t,
			husk_error **err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return husk_fail(err, errno, "pipe");
	fflush(stdout);
	fflush(stderr);
	int saved1 = fcntl(1, F_DUPFD_CLOEXEC, 3), saved2 = fcntl(2, F_DUPFD_CLOEXEC, 3);
	t->in = p[0];
	t->out = b->out ? saved1 : -1;
	pthread_t th;
	/* The pump thread takes no signal: the foreground run waits for
	 * SIGCHLD on a signalfd, which only sees signals no thread accepts. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int tr = saved1 < 0 || saved2 < 0 ? -1 : pthread_create(&th, NULL, pump, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (tr != 0) {
		close(p[0]);
		close(p[1]);
		if (saved1 >= 0)
			close(saved1);
		if (saved2 >= 0)
			close(saved2);
		return husk_fail(err, errno ? errno : EAGAIN, "RUN: capture its output");
	}
	dup2(p[1], 1);
	dup2(p[1], 2);
	close(p[1]);
	int r = engine_start(b->c, id, status, err);
	dup2(saved1, 1);
	dup2(saved2, 2);
	pthread_join(th, NULL);
	close(p[0]);
	close(saved1);
	close(saved2);
	return r;
}

int step_run(struct build *b, const struct instr *in, struct bstate *st, husk_error **err)
{
	cleanup_free char *desc = NULL;
	if (step_describe(b, in, st, &desc, err) < 0)
		return -1;
	cleanup_strv char **volumes = NULL;
	if (run_volumes(b, in, &volumes, err) < 0)
		return -1;   /* with its file and line */
	char **argv = run_argv(in, st);
	if (!argv)
		return husk_fail(err, ENOMEM, "RUN");
	char id[65];
	int r = create(b, st, argv, false, volumes, id, err);
	if (argv != in->args)
		free(argv);
	if (r < 0)
		return husk_wrap(err, "%s:%d: RUN", b->cf.path, in->line);
	int status = 0;
	struct tail *t = calloc(1, sizeof(*t));
	if (!t) {
		step_container_rm(b, id);
		return husk_fail(err, ENOMEM, "RUN");
	}
	r = run_captured(b, id, &status, t, err);
	if (r >= 0 && status != 0) {
		const char *last = tail_lines(t);
		if (!b->out && *last)
			fprintf(stderr, "%s\n", last);   /* --quiet showed nothing */
		r = husk_fail(err, 0, "%s:%d: RUN %s: exited with status %d%s%s", b->cf.path, in->line,
			      in->exec_form ? desc + 4 : in->rest, status, *last ? "; its last output: " : "",
			      *last ? strrchr(last, '\n') ? strrchr(last, '\n') + 1 : last : "");
	} else if (r < 0) {
		husk_wrap(err, "%s:%d: RUN", b->cf.path, in->line);
	}
	free(t);
	if (r >= 0) {
		cleanup_free char *upper = NULL;
		if (asprintf(&upper, "%s/containers/%s/upper", b->c->store, id) < 0)
			r = husk_fail(err, ENOMEM, "RUN");
		else
			r = step_commit_dir(b, st, upper, true, desc, err);
	}
	step_container_rm(b, id);
	return r;
}
