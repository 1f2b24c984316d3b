/* husk container inspect */
#include "cli/cli.h"

static int run_inspect(const struct globals *g, int argc, char **argv, husk_error **err)
{
	return cli_inspect_run(&cmd_container_inspect, g, argc, argv, engine_inspect, err);
}

const struct command cmd_container_inspect = {
	.name = "container inspect",
	.summary = "show containers as a JSON array in docker's shape",
	.usage = "CONTAINER...",
	.run = run_inspect,
};
