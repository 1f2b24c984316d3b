#ifndef HUSK_UTIL_SIGNALS_H
#define HUSK_UTIL_SIGNALS_H

#include <stdbool.h>

#include "util/error.h"

/* "KILL", "SIGKILL", "kill", "9", "RTMIN+3", "SIGRTMAX-1" → signal number. */
int signal_parse(const char *s, int *ret, husk_error **err);

/* Whether SIGINT, SIGTERM, SIGHUP or SIGQUIT waits, blocked (husk build's
 * steps block them: a long copy or layer stops early when one came). */
bool signals_interrupt_pending(void);

#endif
