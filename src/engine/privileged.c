/* --privileged, as docker's: every capability (host_flags.c), no seccomp,
 * nothing masked or read-only, /sys writable, every device cgroup access,
 * and the host's device nodes in the container's /dev.  No AppArmor
 * profile is set (the engine sets none by default either): the process
 * keeps husk's own, unconfined unless husk itself is confined. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "engine/internal.h"
#include "util/json.h"

/* What runc's devices.HostDevices (docker's source) leaves out: the
 * mounts of their own under /dev, the console (the container gets its
 * own), and the hidden directories of container managers and udev. */
static bool skipped(const char *name)
{
	static const char *const skip[] = { "pts", "shm", "fd", "mqueue", "console", ".lxc",
					     ".lxd-mounts", ".udev", NULL };
	for (const char *const *s = skip; *s; s++)
		if (strcmp(name, *s) == 0)
			return true;
	return false;
}

static bool listed(json_object *devs, const char *path)
{
	for (size_t i = 0; i < json_object_array_length(devs); i++)
		if (strcmp(json_object_get_string(json_member(json_object_array_get_idx(devs, i), "path")),
			   path) == 0)
			return true;
	return false;
}

/* Every character and block device under dir (fd, at path), depth-first;
 * symlinks are not followed. */
static int walk(int fd, const char *path, json_object *devs, int depth, husk_error **err)
{
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return husk_fail(err, errno, "--privileged: read %s", path);
	}
	struct dirent *e;
	int r = 0;
	while (r >= 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		if (depth == 0 && skipped(e->d_name))
			continue;
		char sub[4096];
		if ((size_t) snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name) >= sizeof(sub))
			continue;
		struct stat st;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue; /* gone meanwhile */
		if (S_ISDIR(st.st_mode) && depth < 8) {
			int sfd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sfd >= 0)
				r = walk(sfd, sub, devs, depth + 1, err);
			continue;
		}
		if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
			continue;
		/* A device numbered 0:0 is a whiteout, not a device. */
		if (st.st_rdev == 0 || listed(devs, sub))
			continue;
		json_object *o = json_object_new_object();
		json_object_object_add(o, "path", json_object_new_string(sub));
		json_object_object_add(o, "type", json_object_new_string(S_ISCHR(st.st_mode) ? "c" : "b"));
		json_object_object_add(o, "major", json_object_new_int64(major(st.st_rdev)));
		json_object_object_add(o, "minor", json_object_new_int64(minor(st.st_rdev)));
		json_object_object_add(o, "fileMode", json_object_new_int(st.st_mode & 07777));
		json_object_object_add(o, "uid", json_object_new_int64(st.st_uid));
		json_object_object_add(o, "gid", json_object_new_int64(st.st_gid));
		json_object_array_add(devs, o);
	}
	closedir(d);
	return r;
}

static json_object *section(json_object *o, const char *key)
{
	json_object *s = json_member(o, key);
	if (!s) {
		s = json_object_new_object();
		json_object_object_add(o, key, s);
	}
	return s;
}

int privileged_apply(json_object *spec, husk_error **err)
{
	json_object *linux_ = section(spec, "linux");
	json_object_object_del(linux_, "maskedPaths");
	json_object_object_del(linux_, "readonlyPaths");
	json_object_object_del(linux_, "seccomp");
	json_object *res = section(linux_, "resources"), *rules = json_object_new_array();
	json_object *allow = json_object_new_object();
	json_object_object_add(allow, "allow", json_object_new_boolean(1));
	json_object_object_add(allow, "access", json_object_new_string("rwm"));
	json_object_array_add(rules, allow);
	json_object_object_add(res, "devices", rules);

	json_object *devs = json_member(linux_, "devices");
	if (!devs || !json_is_array(devs)) {
		devs = json_object_new_array();
		json_object_object_add(linux_, "devices", devs);
	}
	int fd = open("/dev", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return husk_fail(err, errno, "--privileged: open /dev");
	if (walk(fd, "/dev", devs, 0, err) < 0)
		return -1;

	/* /sys and the cgroup mount writable, as docker's. */
	json_object *mounts = json_member(spec, "mounts");
	for (size_t i = 0; mounts && i < json_object_array_length(mounts); i++) {
		json_object *m = json_object_array_get_idx(mounts, i);
		const char *d = json_object_get_string(json_member(m, "destination"));
		if (!d || (strcmp(d, "/sys") && strncmp(d, "/sys/", 5)))
			continue;
		json_object *o = json_member(m, "options"), *n = json_object_new_array();
		for (size_t j = 0; o && j < json_object_array_length(o); j++)
			if (strcmp(json_object_get_string(json_object_array_get_idx(o, j)), "ro"))
				json_object_array_add(n, json_object_get(json_object_array_get_idx(o, j)));
		json_object_object_add(m, "options", n);
	}
	return 0;
}
