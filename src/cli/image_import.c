/* husk image import TAR|- NAME */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "image/import.h"
#include "util/cleanup.h"

static int run_import(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int c, r;
	while ((c = cli_getopt(&cmd_image_import, argc, argv, "h", opts, err)) != -1)
		if (c == '?')
			return -1;
	if ((r = cli_positional(&cmd_image_import, argc, argv, 2, 2, err)) < 0)
		return r;
	const char *file = argv[optind], *name = argv[optind + 1];
	cleanup_close int fd = strcmp(file, "-") == 0 ? dup(0) : open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return husk_fail(err, errno, "image import: %s", file);
	cleanup_store struct store s;
	if ((r = cli_enter_user_ns(g, err)) < 0 || (r = store_open(g->store, true, &s, err)) < 0)
		return husk_wrap(err, "image import");
	char id[DIGEST_LEN];
	if ((r = image_import(&s, fd, name, id, err)) < 0)
		return husk_wrap(err, "image %s", file);
	printf("%s\n", id);
	return 0;
}

const struct command cmd_image_import = {
	.name = "image import",
	.summary = "make a one-layer image from a root filesystem tarball",
	.usage = "TAR|- NAME",
	.run = run_import,
};
