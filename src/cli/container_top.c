/* `husk container top CONTAINER [ps options]`: the container's processes
 * as the host's ps shows them (default -ef), as docker top. */
#include <errno.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "util/cleanup.h"

static int run_top(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int c, r;
	/* '+': what follows the container is ps's */
	while ((c = cli_getopt(&cmd_container_top, argc, argv, "+h", opts, err)) != -1)
		if (c == '?')
			return -1;
	if ((r = cli_positional(&cmd_container_top, argc, argv, 1, -1, err)) < 0)
		return r;
	struct engine_ctx ctx;
	cleanup_free char *store = NULL;
	char id[ENGINE_ID_LEN + 1];
	if ((r = cli_engine_ctx(g, &ctx, &store, err)) < 0 ||
	    (r = engine_running_id(&ctx, argv[optind], id, NULL, NULL, err)) < 0)
		return r;
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	if ((r = container_pids(ctx.root, id, &pids, &n, err)) < 0)
		return husk_wrap(err, "container top %s", argv[optind]);
	int k = argc - optind - 1;
	cleanup_free char **args = calloc(k + 3, sizeof(char *));
	if (!args)
		return husk_fail(err, ENOMEM, "container top");
	args[0] = "ps";
	if (k == 0)
		args[1] = "-ef";
	for (int i = 0; i < k; i++)
		args[i + 1] = argv[optind + 1 + i];
	fflush(stdout);
	if ((r = cli_ps_filter(args, pids, n, err)) < 0)
		return husk_wrap(err, "container top %s", argv[optind]);
	return 0;
}

const struct command cmd_container_top = {
	.name = "container top",
	.summary = "list the processes of a running container (ps on the host)",
	.usage = "CONTAINER [ps options]",
	.run = run_top,
};
