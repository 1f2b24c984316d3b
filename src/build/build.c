/* husk build: the stages and steps of a Containerfile, each step's result
 * taken from the cache when its key is there (see build.h). */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "build/build_internal.h"
#include "image/digest.h"
#include "image/import.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* "STEP N/M: instruction", out at once: a pipe (a CI log, tee) sees the
 * step while it runs, not when the buffer fills. */
static void step_line(const struct build *b, const struct instr *in)
{
	if (!b->out)
		return;
	fprintf(b->out, "STEP %d/%d: %s\n", b->step, b->n_steps, in->text);
	fflush(b->out);
}

static void strv_free(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

/* The ARG values in force, for the keys of ARG and RUN steps. */
static void hash_args(const struct build *b, struct sha256_ctx *h)
{
	for (char **a = b->args; a && *a; a++)
		sha256_update(h, *a, strlen(*a) + 1);
}

static int step_key(struct build *b, const struct instr *in, struct bstate *st, const char *desc,
		    char **words, char key[DIGEST_LEN], husk_error **err)
{
	char extra[DIGEST_LEN] = "";
	if ((in->kind == I_COPY || in->kind == I_ADD) &&
	    step_copy_key(b, in, st, words, extra, err) < 0)
		return -1;
	cleanup_sha256 struct sha256_ctx *h = sha256_new();
	if (!h)
		return husk_fail(err, ENOMEM, "build");
	sha256_update(h, st->key, strlen(st->key) + 1);
	sha256_update(h, desc, strlen(desc) + 1);
	sha256_update(h, extra, strlen(extra) + 1);
	if (in->kind == I_RUN || in->kind == I_ARG) {
		hash_args(b, h);
		for (char **s = st->shell; s && *s; s++)
			sha256_update(h, *s, strlen(*s) + 1);
	}
	sha256_finish(h, key);
	h = NULL;
	return 0;
}

static int copy_words(struct build *b, const struct instr *in, struct bstate *st, char ***words,
		      husk_error **err)
{
	if (in->exec_form) {
		size_t n = 0;
		while (in->args[n])
			n++;
		char **v = calloc(n + 1, sizeof(char *));
		for (size_t i = 0; v && i < n; i++)
			v[i] = strdup(in->args[i]);
		*words = v;
		return v ? 0 : husk_fail(err, ENOMEM, "build");
	}
	struct shlex sh = build_shlex(b, st);
	if (shlex_words(&sh, in->rest, words, err) < 0)
		return husk_wrap(err, "%s:%d: %s", b->cf.path, in->line, in->keyword);
	return 0;
}

static int run_step(struct build *b, const struct instr *in, struct bstate *st, husk_error **err)
{
	double t0 = now_s();
	b->step++;
	step_line(b, in);
	if (in->kind == I_ARG && step_config(b, in, st, err) < 0)
		return -1;   /* ARG sets the stage's variables, cached or not */
	if (in->kind == I_CMD)
		b->cmd_set = true;
	cleanup_free char *desc = NULL;
	cleanup_strv char **words = NULL;
	char key[DIGEST_LEN];
	if (step_describe(b, in, st, &desc, err) < 0)
		return -1;
	if ((in->kind == I_COPY || in->kind == I_ADD) && copy_words(b, in, st, &words, err) < 0)
		return -1;
	if (step_key(b, in, st, desc, words, key, err) < 0)
		return -1;
	int r = 0;
	if (!b->o->no_cache && (r = cache_load(b, key, st, err)) != 0) {
		if (r > 0 && b->out)
			fprintf(b->out, "--> Using cache %.19s\n", key);
		return r < 0 ? r : 0;
	}
	if (in->kind == I_RUN)
		r = step_run(b, in, st, err);
	else if (in->kind == I_COPY || in->kind == I_ADD)
		r = step_copy(b, in, st, words, desc, err);
	else if (in->kind == I_ARG || (r = step_config(b, in, st, err)) >= 0)
		bstate_history(b, st, desc, true);
	if (r < 0)
		return r;
	memcpy(st->key, key, DIGEST_LEN);
	if ((r = cache_save(b, st, err)) < 0)
		return r;
	if (b->out) {
		fprintf(b->out, "--> %.3f s\n", now_s() - t0);
		fflush(b->out);
	}
	return 0;
}

/* A step runs with SIGINT, SIGTERM, SIGHUP and SIGQUIT blocked: one that
 * comes kills its RUN container (core/container.h) and fails the build
 * once the step has removed what it made. */
static int run_step_interruptible(struct build *b, const struct instr *in, struct bstate *st,
				  husk_error **err)
{
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigprocmask(SIG_BLOCK, &set, &old);
	int r = run_step(b, in, st, err);
	static const struct timespec now = { 0 };
	int sig = sigtimedwait(&set, NULL, &now);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (sig <= 0)
		return r;
	if (r < 0) {
		husk_error_free(*err);
		*err = NULL;
	}
	return husk_fail(err, 0, "%s:%d: %s: interrupted by SIG%s", b->cf.path, in->line, in->keyword,
			 sigabbrev_np(sig));
}

static int global_arg(struct build *b, const struct instr *in, husk_error **err)
{
	/* Global ARGs are seen by FROM lines only: resolved into global_args. */
	char **saved = b->args;
	b->args = b->global_args;
	b->lookup_st = NULL;
	int r = step_config(b, in, NULL, err);
	b->global_args = b->args;
	b->args = saved;
	return r;
}

static int start_stage(struct build *b, const struct instr *in, husk_error **err)
{
	struct shlex sh = build_shlex(b, NULL);
	cleanup_strv char **w = NULL;
	if (shlex_words(&sh, in->rest, &w, err) < 0)
		return husk_wrap(err, "%s:%d: FROM", b->cf.path, in->line);
	size_t n = 0;
	while (w[n])
		n++;
	if (!(n == 1 || (n == 3 && strcasecmp(w[1], "as") == 0)))
		return husk_fail(err, 0, "%s:%d: FROM %s: expects IMAGE [AS NAME]", b->cf.path, in->line,
				 in->rest);
	struct stage *ns = realloc(b->stages, (b->n_stages + 1) * sizeof(*ns));
	if (!ns)
		return husk_fail(err, ENOMEM, "build");
	b->stages = ns;
	b->cur = b->n_stages;
	struct stage *s = &b->stages[b->n_stages];
	*s = (struct stage) { .name = n == 3 ? strdup(w[2]) : NULL };
	strv_free(b->args);
	b->args = NULL;
	b->cmd_set = false;
	b->step++;
	step_line(b, in);
	int r = build_base(b, w[0], &s->st, err);
	b->n_stages++;
	if (r < 0)
		return husk_wrap(err, "%s:%d: FROM %s", b->cf.path, in->line, w[0]);
	return step_triggers(b, &s->st, in->line, run_step_interruptible, err);
}

static int run_file(struct build *b, struct bstate **final, husk_error **err)
{
	size_t globals = 0;
	while (globals < b->cf.n && b->cf.v[globals].kind == I_ARG)
		globals++;
	b->n_steps = (int) (b->cf.n - globals);
	for (size_t i = 0; i < b->cf.n; i++) {
		const struct instr *in = &b->cf.v[i];
		int r;
		if (in->kind == I_FROM) {
			if (b->o->target && b->n_stages &&
			    b->stages[b->cur].name && strcasecmp(b->stages[b->cur].name, b->o->target) == 0)
				break;
			r = start_stage(b, in, err);
		} else if (b->n_stages == 0) {
			r = global_arg(b, in, err);
		} else {
			r = run_step_interruptible(b, in, &b->stages[b->cur].st, err);
		}
		if (r < 0)
			return r;
	}
	struct stage *last = &b->stages[b->cur];
	if (b->o->target && (!last->name || strcasecmp(last->name, b->o->target) != 0))
		return husk_fail(err, 0, "--target %s: no stage of that name", b->o->target);
	*final = &last->st;
	return 0;
}

static int commit(struct build *b, struct bstate *st, char id_out[DIGEST_LEN], husk_error **err)
{
	struct store opened;
	if (store_open(b->c->store, true, &opened, err) < 0)
		return -1;
	cleanup_store struct store s = opened;
	size_t n = 0;
	while (b->o->tags && b->o->tags[n])
		n++;
	char **names = calloc(n + 1, sizeof(char *));
	if (!names)
		return husk_fail(err, ENOMEM, "build");
	int r = 0;
	for (size_t i = 0; i < n && r >= 0; i++) {
		r = store_ref_normalize(b->o->tags[i], &names[i], err);
		if (r >= 0 && strchr(names[i], '@'))
			r = husk_fail(err, 0, "-t %s: a digest cannot name a new image", b->o->tags[i]);
	}
	struct image_in in = { .s = &s };
	char cfg[DIGEST_LEN], manifest[DIGEST_LEN];
	if (r >= 0)
		r = image_in_json_blob(&in, st->config, cfg, NULL, err);
	if (r >= 0)
		r = image_in_add(&in, cfg, st->n_blobs, (const char(*)[DIGEST_LEN]) st->blobs, names, n,
				 manifest, err);
	image_in_finish(&in, r >= 0);
	strv_free(names);
	if (r >= 0)
		memcpy(id_out, cfg, DIGEST_LEN);
	return r;
}

static int read_containerfile(struct build *b, husk_error **err)
{
	cleanup_free char *path = NULL, *buf = NULL;
	size_t len = 0;
	if (b->o->file) {
		path = strdup(b->o->file);
	} else {
		const char *name = faccessat(b->ctxfd, "Containerfile", F_OK, 0) == 0 ? "Containerfile"
										   : "Dockerfile";
		if (asprintf(&path, "%s/%s", b->o->context, name) < 0)
			path = NULL;
	}
	if (!path)
		return husk_fail(err, ENOMEM, "build");
	if (read_file_at(AT_FDCWD, path, &buf, &len, err) < 0)
		return -1;
	return containerfile_parse(buf, len, path, &b->cf, err);
}

/* --timestamp, else SOURCE_DATE_EPOCH, else -1. */
static int epoch_of(const struct build_options *o, int64_t *ret, husk_error **err)
{
	*ret = o->timestamp;
	const char *e = getenv("SOURCE_DATE_EPOCH");
	if (o->timestamp >= 0 || !e || !*e)
		return 0;
	char *end;
	errno = 0;
	long long v = strtoll(e, &end, 10);
	if (errno || *end || v < 0)
		return husk_fail(err, 0, "SOURCE_DATE_EPOCH=%s: not a number of seconds", e);
	*ret = v;
	return 0;
}

int build_image(const struct engine_ctx *c, const struct build_options *o,
		char id_out[DIGEST_LEN], husk_error **err)
{
	/* A step's container dies with a signal to husk (see run_step_interruptible). */
	struct engine_ctx steps = *c;
	steps.interrupt_kills = true;
	struct build b = { .c = &steps, .o = o, .out = o->quiet ? NULL : stdout, .ctxfd = -1 };
	build_owner(b.owner);
	size_t removed;
	husk_error *ignored = NULL;
	if (build_leftovers_remove(c, &removed, &ignored) < 0)   /* of a killed build */
		husk_error_free(ignored);
	int r = 0;
	struct stat st;
	if (stat(o->context, &st) < 0)
		return husk_fail(err, errno, "build: context %s", o->context);
	if (!S_ISDIR(st.st_mode))
		return husk_fail(err, ENOTDIR, "build: context %s", o->context);
	if (epoch_of(o, &b.epoch, err) < 0)
		return husk_wrap(err, "build");
	b.ctxfd = open(o->context, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (b.ctxfd < 0)
		return husk_fail(err, errno, "build: context %s", o->context);
	struct bstate *final = NULL;
	if ((r = read_containerfile(&b, err)) >= 0 && (r = ignore_load(b.ctxfd, &b.ign, err)) >= 0 &&
	    (r = run_file(&b, &final, err)) >= 0)
		r = commit(&b, final, id_out, err);
	for (size_t i = 0; i < b.n_stages; i++) {
		bstate_clear(&b.stages[i].st);
		free(b.stages[i].name);
	}
	free(b.stages);
	strv_free(b.args);
	strv_free(b.global_args);
	ignore_free(&b.ign);
	containerfile_free(&b.cf);
	close(b.ctxfd);
	return r < 0 ? husk_wrap(err, "build") : 0;
}
