/* libcriu (Debian's criu package), loaded when checkpoint or restore runs.
 *
 * husk talks to CRIU through its RPC (criu swrk over a socketpair); libcriu
 * is CRIU's own client of that protocol, so husk sends no hand-built
 * protobuf.  Like crun, husk dlopens it: only checkpoint and restore need
 * CRIU, and a husk without the criu package installed still runs every
 * other command.  <criu/criu.h> gives the prototypes the pointers are
 * checked against. */
#ifndef HUSK_LINUX_CRIU_LIB_H
#define HUSK_LINUX_CRIU_LIB_H

#include <criu/criu.h>

#include "util/error.h"

/* The criu_<name> functions husk calls. */
#define CRIU_LIB_FUNCTIONS(X)                                                                       \
	X(local_init_opts) X(local_free_opts) X(local_set_service_binary) X(local_set_pid)          \
	X(local_set_images_dir_fd) X(local_set_work_dir_fd) X(local_set_leave_running)              \
	X(local_set_tcp_established) X(local_set_file_locks) X(local_set_ext_unix_sk)               \
	X(local_set_shell_job) X(local_set_orphan_pts_master) X(local_set_log_level)                \
	X(local_set_log_file) X(local_set_root) X(local_set_manage_cgroups)                         \
	X(local_set_manage_cgroups_mode) X(local_set_freeze_cgroup) X(local_add_ext_mount)          \
	X(local_add_cg_root) X(local_add_inherit_fd) X(local_add_external)                          \
	X(local_set_evasive_devices) X(local_set_notify_cb) X(local_dump) X(local_restore_child)    \
	X(get_orphan_pts_master_fd) X(local_get_version)

struct criu_lib {
#define CRIU_LIB_FIELD(name) typeof(criu_##name) *name;
	CRIU_LIB_FUNCTIONS(CRIU_LIB_FIELD)
#undef CRIU_LIB_FIELD
};

/* Loads libcriu.so.2 and fills lib (the library stays loaded until exit). */
int criu_lib_load(struct criu_lib *lib, husk_error **err);

#endif
