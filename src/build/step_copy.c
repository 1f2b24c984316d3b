/* COPY and ADD steps: sources hashed for the cache key, then copied into a
 * container's root (or, on an image with no layers yet, a directory of
 * its own) whose changes become the layer. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "build/build_internal.h"
#include "build/copy.h"
#include "engine/internal.h"   /* user_resolve: --chown names, as USER's */
#include "image/digest.h"
#include "image/store_internal.h"   /* store_remove_tree_at */
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

static size_t count(char **w)
{
	size_t n = 0;
	while (w && w[n])
		n++;
	return n;
}

static bool is_url(const char *s)
{
	return strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0 ||
	       strncasecmp(s, "git@", 4) == 0;
}

static int check_words(struct build *b, const struct instr *in, char **words, husk_error **err)
{
	size_t n = count(words);
	if (n < 2)
		return husk_fail(err, 0, "%s:%d: %s needs a source and a destination", b->cf.path,
				 in->line, in->keyword);
	for (size_t i = 0; i + 1 < n; i++)
		if (is_url(words[i]))
			return husk_fail(err, ENOTSUP, "%s:%d: %s %s: URLs are not fetched by husk build "
					 "(download it into the context, or with curl in a RUN)",
					 b->cf.path, in->line, in->keyword, words[i]);
	if (n > 2 && words[n - 1][strlen(words[n - 1]) - 1] != '/')
		return husk_fail(err, 0, "%s:%d: %s of more than one source: the destination must "
				 "end with /", b->cf.path, in->line, in->keyword);
	return 0;
}

/* The source words that are here-documents ("<<EOF", "<<-'EOF'"): how
 * many; a mix with other sources is refused. */
static int heredoc_count(struct build *b, const struct instr *in, char **words, size_t n,
			 husk_error **err)
{
	size_t docs = 0, k = 0;
	while (in->heredocs[k])
		k++;
	for (size_t i = 0; i + 1 < n; i++)
		docs += strncmp(words[i], "<<", 2) == 0;
	if (docs && docs != n - 1)
		return husk_fail(err, 0, "%s:%d: %s: here-documents and files as sources at once",
				 b->cf.path, in->line, in->keyword);
	if (docs != k)
		return husk_fail(err, 0, "%s:%d: %s: %zu here-documents for %zu sources", b->cf.path,
				 in->line, in->keyword, k, docs);
	return (int) docs;
}

int step_copy_key(struct build *b, const struct instr *in, struct bstate *st, char **words,
		  char extra[DIGEST_LEN], husk_error **err)
{
	(void) st;
	if (check_words(b, in, words, err) < 0)
		return -1;
	const char *from = instr_flag(in, "from");
	int docs = heredoc_count(b, in, words, count(words), err);
	if (docs < 0)
		return -1;
	if (docs)
		return 0;   /* the documents are in the step's text, its key */
	if (from) {
		struct bstate fs = { 0 };
		if (step_from_ref(b, from, &fs, err) < 0)
			return husk_wrap(err, "%s:%d: %s --from=%s", b->cf.path, in->line, in->keyword, from);
		memcpy(extra, fs.key, DIGEST_LEN);
		bstate_clear(&fs);
		return 0;
	}
	struct copy_src src = { .rootfd = b->ctxfd, .ign = &b->ign, .context = true };
	char **paths = NULL;
	size_t n = count(words);
	char *last = words[n - 1];
	words[n - 1] = NULL;
	int r = copy_sources(&src, words, n - 1, &paths, err);
	words[n - 1] = last;
	if (r < 0)
		return husk_wrap(err, "%s:%d: %s", b->cf.path, in->line, in->keyword);
	cleanup_sha256 struct sha256_ctx *h = sha256_new();
	if (!h)
		r = husk_fail(err, ENOMEM, "COPY");
	else
		r = copy_hash(&src, paths, h, err);
	for (char **p = paths; *p; p++)
		free(*p);
	free(paths);
	if (r < 0)
		return husk_wrap(err, "%s:%d: %s", b->cf.path, in->line, in->keyword);
	sha256_finish(h, extra);
	h = NULL;
	return 0;
}

static int chown_ids(const char *spec, int rootfd, struct copy_opts *o, husk_error **err)
{
	struct user_ids u;
	if (user_resolve(rootfd, spec, &u, err) < 0)
		return -1;
	o->chown = true;
	o->uid = u.uid;
	o->gid = u.gid;
	user_ids_free(&u);
	return 0;
}

/* dest made absolute against WORKDIR, a trailing / kept. */
static char *dest_path(struct bstate *st, const char *dest)
{
	json_object *wd = json_member(bstate_section(st), "WorkingDir");
	const char *base = wd && *json_object_get_string(wd) ? json_object_get_string(wd) : "/";
	char *out = NULL;
	if (*dest == '/')
		return strdup(dest);
	if (asprintf(&out, "%s%s%s", base, base[strlen(base) - 1] == '/' ? "" : "/",
		     strcmp(dest, ".") == 0 ? "" : dest) < 0)
		return NULL;
	return out;
}

struct target {
	char id[65];           /* the container, or "" */
	char *root;            /* its rootfs, or the directory */
	char *changes;         /* its upper dir, or the directory */
};

static void target_clear(struct build *b, struct target *t)
{
	if (t->id[0])
		step_container_rm(b, t->id);
	else if (t->root) {
		/* a directory of our own under STORE/tmp */
		char tmp[4200];
		snprintf(tmp, sizeof(tmp), "%s/tmp", b->c->store);
		int fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			store_remove_tree_at(fd, strrchr(t->root, '/') + 1);
			close(fd);
		}
	}
	free(t->root);
	free(t->changes);
	*t = (struct target) { 0 };
}

/* A directory of our own under STORE/tmp (named as the store's temporary
 * files, so a killed husk's is removed by the next store_open). */
static int target_tmpdir(struct build *b, struct target *t, husk_error **err)
{
	if (asprintf(&t->root, "%s/tmp/%d.build.XXXXXX", b->c->store, (int) getpid()) < 0) {
		t->root = NULL;
		return husk_fail(err, ENOMEM, "COPY");
	}
	if (!mkdtemp(t->root)) {
		int e = errno;
		free(t->root);
		t->root = NULL;
		return husk_fail(err, e, "COPY: a directory under %s/tmp", b->c->store);
	}
	chmod(t->root, 0755);
	t->changes = strdup(t->root);
	return t->changes ? 0 : husk_fail(err, ENOMEM, "COPY");
}

static int target_open(struct build *b, struct bstate *st, struct target *t, husk_error **err)
{
	*t = (struct target) { 0 };
	json_object *rootfs = json_member(st->config, "rootfs");
	json_object *ids = rootfs ? json_member(rootfs, "diff_ids") : NULL;
	if (ids && json_object_array_length(ids) > 0) {
		if (step_container(b, st, t->id, &t->root, err) < 0)
			return -1;
		if (asprintf(&t->changes, "%s/containers/%s/upper", b->c->store, t->id) < 0)
			return husk_fail(err, ENOMEM, "COPY");
		return 0;
	}
	/* Nothing below (scratch): the files go straight into a directory. */
	return target_tmpdir(b, t, err);
}

/* The documents as files of a directory (t), words renamed to them: mode
 * 0644, owned by root, the build's time as mtime. */
static int heredoc_sources(struct build *b, const struct instr *in, char **words, size_t n,
			   struct target *t, int *fd, husk_error **err)
{
	if (target_tmpdir(b, t, err) < 0 ||
	    (*fd = open(t->root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return t->root ? husk_fail(err, errno, "open %s", t->root) : -1;
	struct timespec when[2] = { { .tv_sec = b->epoch >= 0 ? b->epoch : time(NULL) } };
	when[1] = when[0];
	for (size_t i = 0; i + 1 < n; i++) {
		const char *w = words[i] + 2;
		w += *w == '-';
		char *name = strndup(w + (*w == '"' || *w == '\''), strcspn(w + (*w == '"' || *w == '\''), "\"'"));
		if (!name)
			return husk_fail(err, ENOMEM, "COPY");
		free(words[i]);
		words[i] = name;
		const char *body = in->heredocs[i];
		if (write_file_at(*fd, name, body, strlen(body), 0644, err) < 0)
			return -1;
		utimensat(*fd, name, when, AT_SYMLINK_NOFOLLOW);
	}
	return 0;
}

int step_copy(struct build *b, const struct instr *in, struct bstate *st, char **words,
	      const char *desc, husk_error **err)
{
	struct copy_opts o = { .what = in->keyword, .unpack = in->kind == I_ADD };
	struct copy_src src = { .rootfd = b->ctxfd, .ign = &b->ign, .context = true };
	struct target from = { 0 }, to = { 0 };
	cleanup_close int from_fd = -1, to_fd = -1;
	char **paths = NULL;
	size_t n = count(words);
	int r = 0;
	const char *from_ref = instr_flag(in, "from"), *chown = instr_flag(in, "chown");
	int docs = heredoc_count(b, in, words, n, err);
	if (docs < 0) {
		r = -1;
	} else if (docs) {
		r = heredoc_sources(b, in, words, n, &from, &from_fd, err);
		src = (struct copy_src) { .rootfd = from_fd };
		o.unpack = false;
	} else if (from_ref) {
		struct bstate fs = { 0 };
		r = step_from_ref(b, from_ref, &fs, err);
		if (r >= 0)
			r = target_open(b, &fs, &from, err);
		bstate_clear(&fs);
		if (r >= 0 && (from_fd = open(from.root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
			r = husk_fail(err, errno, "open %s", from.root);
		src = (struct copy_src) { .rootfd = from_fd };
		o.keep_owner = true;
		o.unpack = false;
	}
	if (r >= 0)
		r = target_open(b, st, &to, err);
	if (r >= 0 && (to_fd = open(to.root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		r = husk_fail(err, errno, "open %s", to.root);
	if (r >= 0 && chown)
		r = chown_ids(chown, to_fd, &o, err);
	if (r >= 0) {
		char *last = words[n - 1];
		words[n - 1] = NULL;
		r = copy_sources(&src, words, n - 1, &paths, err);
		words[n - 1] = last;
	}
	cleanup_free char *dest = r >= 0 ? dest_path(st, words[n - 1]) : NULL;
	if (r >= 0 && !dest)
		r = husk_fail(err, ENOMEM, "COPY");
	if (r >= 0)
		r = copy_run(&src, paths, to_fd, dest, &o, err);
	if (r >= 0)
		r = step_commit_dir(b, st, to.changes, false, desc, err);
	if (r < 0)
		husk_wrap(err, "%s:%d: %s", b->cf.path, in->line, in->keyword);
	for (char **p = paths; p && *p; p++)
		free(*p);
	free(paths);
	/* open fds keep the overlays busy: closed before their unmount */
	closep(&from_fd);
	closep(&to_fd);
	target_clear(b, &from);
	target_clear(b, &to);
	return r;
}
