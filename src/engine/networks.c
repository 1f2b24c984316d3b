/* husk network create, ls, inspect, rm, prune: husk's own bridge networks
 * (src/net/network.h), with what the engine knows of their containers. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/internal.h"
#include "net/link.h"
#include "net/network.h"
#include "net/nft.h"
#include "util/cleanup.h"
#include "util/json.h"

static char *user_of(const struct engine_ctx *c, const char *net, husk_error **err);

int engine_network_create(const struct engine_ctx *c, const struct net_create_opts *o,
			  json_object **ret, husk_error **err)
{
	/* The default network's subnet changes only while no container is on
	 * it (their addresses are of the old one). */
	if (strcmp(o->name, NET_DEFAULT) == 0) {
		cleanup_free char *user = user_of(c, o->name, err);
		if (user)
			return husk_fail(err, EBUSY, "network create: network %s: container %s is on it",
					 o->name, user);
		if (*err)
			return -1;
	}
	char now[40];
	cdir_now(now);
	struct net_create_opts opts = *o;
	opts.created = now;
	struct net_def d;
	if (net_network_create(c->store, &opts, &d, err) < 0)
		return husk_wrap(err, "network create");
	*ret = net_def_json(&d);
	return 0;
}

/* The name of a container (any state) that is on network net, or NULL. */
static char *user_of(const struct engine_ctx *c, const char *net, husk_error **err)
{
	cleanup_close int cfd = -1;
	if (cdir_open(c->store, &cfd, err) < 0)
		return NULL;
	int dfd = openat(cfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_closedir DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		husk_fail(err, errno, "read containers");
		return NULL;
	}
	for (struct dirent *e; (e = readdir(d));) {
		if (strlen(e->d_name) != ENGINE_ID_LEN)
			continue;
		cleanup_json json_object *meta = NULL;
		husk_error *skip = NULL;
		if (cdir_meta_read(cfd, e->d_name, &meta, &skip) < 0) {
			husk_error_free(skip);
			continue;
		}
		json_object *nets = network_bridge_list(meta);
		for (size_t i = 0; nets && i < json_object_array_length(nets); i++)
			if (!strcmp(json_object_get_string(json_object_array_get_idx(nets, i)), net)) {
				const char *n = json_object_get_string(json_member(meta, "name"));
				return strdup(n ? n : e->d_name);
			}
	}
	return NULL;
}

static json_object *inspect_def(const struct engine_ctx *c, const struct net_def *d)
{
	json_object *o = json_object_new_object(), *ipam = json_object_new_object(),
		    *conf = json_object_new_array(), *ctrs = json_object_new_object();
	json_object_object_add(o, "Name", json_object_new_string(d->name));
	json_object_object_add(o, "Driver", json_object_new_string("bridge"));
	json_object_object_add(o, "Created", json_object_new_string(d->created));
	json_object_object_add(o, "EnableIPv6", json_object_new_boolean(*d->subnet6 != '\0'));
	json_object_object_add(o, "Internal", json_object_new_boolean(d->internal));
	const char *subnets[] = { d->subnet, d->subnet6 }, *gws[] = { d->gateway, d->gateway6 };
	for (size_t i = 0; i < 2; i++) {
		if (!*subnets[i])
			continue;
		json_object *s = json_object_new_object();
		json_object_object_add(s, "Subnet", json_object_new_string(subnets[i]));
		json_object_object_add(s, "Gateway", json_object_new_string(gws[i]));
		json_object_array_add(conf, s);
	}
	json_object_object_add(ipam, "Config", conf);
	json_object_object_add(o, "IPAM", ipam);
	json_object *opts = json_object_new_object();
	json_object_object_add(opts, "com.docker.network.bridge.name",
			       json_object_new_string(d->bridge));
	json_object_object_add(o, "Options", opts);
	/* The containers that hold an address on it now. */
	cleanup_json json_object *leases = NULL;
	husk_error *e = NULL;
	if (net_leases_read(c->store, d->name, &leases, &e) >= 0) {
		json_object_object_foreach(leases, ip, v) {
			const char *dir = json_object_get_string(json_member(v, "dir"));
			if (!dir || !lifecycle_runner_alive(dir))
				continue;
			json_object *one = json_object_new_object();
			json_object_object_add(one, "Name", json_object_get(json_member(v, "name")));
			json_object_object_add(one, "IPv4Address", json_object_new_string(ip));
			if (json_member(v, "ip6"))
				json_object_object_add(one, "IPv6Address",
						       json_object_get(json_member(v, "ip6")));
			json_object_object_add(ctrs, json_object_get_string(json_member(v, "id")), one);
		}
	}
	husk_error_free(e);
	json_object_object_add(o, "Containers", ctrs);
	return o;
}

int engine_network_list(const struct engine_ctx *c, json_object **ret, husk_error **err)
{
	cleanup_free struct net_def *all = NULL;
	size_t n = 0;
	if (net_network_list(c->store, &all, &n, err) < 0)
		return husk_wrap(err, "network ls");
	json_object *list = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(list, inspect_def(c, &all[i]));
	*ret = list;
	return 0;
}

int engine_network_inspect(const struct engine_ctx *c, const char *name, json_object **ret,
			   husk_error **err)
{
	struct net_def d;
	if (net_network_get(c->store, name, &d, err) < 0)
		return -1;
	*ret = inspect_def(c, &d);
	return 0;
}

/* The bridge and the rules go; the definition too (the default network
 * "bridge" is then the built-in one again). */
static int remove_one(const struct engine_ctx *c, const struct net_def *d, husk_error **err)
{
	cleanup_free char *user = user_of(c, d->name, err);
	if (user)
		return husk_fail(err, EBUSY, "network %s: container %s is on it (rm it first)",
				 d->name, user);
	if (*err)
		return -1;
	if (net_nft_network_del(d->name, err) < 0 || net_link_del(d->bridge, err) < 0)
		return husk_wrap(err, "network %s", d->name);
	return net_network_forget(c->store, d->name, err);
}

int engine_network_rm(const struct engine_ctx *c, const char *name, husk_error **err)
{
	struct net_def d;
	if (net_network_get(c->store, name, &d, err) < 0 || remove_one(c, &d, err) < 0)
		return husk_wrap(err, "network rm");
	return 0;
}

int engine_network_prune(const struct engine_ctx *c, json_object **removed, husk_error **err)
{
	cleanup_free struct net_def *all = NULL;
	size_t n = 0;
	if (net_network_list(c->store, &all, &n, err) < 0)
		return husk_wrap(err, "network prune");
	json_object *list = json_object_new_array();
	*removed = list;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(all[i].name, NET_DEFAULT))
			continue;
		husk_error *e = NULL;
		cleanup_free char *user = user_of(c, all[i].name, &e);
		if (user || e) {
			husk_error_free(e);
			continue;
		}
		if (remove_one(c, &all[i], err) < 0)
			return husk_wrap(err, "network prune");
		json_object_array_add(list, json_object_new_string(all[i].name));
	}
	return 0;
}
