#include "cli/cli.h"

static int run_delete(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool force = false;
	int c, r;
	while ((c = cli_getopt(&cmd_delete, argc, argv, "fh", opts, err)) != -1) {
		if (c == '?')
			return -1;
		force = true;
	}
	if ((r = cli_positional(&cmd_delete, argc, argv, 1, 1, err)) < 0)
		return r;
	return container_delete(g->root, argv[optind], force, err);
}

const struct command cmd_delete = {
	.name = "delete",
	.summary = "delete a container and its state (--force kills it first)",
	.usage = "[--force|-f] ID",
	.run = run_delete,
};
