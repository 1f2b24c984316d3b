/* What attach, top and stats need of an engine container: its directory
 * (where the shim's attach socket is), its flags, its runtime id. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/container.h"
#include "engine/internal.h"
#include "shim/attach_client.h"
#include "util/cleanup.h"
#include "util/json.h"

int engine_attach_open(const struct engine_ctx *c, const char *ref, struct engine_attach *ret,
		       husk_error **err)
{
	cleanup_close int cfd = -1;
	cleanup_json json_object *meta = NULL;
	*ret = (struct engine_attach) { .sock = -1 };
	int r = cdir_open(c->store, &cfd, err);
	if (r < 0 || (r = cdir_resolve(cfd, ref, ret->id, err)) < 0 ||
	    (r = cdir_meta_read(cfd, ret->id, &meta, err)) < 0)
		return r;
	json_object *conf = json_member(meta, "config");
	ret->tty = json_object_get_boolean(json_member(conf, "Tty"));
	ret->open_stdin = json_object_get_boolean(json_member(conf, "OpenStdin"));
	cleanup_close int dfd = openat(cfd, ret->id, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return husk_fail(err, errno, "container %s", ref);
	husk_error *e = NULL;
	if ((r = attach_connect(dfd, &ret->sock, &e)) < 0) {
		/* No shim listens: the container does not run (or its shim
		 * was killed). */
		const char *st = inspect_status(c, ret->id, meta, NULL);
		if (r == -ENOENT || r == -ECONNREFUSED) {
			husk_error_free(e);
			if (!strcmp(st, "running") || !strcmp(st, "paused"))
				return husk_fail(err, ECONNREFUSED, "container %s: is %s, but no shim "
						 "serves its stdio (started without one?)", ref, st);
			return husk_fail(err, 0, "container %s: is not running (%s)", ref, st);
		}
		*err = e;
		return husk_wrap(err, "container %s", ref);
	}
	return 0;
}

int engine_running_id(const struct engine_ctx *c, const char *ref, char id[ENGINE_ID_LEN + 1],
		      int *ret_pid, char **ret_name, husk_error **err)
{
	cleanup_close int cfd = -1;
	cleanup_json json_object *meta = NULL;
	int r = cdir_open(c->store, &cfd, err);
	if (r < 0 || (r = cdir_resolve(cfd, ref, id, err)) < 0 ||
	    (r = cdir_meta_read(cfd, id, &meta, err)) < 0)
		return r;
	int pid = 0;
	const char *st = inspect_status(c, id, meta, &pid);
	if (strcmp(st, "running") && strcmp(st, "paused"))
		return husk_fail(err, 0, "container %s: is not running (%s)", ref, st);
	if (ret_pid)
		*ret_pid = pid;
	if (ret_name) {
		const char *name = json_object_get_string(json_member(meta, "name"));
		if (!(*ret_name = strdup(name ? name : "")))
			return husk_fail(err, ENOMEM, "container %s", ref);
	}
	return 0;
}

/* exec -d: the process's stdio is /dev/null (docker's exec -d), husk's own
 * stderr kept for its error line. */
int engine_exec_detached(const struct engine_ctx *c, const char *ref, char **argv,
			 husk_error **err)
{
	char id[ENGINE_ID_LEN + 1];
	int r = engine_running_id(c, ref, id, NULL, NULL, err);
	if (r < 0)
		return r;
	cleanup_close int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	cleanup_close int saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (null < 0 || saved < 0)
		return husk_fail(err, errno, "exec -d: /dev/null");
	dup2(null, STDIN_FILENO);
	dup2(null, STDOUT_FILENO);
	dup2(null, STDERR_FILENO);
	char cache[PATH_MAX];
	struct exec_options o = { .root = c->root, .id = id, .argv = argv, .detach = true,
				  .seccomp_cache = engine_seccomp_cache(c, cache, sizeof(cache)) };
	int status = 0;
	r = container_exec(&o, &status, err);
	dup2(saved, STDERR_FILENO);
	return r;
}
