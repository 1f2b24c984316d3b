/* husk itself in a user namespace of the user's ids: how the rootless
 * engine unpacks layers with their owners, mounts overlays and removes
 * what a container wrote, as podman's `unshare` does.  The namespace maps
 * the user's own uid/gid to 0 and the ranges /etc/subuid and /etc/subgid
 * grant the user from 1 up (through newuidmap/newgidmap); without a range,
 * only the user's own id, setgroups denied. */
#ifndef HUSK_LINUX_USERNS_SELF_H
#define HUSK_LINUX_USERNS_SELF_H

#include <stddef.h>
#include "spec/spec.h"
#include "util/error.h"

#define USERNS_SELF_MAX 8

struct userns_self_maps {
	struct spec_id_mapping uid[USERNS_SELF_MAX + 1], gid[USERNS_SELF_MAX + 1];
	size_t n_uid, n_gid;
};

/* The maps of the calling user (its ranges read from /etc/subuid and
 * /etc/subgid, by name or by number, as shadow's newuidmap reads them). */
int userns_self_maps(struct userns_self_maps *m, husk_error **err);

/* Moves the calling process (single-threaded) into a new user namespace
 * of those maps and a mount namespace owned by it; it is root there. */
int userns_self_enter(const struct userns_self_maps *m, husk_error **err);

#endif
