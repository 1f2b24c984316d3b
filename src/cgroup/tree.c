/* A container's cgroup with the sub-cgroups it made of its own (or that
 * were made for it): ps, kill and delete see the whole tree, as runc's
 * GetAllPids and its recursive removal do. */
#include "cgroup/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"

/* Deeper than any real tree; a bound on the recursion. */
#define MAX_DEPTH 64

static int read_one(const char *dir, pid_t **ret, size_t *n, size_t *cap, husk_error **err)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	cleanup_fclose FILE *f = fopen(path, "re");
	if (f == NULL)
		return errno == ENOENT ? 0 : husk_fail(err, errno, "open %s", path);
	long pid;
	while (fscanf(f, "%ld", &pid) == 1) {
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			pid_t *grown = realloc(*ret, *cap * sizeof(pid_t));
			if (grown == NULL)
				return husk_fail(err, ENOMEM, "read %s", path);
			*ret = grown;
		}
		(*ret)[(*n)++] = pid;
	}
	return 0;
}

/* Calls fn on each sub-cgroup (directory) of dir. */
static int each_child(const char *dir, int (*fn)(const char *child, void *ctx), void *ctx)
{
	cleanup_closedir DIR *d = opendir(dir);
	if (d == NULL)
		return 0; /* gone, or not a cgroup: nothing below */
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char child[4200];
		if (snprintf(child, sizeof(child), "%s/%s", dir, e->d_name) >= (int) sizeof(child))
			return -ENAMETOOLONG;
		int r = fn(child, ctx);
		if (r < 0)
			return r;
	}
	return 0;
}

struct procs_ctx {
	pid_t **ret;
	size_t *n, cap;
	int depth;
	husk_error **err;
};

static int procs_tree(const char *dir, void *ctx)
{
	struct procs_ctx *c = ctx;
	int r = read_one(dir, c->ret, c->n, &c->cap, c->err);
	if (r < 0 || c->depth >= MAX_DEPTH)
		return r;
	c->depth++;
	r = each_child(dir, procs_tree, c);
	c->depth--;
	return r;
}

int cgroup_read_procs(const char *dir, pid_t **ret, size_t *n, husk_error **err)
{
	*ret = NULL;
	*n = 0;
	struct procs_ctx c = { ret, n, 0, 0, err };
	int r = procs_tree(dir, &c);
	if (r < 0 && err && *err == NULL)
		husk_fail(err, -r, "read the cgroups below %s", dir);
	if (r < 0) {
		free(*ret);
		*ret = NULL;
		*n = 0;
	}
	return r;
}

struct rm_ctx {
	bool wait;
	int depth;
	husk_error **err;
};

static int rm_tree(const char *dir, void *ctx)
{
	struct rm_ctx *c = ctx;
	if (c->depth < MAX_DEPTH) {
		c->depth++;
		int r = each_child(dir, rm_tree, c);
		c->depth--;
		if (r < 0)
			return r;
	}
	/* The last task may still be leaving: EBUSY is retried briefly. */
	for (int i = 0; i < 100; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY || !c->wait)
			break;
		struct timespec ts = { 0, 2000000 };
		nanosleep(&ts, NULL);
	}
	return husk_fail(c->err, errno, "remove cgroup %s", dir);
}

int cgroup_rmdir_tree(const char *dir, bool wait, husk_error **err)
{
	struct rm_ctx c = { wait, 0, err };
	int r = rm_tree(dir, &c);
	if (r < 0 && err && *err == NULL)
		husk_fail(err, -r, "remove cgroup %s", dir);
	return r;
}
