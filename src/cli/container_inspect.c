#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "util/cleanup.h"
#include "util/json.h"

static int run_inspect(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int c;
	while ((c = cli_getopt(&cmd_container_inspect, argc, argv, "h", opts, err)) != -1)
		if (c == '?')
			return -1;
	int r = cli_positional(&cmd_container_inspect, argc, argv, 1, 100000, err);
	struct engine_ctx ctx;
	cleanup_free char *store = NULL;
	if (r < 0 || (r = cli_engine_ctx(g, &ctx, &store, err)) < 0)
		return r;
	cleanup_json json_object *all = json_object_new_array();
	for (int i = optind; i < argc; i++) {
		json_object *o;
		if ((r = engine_inspect(&ctx, argv[i], &o, err)) < 0)
			return r;
		json_object_array_add(all, o);
	}
	puts(json_object_to_json_string_ext(all, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	return 0;
}

const struct command cmd_container_inspect = {
	.name = "container inspect",
	.summary = "show containers as a JSON array in docker's shape",
	.usage = "CONTAINER...",
	.run = run_inspect,
};
