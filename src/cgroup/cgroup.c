#include "cgroup/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/systemd_unit.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define DEFAULT_PARENT "/husk"

#ifndef HUSK_SYSTEMD
const struct cgroup_ops *const cgroup_systemd_ops = NULL;
#endif

enum cgroup_mode cgroup_detect(void)
{
	struct statfs sf;
	if (statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
		return CGROUP_V2;
	return CGROUP_V1;
}

static int set_path(struct cgroup *cg, const char *path, husk_error **err)
{
	if (strstr(path, "/../") || strcmp(path, "/..") == 0 ||
	    (strlen(path) >= 3 && strcmp(path + strlen(path) - 3, "/..") == 0))
		return husk_fail(err, 0, "cgroupsPath \"%s\": \"..\" is not allowed", path);
	if (snprintf(cg->path, sizeof(cg->path), "%s", path) >= (int) sizeof(cg->path))
		return husk_fail(err, ENAMETOOLONG, "cgroupsPath");
	cg->mode = cgroup_detect();
	cg->ops = cg->mode == CGROUP_V2 ? &cgroup_v2_ops : &cgroup_v1_ops;
	cg->unit[0] = cg->slice[0] = '\0';
	return 0;
}

/* The systemd driver, when husk has it and systemd runs here. */
static int systemd_driver(struct cgroup *cg, husk_error **err)
{
	if (cgroup_systemd_ops == NULL)
		return husk_fail(err, 0, "--systemd-cgroup: husk was built without the systemd cgroup driver (no libsystemd)");
	if (access("/run/systemd/system", F_OK) < 0)
		return husk_fail(err, 0, "--systemd-cgroup: systemd is not running on this host (no /run/systemd/system)");
	cg->mode = cgroup_detect();
	cg->ops = cgroup_systemd_ops;
	return 0;
}

int cgroup_join_path(const char *cgroups_path, const char *id, const char *parent, char *out,
		     size_t len, husk_error **err)
{
	const char *sep = strcmp(parent, "/") == 0 ? "" : "/";
	if (cgroups_path == NULL || *cgroups_path == '\0')
		snprintf(out, len, "%s%s%s", parent, sep, id);
	else if (cgroups_path[0] == '/')
		snprintf(out, len, "%s", cgroups_path);
	else if (strchr(cgroups_path, ':'))
		return husk_fail(err, 0, "cgroupsPath \"%s\": the systemd form \"slice:prefix:name\" needs --systemd-cgroup",
				 cgroups_path);
	else
		snprintf(out, len, "%s%s%s", parent, sep, cgroups_path);
	return 0;
}

int cgroup_init(struct cgroup *cg, const char *cgroups_path, const char *id, bool systemd,
		husk_error **err)
{
	char path[1024];
	if (systemd) {
		int r = systemd_driver(cg, err);
		return r < 0 ? r : systemd_parse_path(cg, cgroups_path, id, err);
	}
	int r = cgroup_join_path(cgroups_path, id, DEFAULT_PARENT, path, sizeof(path), err);
	return r < 0 ? r : set_path(cg, path, err);
}

bool cgroup_is_default(const struct cgroup *cg, const char *id)
{
	size_t n = strlen(DEFAULT_PARENT);
	return cg->unit[0] == '\0' && strncmp(cg->path, DEFAULT_PARENT "/", n + 1) == 0 &&
	       strcmp(cg->path + n + 1, id) == 0;
}

int cgroup_from_path(struct cgroup *cg, const char *path, const char *unit, husk_error **err)
{
	int r = set_path(cg, path, err);
	if (r < 0 || unit == NULL || *unit == '\0')
		return r;
	/* A container of the systemd driver; its unit may be gone already,
	 * which remove() accepts, so that delete works whatever happened. */
	if (cgroup_systemd_ops == NULL)
		return husk_fail(err, 0, "cgroup of unit %s: husk was built without the systemd cgroup driver", unit);
	if (snprintf(cg->unit, sizeof(cg->unit), "%s", unit) >= (int) sizeof(cg->unit))
		return husk_fail(err, ENAMETOOLONG, "unit %s", unit);
	cg->ops = cgroup_systemd_ops;
	return 0;
}

int cgroup_write(const char *dir, const char *file, const char *value, husk_error **err)
{
	char path[1400];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return husk_fail(err, errno, "open %s", path);
	int r = write_all(fd, value, strlen(value));
	if (r < 0)
		return husk_fail(err, -r, "write %s to %s", value, path);
	return 0;
}

int cgroup_read(const char *dir, const char *file, char *buf, size_t len)
{
	char path[1400];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, len - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int) n;
}

int64_t json_i64(json_object *obj, const char *key, bool *given)
{
	json_object *v = obj ? json_member(obj, key) : NULL;
	*given = v != NULL && (json_is_integer(v) || json_object_is_type(v, json_type_double));
	return *given ? json_object_get_int64(v) : 0;
}

uint64_t cgroup_oom_kills(const struct cgroup *cg)
{
	char dir[1400], buf[4096];
	if (cg->mode == CGROUP_V2)
		snprintf(dir, sizeof(dir), "/sys/fs/cgroup%s", cg->path);
	else
		snprintf(dir, sizeof(dir), "/sys/fs/cgroup/memory%s", cg->path);
	if (cgroup_read(dir, cg->mode == CGROUP_V2 ? "memory.events" : "memory.oom_control", buf, sizeof(buf)) <= 0)
		return 0;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		if (strncmp(line, "oom_kill ", 9) == 0)
			return strtoull(line + 9, NULL, 10);
	return 0;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

int cgroup_kill_all(const struct cgroup *cg, int sig, husk_error **err)
{
	for (int round = 0; round < 500; round++) {
		cleanup_free pid_t *pids = NULL;
		size_t n;
		int r = cg->ops->procs(cg, &pids, &n, err);
		if (r < 0)
			return r;
		if (n == 0)
			return 0;
		if (round == 0 || sig == SIGKILL)
			for (size_t i = 0; i < n; i++)
				kill(pids[i], sig);
		if (sig != SIGKILL)
			return 0;
		/* A frozen (v1) cgroup holds its processes in the kill: thawed
		 * once the signal is pending, none runs anything of its own. */
		if (round == 0 && cg->ops->frozen(cg))
			cg->ops->freeze(cg, false, NULL);
		sleep_ms(round < 10 ? 1 : 10);
	}
	return husk_fail(err, EBUSY, "cgroup %s: processes survive SIGKILL", cg->path);
}

int cgroup_destroy(const struct cgroup *cg, bool kill_rest, husk_error **err)
{
	int r = kill_rest ? cgroup_kill_all(cg, SIGKILL, err) : 0;
	if (r < 0)
		return r;
	if ((r = cg->ops->remove(cg, true, err)) < 0)
		return r;
	/* Below husk's default parent, the directories husk made for a
	 * relative cgroupsPath (and the parent itself) go when their last
	 * container does; another container's create may race us, so failure
	 * is fine.  EBUSY means other cgroups are below: one try, and stop. */
	if (strncmp(cg->path, DEFAULT_PARENT "/", strlen(DEFAULT_PARENT) + 1) == 0) {
		struct cgroup parent = *cg;
		char *slash;
		while ((slash = strrchr(parent.path, '/')) != NULL && slash - parent.path >= (long) strlen(DEFAULT_PARENT)) {
			*slash = '\0';
			if (parent.ops->remove(&parent, false, NULL) < 0)
				break;
		}
	}
	return 0;
}
