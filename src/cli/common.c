/* Helpers every subcommand uses: option errors in husk's one-line form,
 * --help, positional argument counts, and the flags of create and run. */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

void cli_usage(const struct command *cmd)
{
	printf("usage: husk %s %s\n\n%s\n", cmd->name, cmd->usage, cmd->summary);
}

int cli_getopt(const struct command *cmd, int argc, char **argv, const char *shortopts,
	       const struct option *longopts, husk_error **err)
{
	opterr = 0;
	int c = getopt_long(argc, argv, shortopts, longopts, NULL);
	if (c == 'h') {
		cli_usage(cmd);
		exit(0);
	}
	if (c == '?' || c == ':') {
		const char *what = optopt ? NULL : argv[optind - 1];
		if (what)
			husk_fail(err, 0, "%s: unknown or incomplete option %s (see husk %s --help)",
				  cmd->name, what, cmd->name);
		else
			husk_fail(err, 0, "%s: unknown or incomplete option -%c (see husk %s --help)",
				  cmd->name, optopt, cmd->name);
		return '?';
	}
	return c;
}

int cli_positional(const struct command *cmd, int argc, char **argv, int min, int max,
		   husk_error **err)
{
	(void) argv;
	int n = argc - optind;
	if (n < min)
		return husk_fail(err, 0, "%s: expects %s%d argument%s, got %d (see husk %s --help)",
				 cmd->name, min == max ? "" : "at least ", min, min == 1 ? "" : "s", n,
				 cmd->name);
	if (max >= 0 && n > max)
		return husk_fail(err, 0, "%s: expects %s%d argument%s, got %d (see husk %s --help)",
				 cmd->name, min == max ? "" : "at most ", max, max == 1 ? "" : "s", n,
				 cmd->name);
	return 0;
}

int cli_create_option(int opt, const char *arg, struct create_options *o, husk_error **err)
{
	char *end;
	switch (opt) {
	case 'b': o->bundle = arg; return 0;
	case 'P': o->pid_file = arg; return 0;
	case 'C': o->console_socket = arg; return 0;
	case 'N': o->no_pivot = true; return 0;
	case 'K': o->no_new_keyring = true; return 0;
	case 'F':
		errno = 0;
		long n = strtol(arg, &end, 10);
		if (errno || *end || n < 0 || n > 65536)
			return husk_fail(err, 0, "--preserve-fds: \"%s\" is not a count of fds", arg);
		/* Checked now, before husk opens anything but its log: an fd
		 * the caller did not give must not be filled by one of husk's. */
		for (int fd = 3; fd < 3 + n; fd++)
			if (fd == log_fd() || fcntl(fd, F_GETFD) < 0)
				return husk_fail(err, EBADF, "--preserve-fds %ld: fd %d is not open", n, fd);
		o->preserve_fds = n;
		return 0;
	}
	return husk_fail(err, 0, "unexpected option");
}

int cli_list_options(const struct command *cmd, int argc, char **argv, bool *quiet, bool *json,
		     husk_error **err)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;
	*quiet = *json = false;
	while ((c = cli_getopt(cmd, argc, argv, "f:qh", opts, err)) != -1) {
		if (c == '?')
			return -1;
		if (c == 'q')
			*quiet = true;
		else if (strcmp(optarg, "json") == 0)
			*json = true;
		else if (strcmp(optarg, "table") != 0)
			return husk_fail(err, 0, "%s: --format: expected table or json, got \"%s\"",
					 cmd->name, optarg);
	}
	return cli_positional(cmd, argc, argv, 0, 0, err);
}
