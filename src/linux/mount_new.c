#include "linux/mount_new.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "linux/copyup.h"
#include "util/cleanup.h"

uint64_t mount_attr_flags(unsigned long f)
{
	uint64_t a = 0;
	if (f & MS_RDONLY)
		a |= MOUNT_ATTR_RDONLY;
	if (f & MS_NOSUID)
		a |= MOUNT_ATTR_NOSUID;
	if (f & MS_NODEV)
		a |= MOUNT_ATTR_NODEV;
	if (f & MS_NOEXEC)
		a |= MOUNT_ATTR_NOEXEC;
	if (f & MS_NODIRATIME)
		a |= MOUNT_ATTR_NODIRATIME;
	if (f & MS_NOSYMFOLLOW)
		a |= MOUNT_ATTR_NOSYMFOLLOW;
	a |= f & MS_NOATIME ? MOUNT_ATTR_NOATIME : f & MS_STRICTATIME ? MOUNT_ATTR_STRICTATIME : MOUNT_ATTR_RELATIME;
	return a;
}

/* The filesystem's own message for the last failure ("e tmpfs: Bad value
 * for 'size'"), when it left one in the context's log. */
static int fail_with_log(husk_error **err, int fs, int e, const char *step, const char *what)
{
	char msg[256];
	ssize_t n = read(fs, msg, sizeof(msg) - 1);
	if (n > 2 && (msg[0] == 'e' || msg[0] == 'w') && msg[1] == ' ') {
		while (n > 2 && msg[n - 1] == '\n')   /* devpts ends its messages with one */
			n--;
		msg[n] = '\0';
		return husk_fail(err, e, "%s %s: %s", step, what, msg + 2);
	}
	return husk_fail(err, e, "%s %s", step, what);
}

/* One option of the data string: "key=value" or a flag "key".  A value in
 * double quotes (an LSM context) loses them, as mount(2)'s parser drops them. */
static int config_option(int fs, char *opt, const char *what, husk_error **err)
{
	char *eq = strchr(opt, '=');
	int r;
	if (eq == NULL) {
		r = fsconfig(fs, FSCONFIG_SET_FLAG, opt, NULL, 0);
	} else {
		*eq = '\0';
		char *v = eq + 1;
		size_t n = strlen(v);
		if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
			v[n - 1] = '\0';
			v++;
		}
		r = fsconfig(fs, FSCONFIG_SET_STRING, opt, v, 0);
	}
	if (r < 0)
		return fail_with_log(err, fs, errno, "option for", what);
	return 0;
}

/* Splits data on the commas outside double quotes. */
static int config_data(int fs, const char *data, const char *what, husk_error **err)
{
	cleanup_free char *copy = strdup(data);
	if (copy == NULL)
		return husk_fail(err, ENOMEM, "mount options of %s", what);
	bool quoted = false;
	char *start = copy;
	for (char *p = copy;; p++) {
		if (*p == '"')
			quoted = !quoted;
		if ((*p == ',' && !quoted) || *p == '\0') {
			bool end = *p == '\0';
			*p = '\0';
			int r = *start ? config_option(fs, start, what, err) : 0;
			if (r < 0)
				return r;
			if (end)
				return 0;
			start = p + 1;
		}
	}
}

/* The superblock's flags of mount(2) that the new mount API takes as
 * options (the per-mount ones go to fsmount). */
static int config_sb_flags(int fs, unsigned long f, const char *what, husk_error **err)
{
	static const struct {
		unsigned long flag;
		const char *name;
	} sb[] = { { MS_RDONLY, "ro" }, { MS_SYNCHRONOUS, "sync" }, { MS_DIRSYNC, "dirsync" },
		   { MS_LAZYTIME, "lazytime" } };
	for (size_t i = 0; i < sizeof(sb) / sizeof(sb[0]); i++)
		if ((f & sb[i].flag) && fsconfig(fs, FSCONFIG_SET_FLAG, sb[i].name, NULL, 0) < 0)
			return fail_with_log(err, fs, errno, "option for", what);
	return 0;
}

static int detached(const char *type, const char *source, const struct mount_options *o, unsigned long flags,
		    const char *what, husk_error **err)
{
	cleanup_close int fs = fsopen(type, FSOPEN_CLOEXEC);
	if (fs < 0)
		return husk_fail(err, errno, "mount %s on %s", type, what);
	if (source && fsconfig(fs, FSCONFIG_SET_STRING, "source", source, 0) < 0)
		return fail_with_log(err, fs, errno, "source of", what);
	int r = config_sb_flags(fs, flags, what, err);
	if (r < 0 || (o->data && (r = config_data(fs, o->data, what, err)) < 0))
		return r;
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return fail_with_log(err, fs, errno, "mount", what);
	int mnt = fsmount(fs, FSMOUNT_CLOEXEC, (unsigned int)mount_attr_flags(flags));
	if (mnt < 0)
		return fail_with_log(err, fs, errno, "mount", what);
	return mnt;
}

int mount_new_detached(const char *type, const char *source, const struct mount_options *o, const char *what,
		       husk_error **err)
{
	return detached(type, source, o, o->flags, what, err);
}

int mount_attach(int mnt, int target, const struct mount_options *o, const char *what, husk_error **err)
{
	if (move_mount(mnt, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return husk_fail(err, errno, "attach the mount on %s", what);
	/* After the move: propagation set on a detached mount would be redone
	 * by attaching it under a shared parent. */
	if (o->propagation) {
		struct mount_attr prop = { .propagation = o->propagation & ~MS_REC };
		if (mount_setattr(mnt, "", AT_EMPTY_PATH | (o->propagation & MS_REC ? AT_RECURSIVE : 0), &prop,
				  sizeof(prop)) < 0)
			return husk_fail(err, errno, "set propagation of %s", what);
	}
	if (o->rattr_set || o->rattr_clr) {
		struct mount_attr rattr = { .attr_set = o->rattr_set, .attr_clr = o->rattr_clr };
		if (mount_setattr(mnt, "", AT_EMPTY_PATH | AT_RECURSIVE, &rattr, sizeof(rattr)) < 0)
			return husk_fail(err, errno, "set recursive attributes of %s", what);
	}
	return 0;
}

int mount_new_at(int target, const char *type, const char *source, const struct mount_options *o, int under,
		 const char *what, husk_error **err)
{
	/* A copy-up is written before read-only is set, on the mount only,
	 * so that "ro,tmpcopyup" gives a read-only tmpfs holding the copy. */
	unsigned long flags = under >= 0 ? o->flags & ~MS_RDONLY : o->flags;
	cleanup_close int mnt = detached(type, source, o, flags, what, err);
	if (mnt < 0)
		return mnt;
	if (under >= 0) {
		cleanup_close int top = openat(mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (top < 0)
			return husk_fail(err, errno, "open the new mount of %s", what);
		if (copy_dir_contents(under, top, err) < 0)
			return husk_wrap(err, "tmpcopyup %s", what);
		struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
		if ((o->flags & MS_RDONLY) && mount_setattr(mnt, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0)
			return husk_fail(err, errno, "make %s read-only", what);
	}
	return mount_attach(mnt, target, o, what, err);
}
