/* husk network create|ls|inspect|rm|prune: husk's own bridge networks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "net/network.h"
#include "util/cleanup.h"
#include "util/json.h"

static int run_create(const struct globals *g, int argc, char **argv, husk_error **err)
{
	enum { O_SUBNET = 256, O_GW, O_INTERNAL, O_IPV6 };
	static const struct option opts[] = {
		{ "subnet", required_argument, NULL, O_SUBNET },
		{ "gateway", required_argument, NULL, O_GW },
		{ "internal", no_argument, NULL, O_INTERNAL },
		{ "ipv6", no_argument, NULL, O_IPV6 },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct net_create_opts o = { 0 };
	const char *subnets[3] = { 0 }, *gws[3] = { 0 };
	size_t ns = 0, ng = 0;
	int c;
	while ((c = cli_getopt(&cmd_network_create, argc, argv, "h", opts, err)) != -1) {
		switch (c) {
		case '?': return -1;
		case O_SUBNET:
			if (ns == 2)
				return husk_fail(err, 0, "network create: --subnet: at most one IPv4 and one IPv6");
			subnets[ns++] = optarg;
			break;
		case O_GW:
			if (ng == 2)
				return husk_fail(err, 0, "network create: --gateway: at most one IPv4 and one IPv6");
			gws[ng++] = optarg;
			break;
		case O_INTERNAL: o.internal = true; break;
		case O_IPV6: o.ipv6 = true; break;
		}
	}
	int r = cli_positional(&cmd_network_create, argc, argv, 1, 1, err);
	struct engine_ctx ctx;
	cleanup_free char *store = NULL;
	if (r < 0 || (r = cli_engine_ctx(g, &ctx, &store, err)) < 0)
		return r;
	o.name = argv[optind];
	/* Each --subnet and --gateway by its family. */
	for (size_t i = 0; i < ns; i++) {
		const char **slot = strchr(subnets[i], ':') ? &o.subnet6 : &o.subnet;
		if (*slot)
			return husk_fail(err, 0, "network create: --subnet %s: two of one family", subnets[i]);
		*slot = subnets[i];
	}
	for (size_t i = 0; i < ng; i++)
		*(strchr(gws[i], ':') ? &o.gateway6 : &o.gateway) = gws[i];
	if (!o.subnet && o.gateway)
		return husk_fail(err, 0, "network create: --gateway %s: needs --subnet", o.gateway);
	cleanup_json json_object *def = NULL;
	if ((r = engine_network_create(&ctx, &o, &def, err)) < 0)
		return r;
	puts(o.name);
	return 0;
}

static int run_ls(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = { { "quiet", no_argument, NULL, 'q' },
					      { "help", no_argument, NULL, 'h' }, { 0 } };
	bool quiet = false;
	int c;
	while ((c = cli_getopt(&cmd_network_ls, argc, argv, "qh", opts, err)) != -1) {
		if (c == '?')
			return -1;
		if (c == 'q')
			quiet = true;
	}
	int r = cli_positional(&cmd_network_ls, argc, argv, 0, 0, err);
	struct engine_ctx ctx;
	cleanup_free char *store = NULL;
	cleanup_json json_object *list = NULL;
	if (r < 0 || (r = cli_engine_ctx(g, &ctx, &store, err)) < 0 ||
	    (r = engine_network_list(&ctx, &list, err)) < 0)
		return r;
	if (!quiet)
		printf("%-20s %-8s %-20s %-10s %s\n", "NAME", "DRIVER", "SUBNET", "INTERNAL", "CONTAINERS");
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *n = json_object_array_get_idx(list, i);
		const char *name = json_object_get_string(json_member(n, "Name"));
		if (quiet) {
			puts(name);
			continue;
		}
		json_object *conf = json_member(json_member(n, "IPAM"), "Config");
		printf("%-20s %-8s %-20s %-10s %d\n", name, "bridge",
		       json_object_get_string(json_member(json_object_array_get_idx(conf, 0), "Subnet")),
		       json_object_get_boolean(json_member(n, "Internal")) ? "true" : "false",
		       json_object_object_length(json_member(n, "Containers")));
	}
	return 0;
}

static int network_inspect_one(const struct engine_ctx *c, const char *name, json_object **ret,
			       husk_error **err)
{
	return engine_network_inspect(c, name, ret, err) < 0 ? husk_wrap(err, "network inspect") : 0;
}

static int run_inspect(const struct globals *g, int argc, char **argv, husk_error **err)
{
	return cli_inspect_run(&cmd_network_inspect, g, argc, argv, network_inspect_one, err);
}

static int run_rm(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int c;
	while ((c = cli_getopt(&cmd_network_rm, argc, argv, "h", opts, err)) != -1)
		if (c == '?')
			return -1;
	int r = cli_positional(&cmd_network_rm, argc, argv, 1, 100000, err);
	struct engine_ctx ctx;
	cleanup_free char *store = NULL;
	if (r < 0 || (r = cli_engine_ctx(g, &ctx, &store, err)) < 0)
		return r;
	for (int i = optind; i < argc; i++) {
		if ((r = engine_network_rm(&ctx, argv[i], err)) < 0)
			return r;
		puts(argv[i]);
	}
	return 0;
}

static int run_prune(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = { { "force", no_argument, NULL, 'f' },
					      { "help", no_argument, NULL, 'h' }, { 0 } };
	int c;
	while ((c = cli_getopt(&cmd_network_prune, argc, argv, "fh", opts, err)) != -1)
		if (c == '?')
			return -1;
	int r = cli_positional(&cmd_network_prune, argc, argv, 0, 0, err);
	struct engine_ctx ctx;
	cleanup_free char *store = NULL;
	cleanup_json json_object *gone = NULL;
	if (r < 0 || (r = cli_engine_ctx(g, &ctx, &store, err)) < 0 ||
	    (r = engine_network_prune(&ctx, &gone, err)) < 0)
		return r;
	for (size_t i = 0; i < json_object_array_length(gone); i++)
		puts(json_object_get_string(json_object_array_get_idx(gone, i)));
	return 0;
}

const struct command cmd_network_create = {
	.name = "network create",
	.summary = "create a bridge network (bridge: set the default network's subnet)",
	.usage = "[--subnet CIDR] [--gateway ADDRESS] [--internal] [--ipv6 --subnet CIDR6] NAME",
	.run = run_create,
};
const struct command cmd_network_ls = {
	.name = "network ls",
	.summary = "list the bridge networks",
	.usage = "[-q]",
	.run = run_ls,
};
const struct command cmd_network_inspect = {
	.name = "network inspect",
	.summary = "show networks as a JSON array in docker's shape",
	.usage = "NETWORK...",
	.run = run_inspect,
};
const struct command cmd_network_rm = {
	.name = "network rm",
	.summary = "remove networks that no container is on (their bridge and rules too)",
	.usage = "NETWORK...",
	.run = run_rm,
};
const struct command cmd_network_prune = {
	.name = "network prune",
	.summary = "remove every network that no container is on",
	.usage = "[-f]",
	.run = run_prune,
};
