/* The identity record: what names a container's processes (pid, start
 * time, cgroup), kept apart from state.json so that a state.json that is
 * lost, cut short or rewritten does not lose the container with it.
 *
 * It is a symbolic link whose target is a small JSON object: symlinkat
 * under a temporary name and renameat make it whole or absent, and
 * nothing that writes into files (a truncate, an editor, a full disk)
 * changes it. */
#include "state/state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/json.h"

#define IDENTITY "identity"

int state_write_identity(const struct state_dir *d, const struct container_state *st, husk_error **err)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "pid", json_object_new_int(st->pid));
	json_object_object_add(o, "pidStart", json_object_new_uint64(st->pid_start));
	json_object_object_add(o, "cgroupPath", json_object_new_string(st->cgroup_path ? st->cgroup_path : ""));
	json_object_object_add(o, "systemdUnit", json_object_new_string(st->systemd_unit ? st->systemd_unit : ""));
	json_object_object_add(o, "sharedPidns", json_object_new_boolean(st->shared_pidns));
	cleanup_free char *text = json_to_string(o, false);
	json_object_put(o);
	if (text == NULL)
		return husk_fail(err, ENOMEM, "write identity");
	if (strlen(text) >= 4096)
		return husk_fail(err, ENAMETOOLONG, "write identity: cgroup path too long");
	char tmp[64];
	snprintf(tmp, sizeof(tmp), ".%s.%d", IDENTITY, (int) getpid());
	unlinkat(d->fd, tmp, 0);
	if (symlinkat(text, d->fd, tmp) < 0)
		return husk_fail(err, errno, "write identity");
	if (renameat(d->fd, tmp, d->fd, IDENTITY) < 0) {
		int e = errno;
		unlinkat(d->fd, tmp, 0);
		return husk_fail(err, e, "write identity");
	}
	return 0;
}

static int get_string(json_object *o, const char *key, char **out)
{
	json_object *v = json_member(o, key);
	if (v == NULL || !json_is_string(v) || json_string_has_nul(v))
		return -1;
	free(*out);
	*out = strdup(json_object_get_string(v));
	return *out ? 0 : -1;
}

int state_read_identity(const struct state_dir *d, struct state_identity *id)
{
	*id = (struct state_identity) { 0 };
	char target[4096];
	ssize_t n = readlinkat(d->fd, IDENTITY, target, sizeof(target) - 1);
	if (n <= 0)
		return -1;
	target[n] = '\0';
	json_object *o = NULL, *v;
	if (json_parse_text(target, (size_t) n, &o, NULL) < 0)
		return -1;
	int r = -1;
	if (json_is_object(o) && (v = json_member(o, "pid")) && json_is_integer(v) &&
	    json_object_get_int64(v) > 0 && json_object_get_int64(v) <= INT32_MAX) {
		id->pid = (pid_t) json_object_get_int64(v);
		v = json_member(o, "pidStart");
		id->pid_start = v && json_is_integer(v) ? json_object_get_uint64(v) : 0;
		v = json_member(o, "sharedPidns");
		id->shared_pidns = v && json_is_boolean(v) && json_object_get_boolean(v);
		if (get_string(o, "cgroupPath", &id->cgroup_path) == 0 &&
		    get_string(o, "systemdUnit", &id->systemd_unit) == 0)
			r = 0;
	}
	json_object_put(o);
	if (r < 0)
		state_identity_clear(id);
	return r;
}

void state_identity_clear(struct state_identity *id)
{
	free(id->cgroup_path);
	free(id->systemd_unit);
	*id = (struct state_identity) { 0 };
}
