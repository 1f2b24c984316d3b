/* process.env as runc applies it. */
#ifndef HUSK_SPEC_ENV_H
#define HUSK_SPEC_ENV_H

/* Removes repeated variables from the NULL-terminated env, in place: a
 * variable given twice keeps its first place and takes its last value, as
 * runc sets each entry in turn, so `exec -e PATH=...` replaces the
 * container's PATH instead of hiding behind it.  The key is what comes
 * before the first "=" (all of an entry without one).  A sort of the keys,
 * O(n log n) whatever the keys are: 200,000 variables cost milliseconds,
 * not the minutes of a pairwise comparison.  -ENOMEM or 0. */
int env_dedupe(const char **env);

#endif
