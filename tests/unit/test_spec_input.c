/* Hostile config.json input: the crashes, the quadratic costs and the
 * silent truncations that spec_parse() must refuse or survive.  Every
 * group runs in a child (tap_group), under an alarm: a crash or a hang is
 * a failing test, not the end of the run. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "spec/spec.h"
#include "tap.h"

/* The smallest config that validates, with `process` spliced in. */
static char *config_with_process(const char *process)
{
	char *out = NULL;
	if (asprintf(&out,
		     "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"},"
		     " \"process\": {\"cwd\": \"/\", %s},"
		     " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}]}}",
		     process) < 0)
		abort();
	return out;
}

/* Parses text; the error message (caller frees) or NULL when it parsed. */
static char *parse_error(const char *text, size_t len, struct spec **ret)
{
	husk_error *err = NULL;
	struct spec *s = NULL;
	char *msg = NULL;
	if (spec_parse(text, len, &s, &err) < 0)
		msg = strdup(err && err->msg ? err->msg : "(no message)");
	husk_error_free(err);
	if (ret)
		*ret = s;
	else
		spec_free(s);
	return msg;
}

static void refused(const char *process, const char *needle, const char *name)
{
	char *text = config_with_process(process);
	char *msg = parse_error(text, strlen(text), NULL);
	if (!ok(msg != NULL, "%s is refused", name))
		diag("config: %s", text);
	like(msg, needle, "%s: the error names %s", name, needle);
	free(msg);
	free(text);
}

/* issue 12: an unknown flag made the error message read the freed array. */
static void test_scheduler_flags(void)
{
	alarm(10);
	refused("\"args\": [\"sh\"], \"scheduler\": {\"policy\": \"SCHED_OTHER\", \"flags\": [\"X\"]}",
		"flags[0]: unknown flag X", "an unknown scheduler flag");
	refused("\"args\": [\"sh\"], \"scheduler\": {\"policy\": \"SCHED_BATCH\","
		" \"flags\": [\"SCHED_FLAG_RECLAIM\", \"NOPE\"]}",
		"flags[1]: unknown flag NOPE", "an unknown scheduler flag after a good one");
	refused("\"args\": [\"sh\"], \"scheduler\": {\"policy\": \"SCHED_OTHER\", \"flags\": [\"X\", 7]}",
		"flags[1]: must be a string", "a scheduler flag that is not a string");
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int env_is(const char **env, const char *const *want, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (env == NULL || env[i] == NULL || strcmp(env[i], want[i]) != 0) {
			diag("env[%zu] is %s, expected %s", i, env && env[i] ? env[i] : "NULL", want[i]);
			return 0;
		}
	return env[n] == NULL;
}

/* A variable given twice keeps its first place and takes its last value. */
static void test_env_dedupe(void)
{
	alarm(10);
	struct spec *s = NULL;
	char *text = config_with_process("\"args\": [\"sh\"], \"env\": [\"A=1\", \"B=2\", \"A=3\","
					 " \"C\", \"AB=5\", \"C=4\", \"B=\", \"=x\", \"=y\"]");
	char *msg = parse_error(text, strlen(text), &s);
	static const char *const want[] = { "A=3", "B=", "C=4", "AB=5", "=y" };
	ok(msg == NULL && s && env_is(s->process.env, want, 5), "duplicates: first place, last value");
	spec_free(s);
	free(msg);
	free(text);
}

/* issue 12: 200,000 variables took over 30 s (quadratic): now linear.  The
 * bound is generous for a loaded 2-core machine; it measures the parse. */
static void test_env_many(void)
{
	alarm(20);
	enum { N = 200000 };
	size_t cap = (size_t) N * 24 + 256, len = 0;
	char *env = malloc(cap);
	for (int i = 0; i < N; i++)
		len += snprintf(env + len, cap - len, "%s\"VAR_%d=%d\"", i ? ", " : "", i, i);
	/* The first variable again, at the end: its value changes in place. */
	len += snprintf(env + len, cap - len, ", \"VAR_0=last\"");
	char *args = NULL;
	if (asprintf(&args, "\"args\": [\"sh\"], \"env\": [%s]", env) < 0)
		abort();
	char *text = config_with_process(args);
	struct spec *s = NULL;
	double t0 = now();
	char *msg = parse_error(text, strlen(text), &s);
	double dt = now() - t0;
	size_t n = 0;
	while (s && s->process.env[n])
		n++;
	ok(msg == NULL && n == N, "200,000 variables parse (%zu kept)", n);
	is_str(s ? s->process.env[0] : NULL, "VAR_0=last", "the repeated one took its last value");
	is_str(s && n ? s->process.env[n - 1] : NULL, "VAR_199999=199999", "in their order");
	if (!ok(dt < 1.0, "in under a second"))
		diag("took %.3f s", dt);
	else
		diag("200,000 variables: %.3f s", dt);
	spec_free(s);
	free(msg);
	free(text);
	free(args);
	free(env);
}

/* A whole config text that must be refused with needle in the message. */
static void whole_refused(const char *text, const char *needle, const char *name)
{
	char *msg = parse_error(text, strlen(text), NULL);
	like(msg, needle, "%s is refused", name);
	free(msg);
}

/* issue 12: "\u0000" inside a string was cut there, silently. */
static void test_nul_bytes(void)
{
	alarm(10);
	refused("\"args\": [\"echo\", \"a\\u0000b\"]", "process.args[1]", "a NUL byte in an argument");
	refused("\"args\": [\"sh\"], \"env\": [\"A=1\\u0000LD_PRELOAD=/x\"]", "process.env[0]",
		"a NUL byte in an environment variable");
	refused("\"args\": [\"sh\"], \"env\": [\"A=1\"], \"apparmorProfile\": \"p\\u0000q\"",
		"process.apparmorProfile", "a NUL byte in a string field");
	whole_refused("{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"r\"},"
		      " \"hooks\": {\"prestart\": [{\"path\": \"/bin/true\\u0000x\"}]}}",
		      "hooks.prestart[0].path", "a NUL byte in a hook path");
	whole_refused("{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"r\"},"
		      " \"annotations\": {\"a\": \"b\\u0000c\"}}",
		      "annotations.a", "a NUL byte in an annotation");
	whole_refused("{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"r\"},"
		      " \"linux\": {\"sysctl\": {\"net.ipv4.ip_forward\\u0000x\": \"1\"}}}",
		      "a key or a string must not contain a NUL byte", "a NUL byte in a key");
	char *msg = NULL;
	static const char lit[] = "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"r\"},"
				  " \"annotations\": {\"a\": \"\\\\u0000\", \"b\": \"\\\\\\u00e9\"}}";
	msg = parse_error(lit, strlen(lit), NULL);
	if (!ok(msg == NULL, "an escaped backslash before u0000 is no NUL byte"))
		diag("%s: %s", lit, msg);
	free(msg);
	static const char ok_text[] = "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"r\"},"
				      " \"process\": {\"args\": [\"echo\", \"\\u00e9\"], \"cwd\": \"/\"}}";
	msg = parse_error(ok_text, strlen(ok_text), NULL);
	ok(msg == NULL, "other escapes still parse");
	free(msg);
}

int main(void)
{
	tap_init();
	tap_group(test_scheduler_flags);
	tap_group(test_env_dedupe);
	tap_group(test_env_many);
	tap_group(test_nul_bytes);
	return tap_done();
}
