/* linux.memoryPolicy: the NUMA policy (set_mempolicy(2)) of the container's
 * processes, its first one and those of `husk exec`. */
#ifndef HUSK_LINUX_NUMA_POLICY_H
#define HUSK_LINUX_NUMA_POLICY_H

#include "spec/spec.h"
#include "util/error.h"

/* In husk, before anything is made: the kernel has NUMA and every node
 * listed exists (relative nodes, MPOL_F_RELATIVE_NODES, are not node
 * numbers and are not checked). */
int mempolicy_check(const struct spec_memory_policy *m, husk_error **err);

/* In the container's process, before the seccomp filter: inherited by its
 * children and kept across exec. */
int mempolicy_apply(const struct spec_memory_policy *m, husk_error **err);

#endif
