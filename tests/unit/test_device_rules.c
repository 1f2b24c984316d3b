/* device_rules_parse(): linux.resources.devices read into the rule list
 * both cgroup drivers use (the config's rules, then the default devices),
 * and device_rule_text(), the form v1's devices.allow/deny take. */
#include <string.h>

#include "cgroup/device_rules.h"
#include "util/json.h"
#include "tap.h"

#define N_DEFAULTS 9

static struct device_rule *parse(const char *json, size_t *n, husk_error **err)
{
	json_object *list = NULL;
	struct device_rule *rules = NULL;
	*n = 0;
	if (json && json_parse_text(json, strlen(json), &list, err) < 0)
		return NULL;
	device_rules_parse(list, &rules, n, err);
	json_object_put(list);
	return rules;
}

/* Rule i of json, as text, is want. */
static void reads(const char *json, size_t i, const char *want, bool allow)
{
	husk_error *err = NULL;
	size_t n;
	struct device_rule *rules = parse(json, &n, &err);
	char text[96] = "";
	if (rules && i < n)
		device_rule_text(&rules[i], text, sizeof(text));
	if (!ok(rules && i < n && strcmp(text, want) == 0 && rules[i].allow == allow, "%s: rule %zu is %s %s",
		json, i, allow ? "allow" : "deny", want))
		diag("got \"%s\" (%zu rules), error %s", text, n, err ? err->msg : "none");
	free(rules);
	husk_error_free(err);
}

static void refuses(const char *json, const char *says)
{
	husk_error *err = NULL;
	size_t n;
	struct device_rule *rules = parse(json, &n, &err);
	ok(rules == NULL && err != NULL, "%s is refused", json);
	like(err ? err->msg : NULL, says, "the error says \"%s\"", says);
	free(rules);
	husk_error_free(err);
}

static void test_rules(void)
{
	reads("[{\"allow\": false, \"access\": \"rwm\"}]", 0, "a", false);
	reads("[{\"allow\": true, \"type\": \"a\", \"major\": 1, \"access\": \"r\"}]", 0, "a", true);
	reads("[{\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 3, \"access\": \"mwr\"}]", 0,
	      "c 1:3 rwm", true);
	reads("[{\"allow\": true, \"type\": \"b\", \"major\": 7, \"access\": \"r\"}]", 0, "b 7:* r", true);
	reads("[{\"allow\": false, \"type\": \"c\", \"major\": -1, \"minor\": 5, \"access\": \"w\"}]", 0,
	      "c *:5 w", false);
	/* no access: all of it, as runc reads it */
	reads("[{\"allow\": true, \"type\": \"c\", \"major\": 10, \"minor\": 200}]", 0, "c 10:200 rwm", true);
	reads("[{\"allow\": true, \"type\": \"c\", \"major\": 10, \"minor\": 200, \"access\": \"\"}]", 0,
	      "c 10:200 rwm", true);
	/* allow absent reads as false */
	reads("[{\"type\": \"c\", \"major\": 1, \"minor\": 1, \"access\": \"m\"}]", 0, "c 1:1 m", false);
}

static void test_defaults(void)
{
	/* after the config's rules, in order; alone without any */
	reads("[{\"allow\": false, \"access\": \"rwm\"}]", 1, "c 1:3 rwm", true);
	reads("[{\"allow\": false, \"access\": \"rwm\"}]", N_DEFAULTS, "c 136:* rwm", true);
	reads(NULL, 0, "c 1:3 rwm", true);
	reads("[]", N_DEFAULTS - 1, "c 136:* rwm", true);
	husk_error *err = NULL;
	size_t n;
	struct device_rule *rules = parse("[{\"allow\": true}, {\"allow\": false}]", &n, &err);
	is_int((int) n, 2 + N_DEFAULTS, "two rules and the defaults");
	free(rules);
	husk_error_free(err);
}

static void test_errors(void)
{
	refuses("[{\"allow\": true, \"type\": \"x\"}]", "devices[0].type");
	refuses("[{\"allow\": true}, {\"allow\": true, \"type\": \"p\"}]", "devices[1].type");
	refuses("[{\"allow\": true, \"type\": \"c\", \"access\": \"rx\"}]", "devices[0].access");
	refuses("[{\"allow\": \"yes\"}]", "devices[0].allow");
	refuses("[{\"allow\": true, \"type\": 1}]", "devices[0].type");
	refuses("[{\"allow\": true, \"type\": \"c\", \"major\": 4294967296}]", "out of range");
	refuses("[1]", "devices[0]");
	refuses("{}", "not an array");
}

int main(void)
{
	tap_init();
	tap_group(test_rules);
	tap_group(test_defaults);
	tap_group(test_errors);
	return tap_done();
}
