/* The container's rootfs: an overlay of the image's layers
 * (STORE/layers/<chain-hex>/diff, top first) under the container's own
 * upper/ and work/.
 *
 * mount(2) takes at most a page of option data, which 200 layers of
 * absolute paths exceed.  Since Linux 6.8 fsconfig takes the lower dirs one
 * at a time ("lowerdir+", no limit); before, the lower dirs are named by
 * short symlinks STORE/l/<12 hex> -> ../layers/<hex>/diff, relative to the
 * store as the current directory (podman's l/ directory).  Which one the
 * kernel has is found by trying.
 *
 * Rootless, husk mounts it in its own user and mount namespaces
 * (container_enter_user_ns), which Linux allows since 5.11 with overlayfs'
 * xattrs in the user.overlay.* namespace ("userxattr"): the mount lives as
 * long as the husk (or shim) that runs the container. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/container.h"
#include "engine/internal.h"
#include "image/digest.h"
#include "util/cleanup.h"

/* The lower dir of layer i: its idmapped tree when there are trees. */
static void lower_path(char *buf, size_t len, const char *store, const struct store_image *img,
		       const int *trees, size_t i)
{
	if (trees)
		snprintf(buf, len, "/proc/self/fd/%d", trees[i]);
	else
		snprintf(buf, len, "%s/layers/%s/diff", store, digest_hex(img->chain_ids[i]));
}

/* -EINVAL (no err) when the kernel knows no "lowerdir+". */
static int mount_new_api(const char *store, const struct store_image *img, const char *cdir,
			 bool transient, const int *trees, husk_error **err)
{
	cleanup_close int fs = fsopen("overlay", FSOPEN_CLOEXEC);
	if (fs < 0 && errno == EPERM && geteuid() != 0)
		return husk_fail(err, errno, "rootless overlay: husk is not in its user namespace");
	if (fs < 0)
		return errno == ENOSYS ? -EINVAL : husk_fail(err, errno, "fsopen overlay");
	char path[4096];
	for (size_t i = img->n_layers; i-- > 0;) {
		lower_path(path, sizeof(path), store, img, trees, i);
		if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", path, 0) < 0) {
			if (i == img->n_layers - 1 && errno == EINVAL)
				return -EINVAL;
			return husk_fail(err, errno, "overlay: lower dir %s", path);
		}
	}
	snprintf(path, sizeof(path), "%s/upper", cdir);
	if (fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", path, 0) < 0)
		return husk_fail(err, errno, "overlay: upperdir %s", path);
	snprintf(path, sizeof(path), "%s/work", cdir);
	if (fsconfig(fs, FSCONFIG_SET_STRING, "workdir", path, 0) < 0)
		return husk_fail(err, errno, "overlay: workdir %s", path);
	if (transient && fsconfig(fs, FSCONFIG_SET_FLAG, "volatile", NULL, 0) < 0)
		return husk_fail(err, errno, "overlay: volatile");
	if (container_rootless() && fsconfig(fs, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0)
		return husk_fail(err, errno, "overlay: userxattr (rootless overlayfs needs Linux 5.11)");
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		/* Older overlayfs takes no detached (idmapped) tree as a
		 * layer (6.1: "failed to clone lowerpath"; 6.18 does):
		 * mount_short_names attaches them first. */
		if (trees && errno == EINVAL)
			return -EINVAL;
		return husk_fail(err, errno, "overlay of %zu layers", img->n_layers);
	}
	cleanup_close int mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0)
		return husk_fail(err, errno, "overlay: fsmount");
	snprintf(path, sizeof(path), "%s/rootfs", cdir);
	if (move_mount(mnt, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return husk_fail(err, errno, "overlay: mount on %s", path);
	return 0;
}

/* The short link l/<12 hex> of a layer, made when missing. */
static int short_link(int sfd, const char *chain, char name[20], husk_error **err)
{
	char target[128], have[128];
	snprintf(name, 20, "l/%.12s", digest_hex(chain));
	snprintf(target, sizeof(target), "../layers/%s/diff", digest_hex(chain));
	ssize_t n = readlinkat(sfd, name, have, sizeof(have) - 1);
	if (n >= 0) {
		have[n] = '\0';
		if (strcmp(have, target) == 0)
			return 0;
		return husk_fail(err, EEXIST, "overlay: %s names another layer", name);
	}
	mkdirat(sfd, "l", 0700);
	if (symlinkat(target, sfd, name) < 0 && errno != EEXIST)
		return husk_fail(err, errno, "overlay: %s", name);
	return 0;
}

/* The idmapped trees attached at cdir/lower/<i> (overlayfs of 6.1 clones
 * only mounts of the caller's namespace), or detached again. */
static int attach_trees(int cfd, const int *trees, size_t n, husk_error **err)
{
	if (mkdirat(cfd, "lower", 0700) < 0 && errno != EEXIST)
		return husk_fail(err, errno, "overlay: mkdir lower");
	for (size_t i = 0; i < n; i++) {
		char name[32];
		snprintf(name, sizeof(name), "lower/%zu", i);
		if ((mkdirat(cfd, name, 0700) < 0 && errno != EEXIST) ||
		    move_mount(trees[i], "", cfd, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return husk_fail(err, errno, "overlay: attach the idmapped layer %s", name);
	}
	return 0;
}

static void detach_trees(int cfd, size_t n)
{
	char name[32];
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "lower/%zu", i);
		int fd = openat(cfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		char self[64];
		snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
		if (fd >= 0) {
			umount2(self, MNT_DETACH);
			close(fd);
		}
		unlinkat(cfd, name, AT_REMOVEDIR);
	}
	unlinkat(cfd, "lower", AT_REMOVEDIR);
}

static int mount_short_names(struct store *s, const struct store_image *img, const char *cdir,
			     bool transient, const int *trees, husk_error **err)
{
	size_t cap = img->n_layers * 28 + 2 * strlen(cdir) + 80;
	cleanup_free char *data = malloc(cap);
	if (!data)
		return husk_fail(err, ENOMEM, "overlay");
	size_t len = snprintf(data, cap, "lowerdir=");
	for (size_t i = img->n_layers; i-- > 0;) {
		char name[28];
		int r = trees ? 0 : short_link(s->dirfd, img->chain_ids[i], name, err);
		if (r < 0)
			return r;
		if (trees)
			snprintf(name, sizeof(name), "lower/%zu", i);
		len += snprintf(data + len, cap - len, "%s%s", name, i ? ":" : "");
	}
	snprintf(data + len, cap - len, ",upperdir=%s/upper,workdir=%s/work%s%s", cdir, cdir,
		 transient ? ",volatile" : "", container_rootless() ? ",userxattr" : "");
	if (strlen(data) >= 4096)
		return husk_fail(err, E2BIG, "overlay: %zu layers do not fit the mount data of this kernel",
				 img->n_layers);
	char target[4096];
	snprintf(target, sizeof(target), "%s/rootfs", cdir);
	cleanup_close int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int cfd = trees ? open(cdir, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	if (trees && (cfd < 0 || attach_trees(cfd, trees, img->n_layers, err) < 0)) {
		if (cfd >= 0)
			detach_trees(cfd, img->n_layers);
		return cfd < 0 ? husk_fail(err, errno, "overlay: %s", cdir) : -1;
	}
	if (cwd < 0 || fchdir(trees ? cfd : s->dirfd) < 0)
		return husk_fail(err, errno, "overlay: enter the store");
	int r = mount("overlay", target, "overlay", 0, data);
	int e = errno;
	if (trees)
		detach_trees(cfd, img->n_layers);
	if (fchdir(cwd) < 0 && r == 0) {
		umount2(target, MNT_DETACH);
		return husk_fail(err, errno, "overlay: return to the working directory");
	}
	return r < 0 ? husk_fail(err, e, "overlay of %zu layers on %s", img->n_layers, target) : 0;
}

/* --uidmap: each layer as an idmapped tree of the container's maps
 * (Linux 5.12 for ext4/xfs/btrfs, overlay over them since 5.19; overlayfs
 * itself cannot be idmapped: EINVAL on 6.18), and the upper dir owned by
 * the container's root. */
static int idmapped_layers(const char *store, const struct store_image *img, const char *cdir,
			   const struct userns_idmap *m, int *trees, husk_error **err)
{
	int64_t root_uid = userns_host_id(m->uid, m->n_uid, 0), root_gid = userns_host_id(m->gid, m->n_gid, 0);
	char path[4096];
	snprintf(path, sizeof(path), "%s/upper", cdir);
	if (root_uid >= 0 && root_gid >= 0 && chown(path, (uid_t) root_uid, (gid_t) root_gid) < 0)
		return husk_fail(err, errno, "chown %s", path);
	cleanup_close int ns = container_idmap_userns(m->uid, m->n_uid, m->gid, m->n_gid, err);
	if (ns < 0)
		return husk_wrap(err, "--uidmap");
	struct mount_attr a = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t) ns };
	for (size_t i = 0; i < img->n_layers; i++) {
		lower_path(path, sizeof(path), store, img, NULL, i);
		trees[i] = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		if (trees[i] < 0)
			return husk_fail(err, errno, "--uidmap: open_tree %s", path);
		if (mount_setattr(trees[i], "", AT_EMPTY_PATH, &a, sizeof(a)) < 0)
			return husk_fail(err, errno, "--uidmap: idmapped mount of layer %s (needs Linux 5.12 and a filesystem that allows it)", path);
	}
	return 0;
}

static void close_trees(int *trees, size_t n)
{
	for (size_t i = 0; trees && i < n; i++)
		if (trees[i] >= 0)
			close(trees[i]);
	free(trees);
}

int overlay_mount(struct store *s, const struct store_image *img, const char *cdir,
		  bool transient, json_object *meta, husk_error **err)
{
	if (img->n_layers == 0)
		return husk_fail(err, 0, "image %.19s has no layers", img->id);
	cleanup_free char *store = realpath(s->path, NULL);
	if (!store)
		return husk_fail(err, errno, "store %s", s->path);
	struct userns_idmap m;
	int *trees = NULL;
	if (userns_maps(meta, &m)) {
		if (!(trees = malloc(img->n_layers * sizeof(int))))
			return husk_fail(err, ENOMEM, "overlay");
		for (size_t i = 0; i < img->n_layers; i++)
			trees[i] = -1;
	}
	int r = trees ? idmapped_layers(store, img, cdir, &m, trees, err) : 0;
	if (r >= 0 && (r = mount_new_api(store, img, cdir, transient, trees, err)) == -EINVAL)
		r = mount_short_names(s, img, cdir, transient, trees, err);
	close_trees(trees, img->n_layers);
	return r;
}

bool overlay_mounted(const char *cdir)
{
	/* A mount point: its device differs from its parent's. */
	char path[4096];
	struct stat dir, root;
	snprintf(path, sizeof(path), "%s/rootfs", cdir);
	return stat(cdir, &dir) == 0 && lstat(path, &root) == 0 && dir.st_dev != root.st_dev;
}

int overlay_unmount(const char *cdir, husk_error **err)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/rootfs", cdir);
	while (overlay_mounted(cdir))
		if (umount2(path, UMOUNT_NOFOLLOW) < 0)
			return husk_fail(err, errno, "unmount %s", path);
	return 0;
}
