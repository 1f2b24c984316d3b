/* The image's User resolved as docker does, through the image's own
 * /etc/passwd and /etc/group.  Those are read with RESOLVE_IN_ROOT: an
 * image whose /etc/passwd is a symlink to /etc/shadow reads its own. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine/internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* The file's text in *ret, NULL when the image has none (or a symlink
 * loop in its place).  It is opened
 * O_PATH first and reopened only when it is a regular file: husk is root
 * in the host's namespaces here, and opening a device of the image (a
 * watchdog, a terminal) would act on the host's. */
static int read_in_root(int rootfd, const char *path, char **ret, husk_error **err)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	*ret = NULL;
	cleanup_close int pfd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	if (pfd < 0)
		return errno == ENOENT || errno == ENOTDIR || errno == ELOOP
			       ? 0 : husk_fail(err, errno, "the image's %s", path);
	struct stat st;
	if (fstat(pfd, &st) < 0)
		return husk_fail(err, errno, "the image's %s", path);
	if (!S_ISREG(st.st_mode))
		return husk_fail(err, 0, "the image's %s is not a regular file", path);
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	cleanup_close int fd = open(proc, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return husk_fail(err, errno, "the image's %s", path);
	size_t len;
	if (read_fd_all(fd, ret, &len, err) < 0)
		return husk_wrap(err, "the image's %s", path);
	return 0;
}

static bool parse_id(const char *s, unsigned long *ret)
{
	char *end;
	if (!*s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v > 0xfffffffeUL)
		return false;
	*ret = v;
	return true;
}

/* Splits a line of colon-separated fields in place; returns the count. */
static size_t fields(char *line, char **f, size_t max)
{
	size_t n = 0;
	while (n < max) {
		f[n++] = line;
		char *c = strchr(line, ':');
		if (!c)
			break;
		*c = '\0';
		line = c + 1;
	}
	return n;
}

/* The passwd entry matching name or uid: fills uid, gid, home. */
static bool find_passwd(char *text, const char *name, unsigned long uid, bool by_id,
			struct user_ids *u, char **ret_name)
{
	for (char *save = NULL, *line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f[7];
		unsigned long id, gid;
		if (fields(line, f, 7) < 7 || !parse_id(f[2], &id) || !parse_id(f[3], &gid))
			continue;
		if (by_id ? id == uid : strcmp(f[0], name) == 0) {
			u->uid = id;
			u->gid = gid;
			u->home = strdup(f[5]);
			*ret_name = strdup(f[0]);
			return true;
		}
	}
	return false;
}

/* The gid of group name (by_id: the number itself), and the groups that
 * list user as a member. */
static int scan_groups(char *text, const char *group, const char *user, struct user_ids *u,
		       bool *found)
{
	for (char *save = NULL, *line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f[4];
		unsigned long gid;
		if (fields(line, f, 4) < 4 || !parse_id(f[2], &gid))
			continue;
		if (group && strcmp(f[0], group) == 0 && !*found) {
			u->gid = gid;
			*found = true;
		}
		if (!user)
			continue;
		for (char *s2 = NULL, *m = strtok_r(f[3], ",", &s2); m; m = strtok_r(NULL, ",", &s2)) {
			if (strcmp(m, user) != 0)
				continue;
			gid_t *g = realloc(u->gids, (u->n_gids + 1) * sizeof(*g));
			if (!g)
				return -ENOMEM;
			u->gids = g;
			u->gids[u->n_gids++] = gid;
		}
	}
	return 0;
}

/* A failed resolution hands back nothing: what the lookups allocated goes. */
static int resolve_failed(struct user_ids *u, int r)
{
	user_ids_free(u);
	return r;
}

int user_resolve(int rootfd, const char *user, struct user_ids *u, husk_error **err)
{
	*u = (struct user_ids) { 0 };
	cleanup_free char *spec = strdup(user && *user ? user : "0");
	cleanup_free char *pw = NULL, *gr = NULL, *name = NULL;
	if (!spec)
		return husk_fail(err, ENOMEM, "user");
	if (read_in_root(rootfd, "/etc/passwd", &pw, err) < 0 ||
	    read_in_root(rootfd, "/etc/group", &gr, err) < 0)
		return husk_wrap(err, "user %s", user && *user ? user : "0");
	char *group = strchr(spec, ':');
	if (group)
		*group++ = '\0';
	/* "name:" and ":" leave a part out, as docker reads them. */
	if (group && !*group)
		group = NULL;
	/* ":GROUP" is user 0 (group points into spec: it stays). */
	const char *uname = *spec ? spec : "0";
	unsigned long id;
	bool by_id = parse_id(uname, &id);
	if (!find_passwd(pw, uname, by_id ? id : 0, by_id, u, &name)) {
		if (!by_id)
			return husk_fail(err, 0, "user %s: no such user in the image's /etc/passwd",
					 user);
		u->uid = id;   /* a uid the image does not know: gid 0, as docker */
		u->gid = 0;
	}
	bool found = false;
	unsigned long gid;
	bool gid_by_id = group && parse_id(group, &gid);
	if (gid_by_id)
		u->gid = gid;
	/* An explicit group replaces the supplementary groups, as docker. */
	if (scan_groups(gr, group && !gid_by_id ? group : NULL, group ? NULL : name, u, &found) < 0)
		return resolve_failed(u, husk_fail(err, ENOMEM, "user %s", user));
	if (group && !gid_by_id && !found)
		return resolve_failed(u, husk_fail(err, 0, "user %s: no such group in the image's /etc/group",
						   user));
	return 0;
}

void user_ids_free(struct user_ids *u)
{
	free(u->gids);
	free(u->home);
	u->gids = NULL;
	u->home = NULL;
}
