/* logs -f: the current log file read as it grows, the next one opened when
 * the shim rotates it, until the container's end is recorded. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/internal.h"
#include "engine/logs.h"
#include "util/cleanup.h"
#include "util/json.h"

#define POLL_US 100000

static bool ended(const struct engine_ctx *c, int cfd, const char *id)
{
	cleanup_json json_object *meta = NULL;
	husk_error *e = NULL;
	if (cdir_meta_read(cfd, id, &meta, &e) < 0) {
		husk_error_free(e);
		return true;   /* removed (--rm) */
	}
	const char *st = inspect_status(c, id, meta, NULL);
	if (!strcmp(st, "exited") || !strcmp(st, "created"))
		return true;
	cleanup_free char *cdir = cdir_path(c->store, id, NULL);
	return cdir && !lifecycle_runner_alive(cdir);
}

/* The file under name is another than fd's: the shim rotated it. */
static bool rotated(int dirfd, const char *name, int fd)
{
	struct stat a, b;
	if (fstatat(dirfd, name, &a, 0) < 0)
		return false;
	return fd < 0 || fstat(fd, &b) < 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev;
}

int logs_follow(const struct engine_ctx *c, int cfd, const char *id, struct log_reader *r,
		int dirfd, const char *name, int fd)
{
	for (;;) {
		bool last = ended(c, cfd, id);
		if (fd >= 0)
			log_reader_feed(r, fd);
		if (rotated(dirfd, name, fd)) {
			if (fd >= 0) {
				log_reader_feed(r, fd);
				close(fd);
			}
			log_reader_file_end(r);
			fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
			continue;
		}
		if (last)
			break;
		usleep(POLL_US);
	}
	if (fd >= 0)
		close(fd);
	return 0;
}
