#include "linux/criu_lib.h"

#include <dlfcn.h>

int criu_lib_load(struct criu_lib *lib, husk_error **err)
{
	void *h = dlopen("libcriu.so.2", RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		return husk_fail(err, 0, "cannot load libcriu.so.2 (Debian package criu): %s", dlerror());
#define CRIU_LIB_RESOLVE(name)                                                                      \
	if ((lib->name = dlsym(h, "criu_" #name)) == NULL)                                           \
		return husk_fail(err, 0, "libcriu.so.2: %s", dlerror());
	CRIU_LIB_FUNCTIONS(CRIU_LIB_RESOLVE)
#undef CRIU_LIB_RESOLVE
	return 0;
}
