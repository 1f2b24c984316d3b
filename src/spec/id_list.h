/* Lists of CPU or memory node numbers as the spec writes them: "0-3,7". */
#ifndef HUSK_SPEC_ID_LIST_H
#define HUSK_SPEC_ID_LIST_H

#include <stdbool.h>
#include <stddef.h>

#define ID_LIST_WORD_BITS (8 * sizeof(unsigned long))

/* Parses s; every id must be at most max.  With mask (words long, enough
 * for max), sets the bit of each id.  On failure returns -1 and says why
 * in why ("CPU 9999 is out of range"); noun names the ids ("CPU"). */
int id_list_parse(const char *s, unsigned max, const char *noun, unsigned long *mask, size_t words,
		  char *why, size_t why_len);

static inline bool id_list_has(const unsigned long *mask, unsigned id)
{
	return mask[id / ID_LIST_WORD_BITS] >> (id % ID_LIST_WORD_BITS) & 1;
}

#endif
