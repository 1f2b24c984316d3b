/* setgroups, setresgid and setresuid as the bare system calls.
 *
 * glibc's wrappers apply an id change to every thread of the process
 * (nptl's setxid broadcast), waiting for each to acknowledge it.  A child
 * made by clone() from a multi-threaded husk (husk build's output pump,
 * image pull's workers) inherits glibc's list of those threads but not the
 * threads, and waits for them for ever.  The container's process has one
 * thread, and the kernel's per-thread credentials are what it needs. */
#ifndef HUSK_LINUX_RAW_IDS_H
#define HUSK_LINUX_RAW_IDS_H

#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

static inline int raw_setgroups(size_t n, const gid_t *groups)
{
	return (int) syscall(SYS_setgroups, n, groups);
}

static inline int raw_setresgid(gid_t r, gid_t e, gid_t s)
{
	return (int) syscall(SYS_setresgid, r, e, s);
}

static inline int raw_setresuid(uid_t r, uid_t e, uid_t s)
{
	return (int) syscall(SYS_setresuid, r, e, s);
}

#endif
