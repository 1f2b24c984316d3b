/* The detach key sequence (src/shim/detach_keys.c): docker's syntax, and
 * the state machine that holds back a prefix of it and passes it through
 * when it does not complete. */
#include "shim/detach_keys.h"
#include "tap.h"

static void parses(const char *spec, const char *want, size_t len)
{
	husk_error *err = NULL;
	struct detach_keys k;
	int r = detach_keys_parse(spec, &k, &err);
	if (!ok(r == 0 && k.len == len && memcmp(k.seq, want, len) == 0, "\"%s\" parses",
		spec ? spec : "(default)"))
		diag("returned %d, %zu keys, error %s", r, k.len, err ? err->msg : "none");
	husk_error_free(err);
}

static void refuses(const char *spec, const char *why)
{
	husk_error *err = NULL;
	struct detach_keys k;
	int r = detach_keys_parse(spec, &k, &err);
	ok(r < 0 && err, "\"%s\" is refused (%s)", spec, why);
	like(err ? err->msg : NULL, "--detach-keys", "its error names the flag");
	husk_error_free(err);
}

static void test_parse(void)
{
	parses(NULL, "\x10\x11", 2);
	parses("ctrl-p,ctrl-q", "\x10\x11", 2);
	parses("ctrl-x,a", "\x18" "a", 2);
	parses("a", "a", 1);
	parses("CTRL-P,Ctrl-Q", "\x10\x11", 2);
	parses("ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_", "\0\x1b\x1c\x1d\x1e\x1f", 6);
	parses("ctrl-a,ctrl-z", "\x01\x1a", 2);
	parses("", "", 0);
	refuses("ctrl-", "ctrl- without a key");
	refuses("ctrl-pp", "two characters after ctrl-");
	refuses("ab", "a word is not a key");
	refuses("ctrl-p,", "an empty key at the end");
	refuses(",ctrl-p", "an empty key at the start");
	refuses("ctrl-p,,ctrl-q", "an empty key between");
	refuses("ctrl-1", "a digit after ctrl-");
	refuses("a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a", "33 keys");
}

/* Feeds in (in pieces of `chunk` bytes); returns the bytes passed on,
 * with "|" where the sequence completed (nothing is fed after it). */
static const char *run(const char *spec, const char *in, size_t chunk)
{
	static char got[256];
	struct detach_keys k;
	husk_error *err = NULL;
	if (detach_keys_parse(spec, &k, &err) < 0) {
		husk_error_free(err);
		return "(parse failed)";
	}
	size_t g = 0, n = strlen(in);
	for (size_t i = 0; i < n; i += chunk) {
		unsigned char out[256 + DETACH_KEYS_MAX];
		size_t on, len = n - i < chunk ? n - i : chunk;
		bool done = detach_keys_feed(&k, (const unsigned char *) in + i, len, out, &on);
		memcpy(got + g, out, on);
		g += on;
		if (done) {
			got[g++] = '|';
			got[g] = '\0';
			return got;
		}
	}
	unsigned char rest[DETACH_KEYS_MAX];
	size_t r = detach_keys_flush(&k, rest);
	memcpy(got + g, rest, r);
	got[g + r] = '\0';
	return got;
}

static void test_feed(void)
{
	for (size_t chunk = 1; chunk <= 8; chunk *= 2) {
		is_str(run(NULL, "ls\r\x10\x11" "after", chunk), "ls\r|",
		       "ctrl-p ctrl-q detaches, what follows is dropped (chunks of %zu)", chunk);
		is_str(run(NULL, "a\x10" "b", chunk), "a\x10" "b",
		       "ctrl-p then another key passes both (chunks of %zu)", chunk);
		is_str(run(NULL, "\x10\x10\x11", chunk), "\x10|",
		       "ctrl-p ctrl-p ctrl-q passes one ctrl-p and detaches (chunks of %zu)", chunk);
		is_str(run(NULL, "x\x10", chunk), "x\x10",
		       "a ctrl-p at the end of input is flushed (chunks of %zu)", chunk);
		is_str(run("a,a,b", "aaab", chunk), "a|",
		       "a,a,b in aaab: the overlap is found (chunks of %zu)", chunk);
		is_str(run("a,b,a,c", "ababac", chunk), "ab|",
		       "a,b,a,c in ababac (chunks of %zu)", chunk);
		is_str(run("a,b,c", "abxabc", chunk), "abx|",
		       "a broken prefix passes, a later whole one detaches (chunks of %zu)", chunk);
		is_str(run("", "\x10\x11", chunk), "\x10\x11",
		       "\"\" never detaches (chunks of %zu)", chunk);
		is_str(run("ctrl-x,a", "\x18" "a", chunk), "|", "ctrl-x,a (chunks of %zu)", chunk);
		is_str(run("q", "abq", chunk), "ab|", "a one-key sequence (chunks of %zu)", chunk);
	}
}

int main(void)
{
	tap_init();
	tap_group(test_parse);
	tap_group(test_feed);
	return tap_done();
}
