/* OCI hooks: each one a program run with the container's state JSON on
 * its stdin, its args and env from config.json, and an optional timeout. */
#ifndef HUSK_LINUX_HOOKS_H
#define HUSK_LINUX_HOOKS_H

#include "spec/spec.h"
#include "util/error.h"

const char *hook_stage_name(enum hook_stage stage);

/* Runs the hooks of one stage in order; stops at the first that fails
 * (non-zero exit, killed, or past its timeout), whose output is quoted in
 * the error. */
int hooks_run(const struct spec_hook_list *hooks, enum hook_stage stage, const char *state_json,
	      husk_error **err);

#endif
