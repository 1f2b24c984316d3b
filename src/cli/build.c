/* husk build [flags] CONTEXT: an image from a Containerfile (src/build/). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "build/build.h"
#include "cli/cli.h"
#include "util/cleanup.h"

static int push(char ***v, size_t *n, const char *s, husk_error **err)
{
	char **nv = realloc(*v, (*n + 2) * sizeof(char *));
	if (!nv)
		return husk_fail(err, ENOMEM, "build");
	nv[(*n)++] = (char *) s;
	nv[*n] = NULL;
	*v = nv;
	return 0;
}

static int run_build(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = {
		{ "tag", required_argument, NULL, 't' },     { "file", required_argument, NULL, 'f' },
		{ "build-arg", required_argument, NULL, 'a' }, { "target", required_argument, NULL, 'T' },
		{ "no-cache", no_argument, NULL, 'n' },      { "network", required_argument, NULL, 'N' },
		{ "quiet", no_argument, NULL, 'q' },         { "timestamp", required_argument, NULL, 's' },
		{ "insecure", no_argument, NULL, 'i' },      { "tls-ca", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },          { 0 },
	};
	struct build_options o = { .network = "none", .timestamp = -1 };
	cleanup_free char **tags = NULL, **args = NULL;
	size_t n_tags = 0, n_args = 0;
	int c, r;
	while ((c = cli_getopt(&cmd_build, argc, argv, "t:f:qh", opts, err)) != -1) {
		char *end;
		switch (c) {
		case 't':
			if (push(&tags, &n_tags, optarg, err) < 0)
				return -1;
			break;
		case 'f':
			o.file = optarg;
			break;
		case 'a':
			if (push(&args, &n_args, optarg, err) < 0)
				return -1;
			break;
		case 'T':
			o.target = optarg;
			break;
		case 'n':
			o.no_cache = true;
			break;
		case 'N':
			/* A husk network's name is checked by the engine (it must
			 * exist); cni: and container: have no place in a build. */
			if (strchr(optarg, ':'))
				return husk_fail(err, 0, "build: --network %s: none, host or a husk network's name",
						 optarg);
			o.network = optarg;
			break;
		case 'i':
			o.insecure = true;
			break;
		case 'C':
			o.tls_ca = optarg;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 's':
			errno = 0;
			o.timestamp = strtoll(optarg, &end, 10);
			if (errno || *end || !*optarg || o.timestamp < 0)
				return husk_fail(err, 0, "build: --timestamp %s: seconds since 1970", optarg);
			break;
		default:
			return -1;
		}
	}
	if ((r = cli_positional(&cmd_build, argc, argv, 1, 1, err)) < 0)
		return r;
	o.context = argv[optind];
	o.tags = tags;
	o.build_args = args;
	struct engine_ctx ctx;
	cleanup_free char *store = NULL;
	if ((r = cli_engine_ctx_enter(g, &ctx, &store, err)) < 0)
		return r;
	/* husk reaps what the steps' containers leave behind, as container run. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return husk_fail(err, errno, "become a subreaper");
	char id[DIGEST_LEN];
	if ((r = build_image(&ctx, &o, id, err)) < 0)
		return r;
	if (!o.quiet)
		for (size_t i = 0; i < n_tags; i++)
			printf("COMMIT %s\n", tags[i]);
	printf("%s\n", id);
	return 0;
}

const struct command cmd_build = {
	.name = "build",
	.summary = "build an image from a Containerfile (Dockerfile)",
	.usage = "[-t NAME[:TAG]]... [-f FILE] [--build-arg K=V]... [--target STAGE] [--no-cache]\n"
		 "       [--network none|host|NAME] [--timestamp SECONDS] [--insecure] [--tls-ca FILE]\n"
		 "       [-q|--quiet] CONTEXT",
	.run = run_build,
};
