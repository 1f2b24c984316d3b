#include "linux/idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/mount_options.h"
#include "linux/namespaces.h"
#include "util/cleanup.h"

/* The host id of container id `id` under the container's own user
 * namespace mappings (identity without one); -1 if unmapped. */
static int64_t to_host(const struct spec_id_mapping *maps, size_t n, bool userns, uint32_t id)
{
	if (!userns)
		return id;
	for (size_t i = 0; i < n; i++)
		if (id >= maps[i].container_id && id - maps[i].container_id < maps[i].size)
			return (int64_t) maps[i].host_id + (id - maps[i].container_id);
	return -1;
}

/* The idmap's user namespace sees the on-disk id (hostID) as its inside
 * id and maps it out to the kernel id the container knows as
 * containerID: the mount's mappings written the other way round. */
static int mount_map(const struct spec *s, const struct spec_id_mapping *m, size_t n, bool gid,
		     struct spec_id_mapping *out, husk_error **err)
{
	bool userns = s->namespaces[NS_USER].present && s->namespaces[NS_USER].path == NULL;
	for (size_t i = 0; i < n; i++) {
		int64_t first = to_host(gid ? s->gid_mappings : s->uid_mappings,
					gid ? s->n_gid_mappings : s->n_uid_mappings, userns, m[i].container_id);
		int64_t last = to_host(gid ? s->gid_mappings : s->uid_mappings,
				       gid ? s->n_gid_mappings : s->n_uid_mappings, userns,
				       m[i].container_id + m[i].size - 1);
		if (first < 0 || last != first + m[i].size - 1)
			return husk_fail(err, 0, "idmapped mount: container %s %u..%u is not mapped by the container's user namespace",
					 gid ? "gid" : "uid", m[i].container_id, m[i].container_id + m[i].size - 1);
		out[i] = (struct spec_id_mapping) { .container_id = m[i].host_id, .host_id = (uint32_t) first,
						    .size = m[i].size };
	}
	return 0;
}

int idmap_userns_fd(const struct spec_id_mapping *uids, size_t n_uids,
		    const struct spec_id_mapping *gids, size_t n_gids, husk_error **err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return husk_fail(err, errno, "pipe");
	cleanup_close int rd = p[0], wr = p[1];
	pid_t pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0)
		return husk_fail(err, errno, "clone a user namespace");
	if (pid == 0) {
		char c;
		close(wr);
		while (read(rd, &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	int fd = -1;
	int r = ns_write_map(pid, "uid_map", uids, n_uids, err);
	if (r >= 0)
		r = ns_write_map(pid, "gid_map", gids, n_gids, err);
	if (r >= 0) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int) pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			r = husk_fail(err, errno, "open %s", path);
	}
	closep(&wr);
	waitpid(pid, NULL, 0);
	return r < 0 ? r : fd;
}

/* A user namespace with m's mappings seen from the container's. */
static int userns_for(const struct spec *s, const struct spec_mount *m, husk_error **err)
{
	struct spec_id_mapping uids[m->n_uid_mappings + 1], gids[m->n_gid_mappings + 1];
	int r = mount_map(s, m->uid_mappings, m->n_uid_mappings, false, uids, err);
	if (r < 0 || (r = mount_map(s, m->gid_mappings, m->n_gid_mappings, true, gids, err)) < 0)
		return r;
	return idmap_userns_fd(uids, m->n_uid_mappings, gids, m->n_gid_mappings, err);
}

static int idmapped_tree(const struct spec *s, const struct spec_mount *m, husk_error **err)
{
	struct mount_options o;
	int r = mount_options_parse(m->options, &o, err);
	if (r < 0)
		return r;
	free(o.data);
	if (m->source == NULL)
		return husk_fail(err, 0, "idmapped mount needs a source");
	cleanup_close int userns = userns_for(s, m, err);
	if (userns < 0)
		return userns;
	unsigned rec = o.recursive ? AT_RECURSIVE : 0;
	cleanup_close int tree = open_tree(AT_FDCWD, m->source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | rec);
	if (tree < 0)
		return husk_fail(err, errno, "open_tree %s", m->source);
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = userns };
	if (mount_setattr(tree, "", AT_EMPTY_PATH | rec, &attr, sizeof(attr)) < 0)
		return husk_fail(err, errno, "idmap %s", m->source);
	return steal_fd(tree);
}

int idmap_prepare(const struct spec *s, int *fds, husk_error **err)
{
	int made = 0;
	for (size_t i = 0; i < s->n_mounts; i++)
		fds[i] = -1;
	for (size_t i = 0; i < s->n_mounts; i++) {
		if (s->mounts[i].n_uid_mappings == 0)
			continue;
		fds[i] = idmapped_tree(s, &s->mounts[i], err);
		if (fds[i] < 0) {
			fds[i] = -1;
			idmap_close(fds, s->n_mounts);
			return husk_wrap(err, "mounts[%zu] %s", i, s->mounts[i].destination);
		}
		made++;
	}
	return made;
}

void idmap_close(int *fds, size_t n)
{
	for (size_t i = 0; fds && i < n; i++)
		closep(&fds[i]);
}
