#include <stdio.h>

#include "cli/cli.h"
#include "util/cleanup.h"

static int run_wait(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int c;
	while ((c = cli_getopt(&cmd_container_wait, argc, argv, "+h", opts, err)) != -1)
		if (c == '?')
			return -1;
	int r = cli_positional(&cmd_container_wait, argc, argv, 1, 1, err), code = 0;
	struct engine_ctx ctx;
	cleanup_free char *store = NULL;
	if (r < 0 || (r = cli_engine_ctx(g, &ctx, &store, err)) < 0 ||
	    (r = engine_wait(&ctx, argv[optind], &code, err)) < 0)
		return r;
	printf("%d\n", code);
	return 0;
}

const struct command cmd_container_wait = {
	.name = "container wait",
	.summary = "wait for a container's end and print its exit code",
	.usage = "CONTAINER",
	.run = run_wait,
};
