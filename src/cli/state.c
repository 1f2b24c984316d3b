#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "util/json.h"

static int run_state(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int c, r;
	while ((c = cli_getopt(&cmd_state, argc, argv, "h", opts, err)) != -1)
		if (c == '?')
			return -1;
	if ((r = cli_positional(&cmd_state, argc, argv, 1, 1, err)) < 0)
		return r;
	json_object *st = NULL;
	if ((r = container_state(g->root, argv[optind], &st, err)) < 0)
		return r;
	char *text = json_to_string(st, true);
	json_object_put(st);
	if (text)
		printf("%s\n", text);
	free(text);
	return 0;
}

const struct command cmd_state = {
	.name = "state",
	.summary = "print the state of a container as JSON",
	.usage = "ID",
	.run = run_state,
};
