/* Device nodes inside the container: linux.devices plus, when /dev is a
 * fresh tmpfs, the standard set and its symlinks. */
#ifndef HUSK_LINUX_DEVICES_H
#define HUSK_LINUX_DEVICES_H

#include <stdbool.h>
#include "spec/spec.h"
#include "util/error.h"

/* in_userns: mknod is not allowed, so host nodes are bind-mounted instead.
 * standard: also create null, zero, full, random, urandom, tty, ptmx and the
 * /dev/fd, /dev/std* symlinks. */
int devices_create(int root_fd, const struct spec *spec, bool in_userns, bool standard,
		   husk_error **err);

#endif
