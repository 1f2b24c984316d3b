#include "image/curl_lazy.h"

#include <dlfcn.h>
#include <stdbool.h>

struct curl_lazy curl_lazy;

int curl_lazy_load(husk_error **err)
{
	static bool loaded;
	if (loaded)
		return 0;
	/* Never closed: the pull uses it until husk exits. */
	void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL)
		return husk_fail(err, 0, "cannot load libcurl.so.4 (apt-get install libcurl4): %s",
				 dlerror());
#define CURL_LAZY_RESOLVE(name)                                                                \
	if ((curl_lazy.name = dlsym(lib, "curl_" #name)) == NULL)                               \
		return husk_fail(err, 0, "cannot load libcurl.so.4: %s", dlerror());
	CURL_LAZY_FUNCTIONS(CURL_LAZY_RESOLVE)
#undef CURL_LAZY_RESOLVE
	if (curl_lazy.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return husk_fail(err, 0, "libcurl: curl_global_init failed");
	loaded = true;
	return 0;
}
