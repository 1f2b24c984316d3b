/* AppArmor profile and SELinux label of the container process, set for
 * its exec through a verified /proc; asking for one on a host without that
 * LSM is an error, not a silent no-op. */
#ifndef HUSK_LINUX_LSM_H
#define HUSK_LINUX_LSM_H

#include <stdbool.h>
#include "spec/spec.h"
#include "util/error.h"

bool lsm_apparmor_enabled(void);
bool lsm_selinux_enabled(void);

/* Checks, in the parent, that what the spec asks for is available. */
int lsm_check(const struct spec *s, husk_error **err);

/* In the container process: labels its next exec. */
int lsm_apply(const struct spec_process *p, husk_error **err);

#endif
