/* `husk image VERB`: the image store (src/image/). */
#include "cli/cli.h"

static const struct command *const image_verbs[] = {
	&cmd_image_import, &cmd_image_load, &cmd_image_ls, &cmd_image_inspect,
	&cmd_image_tag, &cmd_image_rm, &cmd_image_prune,
	NULL,
};

static const struct noun image_noun = {
	.name = "image",
	.summary = "manage the images of the store (--store)",
	.verbs = image_verbs,
};

static int run_image(const struct globals *g, int argc, char **argv, husk_error **err)
{
	return cli_noun_run(&image_noun, g, argc, argv, err);
}

const struct command cmd_image = {
	.name = "image",
	.summary = "manage images: load, import, pull, save, ls, inspect, tag, rm, prune",
	.usage = "COMMAND [options] [arguments]",
	.run = run_image,
};
