#include "net/subnet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

int net_prefix_parse(const char *cidr, struct net_prefix *ret, husk_error **err)
{
	char buf[64];
	const char *slash = strchr(cidr, '/');
	if (!slash || (size_t) (slash - cidr) >= sizeof(buf))
		return husk_fail(err, 0, "subnet %s: expects ADDRESS/LENGTH", cidr);
	memcpy(buf, cidr, slash - cidr);
	buf[slash - cidr] = '\0';
	struct net_prefix p = { .family = strchr(buf, ':') ? AF_INET6 : AF_INET };
	char *end;
	errno = 0;
	long len = strtol(slash + 1, &end, 10);
	int max = addr_len(p.family) * 8;
	if (inet_pton(p.family, buf, p.addr) != 1)
		return husk_fail(err, 0, "subnet %s: %s is not an IP address", cidr, buf);
	if (errno || end == slash + 1 || *end || len < 1 || len > max)
		return husk_fail(err, 0, "subnet %s: prefix length: expects 1-%d", cidr, max);
	/* At least 2 addresses besides the gateway. */
	if (len > max - 2)
		return husk_fail(err, 0, "subnet %s: too small for a network (at most /%d)", cidr,
				 max - 2);
	p.len = (int) len;
	for (int bit = p.len; bit < max; bit++)
		if (p.addr[bit / 8] & (0x80 >> (bit % 8))) {
			char net[INET6_ADDRSTRLEN];
			struct net_prefix n = p;
			for (int b = p.len; b < max; b++)
				n.addr[b / 8] &= ~(0x80 >> (b % 8));
			inet_ntop(p.family, n.addr, net, sizeof(net));
			return husk_fail(err, 0, "subnet %s: has host bits set (the network is %s/%d)",
					 cidr, net, p.len);
		}
	*ret = p;
	return 0;
}

int net_addr_parse(const struct net_prefix *p, const char *s, unsigned char out[16],
		   husk_error **err)
{
	memset(out, 0, 16);
	if (inet_pton(p->family, s, out) != 1)
		return husk_fail(err, 0, "%s: not an IPv%d address", s, p->family == AF_INET ? 4 : 6);
	return 0;
}

static bool same_bits(const unsigned char *a, const unsigned char *b, int bits)
{
	for (int i = 0; i < bits; i++)
		if ((a[i / 8] ^ b[i / 8]) & (0x80 >> (i % 8)))
			return false;
	return true;
}

bool net_prefix_overlap(const struct net_prefix *a, const struct net_prefix *b)
{
	if (a->family != b->family)
		return false;
	return same_bits(a->addr, b->addr, a->len < b->len ? a->len : b->len);
}

int64_t net_prefix_index(const struct net_prefix *p, const unsigned char addr[16])
{
	int max = addr_len(p->family) * 8;
	if (!same_bits(p->addr, addr, p->len))
		return -1;
	/* The low bits (at most 20 of them count: net_prefix_hosts' cap). */
	int64_t i = 0;
	for (int bit = p->len; bit < max; bit++) {
		if (bit < max - 40)
			continue;
		i = (i << 1) | !!(addr[bit / 8] & (0x80 >> (bit % 8)));
	}
	if (max - p->len > 40) {
		/* Bits above the low 40 must be zero for an index we hand out. */
		for (int bit = p->len; bit < max - 40; bit++)
			if (addr[bit / 8] & (0x80 >> (bit % 8)))
				return -1;
	}
	return i;
}

int64_t net_prefix_hosts(const struct net_prefix *p)
{
	int bits = addr_len(p->family) * 8 - p->len;
	if (bits > 20)
		return (int64_t) 1 << 20;
	int64_t n = (int64_t) 1 << bits;
	return p->family == AF_INET ? n - 1 : n;
}

void net_prefix_nth(const struct net_prefix *p, int64_t i, char *out, size_t len)
{
	/* The host bits of the network are zero and i fits in them: OR. */
	unsigned char a[16];
	memcpy(a, p->addr, 16);
	for (int k = addr_len(p->family) - 1; k >= 0 && i; k--, i >>= 8)
		a[k] |= (unsigned char) (i & 0xff);
	inet_ntop(p->family, a, out, len);
}
