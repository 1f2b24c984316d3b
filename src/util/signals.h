#ifndef HUSK_UTIL_SIGNALS_H
#define HUSK_UTIL_SIGNALS_H

#include "util/error.h"

/* "KILL", "SIGKILL", "kill", "9", "RTMIN+3", "SIGRTMAX-1" → signal number. */
int signal_parse(const char *s, int *ret, husk_error **err);

#endif
