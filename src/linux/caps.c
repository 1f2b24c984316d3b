#include "linux/caps.h"

#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/log.h"

/* Index = capability number (linux/capability.h). */
static const char *const names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
	"CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
	"CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};
#define N_NAMES ((int) (sizeof(names) / sizeof(names[0])))

int cap_from_name(const char *name)
{
	const char *bare = strncasecmp(name, "CAP_", 4) == 0 ? name + 4 : name;
	for (int i = 0; i < N_NAMES; i++)
		if (strcasecmp(names[i] + 4, bare) == 0)
			return i;
	return -1;
}

const char *cap_name(int cap)
{
	return cap >= 0 && cap < N_NAMES ? names[cap] : NULL;
}

/* The highest capability the running kernel knows.  Asked of the kernel
 * itself (PR_CAPBSET_READ fails with EINVAL past the last one), not read from
 * /proc/sys: inside the container that file is whatever the config mounted
 * there, and a fake value would leave capabilities in the bounding set. */
int cap_last_cap(void)
{
	int lo = 0, hi = 63; /* lo is known valid: CAP_CHOWN always exists */
	while (lo < hi) {
		int mid = (lo + hi + 1) / 2;
		if (prctl(PR_CAPBSET_READ, mid, 0, 0, 0) < 0 && errno == EINVAL)
			hi = mid - 1;
		else
			lo = mid;
	}
	return lo;
}

void caps_resolve(const struct spec_process *p, struct caps *ret)
{
	int last = cap_last_cap();
	*ret = (struct caps) { 0 };
	for (int set = 0; set < CAP_SET_COUNT; set++) {
		for (const char **n = p->capabilities[set]; n && *n; n++) {
			int cap = cap_from_name(*n);
			if (cap < 0 || cap > last) {
				log_warn("capability %s is not known to this kernel: skipped", *n);
				continue;
			}
			ret->sets[set] |= 1ULL << cap;
		}
	}
}

int caps_before_identity(const struct caps *c, husk_error **err)
{
	int last = cap_last_cap();
	for (int cap = 0; cap <= last; cap++) {
		if (c->sets[CAP_SET_BOUNDING] & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return husk_fail(err, errno, "drop %s from the bounding set",
					 cap_name(cap) ? cap_name(cap) : "capability");
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return husk_fail(err, errno, "keep capabilities across setuid");
	return 0;
}

int caps_after_identity(const struct caps *c, husk_error **err)
{
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return husk_fail(err, errno, "reset keep-capabilities");
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	for (int i = 0; i < 2; i++) {
		data[i].effective = c->sets[CAP_SET_EFFECTIVE] >> (32 * i);
		data[i].permitted = c->sets[CAP_SET_PERMITTED] >> (32 * i);
		data[i].inheritable = c->sets[CAP_SET_INHERITABLE] >> (32 * i);
	}
	if (syscall(SYS_capset, &hdr, data) < 0)
		return husk_fail(err, errno, "apply capabilities");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return husk_fail(err, errno, "clear ambient capabilities");
	/* The kernel raises an ambient cap only if it is also permitted and
	 * inheritable; runc's default config lists ambient caps without
	 * inheritable ones, so the others are skipped, not fatal. */
	uint64_t raisable = c->sets[CAP_SET_AMBIENT] & c->sets[CAP_SET_PERMITTED] &
			    c->sets[CAP_SET_INHERITABLE];
	for (int cap = 0; cap < 64; cap++)
		if ((raisable & (1ULL << cap)) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
			return husk_fail(err, errno, "raise ambient capability %s", cap_name(cap));
	return 0;
}
