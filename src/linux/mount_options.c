#include "linux/mount_options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

struct flag_option {
	const char *name;
	bool clear;          /* the option removes the flag ("rw", "suid") */
	unsigned long flag;
};

static const struct flag_option flag_options[] = {
	{ "ro", false, MS_RDONLY },        { "rw", true, MS_RDONLY },
	{ "nosuid", false, MS_NOSUID },    { "suid", true, MS_NOSUID },
	{ "nodev", false, MS_NODEV },      { "dev", true, MS_NODEV },
	{ "noexec", false, MS_NOEXEC },    { "exec", true, MS_NOEXEC },
	{ "sync", false, MS_SYNCHRONOUS }, { "async", true, MS_SYNCHRONOUS },
	{ "dirsync", false, MS_DIRSYNC },  { "remount", false, MS_REMOUNT },
	{ "mand", false, MS_MANDLOCK },    { "nomand", true, MS_MANDLOCK },
	{ "atime", true, MS_NOATIME },     { "noatime", false, MS_NOATIME },
	{ "diratime", true, MS_NODIRATIME }, { "nodiratime", false, MS_NODIRATIME },
	{ "relatime", false, MS_RELATIME }, { "norelatime", true, MS_RELATIME },
	{ "strictatime", false, MS_STRICTATIME }, { "nostrictatime", true, MS_STRICTATIME },
	{ "lazytime", false, MS_LAZYTIME }, { "nolazytime", true, MS_LAZYTIME },
	{ "silent", false, MS_SILENT },    { "loud", true, MS_SILENT },
	{ "nosymfollow", false, MS_NOSYMFOLLOW }, { "symfollow", true, MS_NOSYMFOLLOW },
	{ "defaults", false, 0 },
};

static const struct flag_option propagation_options[] = {
	{ "private", false, MS_PRIVATE },   { "rprivate", false, MS_PRIVATE | MS_REC },
	{ "shared", false, MS_SHARED },     { "rshared", false, MS_SHARED | MS_REC },
	{ "slave", false, MS_SLAVE },       { "rslave", false, MS_SLAVE | MS_REC },
	{ "unbindable", false, MS_UNBINDABLE }, { "runbindable", false, MS_UNBINDABLE | MS_REC },
};

/* Recursive variants, applied with mount_setattr(AT_RECURSIVE). */
static const struct {
	const char *name;
	uint64_t set, clr;
} recursive_options[] = {
	{ "rro", MOUNT_ATTR_RDONLY, 0 },          { "rrw", 0, MOUNT_ATTR_RDONLY },
	{ "rnosuid", MOUNT_ATTR_NOSUID, 0 },      { "rsuid", 0, MOUNT_ATTR_NOSUID },
	{ "rnodev", MOUNT_ATTR_NODEV, 0 },        { "rdev", 0, MOUNT_ATTR_NODEV },
	{ "rnoexec", MOUNT_ATTR_NOEXEC, 0 },      { "rexec", 0, MOUNT_ATTR_NOEXEC },
	{ "rnodiratime", MOUNT_ATTR_NODIRATIME, 0 }, { "rdiratime", 0, MOUNT_ATTR_NODIRATIME },
	{ "rrelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME },
	{ "rnorelatime", 0, MOUNT_ATTR__ATIME },
	{ "rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME },
	{ "ratime", 0, MOUNT_ATTR__ATIME },
	{ "rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME },
	{ "rnostrictatime", 0, MOUNT_ATTR__ATIME },
	{ "rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0 }, { "rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

void mount_options_names(void (*add)(const char *name, void *ctx), void *ctx)
{
	for (size_t k = 0; k < N(flag_options); k++)
		add(flag_options[k].name, ctx);
	for (size_t k = 0; k < N(propagation_options); k++)
		add(propagation_options[k].name, ctx);
	for (size_t k = 0; k < N(recursive_options); k++)
		add(recursive_options[k].name, ctx);
	add("bind", ctx);
	add("rbind", ctx);
	add("idmap", ctx);
	add("tmpcopyup", ctx);
}

static int append_data(char **data, const char *opt)
{
	size_t old = *data ? strlen(*data) : 0, add = strlen(opt);
	char *n = realloc(*data, old + add + 2);
	if (n == NULL)
		return -ENOMEM;
	if (old)
		n[old++] = ',';
	memcpy(n + old, opt, add + 1);
	*data = n;
	return 0;
}

int mount_options_parse(const char **options, struct mount_options *ret, husk_error **err)
{
	*ret = (struct mount_options) { 0 };
	for (size_t i = 0; options && options[i]; i++) {
		const char *o = options[i];
		bool known = false;
		for (size_t k = 0; k < N(flag_options) && !known; k++) {
			if (strcmp(o, flag_options[k].name) != 0)
				continue;
			known = true;
			if (flag_options[k].clear)
				ret->flags &= ~flag_options[k].flag;
			else
				ret->flags |= flag_options[k].flag;
		}
		for (size_t k = 0; k < N(propagation_options) && !known; k++) {
			if (strcmp(o, propagation_options[k].name) == 0) {
				known = true;
				ret->propagation = propagation_options[k].flag;
			}
		}
		for (size_t k = 0; k < N(recursive_options) && !known; k++) {
			if (strcmp(o, recursive_options[k].name) == 0) {
				known = true;
				ret->rattr_set = (ret->rattr_set & ~recursive_options[k].clr) | recursive_options[k].set;
				ret->rattr_clr = (ret->rattr_clr & ~recursive_options[k].set) | recursive_options[k].clr;
			}
		}
		if (!known && (strcmp(o, "bind") == 0 || strcmp(o, "rbind") == 0)) {
			known = true;
			ret->bind = true;
			ret->recursive |= o[0] == 'r';
		}
		if (!known && strcmp(o, "tmpcopyup") == 0) {
			known = true;
			ret->tmpcopyup = true;
		}
		if (!known && append_data(&ret->data, o) < 0) {
			free(ret->data);
			ret->data = NULL;
			return husk_fail(err, ENOMEM, "mount options");
		}
	}
	return 0;
}
