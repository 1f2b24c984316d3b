/* husk image rm [-f] NAME... */
#include <stdio.h>

#include "cli/cli.h"
#include "image/inspect.h"

static int run_rm(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool force = false;
	int c, r;
	while ((c = cli_getopt(&cmd_image_rm, argc, argv, "fh", opts, err)) != -1) {
		if (c == '?')
			return -1;
		force = true;
	}
	if ((r = cli_positional(&cmd_image_rm, argc, argv, 1, -1, err)) < 0)
		return r;
	cleanup_store struct store s;
	if ((r = cli_enter_user_ns(g, err)) < 0 || (r = store_open(g->store, true, &s, err)) < 0)
		return husk_wrap(err, "image rm");
	for (int i = optind; i < argc; i++) {
		bool removed = false;
		if ((r = image_remove(&s, argv[i], force, &removed, err)) < 0)
			return husk_wrap(err, "image rm");
		printf("%s: %s\n", removed ? "Deleted" : "Untagged", argv[i]);
	}
	return 0;
}

const struct command cmd_image_rm = {
	.name = "image rm",
	.summary = "remove names, and images left without one",
	.usage = "[-f] NAME|ID...",
	.run = run_rm,
};
