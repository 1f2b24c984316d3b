/* husk image tag SRC NEW */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "image/store.h"
#include "util/cleanup.h"

static int run_tag(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int c, r;
	while ((c = cli_getopt(&cmd_image_tag, argc, argv, "h", opts, err)) != -1)
		if (c == '?')
			return -1;
	if ((r = cli_positional(&cmd_image_tag, argc, argv, 2, 2, err)) < 0)
		return r;
	cleanup_free char *name = NULL;
	if ((r = store_ref_normalize(argv[optind + 1], &name, err)) < 0)
		return husk_wrap(err, "image tag");
	if (strchr(name, '@'))
		return husk_fail(err, 0, "image tag: %s: a tag, not a digest, names an image", argv[optind + 1]);
	cleanup_store struct store s;
	if ((r = store_open(g->store, true, &s, err)) < 0)
		return husk_wrap(err, "image tag");
	struct store_image *img = NULL;
	if ((r = store_image_resolve(&s, argv[optind], &img, err)) < 0)
		return husk_wrap(err, "image tag");
	r = store_image_tag(&s, img->manifest_digest, name, err);
	store_image_free(img);
	return r < 0 ? husk_wrap(err, "image tag") : 0;
}

const struct command cmd_image_tag = {
	.name = "image tag",
	.summary = "give an image another name",
	.usage = "SOURCE NEW",
	.run = run_tag,
};
