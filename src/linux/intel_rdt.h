/* linux.intelRdt.  The spec wants an error where no resctrl filesystem is
 * mounted; husk does not yet manage resctrl groups, so where one is it
 * says so rather than run the container without what it asked for. */
#ifndef HUSK_LINUX_INTEL_RDT_H
#define HUSK_LINUX_INTEL_RDT_H

#include "spec/spec.h"
#include "util/error.h"

int intel_rdt_check(const struct spec_intel_rdt *rdt, husk_error **err);

#endif
