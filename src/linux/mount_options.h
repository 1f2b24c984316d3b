/* Mount options of config.json ("ro", "nosuid", "rbind", "rprivate",
 * "size=64k", ...) turned into mount(2) flags, propagation flags and the data
 * string passed to the filesystem. */
#ifndef HUSK_LINUX_MOUNT_OPTIONS_H
#define HUSK_LINUX_MOUNT_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include "util/error.h"

struct mount_options {
	unsigned long flags;       /* MS_* set on the mount itself */
	unsigned long propagation; /* MS_SHARED/MS_SLAVE/... with MS_REC if recursive */
	bool bind;                 /* "bind" or "rbind" */
	bool recursive;            /* "rbind" */
	bool tmpcopyup;            /* "tmpcopyup": a tmpfs starts with a copy of what it covers */
	uint64_t rattr_set;        /* MOUNT_ATTR_* of "rro", "rnosuid", ...: applied */
	uint64_t rattr_clr;        /* to the whole tree with mount_setattr */
	char *data;                /* unknown options, comma-joined; caller frees */
};

/* Calls add for the name of every option husk knows (for `features`). */
void mount_options_names(void (*add)(const char *name, void *ctx), void *ctx);

int mount_options_parse(const char **options, struct mount_options *ret, husk_error **err);

#endif
