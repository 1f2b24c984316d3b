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

/* Propagation is changed on the mount just made at dest: reopened, since an
 * fd taken before the mount still refers to the directory underneath. */
static int set_propagation(int root_fd, const char *dest, unsigned long prop, husk_error **err)
{
	char tp[32];
	cleanup_close int top = in_root_open(root_fd, dest, O_PATH, err);
	if (top < 0)
		return top;
	if (mount(NULL, fd_path(tp, top), NULL, prop, NULL) < 0)
		return husk_fail(err, errno, "set propagation of %s", dest);
	return 0;
}

/* The MS_* flags a bind's remount would set, as mount_setattr attributes:
 * the others stay as the source has them; read-only is cleared when not
 * asked for, as the remount did. */
static struct mount_attr bind_attrs(unsigned long f)
{
	struct mount_attr a = { 0 };
	if (f & MS_RDONLY)
		a.attr_set |= MOUNT_ATTR_RDONLY;
	else
		a.attr_clr |= MOUNT_ATTR_RDONLY;
	if (f & MS_NOSUID)
		a.attr_set |= MOUNT_ATTR_NOSUID;
	if (f & MS_NODEV)
		a.attr_set |= MOUNT_ATTR_NODEV;
	if (f & MS_NOEXEC)
		a.attr_set |= MOUNT_ATTR_NOEXEC;
	if (f & MS_NODIRATIME)
		a.attr_set |= MOUNT_ATTR_NODIRATIME;
	if (f & MS_NOSYMFOLLOW)
		a.attr_set |= MOUNT_ATTR_NOSYMFOLLOW;
	if (f & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)) {
		a.attr_clr |= MOUNT_ATTR__ATIME;
		a.attr_set |= f & MS_NOATIME ? MOUNT_ATTR_NOATIME
			      : f & MS_STRICTATIME ? MOUNT_ATTR_STRICTATIME : MOUNT_ATTR_RELATIME;
	}
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
	if (move_mount(mnt, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return husk_fail(err, errno, premade_fd >= 0 ? "move idmapped %s" : "bind %s", m->source);
	/* After the move: propagation set on a detached tree would be redone
	 * by attaching it under a shared parent. */
	if (o->propagation) {
		struct mount_attr prop = { .propagation = o->propagation & ~MS_REC };
		if (mount_setattr(mnt, "", AT_EMPTY_PATH | (o->propagation & MS_REC ? AT_RECURSIVE : 0), &prop,
				  sizeof(prop)) < 0)
			return husk_fail(err, errno, "set propagation of %s", m->destination);
	}
	if (o->rattr_set || o->rattr_clr) {
		struct mount_attr rattr = { .attr_set = o->rattr_set, .attr_clr = o->rattr_clr };
		if (mount_setattr(mnt, "", AT_EMPTY_PATH | AT_RECURSIVE, &rattr, sizeof(rattr)) < 0)
			return husk_fail(err, errno, "set recursive attributes of %s", m->destination);
	}
	return 0;
}

static bool host_is_cgroup2(void)
{
	struct statfs sf;
	return statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

struct cgroup_bind {
	int root_fd;
	const char *dest;
	const char *cgroup_path;
	husk_error **err;
};

static int bind_hierarchy(const char *name, void *ctx)
{
	struct cgroup_bind *b = ctx;
	char host[1400], inside[1200];
	snprintf(host, sizeof(host), "/sys/fs/cgroup/%s%s", name, b->cgroup_path);
	snprintf(inside, sizeof(inside), "%s/%s", b->dest, name);
	cleanup_close int src = open(host, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (src < 0)
		return husk_fail(b->err, errno, "open cgroup %s", host);
	cleanup_close int dst = in_root_mkpath(b->root_fd, inside, IN_ROOT_DIR, b->err);
	if (dst < 0)
		return dst;
	if (bind_fd_over(src, dst, false, true, b->err) < 0)
		return husk_wrap(b->err, "bind cgroup %s", name);
	return 0;
}

/* The container's own cgroup directory of each hierarchy the host mounts
 * under /sys/fs/cgroup, bound read-only under a tmpfs: what runc shows on a
 * cgroup v1 or hybrid host.  (On a cgroup2 host a cgroup2 mount is made.) */
static int mount_cgroup_v1(int root_fd, const struct spec_mount *m, unsigned long flags,
			   const char *cgroup_path, const struct mount_guard *g, husk_error **err)
{
	cleanup_close int target = mount_guard_open(g, root_fd, m, IN_ROOT_DIR, err);
	if (target < 0)
		return target;
	char tp[32];
	if (mount("tmpfs", fd_path(tp, target), "tmpfs", (flags & ~MS_RDONLY) | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=755") < 0)
		return husk_fail(err, errno, "mount tmpfs on %s", m->destination);
	struct cgroup_bind b = { root_fd, m->destination, cgroup_path ? cgroup_path : "", err };
	int r = cgroup_v1_hierarchies(bind_hierarchy, &b);
	if (r < 0)
		return err && *err ? r : husk_fail(err, -r, "list cgroup hierarchies");
	/* The tmpfs only holds the hierarchies' mount points: read-only
	 * whatever the options, as the hierarchies are. */
	cleanup_close int top = in_root_open(root_fd, m->destination, O_PATH, err);
	if (top < 0)
		return top;
	if (mount(NULL, fd_path(tp, top), NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return husk_fail(err, errno, "remount %s read-only", m->destination);
	return 0;
}

/* On a cgroup2 host, a container without a cgroup namespace would see the
 * whole hierarchy in a fresh mount: it gets its own cgroup bound instead,
 * as runc does. */
static int bind_cgroup_v2(int root_fd, const struct spec_mount *m, unsigned long flags,
			  const char *cgroup_path, const struct mount_guard *g, husk_error **err)
{
	char host[1200];
	snprintf(host, sizeof(host), "/sys/fs/cgroup%s", cgroup_path ? cgroup_path : "");
	cleanup_close int src = open(host, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (src < 0)
		return husk_fail(err, errno, "open cgroup %s", host);
	cleanup_close int dst = mount_guard_open(g, root_fd, m, IN_ROOT_DIR, err);
	if (dst < 0)
		return dst;
	return bind_fd_over(src, dst, false, flags & MS_RDONLY, err);
}

/* rro, rnosuid, ...: the attributes of the whole tree mounted at dest. */
static int set_recursive_attrs(int root_fd, const char *dest, const struct mount_options *o,
			       husk_error **err)
{
	cleanup_close int top = in_root_open(root_fd, dest, O_PATH, err);
	if (top < 0)
		return top;
	struct mount_attr attr = { .attr_set = o->rattr_set, .attr_clr = o->rattr_clr };
	if (mount_setattr(top, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		return husk_fail(err, errno, "set recursive attributes of %s", dest);
	return 0;
}

/* Fills the tmpfs just mounted at dest with the content of under. */
static int copy_up(int root_fd, const char *dest, int under, husk_error **err)
{
	cleanup_close int top = in_root_open(root_fd, dest, O_RDONLY | O_DIRECTORY, err);
	if (top < 0)
		return top;
	if (copy_dir_contents(under, top, err) < 0)
		return husk_wrap(err, "tmpcopyup %s", dest);
	return 0;
}

int mount_entry(int root_fd, const struct spec_mount *m, int premade_fd,
		const struct cgroup_view *cgroup, husk_error **err)
{
	struct mount_options o;
	int r = mount_options_parse(m->options, &o, err);
	if (r < 0)
		return r;
	cleanup_free char *data = o.data;
	const char *type = m->type ? m->type : "none";
	bool bind = o.bind || strcmp(type, "bind") == 0 || premade_fd >= 0;
	struct mount_guard g;
	if ((r = mount_guard_init(&g, root_fd, m, type, bind, premade_fd, err)) < 0)
		return r;
	if (bind)
		r = mount_bind(root_fd, m, &o, premade_fd, &g, err);
	else if (strcmp(type, "cgroup") == 0 && !host_is_cgroup2())
		r = mount_cgroup_v1(root_fd, m, o.flags, cgroup->path, &g, err);
	else if (strcmp(type, "cgroup") == 0 && !cgroup->own_ns)
		r = bind_cgroup_v2(root_fd, m, o.flags, cgroup->path, &g, err);
	else {
		if (strcmp(type, "cgroup") == 0)
			type = "cgroup2";
		cleanup_close int target = mount_guard_open(&g, root_fd, m, IN_ROOT_DIR, err);
		if (target < 0)
			return target;
		/* Taken before the mount: still the directory underneath after. */
		cleanup_close int under = -1;
		if (o.tmpcopyup && strcmp(type, "tmpfs") == 0) {
			under = openat(target, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (under < 0)
				return husk_fail(err, errno, "open %s", m->destination);
		}
		char tp[32];
		bool cgroup2 = strcmp(type, "cgroup2") == 0;
		int mr = mount(m->source ? m->source : type, fd_path(tp, target), type, o.flags, data);
		/* A user namespace may not mount cgroup2 with flags other than
		 * its superblock's (EBUSY: read-only over the host's read-write
		 * one) or at all (EPERM): its own cgroup is bound, as runc does. */
		if (mr < 0 && cgroup2 && (errno == EBUSY || errno == EPERM))
			return bind_cgroup_v2(root_fd, m, o.flags, cgroup->path, &g, err);
		if (mr < 0)
			return husk_fail(err, errno, "mount %s on %s", type, m->destination);
		if (under >= 0)
			r = copy_up(root_fd, m->destination, under, err);
		if (r >= 0 && o.propagation)
			r = set_propagation(root_fd, m->destination, o.propagation, err);
	}
	if (r >= 0 && !bind && (o.rattr_set || o.rattr_clr))
		r = set_recursive_attrs(root_fd, m->destination, &o, err);
	return r;
}
