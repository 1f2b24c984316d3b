/* Shared by the libFuzzer harnesses of fuzz/ (see fuzz/run.sh). */
#ifndef HUSK_FUZZ_FUZZ_H
#define HUSK_FUZZ_FUZZ_H

#include <dirent.h>
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static inline int fuzz_remove_one(const char *path, const struct stat *st, int flag,
				  struct FTW *ftw)
{
	(void) st;
	(void) ftw;
	if (flag == FTW_DP)
		return rmdir(path) < 0 ? -1 : 0;
	return unlink(path) < 0 ? -1 : 0;
}

/* Removes the tree at path (as root, whatever modes the input set);
 * aborts when it cannot, since the next input would not start clean. */
static inline void fuzz_rmtree(const char *path)
{
	if (nftw(path, fuzz_remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		abort();
}

/* Entries of dir besides "." and "..", -1 when it cannot be read. */
static inline int fuzz_dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	if (d == NULL)
		return -1;
	for (struct dirent *de; (de = readdir(d));)
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

/* The next part of [*p, end) up to a NUL byte or the end (the input copy
 * of fuzz_text has a NUL past its end); NULL when there is none. */
static inline char *fuzz_part(char **p, char *end, size_t *len)
{
	if (*p > end)
		return NULL;
	char *s = *p, *nul = memchr(s, '\0', (size_t) (end - s));
	*len = (size_t) ((nul ? nul : end) - s);
	*p = s + *len + 1;
	return s;
}

#endif
