#include "util/signals.h"

#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int parse_number(const char *s, long *ret)
{
	char *end;
	errno = 0;
	long n = strtol(s, &end, 10);
	if (errno || end == s || *end)
		return -1;
	*ret = n;
	return 0;
}

int signal_parse(const char *s, int *ret, husk_error **err)
{
	long n;
	const char *name = s;
	if (parse_number(s, &n) == 0) {
		if (n <= 0 || n >= NSIG)
			return husk_fail(err, 0, "invalid signal \"%s\"", s);
		*ret = n;
		return 0;
	}
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	/* The names glibc knows (sigabbrev_np), matched without case. */
	for (int sig = 1; sig < SIGRTMIN; sig++) {
		const char *abbrev = sigabbrev_np(sig);
		if (abbrev && strcasecmp(abbrev, name) == 0) {
			*ret = sig;
			return 0;
		}
	}
	if (strncasecmp(name, "RTMIN", 5) == 0 || strncasecmp(name, "RTMAX", 5) == 0) {
		bool max = strncasecmp(name, "RTMAX", 5) == 0;
		int sig = max ? SIGRTMAX : SIGRTMIN;
		const char *rest = name + 5;
		if (*rest != '\0') {
			if ((*rest != '+' && *rest != '-') || parse_number(rest + 1, &n) < 0 || n < 0 ||
			    n > SIGRTMAX - SIGRTMIN)
				return husk_fail(err, 0, "invalid signal \"%s\"", s);
			sig += *rest == '+' ? n : -n;
		}
		if (sig < SIGRTMIN || sig > SIGRTMAX)
			return husk_fail(err, 0, "invalid signal \"%s\"", s);
		*ret = sig;
		return 0;
	}
	return husk_fail(err, 0, "unknown signal \"%s\"", s);
}

bool signals_interrupt_pending(void)
{
	sigset_t p;
	if (sigpending(&p) < 0)
		return false;
	return sigismember(&p, SIGINT) == 1 || sigismember(&p, SIGTERM) == 1 ||
	       sigismember(&p, SIGHUP) == 1 || sigismember(&p, SIGQUIT) == 1;
}
