#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/cleanup.h"

static int run_logs(const struct globals *g, int argc, char **argv, husk_error **err)
{
	enum { O_TAIL = 256, O_SINCE };
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "timestamps", no_argument, NULL, 't' },
		{ "tail", required_argument, NULL, O_TAIL },
		{ "since", required_argument, NULL, O_SINCE },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct engine_logs_options o = { .tail = -1 };
	int c;
	char *end;
	while ((c = cli_getopt(&cmd_container_logs, argc, argv, "+fth", opts, err)) != -1) {
		switch (c) {
		case '?': return -1;
		case 'f': o.follow = true; break;
		case 't': o.timestamps = true; break;
		case O_SINCE: o.since = optarg; break;
		case O_TAIL:
			errno = 0;
			o.tail = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || o.tail < 0)
				return husk_fail(err, EINVAL, "container logs: --tail %s: expects a count",
						 optarg);
			break;
		}
	}
	int r = cli_positional(&cmd_container_logs, argc, argv, 1, 1, err);
	struct engine_ctx ctx;
	cleanup_free char *store = NULL;
	if (r < 0 || (r = cli_engine_ctx(g, &ctx, &store, err)) < 0)
		return r;
	return engine_logs(&ctx, argv[optind], &o, STDOUT_FILENO, err);
}

const struct command cmd_container_logs = {
	.name = "container logs",
	.summary = "print a container's log (-f: follow it until the container exits)",
	.usage = "[-f] [-t] [--tail N] [--since TIME] CONTAINER",
	.run = run_logs,
};
