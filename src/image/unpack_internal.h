/* Shared by the files of layer_unpack (unpack.c, unpack_path.c,
 * unpack_entry.c, unpack_meta.c); not an interface of its own. */
#ifndef HUSK_IMAGE_UNPACK_INTERNAL_H
#define HUSK_IMAGE_UNPACK_INTERNAL_H

#include <archive.h>
#include <archive_entry.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "util/error.h"

/* A directory whose mtime is set at the end, after its content. */
struct unpack_dir_time {
	char *path;             /* cleaned, relative to dest ("" = dest) */
	struct timespec times[2];
};

struct unpack_ctx {
	int dest;               /* the layer directory */
	struct archive *tar;    /* the outer archive, for entry data */
	bool root;              /* euid 0: ownership is applied */
	/* Rootless (in a user namespace, see core/container.h): overlayfs'
	 * xattrs are user.overlay.* (mounted with userxattr), trusted.* cannot
	 * be set. */
	bool userxattr;
	/* The parent directory of the last entry, kept open: tar entries of
	 * one directory come together.  Dropped whenever anything is removed,
	 * so that it never names a directory a later entry replaced. */
	char parent_path[PATH_MAX];
	int parent_fd;
	struct unpack_dir_time *dirs;
	size_t n_dirs, cap_dirs;
	/* The entry being written: its cleaned name, split at the last '/'. */
	char path[PATH_MAX];
	const char *base;       /* into path; "" for dest itself */
};

/* Error for the current entry: `layer entry "NAME": <what>: <strerror>`. */
int unpack_fail(struct unpack_ctx *c, const char *name, husk_error **err, int errnum,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* unpack_path.c */
/* Cleans an entry name into out: leading '/' and "./" dropped, "."
 * components and repeated '/' removed; "..", a name over PATH_MAX or a
 * non-final component starting with ".wh." refused (-EINVAL). */
int unpack_clean_name(const char *name, char out[PATH_MAX], const char **why);
/* An O_PATH fd of the directory dest/dir (cleaned), creating missing
 * components (0755); no symlink is followed, nothing leaves dest.  The fd
 * belongs to c (the cache): callers do not close it.  -errno. */
int unpack_open_parent(struct unpack_ctx *c, const char *dir);
/* Removes name (any type; a directory with everything under it) from
 * dirfd.  Drops the parent cache.  -errno. */
int unpack_remove(struct unpack_ctx *c, int dirfd, const char *name);
void unpack_drop_cache(struct unpack_ctx *c);
/* openat2 beneath dirfd, never through a symlink or a magic link. */
int unpack_openat_beneath(int dirfd, const char *path, int flags);

/* unpack_entry.c */
int unpack_entry(struct unpack_ctx *c, struct archive_entry *e, husk_error **err);

/* unpack_meta.c */
/* Ownership, mode, xattrs and (but for directories) times of what the
 * entry made: fd when the caller has it open (-1 otherwise: then
 * parentfd/base). */
int unpack_meta(struct unpack_ctx *c, struct archive_entry *e, int fd, int parentfd,
		const char *base, const char *name, husk_error **err);
int unpack_defer_dir_time(struct unpack_ctx *c, struct archive_entry *e);
/* Sets the directories' times, last entry first. */
int unpack_dir_times(struct unpack_ctx *c, husk_error **err);
void unpack_ctx_free(struct unpack_ctx *c);

#endif
