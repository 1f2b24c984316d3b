/* Running as an ordinary user: how husk tells, and where its state goes. */
#include "core/container.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/idmap.h"
#include "linux/sync.h"
#include "linux/userns_self.h"
#include "util/cleanup.h"

bool container_rootless(void)
{
	if (geteuid() != 0)
		return true;
	/* Root of a user namespace is rootless unless it maps all of the
	 * host's ids onto themselves (the initial namespace does). */
	cleanup_fclose FILE *f = fopen("/proc/self/uid_map", "re");
	unsigned long inside, outside, count;
	if (f == NULL || fscanf(f, "%lu %lu %lu", &inside, &outside, &count) != 3)
		return false;
	return !(inside == 0 && outside == 0 && count == 4294967295UL);
}

/* dir is a directory of the user's alone: no one else may put or rename
 * anything in it. */
static bool users_own(const char *dir, bool strict)
{
	struct stat st;
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
		return false;
	return !strict || (st.st_mode & 077) == 0;
}

int container_default_root(char *buf, size_t len, husk_error **err)
{
	if (!container_rootless()) {
		snprintf(buf, len, "/run/husk");
		return 0;
	}
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	if (xdg && *xdg) {
		if (snprintf(buf, len, "%s/husk", xdg) >= (int) len)
			return husk_fail(err, ENAMETOOLONG, "XDG_RUNTIME_DIR");
		return 0;
	}
	/* Root of a user namespace (rootlesskit, a nested engine) has a
	 * /run of its own, as runc assumes. */
	if (geteuid() == 0) {
		snprintf(buf, len, "/run/husk");
		return 0;
	}
	/* Without XDG_RUNTIME_DIR (su, runuser, cron), what pam_systemd
	 * would have named, else a private directory in /tmp as podman
	 * makes one; runc would try /run/runc and fail. */
	char dir[64];
	snprintf(dir, sizeof(dir), "/run/user/%u", (unsigned) geteuid());
	if (users_own(dir, false)) {
		snprintf(buf, len, "%s/husk", dir);
		return 0;
	}
	snprintf(buf, len, "/tmp/husk-%u", (unsigned) geteuid());
	if (mkdir(buf, 0700) < 0 && errno != EEXIST)
		return husk_fail(err, errno, "state root %s", buf);
	if (!users_own(buf, true))
		return husk_fail(err, EPERM, "state root %s: not a directory of uid %u's alone (mode 0700): set XDG_RUNTIME_DIR or --root",
				 buf, (unsigned) geteuid());
	return 0;
}

/* The rootless engine's namespace (linux/userns_self.h). */
int container_enter_user_ns(husk_error **err)
{
	if (geteuid() == 0)
		return 0;
	struct userns_self_maps m;
	if (userns_self_maps(&m, err) < 0)
		return -1;
	return userns_self_enter(&m, err);
}

int container_in_user_ns(int (*fn)(void *arg, husk_error **err), void *arg, husk_error **err)
{
	if (geteuid() == 0)
		return fn(arg, err);
	int sv[2];
	if (sync_pair(sv, err) < 0)
		return -1;
	pid_t child = fork();
	if (child < 0) {
		close(sv[0]);
		close(sv[1]);
		return husk_fail(err, errno, "rootless: fork");
	}
	if (child == 0) {
		cleanup_error husk_error *e = NULL;
		close(sv[0]);
		if (container_enter_user_ns(&e) >= 0 && fn(arg, &e) >= 0)
			_exit(0);
		sync_send_error(sv[1], e);
		_exit(1);
	}
	close(sv[1]);
	struct sync_msg msg;
	int r = sync_recv(sv[0], &msg, "husk", err);
	if (r == 0)
		r = sync_error(&msg, err);
	close(sv[0]);
	int st = 0;
	while (waitpid(child, &st, 0) < 0 && errno == EINTR)
		;
	if (r >= 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		r = husk_fail(err, 0, "rootless: the helper in the user namespace failed");
	return r < 0 ? r : 0;
}

int container_idmap_userns(const struct spec_id_mapping *uids, size_t n_uids,
			   const struct spec_id_mapping *gids, size_t n_gids, husk_error **err)
{
	return idmap_userns_fd(uids, n_uids, gids, n_gids, err);
}
