#include "core/criu_common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "linux/mount_options.h"
#include "linux/path.h"
#include "util/cleanup.h"

static int open_dir(const char *path, bool create, const char *what, husk_error **err)
{
	if (create && mkdir(path, 0700) < 0 && errno != EEXIST)
		return husk_fail(err, errno, "%s %s", what, path);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return husk_fail(err, errno, "%s %s", what, path);
	return fd;
}

static int cg_mode(const char *name, enum criu_cg_mode *ret, husk_error **err)
{
	static const struct { const char *name; enum criu_cg_mode mode; } modes[] = {
		{ "soft", CRIU_CG_MODE_SOFT }, { "full", CRIU_CG_MODE_FULL },
		{ "strict", CRIU_CG_MODE_STRICT }, { "ignore", CRIU_CG_MODE_IGNORE },
	};
	*ret = CRIU_CG_MODE_DEFAULT;
	if (name == NULL || *name == '\0')
		return 0;
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(name, modes[i].name) == 0) {
			*ret = modes[i].mode;
			return 0;
		}
	return husk_fail(err, 0, "--manage-cgroups-mode: \"%s\" is not soft, full, strict or ignore", name);
}

int criu_session_open(struct criu_session *s, const struct criu_options *o, bool create,
		      const char *log_name, husk_error **err)
{
	*s = (struct criu_session) { .image_fd = -1, .work_fd = -1, .log_name = log_name };
	const char *image = o->image_path && *o->image_path ? o->image_path : "checkpoint";
	enum criu_cg_mode mode;
	int r;
	if ((r = cg_mode(o->manage_cgroups_mode, &mode, err)) < 0)
		return r;
	if ((s->image_fd = open_dir(image, create, "image path", err)) < 0)
		return s->image_fd;
	s->log_dir = image;
	if (o->work_path && *o->work_path) {
		/* A work path is made by restore too: CRIU writes its log there. */
		if ((s->work_fd = open_dir(o->work_path, true, "work path", err)) < 0)
			return s->work_fd;
		s->log_dir = o->work_path;
	}
	if ((r = criu_lib_load(&s->lib, err)) < 0)
		return r;
	if (s->lib.local_init_opts(&s->opts) < 0)
		return husk_fail(err, ENOMEM, "criu options");
	const struct criu_lib *l = &s->lib;
	if (o->criu_path && l->local_set_service_binary(s->opts, o->criu_path) < 0)
		return husk_fail(err, ENOMEM, "criu options");
	l->local_set_images_dir_fd(s->opts, s->image_fd);
	if (s->work_fd >= 0)
		l->local_set_work_dir_fd(s->opts, s->work_fd);
	l->local_set_log_level(s->opts, CRIU_LOG_DEBUG);
	if (l->local_set_log_file(s->opts, log_name) < 0)
		return husk_fail(err, ENOMEM, "criu options");
	l->local_set_manage_cgroups(s->opts, true);
	if (mode != CRIU_CG_MODE_DEFAULT)
		l->local_set_manage_cgroups_mode(s->opts, mode);
	l->local_set_tcp_established(s->opts, o->tcp_established);
	l->local_set_file_locks(s->opts, o->file_locks);
	l->local_set_ext_unix_sk(s->opts, o->ext_unix_sk);
	l->local_set_shell_job(s->opts, o->shell_job);
	/* A container's terminal: its master is not in the container. */
	l->local_set_orphan_pts_master(s->opts, true);
	return 0;
}

void criu_session_close(struct criu_session *s)
{
	if (s->opts)
		s->lib.local_free_opts(s->opts);
	s->opts = NULL;
	closep(&s->image_fd);
	closep(&s->work_fd);
}

static int add_ext(struct criu_session *s, const char *key, const char *val, husk_error **err)
{
	if (s->lib.local_add_ext_mount(s->opts, key, val) < 0)
		return husk_fail(err, ENOMEM, "criu external mount %s", key);
	return 0;
}

static bool is_bind(const struct spec_mount *m, husk_error **err)
{
	if (m->type && strcmp(m->type, "bind") == 0)
		return true;
	struct mount_options mo;
	if (mount_options_parse(m->options, &mo, err) < 0)
		return false;
	free(mo.data);
	return mo.bind;
}

struct cgroup_ext {
	struct criu_session *s;
	const char *dest, *cgroup_path;
	bool restore;
	husk_error **err;
};

static int add_hierarchy(const char *name, void *ctx)
{
	struct cgroup_ext *c = ctx;
	char key[1200], host[1400];
	snprintf(key, sizeof(key), "%s/%s", c->dest, name);
	snprintf(host, sizeof(host), "/sys/fs/cgroup/%s%s", name, c->cgroup_path);
	return add_ext(c->s, key, c->restore ? host : key, c->err);
}

/* husk binds the container's own cgroup from the host (linux/mounts.c):
 * each hierarchy under a tmpfs on cgroup v1, the cgroup2 directory on v2
 * without a cgroup namespace.  Those binds are external to CRIU. */
static int add_cgroup_mount(struct criu_session *s, const struct spec *spec,
			    const struct spec_mount *m, const char *cgroup_path, bool restore,
			    husk_error **err)
{
	struct statfs sf;
	bool v2 = statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
	if (v2 && spec->namespaces[NS_CGROUP].present)
		return 0;   /* a cgroup2 mount of its own: CRIU mounts it again */
	if (v2) {
		char host[1200];
		snprintf(host, sizeof(host), "/sys/fs/cgroup%s", cgroup_path);
		return add_ext(s, m->destination, restore ? host : m->destination, err);
	}
	struct cgroup_ext c = { s, m->destination, cgroup_path, restore, err };
	int r = cgroup_v1_hierarchies(add_hierarchy, &c);
	return r < 0 && !*err ? husk_fail(err, -r, "list cgroup hierarchies") : r;
}

/* Masked files are covered with the host's /dev/null, which the images
 * name "/dev/null"; masked directories are read-only tmpfs mounts of the
 * container's own, which CRIU dumps and mounts again (runc does the same). */
static int add_masked(struct criu_session *s, const struct spec *spec, pid_t dump_pid,
		      husk_error **err)
{
	if (spec->masked_paths == NULL || spec->masked_paths[0] == NULL)
		return 0;
	if (dump_pid == 0)
		return add_ext(s, "/dev/null", "/dev/null", err);
	char root[64];
	snprintf(root, sizeof(root), "/proc/%d/root", (int) dump_pid);
	cleanup_close int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return husk_fail(err, errno, "open %s", root);
	for (const char **p = spec->masked_paths; *p; p++) {
		cleanup_close int fd = in_root_open(rootfd, *p, 0, NULL);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) < 0 || S_ISDIR(st.st_mode))
			continue;   /* not there (nothing masked) or a directory */
		if (add_ext(s, *p, "/dev/null", err) < 0)
			return -1;
	}
	return 0;
}

int criu_add_ext_mounts(struct criu_session *s, const struct spec *spec, const char *bundle,
			const char *cgroup_path, pid_t dump_pid, husk_error **err)
{
	bool restore = dump_pid == 0;
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct spec_mount *m = &spec->mounts[i];
		if (m->type && strcmp(m->type, "cgroup") == 0 && !is_bind(m, err)) {
			if (!*err && add_cgroup_mount(s, spec, m, cgroup_path, restore, err) < 0)
				return -1;
			if (*err)
				return -1;
			continue;
		}
		if (!is_bind(m, err)) {
			if (*err)
				return -1;
			continue;
		}
		cleanup_free char *src = NULL;
		const char *val = m->destination;
		if (restore) {
			if (m->source && m->source[0] != '/' &&
			    asprintf(&src, "%s/%s", bundle, m->source) < 0)
				return husk_fail(err, ENOMEM, "mounts");
			val = src ? src : m->source;
		}
		if (add_ext(s, m->destination, val, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < spec->n_devices; i++)
		if (add_ext(s, spec->devices[i].path, spec->devices[i].path, err) < 0)
			return -1;
	return add_masked(s, spec, dump_pid, err);
}

/* The last line of CRIU's log that says "Error", without its time stamp,
 * passing over the summaries that follow the cause ("Dumping FAILED.",
 * a helper's "exited, status=1"). */
static char *last_error(struct criu_session *s)
{
	int dfd = s->work_fd >= 0 ? s->work_fd : s->image_fd;
	int fd = openat(dfd, s->log_name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	cleanup_fclose FILE *f = fdopen(fd, "r");
	if (f == NULL) {
		close(fd);
		return NULL;
	}
	char *line = NULL, *found = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		if (strstr(line, "Error") == NULL || (found && (strstr(line, "FAILED") ||
							strstr(line, "exited, status="))))
			continue;
		line[strcspn(line, "\n")] = '\0';
		const char *text = line;
		if (text[0] == '(' && strchr(text, ')'))   /* "(00.012345) " */
			text = strchr(text, ')') + 1;
		while (*text == ' ')
			text++;
		free(found);
		found = strdup(text);
	}
	free(line);
	return found;
}

int criu_fail(struct criu_session *s, int r, const char *what, husk_error **err)
{
	cleanup_free char *why = last_error(s);
	if (why)
		return husk_fail(err, 0, "criu %s failed: %s (log: %s/%s)", what, why, s->log_dir,
				 s->log_name);
	return husk_fail(err, r < 0 && r != -EBADE ? -r : 0,
			 "criu %s failed (is criu installed? log: %s/%s)", what, s->log_dir, s->log_name);
}
