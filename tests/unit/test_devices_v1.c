/* devices_v1.c: the kernel's model of a v1 devices cgroup, read from
 * devices.list and emulated from rules, and the writes from one to the
 * other (runc's minimal transitions). */
#include <string.h>

#include "cgroup/devices_v1.h"
#include "tap.h"

struct writes {
	char text[2048];
};

static int record(const char *file, const char *line, void *ctx)
{
	struct writes *w = ctx;
	size_t n = strlen(w->text);
	snprintf(w->text + n, sizeof(w->text) - n, "%s%s %s", n ? "; " : "",
		 strcmp(file, "devices.allow") == 0 ? "allow" : "deny", line);
	return 0;
}

#define R(t, maj, min, acc, al) { (t), (maj), (min), (acc), (al) }

/* The writes from the devices.list text cur to rules. */
static void transition(const char *cur, const struct device_rule *rules, size_t n, const char *want,
		       const char *name)
{
	struct devices_v1_state c, t;
	husk_error *err = NULL;
	struct writes w = { "" };
	int r = devices_v1_parse_list(cur, &c, &err);
	if (r >= 0)
		r = devices_v1_emulate(rules, n, &t, &err);
	if (r >= 0) {
		devices_v1_transition(&c, &t, record, &w);
		devices_v1_state_free(&c);
		devices_v1_state_free(&t);
	}
	is_str(w.text, want, "%s", name);
	husk_error_free(err);
}

static void test_transitions(void)
{
	const struct device_rule keep[] = {
		R('a', -1, -1, DEVICE_RWM, false), R('c', 1, 3, DEVICE_RWM, true), R('c', 1, 5, DEVICE_RWM, true),
	};
	transition("c 1:3 rwm\nc 1:5 rwm\n", keep, 3, "", "the same rules: nothing written");
	transition("c 1:3 rwm\nc 1:5 rwm\nc 10:200 rw\n", keep, 3, "deny c 10:200 rw",
		   "a device dropped: only its deny, null and zero are never touched");
	const struct device_rule more[] = {
		R('a', -1, -1, DEVICE_RWM, false), R('c', 1, 3, DEVICE_RWM, true), R('c', 10, 200, DEVICE_READ, true),
		R('c', 10, 200, DEVICE_WRITE, true), R('b', 7, -1, DEVICE_MKNOD, true),
	};
	transition("c 1:3 rwm\nc 10:200 r\nc 1:5 rwm\n", more, 5, "allow c 10:200 w; allow b 7:* m; deny c 1:5 rwm",
		   "additions first, then removals; access bits merged");
	const struct device_rule partial[] = {
		R('a', -1, -1, DEVICE_RWM, false), R('c', 10, 200, DEVICE_RWM, true), R('c', 10, 200, DEVICE_WRITE, false),
		R('c', -1, -1, DEVICE_MKNOD, false),
	};
	transition("c 10:200 rwm\n", partial, 4, "deny c 10:200 w",
		   "a later deny clears bits of the same device; a wildcard deny touches no single device");
	transition("a *:* rwm\n", keep, 3, "deny a; allow c 1:3 rwm; allow c 1:5 rwm",
		   "from allow-all: the default, then every exception");
	const struct device_rule all[] = { R('a', -1, -1, DEVICE_RWM, true), R('c', 1, 9, DEVICE_WRITE, false) };
	transition("c 1:3 rwm\n", all, 2, "allow a; deny c 1:9 w", "to allow-all: the default, then the denies");
	transition("a *:* rwm\n", all, 2, "allow a; deny c 1:9 w",
		   "allow-all to allow-all: its exceptions are not listed, so all are written again");
	const struct device_rule none[] = { R('c', 1, 3, DEVICE_RWM, true) };
	transition("a *:* rwm\n", none, 1, "deny a; allow c 1:3 rwm", "rules without \"a\" start from deny-all, as v2's filter");
}

static void test_list(void)
{
	struct devices_v1_state st;
	husk_error *err = NULL;
	ok(devices_v1_parse_list("c 1:3 rwm\nb *:* m\nc 136:* rw\n", &st, &err) == 0 && !st.allow_all && st.n == 3 &&
		   st.ex[1].type == 'b' && st.ex[1].major == -1 && st.ex[1].access == DEVICE_MKNOD &&
		   st.ex[2].minor == -1 && st.ex[2].access == (DEVICE_READ | DEVICE_WRITE),
	   "devices.list read, wildcards as -1");
	devices_v1_state_free(&st);
	ok(devices_v1_parse_list("", &st, &err) == 0 && !st.allow_all && st.n == 0, "an empty list: deny all");
	ok(devices_v1_parse_list("c 1:x rwm\n", &st, &err) < 0 && err && strstr(err->msg, "devices.list"),
	   "a line husk cannot read is an error");
	husk_error_free(err);
}

int main(void)
{
	tap_init();
	tap_group(test_transitions);
	tap_group(test_list);
	return tap_done();
}
