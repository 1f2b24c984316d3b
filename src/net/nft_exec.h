/* One libnftables context of husk's rule changes: runs a transaction (nft
 * language or JSON) and lists husk's table as JSON.  A context works in the
 * network namespace of the thread that made it. */
#ifndef HUSK_NET_NFT_EXEC_H
#define HUSK_NET_NFT_EXEC_H

#include <json-c/json.h>
#include <stdio.h>

#include "util/error.h"

#define NFT_TABLE "inet husk"

struct nft_exec;

struct nft_exec *nft_exec_new(husk_error **err);
void nft_exec_free(struct nft_exec *x);
void nft_exec_freep(struct nft_exec **x);
#define cleanup_nft_exec __attribute__((cleanup(nft_exec_freep)))

/* Runs the commands of text (one transaction: all or nothing).  A failure
 * is nftables' own first error line; its errno is EEXIST or ENOENT when the
 * kernel said so, which the callers tell apart. */
int nft_exec_text(struct nft_exec *x, const char *text, husk_error **err);
/* The same for a JSON command object ({"nftables": [...]}). */
int nft_exec_json(struct nft_exec *x, json_object *cmd, husk_error **err);

/* A listing of husk's table, or of what (an object of it: "map " NFT_TABLE
 * " ports"), as nftables' JSON array of objects (the caller puts it); NULL
 * with 0 when the table does not exist. */
int nft_exec_list(struct nft_exec *x, const char *what, json_object **ret, husk_error **err);

/* A memory stream for building a transaction; its text and size. */
struct nft_buf {
	char *text;
	size_t len;
	FILE *f;
};
int nft_buf_open(struct nft_buf *b, husk_error **err);
/* Closes the stream (the text stays, NUL-terminated); -1 if writing failed. */
int nft_buf_close(struct nft_buf *b, husk_error **err);
void nft_buf_freep(struct nft_buf *b);
#define cleanup_nft_buf __attribute__((cleanup(nft_buf_freep)))

#endif
