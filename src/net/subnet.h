/* IPv4 and IPv6 prefixes ("198.18.0.0/24", "fd00:1::/64") of husk's bridge
 * networks: parsed, compared, and the n-th address in them. */
#ifndef HUSK_NET_SUBNET_H
#define HUSK_NET_SUBNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct net_prefix {
	int family;              /* AF_INET or AF_INET6 */
	unsigned char addr[16];  /* network byte order; 4 used for AF_INET */
	int len;                 /* prefix length */
};

/* "ADDR/LEN" with no host bits set (what is the network is said plainly). */
int net_prefix_parse(const char *cidr, struct net_prefix *ret, husk_error **err);
/* An address of the same family inside p ("198.18.0.7"). */
int net_addr_parse(const struct net_prefix *p, const char *s, unsigned char out[16],
		   husk_error **err);
bool net_prefix_overlap(const struct net_prefix *a, const struct net_prefix *b);
/* The host index of addr in p (addr - network), or -1 when outside. */
int64_t net_prefix_index(const struct net_prefix *p, const unsigned char addr[16]);
/* How many host indexes p has for containers: 1..n-1 usable (network
 * and, on IPv4, broadcast left out), capped at 1<<20. */
int64_t net_prefix_hosts(const struct net_prefix *p);
/* The address of index i in p, as text. */
void net_prefix_nth(const struct net_prefix *p, int64_t i, char *out, size_t len);

#endif
