/* `husk container stats [--no-stream] [--format table|json] CONTAINER...`:
 * docker's columns from the engine's samples (engine_stats): CPU % over
 * the last interval, memory usage and limit, network and block bytes,
 * pids.  Streams a table each second until the containers stop. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/cleanup.h"
#include "util/json.h"

/* docker's go-units: BytesSize (binary, memory) and HumanSize (decimal). */
static void size_text(char *buf, size_t len, double v, bool binary)
{
	static const char *const bin[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	static const char *const dec[] = { "B", "kB", "MB", "GB", "TB", "PB" };
	double base = binary ? 1024 : 1000;
	int u = 0;
	while (v >= base && u < 5)
		v /= base, u++;
	snprintf(buf, len, "%.4g%s", v, binary ? bin[u] : dec[u]);
}

static void pair_text(char *buf, size_t len, bool known, uint64_t a, uint64_t b, bool binary)
{
	if (!known) {
		snprintf(buf, len, "--");
		return;
	}
	char x[32], y[32];
	size_text(x, sizeof(x), (double) a, binary);
	size_text(y, sizeof(y), (double) b, binary);
	snprintf(buf, len, "%s / %s", x, y);
}

struct row {
	char cpu[16], mem[64], memp[16], net[64], blk[64], pids[24];
};

static void fill_row(struct row *r, const struct engine_stats *prev, const struct engine_stats *s)
{
	double dt = (double) (s->when_ns - prev->when_ns);
	double cpu = dt > 0 && s->cpu_ns >= prev->cpu_ns ? (double) (s->cpu_ns - prev->cpu_ns) / dt * 100 : 0;
	snprintf(r->cpu, sizeof(r->cpu), "%.2f%%", cpu);
	pair_text(r->mem, sizeof(r->mem), true, s->mem_usage, s->mem_limit, true);
	snprintf(r->memp, sizeof(r->memp), "%.2f%%",
		 s->mem_limit ? (double) s->mem_usage / (double) s->mem_limit * 100 : 0.0);
	pair_text(r->net, sizeof(r->net), s->has_net, s->net_rx, s->net_tx, false);
	pair_text(r->blk, sizeof(r->blk), s->has_block, s->blk_read, s->blk_write, false);
	snprintf(r->pids, sizeof(r->pids), "%llu", (unsigned long long) s->pids);
}

static void print_json(const struct engine_stats *s, const struct row *r)
{
	char short_id[13];
	snprintf(short_id, sizeof(short_id), "%s", s->id);
	json_object *o = json_object_new_object();
	const char *kv[][2] = { { "BlockIO", r->blk }, { "CPUPerc", r->cpu }, { "Container", short_id },
				{ "ID", s->id }, { "MemPerc", r->memp }, { "MemUsage", r->mem },
				{ "Name", s->name }, { "NetIO", r->net }, { "PIDs", r->pids } };
	for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++)
		json_object_object_add(o, kv[i][0], json_object_new_string(kv[i][1]));
	char *text = json_to_string(o, false);
	json_object_put(o);
	printf("%s\n", text ? text : "{}");
	free(text);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void free_samples(struct engine_stats *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		engine_stats_clear(&s[i]);
	free(s);
}

static int run_stats(const struct globals *g, int argc, char **argv, husk_error **err)
{
	enum { O_NO_STREAM = 256 };
	static const struct option opts[] = {
		{ "no-stream", no_argument, NULL, O_NO_STREAM },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' }, { 0 }
	};
	bool stream = true, json = false;
	int c, r;
	while ((c = cli_getopt(&cmd_container_stats, argc, argv, "f:h", opts, err)) != -1) {
		if (c == '?')
			return -1;
		if (c == O_NO_STREAM)
			stream = false;
		else if (!strcmp(optarg, "json"))
			json = true;
		else if (strcmp(optarg, "table"))
			return husk_fail(err, 0, "container stats: --format: expected table or json, got \"%s\"",
					 optarg);
	}
	if ((r = cli_positional(&cmd_container_stats, argc, argv, 1, -1, err)) < 0)
		return r;
	struct engine_ctx ctx;
	cleanup_free char *store = NULL;
	if ((r = cli_engine_ctx(g, &ctx, &store, err)) < 0)
		return r;
	size_t n = argc - optind;
	struct engine_stats *prev = calloc(n, sizeof(*prev)), *cur = calloc(n, sizeof(*cur));
	bool *live = calloc(n, sizeof(bool));
	if (!prev || !cur || !live) {
		r = husk_fail(err, ENOMEM, "container stats");
		goto out;
	}
	/* Every container must run at the first sample: one error otherwise. */
	for (size_t i = 0; i < n; i++) {
		if ((r = engine_stats(&ctx, argv[optind + i], &prev[i], err)) < 0)
			goto out;
		live[i] = true;
	}
	bool tty = isatty(STDOUT_FILENO);
	for (long wait = stream ? 1000 : 500;; wait = 1000) {
		sleep_ms(wait);
		size_t alive = 0;
		if (stream && tty && !json)
			printf("\033[2J\033[H");
		if (!json)
			printf("%-15s%-20s%-10s%-22s%-10s%-20s%-20s%s\n", "CONTAINER ID", "NAME", "CPU %",
			       "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS");
		for (size_t i = 0; i < n; i++) {
			husk_error *gone = NULL;
			if (!live[i] || engine_stats(&ctx, argv[optind + i], &cur[i], &gone) < 0) {
				husk_error_free(gone);
				live[i] = false;   /* stopped: off the table */
				continue;
			}
			struct row row;
			fill_row(&row, &prev[i], &cur[i]);
			if (json)
				print_json(&cur[i], &row);
			else
				printf("%-15.12s%-20s%-10s%-22s%-10s%-20s%-20s%s\n", cur[i].id, cur[i].name,
				       row.cpu, row.mem, row.memp, row.net, row.blk, row.pids);
			engine_stats_clear(&prev[i]);
			prev[i] = cur[i];
			cur[i] = (struct engine_stats) { 0 };
			alive++;
		}
		fflush(stdout);
		if (!stream || alive == 0)
			break;
	}
	r = 0;
out:
	free_samples(prev, n);
	free_samples(cur, n);
	free(live);
	return r;
}

const struct command cmd_container_stats = {
	.name = "container stats",
	.summary = "show running containers' CPU, memory, network, block I/O and pids",
	.usage = "[--no-stream] [--format table|json] CONTAINER...",
	.run = run_stats,
};
