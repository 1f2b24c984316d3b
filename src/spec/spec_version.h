/* The runtime-spec version husk implements: the one constant that
 * `husk --version` (and `husk version`) print. */
#ifndef HUSK_SPEC_SPEC_VERSION_H
#define HUSK_SPEC_SPEC_VERSION_H

#define HUSK_SPEC_VERSION "1.3.0"

#endif
