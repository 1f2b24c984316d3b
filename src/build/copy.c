/* COPY/ADD sources: globs, the ignore file, hashing (copy.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "build/ignore.h"

#include "build/copy_internal.h"
#include "util/cleanup.h"

int copy_open_in(int rootfd, const char *path, int flags)
{
	struct open_how how = { .flags = (uint64_t) flags | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	int fd = (int) syscall(SYS_openat2, rootfd, *path ? path : ".", &how, sizeof(how));
	return fd < 0 ? -errno : fd;
}

int copy_reopen(int fd, int flags)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	return open(p, flags | O_CLOEXEC);
}

void copy_strv_free(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

static bool has_meta(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == '*' || s[i] == '?' || s[i] == '[' || s[i] == '\\')
			return true;
	return false;
}

struct list {
	char **v;
	size_t n;
};

static int list_add(struct list *l, const char *s)
{
	char **nv = realloc(l->v, (l->n + 2) * sizeof(char *));
	if (!nv)
		return -ENOMEM;
	l->v = nv;
	if (!(l->v[l->n] = strdup(s)))
		return -ENOMEM;
	l->v[++l->n] = NULL;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The paths under base (already matched) matching the components of pat. */
static int glob_in(const struct copy_src *src, const char *base, const char *pat, struct list *out)
{
	if (!*pat) {
		if (src->ign && *base && ignore_match(src->ign, base))
			return 0;
		return list_add(out, base);
	}
	const char *e = strchr(pat, '/');
	size_t len = e ? (size_t) (e - pat) : strlen(pat);
	const char *next = e ? e + 1 : pat + len;
	char comp[4096];
	if (len >= sizeof(comp))
		return -ENAMETOOLONG;
	memcpy(comp, pat, len);
	comp[len] = '\0';
	cleanup_free char *joined = NULL;
	if (!has_meta(pat, len)) {
		if (asprintf(&joined, "%s%s%s", base, *base ? "/" : "", comp) < 0)
			return -ENOMEM;
		struct stat st;
		int fd = copy_open_in(src->rootfd, joined, O_PATH);
		if (fd < 0)
			return 0;
		int r = fstat(fd, &st);
		close(fd);
		if (r < 0 || (*next && !S_ISDIR(st.st_mode)))
			return 0;
		return glob_in(src, joined, next, out);
	}
	int dfd = copy_open_in(src->rootfd, base, O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		return 0;
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -errno;
	}
	struct list names = { 0 };
	struct dirent *de;
	int r = 0;
	while (r == 0 && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    fnmatch(comp, de->d_name, 0) == 0)
			r = list_add(&names, de->d_name);
	closedir(d);
	if (names.n)
		qsort(names.v, names.n, sizeof(char *), cmp_str);
	for (size_t i = 0; r == 0 && i < names.n; i++) {
		free(joined);
		joined = NULL;
		if (asprintf(&joined, "%s%s%s", base, *base ? "/" : "", names.v[i]) < 0)
			r = -ENOMEM;
		else
			r = glob_in(src, joined, next, out);
	}
	copy_strv_free(names.v);
	return r;
}

int copy_sources(const struct copy_src *src, char *const *args, size_t n, char ***paths,
		 husk_error **err)
{
	struct list out = { 0 };
	for (size_t i = 0; i < n; i++) {
		char clean[4096];
		if (build_path_clean(args[i], clean, sizeof(clean), false) < 0) {
			copy_strv_free(out.v);
			return husk_fail(err, 0, "source \"%s\": outside the %s", args[i],
					 src->context ? "build context" : "stage's root");
		}
		size_t before = out.n;
		int r = glob_in(src, "", clean, &out);
		if (r < 0) {
			copy_strv_free(out.v);
			return husk_fail(err, -r, "source \"%s\"", args[i]);
		}
		if (out.n == before) {
			copy_strv_free(out.v);
			return husk_fail(err, ENOENT, "source \"%s\": not found in the %s", args[i],
					 src->context ? "build context" : "stage's root");
		}
	}
	if (!out.v && !(out.v = calloc(1, sizeof(char *))))
		return husk_fail(err, ENOMEM, "sources");
	*paths = out.v;
	return 0;
}

static int hash_tree(const struct copy_src *src, int dirfd, const char *name, const char *rel,
		     struct sha256_ctx *h, husk_error **err)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, *name ? AT_SYMLINK_NOFOLLOW : AT_EMPTY_PATH) < 0)
		return husk_fail(err, errno, "source %s", *rel ? rel : ".");
	char head[4200];
	int n = snprintf(head, sizeof(head), "%s%c%o%c%lld%c", rel, 0, (unsigned) st.st_mode, 0,
			 (long long) st.st_size, 0);
	sha256_update(h, head, (size_t) n);
	if (!src->context) {
		n = snprintf(head, sizeof(head), "%u:%u", (unsigned) st.st_uid, (unsigned) st.st_gid);
		sha256_update(h, head, (size_t) n + 1);
	}
	if (S_ISLNK(st.st_mode)) {
		ssize_t l = readlinkat(dirfd, name, head, sizeof(head));
		if (l > 0)
			sha256_update(h, head, (size_t) l);
		return 0;
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return 0;
	int fd = *name ? openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
						 (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0))
		       : copy_reopen(dirfd, O_RDONLY);
	if (fd < 0)
		return husk_fail(err, errno, "source %s", rel);
	if (S_ISREG(st.st_mode)) {
		char buf[65536];
		ssize_t r;
		while ((r = read(fd, buf, sizeof(buf))) > 0)
			sha256_update(h, buf, (size_t) r);
		close(fd);
		return r < 0 ? husk_fail(err, errno, "read %s", rel) : 0;
	}
	char **names = NULL;
	int r = copy_dir_names(fd, &names);
	if (r < 0) {
		close(fd);
		return husk_fail(err, -r, "source %s", rel);
	}
	for (char **p = names; r >= 0 && *p; p++) {
		cleanup_free char *sub = NULL;
		if (asprintf(&sub, "%s%s%s", rel, *rel ? "/" : "", *p) < 0) {
			r = husk_fail(err, ENOMEM, "source");
			break;
		}
		if (src->ign && copy_ignored(src->ign, sub, true))
			continue;
		r = hash_tree(src, fd, *p, sub, h, err);
	}
	copy_strv_free(names);
	close(fd);
	return r;
}

bool copy_ignored(const struct ignore *ig, const char *rel, bool any_negation_descends)
{
	if (!ignore_match(ig, rel))
		return false;
	if (!any_negation_descends)
		return true;
	for (size_t i = 0; i < ig->n; i++)
		if (ig->negate[i])
			return false;   /* an exception may lie below: look inside */
	return true;
}

int copy_dir_names(int dirfd, char ***ret)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	struct list l = { 0 };
	struct dirent *de;
	int r = 0;
	while (r == 0 && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			r = list_add(&l, de->d_name);
	closedir(d);
	if (r == 0 && !l.v && !(l.v = calloc(1, sizeof(char *))))
		r = -ENOMEM;
	if (r < 0) {
		copy_strv_free(l.v);
		return r;
	}
	qsort(l.v, l.n, sizeof(char *), cmp_str);
	*ret = l.v;
	return 0;
}

int copy_hash(const struct copy_src *src, char *const *paths, struct sha256_ctx *h,
	      husk_error **err)
{
	for (char *const *p = paths; *p; p++) {
		int fd = copy_open_in(src->rootfd, *p, O_PATH);
		if (fd < 0)
			return husk_fail(err, -fd, "source %s", *p);
		int r = hash_tree(src, fd, "", *p, h, err);
		close(fd);
		if (r < 0)
			return r;
	}
	return 0;
}
