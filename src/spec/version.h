/* The runtime-spec version husk implements, for everything that writes
 * an ociVersion (state, features, `husk spec`, --version).  Configs of
 * 1.0.x to 1.3.x are accepted (spec_check_oci_version). */
#ifndef HUSK_SPEC_VERSION_H
#define HUSK_SPEC_VERSION_H

#define SPEC_OCI_VERSION "1.3.0"

#endif
