/* husk image ls [-q] [--format table|json] */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "image/inspect.h"
#include "util/cleanup.h"
#include "util/json.h"

static void human(uint64_t n, char *buf, size_t len)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double) n;
	int u = 0;
	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	snprintf(buf, len, u ? "%.3g %s" : "%.0f %s", v, units[u]);
}

static void print_row(struct store *s, const struct store_image *img, const char *name)
{
	char repo[512] = "<none>", tag[160] = "<none>", size[32];
	if (name) {
		const char *colon = strrchr(name, ':'), *slash = strrchr(name, '/');
		if (colon && (!slash || colon > slash)) {
			snprintf(repo, sizeof(repo), "%.*s", (int) (colon - name), name);
			snprintf(tag, sizeof(tag), "%s", colon + 1);
		} else {
			snprintf(repo, sizeof(repo), "%s", name);
		}
	}
	json_object *c = json_member(img->config, "created");
	human(image_size(s, img), size, sizeof(size));
	printf("%-40s %-16s %-14.12s %-32s %s\n", repo, tag, img->id + 7,
	       c && json_is_string(c) ? json_object_get_string(c) : "", size);
}

static int run_ls(const struct globals *g, int argc, char **argv, husk_error **err)
{
	bool quiet, json;
	int r;
	if ((r = cli_list_options(&cmd_image_ls, argc, argv, &quiet, &json, err)) < 0)
		return r;
	cleanup_store struct store s;
	if ((r = store_open(g->store, false, &s, err)) < 0)
		return husk_wrap(err, "image ls");
	struct store_image **v = NULL;
	size_t n = 0;
	if ((r = image_list(&s, &v, &n, err)) < 0)
		return husk_wrap(err, "image ls");
	if (json) {
		json_object *arr = json_object_new_array();
		for (size_t i = 0; i < n; i++)
			json_object_array_add(arr, image_inspect_json(&s, v[i]));
		char *text = json_to_string(arr, false);
		printf("%s\n", text ? text : "[]");
		free(text);
		json_object_put(arr);
	} else if (quiet) {
		for (size_t i = 0; i < n; i++)
			printf("%.12s\n", v[i]->id + 7);
	} else {
		printf("%-40s %-16s %-14s %-32s %s\n", "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
		for (size_t i = 0; i < n; i++) {
			if (!v[i]->names[0])
				print_row(&s, v[i], NULL);
			for (char **p = v[i]->names; *p; p++)
				print_row(&s, v[i], *p);
		}
	}
	image_list_free(v, n);
	return 0;
}

const struct command cmd_image_ls = {
	.name = "image ls",
	.summary = "list the images of the store",
	.usage = "[-q] [--format table|json]",
	.run = run_ls,
};
