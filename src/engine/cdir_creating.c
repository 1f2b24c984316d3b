/* Creates in progress, and what a killed one left.
 *
 * A create holds an flock on containers/.creating/<id> (its name inside)
 * from before it claims the name until its meta.json is written.  The lock
 * goes with the process: an entry nobody holds is a create that was
 * killed, and cdir_open() removes what it left (the overlay mount, the
 * directory, the name) for every command that opens the store's
 * containers.  The file is locked before it gets its name, so that no
 * sweep sees an unlocked entry of a live create. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/internal.h"
#include "util/cleanup.h"

#define CREATING ".creating"

int cdir_creating_begin(int cfd, const char *id, const char *name, int *ret_fd, husk_error **err)
{
	char tmp[ENGINE_ID_LEN + 32], path[ENGINE_ID_LEN + 16];
	snprintf(tmp, sizeof(tmp), CREATING "/.tmp-%s", id);
	snprintf(path, sizeof(path), CREATING "/%s", id);
	/* The directory goes when the last entry does: made again, should
	 * another create remove it between the two calls. */
	int fd = -1;
	for (int tries = 0; fd < 0 && tries < 8; tries++) {
		if (mkdirat(cfd, CREATING, 0700) < 0 && errno != EEXIST)
			return husk_fail(err, errno, "containers/" CREATING);
		fd = openat(cfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != ENOENT)
			break;
	}
	if (fd < 0)
		return husk_fail(err, errno, "containers/%s", tmp);
	size_t len = strlen(name);
	if (flock(fd, LOCK_EX) < 0 || write(fd, name, len) != (ssize_t) len ||
	    renameat(cfd, tmp, cfd, path) < 0) {
		int e = errno;
		unlinkat(cfd, tmp, 0);
		close(fd);
		return husk_fail(err, e, "containers/%s", path);
	}
	*ret_fd = fd;
	return 0;
}

void cdir_creating_end(int cfd, const char *id, int fd)
{
	char path[ENGINE_ID_LEN + 16];
	snprintf(path, sizeof(path), CREATING "/%s", id);
	unlinkat(cfd, path, 0);
	close(fd);
	unlinkat(cfd, CREATING, AT_REMOVEDIR);   /* when it was the last */
}

/* What the killed create of id (named name) left; its meta.json written,
 * it is a whole container and stays. */
static void remove_killed(int cfd, const char *store, const char *id, const char *name)
{
	char meta[ENGINE_ID_LEN + 16], link[ENGINE_ID_LEN + 2], npath[300];
	snprintf(meta, sizeof(meta), "%s/meta.json", id);
	if (faccessat(cfd, meta, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return;
	husk_error *ignored = NULL;
	cleanup_free char *cdir = cdir_path(store, id, NULL);
	if (cdir && overlay_unmount(cdir, &ignored) == 0)
		cdir_remove(cfd, id, &ignored);
	husk_error_free(ignored);
	/* Its name, unless another container has it by now. */
	snprintf(npath, sizeof(npath), ".names/%s", name);
	ssize_t n = readlinkat(cfd, npath, link, sizeof(link));
	if (n == ENGINE_ID_LEN && memcmp(link, id, ENGINE_ID_LEN) == 0)
		unlinkat(cfd, npath, 0);
}

void cdir_creating_sweep(int cfd, const char *store)
{
	int dfd = openat(cfd, CREATING, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_closedir DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		/* Not a .tmp- entry: it is unlocked between its create's open
		 * and flock (one killed there leaves only that empty file). */
		if (e->d_name[0] == '.')
			continue;
		cleanup_close int fd = openat(dfd, e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
			continue;   /* gone, or a create that runs */
		char name[200];
		ssize_t n = read(fd, name, sizeof(name) - 1);
		if (strlen(e->d_name) == ENGINE_ID_LEN && n > 0) {
			name[n] = '\0';
			remove_killed(cfd, store, e->d_name, name);
		}
		unlinkat(dfd, e->d_name, 0);
	}
	unlinkat(cfd, CREATING, AT_REMOVEDIR);
}
