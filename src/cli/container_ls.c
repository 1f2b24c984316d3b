#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/cleanup.h"
#include "util/json.h"

static const char *get(json_object *o, const char *a, const char *b)
{
	json_object *v = json_member(o, a);
	if (v && b)
		v = json_member(v, b);
	return v ? json_object_get_string(v) : "";
}

/* podman's `ps --format json` entry. */
static json_object *entry(json_object *o)
{
	json_object *e = json_object_new_object(), *names = json_object_new_array();
	json_object_object_add(e, "Id", json_object_new_string(get(o, "Id", NULL)));
	json_object_array_add(names, json_object_new_string(get(o, "Name", NULL) + 1));
	json_object_object_add(e, "Names", names);
	json_object_object_add(e, "Image", json_object_new_string(get(o, "Config", "Image")));
	json_object_object_add(e, "ImageID", json_object_new_string(get(o, "Image", NULL)));
	json_object_object_add(e, "Command", json_object_new_string(get(o, "Path", NULL)));
	json_object_object_add(e, "Created", json_object_new_string(get(o, "Created", NULL)));
	json_object *st = json_member(o, "State");
	json_object_object_add(e, "State", json_object_new_string(get(st, "Status", NULL)));
	json_object_object_add(e, "ExitCode", json_object_get(json_member(st, "ExitCode")));
	json_object_object_add(e, "Pid", json_object_get(json_member(st, "Pid")));
	return e;
}

static int run_ls(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' }, { "quiet", no_argument, NULL, 'q' },
		{ "format", required_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' }, { 0 }
	};
	int c;
	bool all = false, quiet = false, json = false;
	while ((c = cli_getopt(&cmd_container_ls, argc, argv, "aqh", opts, err)) != -1) {
		if (c == '?')
			return -1;
		if (c == 'a')
			all = true;
		else if (c == 'q')
			quiet = true;
		else if (strcmp(optarg, "json") == 0)
			json = true;
		else if (strcmp(optarg, "table") != 0)
			return husk_fail(err, 0, "container ls: --format %s: expects json or table", optarg);
	}
	int r = cli_positional(&cmd_container_ls, argc, argv, 0, 0, err);
	struct engine_ctx ctx;
	cleanup_free char *store = NULL;
	cleanup_json json_object *list = NULL;
	if (r < 0 || (r = cli_engine_ctx(g, &ctx, &store, err)) < 0 ||
	    (r = engine_list(&ctx, &list, err)) < 0)
		return r;
	cleanup_json json_object *out = json_object_new_array();
	if (!json && !quiet)
		printf("%-12s  %-24s  %-20s  %-24s  %-18s  %s\n", "CONTAINER ID", "IMAGE", "COMMAND",
		       "CREATED", "STATUS", "NAMES");
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *o = json_object_array_get_idx(list, i);
		const char *status = get(o, "State", "Status");
		if (!all && strcmp(status, "running") && strcmp(status, "paused"))
			continue;
		if (json) {
			json_object_array_add(out, entry(o));
		} else if (quiet) {
			printf("%.12s\n", get(o, "Id", NULL));
		} else {
			char st[32];
			if (strcmp(status, "exited") == 0)
				snprintf(st, sizeof(st), "exited (%d)",
					 json_object_get_int(json_member(json_member(o, "State"), "ExitCode")));
			else
				snprintf(st, sizeof(st), "%s", status);
			printf("%-12.12s  %-24.24s  %-20.20s  %-24.19s  %-18s  %s\n", get(o, "Id", NULL),
			       get(o, "Config", "Image"), get(o, "Path", NULL), get(o, "Created", NULL), st,
			       get(o, "Name", NULL) + 1);
		}
	}
	if (json)
		puts(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
	return 0;
}

const struct command cmd_container_ls = {
	.name = "container ls",
	.summary = "list containers (running ones unless -a)",
	.usage = "[-a|--all] [-q|--quiet] [--format json|table]",
	.run = run_ls,
};
