/* Running as an ordinary user: how husk tells, and where its state goes. */
#include "core/container.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
