/* linux.sysctl: only keys that belong to a namespace the container has
 * of its own are accepted (ipc: kernel.msg*, kernel.sem, kernel.shm*,
 * fs.mqueue.*; uts: kernel.hostname, kernel.domainname; net: net.*). */
#ifndef HUSK_LINUX_SYSCTLS_H
#define HUSK_LINUX_SYSCTLS_H

#include "spec/spec.h"
#include "util/error.h"

int sysctl_validate(const struct spec *s, husk_error **err);

/* Writes them through proc_fd (a verified procfs); /proc/sys resolves
 * net and ipc keys in the writer's namespaces.  The uts keys are set by
 * sethostname/setdomainname. */
int sysctl_apply(const struct spec *s, int proc_fd, husk_error **err);

#endif
