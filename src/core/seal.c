#include "core/container.h"
#include "linux/exe_seal.h"

/* The command line reaches the sealed re-exec through the core, as it
 * reaches everything else in src/linux.  A build with -Dexe_seal=false
 * (bench/exe_seal only: it measures what the seal costs) skips it. */
int container_seal_binary(char **argv, husk_error **err)
{
#ifdef HUSK_NO_EXE_SEAL
	(void)argv;
	(void)err;
	return 0;
#else
	return exe_seal(argv, err);
#endif
}
