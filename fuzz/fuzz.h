/* Shared by the libFuzzer harnesses of fuzz/ (see fuzz/run.sh). */
#ifndef HUSK_FUZZ_FUZZ_H
#define HUSK_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as husk's readers hand it to a parser (read_file_at): a
 * malloc'd copy with a NUL after the last byte, so that ASan sees a read
 * past it.  NULL when out of memory. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *t = malloc(size + 1);
	if (t) {
		memcpy(t, data, size);
		t[size] = '\0';
	}
	return t;
}

#endif
