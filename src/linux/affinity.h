/* process.execCPUAffinity of `husk exec`: the CPUs the new process runs on
 * before it joins the container's cgroup (initial) and after (final).  As
 * the spec says, the container's first process is left as it is. */
#ifndef HUSK_LINUX_AFFINITY_H
#define HUSK_LINUX_AFFINITY_H

#include "spec/spec.h"
#include "util/error.h"

/* In husk, before anything is made: every CPU listed is online here. */
int affinity_check(const struct spec_exec_cpu_affinity *a, husk_error **err);

/* Before the cgroup join: the initial CPUs, when given. */
int affinity_apply_initial(const struct spec_exec_cpu_affinity *a, husk_error **err);

/* After the cgroup join: the final CPUs; without them, when initial was
 * given, the cgroup's own CPUs (every CPU, which the kernel narrows to the
 * cpuset), so that initial does not stay. */
int affinity_apply_final(const struct spec_exec_cpu_affinity *a, husk_error **err);

#endif
