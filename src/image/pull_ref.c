#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image/pull.h"

int pull_ref_parse(const char *n, struct pull_ref *r, husk_error **err)
{
	memset(r, 0, sizeof(*r));
	const char *slash = strchr(n, '/');
	if (slash == NULL || slash == n)
		return husk_fail(err, 0, "reference %s has no registry", n);
	const char *at = strchr(slash, '@');
	const char *end;
	if (at != NULL) {
		r->by_digest = true;
		end = at;
		r->tag_or_digest = strdup(at + 1);
	} else {
		const char *colon = strrchr(slash, ':');
		if (colon == NULL)
			return husk_fail(err, 0, "reference %s has no tag", n);
		end = colon;
		r->tag_or_digest = strdup(colon + 1);
	}
	r->host = strndup(n, slash - n);
	r->repo = strndup(slash + 1, end - slash - 1);
	if (!r->host || !r->repo || !r->tag_or_digest)
		return husk_fail(err, ENOMEM, "reference");
	if (!*r->repo || !*r->tag_or_digest)
		return husk_fail(err, 0, "reference %s is incomplete", n);
	return 0;
}

void pull_ref_clear(struct pull_ref *r)
{
	free(r->host);
	free(r->repo);
	free(r->tag_or_digest);
	memset(r, 0, sizeof(*r));
}
