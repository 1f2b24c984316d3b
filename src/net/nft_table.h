/* The layout of husk's table `inet husk`, shared by src/net/nft.c (networks)
 * and src/net/nft_ports.c (published ports).
 *
 * Base chains hold fixed rules only, which dispatch through verdict maps:
 *   nets   ifname -> jump n/<network>            forward (oif, then iif), input (iif)
 *   snat4  ifname -> jump m4/<network>           postrouting, IPv4 (oif, then iif)
 *   snat6  ifname -> jump m6/<network>           postrouting, IPv6
 *   ports  proto . port -> goto c/<network>/<ctr>  prerouting and output, to a local address
 * A network's or a container's rules are whole chains of their own, named
 * after it ('/' is in no network name or id), and its map elements point at
 * them: removing it removes exactly those elements and chains. */
#ifndef HUSK_NET_NFT_TABLE_H
#define HUSK_NET_NFT_TABLE_H

#include <stdbool.h>

#include "net/nft_exec.h"
#include "net/nft_value.h"

/* n/<name>, m6/<name>, c/<network>/<ctr> */
#define NFT_CHAIN_MAX (2 * NFT_NAME_MAX + 8)

/* Runs text (commands on husk's table) as one transaction, creating the
 * table with it when it does not exist yet. */
int nft_table_run(struct nft_exec *x, const char *text, husk_error **err);
/* The same when the caller knows whether the table exists (a listing). */
int nft_table_run_known(struct nft_exec *x, const char *text, bool exists, husk_error **err);

/* Calls fn for each element of each verdict map in a listing of the table
 * (nft_exec_list), with the map's name, the element's key as listed and
 * the chain its verdict jumps or goes to.  fn returns < 0 to stop. */
typedef int (*nft_elem_fn)(const char *map, json_object *key, const char *target, void *data,
			   husk_error **err);
int nft_table_elements(json_object *list, nft_elem_fn fn, void *data, husk_error **err);

/* Whether a chain name belongs to an owner. */
typedef bool (*nft_owner_fn)(const char *chain, const void *owner);

/* Deletes, in one transaction, every map element whose verdict targets a
 * chain of the owner, then those chains; the whole table instead when
 * nothing of anyone else is left in its maps.  list is the table's
 * listing; nothing owned: a no-op. */
int nft_table_remove_owned(struct nft_exec *x, json_object *list, nft_owner_fn owned,
			   const void *owner, husk_error **err);

#endif
