/* unpack-layer [--max-bytes N] [--max-entries N] DEST < BLOB: layer_unpack
 * (src/image/unpack.h) of stdin into the directory DEST, as the store does
 * it; prints "BLOB_DIGEST DIFF_ID BLOB_SIZE TAR_SIZE".  On failure prints
 * "unpack-layer: <why>" to stderr and exits 1. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/unpack.h"

int main(int argc, char **argv)
{
	struct unpack_limits lim = unpack_default_limits;
	int i = 1;
	for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (strcmp(argv[i], "--max-bytes") == 0)
			lim.max_bytes = strtoull(argv[i + 1], NULL, 0);
		else if (strcmp(argv[i], "--max-entries") == 0)
			lim.max_entries = strtoull(argv[i + 1], NULL, 0);
		else
			break;
	}
	if (i + 1 != argc) {
		fprintf(stderr, "usage: unpack-layer [--max-bytes N] [--max-entries N] DEST < BLOB\n");
		return 2;
	}
	int dest = open(argv[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dest < 0) {
		perror(argv[i]);
		return 1;
	}
	husk_error *err = NULL;
	struct unpack_result res;
	if (layer_unpack(0, dest, &lim, &res, &err) < 0) {
		fprintf(stderr, "unpack-layer: %s\n", err ? err->msg : "?");
		husk_error_free(err);
		return 1;
	}
	printf("%s %s %llu %llu\n", res.blob_digest, res.diff_id, (unsigned long long) res.blob_size,
	       (unsigned long long) res.tar_size);
	return 0;
}
