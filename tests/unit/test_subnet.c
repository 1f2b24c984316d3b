/* The prefixes of husk's bridge networks (src/net/subnet.c): parsing, the
 * refusals of network create, overlap, and the n-th address. */
#include <arpa/inet.h>

#include "net/subnet.h"
#include "tap.h"

static void parses(const char *cidr, int family, int len)
{
	husk_error *err = NULL;
	struct net_prefix p;
	int r = net_prefix_parse(cidr, &p, &err);
	if (!ok(r == 0 && p.family == family && p.len == len, "%s parses", cidr))
		diag("error %s", err ? err->msg : "none");
	husk_error_free(err);
}

static void refuses(const char *cidr, const char *why)
{
	husk_error *err = NULL;
	struct net_prefix p;
	ok(net_prefix_parse(cidr, &p, &err) < 0, "%s is refused", cidr);
	like(err ? err->msg : NULL, why, "with the reason");
	husk_error_free(err);
}

static struct net_prefix pfx(const char *cidr)
{
	struct net_prefix p = { 0 };
	husk_error *err = NULL;
	net_prefix_parse(cidr, &p, &err);
	husk_error_free(err);
	return p;
}

static void test_parse(void)
{
	parses("198.18.0.0/24", AF_INET, 24);
	parses("198.18.0.0/15", AF_INET, 15);
	parses("fd00:1998::/64", AF_INET6, 64);
	refuses("198.18.0.1/24", "host bits set (the network is 198.18.0.0/24)");
	refuses("198.18.0.0", "expects ADDRESS/LENGTH");
	refuses("198.18.0.0/33", "prefix length");
	refuses("198.18.0.0/31", "too small");
	refuses("198.18.0.0/x", "prefix length");
	refuses("198.18.0/24", "not an IP address");
	refuses("fd00::1/64", "host bits set");
}

static void test_overlap(void)
{
	struct net_prefix a = pfx("198.18.0.0/24"), b = pfx("198.18.0.128/25"),
			  c = pfx("198.18.1.0/24"), big = pfx("198.18.0.0/15"), v6 = pfx("fd00::/64");
	ok(net_prefix_overlap(&a, &b) && net_prefix_overlap(&b, &a), "a /25 inside a /24 overlaps it");
	ok(!net_prefix_overlap(&a, &c), "neighbouring /24s do not");
	ok(net_prefix_overlap(&big, &c), "a /15 overlaps the /24s in it");
	ok(!net_prefix_overlap(&a, &v6), "families never overlap");
}

static void test_nth(void)
{
	struct net_prefix p = pfx("198.18.4.0/22"), six = pfx("fd00:1998::/64");
	char s[64];
	net_prefix_nth(&p, 1, s, sizeof(s));
	is_str(s, "198.18.4.1", "index 1 of a /22");
	net_prefix_nth(&p, 300, s, sizeof(s));
	is_str(s, "198.18.5.44", "index 300 crosses a byte");
	is_int((int) net_prefix_hosts(&p), 1023, "a /22 has 1023 indexes (broadcast left out)");
	net_prefix_nth(&six, 9, s, sizeof(s));
	is_str(s, "fd00:1998::9", "IPv6 index 9");
	unsigned char a[16] = { 0 };
	inet_pton(AF_INET, "198.18.5.44", a);
	is_int((int) net_prefix_index(&p, a), 300, "the index of an address");
	inet_pton(AF_INET, "198.18.8.1", a);
	is_int((int) net_prefix_index(&p, a), -1, "outside: -1");
}

int main(void)
{
	tap_init();
	tap_group(test_parse);
	tap_group(test_overlap);
	tap_group(test_nth);
	return tap_done();
}
