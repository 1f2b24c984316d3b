/* A tiny TAP producer for husk's unit tests: no framework, one header.
 *
 *   ok(cond, "name %d", i)            ok N - name / not ok N - name
 *   is_int(got, want, "name")         integers, diagnostic shows both
 *   is_str(got, want, "name")         strings (NULL-safe)
 *   like(str, "needle", "name")       str contains needle (NULL-safe)
 *   diag("...")                       "# ..." line
 *   tap_group(fn)                     runs fn() in a child process, so that a
 *                                     crash (a bug in husk) becomes a failing
 *                                     test instead of ending the whole run
 *   return tap_done();                prints "1..N"; exit status 1 on failure
 *
 * Every line is flushed as soon as it is printed: the counters live in
 * shared memory, and a child that crashes must not lose lines that were
 * already counted. */
#ifndef HUSK_TESTS_TAP_H
#define HUSK_TESTS_TAP_H

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

struct tap_counters {
	int run;
	int failed;
};

static struct tap_counters tap_local;
static struct tap_counters *tap_c = &tap_local;

/* Counters shared with the children of tap_group(). */
static inline void tap_init(void)
{
	void *m = mmap(NULL, sizeof(*tap_c), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m != MAP_FAILED) {
		tap_c = m;
		*tap_c = tap_local;
	}
}

static inline void tap_vdiag(const char *fmt, va_list ap)
{
	char buf[4096];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	/* One "# " per line, so multi-line messages stay TAP comments. */
	for (char *line = buf, *nl; line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		printf("# %s\n", line);
	}
	fflush(stdout);
}

static inline void __attribute__((format(printf, 1, 2))) diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tap_vdiag(fmt, ap);
	va_end(ap);
}

static inline int tap_vok(int pass, const char *file, int line, const char *expr, const char *fmt,
			  va_list ap)
{
	char name[1024];
	vsnprintf(name, sizeof(name), fmt, ap);
	int n = ++tap_c->run;
	if (!pass)
		tap_c->failed++;
	printf("%sok %d - %s\n", pass ? "" : "not ", n, name);
	if (!pass)
		printf("#   failed at %s:%d: %s\n", file, line, expr);
	fflush(stdout);
	return pass;
}

static inline int __attribute__((format(printf, 5, 6)))
tap_ok(int pass, const char *file, int line, const char *expr, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = tap_vok(pass, file, line, expr, fmt, ap);
	va_end(ap);
	return r;
}

static inline int __attribute__((format(printf, 6, 7)))
tap_is_int(long long got, long long want, const char *file, int line, const char *expr,
	   const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = tap_vok(got == want, file, line, expr, fmt, ap);
	va_end(ap);
	if (!r)
		diag("       got: %lld\n  expected: %lld", got, want);
	return r;
}

static inline int __attribute__((format(printf, 6, 7)))
tap_is_uint(unsigned long long got, unsigned long long want, const char *file, int line,
	    const char *expr, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = tap_vok(got == want, file, line, expr, fmt, ap);
	va_end(ap);
	if (!r)
		diag("       got: %llu (%#llx)\n  expected: %llu (%#llx)", got, got, want, want);
	return r;
}

static inline int __attribute__((format(printf, 6, 7)))
tap_is_str(const char *got, const char *want, const char *file, int line, const char *expr,
	   const char *fmt, ...)
{
	int pass = (got == NULL && want == NULL) || (got && want && strcmp(got, want) == 0);
	va_list ap;
	va_start(ap, fmt);
	int r = tap_vok(pass, file, line, expr, fmt, ap);
	va_end(ap);
	if (!r)
		diag("       got: %s%s%s\n  expected: %s%s%s", got ? "\"" : "", got ? got : "NULL",
		     got ? "\"" : "", want ? "\"" : "", want ? want : "NULL", want ? "\"" : "");
	return r;
}

static inline int __attribute__((format(printf, 6, 7)))
tap_like(const char *got, const char *needle, const char *file, int line, const char *expr,
	 const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = tap_vok(got != NULL && strstr(got, needle) != NULL, file, line, expr, fmt, ap);
	va_end(ap);
	if (!r)
		diag("       got: %s%s%s\n  expected to contain: \"%s\"", got ? "\"" : "",
		     got ? got : "NULL", got ? "\"" : "", needle);
	return r;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, #cond, __VA_ARGS__)
#define is_int(got, want, ...) \
	tap_is_int((long long) (got), (long long) (want), __FILE__, __LINE__, #got " == " #want, __VA_ARGS__)
#define is_uint(got, want, ...)                                                                  \
	tap_is_uint((unsigned long long) (got), (unsigned long long) (want), __FILE__, __LINE__, \
		    #got " == " #want, __VA_ARGS__)
#define is_str(got, want, ...) tap_is_str((got), (want), __FILE__, __LINE__, #got " == " #want, __VA_ARGS__)
#define like(got, needle, ...) \
	tap_like((got), (needle), __FILE__, __LINE__, #got " contains " #needle, __VA_ARGS__)

/* Runs fn in a child.  A child killed by a signal (or exiting non-zero)
 * adds one failing test naming the group; a hang is cut by alarm(). */
static inline void tap_run_group(const char *name, void (*fn)(void))
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		diag("fork: %s; running %s in-process", strerror(errno), name);
		fn();
		return;
	}
	if (pid == 0) {
		alarm(30);
		fn();
		fflush(stdout);
		_exit(0);
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			status = -1;
			break;
		}
	if (status == -1) {
		tap_ok(0, __FILE__, __LINE__, name, "%s: waitpid failed", name);
	} else if (WIFSIGNALED(status)) {
		tap_ok(0, __FILE__, __LINE__, name, "%s: crashed", name);
		diag("the child running %s was killed by signal %d (%s); the tests after the last line above did not run",
		     name, WTERMSIG(status), strsignal(WTERMSIG(status)));
	} else if (WEXITSTATUS(status) != 0) {
		tap_ok(0, __FILE__, __LINE__, name, "%s: exited with status %d", name, WEXITSTATUS(status));
	}
}

#define tap_group(fn) tap_run_group(#fn, fn)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_c->run);
	if (tap_c->failed)
		printf("# failed %d of %d tests\n", tap_c->failed, tap_c->run);
	fflush(stdout);
	return tap_c->failed ? 1 : 0;
}

#endif
