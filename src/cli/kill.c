#include <signal.h>

#include "cli/cli.h"
#include "util/signals.h"

static int run_kill(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool all = false;
	int c, r, sig = SIGTERM;
	while ((c = cli_getopt(&cmd_kill, argc, argv, "ah", opts, err)) != -1) {
		if (c == '?')
			return -1;
		all = true;
	}
	if ((r = cli_positional(&cmd_kill, argc, argv, 1, 2, err)) < 0)
		return r;
	if (argc - optind == 2 && (r = signal_parse(argv[optind + 1], &sig, err)) < 0)
		return r;
	return container_kill(g->root, argv[optind], sig, all, err);
}

const struct command cmd_kill = {
	.name = "kill",
	.summary = "send a signal (default SIGTERM) to the container's process",
	.usage = "[--all|-a] ID [SIGNAL]",
	.run = run_kill,
};
