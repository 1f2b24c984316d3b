/* What checkpoint and restore tell CRIU alike (criu_common.c). */
#ifndef HUSK_CORE_CRIU_COMMON_H
#define HUSK_CORE_CRIU_COMMON_H

#include <stdbool.h>

#include "core/container.h"
#include "linux/criu_lib.h"
#include "spec/spec.h"

/* Where descriptors.json (the container's stdio as /proc/PID/fd shows it at
 * dump time, as runc writes it) goes in the image directory. */
#define CRIU_DESCRIPTORS "descriptors.json"

/* An open image (and work) directory and a libcriu option set. */
struct criu_session {
	struct criu_lib lib;
	criu_opts *opts;
	int image_fd;
	int work_fd;
	const char *log_dir;   /* where CRIU writes its log */
	const char *log_name;  /* dump.log or restore.log */
};

/* Loads libcriu, opens (making them with create) the image and work paths
 * and sets the options both operations share. */
int criu_session_open(struct criu_session *s, const struct criu_options *o, bool create,
		      const char *log_name, husk_error **err);
void criu_session_close(struct criu_session *s);

/* External mounts as runc lists them (--ext-mount-map): the config's bind
 * mounts, devices and masked files.  A dump (of dump_pid's container) maps
 * each destination to itself; a restore (dump_pid 0) to the source on the
 * host (bundle: relative sources).  The binds of the container's cgroup
 * (cgroup_path) are external too. */
int criu_add_ext_mounts(struct criu_session *s, const struct spec *spec, const char *bundle,
			const char *cgroup_path, pid_t dump_pid, husk_error **err);

/* Fails with CRIU's last "Error" line from its log, and where the log is. */
int criu_fail(struct criu_session *s, int r, const char *what, husk_error **err);

#endif
