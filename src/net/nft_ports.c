/* Published ports in husk's table: one chain c/<network>/<ctr> of DNAT
 * rules per container, reached through the verdict map `ports` keyed by
 * (protocol, host port), whose elements are that container's claims on
 * the host's ports (layout: src/net/nft_table.h). */
#include "net/nft.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/nft_table.h"
#include "util/cleanup.h"
#include "util/json.h"

struct port_key {
	const char *proto; /* "tcp" or "udp" (static strings) */
	uint16_t port;
};

static int check_port(const struct net_nft_port *p, struct nft_addr *ctr, struct nft_addr *host,
		      husk_error **err)
{
	if (p->proto == NULL || (strcmp(p->proto, "tcp") != 0 && strcmp(p->proto, "udp") != 0))
		return husk_fail(err, 0, "protocol '%.16s': not tcp or udp", p->proto ? p->proto : "");
	if (p->host_port == 0 || p->ctr_port == 0)
		return husk_fail(err, 0, "port 0 cannot be published");
	if (nft_value_addr("container address", p->ctr_ip, ctr, err) < 0)
		return -EINVAL;
	host->family = 0;
	/* docker's spellings of "every address" */
	bool any = p->host_ip == NULL || *p->host_ip == '\0' || strcmp(p->host_ip, "0.0.0.0") == 0 ||
		   strcmp(p->host_ip, "::") == 0;
	if (!any && nft_value_addr("host address", p->host_ip, host, err) < 0)
		return -EINVAL;
	if (host->family != 0 && host->family != ctr->family)
		return husk_fail(err, 0, "host address %s and container address %s are of different families",
				 host->text, ctr->text);
	return 0;
}

static void write_dnat(FILE *f, const char *chain, const struct net_nft_port *p,
		       const struct nft_addr *ctr, const struct nft_addr *host)
{
	bool v4 = ctr->family == AF_INET;
	fprintf(f, "add rule " NFT_TABLE " %s meta l4proto %s th dport %u", chain,
		strcmp(p->proto, "tcp") == 0 ? "tcp" : "udp", p->host_port);
	if (host->family != 0)
		fprintf(f, " %s daddr %s", v4 ? "ip" : "ip6", host->text);
	if (v4)
		fprintf(f, " dnat ip to %s:%u\n", ctr->text, p->ctr_port);
	else
		fprintf(f, " dnat ip6 to [%s]:%u\n", ctr->text, p->ctr_port);
}

/* The current claims on the host ports: the ports map's elements. */
struct claims {
	const char *chain;        /* ours */
	const struct port_key *keys;
	size_t nkeys;
	char taken[NFT_CHAIN_MAX]; /* a key of ours claimed by another chain */
	struct port_key taken_key;
	bool *have;               /* per key: claimed by us already */
	FILE *stale;              /* our claims not asked for again: deleted */
};

static int read_claim(const char *map, json_object *key, const char *target, void *data,
		      husk_error **err)
{
	(void) err;
	struct claims *c = data;
	json_object *concat = json_member(key, "concat");
	if (strcmp(map, "ports") != 0 || concat == NULL || !json_is_array(concat) ||
	    json_object_array_length(concat) != 2)
		return 0;
	const char *proto = json_object_get_string(json_object_array_get_idx(concat, 0));
	int64_t port = json_object_get_int64(json_object_array_get_idx(concat, 1));
	if (proto == NULL)
		return 0;
	bool mine = strcmp(target, c->chain) == 0;
	for (size_t i = 0; i < c->nkeys; i++) {
		if (strcmp(c->keys[i].proto, proto) != 0 || c->keys[i].port != port)
			continue;
		if (mine) {
			c->have[i] = true;
		} else if (c->taken[0] == '\0') {
			snprintf(c->taken, sizeof(c->taken), "%s", target);
			c->taken_key = c->keys[i];
		}
		return 0;
	}
	if (mine && c->stale != NULL && (strcmp(proto, "tcp") == 0 || strcmp(proto, "udp") == 0))
		fprintf(c->stale, "delete element " NFT_TABLE " ports { %s . %u }\n",
			strcmp(proto, "tcp") == 0 ? "tcp" : "udp", (unsigned) (uint16_t) port);
	return 0;
}

static int fail_taken(const struct claims *c, husk_error **err)
{
	const char *owner = strrchr(c->taken, '/');
	return husk_fail(err, 0, "host port %u/%s is already published by container %s",
			 c->taken_key.port, c->taken_key.proto, owner != NULL ? owner + 1 : c->taken);
}

/* After an EEXIST (a claim made since the listing): who has it. */
static int explain_exists(struct nft_exec *x, struct claims *c, husk_error **err)
{
	cleanup_json json_object *list = NULL;
	cleanup_error husk_error *e = NULL;
	c->stale = NULL;
	if (nft_exec_list(x, "map " NFT_TABLE " ports", &list, &e) < 0 || list == NULL)
		return -EEXIST;
	nft_table_elements(list, read_claim, c, &e);
	if (c->taken[0] == '\0')
		return -EEXIST;
	husk_error_free(*err);
	*err = NULL;
	return fail_taken(c, err);
}

static int ports_add(struct nft_exec *x, const char *chain, const struct net_nft_port *p, size_t n,
		     husk_error **err)
{
	cleanup_free struct port_key *keys = calloc(n, sizeof(*keys));
	cleanup_free bool *have = calloc(n, sizeof(*have));
	if (keys == NULL || have == NULL)
		return husk_fail(err, ENOMEM, "nftables");
	cleanup_nft_buf struct nft_buf b = { 0 };
	if (nft_buf_open(&b, err) < 0)
		return -ENOMEM;
	fprintf(b.f, "add chain " NFT_TABLE " %s\nflush chain " NFT_TABLE " %s\n", chain, chain);
	size_t nkeys = 0;
	for (size_t i = 0; i < n; i++) {
		struct nft_addr ctr, host;
		if (check_port(&p[i], &ctr, &host, err) < 0)
			return -EINVAL;
		write_dnat(b.f, chain, &p[i], &ctr, &host);
		struct port_key k = { strcmp(p[i].proto, "tcp") == 0 ? "tcp" : "udp", p[i].host_port };
		size_t j = 0;
		while (j < nkeys && (keys[j].port != k.port || strcmp(keys[j].proto, k.proto) != 0))
			j++;
		if (j == nkeys)
			keys[nkeys++] = k;
	}
	cleanup_json json_object *list = NULL;
	if (nft_exec_list(x, "map " NFT_TABLE " ports", &list, err) < 0)
		return -EIO;
	struct claims c = { .chain = chain, .keys = keys, .nkeys = nkeys, .have = have, .stale = b.f };
	if (list != NULL)
		nft_table_elements(list, read_claim, &c, err);
	if (c.taken[0] != '\0')
		return fail_taken(&c, err);
	for (size_t i = 0; i < nkeys; i++)
		if (!have[i])
			fprintf(b.f, "create element " NFT_TABLE " ports { %s . %u : goto %s }\n", keys[i].proto,
				keys[i].port, chain);
	if (nft_buf_close(&b, err) < 0)
		return -ENOMEM;
	int r = nft_table_run_known(x, b.text, list != NULL, err);
	if (r == -EEXIST)
		r = explain_exists(x, &c, err);
	return r;
}

int net_nft_ports_add(const char *ctr_id, const char *network, const struct net_nft_port *p, size_t n,
		      husk_error **err)
{
	if (nft_value_name("container id", ctr_id, err) < 0 ||
	    nft_value_name("network name", network, err) < 0)
		return husk_wrap(err, "published ports");
	if (n == 0)
		return 0;
	char chain[NFT_CHAIN_MAX];
	snprintf(chain, sizeof(chain), "c/%s/%s", network, ctr_id);
	cleanup_nft_exec struct nft_exec *x = nft_exec_new(err);
	if (x == NULL || ports_add(x, chain, p, n, err) < 0)
		return husk_wrap(err, "published ports of %s", ctr_id);
	return 0;
}

/* c/<any network>/<ctr> */
static bool container_owns(const char *chain, const void *owner)
{
	const char *id = owner;
	if (strncmp(chain, "c/", 2) != 0)
		return false;
	const char *slash = strrchr(chain, '/');
	return slash != chain + 1 && strcmp(slash + 1, id) == 0;
}

int net_nft_ports_del(const char *ctr_id, husk_error **err)
{
	if (nft_value_name("container id", ctr_id, err) < 0)
		return husk_wrap(err, "published ports");
	cleanup_nft_exec struct nft_exec *x = nft_exec_new(err);
	cleanup_json json_object *list = NULL;
	if (x == NULL || nft_exec_list(x, NULL, &list, err) < 0)
		return husk_wrap(err, "published ports of %s", ctr_id);
	if (list != NULL && nft_table_remove_owned(x, list, container_owns, ctr_id, err) < 0)
		return husk_wrap(err, "published ports of %s", ctr_id);
	return 0;
}
