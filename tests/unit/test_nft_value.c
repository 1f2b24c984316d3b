/* src/net/nft_value.c: the values that may go into husk's nftables
 * commands.  Whatever is accepted is written back canonically; anything
 * that could carry nft syntax (quotes, ';', braces, spaces, newlines) or
 * spoof husk's chain names ('/') is refused. */
#include <string.h>

#include "net/nft_value.h"
#include "tap.h"

static void name(const char *s, bool want, const char *label)
{
	husk_error *err = NULL;
	int r = nft_value_name("network name", s, &err);
	ok((r == 0) == want && (err != NULL) == !want, "name %s: %s", label, want ? "accepted" : "refused");
	husk_error_free(err);
}

static void ifname(const char *s, bool want, const char *label)
{
	husk_error *err = NULL;
	int r = nft_value_ifname(s, &err);
	ok((r == 0) == want, "bridge %s: %s", label, want ? "accepted" : "refused");
	husk_error_free(err);
}

static void cidr(const char *s, const char *want, const char *label)
{
	husk_error *err = NULL;
	struct nft_cidr c;
	int r = nft_value_cidr(s, &c, &err);
	if (want != NULL)
		is_str(r == 0 ? c.text : err->msg, want, "subnet %s", label);
	else
		ok(r < 0 && err != NULL, "subnet %s: refused", label);
	husk_error_free(err);
}

static void addr(const char *s, const char *want, const char *label)
{
	husk_error *err = NULL;
	struct nft_addr a;
	int r = nft_value_addr("address", s, &a, &err);
	if (want != NULL)
		is_str(r == 0 ? a.text : err->msg, want, "address %s", label);
	else
		ok(r < 0 && err != NULL, "address %s: refused", label);
	husk_error_free(err);
}

static void test_values(void)
{
	char longest[NFT_NAME_MAX + 2];
	memset(longest, 'a', sizeof(longest));
	longest[NFT_NAME_MAX] = '\0';
	name(longest, true, "of 128 bytes");
	longest[NFT_NAME_MAX] = 'a';
	longest[NFT_NAME_MAX + 1] = '\0';
	name(longest, false, "of 129 bytes");
	static const struct { const char *in; bool want; const char *label; } names[] = {
		{ "net-1_a.b", true, "net-1_a.b" },
		{ "x; flush ruleset", false, "with ; and spaces" },
		{ "x\"", false, "with a quote" },
		{ "a/b", false, "with a slash (a chain name of another owner)" },
		{ "x\nflush ruleset", false, "with a newline" },
		{ "x}", false, "with a brace" },
		{ "-x", false, "starting with -" },
		{ ".x", false, "starting with ." },
		{ "", false, "empty" },
		{ NULL, false, "NULL" },
	}, bridges[] = {
		{ "husk0", true, "husk0" },
		{ "abcdefghijklmno", true, "of 15 bytes" },
		{ "abcdefghijklmnop", false, "of 16 bytes" },
		{ "br\"0", false, "with a quote" },
		{ "..", false, ".." },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		name(names[i].in, names[i].want, names[i].label);
	for (size_t i = 0; i < sizeof(bridges) / sizeof(bridges[0]); i++)
		ifname(bridges[i].in, bridges[i].want, bridges[i].label);

	/* input, its canonical form or NULL: refused */
	static const struct { const char *in, *want, *label; } subnets[] = {
		{ "198.18.0.0/24", "198.18.0.0/24", "198.18.0.0/24" },
		{ "fd18:0:0::/64", "fd18::/64", "fd18:0:0::/64 (canonical)" },
		{ "198.18.0.0/024", "198.18.0.0/24", "with a zero-padded length (written back)" },
		{ "198.18.0.1/24", NULL, "with host bits" },
		{ "198.18.0.0/0", NULL, "of length 0" },
		{ "198.18.0.0/33", NULL, "of length 33" },
		{ "fd18::/129", NULL, "of length 129" },
		{ "198.18.0.0/24; flush ruleset", NULL, "with a command after it" },
		{ "198.18.0.0/+24", NULL, "with a sign" },
		{ "198.18.0.0/ 24", NULL, "with a space" },
		{ "198.18.0.0", NULL, "without a length" },
		{ "198.018.0.0/24", NULL, "with a leading zero" },
	}, addrs[] = {
		{ "198.18.0.2", "198.18.0.2", "198.18.0.2" },
		{ "FD18::0002", "fd18::2", "FD18::0002 (canonical)" },
		{ "198.18.0.2 }", NULL, "with a brace" },
		{ "198.18.0.2;", NULL, "with ;" },
		{ "[fd18::2]", NULL, "in brackets" },
		{ "localhost", NULL, "a host name" },
	};
	for (size_t i = 0; i < sizeof(subnets) / sizeof(subnets[0]); i++)
		cidr(subnets[i].in, subnets[i].want, subnets[i].label);
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++)
		addr(addrs[i].in, addrs[i].want, addrs[i].label);
}

int main(void)
{
	tap_init();
	tap_group(test_values);
	return tap_done();
}
