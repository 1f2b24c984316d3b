#include "cli/cli.h"

static int run_start(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int c, r;
	while ((c = cli_getopt(&cmd_start, argc, argv, "h", opts, err)) != -1)
		if (c == '?')
			return -1;
	if ((r = cli_positional(&cmd_start, argc, argv, 1, 1, err)) < 0)
		return r;
	return container_start(g->root, argv[optind], err);
}

const struct command cmd_start = {
	.name = "start",
	.summary = "run the user's program in a created container",
	.usage = "ID",
	.run = run_start,
};
