/* libnftables, loaded on the first rule change.
 *
 * libnftables.so.1 brings libnftnl, libmnl, libxtables, libjansson and
 * libgmp with it: linking it would make every husk command pay for loading
 * and relocating them, for the few that touch a bridge network's rules.
 * src/net/nft*.c call it through this table, which nft_lazy_load() fills
 * with dlopen/dlsym; <nftables/libnftables.h> still gives the prototypes
 * the pointers are checked against. */
#ifndef HUSK_NET_NFT_LAZY_H
#define HUSK_NET_NFT_LAZY_H

#include <nftables/libnftables.h>

#include "util/error.h"

/* The nft_<name> functions husk calls. */
#define NFT_LAZY_FUNCTIONS(X) \
	X(ctx_new) X(ctx_free) X(ctx_output_set_flags) X(ctx_buffer_output) X(ctx_buffer_error) \
	X(ctx_get_output_buffer) X(ctx_get_error_buffer) X(run_cmd_from_buffer)

struct nft_lazy {
#define NFT_LAZY_FIELD(name) typeof(nft_##name) *name;
	NFT_LAZY_FUNCTIONS(NFT_LAZY_FIELD)
#undef NFT_LAZY_FIELD
};

/* Loads libnftables.so.1 once and returns its table; again: the same. */
const struct nft_lazy *nft_lazy_load(husk_error **err);

#endif
