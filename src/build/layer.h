/* A build step's change set (the overlay upper directory of its container,
 * or a directory of new files) as an image layer of the store.
 *
 * The tar is normalised so that the same files give the same bytes: entries
 * sorted by name (byte order), pax (ustar where it fits) with numeric
 * owners only (no user or group names), no atime or ctime, mtimes in whole
 * seconds and, when epoch >= 0, clamped to epoch (SOURCE_DATE_EPOCH); gzip
 * made by zlib with no name and no time in its header.  Overlay whiteouts
 * (character devices 0/0) become ".wh.NAME", opaque directories
 * (trusted.overlay.opaque=y) a ".wh..wh..opq" entry; of the extended
 * attributes only security.capability is kept (trusted.overlay.* are
 * overlayfs' own). */
#ifndef HUSK_BUILD_LAYER_H
#define HUSK_BUILD_LAYER_H

#include <stdbool.h>
#include <stdint.h>

#include "image/store.h"
#include "util/error.h"

struct layer_made {
	bool empty;                 /* no change: no layer */
	char blob[DIGEST_LEN];      /* the compressed digest */
	char diff_id[DIGEST_LEN];
	char chain[DIGEST_LEN];
};

/* skip_mount_points: leave out etc/hostname, etc/hosts and etc/resolv.conf
 * when they are empty files (the mount points of a RUN container's bind
 * mounts, not changes of the step).  s is held exclusively. */
int layer_from_dir(struct store *s, int dirfd, const char *parent_chain, int64_t epoch,
		   bool skip_mount_points, struct layer_made *out, husk_error **err);

#endif
