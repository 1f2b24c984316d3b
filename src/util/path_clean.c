#include "util/path_clean.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

int path_clean(const char *path, char *out, size_t n)
{
	if (n < 2)
		return -ENAMETOOLONG;
	size_t len = 1;
	out[0] = '/';
	out[1] = '\0';
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		size_t c = strcspn(p, "/");
		if (c == 0)
			break;
		if (c == 2 && p[0] == '.' && p[1] == '.') {
			while (len > 1 && out[len - 1] != '/')
				len--;
			if (len > 1)
				len--;
		} else if (!(c == 1 && p[0] == '.')) {
			bool at_root = len == 1;
			if (len + !at_root + c >= n)
				return -ENAMETOOLONG;
			if (!at_root)
				out[len++] = '/';
			memcpy(out + len, p, c);
			len += c;
		}
		out[len] = '\0';
		p += c;
	}
	return 0;
}
