/* The engine's commands are nouns with verbs under them, as docker's
 * management commands: `husk image load`, `husk container run`.  A noun
 * command looks its verb up in its table; each verb is a struct command
 * named "NOUN VERB", so that its --help and its errors say both words. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char *verb_of(const struct command *c)
{
	const char *sp = strchr(c->name, ' ');
	return sp ? sp + 1 : c->name;
}

static void noun_usage(const struct noun *n, FILE *out)
{
	fprintf(out, "usage: husk %s COMMAND [options] [arguments]\n\n%s\n\nCommands:\n", n->name,
		n->summary);
	for (const struct command *const *c = n->verbs; *c; c++)
		fprintf(out, "  %-10s %s\n", verb_of(*c), (*c)->summary);
	fprintf(out, "\nhusk %s COMMAND --help: the flags of a command.\n", n->name);
}

int cli_noun_run(const struct noun *n, const struct globals *g, int argc, char **argv,
		 husk_error **err)
{
	if (argc < 2) {
		noun_usage(n, stderr);
		return husk_fail(err, 0, "%s: expects a command (see husk %s --help)", n->name, n->name);
	}
	const char *verb = argv[1];
	if (strcmp(verb, "-h") == 0 || strcmp(verb, "--help") == 0 || strcmp(verb, "help") == 0) {
		noun_usage(n, stdout);
		return 0;
	}
	for (const struct command *const *c = n->verbs; *c; c++) {
		if (strcmp(verb_of(*c), verb) == 0) {
			optind = 0;
			return (*c)->run(g, argc - 1, argv + 1, err);
		}
	}
	return husk_fail(err, 0, "%s: unknown command \"%s\" (see husk %s --help)", n->name, verb,
			 n->name);
}
