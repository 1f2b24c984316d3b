/* The detach key sequence of `husk container attach` (and run, start -a,
 * exec -it): docker's syntax, a comma-separated list of keys, each one
 * character or "ctrl-X" (X one of a-z @ [ \ ] ^ _).  The default is
 * "ctrl-p,ctrl-q"; "" disables detaching (as podman).
 *
 * The sequence is matched in the bytes read from the caller's stdin; the
 * matched bytes are held back, and passed through when the sequence does
 * not complete. */
#ifndef HUSK_SHIM_DETACH_KEYS_H
#define HUSK_SHIM_DETACH_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

#define DETACH_KEYS_DEFAULT "ctrl-p,ctrl-q"
#define DETACH_KEYS_MAX 32

struct detach_keys {
	unsigned char seq[DETACH_KEYS_MAX];
	size_t len;       /* 0: detaching disabled */
	size_t matched;   /* how many of seq the last bytes matched (held back) */
};

/* Parses spec (NULL: the default) into k. */
int detach_keys_parse(const char *spec, struct detach_keys *k, husk_error **err);

/* Feeds n bytes of input.  Writes to out (room for n + DETACH_KEYS_MAX
 * bytes) what is to go to the container, in *out_n; returns true when the
 * sequence completed (out then holds what came before it; what follows it
 * in `in` is dropped). */
bool detach_keys_feed(struct detach_keys *k, const unsigned char *in, size_t n,
		      unsigned char *out, size_t *out_n);

/* At the end of input: the held-back bytes of an incomplete sequence
 * (room for DETACH_KEYS_MAX), their number returned. */
size_t detach_keys_flush(struct detach_keys *k, unsigned char *out);

#endif
