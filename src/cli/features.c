#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "util/json.h"

static int run_features(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int c, r;
	(void) g;
	while ((c = cli_getopt(&cmd_features, argc, argv, "h", opts, err)) != -1)
		if (c == '?')
			return -1;
	if ((r = cli_positional(&cmd_features, argc, argv, 0, 0, err)) < 0)
		return r;
	json_object *f = container_features();
	char *text = json_to_string(f, true);
	json_object_put(f);
	if (text)
		printf("%s\n", text);
	free(text);
	return 0;
}

const struct command cmd_features = {
	.name = "features",
	.summary = "print what this runtime supports, as runtime-spec features JSON",
	.usage = "",
	.run = run_features,
};
