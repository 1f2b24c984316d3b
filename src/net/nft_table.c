#include "net/nft_table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/json.h"

/* The table, its maps and base chains.  `create table` fails when the table
 * exists, so two husks racing to make it cannot both add the base rules.
 * prerouting skips 127.0.0.0/8: with route_localnet on a bridge, a
 * container could otherwise send to the host's loopback addresses. */
static const char BASE[] =
	"create table " NFT_TABLE "\n"
	"add map " NFT_TABLE " nets { type ifname : verdict; }\n"
	"add map " NFT_TABLE " snat4 { type ifname : verdict; }\n"
	"add map " NFT_TABLE " snat6 { type ifname : verdict; }\n"
	"add map " NFT_TABLE " ports { type inet_proto . inet_service : verdict; }\n"
	"add chain " NFT_TABLE " forward { type filter hook forward priority filter; policy accept; }\n"
	"add rule " NFT_TABLE " forward oifname vmap @nets\n"
	"add rule " NFT_TABLE " forward iifname vmap @nets\n"
	"add chain " NFT_TABLE " input { type filter hook input priority filter; policy accept; }\n"
	"add rule " NFT_TABLE " input iifname vmap @nets\n"
	"add chain " NFT_TABLE " prerouting { type nat hook prerouting priority dstnat; policy accept; }\n"
	"add rule " NFT_TABLE " prerouting ip daddr 127.0.0.0/8 return\n"
	"add rule " NFT_TABLE " prerouting fib daddr type local meta l4proto . th dport vmap @ports\n"
	"add chain " NFT_TABLE " output { type nat hook output priority -100; policy accept; }\n"
	"add rule " NFT_TABLE " output fib daddr type local meta l4proto . th dport vmap @ports\n"
	"add chain " NFT_TABLE " postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
	"add rule " NFT_TABLE " postrouting meta nfproto ipv4 oifname vmap @snat4\n"
	"add rule " NFT_TABLE " postrouting meta nfproto ipv4 iifname vmap @snat4\n"
	"add rule " NFT_TABLE " postrouting meta nfproto ipv6 oifname vmap @snat6\n"
	"add rule " NFT_TABLE " postrouting meta nfproto ipv6 iifname vmap @snat6\n";

int nft_table_run_known(struct nft_exec *x, const char *text, bool exists, husk_error **err)
{
	if (exists) {
		cleanup_error husk_error *e = NULL;
		int r = nft_exec_text(x, text, &e);
		if (r != -ENOENT) {
			if (r < 0)
				*err = steal_ptr(e);
			return r;
		}
		/* removed meanwhile (by the last network's removal) */
	}
	size_t blen = strlen(BASE), tlen = strlen(text);
	cleanup_free char *both = malloc(blen + tlen + 1);
	if (both == NULL)
		return husk_fail(err, ENOMEM, "nftables");
	memcpy(both, BASE, blen);
	memcpy(both + blen, text, tlen + 1);
	cleanup_error husk_error *e = NULL;
	int r = nft_exec_text(x, both, &e);
	if (r == -EEXIST)
		/* made meanwhile by another husk: just ours then (an EEXIST of
		 * our own commands shows again) */
		return nft_exec_text(x, text, err);
	if (r < 0)
		*err = steal_ptr(e);
	return r;
}

int nft_table_run(struct nft_exec *x, const char *text, husk_error **err)
{
	return nft_table_run_known(x, text, true, err);
}

/* "jump"/"goto" of a verdict as nftables lists it: {"jump": {"target": C}} */
static const char *verdict_target(json_object *v)
{
	json_object *j = json_member(v, "jump");
	if (j == NULL)
		j = json_member(v, "goto");
	json_object *t = j != NULL ? json_member(j, "target") : NULL;
	return t != NULL && json_is_string(t) ? json_object_get_string(t) : NULL;
}

int nft_table_elements(json_object *list, nft_elem_fn fn, void *data, husk_error **err)
{
	size_t n = json_object_array_length(list);
	for (size_t i = 0; i < n; i++) {
		json_object *map = json_member(json_object_array_get_idx(list, i), "map");
		json_object *name = map != NULL ? json_member(map, "name") : NULL;
		json_object *elems = map != NULL ? json_member(map, "elem") : NULL;
		if (name == NULL || !json_is_string(name) || elems == NULL || !json_is_array(elems))
			continue;
		size_t ne = json_object_array_length(elems);
		for (size_t k = 0; k < ne; k++) {
			json_object *pair = json_object_array_get_idx(elems, k);
			if (!json_is_array(pair) || json_object_array_length(pair) != 2)
				continue;
			const char *target = verdict_target(json_object_array_get_idx(pair, 1));
			if (target == NULL)
				continue;
			int r = fn(json_object_get_string(name), json_object_array_get_idx(pair, 0), target,
				   data, err);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

struct removal {
	nft_owner_fn owned;
	const void *owner;
	json_object *cmds;  /* the "nftables" array of the transaction */
	size_t mine, other; /* elements of the owner, of anyone else */
};

static json_object *command(const char *verb, const char *what, const char *name)
{
	json_object *obj = json_object_new_object();
	json_object_object_add(obj, "family", json_object_new_string("inet"));
	if (strcmp(what, "table") != 0)
		json_object_object_add(obj, "table", json_object_new_string("husk"));
	json_object_object_add(obj, "name", json_object_new_string(name));
	json_object *inner = json_object_new_object();
	json_object_object_add(inner, what, obj);
	json_object *cmd = json_object_new_object();
	json_object_object_add(cmd, verb, inner);
	return cmd;
}

static int collect_element(const char *map, json_object *key, const char *target, void *data,
			   husk_error **err)
{
	(void) err;
	struct removal *rm = data;
	if (!rm->owned(target, rm->owner)) {
		rm->other++;
		return 0;
	}
	rm->mine++;
	json_object *cmd = command("delete", "element", map);
	json_object *elem = json_object_new_array();
	json_object_array_add(elem, json_object_get(key));
	json_object *obj = json_member(json_member(cmd, "delete"), "element");
	json_object_object_add(obj, "elem", elem);
	json_object_array_add(rm->cmds, cmd);
	return 0;
}

int nft_table_remove_owned(struct nft_exec *x, json_object *list, nft_owner_fn owned,
			   const void *owner, husk_error **err)
{
	cleanup_json json_object *doc = json_object_new_object();
	struct removal rm = { .owned = owned, .owner = owner, .cmds = json_object_new_array() };
	json_object_object_add(doc, "nftables", rm.cmds);
	int r = nft_table_elements(list, collect_element, &rm, err);
	if (r < 0)
		return r;
	size_t chains = 0;
	size_t n = json_object_array_length(list);
	for (size_t i = 0; i < n; i++) {
		json_object *chain = json_member(json_object_array_get_idx(list, i), "chain");
		json_object *name = chain != NULL ? json_member(chain, "name") : NULL;
		if (name == NULL || !json_is_string(name) || !owned(json_object_get_string(name), owner))
			continue;
		json_object_array_add(rm.cmds, command("delete", "chain", json_object_get_string(name)));
		chains++;
	}
	if (rm.mine == 0 && chains == 0)
		return 0;
	if (rm.other == 0) {
		/* the last of husk's rules: the table goes (the array replaced
		 * is put by json-c) */
		json_object *cmds = json_object_new_array();
		json_object_array_add(cmds, command("delete", "table", "husk"));
		json_object_object_add(doc, "nftables", cmds);
	}
	return nft_exec_json(x, doc, err);
}
