/* Lexical clean-up of absolute paths (as Go's filepath.Clean). */
#ifndef HUSK_UTIL_PATH_CLEAN_H
#define HUSK_UTIL_PATH_CLEAN_H

#include <stddef.h>

/* Writes into out (n bytes) path as an absolute path with repeated and
 * trailing slashes and "." components dropped and each ".." taking off the
 * component before it, never going above "/".  No symlink is looked at:
 * "/proc/sys/../sys/./kernel" is "/proc/sys/kernel", "/../proc" is
 * "/proc", "" is "/".  0, or -ENAMETOOLONG when out is too small. */
int path_clean(const char *path, char *out, size_t n);

#endif
