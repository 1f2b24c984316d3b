#include "cli/cli.h"

static int run_create(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = { CLI_CREATE_LONGOPTS, { 0 } };
	struct create_options o = { .root = g->root, .systemd_cgroup = g->systemd_cgroup,
				    .rootless = g->rootless, .seccomp_cache = g->seccomp_cache };
	int c, r;
	while ((c = cli_getopt(&cmd_create, argc, argv, "b:h", opts, err)) != -1) {
		if (c == '?')
			return -1;
		if ((r = cli_create_option(c, optarg, &o, err)) < 0)
			return r;
	}
	if ((r = cli_positional(&cmd_create, argc, argv, 1, 1, err)) < 0)
		return r;
	o.id = argv[optind];
	return container_create(&o, err);
}

const struct command cmd_create = {
	.name = "create",
	.summary = "create a container, ready to be started",
	.usage = "[--bundle|-b DIR] [--pid-file FILE] [--console-socket SOCKET] [--no-pivot]\n"
		 "       [--no-new-keyring] [--preserve-fds N] ID",
	.run = run_create,
};
