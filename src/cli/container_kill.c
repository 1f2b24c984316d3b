#include <signal.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "util/cleanup.h"
#include "util/signals.h"

static int run_kill(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = {
		{ "signal", required_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' }, { 0 }
	};
	int c, sig = SIGKILL, r;
	while ((c = cli_getopt(&cmd_container_kill, argc, argv, "s:h", opts, err)) != -1) {
		if (c == '?')
			return -1;
		if ((r = signal_parse(optarg, &sig, err)) < 0)
			return husk_wrap(err, "container kill: -s %s", optarg);
	}
	r = cli_positional(&cmd_container_kill, argc, argv, 1, 1000, err);
	struct engine_ctx ctx;
	cleanup_free char *store = NULL;
	if (r < 0 || (r = cli_engine_ctx(g, &ctx, &store, err)) < 0)
		return r;
	for (int i = optind; i < argc; i++)
		if ((r = engine_kill(&ctx, argv[i], sig, err)) < 0)
			return r;
	return 0;
}

const struct command cmd_container_kill = {
	.name = "container kill",
	.summary = "send a signal (SIGKILL) to running containers",
	.usage = "[-s|--signal SIG] CONTAINER...",
	.run = run_kill,
};
