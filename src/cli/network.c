/* `husk network VERB`: container networks. */
#include "cli/cli.h"

static const struct command *const network_verbs[] = {
	&cmd_network_create, &cmd_network_ls, &cmd_network_inspect, &cmd_network_rm,
	&cmd_network_prune, &cmd_network_check, NULL,
};

static const struct noun network_noun = {
	.name = "network",
	.summary = "manage container networks",
	.verbs = network_verbs,
};

static int run_network(const struct globals *g, int argc, char **argv, husk_error **err)
{
	return cli_noun_run(&network_noun, g, argc, argv, err);
}

const struct command cmd_network = {
	.name = "network",
	.summary = "manage container networks: create, ls, inspect, rm, prune, check",
	.usage = "COMMAND [options] [arguments]",
	.run = run_network,
};
