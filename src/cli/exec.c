#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* Repeated flags (-e, -g, --cap) collect into NULL-terminated lists. */
static int push(const char ***list, size_t *n, const char *v, husk_error **err)
{
	const char **grown = realloc(*list, (*n + 2) * sizeof(**list));
	if (grown == NULL)
		return husk_fail(err, 12, "exec");
	grown[(*n)++] = v;
	grown[*n] = NULL;
	*list = grown;
	return 0;
}

/* -g takes "1,2,3" as runc does, or one gid per flag. */
static int push_gids(const char ***list, size_t *n, char *arg, husk_error **err)
{
	for (char *tok = strtok(arg, ","); tok; tok = strtok(NULL, ","))
		if (push(list, n, tok, err) < 0)
			return -1;
	return 0;
}

static int run_exec(const struct globals *g, int argc, char **argv, husk_error **err)
{
	enum { O_CONSOLE = 256, O_PID_FILE, O_NNP, O_APPARMOR, O_LABEL, O_PRESERVE, O_IGNORE_PAUSED, O_CAP, O_CGROUP };
	static const struct option opts[] = {
		{ "process", required_argument, NULL, 'p' },
		{ "tty", no_argument, NULL, 't' },
		{ "console-socket", required_argument, NULL, O_CONSOLE },
		{ "detach", no_argument, NULL, 'd' },
		{ "pid-file", required_argument, NULL, O_PID_FILE },
		{ "cwd", required_argument, NULL, 'w' },
		{ "env", required_argument, NULL, 'e' },
		{ "user", required_argument, NULL, 'u' },
		{ "additional-gids", required_argument, NULL, 'g' },
		{ "cap", required_argument, NULL, 'c' },
		{ "no-new-privs", no_argument, NULL, O_NNP },
		{ "apparmor", required_argument, NULL, O_APPARMOR },
		{ "process-label", required_argument, NULL, O_LABEL },
		{ "preserve-fds", required_argument, NULL, O_PRESERVE },
		{ "ignore-paused", no_argument, NULL, O_IGNORE_PAUSED },
		{ "cgroup", required_argument, NULL, O_CGROUP },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct exec_options o = { .root = g->root, .seccomp_cache = g->seccomp_cache };
	size_t n_env = 0, n_gids = 0, n_caps = 0, n_cgroups = 0;
	int c, r = 0;
	/* '+': the options end at the id; what follows is the command. */
	while (r >= 0 && (c = cli_getopt(&cmd_exec, argc, argv, "+p:tdw:e:u:g:c:h", opts, err)) != -1) {
		struct create_options preserve = { 0 };
		switch (c) {
		case '?': r = -1; break;
		case 'p': o.process_file = optarg; break;
		case 't': o.tty = true; break;
		case O_CONSOLE: o.console_socket = optarg; break;
		case 'd': o.detach = true; break;
		case O_PID_FILE: o.pid_file = optarg; break;
		case 'w': o.cwd = optarg; break;
		case 'e': r = push(&o.env, &n_env, optarg, err); break;
		case 'u': o.user = optarg; break;
		case 'g': r = push_gids(&o.additional_gids, &n_gids, optarg, err); break;
		case 'c': r = push(&o.caps, &n_caps, optarg, err); break;
		case O_NNP: o.no_new_privs = true; break;
		case O_APPARMOR: o.apparmor = optarg; break;
		case O_LABEL: o.process_label = optarg; break;
		case O_IGNORE_PAUSED: o.ignore_paused = true; break;
		case O_CGROUP: r = push(&o.cgroups, &n_cgroups, optarg, err); break;
		case O_PRESERVE:
			r = cli_create_option('F', optarg, &preserve, err);
			o.preserve_fds = preserve.preserve_fds;
			break;
		}
	}
	if (r >= 0)
		r = cli_positional(&cmd_exec, argc, argv, o.process_file ? 1 : 2, o.process_file ? 1 : -1, err);
	if (r >= 0) {
		o.id = argv[optind];
		o.argv = argv + optind + 1;
		int status = 0;
		r = container_exec(&o, &status, err);
		if (r >= 0)
			r = status;
		/* As runc: 255 for every failure of an exec whose command line
		 * was accepted (a missing or non-executable program, an unknown
		 * or stopped container), so that it differs from the program's
		 * own codes 1-125 and 126/127 of a shell in the container; a
		 * usage error stays 1. */
		else if (*err)
			(*err)->status = 255;
	}
	free(o.env);
	free(o.additional_gids);
	free(o.caps);
	free(o.cgroups);
	return r;
}

const struct command cmd_exec = {
	.name = "exec",
	.summary = "run a new process in a running container",
	.usage = "[--process FILE] [--tty|-t] [--console-socket S] [--detach|-d] [--pid-file F]\n"
		 "       [--cwd|-w DIR] [--env|-e NAME=VALUE]... [--user|-u UID[:GID]]\n"
		 "       [--additional-gids|-g GID]... [--cap CAP]... [--no-new-privs] [--apparmor P]\n"
		 "       [--process-label L] [--preserve-fds N] [--ignore-paused]\n"
		 "       [--cgroup [CONTROLLER[,CONTROLLER]:]PATH]... ID [COMMAND [ARG...]]",
	.run = run_exec,
};
