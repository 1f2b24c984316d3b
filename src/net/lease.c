/* The addresses of a network's containers (see network.h): one file of
 * leases per network, changed only under the network's flock, so that 20
 * containers starting at once never get one address twice. */
#include "net/network.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/subnet.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

int net_leases_edit(const char *store, const char *net, net_leases_fn edit, void *arg,
		    husk_error **err)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/networks", store);
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return husk_fail(err, errno, "mkdir %s", path);
	cleanup_close int dfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return husk_fail(err, errno, "open %s", path);
	char lockf[NET_NAME_MAX + 8], file[NET_NAME_MAX + 8];
	snprintf(lockf, sizeof(lockf), "%s.lock", net);
	snprintf(file, sizeof(file), "%s.leases", net);
	cleanup_close int lock = openat(dfd, lockf, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) < 0)
		return husk_fail(err, errno, "network %s: lock its leases", net);
	cleanup_json json_object *leases = NULL;
	cleanup_free char *text = NULL;
	size_t len;
	if (faccessat(dfd, file, F_OK, 0) < 0)
		leases = json_object_new_object();
	else if (read_file_at(dfd, file, &text, &len, err) < 0 ||
		 json_parse_text(text, len, &leases, err) < 0)
		return husk_wrap(err, "network %s: leases", net);
	if (!json_is_object(leases))
		return husk_fail(err, 0, "network %s: leases: not an object", net);
	int r = edit(leases, arg, err);
	if (r < 0)
		return r;
	const char *out = json_object_to_json_string_ext(leases, JSON_C_TO_STRING_PLAIN);
	if (write_file_atomic_at(dfd, file, out, strlen(out), 0600, err) < 0)
		return husk_wrap(err, "network %s: leases", net);
	return r;
}

void net_lease_drop(json_object *leases, const char *id)
{
	for (;;) {
		const char *key = NULL;
		json_object_object_foreach(leases, k, v) {
			const char *lid = json_object_get_string(json_member(v, "id"));
			if (lid && strcmp(lid, id) == 0) {
				key = k;
				break;
			}
		}
		if (!key)
			return;
		json_object_object_del(leases, key);
	}
}

static void drop_dead(json_object *leases, bool (*alive)(const char *dir))
{
	for (;;) {
		const char *key = NULL;
		json_object_object_foreach(leases, k, v) {
			const char *dir = json_object_get_string(json_member(v, "dir"));
			if (!dir || !alive(dir)) {
				key = k;
				break;
			}
		}
		if (!key)
			return;
		json_object_object_del(leases, key);
	}
}

int net_lease_pick(json_object *leases, const struct net_def *d, const char *id,
		   const char *name, const char *dir, const char *want,
		   bool (*alive)(const char *dir), struct net_lease *ret, husk_error **err)
{
	struct net_prefix p, p6 = { 0 };
	if (net_prefix_parse(d->subnet, &p, err) < 0 ||
	    (*d->subnet6 && net_prefix_parse(d->subnet6, &p6, err) < 0))
		return husk_wrap(err, "network %s", d->name);
	net_lease_drop(leases, id);
	drop_dead(leases, alive);
	unsigned char a[16];
	int64_t gw = -1, gw6 = -1, hosts = net_prefix_hosts(&p), pick = -1;
	if (net_addr_parse(&p, d->gateway, a, err) >= 0)
		gw = net_prefix_index(&p, a);
	if (*d->subnet6 && net_addr_parse(&p6, d->gateway6, a, err) >= 0)
		gw6 = net_prefix_index(&p6, a);
	husk_error_freep(err);
	if (*d->subnet6 && net_prefix_hosts(&p6) < hosts)
		hosts = net_prefix_hosts(&p6);
	char ip[64];
	if (want) {
		if (net_addr_parse(&p, want, a, err) < 0)
			return husk_wrap(err, "--ip");
		pick = net_prefix_index(&p, a);
		if (pick < 1 || pick >= hosts || pick == gw)
			return husk_fail(err, 0, "--ip %s: not a free host address of network %s (%s)",
					 want, d->name, d->subnet);
		net_prefix_nth(&p, pick, ip, sizeof(ip));
		json_object *held = json_member(leases, ip);
		if (held)
			return husk_fail(err, EADDRINUSE, "--ip %s: in use on network %s by %s", want,
					 d->name, json_object_get_string(json_member(held, "name")));
	} else {
		for (int64_t i = 1; i < hosts && pick < 0; i++) {
			if (i == gw || i == gw6)
				continue;
			net_prefix_nth(&p, i, ip, sizeof(ip));
			if (!json_member(leases, ip))
				pick = i;
		}
		if (pick < 0)
			return husk_fail(err, 0, "network %s: no free address in %s", d->name,
					 d->subnet);
	}
	*ret = (struct net_lease) { .prefix = p.len, .prefix6 = p6.len };
	net_prefix_nth(&p, pick, ret->ip, sizeof(ret->ip));
	if (*d->subnet6)
		net_prefix_nth(&p6, pick, ret->ip6, sizeof(ret->ip6));
	json_object *l = json_object_new_object();
	json_object_object_add(l, "id", json_object_new_string(id));
	json_object_object_add(l, "name", json_object_new_string(name));
	json_object_object_add(l, "dir", json_object_new_string(dir));
	if (*ret->ip6)
		json_object_object_add(l, "ip6", json_object_new_string(ret->ip6));
	json_object_object_add(leases, ret->ip, l);
	return 0;
}

int net_leases_read(const char *store, const char *net, json_object **ret, husk_error **err)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/networks/%s.leases", store, net);
	cleanup_free char *text = NULL;
	size_t len;
	*ret = NULL;
	if (access(path, F_OK) < 0) {
		*ret = json_object_new_object();
		return 0;
	}
	if (read_file_at(AT_FDCWD, path, &text, &len, err) < 0 || json_parse_text(text, len, ret, err) < 0)
		return husk_wrap(err, "network %s: leases", net);
	return 0;
}
