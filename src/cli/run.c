#include <errno.h>
#include <sys/prctl.h>

#include "cli/cli.h"

static int run_run(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = {
		CLI_CREATE_LONGOPTS,
		{ "detach", no_argument, NULL, 'd' },
		{ "keep", no_argument, NULL, 'k' },
		{ "no-subreaper", no_argument, NULL, 'S' },
		{ 0 },
	};
	struct create_options o = { .root = g->root, .systemd_cgroup = g->systemd_cgroup,
				    .rootless = g->rootless, .seccomp_cache = g->seccomp_cache };
	bool detach = false, keep = false, subreaper = true;
	int c, r;
	while ((c = cli_getopt(&cmd_run, argc, argv, "b:dh", opts, err)) != -1) {
		if (c == '?')
			return -1;
		if (c == 'd')
			detach = true;
		else if (c == 'k')
			keep = true;
		else if (c == 'S')
			subreaper = false;
		else if ((r = cli_create_option(c, optarg, &o, err)) < 0)
			return r;
	}
	if ((r = cli_positional(&cmd_run, argc, argv, 1, 1, err)) < 0)
		return r;
	o.id = argv[optind];
	int status = 0;
	/* In the foreground husk reaps what the container leaves behind (its
	 * processes are reparented to husk when it has no pid namespace). */
	if (!detach && subreaper && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return husk_fail(err, errno, "become a subreaper");
	if ((r = container_run(&o, detach, keep, &status, err)) < 0)
		return r;
	return status;
}

const struct command cmd_run = {
	.name = "run",
	.summary = "create and start a container; wait for it unless detached",
	.usage = "[--bundle|-b DIR] [--pid-file FILE] [--console-socket SOCKET] [--no-pivot]\n"
		 "       [--no-new-keyring] [--preserve-fds N] [--detach|-d] [--keep] [--no-subreaper] ID",
	.run = run_run,
};
