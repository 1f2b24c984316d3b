#include "linux/exe_seal.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "util/cleanup.h"

extern char **environ;

int exe_seal(char **argv, husk_error **err)
{
	struct statvfs sv;
	if (statvfs("/proc/self/exe", &sv) < 0)
		return husk_fail(err, errno, "statvfs /proc/self/exe");
	if (sv.f_flag & ST_RDONLY)
		return 0; /* sealed already, or installed on a read-only mount */
	/* CLOEXEC: the exec closes the tree's last fd, which dissolves the
	 * anonymous mount namespace it lives in; the mount survives only as
	 * the exe of the processes, attached nowhere, so neither mount_setattr
	 * nor a remount can make it writable again. */
	cleanup_close int tree = open_tree(AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0) {
		if (errno == EPERM)
			return 0;
		return husk_fail(err, errno, "seal the husk binary: open_tree");
	}
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
	};
	if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return husk_fail(err, errno, "seal the husk binary: mount_setattr");
	/* What the new image will see; checked so that it cannot loop. */
	if (fstatvfs(tree, &sv) < 0 || !(sv.f_flag & ST_RDONLY))
		return husk_fail(err, errno, "seal the husk binary: the bind mount is not read-only");
	execveat(tree, "", argv, environ, AT_EMPTY_PATH);
	return husk_fail(err, errno, "seal the husk binary: execveat");
}
