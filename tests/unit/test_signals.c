/* signal_parse(): the signal argument of `husk kill`, which accepts what
 * runc accepts: names with or without SIG, any case, numbers and the
 * real-time signals relative to RTMIN/RTMAX. */
#include <signal.h>

#include "util/signals.h"
#include "tap.h"

static void parses(const char *s, int want)
{
	husk_error *err = NULL;
	int sig = -1;
	int r = signal_parse(s, &sig, &err);
	if (!ok(r == 0 && sig == want, "\"%s\" is signal %d", s, want))
		diag("returned %d, signal %d, error %s", r, sig, err ? err->msg : "none");
	husk_error_free(err);
}

static void refuses(const char *s, const char *why)
{
	husk_error *err = NULL;
	int sig = -1;
	int r = signal_parse(s, &sig, &err);
	if (!ok(r < 0 && err != NULL, "\"%s\" is refused (%s)", s, why))
		diag("returned %d, signal %d", r, sig);
	like(err ? err->msg : NULL, s, "the error for \"%s\" quotes it", s);
	husk_error_free(err);
}

static void test_names(void)
{
	parses("KILL", SIGKILL);
	parses("SIGKILL", SIGKILL);
	parses("kill", SIGKILL);
	parses("sigkill", SIGKILL);
	parses("9", SIGKILL);
	parses("SIGTERM", SIGTERM);
	parses("TERM", SIGTERM);
	parses("HUP", SIGHUP);
	parses("SIGUSR1", SIGUSR1);
	parses("WINCH", SIGWINCH);
	parses("15", SIGTERM);
	parses("1", 1);
	parses("64", 64);
}

static void test_realtime(void)
{
	parses("RTMIN", SIGRTMIN);
	parses("SIGRTMIN", SIGRTMIN);
	parses("RTMIN+2", SIGRTMIN + 2);
	parses("rtmin+2", SIGRTMIN + 2);
	parses("RTMAX", SIGRTMAX);
	parses("SIGRTMAX-1", SIGRTMAX - 1);
	parses("RTMAX-0", SIGRTMAX);
}

static void test_errors(void)
{
	refuses("0", "zero is not a signal");
	refuses("65", "above the last signal");
	refuses("-9", "negative");
	refuses("FOO", "unknown name");
	refuses("SIGFOO", "unknown name with SIG");
	refuses("SIG", "SIG alone");
	refuses("RTMIN+100", "beyond RTMAX");
	refuses("RTMAX+1", "beyond RTMAX");
	refuses("RTMIN-1", "below RTMIN");
	refuses("RTMIN+", "no offset after +");
	refuses("RTMIN2", "no sign before the offset");
	/* 2^32 + 0 would wrap to RTMIN if the offset were truncated to int. */
	refuses("RTMIN+4294967296", "an offset that overflows int");
	refuses("9x", "trailing characters after a number");
	refuses("", "empty");
}

int main(void)
{
	tap_init();
	tap_group(test_names);
	tap_group(test_realtime);
	tap_group(test_errors);
	return tap_done();
}
