/* `husk network check CONTAINER`: CNI's CHECK of a running container's
 * network (--network cni:NAME). */
#include <stdlib.h>

#include "cli/cli.h"
#include "util/cleanup.h"

static int run_check(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int c;
	while ((c = cli_getopt(&cmd_network_check, argc, argv, "h", opts, err)) != -1)
		if (c == '?')
			return -1;
	int r = cli_positional(&cmd_network_check, argc, argv, 1, 1000, err);
	struct engine_ctx ctx;
	cleanup_free char *store = NULL;
	if (r < 0 || (r = cli_engine_ctx(g, &ctx, &store, err)) < 0)
		return r;
	for (int i = optind; i < argc; i++)
		if ((r = engine_network_check(&ctx, argv[i], err)) < 0)
			return r;
	return 0;
}

const struct command cmd_network_check = {
	.name = "network check",
	.summary = "check the CNI network of running containers (CNI CHECK)",
	.usage = "CONTAINER...",
	.run = run_check,
};
