/* husk image prune */
#include <inttypes.h>
#include <stdio.h>

#include "cli/cli.h"
#include "image/inspect.h"

static int run_prune(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int c, r;
	while ((c = cli_getopt(&cmd_image_prune, argc, argv, "h", opts, err)) != -1)
		if (c == '?')
			return -1;
	if ((r = cli_positional(&cmd_image_prune, argc, argv, 0, 0, err)) < 0)
		return r;
	cleanup_store struct store s;
	if ((r = cli_enter_user_ns(g, err)) < 0 || (r = store_open(g->store, true, &s, err)) < 0)
		return husk_wrap(err, "image prune");
	uint64_t freed = 0;
	if ((r = image_prune(&s, &freed, err)) < 0)
		return husk_wrap(err, "image prune");
	printf("Total reclaimed space: %" PRIu64 " bytes\n", freed);
	return 0;
}

const struct command cmd_image_prune = {
	.name = "image prune",
	.summary = "remove blobs and layers that no image or container uses",
	.usage = "",
	.run = run_prune,
};
