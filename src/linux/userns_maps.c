#include "linux/userns_maps.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/namespaces.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* One mapping of the id husk runs as: what an unprivileged process may
 * write itself. */
static bool own_id_only(const struct spec_id_mapping *m, size_t n, uint32_t own)
{
	return n == 1 && m[0].size == 1 && m[0].host_id == own;
}

/* Runs `tool PID c h s ...`; its first line of stderr goes in the error. */
int userns_run_map_tool(const char *tool, pid_t pid, const struct spec_id_mapping *m, size_t n,
			husk_error **err)
{
	char **argv = calloc(3 * n + 3, sizeof(char *));
	char pidbuf[16];
	if (argv == NULL)
		return husk_fail(err, ENOMEM, "%s", tool);
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int) pid);
	argv[0] = (char *) tool;
	argv[1] = pidbuf;
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++)
		if (asprintf(&argv[2 + 3 * i], "%u", m[i].container_id) < 0 ||
		    asprintf(&argv[3 + 3 * i], "%u", m[i].host_id) < 0 ||
		    asprintf(&argv[4 + 3 * i], "%u", m[i].size) < 0)
			r = husk_fail(err, ENOMEM, "%s", tool);
	int p[2] = { -1, -1 };
	if (r == 0 && pipe2(p, O_CLOEXEC) < 0)
		r = husk_fail(err, errno, "pipe");
	pid_t child = r == 0 ? fork() : -1;
	if (r == 0 && child < 0)
		r = husk_fail(err, errno, "fork %s", tool);
	if (child == 0) {
		dup2(p[1], 2);
		execvp(tool, argv);
		dprintf(2, "%s", strerror(errno));
		_exit(127);
	}
	if (p[1] >= 0)
		close(p[1]);
	if (child > 0) {
		char msg[256] = "";
		ssize_t got = 0, k;
		while (got < (ssize_t) sizeof(msg) - 1 &&
		       ((k = read(p[0], msg + got, sizeof(msg) - 1 - got)) > 0 || (k < 0 && errno == EINTR)))
			got += k > 0 ? k : 0;
		msg[got] = '\0';
		msg[strcspn(msg, "\n")] = '\0';
		int st = 0;
		while (waitpid(child, &st, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			r = husk_fail(err, 0, "%s %d: %s (are the ranges granted in /etc/sub%cid, and is the uidmap package installed?)",
				      tool, (int) pid, *msg ? msg : "failed", tool[3] == 'u' ? 'u' : 'g');
	}
	if (p[0] >= 0)
		close(p[0]);
	for (size_t i = 2; i < 3 * n + 2; i++)
		free(argv[i]);
	free(argv);
	return r;
}

int userns_write_maps(pid_t pid, const struct spec *s, husk_error **err)
{
	bool privileged = geteuid() == 0;
	int r;
	if (privileged || own_id_only(s->uid_mappings, s->n_uid_mappings, geteuid()))
		r = ns_write_map(pid, "uid_map", s->uid_mappings, s->n_uid_mappings, err);
	else
		r = userns_run_map_tool("newuidmap", pid, s->uid_mappings, s->n_uid_mappings, err);
	if (r < 0)
		return r;
	if (privileged)
		return ns_write_map(pid, "gid_map", s->gid_mappings, s->n_gid_mappings, err);
	if (!own_id_only(s->gid_mappings, s->n_gid_mappings, getegid()))
		return userns_run_map_tool("newgidmap", pid, s->gid_mappings, s->n_gid_mappings, err);
	/* Without CAP_SETGID over the parent namespace, the kernel takes a
	 * gid_map only once setgroups is denied: the container could
	 * otherwise drop a supplementary group that denies it access. */
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/setgroups", (int) pid);
	if ((r = write_file_at(AT_FDCWD, path, "deny", 4, 0, err)) < 0)
		return r;
	return ns_write_map(pid, "gid_map", s->gid_mappings, s->n_gid_mappings, err);
}
