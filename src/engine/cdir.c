/* The containers/ directory of the store: ids, names, meta.json. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/container.h"
#include "engine/internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/utc.h"

int cdir_open(const char *store, int *ret_fd, husk_error **err)
{
	cleanup_free char *path = NULL;
	if (asprintf(&path, "%s/containers/.names", store) < 0)
		return husk_fail(err, ENOMEM, "containers");
	int r = mkdir_p(path, 0700, err);
	if (r < 0)
		return r;
	path[strlen(path) - strlen("/.names")] = '\0';
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return husk_fail(err, errno, "open %s", path);
	cdir_creating_sweep(fd, store);
	*ret_fd = fd;
	return 0;
}

void cdir_new_id(char id[ENGINE_ID_LEN + 1])
{
	unsigned char b[ENGINE_ID_LEN / 2];
	size_t got = 0;
	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);
		if (n > 0)
			got += n;
	}
	for (size_t i = 0; i < sizeof(b); i++)
		sprintf(id + 2 * i, "%02x", b[i]);
}

static bool is_hex(const char *s, size_t max)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!isxdigit((unsigned char) s[n]) || isupper((unsigned char) s[n]))
			return false;
	return n > 0 && n <= max;
}

static bool exists_at(int cfd, const char *id)
{
	struct stat st;
	return fstatat(cfd, id, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

int cdir_resolve(int cfd, const char *ref, char id[ENGINE_ID_LEN + 1], husk_error **err)
{
	if (strlen(ref) == ENGINE_ID_LEN && is_hex(ref, ENGINE_ID_LEN) && exists_at(cfd, ref)) {
		memcpy(id, ref, ENGINE_ID_LEN + 1);
		return 0;
	}
	if (!strchr(ref, '/') && ref[0] != '.') {
		char link[256], name[300];
		snprintf(name, sizeof(name), ".names/%s", ref);
		ssize_t n = readlinkat(cfd, name, link, sizeof(link) - 1);
		if (n == ENGINE_ID_LEN) {
			link[n] = '\0';
			if (exists_at(cfd, link)) {
				memcpy(id, link, ENGINE_ID_LEN + 1);
				return 0;
			}
		}
	}
	if (is_hex(ref, ENGINE_ID_LEN)) {
		int dfd = openat(cfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		cleanup_closedir DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
		if (!d) {
			if (dfd >= 0)
				close(dfd);
			return husk_fail(err, errno, "read containers");
		}
		int found = 0;
		struct dirent *e;
		size_t len = strlen(ref);
		while ((e = readdir(d))) {
			if (strlen(e->d_name) == ENGINE_ID_LEN && strncmp(e->d_name, ref, len) == 0) {
				if (found++)
					return husk_fail(err, 0, "container %s: the id prefix is ambiguous",
							 ref);
				memcpy(id, e->d_name, ENGINE_ID_LEN + 1);
			}
		}
		if (found)
			return 0;
	}
	return husk_fail(err, ENOENT, "container %s: no such container", ref);
}

static bool name_valid(const char *n)
{
	if (!isalnum((unsigned char) n[0]) || strlen(n) > 128)
		return false;
	for (; *n; n++)
		if (!isalnum((unsigned char) *n) && !strchr("_.-", *n))
			return false;
	return true;
}

int cdir_name_claim(int cfd, const char *name, const char *id, husk_error **err)
{
	if (!name_valid(name))
		return husk_fail(err, 0, "--name %s: a name is [a-zA-Z0-9][a-zA-Z0-9_.-]* (at most 128)",
				 name);
	char path[300];
	snprintf(path, sizeof(path), ".names/%s", name);
	/* A symlink is made atomically: of two creates with one name, one
	 * gets EEXIST.  A link to a container that is gone is taken over. */
	for (int tries = 0; tries < 2; tries++) {
		if (symlinkat(id, cfd, path) == 0)
			return 0;
		if (errno != EEXIST)
			return husk_fail(err, errno, "--name %s", name);
		char link[256];
		ssize_t n = readlinkat(cfd, path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		if (exists_at(cfd, link))
			return husk_fail(err, 0, "--name %s: the name is in use by container %.12s",
					 name, link);
		unlinkat(cfd, path, 0);
	}
	return husk_fail(err, EEXIST, "--name %s", name);
}

void cdir_name_release(int cfd, const char *name)
{
	char path[300];
	snprintf(path, sizeof(path), ".names/%s", name);
	unlinkat(cfd, path, 0);
}

int cdir_meta_read(int cfd, const char *id, json_object **ret, husk_error **err)
{
	char path[ENGINE_ID_LEN + 16];
	snprintf(path, sizeof(path), "%s/meta.json", id);
	cleanup_free char *buf = NULL;
	size_t len;
	int r = read_file_at(cfd, path, &buf, &len, err);
	if (r < 0)
		return husk_wrap(err, "container %.12s", id);
	return json_parse_text(buf, len, ret, err);
}

int cdir_meta_write(int cfd, const char *id, json_object *meta, husk_error **err)
{
	int dfd = openat(cfd, id, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return husk_fail(err, errno, "container %.12s", id);
	const char *s = json_object_to_json_string_ext(meta, JSON_C_TO_STRING_PLAIN);
	int r = write_file_atomic_at(dfd, "meta.json", s, strlen(s), 0600, err);
	close(dfd);
	return r;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void) st, (void) ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT ? -1 : 0;
}

static int remove_tree(void *arg, husk_error **err)
{
	/* FTW_MOUNT: never into a mount (the rootfs is unmounted before). */
	if (nftw(arg, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0 && errno != ENOENT)
		return husk_fail(err, errno, "remove %s", (const char *) arg);
	return 0;
}

int cdir_remove(int cfd, const char *id, husk_error **err)
{
	cleanup_json json_object *meta = NULL;
	husk_error *ignored = NULL;
	if (cdir_meta_read(cfd, id, &meta, &ignored) == 0) {
		json_object *n = json_member(meta, "name");
		if (n && json_is_string(n)) {
			/* Only our own name: a later container may have taken it. */
			char link[256], path[300];
			snprintf(path, sizeof(path), ".names/%s", json_object_get_string(n));
			ssize_t len = readlinkat(cfd, path, link, sizeof(link) - 1);
			if (len == ENGINE_ID_LEN && strncmp(link, id, ENGINE_ID_LEN) == 0)
				unlinkat(cfd, path, 0);
		}
	}
	husk_error_free(ignored);
	char gone[ENGINE_ID_LEN + 16], fdlink[64], self[4096];
	snprintf(gone, sizeof(gone), ".rm-%s", id);
	if (renameat(cfd, id, cfd, gone) < 0 && errno != ENOENT)
		return husk_fail(err, errno, "remove container %.12s", id);
	snprintf(fdlink, sizeof(fdlink), "/proc/self/fd/%d", cfd);
	ssize_t n = readlink(fdlink, self, sizeof(self) - sizeof(gone) - 2);
	if (n < 0)
		return husk_fail(err, errno, "remove container %.12s", id);
	snprintf(self + n, sizeof(self) - n, "/%s", gone);
	/* Rootless, what the container wrote belongs to the user's
	 * subordinate ids: removed from inside husk's user namespace. */
	if (container_in_user_ns(remove_tree, self, err) < 0)
		return husk_wrap(err, "remove container %.12s", id);
	return 0;
}

void cdir_now(char buf[40])
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	utc_rfc3339(&ts, buf);
}

char *cdir_path(const char *store, const char *id, const char *sub)
{
	char *p = NULL;
	if (asprintf(&p, "%s/containers/%s%s%s", store, id, sub ? "/" : "", sub ? sub : "") < 0)
		return NULL;
	return p;
}

int cdir_write_json(const char *cdir, const char *name, json_object *o, husk_error **err)
{
	cleanup_close int dfd = open(cdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return husk_fail(err, errno, "open %s", cdir);
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	return write_file_atomic_at(dfd, name, text, strlen(text), 0600, err);
}
