/* The values that go into husk's nftables commands, checked and written
 * back in a canonical form: names of a strict alphabet, addresses through
 * inet_pton/inet_ntop.  Nothing else reaches a command, so no value can
 * carry nft syntax (quotes, `;`, braces, newlines) into it. */
#ifndef HUSK_NET_NFT_VALUE_H
#define HUSK_NET_NFT_VALUE_H

#include <arpa/inet.h>
#include <stdbool.h>

#include "util/error.h"

/* Longest network name and container id (a chain c/<network>/<id> stays
 * under nftables' 256 bytes). */
#define NFT_NAME_MAX 128

/* A network name or a container id: [A-Za-z0-9][A-Za-z0-9_.-]*, at most
 * NFT_NAME_MAX bytes.  what names it in the error ("network name"). */
int nft_value_name(const char *what, const char *s, husk_error **err);

/* An interface name as the kernel takes it (< IFNAMSIZ) in the same
 * alphabet. */
int nft_value_ifname(const char *s, husk_error **err);

/* An address of either family. */
struct nft_addr {
	int family; /* AF_INET or AF_INET6 */
	char text[INET6_ADDRSTRLEN];
};
int nft_value_addr(const char *what, const char *s, struct nft_addr *a, husk_error **err);

/* A subnet ADDR/LEN, LEN from 1 to the family's width, no host bits set;
 * text gets the canonical "ADDR/LEN". */
struct nft_cidr {
	int family;
	char text[INET6_ADDRSTRLEN + 4];
};
int nft_value_cidr(const char *s, struct nft_cidr *c, husk_error **err);

#endif
