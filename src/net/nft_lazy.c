#include "net/nft_lazy.h"

#include <dlfcn.h>
#include <pthread.h>

static struct nft_lazy table;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *load_error; /* dlerror() of the one load, or NULL */

static void load(void)
{
	/* Never closed: husk uses it until it exits. */
	void *lib = dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL) {
		load_error = dlerror();
		return;
	}
#define NFT_LAZY_RESOLVE(name)                                                                 \
	if ((table.name = dlsym(lib, "nft_" #name)) == NULL) {                                  \
		load_error = dlerror();                                                         \
		return;                                                                         \
	}
	NFT_LAZY_FUNCTIONS(NFT_LAZY_RESOLVE)
#undef NFT_LAZY_RESOLVE
}

const struct nft_lazy *nft_lazy_load(husk_error **err)
{
	pthread_once(&once, load);
	if (load_error != NULL) {
		husk_fail(err, 0, "cannot load libnftables.so.1 (apt-get install libnftables1): %s",
			  load_error);
		return NULL;
	}
	return &table;
}
