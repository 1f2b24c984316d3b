#include "linux/lsm.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "linux/proc.h"
#include "util/cleanup.h"

bool lsm_apparmor_enabled(void)
{
	char c = 0;
	cleanup_close int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
	return fd >= 0 && read(fd, &c, 1) == 1 && c == 'Y';
}

bool lsm_selinux_enabled(void)
{
	return access("/sys/fs/selinux/enforce", F_OK) == 0;
}

int lsm_check(const struct spec *s, husk_error **err)
{
	const struct spec_process *p = &s->process;
	if (p->apparmor_profile && *p->apparmor_profile && !lsm_apparmor_enabled())
		return husk_fail(err, 0, "process.apparmorProfile \"%s\": AppArmor is not enabled on this host",
				 p->apparmor_profile);
	if (p->selinux_label && *p->selinux_label && !lsm_selinux_enabled())
		return husk_fail(err, 0, "process.selinuxLabel \"%s\": SELinux is not enabled on this host",
				 p->selinux_label);
	if (s->mount_label && *s->mount_label && !lsm_selinux_enabled())
		return husk_fail(err, 0, "linux.mountLabel \"%s\": SELinux is not enabled on this host",
				 s->mount_label);
	return 0;
}

int lsm_apply(const struct spec_process *p, husk_error **err)
{
	bool aa = p->apparmor_profile && *p->apparmor_profile;
	bool se = p->selinux_label && *p->selinux_label;
	if (!aa && !se)
		return 0;
	cleanup_close int proc = proc_open("/proc", err);
	if (proc < 0)
		return proc;
	int r = 0;
	if (aa) {
		char buf[512];
		snprintf(buf, sizeof(buf), "exec %s", p->apparmor_profile);
		/* The AppArmor-specific file when the kernel stacks LSMs. */
		r = proc_write(proc, "self/attr/apparmor/exec", buf, NULL);
		if (r < 0)
			r = proc_write(proc, "self/attr/exec", buf, err);
	}
	if (r >= 0 && se)
		r = proc_write(proc, "self/attr/exec", p->selinux_label, err);
	return r;
}
