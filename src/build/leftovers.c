/* What a killed husk build left: its step containers (a RUN still running,
 * an overlay mounted, a cgroup, runtime state).  Each step container
 * records its builder as its image reference, "husk-build pid=P start=T"
 * (T: the process's start time in clock ticks, so that a reused pid is
 * not taken for the builder); a container whose builder is gone is
 * removed as `container rm -f` does.  Temporary files under STORE/tmp are
 * the store's (store_open removes those of dead writers). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build/build_internal.h"
#include "engine/internal.h"   /* cdir_open, cdir_meta_read */
#include "image/store_internal.h"   /* store_remove_tree_at */
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/proc.h"

#define OWNER_PREFIX "husk-build pid="

void build_owner(char out[64])
{
	pid_t pid = getpid();
	snprintf(out, 64, OWNER_PREFIX "%d start=%llu", (int) pid, proc_start_time(pid));
}

/* Whether the builder that ref names is gone. */
static bool owner_gone(const char *ref)
{
	int pid;
	unsigned long long start;
	if (strncmp(ref, OWNER_PREFIX, strlen(OWNER_PREFIX)) != 0 ||
	    sscanf(ref + strlen(OWNER_PREFIX), "%d start=%llu", &pid, &start) != 2)
		return false;   /* not a build's */
	return !proc_alive(pid, start);
}

int build_leftovers_remove(const struct engine_ctx *c, size_t *removed, husk_error **err)
{
	*removed = 0;
	cleanup_close int cfd = -1;
	if (cdir_open(c->store, &cfd, err) < 0)
		return -1;
	int dfd = dup(cfd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return husk_fail(err, errno, "%s/containers", c->store);
	}
	struct dirent *e;
	int r = 0;
	while ((e = readdir(d)) != NULL && r >= 0) {
		if (strlen(e->d_name) != ENGINE_ID_LEN)
			continue;
		json_object *meta = NULL;
		husk_error *ignored = NULL;
		if (cdir_meta_read(cfd, e->d_name, &meta, &ignored) < 0) {
			husk_error_free(ignored);
			continue;
		}
		const char *ref = json_object_get_string(json_member(meta, "image"));
		bool gone = ref && owner_gone(ref);
		json_object_put(meta);
		if (!gone)
			continue;
		if ((r = engine_rm(c, e->d_name, true, err)) < 0)
			husk_wrap(err, "a killed build's container %.12s", e->d_name);
		else
			(*removed)++;
	}
	closedir(d);
	return r;
}

int build_cache_prune(const struct engine_ctx *c, size_t *entries, uint64_t *freed, husk_error **err)
{
	*entries = 0;
	*freed = 0;
	char p[4096];
	snprintf(p, sizeof(p), "%s/build-cache", c->store);
	int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : husk_fail(err, errno, "open %s", p);
	cleanup_closedir DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return husk_fail(err, errno, "open %s", p);
	}
	struct dirent *e;
	struct stat sb;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".mounts") == 0) {
			/* RUN --mount=type=cache's directories */
			*freed += store_tree_bytes_at(fd, e->d_name);
			store_remove_tree_at(fd, e->d_name);
			continue;
		}
		if (e->d_name[0] == '.' || fstatat(fd, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (unlinkat(fd, e->d_name, 0) < 0)
			return husk_fail(err, errno, "%s/%s", p, e->d_name);
		(*entries)++;
		*freed += (uint64_t) sb.st_blocks * 512;
	}
	return 0;
}
