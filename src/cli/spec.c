#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "spec/spec.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

static int run_spec(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "rootless", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *bundle = ".";
	bool rootless = false;
	int c, r;
	(void) g;
	while ((c = cli_getopt(&cmd_spec, argc, argv, "b:h", opts, err)) != -1) {
		if (c == '?')
			return -1;
		if (c == 'b')
			bundle = optarg;
		else
			rootless = true;
	}
	if ((r = cli_positional(&cmd_spec, argc, argv, 0, 0, err)) < 0)
		return r;
	cleanup_close int dfd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return husk_fail(err, errno, "spec: bundle %s", bundle);
	if (faccessat(dfd, "config.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return husk_fail(err, 0, "spec: %s/config.json already exists", bundle);
	json_object *spec = spec_default(rootless, geteuid(), getegid());
	cleanup_free char *text = json_to_string(spec, true);
	json_object_put(spec);
	if (text == NULL)
		return husk_fail(err, ENOMEM, "spec");
	size_t n = strlen(text);
	text[n] = '\n';
	/* The spec JSON is followed by a newline, as editors expect. */
	r = write_file_at(dfd, "config.json", text, n + 1, 0666, err);
	return r < 0 ? husk_wrap(err, "spec") : 0;
}

const struct command cmd_spec = {
	.name = "spec",
	.summary = "write a default config.json into the bundle",
	.usage = "[--bundle|-b DIR] [--rootless]",
	.run = run_spec,
};
