/* state_check_id(): which container ids the state store accepts.  An id
 * becomes a directory name under --root, so anything that could escape it
 * ("..", "/") or surprise a shell must be refused. */
#include <string.h>

#include "state/state.h"
#include "tap.h"

static void accepts(const char *id, const char *name)
{
	husk_error *err = NULL;
	int r = state_check_id(id, &err);
	if (!ok(r == 0 && err == NULL, "accepts %s", name) && err)
		diag("error: %s", err->msg);
	husk_error_free(err);
}

static void refuses(const char *id, const char *name)
{
	husk_error *err = NULL;
	int r = state_check_id(id, &err);
	if (!ok(r < 0 && err != NULL && err->msg != NULL, "refuses %s", name))
		diag("state_check_id returned %d", r);
	husk_error_free(err);
}

static void test_ids(void)
{
	char max[1026];

	accepts("a", "a single letter");
	accepts("A-b_c.d+e", "A-b_c.d+e (every allowed punctuation)");
	accepts("0123456789", "digits only");
	accepts("...", "three dots (only . and .. are special)");
	memset(max, 'x', 1024);
	max[1024] = '\0';
	accepts(max, "1024 characters");

	refuses("", "the empty id");
	refuses(".", "\".\"");
	refuses("..", "\"..\"");
	refuses("a/b", "a slash");
	refuses("/a", "a leading slash");
	refuses("a b", "a space");
	refuses("a\nb", "a newline");
	refuses("\xc3\xa4", "a non-ASCII letter (\\u00e4)");
	refuses("a:b", "a colon");
	max[1024] = 'x';
	max[1025] = '\0';
	refuses(max, "1025 characters");

	/* A NULL err must be allowed: callers only asking yes/no. */
	ok(state_check_id("a b", NULL) < 0, "refuses with a NULL error pointer");
}

int main(void)
{
	tap_init();
	tap_group(test_ids);
	return tap_done();
}
