/* One sample of a running container's resource use for `container stats`:
 * the runtime's cgroup stats (core: container_stats, what `husk events
 * --stats` prints) and what the cgroup stats lack: network bytes from the
 * container's /proc/PID/net/dev, block bytes from its processes' io. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/container.h"
#include "engine/internal.h"
#include "util/cleanup.h"
#include "util/json.h"

static uint64_t u64_at(json_object *o, const char *a, const char *b)
{
	json_object *v = json_member(json_member(o, a), b);
	return v ? json_object_get_uint64(v) : 0;
}

/* MemTotal: what an unlimited container is measured against, as docker. */
static uint64_t host_memory(void)
{
	cleanup_fclose FILE *f = fopen("/proc/meminfo", "re");
	char line[256];
	unsigned long long kb;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %llu kB", &kb) == 1)
			return (uint64_t) kb * 1024;
	return 0;
}

/* The interfaces of the container's network namespace, lo aside. */
static bool net_bytes(int pid, uint64_t *rx, uint64_t *tx)
{
	char path[64], line[512];
	snprintf(path, sizeof(path), "/proc/%d/net/dev", pid);
	cleanup_fclose FILE *f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		char *name = line + strspn(line, " ");
		unsigned long long r, t, skip;
		if (strcmp(name, "lo") == 0 ||
		    sscanf(colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu", &r, &skip, &skip,
			   &skip, &skip, &skip, &skip, &skip, &t) != 9)
			continue;
		*rx += r;
		*tx += t;
	}
	return true;
}

/* read_bytes/write_bytes of the live processes (what reached the block
 * layer; the cgroup's blkio counters are not in the runtime's stats). */
static bool block_bytes(const pid_t *pids, size_t n, uint64_t *rd, uint64_t *wr)
{
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		char path[64], line[256];
		snprintf(path, sizeof(path), "/proc/%d/io", (int) pids[i]);
		cleanup_fclose FILE *f = fopen(path, "re");
		unsigned long long v;
		while (f && fgets(line, sizeof(line), f)) {
			if (sscanf(line, "read_bytes: %llu", &v) == 1)
				*rd += v, any = true;
			else if (sscanf(line, "write_bytes: %llu", &v) == 1)
				*wr += v;
		}
	}
	return any;
}

int engine_stats(const struct engine_ctx *c, const char *ref, struct engine_stats *s,
		 husk_error **err)
{
	engine_stats_clear(s);
	int pid = 0, r = engine_running_id(c, ref, s->id, &pid, &s->name, err);
	if (r < 0)
		return r;
	cleanup_json json_object *st = NULL;
	uint64_t ooms;
	bool running;
	if ((r = container_stats(c->root, s->id, &st, &ooms, &running, err)) < 0)
		return r;
	if (!running || !st)
		return husk_fail(err, 0, "container %s: is not running", ref);
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->when_ns = (uint64_t) ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	json_object *cpu = json_member(st, "cpu"), *mem = json_member(st, "memory");
	s->cpu_ns = u64_at(cpu, "usage", "total");
	s->mem_usage = u64_at(mem, "usage", "usage");
	/* docker's figure: without the inactive page cache, which the kernel
	 * reclaims first */
	json_object *raw = json_member(mem, "raw");
	json_object *inactive = json_member(raw, "total_inactive_file");
	if (!inactive)
		inactive = json_member(raw, "inactive_file");
	uint64_t in = inactive ? json_object_get_uint64(inactive) : 0;
	if (in < s->mem_usage)
		s->mem_usage -= in;
	s->mem_limit = u64_at(mem, "usage", "limit");
	uint64_t host = host_memory();
	if (host && (s->mem_limit == 0 || s->mem_limit > host))
		s->mem_limit = host;
	s->pids = u64_at(st, "pids", "current");
	s->has_net = net_bytes(pid, &s->net_rx, &s->net_tx);
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	husk_error *ignored = NULL;
	if (container_pids(c->root, s->id, &pids, &n, &ignored) >= 0)
		s->has_block = block_bytes(pids, n, &s->blk_read, &s->blk_write);
	husk_error_free(ignored);
	return 0;
}

void engine_stats_clear(struct engine_stats *s)
{
	free(s->name);
	*s = (struct engine_stats) { 0 };
}
