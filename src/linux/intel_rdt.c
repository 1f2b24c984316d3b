#include "linux/intel_rdt.h"

#include <errno.h>
#include <sys/vfs.h>

#define RESCTRL "/sys/fs/resctrl"
#define RDTGROUP_SUPER_MAGIC 0x7655821

int intel_rdt_check(const struct spec_intel_rdt *rdt, husk_error **err)
{
	if (!rdt->present)
		return 0;
	struct statfs st;
	if (statfs(RESCTRL, &st) < 0 || st.f_type != RDTGROUP_SUPER_MAGIC)
		return husk_fail(err, 0, "linux.intelRdt: no resctrl filesystem is mounted at " RESCTRL
			   " (Intel RDT is not available on this host)");
	return husk_fail(err, 0, "linux.intelRdt: resctrl groups are not supported by husk yet");
}
