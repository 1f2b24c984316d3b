#include "linux/mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "linux/copyup.h"
#include "linux/mount_guard.h"
#include "linux/mount_new.h"
#include "linux/mount_options.h"
#include "linux/path.h"
#include "util/cleanup.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

int bind_fd_over(int src_fd, int target_fd, bool recursive, bool ro, husk_error **err)
{
	cleanup_close int tree = open_tree(src_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
					   AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0));
	if (tree < 0)
		return husk_fail(err, errno, "open_tree");
	if (ro) {
		struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
		if (mount_setattr(tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr,
				  sizeof(attr)) < 0)
			return husk_fail(err, errno, "mount_setattr read-only");
	}
	if (move_mount(tree, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return husk_fail(err, errno, "move_mount");
	return 0;
}

unsigned long mount_kept_flags(int fd)
{
	struct statvfs sv;
	if (fstatvfs(fd, &sv) < 0)
		return 0;
	unsigned long f = 0;
	if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME) f |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME) f |= MS_RELATIME;
	return f;
}

/* The MS_* flags a bind's remount would set, as mount_setattr attributes:
 * the others stay as the source has them; read-only is cleared when not
 * asked for, as the remount did. */
static struct mount_attr bind_attrs(unsigned long f)
{
	struct mount_attr a = { .attr_set = mount_attr_flags(f) };
	if (!(f & MS_RDONLY))
		a.attr_clr |= MOUNT_ATTR_RDONLY;
	if (!(f & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)))
		a.attr_set &= ~(uint64_t)MOUNT_ATTR__ATIME;
	else
		a.attr_clr |= MOUNT_ATTR__ATIME;
	return a;
}

/* A bind is made as a detached tree (open_tree), given its flags there
 * and only then moved onto the target fd; propagation and recursive
 * attributes go to the same fd, which names the mount once attached.  No
 * step looks the destination up again, so a sibling sharing the volume
 * cannot swap the path for another mount in between (issue 12.4). */
static int mount_bind(int root_fd, const struct spec_mount *m, const struct mount_options *o,
		      int premade_fd, const struct mount_guard *g, husk_error **err)
{
	if (m->source == NULL)
		return husk_fail(err, 0, "bind mount needs a source");
	struct stat st;
	if ((premade_fd >= 0 ? fstat(premade_fd, &st) : stat(m->source, &st)) < 0)
		return husk_fail(err, errno, "bind source %s", m->source);
	cleanup_close int target = mount_guard_open(g, root_fd, m, S_ISDIR(st.st_mode) ? IN_ROOT_DIR : IN_ROOT_FILE,
						    err);
	if (target < 0)
		return target;
	cleanup_close int tree = -1;
	int mnt = premade_fd;
	if (premade_fd < 0) {
		tree = open_tree(AT_FDCWD, m->source,
				 OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (o->recursive ? AT_RECURSIVE : 0));
		if (tree < 0)
			return husk_fail(err, errno, "bind %s", m->source);
		mnt = tree;
	}
	unsigned long extra = o->flags & ~MS_REMOUNT;
	struct mount_attr attr = bind_attrs(extra);
	if (extra && mount_setattr(mnt, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return husk_fail(err, errno, "remount %s", m->destination);
	return mount_attach(mnt, target, o, m->destination, err);
}

static bool host_is_cgroup2(void)
{
	struct statfs sf;
	return statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

struct cgroup_bind {
	int tmpfs;
	const char *cgroup_path;
	husk_error **err;
};

static int bind_hierarchy(const char *name, void *ctx)
{
	struct cgroup_bind *b = ctx;
	char host[1400];
	snprintf(host, sizeof(host), "/sys/fs/cgroup/%s%s", name, b->cgroup_path);
	cleanup_close int src = open(host, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (src < 0)
		return husk_fail(b->err, errno, "open cgroup %s", host);
	if (strchr(name, '/') || mkdirat(b->tmpfs, name, 0755) < 0)
		return husk_fail(b->err, strchr(name, '/') ? EINVAL : errno, "make the mount point of cgroup %s", name);
	cleanup_close int dst = openat(b->tmpfs, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dst < 0)
		return husk_fail(b->err, errno, "open the mount point of cgroup %s", name);
	if (bind_fd_over(src, dst, false, true, b->err) < 0)
		return husk_wrap(b->err, "bind cgroup %s", name);
	return 0;
}

/* rro, rnosuid, ...: the attributes of the whole tree of mnt. */
static int recursive_attrs(int mnt, const struct mount_options *o, const char *what, husk_error **err)
{
	struct mount_attr attr = { .attr_set = o->rattr_set, .attr_clr = o->rattr_clr };
	if ((o->rattr_set || o->rattr_clr) && mount_setattr(mnt, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		return husk_fail(err, errno, "set recursive attributes of %s", what);
	return 0;
}

/* The container's own cgroup directory of each hierarchy the host mounts
 * under /sys/fs/cgroup, bound read-only under a tmpfs: what runc shows on a
 * cgroup v1 or hybrid host.  (On a cgroup2 host a cgroup2 mount is made.) */
static int mount_cgroup_v1(int root_fd, const struct spec_mount *m, const struct mount_options *o,
			   const char *cgroup_path, const struct mount_guard *g, husk_error **err)
{
	cleanup_close int target = mount_guard_open(g, root_fd, m, IN_ROOT_DIR, err);
	if (target < 0)
		return target;
	struct mount_options t = { .flags = (o->flags & ~MS_RDONLY) | MS_NOSUID | MS_NODEV | MS_NOEXEC,
				   .propagation = o->propagation, .data = (char *)"mode=755" };
	cleanup_close int mnt = mount_new_detached("tmpfs", "tmpfs", &t, m->destination, err);
	if (mnt < 0)
		return mnt;
	int r = mount_attach(mnt, target, &t, m->destination, err);
	if (r < 0)
		return r;
	/* The hierarchies' mount points are made relative to the tmpfs's
	 * own fd: nothing else can see into it yet. */
	struct cgroup_bind b = { mnt, cgroup_path ? cgroup_path : "", err };
	r = cgroup_v1_hierarchies(bind_hierarchy, &b);
	if (r < 0)
		return err && *err ? r : husk_fail(err, -r, "list cgroup hierarchies");
	/* The tmpfs only holds the hierarchies' mount points: read-only
	 * whatever the options, as the hierarchies are. */
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	if (mount_setattr(mnt, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0)
		return husk_fail(err, errno, "remount %s read-only", m->destination);
	return recursive_attrs(mnt, o, m->destination, err);
}

/* On a cgroup2 host, a container without a cgroup namespace would see the
 * whole hierarchy in a fresh mount: it gets its own cgroup bound instead,
 * as runc does. */
static int bind_cgroup_v2(int root_fd, const struct spec_mount *m, const struct mount_options *o,
			  const char *cgroup_path, const struct mount_guard *g, husk_error **err)
{
	char host[1200];
	snprintf(host, sizeof(host), "/sys/fs/cgroup%s", cgroup_path ? cgroup_path : "");
	cleanup_close int tree = open_tree(AT_FDCWD, host, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return husk_fail(err, errno, "open cgroup %s", host);
	cleanup_close int dst = mount_guard_open(g, root_fd, m, IN_ROOT_DIR, err);
	if (dst < 0)
		return dst;
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	if ((o->flags & MS_RDONLY) && mount_setattr(tree, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0)
		return husk_fail(err, errno, "make %s read-only", m->destination);
	return mount_attach(tree, dst, o, m->destination, err);
}

int mount_entry(int root_fd, const struct spec_mount *m, int premade_fd,
		const struct cgroup_view *cgroup, husk_error **err)
{
	struct mount_options o;
	int r = mount_options_parse(m->options, &o, err);
	if (r < 0)
		return r;
	cleanup_free char *data = o.data; /* freed here; used through o */
	(void)data;
	const char *type = m->type ? m->type : "none";
	bool bind = o.bind || strcmp(type, "bind") == 0 || premade_fd >= 0;
	struct mount_guard g;
	if ((r = mount_guard_init(&g, root_fd, m, type, bind, premade_fd, err)) < 0)
		return r;
	if (bind)
		return mount_bind(root_fd, m, &o, premade_fd, &g, err);
	if (strcmp(type, "cgroup") == 0 && !host_is_cgroup2())
		return mount_cgroup_v1(root_fd, m, &o, cgroup->path, &g, err);
	if (strcmp(type, "cgroup") == 0 && !cgroup->own_ns)
		return bind_cgroup_v2(root_fd, m, &o, cgroup->path, &g, err);
	if (strcmp(type, "cgroup") == 0)
		type = "cgroup2";
	cleanup_close int target = mount_guard_open(&g, root_fd, m, IN_ROOT_DIR, err);
	if (target < 0)
		return target;
	/* Taken before the mount: the directory underneath. */
	cleanup_close int under = -1;
	if (o.tmpcopyup && strcmp(type, "tmpfs") == 0) {
		under = openat(target, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (under < 0)
			return husk_fail(err, errno, "open %s", m->destination);
	}
	if (strcmp(type, "cgroup2") != 0)
		return mount_new_at(target, type, m->source ? m->source : type, &o, under, m->destination, err);
	/* A user namespace may not mount cgroup2 with flags other than its
	 * superblock's (EBUSY: read-only over the host's read-write one) or
	 * at all (EPERM): its own cgroup is bound, as runc does. */
	husk_error *refused = NULL;
	r = mount_new_at(target, type, m->source ? m->source : type, &o, -1, m->destination, &refused);
	if (r == -EBUSY || r == -EPERM) {
		husk_error_free(refused);
		return bind_cgroup_v2(root_fd, m, &o, cgroup->path, &g, err);
	}
	if (r < 0 && err && *err == NULL)
		*err = refused;
	else
		husk_error_free(refused);
	return r;
}
