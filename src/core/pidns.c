/* The processes of a container without a cgroup (rootless, none
 * delegated): those in its pid namespace. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/internal.h"
#include "util/cleanup.h"

int core_pidns_members(const struct core_handle *h, pid_t **ret, size_t *n, husk_error **err)
{
	char path[64], want[64], got[64];
	*ret = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int) h->st.pid);
	ssize_t len = readlink(path, want, sizeof(want) - 1);
	if (len < 0)
		return husk_fail(err, errno, "read %s", path);
	want[len] = '\0';
	cleanup_closedir DIR *d = opendir("/proc");
	if (d == NULL)
		return husk_fail(err, errno, "open /proc");
	size_t cap = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/pid", de->d_name);
		len = readlink(path, got, sizeof(got) - 1);
		if (len < 0)
			continue;
		got[len] = '\0';
		if (strcmp(got, want) != 0)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			pid_t *grown = realloc(*ret, cap * sizeof(pid_t));
			if (grown == NULL) {
				free(*ret);
				*ret = NULL;
				*n = 0;
				return husk_fail(err, ENOMEM, "pids");
			}
			*ret = grown;
		}
		(*ret)[(*n)++] = atoi(de->d_name);
	}
	return 0;
}
