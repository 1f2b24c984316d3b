#include "linux/join_cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/path_clean.h"

int join_subcgroups_parse(const char *const *args, size_t n, struct join_subcgroup *subs,
			  husk_error **err)
{
	for (size_t i = 0; i < n; i++) {
		const char *a = args[i], *colon = strchr(a, ':'), *path = colon ? colon + 1 : a;
		struct join_subcgroup *s = &subs[i];
		if (colon && strchr(path, ':'))
			return husk_fail(err, 0, "invalid --cgroup argument: %s", a);
		if (!colon && n > 1)
			return husk_fail(err, 0, "invalid --cgroup argument: %s (missing <controller>: prefix)", a);
		size_t clen = colon ? (size_t) (colon - a) : 0;
		if (clen >= sizeof(s->controllers))
			return husk_fail(err, ENAMETOOLONG, "--cgroup %s", a);
		memcpy(s->controllers, a, clen);
		s->controllers[clen] = '\0';
		/* "memory", "cpu,cpuacct": no empty name among them. */
		if (colon && (clen == 0 || s->controllers[0] == ',' || s->controllers[clen - 1] == ',' ||
			      strstr(s->controllers, ",,")))
			return husk_fail(err, 0, "invalid --cgroup argument: %s (empty <controller> prefix)", a);
		/* Lexically inside the container's cgroup, as runc's check:
		 * "/" is the cgroup itself, ".." is refused. */
		char rel[1100], probe[1200], clean[1200];
		snprintf(rel, sizeof(rel), "/%s", path);
		snprintf(probe, sizeof(probe), "/c%s", rel);
		if (path_clean(probe, clean, sizeof(clean)) < 0 || strncmp(clean, "/c", 2) != 0 ||
		    (clean[2] != '\0' && clean[2] != '/'))
			return husk_fail(err, 0, "--cgroup %s: bad sub cgroup path (outside the container's cgroup)", a);
		if (path_clean(rel, s->sub, sizeof(s->sub)) < 0)
			return husk_fail(err, ENAMETOOLONG, "--cgroup %s", a);
	}
	return 0;
}

/* Whether the comma-separated list has name ("name=systemd" is also
 * "systemd"). */
static bool list_has(const char *list, const char *name, size_t len)
{
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		const char *q = strncmp(p, "name=", 5) == 0 && n > 5 ? p + 5 : p;
		size_t m = n - (size_t) (q - p);
		if ((m == len && strncmp(q, name, len) == 0) || (n == len && strncmp(p, name, len) == 0))
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

/* The --cgroup for the hierarchy of controllers ctl, or NULL. */
static const struct join_subcgroup *sub_for(const char *ctl, const struct join_subcgroup *subs, size_t n)
{
	const struct join_subcgroup *found = NULL;
	for (size_t i = 0; i < n; i++) {
		if (subs[i].controllers[0] == '\0')
			return &subs[i];
		for (const char *p = subs[i].controllers; *p;) {
			size_t len = strcspn(p, ",");
			if (*ctl && list_has(ctl, p, len))
				found = &subs[i]; /* the last one wins, as in runc */
			p += len;
			if (*p == ',')
				p++;
		}
	}
	return found;
}

/* Every controller of subs is in one of the target's hierarchies. */
static int check_controllers(const char *lines, const struct join_subcgroup *subs, size_t n,
			     husk_error **err)
{
	for (size_t i = 0; i < n; i++) {
		for (const char *p = subs[i].controllers; *p;) {
			size_t len = strcspn(p, ",");
			bool known = false;
			/* lines: "ctl\n" per hierarchy */
			for (const char *l = lines; *l && !known;) {
				size_t ll = strcspn(l, "\n");
				char ctl[256];
				snprintf(ctl, sizeof(ctl), "%.*s", (int) ll, l);
				known = *ctl && list_has(ctl, p, len);
				l += ll + (l[ll] == '\n');
			}
			if (!known)
				return husk_fail(err, 0, "--cgroup: unknown controller %.*s%s", (int) len, p,
						 cgroup_detect() == CGROUP_V2 ? " (cgroup v2 has no per-controller hierarchies)" : "");
			p += len;
			if (*p == ',')
				p++;
		}
	}
	return 0;
}

int join_cgroups(pid_t target, pid_t pid, const char *cg_path, const struct join_subcgroup *subs,
		 size_t n_subs, husk_error **err)
{
	char path[64], line[1024], pidbuf[16];
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int) target);
	cleanup_fclose FILE *f = fopen(path, "re");
	if (f == NULL)
		return husk_fail(err, errno, "open %s", path);
	if (n_subs > 0) {
		char ctls[4096] = "";
		size_t used = 0;
		while (fgets(line, sizeof(line), f)) {
			char *ctl = strchr(line, ':'), *end;
			if (ctl == NULL || (end = strchr(++ctl, ':')) == NULL)
				continue;
			used += snprintf(ctls + used, used < sizeof(ctls) ? sizeof(ctls) - used : 0, "%.*s\n",
					 (int) (end - ctl), ctl);
			if (used >= sizeof(ctls))
				return husk_fail(err, E2BIG, "read %s", path);
		}
		int r = check_controllers(ctls, subs, n_subs, err);
		if (r < 0)
			return r;
		rewind(f);
	}
	int n = snprintf(pidbuf, sizeof(pidbuf), "%d", (int) pid);
	bool v2 = cgroup_detect() == CGROUP_V2;
	while (fgets(line, sizeof(line), f)) {
		char *ctl = strchr(line, ':'), *cg;
		if (ctl == NULL || (cg = strchr(++ctl, ':')) == NULL)
			continue;
		*cg++ = '\0';
		cg[strcspn(cg, "\n")] = '\0';
		/* The "0::" line is the cgroup2 hierarchy: /sys/fs/cgroup itself
		 * on a v2 host, /sys/fs/cgroup/unified on a hybrid one. */
		const char *dir = *ctl != '\0' ? ctl : v2 ? "" : "unified";
		if (strncmp(dir, "name=", 5) == 0)
			dir += 5;
		char base[1400], procs[2500];
		snprintf(base, sizeof(base), "/sys/fs/cgroup%s%s", *dir ? "/" : "", dir);
		const struct join_subcgroup *s = sub_for(ctl, subs, n_subs);
		char cgdir[1500];
		snprintf(cgdir, sizeof(cgdir), "%s%s", base, cg_path ? cg_path : "");
		/* A hierarchy the container has no cgroup of its own in (name=
		 * hierarchies husk does not make) keeps the target's cgroup,
		 * unless its controller was asked for by name. */
		if (s && cg_path && access(cgdir, F_OK) < 0) {
			if (s->controllers[0] != '\0')
				return husk_fail(err, errno, "--cgroup %s:%s: the container's cgroup %s", s->controllers,
						 s->sub, cgdir);
			s = NULL;
		}
		if (s)
			snprintf(procs, sizeof(procs), "%s%s/cgroup.procs", cgdir, strcmp(s->sub, "/") == 0 ? "" : s->sub);
		else
			snprintf(procs, sizeof(procs), "%s%s/cgroup.procs", base, cg);
		cleanup_close int fd = open(procs, O_WRONLY | O_CLOEXEC);
		if (fd < 0 && s)
			return husk_fail(err, errno, "adding pid %d to cgroup %s", (int) pid, procs);
		if (fd < 0)
			continue; /* hierarchy not mounted here */
		int r = write_all(fd, pidbuf, n);
		if (r < 0)
			return husk_fail(err, -r, "adding pid %d to cgroup %s", (int) pid, procs);
		if (s)
			log_debug("exec: pid %d joined %s", (int) pid, procs);
	}
	return 0;
}
