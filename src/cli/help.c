/* `husk help [COMMAND]`: husk --help, or the same text as COMMAND --help. */
#include <stdio.h>

#include "cli/cli.h"

static int run_help(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int c, r;
	while ((c = cli_getopt(&cmd_help, argc, argv, "h", opts, err)) != -1)
		if (c == '?')
			return -1;
	if ((r = cli_positional(&cmd_help, argc, argv, 0, 2, err)) < 0)
		return r;
	if (optind == argc) {
		cli_print_usage(stdout);
		return 0;
	}
	const struct command *cmd = cli_find_command(argv[optind]);
	if (cmd == NULL)
		return husk_fail(err, 0, "help: unknown command \"%s\" (see husk --help)", argv[optind]);
	/* The command's own --help (a noun's lists its verbs; `help image
	 * load` is `image load --help`), so that the two never differ. */
	char *args[4] = { argv[optind], NULL, NULL, NULL };
	int n = 1;
	if (optind + 1 < argc)
		args[n++] = argv[optind + 1];
	args[n++] = (char *) "--help";
	optind = 0;
	return cmd->run(g, n, args, err);
}

const struct command cmd_help = {
	.name = "help",
	.summary = "print the usage of husk or of one command",
	.usage = "[COMMAND [VERB]]",
	.run = run_help,
};
