#include "cli/cli.h"
#include "util/cleanup.h"

static int run_start(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = { { "detach", no_argument, NULL, 'd' },
					      { "attach", no_argument, NULL, 'a' },
					      { "interactive", no_argument, NULL, 'i' },
					      { "help", no_argument, NULL, 'h' }, { 0 } };
	int c;
	bool detach = false;
	while ((c = cli_getopt(&cmd_container_start, argc, argv, "+daih", opts, err)) != -1) {
		if (c == '?')
			return -1;
		detach |= c == 'd';
	}
	int r = cli_positional(&cmd_container_start, argc, argv, 1, 1, err);
	struct engine_ctx ctx;
	cleanup_free char *store = NULL;
	if (r < 0 || (r = cli_engine_ctx_enter(g, &ctx, &store, err)) < 0)
		return r;
	if (detach)   /* under a shim, as run -d: husk returns once it runs */
		return engine_start_detached(&ctx, argv[optind], err);
	struct cli_attach_flags a = { .sig_proxy = true, .sig_proxy_tty = true,
				     .keys_tty_only = true, .stdin_once = true };
	return cli_run_attached(&ctx, argv[optind], &a, err);
}

const struct command cmd_container_start = {
	.name = "container start",
	.summary = "run a created or stopped container, attached to it (-d: detached)",
	.usage = "[-d] [-a] [-i] CONTAINER",
	.run = run_start,
};
