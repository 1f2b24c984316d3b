#include "spec/env.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"

struct env_entry {
	const char *s;
	size_t klen;
	size_t index;
};

/* By key, then by place: each key's entries end up together, in order. */
static int by_key_then_index(const void *a, const void *b)
{
	const struct env_entry *x = a, *y = b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->s, y->s, n);
	if (c == 0 && x->klen != y->klen)
		c = x->klen < y->klen ? -1 : 1;
	if (c == 0)
		c = x->index < y->index ? -1 : x->index > y->index;
	return c;
}

int env_dedupe(const char **env)
{
	size_t n = 0;
	while (env && env[n])
		n++;
	if (n < 2)
		return 0;
	cleanup_free struct env_entry *e = malloc(n * sizeof(*e));
	if (e == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		e[i] = (struct env_entry) { env[i], strcspn(env[i], "="), i };
	qsort(e, n, sizeof(*e), by_key_then_index);
	/* In each run of one key: the first place gets the last value, the
	 * other places are emptied. */
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && e[j].klen == e[i].klen && memcmp(e[j].s, e[i].s, e[i].klen) == 0; j++)
			env[e[j].index] = NULL;
		env[e[i].index] = e[j - 1].s;
	}
	size_t kept = 0;
	for (size_t i = 0; i < n; i++)
		if (env[i])
			env[kept++] = env[i];
	env[kept] = NULL;
	return 0;
}
