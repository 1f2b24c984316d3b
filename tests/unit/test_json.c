/* json_parse_text(), the one JSON reader of husk (config.json and
 * state.json go through it), and state_timestamp(), the "created" time
 * written to state.json. */
#include <regex.h>
#include <string.h>
#include <time.h>

#include "state/state.h"
#include "util/json.h"
#include "tap.h"

/* Parses len bytes of text; returns the value or NULL, *msg the error. */
static json_object *parse_n(const char *text, size_t len, char **msg)
{
	json_object *v = NULL;
	husk_error *err = NULL;
	int r = json_parse_text(text, len, &v, &err);
	*msg = NULL;
	if (r < 0) {
		*msg = strdup(err && err->msg ? err->msg : "(no message)");
		json_object_put(v);
		v = NULL;
	} else if (err != NULL) {
		*msg = strdup("success returned with an error set");
	}
	husk_error_free(err);
	return v;
}

static void parses(const char *text, const char *want, const char *name)
{
	char *msg;
	json_object *v = parse_n(text, strlen(text), &msg);
	if (ok(v != NULL, "parses %s", name))
		is_str(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN), want, "%s: value", name);
	else
		diag("error: %s", msg ? msg : "(none)");
	json_object_put(v);
	free(msg);
}

/* text of len bytes must fail; where ("line L, column C") when given. */
static void fails_n(const char *text, size_t len, const char *where, const char *name)
{
	char *msg;
	json_object *v = parse_n(text, len, &msg);
	if (!ok(v == NULL && msg != NULL, "refuses %s", name))
		diag("parsed as %s", v ? json_object_to_json_string(v) : "(nothing)");
	like(msg, where ? where : "line ", "%s: the error says where", name);
	json_object_put(v);
	free(msg);
}

static void fails(const char *text, const char *where, const char *name)
{
	fails_n(text, strlen(text), where, name);
}

static void test_success(void)
{
	parses("{}", "{}", "an empty object");
	parses("{\"a\":[1,2,{\"b\":null}],\"c\":\"x\",\"d\":true,\"e\":-1.5}",
	       "{\"a\":[1,2,{\"b\":null}],\"c\":\"x\",\"d\":true,\"e\":-1.5}", "a nested document");
	parses(" \n\t{ \"a\" : 1 }\r\n \n", "{\"a\":1}", "white space around the value");
	parses("[1,2]", "[1,2]", "a top-level array");
	parses("\"x\"", "\"x\"", "a top-level string");
	parses("{\"s\":\"\\u00e4\\n\\\"\"}", "{\"s\":\"\xc3\xa4\\n\\\"\"}", "string escapes");
	parses("{\"n\":18446744073709551615}", "{\"n\":18446744073709551615}", "UINT64_MAX");
	/* RFC 8259: a JSON text is any value, numbers and literals included. */
	parses("42", "42", "a top-level number");
	parses("true", "true", "a top-level literal");

	char *msg;
	json_object *v = parse_n("{\"a\":1}xyz", 7, &msg);
	ok(v != NULL, "only len bytes are read (garbage after len is ignored)");
	json_object_put(v);
	free(msg);
}

static void test_errors(void)
{
	fails("", "line 1, column 1", "empty input");
	fails("   \n  ", "line 2", "only white space");
	fails("{", "line 1, column 2", "an unterminated object");
	fails("{\"a\":1,}", "line 1, column 8", "a trailing comma");
	fails("{\n  \"a\": ,\n}", "line 2, column 8", "a missing value (error on line 2)");
	fails("{\n\"a\":\n1\n", "line 4, column 1", "end of data inside an object");
	fails("{\"a\" 1}", NULL, "a missing colon");
	fails("nul", NULL, "a truncated literal");
	fails("{\"a\":01}", NULL, "a number with a leading zero");
	fails("{\"a\":\"\\x\"}", NULL, "an invalid escape");
	fails("{/* c */}", NULL, "a comment");
	/* json-c 0.16 accepts NaN and single-quoted keys even in strict mode:
	 * a known leniency of the library husk uses, not asserted here. */
	fails("{\"a\":'b'}", NULL, "a single-quoted string");
}

static void test_trailing(void)
{
	fails("{\"a\":1}x", "line 1, column 8", "garbage after the value");
	fails("{} {}", "line 1, column 4", "two values");
	fails("[1] 2", NULL, "an array followed by a number");
	fails("{}\n\n]", "line 3, column 1", "garbage on a later line");
	fails_n("{\"a\":1}\0\0", 9, NULL, "NUL bytes after the value");
}

/* A NUL byte then garbage: the path where json-c stops at the NUL and
 * json_parse_text finds garbage itself.  Its own group, since a memory bug
 * there crashes. */
static void test_nul_then_garbage(void)
{
	fails_n("{}\0x", 4, "line 1, column", "a NUL byte followed by garbage");
	fails_n("{\"a\":[1]}\0\0junk", 15, NULL, "NUL bytes followed by garbage");
}

static void test_timestamp(void)
{
	regex_t re;
	int rc = regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,8}[1-9])?Z$",
			 REG_EXTENDED | REG_NOSUB);
	if (!ok(rc == 0, "timestamp regex compiles"))
		return;

	time_t before = time(NULL);
	char *ts = state_timestamp();
	time_t after = time(NULL);
	if (ok(ts != NULL, "state_timestamp returns a string")) {
		if (!ok(regexec(&re, ts, 0, NULL, 0) == 0, "state_timestamp is YYYY-MM-DDTHH:MM:SS[.frac]Z"))
			diag("got \"%s\"", ts);
		struct tm tm = { 0 };
		char *end = strptime(ts, "%Y-%m-%dT%H:%M:%S", &tm);
		time_t t = end ? timegm(&tm) : (time_t) -1;
		if (!ok(t >= before && t <= after, "state_timestamp is the current time in UTC"))
			diag("got \"%s\" (%lld), expected between %lld and %lld", ts, (long long) t,
			     (long long) before, (long long) after);
	}
	free(ts);

	/* Many calls, to meet fractions with trailing zeros. */
	int bad = 0, n = 20000;
	char *first_bad = NULL;
	for (int i = 0; i < n; i++) {
		ts = state_timestamp();
		if (ts == NULL || regexec(&re, ts, 0, NULL, 0) != 0) {
			if (!bad++)
				first_bad = ts ? strdup(ts) : NULL;
		}
		free(ts);
	}
	if (!ok(bad == 0, "%d timestamps in a row all match the format", n))
		diag("%d bad, the first \"%s\"", bad, first_bad ? first_bad : "NULL");
	free(first_bad);
	regfree(&re);
}

int main(void)
{
	tap_init();
	tap_group(test_success);
	tap_group(test_errors);
	tap_group(test_trailing);
	tap_group(test_nul_then_garbage);
	tap_group(test_timestamp);
	return tap_done();
}
