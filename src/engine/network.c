/* A container's network, whichever kind its --network is: none, host,
 * cni:NAME (network_cni.c), container:OTHER (the other's namespace), or
 * husk's own bridge networks (network_bridge.c).  One created hook and one
 * teardown for the foreground run and the shim alike. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/internal.h"
#include "net/network.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

/* The husk networks of a container (hostConfig.Networks), or NULL. */
json_object *network_bridge_list(json_object *meta)
{
	json_object *l = json_member(json_member(meta, "hostConfig"), "Networks");
	return json_is_array(l) && json_object_array_length(l) > 0 ? l : NULL;
}

static bool is_builtin_mode(const char *n)
{
	return !strcmp(n, "none") || !strcmp(n, "host") || !strncmp(n, "cni:", 4) ||
	       !strncmp(n, "container:", 10);
}

/* A free port of the host for -P (the kernel's choice for a bind to 0). */
static int free_port(const char *proto, husk_error **err)
{
	int fd = socket(AF_INET, (strcmp(proto, "udp") ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	if (fd < 0 || bind(fd, (struct sockaddr *) &a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *) &a, &len) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return husk_fail(err, e, "-P: a free port");
	}
	close(fd);
	return ntohs(a.sin_port);
}

/* -P: each ExposedPorts "PORT[/PROTO]" of the image on a free host port. */
static int publish_all(const struct store_image *img, json_object *ports, husk_error **err)
{
	json_object *exp = json_member(json_member(img->config, "config"), "ExposedPorts");
	if (!json_is_object(exp))
		return 0;
	json_object_object_foreach(exp, key, v) {
		(void) v;
		char proto[8] = "tcp";
		int port = 0;
		if (sscanf(key, "%d/%7s", &port, proto) < 1 || port < 1 || port > 65535 ||
		    (strcmp(proto, "tcp") && strcmp(proto, "udp")))
			return husk_fail(err, 0, "-P: the image's ExposedPorts %s: expects PORT[/tcp|udp]",
					 key);
		int h = free_port(proto, err);
		if (h < 0)
			return h;
		json_object *m = json_object_new_object();
		json_object_object_add(m, "hostPort", json_object_new_int(h));
		json_object_object_add(m, "containerPort", json_object_new_int(port));
		json_object_object_add(m, "protocol", json_object_new_string(proto));
		json_object_array_add(ports, m);
	}
	return 0;
}

static int dns_hosts_check(const struct engine_flags *f, husk_error **err)
{
	unsigned char bin[16];
	for (char **d = f->dns; d && *d; d++)
		if (inet_pton(AF_INET, *d, bin) != 1 && inet_pton(AF_INET6, *d, bin) != 1)
			return husk_fail(err, 0, "--dns %s: not an IP address", *d);
	for (char **h = f->add_hosts; h && *h; h++) {
		const char *colon = strchr(*h, ':');
		if (!colon || colon == *h || (inet_pton(AF_INET, colon + 1, bin) != 1 &&
					      inet_pton(AF_INET6, colon + 1, bin) != 1))
			return husk_fail(err, 0, "--add-host %s: expects NAME:ADDRESS", *h);
	}
	return 0;
}

/* container:OTHER: the network namespace of the running OTHER. */
static int join_container(const struct engine_ctx *c, const char *other, json_object *spec,
			  husk_error **err)
{
	char id[ENGINE_ID_LEN + 1];
	int pid = 0;
	if (engine_running_id(c, other, id, &pid, NULL, err) < 0)
		return husk_wrap(err, "--network container:%s", other);
	json_object *ns = json_member(json_member(spec, "linux"), "namespaces");
	for (size_t i = 0; ns && i < json_object_array_length(ns); i++) {
		json_object *n = json_object_array_get_idx(ns, i);
		if (!strcmp(json_object_get_string(json_member(n, "type")), "network")) {
			char path[64];
			snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
			json_object_object_add(n, "path", json_object_new_string(path));
		}
	}
	return 0;
}

int network_join_refresh(const struct engine_ctx *c, const char *cdir, json_object *meta,
			 husk_error **err)
{
	const char *mode = json_object_get_string(json_member(json_member(meta, "hostConfig"),
							      "NetworkMode"));
	if (!mode || strncmp(mode, "container:", 10))
		return 0;
	/* OTHER's pid of now: it may have restarted since the create. */
	cleanup_close int dfd = open(cdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	cleanup_free char *text = NULL;
	size_t len;
	cleanup_json json_object *spec = NULL;
	if (dfd < 0)
		return husk_fail(err, errno, "open %s", cdir);
	if (read_file_at(dfd, "config.json", &text, &len, err) < 0 ||
	    json_parse_text(text, len, &spec, err) < 0 || join_container(c, mode + 10, spec, err) < 0)
		return -1;
	return cdir_write_json(cdir, "config.json", spec, err);
}

int network_prepare(const struct engine_ctx *c, const struct engine_flags *f,
		    const struct store_image *img, json_object *spec, json_object *meta,
		    husk_error **err)
{
	json_object *hc = json_member(meta, "hostConfig");
	const char *mode = f->network ? f->network : "none";
	size_t n = 0;
	for (char **p = f->networks; p && *p; p++)
		n++;
	for (char **p = f->networks; n > 1 && *p; p++)
		if (is_builtin_mode(*p))
			return husk_fail(err, 0, "--network %s: takes no other --network with it", *p);
	if (dns_hosts_check(f, err) < 0)
		return -1;
	json_object_object_add(hc, "Dns", json_strv(f->dns));
	json_object_object_add(hc, "ExtraHosts", json_strv(f->add_hosts));
	if (!strncmp(mode, "container:", 10) && join_container(c, mode + 10, spec, err) < 0)
		return -1;
	if (is_builtin_mode(mode)) {
		if (f->ip)
			return husk_fail(err, 0, "--ip %s: needs a husk network (--network NAME)", f->ip);
		if (f->publish_all && strncmp(mode, "cni:", 4))
			return husk_fail(err, 0, "-P: needs a network of the container's own "
					 "(--network NAME or cni:NAME)");
		if (network_cni_prepare(c, f, meta, err) < 0)
			return -1;
		json_object *pm = json_member(hc, "PortMappings");
		return f->publish_all && pm ? publish_all(img, pm, err) : 0;
	}
	json_object *nets = json_object_new_array();
	json_object_object_add(hc, "Networks", nets);
	for (char **p = f->networks; p && *p; p++) {
		struct net_def d;
		if (net_network_get(c->store, *p, &d, err) < 0)
			return husk_wrap(err, "--network");
		for (size_t i = 0; i < json_object_array_length(nets); i++)
			if (!strcmp(json_object_get_string(json_object_array_get_idx(nets, i)), *p))
				return husk_fail(err, 0, "--network %s: given twice", *p);
		json_object_array_add(nets, json_object_new_string(*p));
	}
	if (f->ip)
		json_object_object_add(hc, "IPAddress", json_object_new_string(f->ip));
	cleanup_json json_object *ports = NULL;
	if (ports_parse(f->publish, &ports, err) < 0 || (f->publish_all && publish_all(img, ports, err) < 0))
		return -1;
	json_object_object_add(hc, "PortMappings", json_object_get(ports));
	return 0;
}

int network_created(void *arg, pid_t pid, husk_error **err)
{
	struct network_start *s = arg;
	if (network_cni_name(s->meta))
		return network_cni_created(arg, pid, err);
	if (network_bridge_list(s->meta))
		return network_bridge_created(arg, pid, err);
	return 0;
}

int network_teardown(const struct engine_ctx *c, const char *id, const char *cdir, bool force,
		     husk_error **err)
{
	int r = network_cni_teardown(c, id, cdir, force, err);
	if (r < 0)
		return r;
	return network_bridge_teardown(c, id, cdir, force, err);
}
