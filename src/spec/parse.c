/* config.json → struct spec.  Only the shape is checked here (types of
 * fields); meaning is checked by spec_validate(). */
#include "spec/spec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "spec/env.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

#define FIELD_MAX 128
/* Every C string would end at the NUL: what the engine wrote is not what would run. */
#define NUL_REFUSED "must not contain a NUL byte"

static int bad(husk_error **err, const char *field, const char *why)
{
	return husk_fail(err, 0, "config.json: %s: %s", field, why);
}

static void field_key(char *out, const char *parent, const char *key)
{
	snprintf(out, FIELD_MAX, "%s%s%s", parent, *parent ? "." : "", key);
}

static void field_index(char *out, const char *parent, size_t i)
{
	snprintf(out, FIELD_MAX, "%s[%zu]", parent, i);
}

/* A missing key and JSON null both mean "not given". */
#define member json_member

static int opt_string(json_object *obj, const char *parent, const char *key, const char **out,
		      husk_error **err)
{
	json_object *v = member(obj, key);
	if (v == NULL)
		return 0;
	if (!json_is_string(v)) {
		char f[FIELD_MAX];
		field_key(f, parent, key);
		return bad(err, f, "must be a string");
	}
	if (json_string_has_nul(v)) {
		char f[FIELD_MAX];
		field_key(f, parent, key);
		return bad(err, f, NUL_REFUSED);
	}
	*out = json_object_get_string(v);
	return 0;
}

static int opt_bool(json_object *obj, const char *parent, const char *key, bool *out, husk_error **err)
{
	json_object *v = member(obj, key);
	if (v == NULL)
		return 0;
	if (!json_is_boolean(v)) {
		char f[FIELD_MAX];
		field_key(f, parent, key);
		return bad(err, f, "must be true or false");
	}
	*out = json_object_get_boolean(v);
	return 0;
}

/* An integer in [min, max]; *given tells whether the key was present. */
static int opt_int(json_object *obj, const char *parent, const char *key, int64_t min,
		   int64_t max, int64_t *out, bool *given, husk_error **err)
{
	json_object *v = member(obj, key);
	if (given)
		*given = v != NULL;
	if (v == NULL)
		return 0;
	char f[FIELD_MAX];
	field_key(f, parent, key);
	if (!json_is_integer(v))
		return bad(err, f, "must be an integer");
	int64_t n = json_object_get_int64(v);
	if (n < min || n > max)
		return bad(err, f, "out of range");
	*out = n;
	return 0;
}

/* A non-negative integer up to UINT64_MAX: engines write RLIM_INFINITY as
 * 18446744073709551615. */
static int opt_u64(json_object *obj, const char *parent, const char *key, uint64_t *out,
		   husk_error **err)
{
	json_object *v = member(obj, key);
	if (v == NULL)
		return 0;
	if (!json_is_integer(v) || json_is_negative(v)) {
		char f[FIELD_MAX];
		field_key(f, parent, key);
		return bad(err, f, "must be a non-negative integer");
	}
	*out = json_object_get_uint64(v);
	return 0;
}

static int opt_object(json_object *obj, const char *parent, const char *key, json_object **out,
		      husk_error **err)
{
	json_object *v = member(obj, key);
	if (v == NULL)
		return 0;
	if (!json_is_object(v)) {
		char f[FIELD_MAX];
		field_key(f, parent, key);
		return bad(err, f, "must be an object");
	}
	*out = v;
	return 0;
}

static int opt_array(json_object *obj, const char *parent, const char *key, json_object **out,
		     husk_error **err)
{
	json_object *v = member(obj, key);
	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_array(v)) {
		char f[FIELD_MAX];
		field_key(f, parent, key);
		return bad(err, f, "must be an array");
	}
	*out = v;
	return 0;
}

/* A NULL-terminated array of the strings of a JSON array of strings. */
static int opt_strings(json_object *obj, const char *parent, const char *key, const char ***out,
		       husk_error **err)
{
	json_object *arr;
	int r = opt_array(obj, parent, key, &arr, err);
	if (r < 0 || arr == NULL)
		return r;
	size_t n = json_object_array_length(arr);
	const char **v = calloc(n + 1, sizeof(*v));
	if (v == NULL)
		return husk_fail(err, ENOMEM, "config.json");
	for (size_t i = 0; i < n; i++) {
		json_object *s = json_object_array_get_idx(arr, i);
		if (!json_is_string(s) || json_string_has_nul(s)) {
			char f[FIELD_MAX], g[FIELD_MAX];
			field_key(f, parent, key);
			field_index(g, f, i);
			free(v);
			return bad(err, g, json_is_string(s) ? NUL_REFUSED : "must be a string");
		}
		v[i] = json_object_get_string(s);
	}
	*out = v;
	return 0;
}

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{ "RLIMIT_AS", RLIMIT_AS },           { "RLIMIT_CORE", RLIMIT_CORE },
	{ "RLIMIT_CPU", RLIMIT_CPU },         { "RLIMIT_DATA", RLIMIT_DATA },
	{ "RLIMIT_FSIZE", RLIMIT_FSIZE },     { "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "RLIMIT_NICE", RLIMIT_NICE },       { "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },     { "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO },   { "RLIMIT_RTTIME", RLIMIT_RTTIME },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING }, { "RLIMIT_STACK", RLIMIT_STACK },
};

static int parse_rlimits(json_object *proc, struct spec_process *p, husk_error **err)
{
	json_object *arr;
	int r = opt_array(proc, "process", "rlimits", &arr, err);
	if (r < 0 || arr == NULL)
		return r;
	p->n_rlimits = json_object_array_length(arr);
	p->rlimits = calloc(p->n_rlimits + 1, sizeof(*p->rlimits));
	if (p->rlimits == NULL)
		return husk_fail(err, ENOMEM, "config.json");
	for (size_t i = 0; i < p->n_rlimits; i++) {
		char f[FIELD_MAX];
		field_index(f, "process.rlimits", i);
		json_object *o = json_object_array_get_idx(arr, i);
		struct spec_rlimit *l = &p->rlimits[i];
		if (!json_is_object(o))
			return bad(err, f, "must be an object");
		if ((r = opt_string(o, f, "type", &l->type, err)) < 0 ||
		    (r = opt_u64(o, f, "soft", &l->soft, err)) < 0 ||
		    (r = opt_u64(o, f, "hard", &l->hard, err)) < 0)
			return r;
		if (l->type == NULL)
			return bad(err, f, "type is required");
		l->resource = -1;
		for (size_t k = 0; k < sizeof(rlimit_names) / sizeof(rlimit_names[0]); k++)
			if (strcmp(rlimit_names[k].name, l->type) == 0)
				l->resource = rlimit_names[k].resource;
		if (l->resource < 0) {
			char g[FIELD_MAX];
			field_key(g, f, "type");
			return husk_fail(err, 0, "config.json: %s: unknown rlimit %s", g, l->type);
		}
	}
	return 0;
}

static int parse_user(json_object *proc, struct spec_process *p, husk_error **err)
{
	json_object *user = NULL, *gids;
	int64_t v = 0;
	bool given;
	int r = opt_object(proc, "process", "user", &user, err);
	if (r < 0 || user == NULL)
		return r;
	if ((r = opt_int(user, "process.user", "uid", 0, UINT32_MAX - 1, &v, NULL, err)) < 0)
		return r;
	p->uid = v;
	v = 0;
	if ((r = opt_int(user, "process.user", "gid", 0, UINT32_MAX - 1, &v, NULL, err)) < 0)
		return r;
	p->gid = v;
	if ((r = opt_int(user, "process.user", "umask", 0, 0777, &v, &given, err)) < 0)
		return r;
	p->has_umask = given;
	p->umask = given ? v : 0;
	if ((r = opt_array(user, "process.user", "additionalGids", &gids, err)) < 0 || !gids)
		return r;
	p->n_additional_gids = json_object_array_length(gids);
	p->additional_gids = calloc(p->n_additional_gids + 1, sizeof(gid_t));
	if (p->additional_gids == NULL)
		return husk_fail(err, ENOMEM, "config.json");
	for (size_t i = 0; i < p->n_additional_gids; i++) {
		json_object *g = json_object_array_get_idx(gids, i);
		if (!json_is_integer(g) || json_object_get_int64(g) < 0 ||
		    json_object_get_int64(g) >= UINT32_MAX) {
			char f[FIELD_MAX];
			field_index(f, "process.user.additionalGids", i);
			return bad(err, f, "must be a group id");
		}
		p->additional_gids[i] = json_object_get_int64(g);
	}
	return 0;
}

/* A name from a fixed table; -1 when absent from it. */
static int lookup(const char *const *names, const int *values, size_t n, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (strcmp(names[i], name) == 0)
			return values[i];
	return -1;
}

static int parse_io_priority(json_object *proc, struct spec_process *p, husk_error **err)
{
	static const char *const names[] = { "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE" };
	static const int values[] = { 1, 2, 3 };
	json_object *io = NULL;
	const char *cls = NULL;
	int64_t prio = 0;
	int r = opt_object(proc, "process", "ioPriority", &io, err);
	if (r < 0 || io == NULL)
		return r;
	if ((r = opt_string(io, "process.ioPriority", "class", &cls, err)) < 0 ||
	    (r = opt_int(io, "process.ioPriority", "priority", 0, 7, &prio, NULL, err)) < 0)
		return r;
	p->io_class = lookup(names, values, 3, cls);
	if (p->io_class < 0)
		return bad(err, "process.ioPriority.class", "must be IOPRIO_CLASS_RT, _BE or _IDLE");
	p->io_priority = prio;
	p->has_io_priority = true;
	return 0;
}

static int parse_scheduler(json_object *proc, struct spec_process *p, husk_error **err)
{
	static const char *const policies[] = { "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH",
						"SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE" };
	static const int policy_values[] = { 0, 1, 2, 3, 4, 5, 6 };
	static const char *const flag_names[] = { "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",
						  "SCHED_FLAG_DL_OVERRUN", "SCHED_FLAG_KEEP_POLICY",
						  "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN",
						  "SCHED_FLAG_UTIL_CLAMP_MAX" };
	static const int flag_values[] = { 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40 };
	json_object *sc = NULL;
	const char *policy = NULL;
	const char **flags = NULL;
	int64_t nice = 0, prio = 0, runtime = 0, deadline = 0, period = 0;
	struct spec_scheduler *s = &p->scheduler;
	const char *f = "process.scheduler";
	int r = opt_object(proc, "process", "scheduler", &sc, err);
	if (r < 0 || sc == NULL)
		return r;
	if ((r = opt_string(sc, f, "policy", &policy, err)) < 0 ||
	    (r = opt_int(sc, f, "nice", -20, 19, &nice, NULL, err)) < 0 ||
	    (r = opt_int(sc, f, "priority", 0, 99, &prio, NULL, err)) < 0 ||
	    (r = opt_int(sc, f, "runtime", 0, INT64_MAX, &runtime, NULL, err)) < 0 ||
	    (r = opt_int(sc, f, "deadline", 0, INT64_MAX, &deadline, NULL, err)) < 0 ||
	    (r = opt_int(sc, f, "period", 0, INT64_MAX, &period, NULL, err)) < 0 ||
	    (r = opt_strings(sc, f, "flags", &flags, err)) < 0)
		return r;
	*s = (struct spec_scheduler) { .nice = nice, .priority = prio, .runtime = runtime,
				       .deadline = deadline, .period = period };
	s->policy = lookup(policies, policy_values, 7, policy);
	for (size_t i = 0; flags && flags[i] && s->policy >= 0; i++) {
		int v = lookup(flag_names, flag_values, 7, flags[i]);
		if (v < 0) {
			/* The message first: flags[i] lives in the array. */
			r = husk_fail(err, 0, "config.json: process.scheduler.flags[%zu]: unknown flag %s", i, flags[i]);
			free(flags);
			return r;
		}
		s->flags |= v;
	}
	free(flags);
	if (s->policy < 0)
		return bad(err, "process.scheduler.policy", "unknown policy");
	p->has_scheduler = true;
	return 0;
}

static int parse_process(json_object *doc, struct spec *s, husk_error **err)
{
	json_object *proc = NULL, *caps = NULL, *console = NULL;
	int64_t v = 0;
	bool given;
	struct spec_process *p = &s->process;
	int r = opt_object(doc, "", "process", &proc, err);
	if (r < 0 || proc == NULL)
		return r;
	s->has_process = true;
	if ((r = opt_bool(proc, "process", "terminal", &p->terminal, err)) < 0 ||
	    (r = opt_strings(proc, "process", "args", &p->args, err)) < 0 ||
	    (r = opt_strings(proc, "process", "env", &p->env, err)) < 0 ||
	    (r = opt_string(proc, "process", "cwd", &p->cwd, err)) < 0 ||
	    (r = opt_bool(proc, "process", "noNewPrivileges", &p->no_new_privileges, err)) < 0 ||
	    (r = opt_string(proc, "process", "apparmorProfile", &p->apparmor_profile, err)) < 0 ||
	    (r = opt_string(proc, "process", "selinuxLabel", &p->selinux_label, err)) < 0 ||
	    (r = opt_int(proc, "process", "oomScoreAdj", -1000, 1000, &v, &given, err)) < 0)
		return r;
	if (env_dedupe(p->env) < 0)
		return husk_fail(err, ENOMEM, "config.json");
	p->has_oom_score_adj = given;
	p->oom_score_adj = given ? v : 0;
	if ((r = parse_user(proc, p, err)) < 0 || (r = parse_rlimits(proc, p, err)) < 0)
		return r;
	if ((r = parse_io_priority(proc, p, err)) < 0 || (r = parse_scheduler(proc, p, err)) < 0)
		return r;
	if ((r = opt_object(proc, "process", "consoleSize", &console, err)) < 0)
		return r;
	if (console) {
		int64_t h = 0, w = 0;
		if ((r = opt_int(console, "process.consoleSize", "height", 0, UINT16_MAX, &h, NULL, err)) < 0 ||
		    (r = opt_int(console, "process.consoleSize", "width", 0, UINT16_MAX, &w, NULL, err)) < 0)
			return r;
		p->console_height = h;
		p->console_width = w;
	}
	if ((r = opt_object(proc, "process", "capabilities", &caps, err)) < 0 || caps == NULL)
		return r;
	static const char *const set_names[CAP_SET_COUNT] = {
		"bounding", "effective", "inheritable", "permitted", "ambient"
	};
	p->has_capabilities = true;
	for (int i = 0; i < CAP_SET_COUNT; i++)
		if ((r = opt_strings(caps, "process.capabilities", set_names[i], &p->capabilities[i], err)) < 0)
			return r;
	return 0;
}

static int parse_id_mappings(json_object *obj, const char *parent, const char *key,
			     struct spec_id_mapping **out, size_t *n, husk_error **err);

static int parse_mounts(json_object *doc, struct spec *s, husk_error **err)
{
	json_object *arr;
	int r = opt_array(doc, "", "mounts", &arr, err);
	if (r < 0 || arr == NULL)
		return r;
	s->n_mounts = json_object_array_length(arr);
	s->mounts = calloc(s->n_mounts + 1, sizeof(*s->mounts));
	if (s->mounts == NULL)
		return husk_fail(err, ENOMEM, "config.json");
	for (size_t i = 0; i < s->n_mounts; i++) {
		char f[FIELD_MAX];
		field_index(f, "mounts", i);
		json_object *o = json_object_array_get_idx(arr, i);
		struct spec_mount *m = &s->mounts[i];
		if (!json_is_object(o))
			return bad(err, f, "must be an object");
		if ((r = opt_string(o, f, "destination", &m->destination, err)) < 0 ||
		    (r = opt_string(o, f, "type", &m->type, err)) < 0 ||
		    (r = opt_string(o, f, "source", &m->source, err)) < 0 ||
		    (r = opt_strings(o, f, "options", &m->options, err)) < 0 ||
		    (r = parse_id_mappings(o, f, "uidMappings", &m->uid_mappings, &m->n_uid_mappings, err)) < 0 ||
		    (r = parse_id_mappings(o, f, "gidMappings", &m->gid_mappings, &m->n_gid_mappings, err)) < 0)
			return r;
		if (m->destination == NULL)
			return bad(err, f, "destination is required");
	}
	return 0;
}

static int parse_hooks(json_object *doc, struct spec *s, husk_error **err)
{
	static const char *const stage_names[HOOK_STAGE_COUNT] = {
		"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"
	};
	json_object *hooks = NULL;
	int r = opt_object(doc, "", "hooks", &hooks, err);
	if (r < 0 || hooks == NULL)
		return r;
	for (int st = 0; st < HOOK_STAGE_COUNT; st++) {
		char f[FIELD_MAX];
		json_object *arr;
		field_key(f, "hooks", stage_names[st]);
		if ((r = opt_array(hooks, "hooks", stage_names[st], &arr, err)) < 0)
			return r;
		if (arr == NULL)
			continue;
		struct spec_hook_list *l = &s->hooks[st];
		l->n = json_object_array_length(arr);
		l->hooks = calloc(l->n + 1, sizeof(*l->hooks));
		if (l->hooks == NULL)
			return husk_fail(err, ENOMEM, "config.json");
		for (size_t i = 0; i < l->n; i++) {
			char g[FIELD_MAX];
			int64_t t = 0;
			json_object *o = json_object_array_get_idx(arr, i);
			struct spec_hook *h = &l->hooks[i];
			field_index(g, f, i);
			if (!json_is_object(o))
				return bad(err, g, "must be an object");
			if ((r = opt_string(o, g, "path", &h->path, err)) < 0 ||
			    (r = opt_strings(o, g, "args", &h->args, err)) < 0 ||
			    (r = opt_strings(o, g, "env", &h->env, err)) < 0 ||
			    (r = opt_int(o, g, "timeout", 1, INT32_MAX, &t, NULL, err)) < 0)
				return r;
			h->timeout = t;
			if (h->path == NULL)
				return bad(err, g, "path is required");
		}
	}
	return 0;
}

static int parse_namespaces(json_object *lx, struct spec *s, husk_error **err)
{
	json_object *arr;
	int r = opt_array(lx, "linux", "namespaces", &arr, err);
	if (r < 0 || arr == NULL)
		return r;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		char f[FIELD_MAX];
		const char *type = NULL, *path = NULL;
		json_object *o = json_object_array_get_idx(arr, i);
		field_index(f, "linux.namespaces", i);
		if (!json_is_object(o))
			return bad(err, f, "must be an object");
		if ((r = opt_string(o, f, "type", &type, err)) < 0 ||
		    (r = opt_string(o, f, "path", &path, err)) < 0)
			return r;
		int t = type ? ns_type_from_name(type) : -1;
		if (t < 0)
			return husk_fail(err, 0, "config.json: %s.type: unknown namespace type \"%s\"",
					 f, type ? type : "");
		if (s->namespaces[t].present)
			return husk_fail(err, 0, "config.json: %s: namespace %s listed twice", f, type);
		s->namespaces[t].present = true;
		s->namespaces[t].path = path && *path ? path : NULL;
	}
	return 0;
}

static int parse_id_mappings(json_object *obj, const char *parent, const char *key,
			     struct spec_id_mapping **out, size_t *n, husk_error **err)
{
	json_object *arr;
	int r = opt_array(obj, parent, key, &arr, err);
	if (r < 0 || arr == NULL)
		return r;
	*n = json_object_array_length(arr);
	*out = calloc(*n + 1, sizeof(**out));
	if (*out == NULL)
		return husk_fail(err, ENOMEM, "config.json");
	for (size_t i = 0; i < *n; i++) {
		char f[FIELD_MAX], g[FIELD_MAX];
		int64_t c = 0, h = 0, sz = 0;
		bool hc, hh, hs;
		json_object *o = json_object_array_get_idx(arr, i);
		field_key(g, parent, key);
		field_index(f, g, i);
		if (!json_is_object(o))
			return bad(err, f, "must be an object");
		if ((r = opt_int(o, f, "containerID", 0, UINT32_MAX, &c, &hc, err)) < 0 ||
		    (r = opt_int(o, f, "hostID", 0, UINT32_MAX, &h, &hh, err)) < 0 ||
		    (r = opt_int(o, f, "size", 1, UINT32_MAX, &sz, &hs, err)) < 0)
			return r;
		if (!hc || !hh || !hs)
			return bad(err, f, "containerID, hostID and size are required");
		(*out)[i] = (struct spec_id_mapping) { c, h, sz };
	}
	return 0;
}

static int parse_devices(json_object *lx, struct spec *s, husk_error **err)
{
	json_object *arr;
	int r = opt_array(lx, "linux", "devices", &arr, err);
	if (r < 0 || arr == NULL)
		return r;
	s->n_devices = json_object_array_length(arr);
	s->devices = calloc(s->n_devices + 1, sizeof(*s->devices));
	if (s->devices == NULL)
		return husk_fail(err, ENOMEM, "config.json");
	for (size_t i = 0; i < s->n_devices; i++) {
		char f[FIELD_MAX];
		const char *type = NULL;
		int64_t major = 0, minor = 0, mode = 0, uid = 0, gid = 0;
		bool has_major, has_minor;
		struct spec_device *d = &s->devices[i];
		json_object *o = json_object_array_get_idx(arr, i);
		field_index(f, "linux.devices", i);
		if (!json_is_object(o))
			return bad(err, f, "must be an object");
		if ((r = opt_string(o, f, "path", &d->path, err)) < 0 ||
		    (r = opt_string(o, f, "type", &type, err)) < 0 ||
		    (r = opt_int(o, f, "major", 0, INT64_MAX, &major, &has_major, err)) < 0 ||
		    (r = opt_int(o, f, "minor", 0, INT64_MAX, &minor, &has_minor, err)) < 0 ||
		    (r = opt_int(o, f, "fileMode", 0, 07777, &mode, &d->has_file_mode, err)) < 0 ||
		    (r = opt_int(o, f, "uid", 0, UINT32_MAX - 1, &uid, &d->has_uid, err)) < 0 ||
		    (r = opt_int(o, f, "gid", 0, UINT32_MAX - 1, &gid, &d->has_gid, err)) < 0)
			return r;
		if (d->path == NULL)
			return bad(err, f, "path is required");
		if (type == NULL || strlen(type) != 1 || !strchr("cubp", type[0]))
			return bad(err, f, "type must be one of c, u, b, p");
		d->type = type[0];
		if (d->type != 'p' && (!has_major || !has_minor))
			return bad(err, f, "major and minor are required");
		d->major = major;
		d->minor = minor;
		d->file_mode = mode;
		d->uid = uid;
		d->gid = gid;
	}
	return 0;
}

static int check_sysctl(const struct spec *s, husk_error **err)
{
	if (s->sysctl == NULL)
		return 0;
	json_object_object_foreach(s->sysctl, key, val)
	{
		if (!json_is_string(val))
			return husk_fail(err, 0, "config.json: linux.sysctl.%s: must be a string", key);
		if (json_string_has_nul(val))
			return husk_fail(err, 0, "config.json: linux.sysctl.%s: " NUL_REFUSED, key);
	}
	return 0;
}

static int parse_time_offsets(json_object *lx, struct spec *s, husk_error **err)
{
	static const char *const clocks[CLOCK_OFFSET_COUNT] = { "monotonic", "boottime" };
	json_object *offsets = NULL;
	int r = opt_object(lx, "linux", "timeOffsets", &offsets, err);
	if (r < 0 || offsets == NULL)
		return r;
	for (int c = 0; c < CLOCK_OFFSET_COUNT; c++) {
		json_object *o = NULL;
		char f[FIELD_MAX];
		field_key(f, "linux.timeOffsets", clocks[c]);
		if ((r = opt_object(offsets, "linux.timeOffsets", clocks[c], &o, err)) < 0)
			return r;
		if (o == NULL)
			continue;
		int64_t secs = 0, nsecs = 0;
		if ((r = opt_int(o, f, "secs", INT64_MIN, INT64_MAX, &secs, NULL, err)) < 0 ||
		    (r = opt_int(o, f, "nanosecs", 0, 999999999, &nsecs, NULL, err)) < 0)
			return r;
		s->time_offsets[c] = (struct spec_time_offset) { true, secs, (uint32_t) nsecs };
	}
	return 0;
}

static int parse_linux(json_object *doc, struct spec *s, husk_error **err)
{
	json_object *lx = NULL;
	int r = opt_object(doc, "", "linux", &lx, err);
	if (r < 0 || lx == NULL)
		return r;
	if ((r = parse_namespaces(lx, s, err)) < 0 ||
	    (r = parse_id_mappings(lx, "linux", "uidMappings", &s->uid_mappings, &s->n_uid_mappings, err)) < 0 ||
	    (r = parse_id_mappings(lx, "linux", "gidMappings", &s->gid_mappings, &s->n_gid_mappings, err)) < 0 ||
	    (r = parse_devices(lx, s, err)) < 0 ||
	    (r = opt_strings(lx, "linux", "maskedPaths", &s->masked_paths, err)) < 0 ||
	    (r = opt_strings(lx, "linux", "readonlyPaths", &s->readonly_paths, err)) < 0 ||
	    (r = opt_string(lx, "linux", "rootfsPropagation", &s->rootfs_propagation, err)) < 0 ||
	    (r = opt_string(lx, "linux", "cgroupsPath", &s->cgroups_path, err)) < 0 ||
	    (r = opt_string(lx, "linux", "mountLabel", &s->mount_label, err)) < 0 ||
	    (r = opt_object(lx, "linux", "sysctl", &s->sysctl, err)) < 0 || (r = check_sysctl(s, err)) < 0 ||
	    (r = opt_object(lx, "linux", "resources", &s->resources, err)) < 0 ||
	    (r = opt_object(lx, "linux", "seccomp", &s->seccomp, err)) < 0 ||
	    (r = parse_time_offsets(lx, s, err)) < 0)
		return r;
	json_object *pers = NULL;
	if ((r = opt_object(lx, "linux", "personality", &pers, err)) < 0)
		return r;
	if (pers && (r = opt_string(pers, "linux.personality", "domain", &s->personality_domain, err)) < 0)
		return r;
	return 0;
}

int spec_parse(const char *text, size_t len, struct spec **ret, husk_error **err)
{
	json_object *doc = NULL;
	int r = json_parse_text(text, len, &doc, err);
	if (r < 0)
		return husk_wrap(err, "config.json");
	cleanup_spec struct spec *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		json_object_put(doc);
		return husk_fail(err, ENOMEM, "config.json");
	}
	s->json = doc;
	if (!json_is_object(doc))
		return husk_fail(err, 0, "config.json: must be a JSON object");

	json_object *root = NULL;
	if ((r = opt_string(doc, "", "ociVersion", &s->oci_version, err)) < 0 ||
	    (r = opt_object(doc, "", "root", &root, err)) < 0 ||
	    (r = opt_string(doc, "", "hostname", &s->hostname, err)) < 0 ||
	    (r = opt_string(doc, "", "domainname", &s->domainname, err)) < 0 ||
	    (r = opt_object(doc, "", "annotations", &s->annotations, err)) < 0)
		return r;
	if (root && ((r = opt_string(root, "root", "path", &s->root_path, err)) < 0 ||
		     (r = opt_bool(root, "root", "readonly", &s->root_readonly, err)) < 0))
		return r;
	if (s->annotations) {
		json_object_object_foreach(s->annotations, key, val)
		{
			if (!json_is_string(val))
				return husk_fail(err, 0, "config.json: annotations.%s: must be a string", key);
			if (json_string_has_nul(val))
				return husk_fail(err, 0, "config.json: annotations.%s: " NUL_REFUSED, key);
		}
	}
	if ((r = parse_process(doc, s, err)) < 0 || (r = parse_mounts(doc, s, err)) < 0 ||
	    (r = parse_hooks(doc, s, err)) < 0 || (r = parse_linux(doc, s, err)) < 0 ||
	    (r = spec_parse_v13(doc, s, err)) < 0)
		return r;
	/* The named fields are checked above; this finds the rest (keys, and
	 * strings husk reads later such as resources or seccomp). */
	if (json_text_has_nul(text, len))
		return husk_fail(err, 0, "config.json: a key or a string " NUL_REFUSED);
	*ret = steal_ptr(s);
	return 0;
}

int spec_load(int bundle_fd, struct spec **ret, char **ret_text, size_t *ret_len,
	      husk_error **err)
{
	cleanup_free char *text = NULL;
	size_t len;
	struct spec *s = NULL;
	int r = read_file_at(bundle_fd, "config.json", &text, &len, err);
	if (r < 0)
		return r;
	if ((r = spec_parse(text, len, &s, err)) < 0)
		return r;
	if ((r = spec_validate(s, err)) < 0) {
		spec_free(s);
		return r;
	}
	*ret = s;
	if (ret_text) {
		*ret_text = steal_ptr(text);
		*ret_len = len;
	}
	return 0;
}

void spec_free(struct spec *s)
{
	if (s == NULL)
		return;
	struct spec_process *p = &s->process;
	free(p->args);
	free(p->env);
	free(p->additional_gids);
	free(p->rlimits);
	for (int i = 0; i < CAP_SET_COUNT; i++)
		free(p->capabilities[i]);
	for (size_t i = 0; i < s->n_mounts; i++) {
		free(s->mounts[i].options);
		free(s->mounts[i].uid_mappings);
		free(s->mounts[i].gid_mappings);
	}
	free(s->mounts);
	for (int st = 0; st < HOOK_STAGE_COUNT; st++) {
		for (size_t i = 0; i < s->hooks[st].n; i++) {
			free(s->hooks[st].hooks[i].args);
			free(s->hooks[st].hooks[i].env);
		}
		free(s->hooks[st].hooks);
	}
	free(s->uid_mappings);
	free(s->gid_mappings);
	free(s->devices);
	free(s->masked_paths);
	free(s->readonly_paths);
	free(s->net_devices);
	json_object_put(s->json);
	free(s);
}

void spec_freep(struct spec **s)
{
	spec_free(*s);
	*s = NULL;
}
