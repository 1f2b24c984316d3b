/* Namespaces: the clone flags for new ones, fds for joined ones. */
#ifndef HUSK_LINUX_NAMESPACES_H
#define HUSK_LINUX_NAMESPACES_H

#include <stdbool.h>
#include "spec/spec.h"
#include "util/error.h"

int ns_clone_flag(enum ns_type t);

/* CLONE_NEW* of every namespace the spec asks to create, but time and
 * cgroup (the container process makes those itself). */
unsigned long ns_new_flags(const struct spec *s);

/* Opens the path of every namespace the spec joins; fds[t] = -1 for the
 * others.  Opened by the parent, so a bad path fails before any clone. */
int ns_open_joined(const struct spec *s, int fds[NS_COUNT], husk_error **err);
void ns_close_all(int fds[NS_COUNT]);

/* setns() into the namespaces in fds whose type is in `which` (a bit per
 * enum ns_type), user first so the others are entered with its rights. */
int ns_join(int fds[NS_COUNT], unsigned which, husk_error **err);

/* Writes /proc/<pid>/<file> ("uid_map" or "gid_map"). */
int ns_write_map(pid_t pid, const char *file, const struct spec_id_mapping *m, size_t n,
		 husk_error **err);

/* Writes /proc/<pid>/{uid,gid}_map from the spec. */
int ns_write_id_maps(pid_t pid, const struct spec *s, husk_error **err);

#endif
