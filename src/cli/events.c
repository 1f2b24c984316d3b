#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "util/json.h"

/* "5s", "500ms", "1m", "2" (seconds) → milliseconds. */
static long parse_interval(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || v < 0)
		return -1;
	if (*end == '\0' || strcmp(end, "s") == 0)
		return (long) (v * 1000);
	if (strcmp(end, "ms") == 0)
		return (long) v;
	if (strcmp(end, "m") == 0)
		return (long) (v * 60000);
	return -1;
}

static void print_event(const char *type, const char *id, json_object *data)
{
	json_object *e = json_object_new_object();
	json_object_object_add(e, "type", json_object_new_string(type));
	json_object_object_add(e, "id", json_object_new_string(id));
	if (data)
		json_object_object_add(e, "data", data);
	char *text = json_to_string(e, false);
	json_object_put(e);
	printf("%s\n", text ? text : "{}");
	fflush(stdout);
	free(text);
}

static int run_events(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = {
		{ "stats", no_argument, NULL, 's' },
		{ "interval", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool once = false;
	long interval = 5000;
	int c, r;
	while ((c = cli_getopt(&cmd_events, argc, argv, "h", opts, err)) != -1) {
		if (c == '?')
			return -1;
		if (c == 's')
			once = true;
		else if ((interval = parse_interval(optarg)) <= 0)
			return husk_fail(err, 0, "events: --interval: \"%s\" is not a duration", optarg);
	}
	if ((r = cli_positional(&cmd_events, argc, argv, 1, 1, err)) < 0)
		return r;
	const char *id = argv[optind];
	uint64_t ooms = 0;
	for (bool first = true;; first = false) {
		json_object *stats = NULL;
		uint64_t now;
		bool running;
		if ((r = container_stats(g->root, id, &stats, &now, &running, err)) < 0)
			return first ? r : 0; /* deleted: the stream ends */
		if (first && !running)
			return husk_fail(err, 0, "container \"%s\" is not running", id);
		/* One event for each OOM kill since the last look. */
		for (; !first && ooms < now; ooms++)
			print_event("oom", id, NULL);
		ooms = now;
		if (!running)
			return 0; /* stopped: the stream ends */
		print_event("stats", id, stats);
		if (once)
			return 0;
		struct timespec ts = { interval / 1000, (interval % 1000) * 1000000L };
		nanosleep(&ts, NULL);
	}
}

const struct command cmd_events = {
	.name = "events",
	.summary = "print a container's resource usage (and OOM events) as JSON lines",
	.usage = "[--stats] [--interval DURATION] ID",
	.run = run_events,
};
