/* husk's nftables rules for its bridge networks, in a table of its own
 * (`table inet husk`, filter and NAT of both families; layout in
 * src/net/nft_table.h), set through libnftables in husk's process: no
 * nft/iptables on the start path.  Names (networks, container ids) are
 * [A-Za-z0-9][A-Za-z0-9_.-]* (at most 128 bytes), a bridge's name the
 * same alphabet under IFNAMSIZ; anything else is refused before a command
 * is built.
 * Every call works in the network namespace of the calling thread, so the
 * tests run it in a namespace of their own.  Each call is idempotent and
 * atomic (one transaction): a failure leaves the rules as they were. */
#ifndef HUSK_NET_NFT_H
#define HUSK_NET_NFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct net_nft_network {
	const char *name;   /* the husk network's name */
	const char *bridge; /* its bridge interface */
	const char *subnet; /* "198.18.0.0/24" (or an IPv6 CIDR) */
	bool internal;      /* no way out: no NAT, forwarding off the bridge dropped */
};

/* The network's rules: MASQUERADE of its subnet leaving by another
 * interface, forwarding to and from the bridge accepted (dropped out of it
 * when internal).  The bridge must exist: its route_localnet is set (the
 * host's 127.0.0.1 reaches published ports through it).  Called once per
 * subnet of a dual-stack network (same name, bridge and internal); a
 * bridge that another network has is refused. */
int net_nft_network_add(const struct net_nft_network *n, husk_error **err);
/* Every rule of the network, its ports' among them; the tables go with
 * the last network. */
int net_nft_network_del(const char *name, husk_error **err);

struct net_nft_port {
	const char *host_ip;   /* NULL, "", 0.0.0.0, "::": every address of the host, 127.0.0.1 too */
	uint16_t host_port, ctr_port;
	const char *proto;     /* "tcp" or "udp" */
	const char *ctr_ip;    /* the container's address on the network */
};

/* DNAT of the published ports to the container, from outside, from the
 * host itself (127.0.0.1 included; not ::1, which the kernel does not
 * route out) and from other containers (hairpin).  A host port that is
 * already published (by husk) is refused, naming the container that has
 * it: a (proto, host port) is one container's, whatever its host_ip.
 * Called again for the same container, its ports are replaced. */
int net_nft_ports_add(const char *ctr_id, const char *network,
		      const struct net_nft_port *p, size_t n, husk_error **err);
/* Every port rule of the container. */
int net_nft_ports_del(const char *ctr_id, husk_error **err);

#endif
