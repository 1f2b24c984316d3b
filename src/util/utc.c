#include <stdio.h>

#include "util/utc.h"

void utc_rfc3339(const struct timespec *ts, char buf[40])
{
	long long secs = ts->tv_sec, days = secs / 86400, rem = secs % 86400;
	if (rem < 0)
		rem += 86400, days--;
	/* days since 1970-01-01 to a civil date (H. Hinnant's algorithm) */
	long long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	long long doe = z - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	int d = (int) (doy - (153 * mp + 2) / 5 + 1), m = (int) (mp < 10 ? mp + 3 : mp - 9);
	long long y = yoe + era * 400 + (m <= 2);
	snprintf(buf, 40, "%04lld-%02d-%02dT%02d:%02d:%02d.%09ldZ", y, m, d, (int) (rem / 3600),
		 (int) (rem / 60 % 60), (int) (rem % 60), ts->tv_nsec);
}
