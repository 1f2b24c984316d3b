/* husk's bridge networks: their definitions under the store
 * (STORE/networks/NAME.json, written to a temporary file and renamed) and
 * the addresses handed out on them (leases, below).  The default network
 * "bridge" exists without being created: built in (bridge husk0, subnet
 * 10.88.0.0/16) unless `husk network create bridge --subnet ...` has
 * recorded its own (a store setting). */
#ifndef HUSK_NET_NETWORK_H
#define HUSK_NET_NETWORK_H

#include <json-c/json.h>
#include <net/if.h>
#include <stdbool.h>

#include "util/error.h"

#define NET_DEFAULT "bridge"
#define NET_NAME_MAX 64

struct net_def {
	char name[NET_NAME_MAX + 1];
	char bridge[IFNAMSIZ];
	char subnet[64], gateway[64];     /* IPv4 (or IPv6 when only IPv6) */
	char subnet6[64], gateway6[64];   /* --ipv6: "" without */
	bool internal;
	char created[40];
};

/* What `network create` is given (NULL: chosen). */
struct net_create_opts {
	const char *name;
	const char *subnet, *gateway;
	const char *subnet6, *gateway6;
	bool internal, ipv6;
	const char *created;   /* RFC 3339 */
};

/* A network by name (the built-in default when not recorded); an unknown
 * one: `network NAME: no such network`. */
int net_network_get(const char *store, const char *name, struct net_def *ret, husk_error **err);
/* Validates (name, subnets, gateways, no overlap with another network),
 * records it; -EEXIST when it exists. */
int net_network_create(const char *store, const struct net_create_opts *o, struct net_def *ret,
		       husk_error **err);
/* Every network, the default first (malloc'd array). */
int net_network_list(const char *store, struct net_def **ret, size_t *n, husk_error **err);
/* Forgets the network's definition and leases (the caller has checked
 * that no container uses it and removed its bridge and rules). */
int net_network_forget(const char *store, const char *name, husk_error **err);
json_object *net_def_json(const struct net_def *d);

/* Leases: STORE/networks/NAME.leases, an object "ADDRESS" -> {id, name,
 * dir, ip6}, read and written under an flock of STORE/networks/NAME.lock.
 * edit gets the leases and changes them; they are written back when it
 * returns >= 0. */
typedef int (*net_leases_fn)(json_object *leases, void *arg, husk_error **err);
int net_leases_edit(const char *store, const char *net, net_leases_fn edit, void *arg,
		    husk_error **err);
/* In an edit: a free address for container id (want: the --ip asked for,
 * or NULL), after dropping the leases of id and those whose container is
 * dead (alive(dir) false); recorded in leases with the rest. */
struct net_lease {
	char ip[64], ip6[64];   /* without the prefix length; ip6 "" without IPv6 */
	int prefix, prefix6;
};
int net_lease_pick(json_object *leases, const struct net_def *d, const char *id,
		   const char *name, const char *dir, const char *want,
		   bool (*alive)(const char *dir), struct net_lease *ret, husk_error **err);
/* The leases as last written, without the lock (a snapshot: the file is
 * replaced whole). */
int net_leases_read(const char *store, const char *net, json_object **ret, husk_error **err);
/* In an edit: id's lease dropped. */
void net_lease_drop(json_object *leases, const char *id);

#endif
