/* An archive as `husk image load` reads it: a docker-archive or an OCI
 * archive, any bytes, loaded into a store of the harness's own that is
 * emptied after each input: manifest.json, index.json, the manifests,
 * configs and layers they name, and the checks between them.  Besides
 * crashes it checks that a failed load leaves nothing in the store's tmp/.
 * A file-size limit (writes past it fail with EFBIG) bounds what a small
 * compressed input can make husk write. */
#include "fuzz.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "image/import.h"
#include "util/error.h"

static char top[64];

static void remove_top(void)
{
	fuzz_rmtree(top);
}

static void ignore(const char *what, void *arg)
{
	(void) what;
	(void) arg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (top[0] == '\0') {
		strcpy(top, "/tmp/husk-fuzz-load.XXXXXX");
		if (mkdtemp(top) == NULL)
			abort();
		atexit(remove_top);
		signal(SIGXFSZ, SIG_IGN);
		struct rlimit fsize = { 64 << 20, 64 << 20 };
		if (setrlimit(RLIMIT_FSIZE, &fsize) < 0)
			abort();
	}
	int fd = memfd_create("archive", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t) size || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	char path[96];
	snprintf(path, sizeof(path), "%s/store", top);
	husk_error *err = NULL;
	struct store s;
	if (store_open(path, true, &s, &err) < 0)
		abort();
	int r = image_load(&s, fd, -1, "fuzz.tar", ignore, NULL, &err);
	store_close(&s);
	close(fd);
	if (r < 0 && err == NULL)
		abort(); /* a failure says why */
	husk_error_free(err);
	char tmp[128];
	snprintf(tmp, sizeof(tmp), "%s/tmp", path);
	if (fuzz_dir_entries(tmp) > 0)
		abort(); /* half-made files left behind */
	fuzz_rmtree(path);
	return 0;
}
