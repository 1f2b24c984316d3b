#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "util/cleanup.h"

static int run_run(const struct globals *g, int argc, char **argv, husk_error **err)
{
	struct engine_flags f __attribute__((cleanup(cli_container_flags_free)));
	int at = cli_container_flags(&cmd_container_run, argc, argv, &f, err);
	if (at < 0)
		return at;
	struct engine_ctx c;
	cleanup_free char *store = NULL;
	char id[ENGINE_ID_LEN + 1];
	int r = cli_engine_ctx_enter(g, &c, &store, err);
	if (r < 0 || (r = engine_create(&c, argv[at], &f, id, err)) < 0)
		return r;
	if (f.detach) {
		/* Under a shim: husk returns once the container runs. */
		if ((r = engine_start_detached(&c, id, err)) < 0)
			return r;
		printf("%s\n", id);
		return 0;
	}
	struct cli_attach_flags a = { .sig_proxy = true, .sig_proxy_tty = true,
				     .keys_tty_only = true, .stdin_once = true };
	return cli_run_attached(&c, id, &a, err);
}

const struct command cmd_container_run = {
	.name = "container run",
	.summary = "create a container from an image and run it in the foreground",
	.usage = CLI_CONTAINER_FLAGS_USAGE,
	.run = run_run,
};
