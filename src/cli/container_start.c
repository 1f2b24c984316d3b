#include <errno.h>
#include <sys/prctl.h>

#include "cli/cli.h"
#include "util/cleanup.h"

static int run_start(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = { { "detach", no_argument, NULL, 'd' },
					      { "help", no_argument, NULL, 'h' }, { 0 } };
	int c;
	bool detach = false;
	while ((c = cli_getopt(&cmd_container_start, argc, argv, "+dh", opts, err)) != -1) {
		if (c == '?')
			return -1;
		detach |= c == 'd';
	}
	int r = cli_positional(&cmd_container_start, argc, argv, 1, 1, err), status = 0;
	struct engine_ctx ctx;
	cleanup_free char *store = NULL;
	if (r < 0 || (r = cli_engine_ctx_enter(g, &ctx, &store, err)) < 0)
		return r;
	if (detach)   /* under a shim, as run -d: husk returns once it runs */
		return engine_start_detached(&ctx, argv[optind], err);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return husk_fail(err, errno, "become a subreaper");
	if ((r = engine_start(&ctx, argv[optind], &status, err)) < 0)
		return r;
	return status;
}

const struct command cmd_container_start = {
	.name = "container start",
	.summary = "run a created or stopped container in the foreground",
	.usage = "[-d] CONTAINER",
	.run = run_start,
};
