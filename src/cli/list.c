#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/json.h"

static const char *field(json_object *o, const char *key, char *buf, size_t len)
{
	json_object *v = json_member(o, key);
	if (v && json_is_integer(v)) {
		snprintf(buf, len, "%d", json_object_get_int(v));
		return buf;
	}
	return v ? json_object_get_string(v) : "";
}

/* Columns padded like runc's tabwriter: at least 12 wide, 3 spaces apart. */
static void print_table(json_object *arr)
{
	static const char *const heads[] = { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" };
	static const char *const keys[] = { "id", "pid", "status", "bundle", "created", "owner" };
	enum { NCOL = 6 };
	size_t width[NCOL], n = json_object_array_length(arr);
	char buf[32];
	for (int k = 0; k < NCOL; k++) {
		width[k] = strlen(heads[k]);
		for (size_t i = 0; i < n; i++) {
			size_t w = strlen(field(json_object_array_get_idx(arr, i), keys[k], buf, sizeof(buf)));
			if (w > width[k])
				width[k] = w;
		}
		width[k] = width[k] + 3 < 12 ? 12 : width[k] + 3;
	}
	for (int k = 0; k < NCOL; k++)
		printf(k < NCOL - 1 ? "%-*s" : "%.*s\n", k < NCOL - 1 ? (int) width[k] : 64, heads[k]);
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		for (int k = 0; k < NCOL; k++) {
			const char *v = field(o, keys[k], buf, sizeof(buf));
			if (k < NCOL - 1)
				printf("%-*s", (int) width[k], v);
			else
				printf("%s\n", v);
		}
	}
}

static int run_list(const struct globals *g, int argc, char **argv, husk_error **err)
{
	bool quiet, json;
	int r;
	if ((r = cli_list_options(&cmd_list, argc, argv, &quiet, &json, err)) < 0)
		return r;
	json_object *arr = NULL;
	r = container_list(g->root, &arr, err);
	if (r >= 0) {
		if (quiet) {
			for (size_t i = 0; i < json_object_array_length(arr); i++)
				printf("%s\n", json_object_get_string(json_member(json_object_array_get_idx(arr, i), "id")));
		} else if (json) {
			char *text = json_to_string(arr, false);
			printf("%s\n", text ? text : "[]");
			free(text);
		} else {
			print_table(arr);
		}
	}
	json_object_put(arr);
	return r;
}

const struct command cmd_list = {
	.name = "list",
	.summary = "list the containers under --root",
	.usage = "[--format table|json] [--quiet|-q]",
	.run = run_list,
};
