/* Shared between the files of the core, not part of its API. */
#ifndef HUSK_CORE_INTERNAL_H
#define HUSK_CORE_INTERNAL_H

#include <sys/types.h>
#include "spec/spec.h"

/* Runs the hooks of a stage whose failure only warns (poststart,
 * poststop), as the runtime-spec asks. */
void core_run_hooks_warn(const struct spec *s, enum hook_stage stage, const char *id,
			 const char *status, pid_t pid, const char *bundle);

#endif
