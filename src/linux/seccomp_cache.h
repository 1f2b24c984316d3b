/* A cache of compiled seccomp programs, so that a start does not run
 * libseccomp again on a profile it compiled before (the engine's default
 * profile costs ~20 ms to compile).
 *
 * An entry is named by the sha256 of the profile's JSON as husk serialises
 * it, libseccomp's version and API level, the kernel release and the
 * machine: what the compiled program depends on.  Its file holds a header
 * (the filter flags and whether it notifies), the BPF program and an
 * HMAC-SHA256 over the entry's name and all of that, keyed by the cache's
 * own secret ("key", 32 random bytes, mode 0600).  On a read the directory
 * must be the caller's and writable by no one else, the files regular, the
 * caller's, not symlinks, the sizes whole instructions and the tag right;
 * anything else is a miss: the profile is compiled and the entry written
 * again.  A wrong file can never become a weaker filter: only the key's
 * holder can make an entry that passes, and the name in the tag keeps an
 * entry of one profile from standing in for another's. */
#ifndef HUSK_LINUX_SECCOMP_CACHE_H
#define HUSK_LINUX_SECCOMP_CACHE_H

#include <json-c/json.h>

#include "linux/seccomp_filter.h"
#include "util/error.h"

/* seccomp_compile() through the cache in cache_dir (made 0700 when
 * missing); cache_dir NULL: seccomp_compile() alone.  A cache that cannot
 * be used is passed by (logged at debug level), never an error. */
int seccomp_compile_cached(json_object *seccomp, const char *cache_dir, struct seccomp_program *ret,
			   husk_error **err);

#endif
