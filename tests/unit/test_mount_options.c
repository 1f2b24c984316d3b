/* mount_options_parse(): config.json mount options → mount(2) flags,
 * propagation and the filesystem data string. */
#include <string.h>
#include <sys/mount.h>

#include "linux/mount_options.h"
#include "tap.h"

/* Parses a NULL-terminated list; fails the test (and returns -1) on error. */
static int parse(const char **opts, struct mount_options *mo, const char *name)
{
	husk_error *err = NULL;
	int r = mount_options_parse(opts, mo, &err);
	if (r < 0) {
		ok(0, "%s: parses", name);
		diag("error: %s", err ? err->msg : "none");
	}
	husk_error_free(err);
	return r;
}

static void test_flags(void)
{
	struct mount_options mo;
	const char *o1[] = { "ro", "nosuid", "nodev", "noexec", NULL };
	if (parse(o1, &mo, "ro,nosuid,nodev,noexec") == 0) {
		is_uint(mo.flags, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "ro,nosuid,nodev,noexec set their flags");
		is_uint(mo.propagation, 0, "ro,nosuid,nodev,noexec: no propagation");
		ok(!mo.bind && !mo.recursive, "ro,nosuid,nodev,noexec: not a bind mount");
		is_str(mo.data, NULL, "ro,nosuid,nodev,noexec: no data");
		free(mo.data);
	}

	const char *o2[] = { "ro", "rw", NULL };
	if (parse(o2, &mo, "ro,rw") == 0) {
		ok(!(mo.flags & MS_RDONLY), "rw after ro clears MS_RDONLY");
		free(mo.data);
	}

	const char *o3[] = { "rw", "ro", NULL };
	if (parse(o3, &mo, "rw,ro") == 0) {
		ok(mo.flags & MS_RDONLY, "ro after rw sets MS_RDONLY");
		free(mo.data);
	}

	const char *o4[] = { "nosuid", "suid", "nodev", "dev", "noexec", "exec", NULL };
	if (parse(o4, &mo, "suid/dev/exec after their no- forms") == 0) {
		is_uint(mo.flags, 0, "suid, dev and exec clear nosuid, nodev and noexec");
		free(mo.data);
	}

	const char *o5[] = { "strictatime", NULL };
	if (parse(o5, &mo, "strictatime") == 0) {
		is_uint(mo.flags, MS_STRICTATIME, "strictatime sets MS_STRICTATIME");
		free(mo.data);
	}

	const char *o6[] = { "relatime", NULL };
	if (parse(o6, &mo, "relatime") == 0) {
		is_uint(mo.flags, MS_RELATIME, "relatime sets MS_RELATIME");
		free(mo.data);
	}

	const char *o7[] = { "nosymfollow", NULL };
	if (parse(o7, &mo, "nosymfollow") == 0) {
		is_uint(mo.flags, MS_NOSYMFOLLOW, "nosymfollow sets MS_NOSYMFOLLOW");
		free(mo.data);
	}

	const char *o8[] = { "noatime", "nodiratime", "sync", "dirsync", NULL };
	if (parse(o8, &mo, "noatime,nodiratime,sync,dirsync") == 0) {
		is_uint(mo.flags, MS_NOATIME | MS_NODIRATIME | MS_SYNCHRONOUS | MS_DIRSYNC,
			"noatime,nodiratime,sync,dirsync set their flags");
		free(mo.data);
	}

	const char *o9[] = { "defaults", NULL };
	if (parse(o9, &mo, "defaults") == 0) {
		ok(mo.flags == 0 && mo.data == NULL, "defaults sets nothing and is not passed as data");
		free(mo.data);
	}

	if (parse(NULL, &mo, "no options") == 0) {
		ok(mo.flags == 0 && mo.propagation == 0 && !mo.bind && mo.data == NULL,
		   "no options (NULL): everything zero");
		free(mo.data);
	}
}

static void test_bind(void)
{
	struct mount_options mo;
	const char *o1[] = { "bind", NULL };
	if (parse(o1, &mo, "bind") == 0) {
		ok(mo.bind && !mo.recursive, "bind sets bind, not recursive");
		is_uint(mo.flags, 0, "bind adds no mount flag of its own");
		is_str(mo.data, NULL, "bind is not passed as data");
		free(mo.data);
	}

	const char *o2[] = { "rbind", NULL };
	if (parse(o2, &mo, "rbind") == 0) {
		ok(mo.bind && mo.recursive, "rbind sets bind and recursive");
		is_str(mo.data, NULL, "rbind is not passed as data");
		free(mo.data);
	}

	const char *o3[] = { "rbind", "ro", "nosuid", NULL };
	if (parse(o3, &mo, "rbind,ro,nosuid") == 0) {
		ok(mo.bind && mo.recursive && mo.flags == (MS_RDONLY | MS_NOSUID),
		   "rbind,ro,nosuid: recursive bind with ro and nosuid");
		free(mo.data);
	}
}

static void test_propagation(void)
{
	static const struct {
		const char *opt;
		unsigned long want;
	} cases[] = {
		{ "private", MS_PRIVATE },        { "rprivate", MS_PRIVATE | MS_REC },
		{ "slave", MS_SLAVE },            { "rslave", MS_SLAVE | MS_REC },
		{ "shared", MS_SHARED },          { "rshared", MS_SHARED | MS_REC },
		{ "unbindable", MS_UNBINDABLE },  { "runbindable", MS_UNBINDABLE | MS_REC },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mount_options mo;
		const char *o[] = { cases[i].opt, NULL };
		if (parse(o, &mo, cases[i].opt) == 0) {
			is_uint(mo.propagation, cases[i].want, "%s sets its propagation", cases[i].opt);
			ok(mo.flags == 0 && mo.data == NULL, "%s is neither a mount flag nor data", cases[i].opt);
			free(mo.data);
		}
	}

	struct mount_options mo;
	const char *o[] = { "rprivate", "rslave", NULL };
	if (parse(o, &mo, "rprivate,rslave") == 0) {
		is_uint(mo.propagation, MS_SLAVE | MS_REC, "the last propagation option wins");
		free(mo.data);
	}
}

static void test_data(void)
{
	struct mount_options mo;
	const char *o1[] = { "size=64k", "mode=755", NULL };
	if (parse(o1, &mo, "size=64k,mode=755") == 0) {
		is_str(mo.data, "size=64k,mode=755", "unknown options are joined in data in order");
		is_uint(mo.flags, 0, "size=64k,mode=755: no flags");
		free(mo.data);
	}

	const char *o2[] = { "nosuid", "size=64k", "noexec", "mode=755", "rprivate", "uid=0", NULL };
	if (parse(o2, &mo, "flags mixed with data") == 0) {
		is_str(mo.data, "size=64k,mode=755,uid=0", "data keeps its order when mixed with flags");
		is_uint(mo.flags, MS_NOSUID | MS_NOEXEC, "flags are picked out of a mixed list");
		is_uint(mo.propagation, MS_PRIVATE | MS_REC, "propagation is picked out of a mixed list");
		free(mo.data);
	}

	/* What `husk spec` puts on /dev/pts. */
	const char *o3[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL };
	if (parse(o3, &mo, "the devpts options of husk spec") == 0) {
		is_str(mo.data, "newinstance,ptmxmode=0666,mode=0620,gid=5", "devpts options: data");
		is_uint(mo.flags, MS_NOSUID | MS_NOEXEC, "devpts options: flags");
		free(mo.data);
	}

	/* What podman --read-only puts on its tmpfs: tmpcopyup is husk's. */
	const char *o4[] = { "rw", "rprivate", "nosuid", "nodev", "tmpcopyup", NULL };
	if (parse(o4, &mo, "podman's --read-only tmpfs") == 0) {
		ok(mo.tmpcopyup, "tmpcopyup is recognised");
		is_str(mo.data, NULL, "tmpcopyup is not passed as data");
		is_uint(mo.flags, MS_NOSUID | MS_NODEV, "tmpcopyup with flags: flags");
		free(mo.data);
	}
	const char *o5[] = { "size=64k", NULL };
	if (parse(o5, &mo, "a tmpfs without tmpcopyup") == 0) {
		ok(!mo.tmpcopyup, "no tmpcopyup unless asked");
		free(mo.data);
	}
}

int main(void)
{
	tap_init();
	tap_group(test_flags);
	tap_group(test_bind);
	tap_group(test_propagation);
	tap_group(test_data);
	return tap_done();
}
