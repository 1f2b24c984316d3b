#include <stdlib.h>

#include "cli/cli.h"
#include "util/cleanup.h"

static int run_stop(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = {
		{ "time", required_argument, NULL, 't' }, { "help", no_argument, NULL, 'h' }, { 0 }
	};
	int c, timeout = 10;
	while ((c = cli_getopt(&cmd_container_stop, argc, argv, "t:h", opts, err)) != -1) {
		if (c == '?')
			return -1;
		char *end;
		timeout = (int) strtol(optarg, &end, 10);
		if (*end || end == optarg || timeout < 0)
			return husk_fail(err, 0, "container stop: -t %s: expects seconds", optarg);
	}
	int r = cli_positional(&cmd_container_stop, argc, argv, 1, 1000, err);
	struct engine_ctx ctx;
	cleanup_free char *store = NULL;
	if (r < 0 || (r = cli_engine_ctx(g, &ctx, &store, err)) < 0)
		return r;
	for (int i = optind; i < argc; i++)
		if ((r = engine_stop(&ctx, argv[i], timeout, err)) < 0)
			return r;
	return 0;
}

const struct command cmd_container_stop = {
	.name = "container stop",
	.summary = "stop containers: their StopSignal, then SIGKILL after -t seconds (10)",
	.usage = "[-t|--time N] CONTAINER...",
	.run = run_stop,
};
