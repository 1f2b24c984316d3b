/* process.scheduler and process.ioPriority of the container process. */
#ifndef HUSK_LINUX_SCHEDULING_H
#define HUSK_LINUX_SCHEDULING_H

#include "spec/spec.h"
#include "util/error.h"

int process_set_scheduling(const struct spec_process *p, husk_error **err);

#endif
