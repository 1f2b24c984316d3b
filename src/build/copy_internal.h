/* What copy.c and copy_write.c share. */
#ifndef HUSK_BUILD_COPY_INTERNAL_H
#define HUSK_BUILD_COPY_INTERNAL_H

#include "build/copy.h"

/* openat2 of path under rootfd with RESOLVE_IN_ROOT; -errno on failure. */
int copy_open_in(int rootfd, const char *path, int flags);
/* The names in a directory, sorted (NULL-terminated); -errno. */
int copy_dir_names(int dirfd, char ***ret);
/* An O_PATH fd opened again for reading (through /proc/self/fd). */
int copy_reopen(int fd, int flags);
void copy_strv_free(char **v);
/* Whether rel is left out by the ignore file; with exceptions ("!") a
 * directory is still looked into. */
bool copy_ignored(const struct ignore *ig, const char *rel, bool any_negation_descends);

#endif
