/* --network cni:NAME: the container's network made by a CNI network
 * configuration list (src/cni/).  The runtime makes the container's network
 * namespace; between its create and its start (the core's created hook)
 * the namespace is pinned by a bind mount at ROOT/~netns/<id> and the
 * list's ADD runs against that path.  What DEL needs later (the list as it
 * was, the plugin dir, the path, the result) is recorded in the container's
 * cni.json before ADD runs, so a husk killed mid-ADD leaves enough for
 * `rm -f` to undo it.  The network is taken down (DEL) when the container
 * ends, and by rm for whatever a crash left. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cni/cni.h"
#include "engine/internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"

#define RECORD "cni.json"

const char *network_cni_name(json_object *meta)
{
	const char *mode = json_object_get_string(json_member(json_member(meta, "hostConfig"),
							      "NetworkMode"));
	return mode && strncmp(mode, "cni:", 4) == 0 ? mode + 4 : NULL;
}

int network_cni_prepare(const struct engine_ctx *c, const struct engine_flags *f,
			json_object *meta, husk_error **err)
{
	const char *net = f->network && strncmp(f->network, "cni:", 4) == 0 ? f->network + 4 : NULL;
	if (!net) {
		if (f->publish && f->publish[0])
			return husk_fail(err, 0, "-p %s: needs a network of the container's own "
					 "(--network NAME or cni:NAME)", f->publish[0]);
		return 0;
	}
	cleanup_json json_object *list = NULL, *ports = NULL;
	if (cni_list_find(c->cni_config_dir, net, &list, err) < 0 ||
	    ports_parse(f->publish, &ports, err) < 0)
		return -1;
	json_object_object_add(json_member(meta, "hostConfig"), "PortMappings",
			       json_object_get(ports));
	return 0;
}

/* ROOT/~netns/<id>: '~' keeps it out of the runtime's list of containers. */
static char *pin_path(const char *root, const char *id)
{
	char abs[PATH_MAX];
	if (!realpath(root, abs))
		snprintf(abs, sizeof(abs), "%s", root);
	char *p = NULL;
	return asprintf(&p, "%s/~netns/%s", abs, id) < 0 ? NULL : p;
}

static int pin(const char *path, pid_t pid, husk_error **err)
{
	cleanup_free char *dir = strdup(path);
	if (!dir)
		return husk_fail(err, ENOMEM, "netns");
	*strrchr(dir, '/') = '\0';
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return husk_fail(err, errno, "mkdir %s", dir);
	int fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return husk_fail(err, errno, "create %s", path);
	close(fd);
	char src[64];
	snprintf(src, sizeof(src), "/proc/%d/ns/net", (int) pid);
	if (mount(src, path, NULL, MS_BIND, NULL) < 0) {
		int e = errno;
		unlink(path);
		return husk_fail(err, e, "pin the network namespace at %s", path);
	}
	return 0;
}

static void unpin(const char *path)
{
	/* Under a bind there may be another (a pin made twice): all go. */
	while (umount2(path, MNT_DETACH) == 0)
		;
	unlink(path);
}

static int record_write(const char *cdir, json_object *rec, husk_error **err)
{
	return cdir_write_json(cdir, RECORD, rec, err);
}

static int record_read(const char *cdir, json_object **ret, husk_error **err)
{
	cleanup_close int dfd = open(cdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	cleanup_free char *text = NULL;
	size_t len;
	*ret = NULL;
	if (dfd < 0)
		return husk_fail(err, errno, "open %s", cdir);
	if (faccessat(dfd, RECORD, F_OK, 0) < 0)
		return 0;
	if (read_file_at(dfd, RECORD, &text, &len, err) < 0 || json_parse_text(text, len, ret, err) < 0)
		return husk_wrap(err, "%s/%s", cdir, RECORD);
	return 1;
}

static void record_remove(const char *cdir)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", cdir, RECORD);
	unlink(path);
}

static struct cni_runtime runtime_of(const struct engine_ctx *c, json_object *rec, const char *id)
{
	return (struct cni_runtime) {
		.plugin_dir = json_object_get_string(json_member(rec, "pluginDir")),
		.container_id = id,
		.netns = json_object_get_string(json_member(rec, "netns")),
		.ifname = json_object_get_string(json_member(rec, "ifname")),
		.port_mappings = json_member(rec, "portMappings"),
		.timeout_ms = c->cni_timeout_ms,
	};
}

/* The container's /etc/hosts names it by its address on the network (the
 * file is bind-mounted already: rewritten in place). */
static int hosts_write(const char *cdir, json_object *meta, json_object *result, husk_error **err)
{
	char addr[64];
	if (!cni_result_address(result, addr, sizeof(addr)))
		return 0;
	const char *hn = json_object_get_string(json_member(json_member(meta, "config"),
							    "Hostname"));
	const char *name = json_object_get_string(json_member(meta, "name"));
	cleanup_free char *hosts = NULL;
	if (asprintf(&hosts, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
			     "%s\t%s%s%s\n", addr, hn ? hn : "", name ? " " : "", name ? name : "") < 0)
		return husk_fail(err, ENOMEM, "hosts");
	cleanup_close int dfd = open(cdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return husk_fail(err, errno, "open %s", cdir);
	return write_file_at(dfd, "hosts", hosts, strlen(hosts), 0644, err);
}

int network_cni_created(void *arg, pid_t pid, husk_error **err)
{
	struct network_start *s = arg;
	const char *net = network_cni_name(s->meta);
	if (!net)
		return 0;
	cleanup_json json_object *list = NULL, *rec = json_object_new_object(), *result = NULL;
	cleanup_free char *netns = pin_path(s->c->root, s->id);
	if (!netns)
		return husk_fail(err, ENOMEM, "netns");
	if (cni_list_find(s->c->cni_config_dir, net, &list, err) < 0)
		return -1;
	json_object *ports = json_member(json_member(s->meta, "hostConfig"), "PortMappings");
	json_object_object_add(rec, "network", json_object_new_string(net));
	json_object_object_add(rec, "list", json_object_get(list));
	json_object_object_add(rec, "pluginDir", json_object_new_string(s->c->cni_plugin_dir));
	json_object_object_add(rec, "netns", json_object_new_string(netns));
	json_object_object_add(rec, "ifname", json_object_new_string("eth0"));
	if (ports && json_object_array_length(ports) > 0)
		json_object_object_add(rec, "portMappings", json_object_get(ports));
	if (pin(netns, pid, err) < 0)
		return -1;
	if (record_write(s->cdir, rec, err) < 0) {
		unpin(netns);
		return -1;
	}
	struct cni_runtime rt = runtime_of(s->c, rec, s->id);
	if (cni_add(list, &rt, &result, err) < 0) {
		/* cni_add has run DEL of what it added. */
		record_remove(s->cdir);
		unpin(netns);
		return husk_wrap(err, "CNI network %s", net);
	}
	json_object_object_add(rec, "result", json_object_get(result));
	int r = record_write(s->cdir, rec, err);
	if (r >= 0)
		r = hosts_write(s->cdir, s->meta, result, err);
	if (r < 0) {
		husk_error *ignored = NULL;
		cni_del(list, &rt, result, &ignored);
		husk_error_free(ignored);
		record_remove(s->cdir);
		unpin(netns);
		return r;
	}
	log_debug("CNI network %s: added", net);
	return 0;
}

int network_cni_teardown(const struct engine_ctx *c, const char *id, const char *cdir,
			 bool force, husk_error **err)
{
	cleanup_json json_object *rec = NULL;
	int r = record_read(cdir, &rec, err);
	cleanup_free char *netns = pin_path(c->root, id);
	if (r < 0 && !force)
		return r;
	if (r > 0) {
		struct cni_runtime rt = runtime_of(c, rec, id);
		json_object *list = json_member(rec, "list");
		const char *net = json_object_get_string(json_member(rec, "network"));
		/* The spec: DEL with the list the ADD ran with; checked again, as
		 * the record is a file like any other. */
		cleanup_json json_object *checked = NULL;
		const char *text = json_object_to_json_string_ext(list, JSON_C_TO_STRING_PLAIN);
		husk_error *e = NULL;
		if (!rt.plugin_dir || !rt.netns || !rt.ifname ||
		    cni_list_parse(text, strlen(text), "recorded list", &checked, &e) < 0 ||
		    cni_del(checked, &rt, json_member(rec, "result"), &e) < 0) {
			if (!e)
				husk_fail(&e, 0, "%s/%s: incomplete", cdir, RECORD);
			if (!force) {
				*err = e;
				return husk_wrap(err, "CNI network %s: DEL", net ? net : "?");
			}
			log_warn("CNI network %s: DEL: %s", net ? net : "?", e->msg);
			husk_error_free(e);
		}
	} else if (r < 0) {
		log_warn("%s", (*err)->msg);
		husk_error_freep(err);
	}
	if (netns)
		unpin(netns);
	record_remove(cdir);
	return 0;
}

int network_cni_check(const struct engine_ctx *c, const char *id, const char *cdir,
		      const char *ref, husk_error **err)
{
	cleanup_json json_object *rec = NULL;
	int r = record_read(cdir, &rec, err);
	if (r < 0)
		return r;
	if (r == 0 || !json_member(rec, "result"))
		return husk_fail(err, 0, "container %s: has no CNI network up (not running, or not on "
				 "--network cni:NAME)", ref);
	struct cni_runtime rt = runtime_of(c, rec, id);
	const char *net = json_object_get_string(json_member(rec, "network"));
	const char *text = json_object_to_json_string_ext(json_member(rec, "list"),
							  JSON_C_TO_STRING_PLAIN);
	cleanup_json json_object *list = NULL;
	if (cni_list_parse(text, strlen(text), "recorded list", &list, err) < 0 ||
	    cni_check(list, &rt, json_member(rec, "result"), err) < 0)
		return husk_wrap(err, "CNI network %s: CHECK", net ? net : "?");
	return 0;
}
