/* Idmapped bind mounts (mounts[].uidMappings/gidMappings).
 *
 * husk makes them before the clone, in the host's user namespace where
 * the mappings' host ids mean what they say: a detached copy of the source
 * (open_tree) given the mappings of a throw-away user namespace
 * (mount_setattr MOUNT_ATTR_IDMAP).  The container process only moves the
 * finished tree into place. */
#ifndef HUSK_LINUX_IDMAP_H
#define HUSK_LINUX_IDMAP_H

#include "spec/spec.h"
#include "util/error.h"

/* Fills fds[i] (one per mount) with a tree fd for each idmapped mount,
 * -1 for the others.  Returns the number made. */
int idmap_prepare(const struct spec *s, int *fds, husk_error **err);

void idmap_close(int *fds, size_t n);

/* A user namespace of these maps (a throw-away child cloned into it, its
 * maps written, its namespace opened): the userns_fd of MOUNT_ATTR_IDMAP. */
int idmap_userns_fd(const struct spec_id_mapping *uids, size_t n_uids,
		    const struct spec_id_mapping *gids, size_t n_gids, husk_error **err);

#endif
