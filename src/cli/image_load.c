/* husk image load FILE|- (or -i FILE): docker-archive, OCI archive, OCI layout. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "image/import.h"
#include "util/cleanup.h"

static void print_loaded(const char *what, void *arg)
{
	(void) arg;
	printf("Loaded image: %s\n", what);
}

static int run_load(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *file = NULL;
	int c, r;
	while ((c = cli_getopt(&cmd_image_load, argc, argv, "i:h", opts, err)) != -1) {
		if (c == '?')
			return -1;
		file = optarg;
	}
	if ((r = cli_positional(&cmd_image_load, argc, argv, file ? 0 : 1, file ? 0 : 1, err)) < 0)
		return r;
	if (file == NULL)
		file = argv[optind];
	cleanup_close int fd = -1, dirfd = -1;
	struct stat st;
	if (strcmp(file, "-") == 0)
		fd = dup(0);
	else if (stat(file, &st) == 0 && S_ISDIR(st.st_mode))
		dirfd = open(file, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	else
		fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && dirfd < 0)
		return husk_fail(err, errno, "image load: %s", file);
	cleanup_store struct store s;
	if ((r = cli_enter_user_ns(g, err)) < 0 || (r = store_open(g->store, true, &s, err)) < 0)
		return husk_wrap(err, "image load");
	if ((r = image_load(&s, fd, dirfd, file, print_loaded, NULL, err)) < 0)
		return husk_wrap(err, "image");
	return 0;
}

const struct command cmd_image_load = {
	.name = "image load",
	.summary = "load images from a docker-archive, an OCI archive or an OCI layout",
	.usage = "FILE|DIR|-",
	.run = run_load,
};
