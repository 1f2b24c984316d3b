/* `container inspect` and `ls`: docker's shape, from meta.json and, while
 * the container runs, the runtime state. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/container.h"
#include "engine/internal.h"
#include "util/cleanup.h"
#include "util/json.h"

const char *inspect_status(const struct engine_ctx *c, const char *id, json_object *meta,
			   int *ret_pid)
{
	json_object *st = NULL;
	husk_error *e = NULL;
	const char *recorded = json_object_get_string(json_member(json_member(meta, "state"), "status"));
	const char *s = recorded ? recorded : "created";
	if (ret_pid)
		*ret_pid = 0;
	if (container_state(c->root, id, &st, &e) >= 0) {
		const char *rs = json_object_get_string(json_member(st, "status"));
		if (rs && (!strcmp(rs, "running") || !strcmp(rs, "paused"))) {
			s = !strcmp(rs, "running") ? "running" : "paused";
			if (ret_pid)
				*ret_pid = json_object_get_int(json_member(st, "pid"));
		} else if (rs && !strcmp(rs, "stopped")) {
			s = "exited";
		}
	} else if (!strcmp(s, "running")) {
		s = "exited";   /* its husk was killed before it recorded the end */
	} else if (!strcmp(s, "restarting")) {
		/* Only while its shim waits to start it again. */
		char *cdir = cdir_path(c->store, id, NULL);
		if (!cdir || !lifecycle_runner_alive(cdir))
			s = "exited";
		free(cdir);
	}
	json_object_put(st);
	husk_error_free(e);
	return s;
}

static json_object *str(json_object *v)
{
	return v ? json_object_get(v) : json_object_new_string("");
}

/* docker's NetworkSettings: the addresses of the husk networks the
 * container is on now (its net.json), its published ports. */
static json_object *network_settings(const char *cdir, json_object *meta)
{
	json_object *ns = json_object_new_object(), *nets = json_object_new_object();
	cleanup_json json_object *rec = NULL;
	network_bridge_record(cdir, &rec);
	json_object *list = json_member(rec, "networks");
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		json_object *n = json_object_array_get_idx(list, i), *one = json_object_new_object();
		json_object_object_add(one, "IPAddress", str(json_member(n, "ip")));
		json_object_object_add(one, "IPPrefixLen", json_object_new_int(
						json_object_get_int(json_member(n, "prefix"))));
		json_object_object_add(one, "Gateway", str(json_member(n, "gateway")));
		json_object_object_add(one, "GlobalIPv6Address", str(json_member(n, "ip6")));
		if (i == 0)
			json_object_object_add(ns, "IPAddress", str(json_member(n, "ip")));
		json_object_object_add(nets, json_object_get_string(json_member(n, "name")), one);
	}
	if (!json_member(ns, "IPAddress"))
		json_object_object_add(ns, "IPAddress", json_object_new_string(""));
	json_object_object_add(ns, "Networks", nets);
	json_object *pm = json_member(json_member(meta, "hostConfig"), "PortMappings");
	json_object_object_add(ns, "Ports", pm ? json_object_get(pm) : json_object_new_array());
	return ns;
}

int inspect_object(const struct engine_ctx *c, int cfd, const char *id, json_object **ret,
		   husk_error **err)
{
	cleanup_json json_object *meta = NULL;
	int r = cdir_meta_read(cfd, id, &meta, err);
	if (r < 0)
		return r;
	int pid;
	const char *status = inspect_status(c, id, meta, &pid);
	json_object *o = json_object_new_object(), *st = json_object_new_object();
	json_object *ms = json_member(meta, "state"), *conf = json_member(meta, "config");
	json_object_object_add(o, "Id", json_object_new_string(id));
	json_object_object_add(o, "Created", str(json_member(meta, "created")));
	json_object *args = json_object_new_array();
	json_object *entry = conf ? json_member(conf, "Entrypoint") : NULL;
	json_object *cmd = conf ? json_member(conf, "Cmd") : NULL;
	for (size_t i = 0; entry && i < json_object_array_length(entry); i++)
		json_object_array_add(args, json_object_get(json_object_array_get_idx(entry, i)));
	for (size_t i = 0; cmd && i < json_object_array_length(cmd); i++)
		json_object_array_add(args, json_object_get(json_object_array_get_idx(cmd, i)));
	json_object_object_add(o, "Path", json_object_array_length(args) ?
				json_object_get(json_object_array_get_idx(args, 0)) : json_object_new_string(""));
	if (json_object_array_length(args))
		json_object_array_del_idx(args, 0, 1);
	json_object_object_add(o, "Args", args);
	json_object_object_add(st, "Status", json_object_new_string(status));
	json_object_object_add(st, "Running", json_object_new_boolean(!strcmp(status, "running")));
	json_object_object_add(st, "Paused", json_object_new_boolean(!strcmp(status, "paused")));
	json_object_object_add(st, "Pid", json_object_new_int(pid));
	json_object_object_add(st, "ExitCode", json_object_new_int(
		strcmp(status, "exited") ? 0 : json_object_get_int(json_member(ms, "exitCode"))));
	json_object_object_add(st, "OOMKilled", json_object_new_boolean(
		json_object_get_boolean(json_member(ms, "oomKilled"))));
	json_object_object_add(st, "Error", str(json_member(ms, "error")));
	json_object_object_add(st, "StartedAt", str(json_member(ms, "startedAt")));
	json_object_object_add(st, "FinishedAt", str(json_member(ms, "finishedAt")));
	json_object_object_add(o, "State", st);
	json_object_object_add(o, "Image", str(json_member(meta, "imageId")));
	cleanup_free char *name = NULL;
	if (asprintf(&name, "/%s", json_object_get_string(json_member(meta, "name"))) < 0) {
		json_object_put(o);
		return husk_fail(err, ENOMEM, "inspect");
	}
	json_object_object_add(o, "Name", json_object_new_string(name));
	json_object_object_add(o, "Driver", json_object_new_string("overlay"));
	cleanup_free char *resolv = cdir_path(c->store, id, "resolv.conf");
	json_object_object_add(o, "ResolvConfPath", json_object_new_string(resolv));
	json_object *graph = json_object_new_object(), *gd = json_object_new_object();
	cleanup_free char *upper = cdir_path(c->store, id, "upper");
	cleanup_free char *merged = cdir_path(c->store, id, "rootfs");
	cleanup_free char *work = cdir_path(c->store, id, "work");
	json_object_object_add(gd, "UpperDir", json_object_new_string(upper));
	json_object_object_add(gd, "MergedDir", json_object_new_string(merged));
	json_object_object_add(gd, "WorkDir", json_object_new_string(work));
	json_object_object_add(graph, "Name", json_object_new_string("overlay"));
	json_object_object_add(graph, "Data", gd);
	json_object_object_add(o, "GraphDriver", graph);
	json_object_object_add(o, "Mounts", json_member(meta, "mounts") ?
				json_object_get(json_member(meta, "mounts")) : json_object_new_array());
	json_object_object_add(o, "Config", conf ? json_object_get(conf) : json_object_new_object());
	json_object_object_add(o, "HostConfig", json_member(meta, "hostConfig") ?
				json_object_get(json_member(meta, "hostConfig")) : json_object_new_object());
	cleanup_free char *cdir = cdir_path(c->store, id, NULL);
	json_object_object_add(o, "NetworkSettings", network_settings(cdir, meta));
	*ret = o;
	return 0;
}

int engine_inspect(const struct engine_ctx *c, const char *ref, json_object **ret,
		   husk_error **err)
{
	cleanup_close int cfd = -1;
	char id[ENGINE_ID_LEN + 1];
	int r = cdir_open(c->store, &cfd, err);
	if (r < 0 || (r = cdir_resolve(cfd, ref, id, err)) < 0)
		return r;
	return inspect_object(c, cfd, id, ret, err);
}

static int by_created(const void *a, const void *b)
{
	json_object *x = *(json_object *const *) a, *y = *(json_object *const *) b;
	return -strcmp(json_object_get_string(json_member(x, "Created")),
		       json_object_get_string(json_member(y, "Created")));
}

int engine_list(const struct engine_ctx *c, json_object **ret, husk_error **err)
{
	cleanup_close int cfd = -1;
	int r = cdir_open(c->store, &cfd, err);
	if (r < 0)
		return r;
	int dfd = openat(cfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_closedir DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return husk_fail(err, errno, "read containers");
	}
	json_object *list = json_object_new_array();
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, ".rm-", 4) == 0) {
			/* A removal that was interrupted: finish it. */
			char id[ENGINE_ID_LEN + 1];
			husk_error *skip = NULL;
			snprintf(id, sizeof(id), "%s", e->d_name + 4);
			cdir_remove(cfd, id, &skip);
			husk_error_free(skip);
			continue;
		}
		if (strlen(e->d_name) != ENGINE_ID_LEN)
			continue;
		json_object *o;
		husk_error *skip = NULL;
		/* A container being made or removed has no meta.json yet. */
		if (inspect_object(c, cfd, e->d_name, &o, &skip) < 0) {
			husk_error_free(skip);
			continue;
		}
		json_object_array_add(list, o);
	}
	json_object_array_sort(list, by_created);
	*ret = list;
	return 0;
}
