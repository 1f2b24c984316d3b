#include "linux/namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/fs.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

int ns_clone_flag(enum ns_type t)
{
	static const int flags[NS_COUNT] = {
		[NS_PID] = CLONE_NEWPID,   [NS_NET] = CLONE_NEWNET,   [NS_MNT] = CLONE_NEWNS,
		[NS_IPC] = CLONE_NEWIPC,   [NS_UTS] = CLONE_NEWUTS,   [NS_USER] = CLONE_NEWUSER,
		[NS_CGROUP] = CLONE_NEWCGROUP, [NS_TIME] = CLONE_NEWTIME,
	};
	return t < NS_COUNT ? flags[t] : 0;
}

unsigned long ns_new_flags(const struct spec *s)
{
	unsigned long f = 0;
	/* Not time: offsets can only be set before a process enters the new
	 * time namespace, so the container process unshares it itself and
	 * enters it at exec.  Not cgroup: its root is the cgroup of its
	 * creator, so it is made once the process is in its own cgroup. */
	for (int t = 0; t < NS_COUNT; t++)
		if (t != NS_TIME && t != NS_CGROUP && s->namespaces[t].present && s->namespaces[t].path == NULL)
			f |= ns_clone_flag(t);
	return f;
}

void ns_close_all(int fds[NS_COUNT])
{
	for (int t = 0; t < NS_COUNT; t++) {
		if (fds[t] >= 0)
			close(fds[t]);
		fds[t] = -1;
	}
}

int ns_open_joined(const struct spec *s, int fds[NS_COUNT], husk_error **err)
{
	for (int t = 0; t < NS_COUNT; t++)
		fds[t] = -1;
	for (int t = 0; t < NS_COUNT; t++) {
		const char *path = s->namespaces[t].path;
		if (!s->namespaces[t].present || path == NULL)
			continue;
		fds[t] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[t] < 0) {
			int e = errno;
			ns_close_all(fds);
			return husk_fail(err, e, "open %s namespace %s", ns_type_name(t), path);
		}
	}
	return 0;
}

int ns_join(int fds[NS_COUNT], unsigned which, husk_error **err)
{
	static const enum ns_type order[] = { NS_USER, NS_PID, NS_TIME, NS_IPC, NS_UTS,
					      NS_NET, NS_CGROUP, NS_MNT };
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		enum ns_type t = order[i];
		if (fds[t] < 0 || !(which & (1u << t)))
			continue;
		if (setns(fds[t], ns_clone_flag(t)) < 0)
			return husk_fail(err, errno, "join %s namespace", ns_type_name(t));
	}
	return 0;
}

int ns_write_map(pid_t pid, const char *file, const struct spec_id_mapping *m, size_t n,
		 husk_error **err)
{
	char buf[4096], path[64];
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + len, sizeof(buf) - len, "%u %u %u\n", m[i].container_id,
				 m[i].host_id, m[i].size);
		if (w < 0 || (size_t) w >= sizeof(buf) - len)
			return husk_fail(err, E2BIG, "%s: too many mappings", file);
		len += w;
	}
	snprintf(path, sizeof(path), "/proc/%d/%s", (int) pid, file);
	return write_file_at(AT_FDCWD, path, buf, len, 0, err);
}

int ns_write_id_maps(pid_t pid, const struct spec *s, husk_error **err)
{
	int r = ns_write_map(pid, "uid_map", s->uid_mappings, s->n_uid_mappings, err);
	if (r >= 0)
		r = ns_write_map(pid, "gid_map", s->gid_mappings, s->n_gid_mappings, err);
	return r;
}
