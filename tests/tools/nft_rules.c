/* Drives src/net/nft.h for tests/integration/network_nft.bats and
 * bench/network_throughput, in the network namespace it is run in:
 *   nft_rules network-add NAME BRIDGE SUBNET [internal]
 *   nft_rules network-del NAME
 *   nft_rules ports-add CTR NETWORK HOSTIP,HOSTPORT,CTRIP,CTRPORT,PROTO...  (HOSTIP - : any)
 *   nft_rules ports-del CTR
 *   nft_rules list          the whole ruleset of the netns, as `nft list ruleset`
 *   nft_rules exec TEXT     nft commands of the test's own (a table not husk's)
 * An error is one line "nft_rules: <what>: <why>" and exit status 1. */
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/nft.h"
#include "util/cleanup.h"

static int parse_port(char *spec, struct net_nft_port *p)
{
	char *f[5];
	for (int i = 0; i < 5; i++) {
		f[i] = strsep(&spec, ",");
		if (f[i] == NULL)
			return -1;
	}
	p->host_ip = strcmp(f[0], "-") == 0 ? NULL : f[0];
	p->host_port = (uint16_t) strtoul(f[1], NULL, 10);
	p->ctr_ip = f[2];
	p->ctr_port = (uint16_t) strtoul(f[3], NULL, 10);
	p->proto = f[4];
	return 0;
}

static int run_nft(const char *cmd)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	int r = ctx != NULL ? nft_run_cmd_from_buffer(ctx, cmd) : -1;
	if (ctx != NULL)
		nft_ctx_free(ctx);
	return r == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	cleanup_error husk_error *err = NULL;
	const char *cmd = argc > 1 ? argv[1] : "";
	int r;
	if (strcmp(cmd, "network-add") == 0 && (argc == 5 || argc == 6)) {
		struct net_nft_network n = { argv[2], argv[3], argv[4], argc == 6 && strcmp(argv[5], "internal") == 0 };
		r = net_nft_network_add(&n, &err);
	} else if (strcmp(cmd, "network-del") == 0 && argc == 3) {
		r = net_nft_network_del(argv[2], &err);
	} else if (strcmp(cmd, "ports-add") == 0 && argc >= 4) {
		size_t n = (size_t) (argc - 4);
		cleanup_free struct net_nft_port *p = calloc(n + 1, sizeof(*p));
		for (size_t i = 0; i < n; i++)
			if (p == NULL || parse_port(argv[4 + i], &p[i]) < 0) {
				fprintf(stderr, "nft_rules: bad port spec '%s'\n", argv[4 + i]);
				return 2;
			}
		r = net_nft_ports_add(argv[2], argv[3], p, n, &err);
	} else if (strcmp(cmd, "ports-del") == 0 && argc == 3) {
		r = net_nft_ports_del(argv[2], &err);
	} else if (strcmp(cmd, "list") == 0 && argc == 2) {
		return run_nft("list ruleset");
	} else if (strcmp(cmd, "exec") == 0 && argc == 3) {
		return run_nft(argv[2]);
	} else {
		fprintf(stderr, "usage: nft_rules network-add|network-del|ports-add|ports-del|list ...\n");
		return 2;
	}
	if (r < 0) {
		fprintf(stderr, "nft_rules: %s\n", err != NULL ? err->msg : "failed");
		return 1;
	}
	return 0;
}
