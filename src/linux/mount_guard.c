#include "linux/mount_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "spec/proc_mounts.h"
#include "util/cleanup.h"
#include "util/path_clean.h"

static bool is_procfs(const struct spec_mount *m, int src_fd)
{
	struct statfs sf;
	int r = src_fd >= 0 ? fstatfs(src_fd, &sf) : m->source ? statfs(m->source, &sf) : -1;
	return r == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

/* landing: the in-root path the mount goes to, named when it is not the
 * destination as written. */
static int check_landing(const struct mount_guard *g, const char *landing, husk_error **err)
{
	const char *why = proc_mount_refusal(landing, g->bind, g->procfs);
	if (why == NULL)
		return 0;
	if (strcmp(landing, g->dest) != 0)
		return husk_fail(err, 0, "lands on %s: %s", landing, why);
	return husk_fail(err, 0, "%s", why);
}

int mount_guard_init(struct mount_guard *g, int root_fd, const struct spec_mount *m, const char *type,
		     bool bind, int src_fd, husk_error **err)
{
	if (path_clean(m->destination, g->dest, sizeof(g->dest)) < 0)
		return husk_fail(err, ENAMETOOLONG, "clean up the destination");
	g->type = type;
	g->bind = bind;
	g->procfs = bind ? is_procfs(m, src_fd) : strcmp(type, "proc") == 0;
	g->real_dir = strcmp(type, "proc") == 0 || strcmp(type, "sysfs") == 0 || strcmp(g->dest, "/proc") == 0 ||
		      strcmp(g->dest, "/sys") == 0;
	char landing[4096];
	int r = in_root_resolve(root_fd, m->destination, landing, sizeof(landing));
	if (r < 0)
		return husk_fail(err, -r, "resolve %s in the container", m->destination);
	return check_landing(g, landing, err);
}

/* The clean destination's last component, created as a directory if
 * missing and opened without following a symlink there; its parent is
 * looked up (and made) inside the root as any destination is. */
static int open_real_dir(const struct mount_guard *g, int root_fd, husk_error **err)
{
	if (strcmp(g->dest, "/") == 0)
		return in_root_open(root_fd, "/", O_PATH | O_DIRECTORY, err);
	char parent[4096];
	const char *slash = strrchr(g->dest, '/'), *name = slash + 1;
	memcpy(parent, g->dest, (size_t) (slash - g->dest));
	parent[slash - g->dest] = '\0';
	cleanup_close int pfd = in_root_mkpath(root_fd, parent, IN_ROOT_DIR, err);
	if (pfd < 0)
		return pfd;
	if (mkdirat(pfd, name, 0755) < 0 && errno != EEXIST)
		return husk_fail(err, errno, "create %s in the container", g->dest);
	cleanup_close int fd = openat(pfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return husk_fail(err, errno, "open %s in the container", g->dest);
	if (S_ISDIR(st.st_mode))
		return steal_fd(fd);
	const char *found = S_ISLNK(st.st_mode) ? "a symlink" : "not a directory";
	if (strcmp(g->type, "proc") == 0 || strcmp(g->type, "sysfs") == 0)
		return husk_fail(err, 0, "%s in the rootfs: %s is mounted only on a real directory", found, g->type);
	return husk_fail(err, 0, "%s in the rootfs: a mount at %s goes only on a real directory", found, g->dest);
}

int mount_guard_open(const struct mount_guard *g, int root_fd, const struct spec_mount *m, enum in_root_kind kind,
		     husk_error **err)
{
	int fd = g->real_dir ? open_real_dir(g, root_fd, err) : in_root_mkpath(root_fd, m->destination, kind, err);
	if (fd < 0)
		return fd;
	cleanup_close int target = fd;
	char landing[4096];
	int r = in_root_fd_path(root_fd, target, landing, sizeof(landing));
	if (r < 0)
		return husk_fail(err, -r, "find where %s is in the container", m->destination);
	if ((r = check_landing(g, landing, err)) < 0)
		return r;
	return steal_fd(target);
}
