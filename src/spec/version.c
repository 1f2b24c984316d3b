/* Which config.json versions husk takes: those of runtime-spec 1.0.0 up to
 * the 1.3 it implements.  A 1.4 or 2.0 config may mean fields husk would
 * silently ignore, so it is refused rather than half run. */
#include "spec/spec.h"

#include <ctype.h>
#include <stdlib.h>

#define MINOR_MAX 3

static bool number(const char **p, unsigned long *out)
{
	if (!isdigit((unsigned char) **p))
		return false;
	char *end;
	*out = strtoul(*p, &end, 10);
	*p = end;
	return true;
}

int spec_check_oci_version(const char *v, husk_error **err)
{
	if (v == NULL || *v == '\0')
		return husk_fail(err, 0, "config.json: ociVersion: is required");
	const char *p = v;
	unsigned long major, minor, patch;
	/* MAJOR.MINOR[.PATCH][-prerelease][+build], as semver writes it. */
	bool ok = number(&p, &major) && *p++ == '.' && number(&p, &minor);
	if (ok && *p == '.')
		ok = (p++, number(&p, &patch));
	ok = ok && (*p == '\0' || *p == '-' || *p == '+');
	if (!ok)
		return husk_fail(err, 0, "config.json: ociVersion: \"%.32s\" is not a version", v);
	if (major != 1 || minor > MINOR_MAX)
		return husk_fail(err, 0, "config.json: ociVersion: unsupported version \"%.32s\" (husk implements 1.0.0 to %s)",
				 v, SPEC_OCI_VERSION);
	return 0;
}
