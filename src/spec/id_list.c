#include "spec/id_list.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* A decimal number of digits only (no sign, no spaces), at most max. */
static int number(const char **p, unsigned max, const char *noun, unsigned *out, char *why,
		  size_t why_len)
{
	if (!isdigit((unsigned char) **p)) {
		snprintf(why, why_len, "\"%.16s\" is not a %s number", *p, noun);
		return -1;
	}
	char *end;
	errno = 0;
	unsigned long long n = strtoull(*p, &end, 10);
	if (errno == ERANGE || n > max) {
		snprintf(why, why_len, "%s %.*s is out of range (at most %u)", noun, (int) (end - *p), *p, max);
		return -1;
	}
	*p = end;
	*out = n;
	return 0;
}

int id_list_parse(const char *s, unsigned max, const char *noun, unsigned long *mask, size_t words,
		  char *why, size_t why_len)
{
	const char *p = s;
	if (*p == '\0')
		return 0;
	for (;;) {
		unsigned lo, hi;
		if (number(&p, max, noun, &lo, why, why_len) < 0)
			return -1;
		hi = lo;
		if (*p == '-') {
			p++;
			if (number(&p, max, noun, &hi, why, why_len) < 0)
				return -1;
			if (hi < lo) {
				snprintf(why, why_len, "range %u-%u goes backwards", lo, hi);
				return -1;
			}
		}
		for (unsigned id = lo; mask && id <= hi && id / ID_LIST_WORD_BITS < words; id++)
			mask[id / ID_LIST_WORD_BITS] |= 1ul << (id % ID_LIST_WORD_BITS);
		if (*p == '\0')
			return 0;
		if (*p != ',') {
			snprintf(why, why_len, "unexpected \"%c\" (a list is like 0-3,7)", *p);
			return -1;
		}
		p++;
	}
}
