/* `husk image pull [--tls-ca FILE] [--insecure] [--authfile FILE] REF` */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "image/pull.h"

static int run_image_pull(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = {
		{ "tls-ca", required_argument, NULL, 'c' },
		{ "insecure", no_argument, NULL, 'k' },
		{ "authfile", required_argument, NULL, 'a' },
		{ "timeout", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct registry_options o = { .timeout = 30 };
	int c, rc;
	while ((c = cli_getopt(&cmd_image_pull, argc, argv, "qh", opts, err)) != -1) {
		char *end;
		switch (c) {
		case 'c': o.tls_ca = optarg; break;
		case 'k': o.insecure = true; break;
		case 'a': o.authfile = optarg; break;
		case 'q': break;
		case 't':
			o.timeout = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || o.timeout <= 0 || o.timeout > 86400)
				return husk_fail(err, 0, "image pull: --timeout %s: not a number of seconds",
						 optarg);
			break;
		default: return -1;
		}
	}
	if ((rc = cli_positional(&cmd_image_pull, argc, argv, 1, 1, err)) < 0)
		return rc;
	const char *ref = argv[optind];
	struct store s;
	char id[DIGEST_LEN];
	if ((rc = cli_enter_user_ns(g, err)) < 0 || (rc = store_open(g->store, true, &s, err)) < 0)
		return husk_wrap(err, "pull %s", ref);
	rc = image_pull(&s, ref, &o, id, err);
	store_close(&s);
	if (rc < 0)
		return husk_wrap(err, "pull %s", ref);
	printf("%s\n", id);
	return 0;
}

const struct command cmd_image_pull = {
	.name = "image pull",
	.summary = "pull an image from a registry (OCI distribution API)",
	.usage = "[--tls-ca FILE] [--insecure] [--authfile FILE] [--timeout SECONDS] REF",
	.run = run_image_pull,
};
