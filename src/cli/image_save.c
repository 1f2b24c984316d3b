/* husk image save [--format docker-archive|oci-archive] -o FILE|- NAME...
 * The archive is written to a temporary name beside FILE and renamed
 * into place only once complete: a failed save leaves nothing behind. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "image/save.h"
#include "image/store.h"
#include "util/cleanup.h"

static int save_to_file(struct store *s, char *const *refs, size_t n, enum save_format f,
			const char *out, husk_error **err)
{
	cleanup_free char *d = strdup(out), *b = strdup(out), *tmp = NULL;
	if (!d || !b || asprintf(&tmp, "%s/.%s.husk-save-%d", dirname(d), basename(b), getpid()) < 0)
		return husk_fail(err, ENOMEM, "%s", out);
	cleanup_close int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return husk_fail(err, errno, "%s", out);
	int r = image_save(s, refs, n, f, fd, err);
	if (r >= 0 && fsync(fd) < 0)
		r = husk_fail(err, errno, "%s", out);
	if (r >= 0 && rename(tmp, out) < 0)
		r = husk_fail(err, errno, "%s", out);
	if (r < 0)
		unlink(tmp);
	return r;
}

static int run_save(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *out = NULL;
	enum save_format f = SAVE_DOCKER_ARCHIVE;
	int c, r;
	while ((c = cli_getopt(&cmd_image_save, argc, argv, "o:h", opts, err)) != -1) {
		if (c == '?')
			return -1;
		if (c == 'o')
			out = optarg;
		else if (c == 'f' && save_format_parse(optarg, &f, err) < 0)
			return -1;
	}
	if ((r = cli_positional(&cmd_image_save, argc, argv, 1, -1, err)) < 0)
		return r;
	bool to_stdout = !out || strcmp(out, "-") == 0;
	if (to_stdout && isatty(STDOUT_FILENO))
		return husk_fail(err, 0, "refusing to write an archive to a terminal (use -o FILE)");
	cleanup_store struct store s = { .dirfd = -1, .lockfd = -1 };
	/* LOCK_SH for the whole save: no rm or prune takes a blob away meanwhile. */
	if (store_open(g->store, false, &s, err) < 0)
		return -1;
	if (to_stdout)
		return image_save(&s, argv + optind, argc - optind, f, STDOUT_FILENO, err);
	return save_to_file(&s, argv + optind, argc - optind, f, out, err);
}

const struct command cmd_image_save = {
	.name = "image save",
	.summary = "write images to an archive that docker/podman load (docker-archive or oci-archive)",
	.usage = "[--format docker-archive|oci-archive] -o FILE|- NAME...",
	.run = run_save,
};
