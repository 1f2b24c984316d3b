#include "spec/proc_mounts.h"

#include <errno.h>
#include <string.h>

#include "util/path_clean.h"

/* What lxcfs binds over a container's procfs (runc's list, without
 * /proc/net/dev: /proc/net is a symlink to self/net, so a bind there lands
 * on /proc/<pid>/net/dev, which runc 1.1 refuses too). */
static const char *const lxcfs_files[] = {
	"/proc/cpuinfo", "/proc/meminfo", "/proc/stat",	 "/proc/uptime",
	"/proc/loadavg", "/proc/diskstats", "/proc/swaps", "/proc/slabinfo",
};

bool spec_mount_is_bind(const struct spec_mount *m)
{
	if (m->type && strcmp(m->type, "bind") == 0)
		return true;
	for (size_t k = 0; m->options && m->options[k]; k++)
		if (strcmp(m->options[k], "bind") == 0 || strcmp(m->options[k], "rbind") == 0)
			return true;
	return false;
}

const char *proc_mount_refusal(const char *dest, bool bind, bool procfs)
{
	if (strncmp(dest, "/proc", 5) != 0 || (dest[5] != '\0' && dest[5] != '/'))
		return NULL;
	if (dest[5] == '\0')
		return procfs ? NULL : "only a procfs may be mounted at /proc";
	for (size_t i = 0; bind && i < sizeof(lxcfs_files) / sizeof(lxcfs_files[0]); i++)
		if (strcmp(dest, lxcfs_files[i]) == 0)
			return NULL;
	return "inside /proc only /proc/cpuinfo, meminfo, stat, uptime, loadavg, diskstats, swaps and slabinfo "
	       "may be bound over";
}

int validate_proc_mounts(const struct spec *s, husk_error **err)
{
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct spec_mount *m = &s->mounts[i];
		char dest[4096];
		if (path_clean(m->destination, dest, sizeof(dest)) < 0)
			return husk_fail(err, ENAMETOOLONG, "config.json: mounts[%zu].destination", i);
		bool bind = spec_mount_is_bind(m);
		bool procfs = bind || (m->type && strcmp(m->type, "proc") == 0);
		const char *why = proc_mount_refusal(dest, bind, procfs);
		if (why)
			return husk_fail(err, 0, "config.json: mounts[%zu].destination: \"%s\": %s", i,
					 m->destination, why);
	}
	return 0;
}
