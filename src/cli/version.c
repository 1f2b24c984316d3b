/* `husk version` and `husk --version`: the same lines, in runc's shape
 * (name and version, commit when known, spec, libseccomp). */
#include <seccomp.h>
#include <stdio.h>

#include "cli/cli.h"
#include "commit.h" /* generated: the build directory */
#include "spec/version.h"

#ifndef HUSK_VERSION
#define HUSK_VERSION "0.0.0"
#endif

void cli_print_version(void)
{
	printf("husk version %s\n", HUSK_VERSION);
	if (HUSK_COMMIT[0])
		printf("commit: %s\n", HUSK_COMMIT);
	printf("spec: %s\n", SPEC_OCI_VERSION);
	const struct scmp_version *v = seccomp_version();
	if (v)
		printf("libseccomp: %u.%u.%u\n", v->major, v->minor, v->micro);
}

static int run_version(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int c, r;
	(void) g;
	while ((c = cli_getopt(&cmd_version, argc, argv, "h", opts, err)) != -1)
		if (c == '?')
			return -1;
	if ((r = cli_positional(&cmd_version, argc, argv, 0, 0, err)) < 0)
		return r;
	cli_print_version();
	return 0;
}

const struct command cmd_version = {
	.name = "version",
	.summary = "print husk's version, commit and runtime-spec version",
	.usage = "",
	.run = run_version,
};
