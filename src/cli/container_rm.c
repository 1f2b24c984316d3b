#include <stdbool.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "util/cleanup.h"

static int run_rm(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' }, { 0 }
	};
	int c;
	bool force = false;
	while ((c = cli_getopt(&cmd_container_rm, argc, argv, "fh", opts, err)) != -1) {
		if (c == '?')
			return -1;
		force = true;
	}
	int r = cli_positional(&cmd_container_rm, argc, argv, 1, 100000, err);
	struct engine_ctx ctx;
	cleanup_free char *store = NULL;
	if (r < 0 || (r = cli_engine_ctx(g, &ctx, &store, err)) < 0)
		return r;
	for (int i = optind; i < argc; i++)
		if ((r = engine_rm(&ctx, argv[i], force, err)) < 0)
			return r;
	return 0;
}

const struct command cmd_container_rm = {
	.name = "container rm",
	.summary = "remove containers: their rootfs mount, upper dir and runtime state",
	.usage = "[-f|--force] CONTAINER...",
	.run = run_rm,
};
