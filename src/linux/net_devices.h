/* linux.netDevices: interfaces of husk's network namespace moved into the
 * container's (rtnetlink), renamed when asked, with their permanent global
 * addresses and up.  They are not moved back: when the container's network
 * namespace goes, the kernel returns physical devices to the initial
 * namespace and destroys virtual ones (config-linux.md). */
#ifndef HUSK_LINUX_NET_DEVICES_H
#define HUSK_LINUX_NET_DEVICES_H

#include <sys/types.h>

#include "spec/spec.h"
#include "util/error.h"

/* In husk, before anything is made: each interface exists here. */
int netdev_check(const struct spec *s, husk_error **err);

/* Moves them into the network namespace netns_fd. */
int netdev_move(const struct spec *s, int netns_fd, husk_error **err);

#endif
