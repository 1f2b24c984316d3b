#include "cgroup/sd_bus_lazy.h"

#include <dlfcn.h>
#include <stdbool.h>

struct sd_bus_lazy sd_bus_lazy;

int sd_bus_lazy_load(husk_error **err)
{
	static bool loaded;
	if (loaded)
		return 0;
	/* Never closed: the driver may use it until husk exits. */
	void *lib = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL)
		return husk_fail(err, 0, "systemd cgroup driver: cannot load libsystemd.so.0: %s", dlerror());
#define SD_BUS_LAZY_RESOLVE(name)                                                                    \
	if ((sd_bus_lazy.name = dlsym(lib, "sd_bus_" #name)) == NULL)                                 \
		return husk_fail(err, 0, "systemd cgroup driver: cannot load libsystemd.so.0: %s", dlerror());
	SD_BUS_LAZY_FUNCTIONS(SD_BUS_LAZY_RESOLVE)
#undef SD_BUS_LAZY_RESOLVE
	loaded = true;
	return 0;
}
