/* The husk binary out of the container's reach (issue 12.1,
 * CVE-2019-5736).  Every process husk puts in a container is a fork of
 * husk and has husk as its /proc/<pid>/exe until it execs the container's
 * program; a container holding CAP_SYS_PTRACE can open that link, keep it,
 * and reopen it for writing once husk has gone.  So `create`, `run` and
 * `exec` first re-execute themselves from a private read-only bind mount of
 * their own binary: the same file, reached only through a mount that is
 * read-only, detached from every namespace (so no one can remount it), and
 * gone with the last process using it.  One open_tree, one mount_setattr
 * and one execveat: no copy of the binary. */
#ifndef HUSK_LINUX_EXE_SEAL_H
#define HUSK_LINUX_EXE_SEAL_H
#include "util/error.h"

/* Returns 0 when husk already runs from a read-only mount; otherwise
 * re-executes argv from the sealed binary and does not return, unless it
 * fails (< 0).  Without CAP_SYS_ADMIN (rootless) it returns 0: then the
 * container's capabilities are those of a child user namespace, which
 * cannot get past the non-dumpable flag of husk's processes. */
int exe_seal(char **argv, husk_error **err);
#endif
