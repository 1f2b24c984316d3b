#include <stdbool.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "util/cleanup.h"

static int run_exec(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = {
		{ "interactive", no_argument, NULL, 'i' }, { "tty", no_argument, NULL, 't' },
		{ "detach", no_argument, NULL, 'd' }, { "help", no_argument, NULL, 'h' }, { 0 }
	};
	int c, status = 0;
	bool tty = false, detach = false;
	while ((c = cli_getopt(&cmd_container_exec, argc, argv, "+itdh", opts, err)) != -1) {
		if (c == '?')
			return -1;
		if (c == 't')
			tty = true;
		if (c == 'd')
			detach = true;
	}
	int r = cli_positional(&cmd_container_exec, argc, argv, 2, 100000, err);
	struct engine_ctx ctx;
	cleanup_free char *store = NULL;
	if (r < 0 || (r = cli_engine_ctx(g, &ctx, &store, err)) < 0)
		return r;
	if (detach && tty)
		return husk_fail(err, 0, "container exec: -d with -t: a detached terminal needs the "
				 "shim (not yet)");
	if (detach)
		return engine_exec_detached(&ctx, argv[optind], argv + optind + 1, err);
	if ((r = engine_exec(&ctx, argv[optind], argv + optind + 1, tty, &status, err)) < 0)
		return r;
	return status;
}

const struct command cmd_container_exec = {
	.name = "container exec",
	.summary = "run a command in a running container, in the foreground",
	.usage = "[-d] [-i] [-t] CONTAINER COMMAND [ARG...]",
	.run = run_exec,
};
