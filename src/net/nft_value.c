#include "net/nft_value.h"

#include <errno.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>


static bool name_char(char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return !first && (c == '_' || c == '.' || c == '-');
}

static int check_alphabet(const char *what, const char *s, size_t max, husk_error **err)
{
	if (s == NULL || *s == '\0')
		return husk_fail(err, 0, "%s: empty", what);
	size_t len = strnlen(s, max + 1);
	if (len > max)
		return husk_fail(err, 0, "%s: longer than %zu bytes", what, max);
	for (size_t i = 0; i < len; i++)
		if (!name_char(s[i], i == 0))
			return husk_fail(err, 0, "%s '%.*s': only letters, digits and _ . - (not first) are allowed",
					 what, (int) len, s);
	return 0;
}

int nft_value_name(const char *what, const char *s, husk_error **err)
{
	return check_alphabet(what, s, NFT_NAME_MAX, err);
}

int nft_value_ifname(const char *s, husk_error **err)
{
	return check_alphabet("bridge interface name", s, IFNAMSIZ - 1, err);
}

int nft_value_addr(const char *what, const char *s, struct nft_addr *a, husk_error **err)
{
	unsigned char bin[sizeof(struct in6_addr)];
	if (s == NULL)
		return husk_fail(err, 0, "%s: missing", what);
	a->family = strchr(s, ':') != NULL ? AF_INET6 : AF_INET;
	if (inet_pton(a->family, s, bin) != 1 || inet_ntop(a->family, bin, a->text, sizeof(a->text)) == NULL)
		return husk_fail(err, 0, "%s '%.64s': not an IPv4 or IPv6 address", what, s);
	return 0;
}

int nft_value_cidr(const char *s, struct nft_cidr *c, husk_error **err)
{
	if (s == NULL)
		return husk_fail(err, 0, "subnet: missing");
	const char *slash = strchr(s, '/');
	if (slash == NULL || slash - s >= INET6_ADDRSTRLEN)
		return husk_fail(err, 0, "subnet '%.64s': not ADDR/LEN", s);
	char addr[INET6_ADDRSTRLEN];
	memcpy(addr, s, (size_t) (slash - s));
	addr[slash - s] = '\0';
	c->family = strchr(addr, ':') != NULL ? AF_INET6 : AF_INET;
	unsigned width = c->family == AF_INET ? 32 : 128;
	unsigned char bin[sizeof(struct in6_addr)];
	if (inet_pton(c->family, addr, bin) != 1)
		return husk_fail(err, 0, "subnet '%.64s': not an IPv4 or IPv6 address", s);
	const char *p = slash + 1;
	unsigned len = 0;
	if (*p == '\0' || strlen(p) > 3)
		return husk_fail(err, 0, "subnet '%.64s': the prefix length is not a number", s);
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return husk_fail(err, 0, "subnet '%.64s': the prefix length is not a number", s);
		len = len * 10 + (unsigned) (*p - '0');
	}
	if (len < 1 || len > width)
		return husk_fail(err, 0, "subnet '%.64s': the prefix length must be 1 to %u", s, width);
	for (unsigned bit = len; bit < width; bit++)
		if (bin[bit / 8] & (0x80u >> (bit % 8)))
			return husk_fail(err, 0, "subnet '%.64s': host bits are set", s);
	char canon[INET6_ADDRSTRLEN];
	if (inet_ntop(c->family, bin, canon, sizeof(canon)) == NULL)
		return husk_fail(err, errno, "subnet '%.64s'", s);
	snprintf(c->text, sizeof(c->text), "%s/%u", canon, len);
	return 0;
}
