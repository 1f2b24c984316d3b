/* The steps of docker's own image config (not in the OCI image spec, read
 * by docker and podman): HEALTHCHECK, stored as config.Healthcheck as
 * docker does ({"Test": ["CMD", ...] | ["CMD-SHELL", "..."] | ["NONE"],
 * "Interval", "Timeout", "StartPeriod", "StartInterval": nanoseconds,
 * "Retries"}), and ONBUILD, whose triggers go to config.OnBuild and run
 * right after the FROM of a build that starts from the image. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/build_internal.h"
#include "util/json.h"

/* A Go duration as docker's flags take it: "90s", "1m30s", "1.5h", "250ms". */
static int duration_ns(const char *s, int64_t *ret)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = { { "ns", 1 }, { "us", 1e3 }, { "µs", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
		      { "m", 60e9 }, { "h", 3600e9 } };
	double total = 0;
	if (!*s)
		return -1;
	if (strcmp(s, "0") == 0) {
		*ret = 0;
		return 0;
	}
	while (*s) {
		char *end;
		if (!((*s >= '0' && *s <= '9') || *s == '.'))
			return -1;
		double v = strtod(s, &end);
		if (end == s)
			return -1;
		size_t best = 0, k = sizeof(units) / sizeof(units[0]);
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t n = strlen(units[i].unit);
			if (strncmp(end, units[i].unit, n) == 0 && n > best) {
				best = n;
				k = i;
			}
		}
		if (k == sizeof(units) / sizeof(units[0]))
			return -1;
		total += v * units[k].ns;
		s = end + best;
	}
	if (total > 9.2e18)
		return -1;
	*ret = (int64_t) total;
	return 0;
}

int step_healthcheck(struct build *b, const struct instr *in, struct bstate *st, husk_error **err)
{
	json_object *sec = bstate_section(st), *hc = json_object_new_object(), *test = json_object_new_array();
	json_object_object_add(hc, "Test", test);
	json_object_object_add(sec, "Healthcheck", hc);
	if (strcmp(in->sub, "NONE") == 0) {
		json_object_array_add(test, json_object_new_string("NONE"));
		return 0;
	}
	json_object_array_add(test, json_object_new_string(in->exec_form ? "CMD" : "CMD-SHELL"));
	if (in->exec_form)
		for (char **p = in->args; *p; p++)
			json_object_array_add(test, json_object_new_string(*p));
	else
		json_object_array_add(test, json_object_new_string(in->rest));
	static const struct {
		const char *flag, *key;
	} times[] = { { "interval", "Interval" }, { "timeout", "Timeout" },
		      { "start-period", "StartPeriod" }, { "start-interval", "StartInterval" } };
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		const char *v = instr_flag(in, times[i].flag);
		int64_t ns;
		if (!v)
			continue;
		if (duration_ns(v, &ns) < 0)
			return husk_fail(err, 0, "%s:%d: HEALTHCHECK --%s=%s: not a duration (30s, 1m30s, 500ms)",
					 b->cf.path, in->line, times[i].flag, v);
		/* docker's floor: a probe more often than every 1 ms is a mistake */
		if (ns != 0 && ns < 1000000)
			return husk_fail(err, 0, "%s:%d: HEALTHCHECK --%s=%s: less than 1ms", b->cf.path,
					 in->line, times[i].flag, v);
		if (ns)
			json_object_object_add(hc, times[i].key, json_object_new_int64(ns));
	}
	const char *retries = instr_flag(in, "retries");
	if (retries) {
		char *end;
		errno = 0;
		long n = strtol(retries, &end, 10);
		if (errno || !*retries || *end || n < 0 || n > 1000000)
			return husk_fail(err, 0, "%s:%d: HEALTHCHECK --retries=%s: not a count", b->cf.path,
					 in->line, retries);
		if (n)
			json_object_object_add(hc, "Retries", json_object_new_int((int) n));
	}
	return 0;
}

int step_onbuild(struct build *b, const struct instr *in, struct bstate *st, husk_error **err)
{
	(void) b;
	(void) err;
	json_object *sec = bstate_section(st), *ob = json_member(sec, "OnBuild");
	if (!ob || !json_is_array(ob)) {
		ob = json_object_new_array();
		json_object_object_add(sec, "OnBuild", ob);
	}
	json_object_array_add(ob, json_object_new_string(in->rest));
	return 0;
}

int step_triggers(struct build *b, struct bstate *st, int line,
		  int (*run)(struct build *, const struct instr *, struct bstate *, husk_error **),
		  husk_error **err)
{
	json_object *sec = bstate_section(st), *ob = json_member(sec, "OnBuild");
	size_t n = ob && json_is_array(ob) ? json_object_array_length(ob) : 0;
	if (n == 0)
		return 0;
	/* The triggers are the base's: the new image does not pass them on. */
	ob = json_object_get(ob);
	json_object_object_del(sec, "OnBuild");
	b->n_steps += (int) n;
	if (b->out)
		fprintf(b->out, "--> %zu ONBUILD trigger%s of the base\n", n, n == 1 ? "" : "s");
	int r = 0;
	for (size_t i = 0; i < n && r >= 0; i++) {
		const char *text = json_object_get_string(json_object_array_get_idx(ob, i));
		struct instr *t = NULL;
		if ((r = instr_parse(text ? text : "", b->cf.path, line, &t, err)) < 0)
			husk_wrap(err, "ONBUILD trigger of the base");
		else if (t->kind == I_ONBUILD || t->kind == I_FROM || t->kind == I_MAINTAINER)
			r = husk_fail(err, 0, "%s:%d: the base's ONBUILD %s: cannot trigger %s", b->cf.path,
				      line, text, t->keyword);
		else
			r = run(b, t, st, err);
		instr_free(t);
	}
	json_object_put(ob);
	return r;
}
