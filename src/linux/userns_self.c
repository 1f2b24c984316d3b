#include "linux/userns_self.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/namespaces.h"
#include "linux/sync.h"
#include "linux/userns_maps.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* Appends the ranges of `file` whose first field is name or uid. */
static void read_ranges(const char *file, const char *name, unsigned uid,
			struct spec_id_mapping *m, size_t *n)
{
	cleanup_fclose FILE *f = fopen(file, "re");
	char line[512], who[256], num[16];
	snprintf(num, sizeof(num), "%u", uid);
	uint32_t next = 1;
	while (f && *n < USERNS_SELF_MAX + 1 && fgets(line, sizeof(line), f)) {
		unsigned long start, count;
		if (sscanf(line, "%255[^:]:%lu:%lu", who, &start, &count) != 3 || count == 0 ||
		    count > 0xffffffffUL - next || (strcmp(who, num) != 0 && (!name || strcmp(who, name) != 0)))
			continue;
		m[(*n)++] = (struct spec_id_mapping) { .container_id = next, .host_id = (uint32_t) start,
						       .size = (uint32_t) count };
		next += (uint32_t) count;
	}
}

int userns_self_maps(struct userns_self_maps *m, husk_error **err)
{
	(void) err;
	uid_t uid = geteuid();
	struct passwd *pw = getpwuid(uid);
	const char *name = pw ? pw->pw_name : NULL;
	*m = (struct userns_self_maps) { .n_uid = 1, .n_gid = 1 };
	m->uid[0] = (struct spec_id_mapping) { .container_id = 0, .host_id = uid, .size = 1 };
	m->gid[0] = (struct spec_id_mapping) { .container_id = 0, .host_id = getegid(), .size = 1 };
	read_ranges("/etc/subuid", name, uid, m->uid, &m->n_uid);
	read_ranges("/etc/subgid", name, uid, m->gid, &m->n_gid);
	/* Both or neither: a uid range without a gid range would leave files
	 * of the image's groups unmapped. */
	if (m->n_uid == 1 || m->n_gid == 1)
		m->n_uid = m->n_gid = 1;
	return 0;
}

/* The helper outside: waits for the parent to unshare, maps it. */
static __attribute__((noreturn)) void map_parent(const struct userns_self_maps *m, pid_t parent,
						 int fd)
{
	cleanup_error husk_error *err = NULL;
	if (sync_expect(fd, SYNC_PLACED, "husk", NULL, &err) >= 0 &&
	    userns_run_map_tool("newuidmap", parent, m->uid, m->n_uid, &err) >= 0 &&
	    userns_run_map_tool("newgidmap", parent, m->gid, m->n_gid, &err) >= 0)
		_exit(0);
	sync_send_error(fd, err);
	_exit(1);
}

int userns_self_enter(const struct userns_self_maps *m, husk_error **err)
{
	if (m->n_uid == 1) {
		/* The user's own id: the process may write that itself. */
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
			return husk_fail(err, errno, "rootless: a user namespace");
		if (write_file_at(AT_FDCWD, "/proc/self/setgroups", "deny", 4, 0, err) < 0 ||
		    ns_write_map(getpid(), "uid_map", m->uid, 1, err) < 0 ||
		    ns_write_map(getpid(), "gid_map", m->gid, 1, err) < 0)
			return husk_wrap(err, "rootless: map the user namespace");
		return 0;
	}
	int sv[2];
	if (sync_pair(sv, err) < 0)
		return -1;
	pid_t parent = getpid(), child = fork();
	if (child < 0) {
		close(sv[0]);
		close(sv[1]);
		return husk_fail(err, errno, "rootless: fork");
	}
	if (child == 0) {
		close(sv[0]);
		map_parent(m, parent, sv[1]);
	}
	close(sv[1]);
	int r = 0;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		r = husk_fail(err, errno, "rootless: a user namespace");
	else if (sync_send(sv[0], SYNC_PLACED, 0, err) < 0)
		r = -1;
	struct sync_msg msg;
	if (r == 0 && sync_recv(sv[0], &msg, "newuidmap", err) == 0)
		r = sync_error(&msg, err);
	close(sv[0]);
	int st = 0;
	while (waitpid(child, &st, 0) < 0 && errno == EINTR)
		;
	if (r == 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		r = husk_fail(err, 0, "rootless: newuidmap/newgidmap failed");
	return r < 0 ? husk_wrap(err, "rootless: map the user namespace") : 0;
}
