#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "util/cleanup.h"

static int run_create(const struct globals *g, int argc, char **argv, husk_error **err)
{
	struct engine_flags f __attribute__((cleanup(cli_container_flags_free)));
	int at = cli_container_flags(&cmd_container_create, argc, argv, &f, err);
	if (at < 0)
		return at;
	struct engine_ctx c;
	char *store __attribute__((cleanup(freep))) = NULL;
	char id[ENGINE_ID_LEN + 1];
	int r = cli_engine_ctx_enter(g, &c, &store, err);
	if (r < 0 || (r = engine_create(&c, argv[at], &f, id, err)) < 0)
		return r;
	printf("%s\n", id);
	return 0;
}

const struct command cmd_container_create = {
	.name = "container create",
	.summary = "make a container from an image (its rootfs, config.json)",
	.usage = CLI_CONTAINER_FLAGS_USAGE,
	.run = run_create,
};
