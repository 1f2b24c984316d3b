/* `husk container VERB`: containers made from images (src/engine/). */
#include "cli/cli.h"

static const struct command *const container_verbs[] = {
	&cmd_container_create, &cmd_container_run, &cmd_container_ls, &cmd_container_inspect,
	&cmd_container_start, &cmd_container_stop, &cmd_container_kill, &cmd_container_rm,
	&cmd_container_exec, &cmd_container_attach, &cmd_container_logs, &cmd_container_wait,
	&cmd_container_top, &cmd_container_stats, NULL,
};

static const struct noun container_noun = {
	.name = "container",
	.summary = "manage containers made from images of the store",
	.verbs = container_verbs,
};

static int run_container(const struct globals *g, int argc, char **argv, husk_error **err)
{
	return cli_noun_run(&container_noun, g, argc, argv, err);
}

const struct command cmd_container = {
	.name = "container",
	.summary = "manage containers from images: create, run, ls, inspect, start, stop, kill, rm, exec, attach, top, stats",
	.usage = "COMMAND [options] [arguments]",
	.run = run_container,
};
