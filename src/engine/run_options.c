/* --restart and --log-opt of create/run: checked at create, kept in
 * meta.json ("restartPolicy", "logConfig") for the shim of every start. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/internal.h"
#include "util/json.h"

static int parse_restart(const char *s, json_object *meta, husk_error **err)
{
	const char *name = s ? s : "no";
	long max = 0;
	char base[16];
	const char *colon = strchr(name, ':');
	size_t n = colon ? (size_t) (colon - name) : strlen(name);
	if (n >= sizeof(base))
		goto bad;
	memcpy(base, name, n);
	base[n] = '\0';
	if (strcmp(base, "no") && strcmp(base, "on-failure") && strcmp(base, "always"))
		goto bad;
	if (colon) {
		char *end;
		errno = 0;
		max = strtol(colon + 1, &end, 10);
		if (strcmp(base, "on-failure") || errno || *end || end == colon + 1 || max < 0 ||
		    max > 1000000)
			goto bad;
	}
	json_object *p = json_object_new_object();
	json_object_object_add(p, "Name", json_object_new_string(base));
	json_object_object_add(p, "MaximumRetryCount", json_object_new_int(max));
	json_object_object_add(meta, "restartPolicy", p);
	return 0;
bad:
	return husk_fail(err, EINVAL, "--restart %s: expects no, on-failure[:N] or always", name);
}

/* 10, 10k, 10m, 10g (docker's units: k = 1024). */
static int parse_size(const char *v, int64_t *ret)
{
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (errno || end == v || n <= 0)
		return -1;
	int shift = 0;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	default: return -1;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end || n > (INT64_MAX >> shift))
		return -1;
	*ret = (int64_t) n << shift;
	return 0;
}

static int parse_log_opts(char **opts, json_object *meta, husk_error **err)
{
	int64_t max_size = 0;
	long max_file = 1;
	const char *path = NULL;
	for (char **o = opts; o && *o; o++) {
		const char *v = strchr(*o, '=');
		if (!v)
			return husk_fail(err, EINVAL, "--log-opt %s: expects KEY=VALUE", *o);
		v++;
		char *end;
		if (!strncmp(*o, "max-size=", 9)) {
			if (parse_size(v, &max_size) < 0)
				return husk_fail(err, EINVAL, "--log-opt %s: expects a size (10k, 5m, 1g)", *o);
		} else if (!strncmp(*o, "max-file=", 9)) {
			errno = 0;
			max_file = strtol(v, &end, 10);
			if (errno || *end || end == v || max_file < 1 || max_file > 1000)
				return husk_fail(err, EINVAL, "--log-opt %s: expects a count from 1 to 1000", *o);
		} else if (!strncmp(*o, "path=", 5)) {
			if (v[0] != '/')
				return husk_fail(err, EINVAL, "--log-opt %s: expects an absolute path", *o);
			path = v;
		} else {
			return husk_fail(err, EINVAL, "--log-opt %s: expects max-size=, max-file= or path=", *o);
		}
	}
	json_object *l = json_object_new_object();
	json_object_object_add(l, "maxSize", json_object_new_int64(max_size));
	json_object_object_add(l, "maxFile", json_object_new_int(max_file));
	if (path)
		json_object_object_add(l, "path", json_object_new_string(path));
	json_object_object_add(meta, "logConfig", l);
	return 0;
}

int run_options_apply(json_object *meta, const struct engine_flags *f, husk_error **err)
{
	if (parse_restart(f->restart, meta, err) < 0 || parse_log_opts(f->log_opts, meta, err) < 0)
		return -1;
	/* docker's rule: a container removed at its exit cannot be started
	 * again by a policy. */
	const char *policy = json_object_get_string(json_member(json_member(meta, "restartPolicy"),
								"Name"));
	if (f->rm && policy && strcmp(policy, "no"))
		return husk_fail(err, 0, "--rm with --restart %s: conflicting options (a container "
				 "removed when it exits is never restarted)", f->restart);
	return 0;
}
