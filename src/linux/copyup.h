/* "tmpcopyup" (an extension of runc and crun that podman uses for the
 * tmpfs of --read-only): a tmpfs mounted over a directory of the image
 * starts with a copy of what that directory held. */
#ifndef HUSK_LINUX_COPYUP_H
#define HUSK_LINUX_COPYUP_H

#include "util/error.h"

/* Copies the entries of src_dir into dst_dir (both O_RDONLY directory fds),
 * recursively, keeping type, mode, owner and times.  Symlinks are copied,
 * never followed; sockets are skipped. */
int copy_dir_contents(int src_dir, int dst_dir, husk_error **err);

#endif
