/* checkpoint and restore: runc's flags, CRIU through the core. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

enum {
	O_IMAGE = 256, O_WORK, O_LEAVE, O_TCP, O_LOCKS, O_EXT_UNIX, O_SHELL, O_CG_MODE,
	O_CONSOLE, O_PID_FILE, O_NO_SUBREAPER, O_NO_PIVOT,
};

#define CRIU_LONGOPTS                                                      \
	{ "image-path", required_argument, NULL, O_IMAGE },                \
	{ "work-path", required_argument, NULL, O_WORK },                  \
	{ "tcp-established", no_argument, NULL, O_TCP },                   \
	{ "file-locks", no_argument, NULL, O_LOCKS },                      \
	{ "ext-unix-sk", no_argument, NULL, O_EXT_UNIX },                  \
	{ "shell-job", no_argument, NULL, O_SHELL },                       \
	{ "manage-cgroups-mode", required_argument, NULL, O_CG_MODE },     \
	{ "help", no_argument, NULL, 'h' }

/* The flags both commands have; 0 when c is one of them. */
static int common_option(int c, const char *arg, struct criu_options *o)
{
	switch (c) {
	case O_IMAGE: o->image_path = arg; return 0;
	case O_WORK: o->work_path = arg; return 0;
	case O_TCP: o->tcp_established = true; return 0;
	case O_LOCKS: o->file_locks = true; return 0;
	case O_EXT_UNIX: o->ext_unix_sk = true; return 0;
	case O_SHELL: o->shell_job = true; return 0;
	case O_CG_MODE: o->manage_cgroups_mode = arg; return 0;
	default: return -1;
	}
}

static int run_checkpoint(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = {
		CRIU_LONGOPTS,
		{ "leave-running", no_argument, NULL, O_LEAVE },
		{ 0 },
	};
	struct criu_options o = { .root = g->root, .criu_path = g->criu };
	int c, r;
	while ((c = cli_getopt(&cmd_checkpoint, argc, argv, "h", opts, err)) != -1) {
		if (c == '?')
			return -1;
		if (c == O_LEAVE)
			o.leave_running = true;
		else
			common_option(c, optarg, &o);
	}
	if ((r = cli_positional(&cmd_checkpoint, argc, argv, 1, 1, err)) < 0)
		return r;
	o.id = argv[optind];
	return container_checkpoint(&o, err);
}

static int run_restore(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = {
		CRIU_LONGOPTS,
		{ "bundle", required_argument, NULL, 'b' },
		{ "detach", no_argument, NULL, 'd' },
		{ "console-socket", required_argument, NULL, O_CONSOLE },
		{ "pid-file", required_argument, NULL, O_PID_FILE },
		/* runc's: husk is always a subreaper while it restores (the
		 * restored init comes back to it) and CRIU makes the mounts. */
		{ "no-subreaper", no_argument, NULL, O_NO_SUBREAPER },
		{ "no-pivot", no_argument, NULL, O_NO_PIVOT },
		{ 0 },
	};
	struct criu_options o = { .root = g->root, .criu_path = g->criu,
				  .systemd_cgroup = g->systemd_cgroup };
	int c, r;
	while ((c = cli_getopt(&cmd_restore, argc, argv, "b:dh", opts, err)) != -1) {
		switch (c) {
		case '?': return -1;
		case 'b': o.bundle = optarg; break;
		case 'd': o.detach = true; break;
		case O_CONSOLE: o.console_socket = optarg; break;
		case O_PID_FILE: o.pid_file = optarg; break;
		case O_NO_SUBREAPER: case O_NO_PIVOT: break;
		default: common_option(c, optarg, &o);
		}
	}
	if ((r = cli_positional(&cmd_restore, argc, argv, 1, 1, err)) < 0)
		return r;
	o.id = argv[optind];
	int status = 0;
	if ((r = container_restore(&o, &status, err)) < 0)
		return r;
	return status;
}

const struct command cmd_checkpoint = {
	.name = "checkpoint",
	.summary = "checkpoint a running container with CRIU",
	.usage = "[--image-path DIR] [--work-path DIR] [--leave-running] [--tcp-established]\n"
		 "       [--file-locks] [--ext-unix-sk] [--shell-job] [--manage-cgroups-mode MODE] ID",
	.run = run_checkpoint,
};

const struct command cmd_restore = {
	.name = "restore",
	.summary = "restore a container from a checkpoint",
	.usage = "[--image-path DIR] [--work-path DIR] [--bundle|-b DIR] [--detach|-d]\n"
		 "       [--console-socket PATH] [--pid-file FILE] [--tcp-established] [--file-locks]\n"
		 "       [--ext-unix-sk] [--shell-job] [--manage-cgroups-mode MODE] ID",
	.run = run_restore,
};
