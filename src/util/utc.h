/* A time as RFC 3339 UTC with nanoseconds (2026-12-07T13:19:49.123456789Z),
 * as docker's timestamps and the CRI log's, computed from the seconds
 * since the epoch: gmtime_r and strftime would load the time zone file
 * into the heap of the shim, which lives as long as its container. */
#ifndef HUSK_UTIL_UTC_H
#define HUSK_UTIL_UTC_H

#include <time.h>

#define UTC_RFC3339_LEN 30   /* without the NUL */
void utc_rfc3339(const struct timespec *ts, char buf[40]);

#endif
