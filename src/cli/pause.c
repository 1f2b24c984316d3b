#include "cli/cli.h"

static int run_pause_resume(const struct command *cmd, bool pause, const struct globals *g, int argc,
			    char **argv, husk_error **err)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int c, r;
	while ((c = cli_getopt(cmd, argc, argv, "h", opts, err)) != -1)
		if (c == '?')
			return -1;
	if ((r = cli_positional(cmd, argc, argv, 1, 1, err)) < 0)
		return r;
	return container_pause(g->root, argv[optind], pause, err);
}

static int run_pause(const struct globals *g, int argc, char **argv, husk_error **err)
{
	return run_pause_resume(&cmd_pause, true, g, argc, argv, err);
}

static int run_resume(const struct globals *g, int argc, char **argv, husk_error **err)
{
	return run_pause_resume(&cmd_resume, false, g, argc, argv, err);
}

const struct command cmd_pause = {
	.name = "pause",
	.summary = "suspend every process of a container (cgroup freezer)",
	.usage = "ID",
	.run = run_pause,
};

const struct command cmd_resume = {
	.name = "resume",
	.summary = "resume a paused container",
	.usage = "ID",
	.run = run_resume,
};
