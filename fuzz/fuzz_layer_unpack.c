/* A layer blob as `husk image load` and `pull` hand it to layer_unpack
 * (src/image/unpack.h): any bytes, unpacked into a fresh directory that is
 * removed after each input.  Besides crashes, it checks the promise of
 * unpack.h: nothing is ever written outside that directory (the temporary
 * directory's parent stays as it was). */
#include "fuzz.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/unpack.h"
#include "util/error.h"

static char parent[64];

static void remove_parent(void)
{
	rmdir(parent);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (parent[0] == '\0') {
		strcpy(parent, "/tmp/husk-fuzz-unpack.XXXXXX");
		if (mkdtemp(parent) == NULL)
			abort();
		atexit(remove_parent);
	}
	int fd = memfd_create("layer", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t) size || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	char dir[96];
	snprintf(dir, sizeof(dir), "%s/d", parent);
	if (mkdir(dir, 0755) < 0)
		abort();
	int dest = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dest < 0)
		abort();
	/* Small limits: a bomb is found in milliseconds, not minutes. */
	struct unpack_limits lim = { .max_bytes = 64 << 20, .max_entries = 2000 };
	struct unpack_result res;
	husk_error *err = NULL;
	layer_unpack(fd, dest, &lim, &res, &err);
	husk_error_free(err);
	close(dest);
	close(fd);
	/* As root, modes the input set do not stop the removal. */
	fuzz_rmtree(dir);
	if (fuzz_dir_entries(parent) != 0)   /* nothing escaped */
		abort();
	return 0;
}
