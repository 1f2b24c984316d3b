/* husk image prune [--build-cache] */
#include <inttypes.h>
#include <stdio.h>

#include "build/build.h"
#include "cli/cli.h"
#include "image/inspect.h"
#include "util/cleanup.h"

static int run_prune(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = { { "build-cache", no_argument, NULL, 'b' },
					       { "help", no_argument, NULL, 'h' }, { 0 } };
	int c, r;
	bool build_cache = false;
	while ((c = cli_getopt(&cmd_image_prune, argc, argv, "h", opts, err)) != -1) {
		if (c == '?')
			return -1;
		if (c == 'b')
			build_cache = true;
	}
	if ((r = cli_positional(&cmd_image_prune, argc, argv, 0, 0, err)) < 0)
		return r;
	struct engine_ctx ctx;
	cleanup_free char *store = NULL;
	if ((r = cli_engine_ctx(g, &ctx, &store, err)) < 0)
		return r;
	/* A killed build's step containers would keep their layers. */
	size_t left = 0, entries = 0;
	uint64_t freed = 0, cache_bytes = 0;
	if ((r = build_leftovers_remove(&ctx, &left, err)) < 0)
		return husk_wrap(err, "image prune");
	if (build_cache && (r = build_cache_prune(&ctx, &entries, &cache_bytes, err)) < 0)
		return husk_wrap(err, "image prune: build cache");
	cleanup_store struct store s;
	if ((r = cli_enter_user_ns(g, err)) < 0 || (r = store_open(g->store, true, &s, err)) < 0)
		return husk_wrap(err, "image prune");
	if ((r = image_prune(&s, &freed, err)) < 0)
		return husk_wrap(err, "image prune");
	if (left)
		printf("Removed %zu containers of killed builds\n", left);
	if (build_cache)
		printf("Deleted build cache entries: %zu\n", entries);
	printf("Total reclaimed space: %" PRIu64 " bytes\n", freed + cache_bytes);
	return 0;
}

const struct command cmd_image_prune = {
	.name = "image prune",
	.summary = "remove blobs and layers that no image, container or build cache entry uses",
	.usage = "[--build-cache]",
	.run = run_prune,
};
