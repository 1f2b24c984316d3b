#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "core/internal.h"
#include "util/cleanup.h"

int core_bundle_load(const char *bundle_opt, char **bundle, struct spec **spec, char **text, size_t *len,
		     husk_error **err)
{
	const char *dir = bundle_opt && *bundle_opt ? bundle_opt : ".";
	*bundle = realpath(dir, NULL);
	if (*bundle == NULL)
		return husk_fail(err, errno, "bundle %s", dir);
	cleanup_close int bfd = open(*bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (bfd < 0)
		return husk_fail(err, errno, "bundle %s", *bundle);
	return spec_load(bfd, spec, text, len, err);
}

int core_rootfs_resolve(const char *bundle, const char *root_path, char **rootfs, husk_error **err)
{
	cleanup_free char *joined = NULL;
	if (root_path[0] != '/' && asprintf(&joined, "%s/%s", bundle, root_path) < 0)
		return husk_fail(err, ENOMEM, "rootfs");
	*rootfs = realpath(joined ? joined : root_path, NULL);
	struct stat st;
	if (*rootfs == NULL || stat(*rootfs, &st) < 0)
		return husk_fail(err, errno, "rootfs %s", joined ? joined : root_path);
	if (!S_ISDIR(st.st_mode))
		return husk_fail(err, ENOTDIR, "rootfs %s", *rootfs);
	return 0;
}
