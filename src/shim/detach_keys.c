#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "shim/detach_keys.h"

/* One key of the list: 'a', ',' is never one (it separates). */
static int key_byte(const char *key, size_t len)
{
	if (len == 1)
		return (unsigned char) key[0];
	/* any case, as docker's term.ToBytes */
	if (len == 6 && strncasecmp(key, "ctrl-", 5) == 0) {
		char c = tolower((unsigned char) key[5]);
		if (c >= 'a' && c <= 'z')
			return c - 'a' + 1;
		/* ctrl-@ is NUL, ctrl-[ ESC ... ctrl-_ 0x1f, as the terminal sends them */
		if (strchr("@[\\]^_", c))
			return c - '@';
	}
	return -1;
}

int detach_keys_parse(const char *spec, struct detach_keys *k, husk_error **err)
{
	*k = (struct detach_keys) { 0 };
	if (!spec)
		spec = DETACH_KEYS_DEFAULT;
	if (!*spec)
		return 0;
	for (const char *p = spec;;) {
		size_t len = strcspn(p, ",");
		int b = key_byte(p, len);
		if (b < 0)
			return husk_fail(err, 0, "--detach-keys %s: \"%.*s\" is not a key (a character "
					 "or ctrl-X, X one of a-z @ [ \\ ] ^ _, separated by commas)",
					 spec, (int) len, p);
		if (k->len == DETACH_KEYS_MAX)
			return husk_fail(err, 0, "--detach-keys %s: more than %d keys", spec,
					 DETACH_KEYS_MAX);
		k->seq[k->len++] = (unsigned char) b;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

/* One byte: true when it completes the sequence. */
static bool feed_byte(struct detach_keys *k, unsigned char c, unsigned char *out, size_t *o)
{
	if (c == k->seq[k->matched]) {
		if (++k->matched < k->len)
			return false;
		k->matched = 0;
		return true;
	}
	if (k->matched == 0) {
		out[(*o)++] = c;
		return false;
	}
	/* A prefix that did not complete: its first byte goes through, and
	 * the rest (with c) may still start the sequence ("ctrl-p ctrl-p
	 * ctrl-q" detaches and passes one ctrl-p). */
	unsigned char again[DETACH_KEYS_MAX];
	size_t n = k->matched;
	memcpy(again, k->seq + 1, n - 1);
	again[n - 1] = c;
	out[(*o)++] = k->seq[0];
	k->matched = 0;
	for (size_t i = 0; i < n; i++)
		if (feed_byte(k, again[i], out, o))
			return true;
	return false;
}

bool detach_keys_feed(struct detach_keys *k, const unsigned char *in, size_t n,
		      unsigned char *out, size_t *out_n)
{
	*out_n = 0;
	if (k->len == 0) {
		memcpy(out, in, n);
		*out_n = n;
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if (feed_byte(k, in[i], out, out_n))
			return true;
	return false;
}

size_t detach_keys_flush(struct detach_keys *k, unsigned char *out)
{
	size_t n = k->matched;
	memcpy(out, k->seq, n);
	k->matched = 0;
	return n;
}
