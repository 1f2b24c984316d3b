/* The files husk reads (config.json, state.json, --process, --resources)
 * are untrusted: a FIFO must not block, a device or a huge file must not be
 * read whole.  read_file_at() opens without blocking, wants a regular file
 * and caps the size at HUSK_READ_MAX; read_fd_all() caps a pipe too. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/fs.h"
#include "tap.h"

static char dir[] = "/tmp/husk-read-limits.XXXXXX";

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* read_file_at(dir, name) must fail, quickly, with a message holding needle. */
static void read_refused(int dfd, const char *name, const char *needle, const char *what)
{
	char *buf = NULL;
	size_t len = 0;
	husk_error *err = NULL;
	double t0 = now();
	int r = read_file_at(dfd, name, &buf, &len, &err);
	double dt = now() - t0;
	ok(r < 0 && buf == NULL, "%s is refused", what);
	like(err ? err->msg : NULL, needle, "%s: the error says %s", what, needle);
	if (!ok(dt < 0.5, "%s: at once", what))
		diag("took %.3f s", dt);
	husk_error_free(err);
	free(buf);
}

static void test_files(void)
{
	alarm(20);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (mkdirat(dfd, "d", 0700) < 0 || mkfifoat(dfd, "fifo", 0600) < 0 ||
	    symlinkat("/dev/zero", dfd, "zero") < 0 || symlinkat("/dev/null", dfd, "null") < 0)
		diag("setup: %s", strerror(errno));
	read_refused(dfd, "fifo", "not a regular file", "a FIFO");
	read_refused(dfd, "zero", "not a regular file", "/dev/zero");
	read_refused(dfd, "null", "not a regular file", "/dev/null");
	read_refused(dfd, "d", "not a regular file", "a directory");

	/* Sparse: a 1 GiB file costs no disk. */
	int fd = openat(dfd, "big", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, 1L << 30) < 0)
		diag("setup: %s", strerror(errno));
	read_refused(dfd, "big", "larger than", "a 1 GiB file");
	if (ftruncate(fd, HUSK_READ_MAX + 1) < 0)
		diag("setup: %s", strerror(errno));
	read_refused(dfd, "big", "larger than", "a file one byte over the limit");
	if (ftruncate(fd, HUSK_READ_MAX) < 0)
		diag("setup: %s", strerror(errno));
	close(fd);
	char *buf = NULL;
	size_t len = 0;
	husk_error *err = NULL;
	ok(read_file_at(dfd, "big", &buf, &len, &err) == 0 && len == HUSK_READ_MAX,
	   "a file of exactly the limit is read");
	husk_error_free(err);
	free(buf);
	unlinkat(dfd, "big", 0);

	fd = openat(dfd, "small", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "{}", 2) != 2)
		diag("setup: %s", strerror(errno));
	close(fd);
	buf = NULL;
	err = NULL;
	ok(read_file_at(dfd, "small", &buf, &len, &err) == 0 && len == 2 && strcmp(buf, "{}") == 0,
	   "a small file is read");
	husk_error_free(err);
	free(buf);
	close(dfd);
}

/* A pipe (`update --resources -`) that never ends stops at the limit. */
static void test_pipe(void)
{
	alarm(20);
	int p[2];
	if (pipe(p) < 0)
		abort();
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		static char zeros[65536];
		for (;;)
			if (write(p[1], zeros, sizeof(zeros)) < 0)
				_exit(0);
	}
	close(p[1]);
	char *buf = NULL;
	size_t len = 0;
	husk_error *err = NULL;
	int r = read_fd_all(p[0], &buf, &len, &err);
	ok(r < 0 && buf == NULL, "an endless pipe is refused");
	like(err ? err->msg : NULL, "larger than", "the error says it is too large");
	husk_error_free(err);
	close(p[0]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

int main(void)
{
	tap_init();
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	tap_group(test_files);
	tap_group(test_pipe);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return tap_done();
}
