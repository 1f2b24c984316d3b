/* husk image inspect NAME... : a JSON array in docker's shape. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "image/inspect.h"
#include "util/json.h"

static int run_inspect(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int c, r;
	while ((c = cli_getopt(&cmd_image_inspect, argc, argv, "h", opts, err)) != -1)
		if (c == '?')
			return -1;
	if ((r = cli_positional(&cmd_image_inspect, argc, argv, 1, -1, err)) < 0)
		return r;
	cleanup_store struct store s;
	if ((r = store_open(g->store, false, &s, err)) < 0)
		return husk_wrap(err, "image inspect");
	cleanup_json json_object *arr = json_object_new_array();
	for (int i = optind; i < argc; i++) {
		struct store_image *img = NULL;
		if ((r = store_image_resolve(&s, argv[i], &img, err)) < 0)
			return husk_wrap(err, "image inspect");
		json_object_array_add(arr, image_inspect_json(&s, img));
		store_image_free(img);
	}
	char *text = json_to_string(arr, true);
	printf("%s\n", text ? text : "[]");
	free(text);
	return 0;
}

const struct command cmd_image_inspect = {
	.name = "image inspect",
	.summary = "show images as JSON (docker's shape)",
	.usage = "NAME|ID...",
	.run = run_inspect,
};
