/* Capabilities of the container process: the five sets of
 * process.capabilities, applied around the uid/gid switch. */
#ifndef HUSK_LINUX_CAPS_H
#define HUSK_LINUX_CAPS_H

#include <stdint.h>
#include "spec/spec.h"
#include "util/error.h"

struct caps {
	uint64_t sets[CAP_SET_COUNT];
};

/* Capability number of "CAP_SYS_ADMIN" (or "SYS_ADMIN"), -1 if unknown. */
int cap_from_name(const char *name);
const char *cap_name(int cap);
/* The highest capability the running kernel knows. */
int cap_last_cap(void);

/* Resolves the names of the spec's sets; names the kernel does not know
 * are skipped with a warning, as runc does. */
void caps_resolve(const struct spec_process *p, struct caps *ret);

/* Before the uid/gid switch: drop the bounding set, keep permitted caps
 * across setuid. */
int caps_before_identity(const struct caps *c, husk_error **err);

/* After it: effective/permitted/inheritable, then ambient. */
int caps_after_identity(const struct caps *c, husk_error **err);

#endif
