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
	name("net-1_a.b", true, "net-1_a.b");
	name("x; flush ruleset", false, "with ; and spaces");
	name("x\"", false, "with a quote");
	name("a/b", false, "with a slash (a chain name of another owner)");
	name("x\nflush ruleset", false, "with a newline");
	name("x}", false, "with a brace");
	name("-x", false, "starting with -");
	name(".x", false, "starting with .");
	name("", false, "empty");
	name(NULL, false, "NULL");

	ifname("husk0", true, "husk0");
	ifname("abcdefghijklmno", true, "of 15 bytes");
	ifname("abcdefghijklmnop", false, "of 16 bytes");
	ifname("br\"0", false, "with a quote");
	ifname("..", false, "..");

	cidr("198.18.0.0/24", "198.18.0.0/24", "198.18.0.0/24");
	cidr("fd18:0:0::/64", "fd18::/64", "fd18:0:0::/64 (canonical)");
	cidr("198.18.0.1/24", NULL, "with host bits");
	cidr("198.18.0.0/0", NULL, "of length 0");
	cidr("198.18.0.0/33", NULL, "of length 33");
	cidr("fd18::/129", NULL, "of length 129");
	cidr("198.18.0.0/24; flush ruleset", NULL, "with a command after it");
	cidr("198.18.0.0/+24", NULL, "with a sign");
	cidr("198.18.0.0/ 24", NULL, "with a space");
	cidr("198.18.0.0", NULL, "without a length");
	cidr("198.018.0.0/24", NULL, "with a leading zero");
	cidr("198.18.0.0/024", "198.18.0.0/24", "with a zero-padded length (written back)");

	addr("198.18.0.2", "198.18.0.2", "198.18.0.2");
	addr("FD18::0002", "fd18::2", "FD18::0002 (canonical)");
	addr("198.18.0.2 }", NULL, "with a brace");
	addr("198.18.0.2;", NULL, "with ;");
	addr("[fd18::2]", NULL, "in brackets");
	addr("localhost", NULL, "a host name");
}

int main(void)
{
	tap_init();
	tap_group(test_values);
	return tap_done();
}
