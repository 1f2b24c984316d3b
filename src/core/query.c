/* state and list: read-only views of the state store. */
#include "core/container.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "state/state.h"
#include "util/cleanup.h"
#include "util/proc.h"

static json_object *state_object(const struct state_dir *d, const struct container_state *st,
				 const char *owner)
{
	enum container_status status = core_status(d, st);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "ociVersion", json_object_new_string(SPEC_OCI_VERSION));
	json_object_object_add(o, "id", json_object_new_string(st->id));
	/* Unknown: the identity record's pid when it is still that process. */
	bool verified = status != STATUS_UNKNOWN || proc_alive(st->pid, st->pid_start);
	json_object_object_add(o, "pid", json_object_new_int(status == STATUS_STOPPED || !verified ? 0 : st->pid));
	json_object_object_add(o, "status", json_object_new_string(status_name(status)));
	json_object_object_add(o, "bundle", json_object_new_string(st->bundle));
	json_object_object_add(o, "rootfs", json_object_new_string(st->rootfs));
	json_object_object_add(o, "created", json_object_new_string(st->created));
	json_object_object_add(o, "owner", json_object_new_string(owner));
	if (st->annotations && json_object_object_length(st->annotations) > 0)
		json_object_object_add(o, "annotations", json_object_get(st->annotations));
	/* Not runc's: why a damaged state is unknown (or known stopped). */
	if (st->reason)
		json_object_object_add(o, "reason", json_object_new_string(st->reason));
	return o;
}

static int read_one(int root_fd, const char *id, const char *owner,
		    json_object **ret, husk_error **err)
{
	struct state_dir d = { .fd = -1 };
	struct container_state st = { 0 };
	int r = state_open(root_fd, id, false, &d, err);
	if (r >= 0 && (r = state_read(&d, &st, err)) >= 0)
		*ret = state_object(&d, &st, owner);
	container_state_clear(&st);
	state_dir_close(&d);
	return r;
}

int container_state(const char *root, const char *id, json_object **ret, husk_error **err)
{
	cleanup_close int root_fd = -1;
	int r = state_open_root(root, false, &root_fd, err);
	if (r == -ENOENT) {
		husk_error_freep(err);
		return state_not_found(id, err);
	}
	if (r < 0)
		return r;
	/* runc leaves the owner empty here and fills it in `list`. */
	return read_one(root_fd, id, "", ret, err);
}

/* The name of uid in the host's /etc/passwd, read directly as runc does:
 * no NSS, which a statically linked husk could not load. "" if none. */
static void owner_name(uid_t uid, char *buf, size_t len)
{
	buf[0] = '\0';
	cleanup_fclose FILE *f = fopen("/etc/passwd", "re");
	struct passwd *pw;
	while (f && (pw = fgetpwent(f)) != NULL)
		if (pw->pw_uid == uid) {
			snprintf(buf, len, "%s", pw->pw_name);
			return;
		}
}

static int by_id(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

int container_list(const char *root, json_object **ret, husk_error **err)
{
	json_object *arr = json_object_new_array();
	*ret = arr;
	cleanup_close int root_fd = -1;
	int r = state_open_root(root, false, &root_fd, err);
	if (r == -ENOENT) {
		husk_error_freep(err);
		return 0;
	}
	if (r < 0)
		return r;
	cleanup_closedir DIR *d = fdopendir(dup(root_fd));
	if (d == NULL)
		return husk_fail(err, errno, "list %s", root);
	size_t n = 0, cap = 0;
	char **ids = NULL;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		/* '~' marks a reservation in progress (never a valid id). */
		if (de->d_name[0] == '~' || strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			ids = realloc(ids, cap * sizeof(*ids));
		}
		ids[n++] = strdup(de->d_name);
	}
	if (n > 1)
		qsort(ids, n, sizeof(*ids), by_id);
	/* The owners are nearly always one user: /etc/passwd is read again
	 * only when the uid changes. */
	uid_t owner_uid = (uid_t) -1;
	char owner[256] = "";
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		json_object *o = NULL;
		if (fstatat(root_fd, ids[i], &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
			if (st.st_uid != owner_uid) {
				owner_name(st.st_uid, owner, sizeof(owner));
				owner_uid = st.st_uid;
			}
			husk_error *ignored = NULL;
			/* A container deleted meanwhile is simply not listed. */
			if (read_one(root_fd, ids[i], owner, &o, &ignored) >= 0)
				json_object_array_add(arr, o);
			husk_error_free(ignored);
		}
		free(ids[i]);
	}
	free(ids);
	return 0;
}
