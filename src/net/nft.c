/* A bridge network's rules in husk's table (layout: src/net/nft_table.h). */
#include "net/nft.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "net/nft_table.h"
#include "util/cleanup.h"
#include "util/json.h"

/* Published ports answer the host's own 127.0.0.1 by DNAT in output and
 * masquerade out of the bridge; the kernel routes a 127.0.0.0/8 source or
 * destination over an interface only with its route_localnet, so husk sets
 * it on its bridge (the bridge's own sysctl in the netns husk runs in; the
 * base chains drop what else a container could send to 127.0.0.0/8). */
static int set_route_localnet(const char *bridge, husk_error **err)
{
	char path[96];
	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/route_localnet", bridge);
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return husk_fail(err, 0, "bridge %s does not exist", bridge);
		return husk_fail(err, errno, "bridge %s: %s", bridge, path);
	}
	if (write(fd, "1", 1) != 1)
		return husk_fail(err, errno, "bridge %s: %s", bridge, path);
	return 0;
}

/* The filter rules of n/<name>, reached by forward (oif, then iif) and
 * input (iif) for traffic of the bridge.  Across networks only DNAT'd
 * traffic (published ports) gets through. */
static void write_filter(FILE *f, const char *chain, const char *br, bool internal)
{
	fprintf(f, "add chain " NFT_TABLE " %s\nflush chain " NFT_TABLE " %s\n", chain, chain);
	fprintf(f, "add rule " NFT_TABLE " %s iifname \"%s\" ip daddr 127.0.0.0/8 ct state != { established, related } drop\n",
		chain, br);
	fprintf(f, "add rule " NFT_TABLE " %s iifname \"%s\" oifname \"%s\" accept\n", chain, br, br);
	if (internal) {
		/* nothing leaves it, nothing comes in but replies (of the host's
		 * own connections into it) */
		fprintf(f, "add rule " NFT_TABLE " %s ct state established,related accept\n", chain);
		fprintf(f, "add rule " NFT_TABLE " %s iifname \"%s\" drop\n", chain, br);
	} else {
		fprintf(f, "add rule " NFT_TABLE " %s iifname \"%s\" accept\n", chain, br);
		fprintf(f, "add rule " NFT_TABLE " %s oifname \"%s\" ct state established,related accept\n",
			chain, br);
		fprintf(f, "add rule " NFT_TABLE " %s oifname \"%s\" ct status dnat accept\n", chain, br);
	}
	fprintf(f, "add rule " NFT_TABLE " %s oifname \"%s\" drop\n", chain, br);
	fprintf(f, "add element " NFT_TABLE " nets { \"%s\" : jump %s }\n", br, chain);
}

/* The NAT rules of m4/<name> or m6/<name>: the subnet masqueraded when it
 * leaves by another interface; hairpin (a container to a published port of
 * one on the same bridge) and the host's 127.0.0.1 masqueraded into the
 * bridge, or the answer would not come back through the host. */
static void write_nat(FILE *f, const char *chain, const char *br, const struct nft_cidr *subnet,
		      bool internal)
{
	bool v4 = subnet->family == AF_INET;
	fprintf(f, "add chain " NFT_TABLE " %s\nflush chain " NFT_TABLE " %s\n", chain, chain);
	if (!internal)
		fprintf(f, "add rule " NFT_TABLE " %s oifname != \"%s\" %s saddr %s masquerade\n", chain, br,
			v4 ? "ip" : "ip6", subnet->text);
	/* hairpin by the source, not iifname: br_netfilter, when loaded,
	 * passes a bridged packet to postrouting without its input device */
	fprintf(f, "add rule " NFT_TABLE " %s oifname \"%s\" %s saddr %s ct status dnat masquerade\n",
		chain, br, v4 ? "ip" : "ip6", subnet->text);
	if (v4)
		fprintf(f, "add rule " NFT_TABLE " %s oifname \"%s\" ip saddr 127.0.0.0/8 masquerade\n", chain,
			br);
	fprintf(f, "add element " NFT_TABLE " %s { \"%s\" : jump %s }\n", v4 ? "snat4" : "snat6", br,
		chain);
}

struct bridge_owner {
	const char *bridge;
	char network[NFT_CHAIN_MAX];
};

static int find_bridge_owner(const char *map, json_object *key, const char *target, void *data,
			     husk_error **err)
{
	(void) err;
	struct bridge_owner *o = data;
	if (strcmp(map, "nets") == 0 && strcmp(json_object_get_string(key), o->bridge) == 0 &&
	    strncmp(target, "n/", 2) == 0)
		snprintf(o->network, sizeof(o->network), "%s", target + 2);
	return 0;
}

/* After an EEXIST: the network that has the bridge, if it is another. */
static int explain_exists(struct nft_exec *x, const char *bridge, husk_error **err)
{
	cleanup_json json_object *list = NULL;
	cleanup_error husk_error *e = NULL;
	if (nft_exec_list(x, "map " NFT_TABLE " nets", &list, &e) < 0 || list == NULL)
		return -EEXIST;
	struct bridge_owner o = { .bridge = bridge };
	nft_table_elements(list, find_bridge_owner, &o, &e);
	if (o.network[0] == '\0')
		return -EEXIST; /* the error as nftables gave it */
	husk_error_free(*err);
	*err = NULL;
	return husk_fail(err, 0, "bridge %s is already used by network %s", bridge, o.network);
}

int net_nft_network_add(const struct net_nft_network *n, husk_error **err)
{
	struct nft_cidr subnet;
	if (nft_value_name("network name", n->name, err) < 0 || nft_value_ifname(n->bridge, err) < 0 ||
	    nft_value_cidr(n->subnet, &subnet, err) < 0)
		return husk_wrap(err, "network rules");
	if (set_route_localnet(n->bridge, err) < 0)
		return husk_wrap(err, "network %s", n->name);
	char filter[NFT_CHAIN_MAX], nat[NFT_CHAIN_MAX];
	snprintf(filter, sizeof(filter), "n/%s", n->name);
	snprintf(nat, sizeof(nat), "m%c/%s", subnet.family == AF_INET ? '4' : '6', n->name);
	cleanup_nft_buf struct nft_buf b = { 0 };
	if (nft_buf_open(&b, err) < 0)
		return husk_wrap(err, "network %s", n->name);
	write_filter(b.f, filter, n->bridge, n->internal);
	write_nat(b.f, nat, n->bridge, &subnet, n->internal);
	if (nft_buf_close(&b, err) < 0)
		return husk_wrap(err, "network %s", n->name);
	cleanup_nft_exec struct nft_exec *x = nft_exec_new(err);
	if (x == NULL)
		return husk_wrap(err, "network %s", n->name);
	int r = nft_table_run(x, b.text, err);
	if (r == -EEXIST)
		r = explain_exists(x, n->bridge, err);
	return r < 0 ? husk_wrap(err, "network %s", n->name) : 0;
}

static bool network_owns(const char *chain, const void *owner)
{
	const char *name = owner;
	size_t len = strlen(name);
	const char *rest = NULL;
	if (strncmp(chain, "n/", 2) == 0 || strncmp(chain, "c/", 2) == 0)
		rest = chain + 2;
	else if (strncmp(chain, "m4/", 3) == 0 || strncmp(chain, "m6/", 3) == 0)
		rest = chain + 3;
	if (rest == NULL || strncmp(rest, name, len) != 0)
		return false;
	return chain[0] == 'c' ? rest[len] == '/' : rest[len] == '\0';
}

int net_nft_network_del(const char *name, husk_error **err)
{
	if (nft_value_name("network name", name, err) < 0)
		return husk_wrap(err, "network rules");
	cleanup_nft_exec struct nft_exec *x = nft_exec_new(err);
	cleanup_json json_object *list = NULL;
	if (x == NULL || nft_exec_list(x, NULL, &list, err) < 0)
		return husk_wrap(err, "network %s", name);
	if (list == NULL)
		return 0;
	if (nft_table_remove_owned(x, list, network_owns, name, err) < 0)
		return husk_wrap(err, "network %s", name);
	return 0;
}
