/* The systemd cgroup driver (--systemd-cgroup): systemd owns the
 * container's cgroup, a transient scope unit asked for over D-Bus with
 * Delegate=yes.  What systemd has a property for goes to it as properties
 * (so that it does not undo it when it next touches the cgroup); the rest,
 * and the other controllers of a v1 host, the cgroupfs writers do through
 * the scope's cgroup, as for cgroupfs containers. */
#include "cgroup/cgroup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/sd_bus_lazy.h"
#include "cgroup/systemd_unit.h"
#include "util/cleanup.h"
#include "util/log.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define JOB_TIMEOUT_USEC (30 * 1000000ULL)

/* The cleanups run on early returns too, before libsystemd is loaded:
 * only what sd-bus made (so, loaded) is handed back to it. */
static void bus_unrefp(sd_bus **b)
{
	if (*b)
		sd_bus_lazy.flush_close_unref(*b);
}
#define cleanup_bus __attribute__((cleanup(bus_unrefp)))

static void message_unrefp(sd_bus_message **m)
{
	if (*m)
		sd_bus_lazy.message_unref(*m);
}
#define cleanup_message __attribute__((cleanup(message_unrefp)))

static void slot_unrefp(sd_bus_slot **s)
{
	if (*s)
		sd_bus_lazy.slot_unref(*s);
}
#define cleanup_slot __attribute__((cleanup(slot_unrefp)))

/* An error still SD_BUS_ERROR_NULL holds nothing to free. */
static void bus_error_freep(sd_bus_error *e)
{
	if (e->name || e->message)
		sd_bus_lazy.error_free(e);
}
#define cleanup_bus_error __attribute__((cleanup(bus_error_freep)))

static const struct cgroup_ops *fs_ops(const struct cgroup *cg)
{
	return cg->mode == CGROUP_V2 ? &cgroup_v2_ops : &cgroup_v1_ops;
}

/* A D-Bus failure as husk's error: the bus error's text when there is one. */
static int bus_fail(husk_error **err, int r, const sd_bus_error *e, const char *what, const char *unit)
{
	if (e && sd_bus_lazy.error_is_set(e))
		return husk_fail(err, 0, "%s %s: %s", what, unit, e->message ? e->message : e->name);
	return husk_fail(err, -r, "%s %s", what, unit);
}

/* The system bus, or systemd's private socket when no bus daemon runs
 * (root only, as that socket is). */
static int bus_open(sd_bus **ret, husk_error **err)
{
	*ret = NULL;
	if (access("/run/systemd/system", F_OK) < 0)
		return husk_fail(err, 0, "systemd is not running on this host (no /run/systemd/system)");
	if (sd_bus_lazy_load(err) < 0)
		return -1;
	int r = sd_bus_lazy.open_system(ret);
	if (r >= 0)
		return 0;
	if (geteuid() != 0)
		return husk_fail(err, -r, "connect to the system bus");
	sd_bus *bus = NULL;
	if ((r = sd_bus_lazy.new(&bus)) < 0)
		return husk_fail(err, -r, "sd_bus_new");
	if ((r = sd_bus_lazy.set_address(bus, "unix:path=/run/systemd/private")) < 0 ||
	    (r = sd_bus_lazy.start(bus)) < 0) {
		sd_bus_lazy.unref(bus);
		return husk_fail(err, -r, "connect to systemd (system bus and /run/systemd/private)");
	}
	*ret = bus;
	return 0;
}

static unsigned systemd_version(sd_bus *bus)
{
	cleanup_bus_error sd_bus_error e = SD_BUS_ERROR_NULL;
	cleanup_free char *text = NULL;
	if (sd_bus_lazy.get_property_string(bus, SD_DEST, SD_PATH, SD_MANAGER, "Version", &e, &text) < 0)
		return 0;
	return systemd_parse_version(text);
}

struct job_wait {
	const char *path;   /* the job's object path, once known */
	char result[32];    /* "done", "failed", ... once it is removed */
	bool removed;
};

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct job_wait *w = userdata;
	uint32_t id;
	const char *path, *unit, *result;
	(void) ret_error;
	if (sd_bus_lazy.message_read(m, "uoss", &id, &path, &unit, &result) < 0)
		return 0;
	if (w->path && strcmp(path, w->path) == 0) {
		snprintf(w->result, sizeof(w->result), "%s", result);
		w->removed = true;
	}
	return 0;
}

static uint64_t now_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Waits for the job whose path the reply m holds to be done. */
static int wait_job(sd_bus *bus, sd_bus_message *reply, struct job_wait *w, const char *what,
		    const char *unit, husk_error **err)
{
	int r = sd_bus_lazy.message_read(reply, "o", &w->path);
	if (r < 0)
		return husk_fail(err, -r, "%s %s: read the job", what, unit);
	uint64_t deadline = now_usec() + JOB_TIMEOUT_USEC;
	while (!w->removed) {
		if ((r = sd_bus_lazy.process(bus, NULL)) < 0)
			return husk_fail(err, -r, "%s %s: wait for the job", what, unit);
		if (r > 0)
			continue;
		uint64_t now = now_usec();
		if (now >= deadline)
			return husk_fail(err, ETIMEDOUT, "%s %s: the job did not finish", what, unit);
		if ((r = sd_bus_lazy.wait(bus, deadline - now)) < 0)
			return husk_fail(err, -r, "%s %s: wait for the job", what, unit);
	}
	if (strcmp(w->result, "done") != 0)
		return husk_fail(err, 0, "%s %s: the job ended \"%s\"", what, unit, w->result);
	return 0;
}

static int watch_jobs(sd_bus *bus, sd_bus_slot **slot, struct job_wait *w, husk_error **err)
{
	/* Before the call, so that a job done at once is not missed; no
	 * sender on systemd's private socket, which is no bus. */
	int r = sd_bus_lazy.match_signal(bus, slot, NULL, SD_PATH, SD_MANAGER, "JobRemoved", on_job_removed, w);
	return r < 0 ? husk_fail(err, -r, "watch systemd jobs") : 0;
}

static int append_props(sd_bus_message *m, const struct unit_props *props)
{
	int r = 0;
	for (size_t i = 0; i < props->n && r >= 0; i++) {
		const struct unit_prop *p = &props->p[i];
		switch (p->type) {
		case PROP_U64:
			r = sd_bus_lazy.message_append(m, "(sv)", p->name, "t", p->u);
			break;
		case PROP_BOOL:
			r = sd_bus_lazy.message_append(m, "(sv)", p->name, "b", (int) p->u);
			break;
		case PROP_BYTES:
			if ((r = sd_bus_lazy.message_open_container(m, 'r', "sv")) < 0 ||
			    (r = sd_bus_lazy.message_append(m, "s", p->name)) < 0 ||
			    (r = sd_bus_lazy.message_open_container(m, 'v', "ay")) < 0 ||
			    (r = sd_bus_lazy.message_append_array(m, 'y', p->bytes, p->n)) < 0 ||
			    (r = sd_bus_lazy.message_close_container(m)) < 0)
				break;
			r = sd_bus_lazy.message_close_container(m);
			break;
		}
	}
	return r;
}

/* The cgroup systemd made for pid: its line of /proc/<pid>/cgroup ("0::"
 * on v2, systemd's own hierarchy on v1), as seen from here. */
static int cgroup_of(pid_t pid, enum cgroup_mode mode, char *out, size_t len)
{
	char path[64], line[1200];
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int) pid);
	cleanup_fclose FILE *f = fopen(path, "re");
	if (f == NULL)
		return -errno;
	const char *want = mode == CGROUP_V2 ? "0::" : ":name=systemd:";
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *at = strstr(line, want);
		if (at == NULL || (mode == CGROUP_V2 && at != line))
			continue;
		snprintf(out, len, "%s", at + strlen(want));
		return 0;
	}
	return -ENOENT;
}

static int stop_unit(sd_bus *bus, const char *unit, husk_error **err);

static int sd_enter(struct cgroup *cg, pid_t pid, json_object *resources, husk_error **err)
{
	cleanup_bus sd_bus *bus = NULL;
	int r = bus_open(&bus, err);
	if (r < 0)
		return husk_wrap(err, "create unit %s", cg->unit);
	struct unit_props props = { 0 };
	if ((r = systemd_resource_props(resources, cg->mode, systemd_version(bus), true, &props, err)) < 0)
		return r;

	cleanup_message sd_bus_message *m = NULL, *reply = NULL;
	cleanup_bus_error sd_bus_error e = SD_BUS_ERROR_NULL;
	cleanup_slot sd_bus_slot *slot = NULL;
	struct job_wait w = { 0 };
	char description[300];
	snprintf(description, sizeof(description), "husk container %s", cg->unit);
	if ((r = watch_jobs(bus, &slot, &w, err)) < 0)
		goto out;
	/* A failed unit of that name (a container that died with husk) holds
	 * the name until reset; a live one is left alone and refuses us. */
	sd_bus_lazy.call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "ResetFailedUnit", NULL, NULL, "s", cg->unit);
	if ((r = sd_bus_lazy.message_new_method_call(bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "StartTransientUnit")) < 0 ||
	    (r = sd_bus_lazy.message_append(m, "ss", cg->unit, "fail")) < 0 ||
	    (r = sd_bus_lazy.message_open_container(m, 'a', "(sv)")) < 0 ||
	    (r = sd_bus_lazy.message_append(m, "(sv)(sv)(sv)(sv)(sv)",
				       "Description", "s", description,
				       "Slice", "s", cg->slice,
				       "Delegate", "b", 1,
				       /* Not stopped at shutdown before the engine
					* that runs the container. */
				       "DefaultDependencies", "b", 0,
				       "PIDs", "au", 1, (uint32_t) pid)) < 0 ||
	    (r = append_props(m, &props)) < 0 ||
	    (r = sd_bus_lazy.message_close_container(m)) < 0 ||
	    (r = sd_bus_lazy.message_append(m, "a(sa(sv))", 0)) < 0) {
		r = husk_fail(err, -r, "create unit %s: build the request", cg->unit);
		goto out;
	}
	if ((r = sd_bus_lazy.call(bus, m, 0, &e, &reply)) < 0) {
		r = bus_fail(err, r, &e, "create unit", cg->unit);
		goto out;
	}
	/* The unit is ours from here: a failure stops it (another
	 * container's unit of the same name made StartTransientUnit fail). */
	if ((r = wait_job(bus, reply, &w, "create unit", cg->unit, err)) < 0)
		goto undo;
	log_debug("unit %s started in %s", cg->unit, cg->slice);

	/* Where the scope's cgroup really is, as seen from here (husk may run
	 * in a cgroup namespace, or under a systemd that is not at the root). */
	char real[sizeof(cg->path)];
	if (cgroup_of(pid, cg->mode, real, sizeof(real)) == 0 && strcmp(real, cg->path) != 0) {
		log_debug("unit %s: cgroup %s, not %s", cg->unit, real, cg->path);
		snprintf(cg->path, sizeof(cg->path), "%s", real);
	}
	/* On v1, systemd manages a few controllers only: the others (cpuset,
	 * freezer, net_cls, ...) get the same path from the v1 writer. */
	if (cg->mode == CGROUP_V1 && (r = cgroup_v1_ops.enter(cg, pid, NULL, err)) < 0)
		goto undo;
	r = 0;
	goto out;
undo:
	stop_unit(bus, cg->unit, NULL);
	sd_bus_lazy.call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "ResetFailedUnit", NULL, NULL, "s", cg->unit);
	if (cg->mode == CGROUP_V1)
		cgroup_v1_ops.remove(cg, false, NULL);
out:
	unit_props_clear(&props);
	return r;
}

static int sd_apply(const struct cgroup *cg, json_object *res, husk_error **err)
{
	if (res == NULL)
		return 0;
	cleanup_bus sd_bus *bus = NULL;
	struct unit_props props = { 0 };
	int r = bus_open(&bus, err);
	if (r < 0)
		return husk_wrap(err, "set properties of %s", cg->unit);
	if ((r = systemd_resource_props(res, cg->mode, systemd_version(bus), false, &props, err)) < 0)
		return r;
	if (props.n) {
		cleanup_message sd_bus_message *m = NULL;
		cleanup_bus_error sd_bus_error e = SD_BUS_ERROR_NULL;
		if ((r = sd_bus_lazy.message_new_method_call(bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "SetUnitProperties")) < 0 ||
		    (r = sd_bus_lazy.message_append(m, "sb", cg->unit, 1)) < 0 ||
		    (r = sd_bus_lazy.message_open_container(m, 'a', "(sv)")) < 0 ||
		    (r = append_props(m, &props)) < 0 || (r = sd_bus_lazy.message_close_container(m)) < 0)
			r = husk_fail(err, -r, "set properties of %s: build the request", cg->unit);
		else if ((r = sd_bus_lazy.call(bus, m, 0, &e, NULL)) < 0)
			r = bus_fail(err, r, &e, "set properties of", cg->unit);
	}
	unit_props_clear(&props);
	if (r < 0)
		return r;
	/* Then the files, for all that systemd has no property for (and what
	 * it has, written the same). */
	return fs_ops(cg)->apply(cg, res, err);
}

/* Stops the unit and waits; a unit that is gone already (systemd
 * collects an emptied scope) is fine. */
static int stop_unit(sd_bus *bus, const char *unit, husk_error **err)
{
	cleanup_message sd_bus_message *reply = NULL;
	cleanup_bus_error sd_bus_error e = SD_BUS_ERROR_NULL;
	cleanup_slot sd_bus_slot *slot = NULL;
	struct job_wait w = { 0 };
	int r = watch_jobs(bus, &slot, &w, err);
	if (r < 0)
		return r;
	r = sd_bus_lazy.call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "StopUnit", &e, &reply, "ss", unit, "replace");
	if (r < 0 && sd_bus_lazy.error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit"))
		return 0;
	if (r < 0)
		return bus_fail(err, r, &e, "stop unit", unit);
	return wait_job(bus, reply, &w, "stop unit", unit, err);
}

static int sd_remove(const struct cgroup *cg, bool wait, husk_error **err)
{
	cleanup_bus sd_bus *bus = NULL;
	cleanup_error husk_error *bus_err = NULL;
	int r = bus_open(&bus, &bus_err);
	if (r < 0) {
		/* systemd went away: its cgroup may still be there, emptied. */
		log_warn("stop unit %s: %s; removing its cgroup", cg->unit, bus_err->msg);
		return fs_ops(cg)->remove(cg, wait, err);
	}
	if ((r = stop_unit(bus, cg->unit, err)) < 0)
		return r;
	/* A failed unit stays loaded until reset: reset, so that the name is
	 * free again (an error just means it is not failed, or gone). */
	sd_bus_lazy.call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "ResetFailedUnit", NULL, NULL, "s", cg->unit);
	/* What systemd did not make: the v1 hierarchies it does not manage. */
	return fs_ops(cg)->remove(cg, wait, err);
}

/* Freezing, listing and stats read and write the scope's files. */
static int sd_freeze(const struct cgroup *cg, bool frozen, husk_error **err)
{
	return fs_ops(cg)->freeze(cg, frozen, err);
}

static bool sd_frozen(const struct cgroup *cg)
{
	return fs_ops(cg)->frozen(cg);
}

static int sd_procs(const struct cgroup *cg, pid_t **ret, size_t *n, husk_error **err)
{
	return fs_ops(cg)->procs(cg, ret, n, err);
}

static int sd_stats(const struct cgroup *cg, json_object **ret, husk_error **err)
{
	return fs_ops(cg)->stats(cg, ret, err);
}

static const struct cgroup_ops ops = {
	.name = "systemd",
	.enter = sd_enter,
	.apply = sd_apply,
	.freeze = sd_freeze,
	.frozen = sd_frozen,
	.procs = sd_procs,
	.stats = sd_stats,
	.remove = sd_remove,
};

const struct cgroup_ops *const cgroup_systemd_ops = &ops;
