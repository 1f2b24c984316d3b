#include "linux/seccomp_cache.h"

/* SHA256_* rather than EVP (see src/image/digest.c); HMAC is written out
 * over them because OpenSSL's HMAC() goes through EVP, which would link
 * every provider into husk. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"

#define KEY_LEN 32
#define TAG_LEN SHA256_DIGEST_LENGTH
#define NAME_LEN (2 * SHA256_DIGEST_LENGTH)
static const char magic[8] = "huskbpf1";

/* What precedes the program; 16 bytes, so that a whole file is a multiple
 * of sizeof(struct sock_filter) as the program and the tag are. */
struct entry_head {
	char magic[8];
	uint32_t flags;
	uint32_t notify;
};
#define ENTRY_MIN (sizeof(struct entry_head) + sizeof(struct sock_filter) + TAG_LEN)
#define ENTRY_MAX (sizeof(struct entry_head) + BPF_MAXINSNS * sizeof(struct sock_filter) + TAG_LEN)

static void hmac_sha256(const unsigned char key[KEY_LEN], const char *name, const void *buf, size_t len,
			unsigned char out[TAG_LEN])
{
	unsigned char pad[SHA256_CBLOCK], inner[TAG_LEN];
	SHA256_CTX c;
	memset(pad, 0x36, sizeof(pad));
	for (int i = 0; i < KEY_LEN; i++)
		pad[i] ^= key[i];
	SHA256_Init(&c);
	SHA256_Update(&c, pad, sizeof(pad));
	SHA256_Update(&c, name, NAME_LEN);
	SHA256_Update(&c, buf, len);
	SHA256_Final(inner, &c);
	memset(pad, 0x5c, sizeof(pad));
	for (int i = 0; i < KEY_LEN; i++)
		pad[i] ^= key[i];
	SHA256_Init(&c);
	SHA256_Update(&c, pad, sizeof(pad));
	SHA256_Update(&c, inner, sizeof(inner));
	SHA256_Final(out, &c);
	OPENSSL_cleanse(pad, sizeof(pad));
}

/* The entry's name: what the compiled program depends on. */
static int entry_name(json_object *sc, char name[NAME_LEN + 1])
{
	const char *text = json_object_to_json_string_ext(sc, JSON_C_TO_STRING_PLAIN);
	struct utsname u;
	if (text == NULL || uname(&u) < 0)
		return -1;
	const struct scmp_version *v = seccomp_version();
	char extra[64 + sizeof(u.release) + sizeof(u.machine)];
	int n = snprintf(extra, sizeof(extra), "%c%u.%u.%u%capi %u%c%s%c%s", 0, v->major, v->minor, v->micro,
			 0, seccomp_api_get(), 0, u.release, 0, u.machine);
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256_CTX c;
	SHA256_Init(&c);
	SHA256_Update(&c, text, strlen(text));
	SHA256_Update(&c, extra, (size_t) n);
	SHA256_Final(md, &c);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
		snprintf(name + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* Opens a regular file of the caller's in dirfd, not through a symlink,
 * and not waiting on a fifo; -1 when it is anything else. */
static int open_own_file(int dirfd, const char *name, struct stat *st)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode) || st->st_uid != geteuid()) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

static int read_exact(int fd, void *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, (char *) buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t) n;
	}
	return 0;
}

/* Writes buf to a new temporary file in dirfd, then renames it to name
 * (link when !replace: the first writer of a name wins).  No fsync: a torn
 * entry fails its tag and is compiled again; a torn key is refused and the
 * cache is passed by until `husk image prune` clears it. */
static int publish(int dirfd, const char *name, const void *buf, size_t len, bool replace)
{
	char tmp[64];
	unsigned rnd = 0;
	if (getrandom(&rnd, sizeof(rnd), 0) < 0)
		return -1;
	snprintf(tmp, sizeof(tmp), ".tmp-%d-%08x", (int) getpid(), rnd);
	int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, buf, len);
	int r = close(fd);
	if (n == (ssize_t) len && r == 0)
		r = replace ? renameat(dirfd, tmp, dirfd, name) : linkat(dirfd, tmp, dirfd, name, 0);
	else
		r = -1;
	int saved = errno;
	if (r < 0 || !replace)
		unlinkat(dirfd, tmp, 0);
	errno = saved;
	return r;
}

/* The cache's secret: read, or made by the first husk to use the cache. */
static int cache_key(int dirfd, unsigned char key[KEY_LEN])
{
	for (int attempt = 0; attempt < 2; attempt++) {
		struct stat st;
		int fd = open_own_file(dirfd, "key", &st);
		if (fd >= 0) {
			int r = (st.st_mode & 077) == 0 && st.st_size == KEY_LEN ? read_exact(fd, key, KEY_LEN) : -1;
			close(fd);
			return r;
		}
		if (errno != ENOENT || getrandom(key, KEY_LEN, 0) != KEY_LEN)
			return -1;
		if (publish(dirfd, "key", key, KEY_LEN, false) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
		/* Another husk made it first: its key it is. */
	}
	return -1;
}

/* The cache directory, when it is the caller's alone. */
static int open_cache_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) {
		husk_error *e = NULL;
		if (mkdir_p(dir, 0700, &e) < 0) {
			husk_error_free(e);
			return -1;
		}
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	}
	struct stat st;
	if (fd >= 0 && (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022))) {
		log_debug("seccomp cache %s: not the caller's alone (owner %d, mode %o): not used", dir,
			  (int) st.st_uid, (unsigned) (st.st_mode & 07777));
		close(fd);
		return -1;
	}
	return fd;
}

/* A hit fills p (listener strings aside); anything wrong is a miss. */
static int entry_read(int dirfd, const char *name, const unsigned char key[KEY_LEN],
		      struct seccomp_program *p)
{
	struct stat st;
	cleanup_close int fd = open_own_file(dirfd, name, &st);
	if (fd < 0)
		return -1;
	size_t len = (size_t) st.st_size;
	if (st.st_size < (off_t) ENTRY_MIN || st.st_size > (off_t) ENTRY_MAX || len % sizeof(struct sock_filter))
		return -1;
	cleanup_free unsigned char *buf = malloc(len);
	unsigned char tag[TAG_LEN];
	struct entry_head h;
	if (buf == NULL || read_exact(fd, buf, len) < 0)
		return -1;
	hmac_sha256(key, name, buf, len - TAG_LEN, tag);
	memcpy(&h, buf, sizeof(h));
	if (CRYPTO_memcmp(tag, buf + len - TAG_LEN, TAG_LEN) != 0 || memcmp(h.magic, magic, sizeof(magic)))
		return -1;
	size_t prog = len - sizeof(h) - TAG_LEN;
	p->filter = malloc(prog);
	if (p->filter == NULL)
		return -1;
	memcpy(p->filter, buf + sizeof(h), prog);
	p->len = (unsigned short) (prog / sizeof(struct sock_filter));
	p->flags = h.flags;
	p->notify = h.notify != 0;
	return 0;
}

static void entry_write(int dirfd, const char *name, const unsigned char key[KEY_LEN],
			const struct seccomp_program *p)
{
	size_t prog = p->len * sizeof(struct sock_filter), len = sizeof(struct entry_head) + prog + TAG_LEN;
	cleanup_free unsigned char *buf = malloc(len);
	if (buf == NULL)
		return;
	struct entry_head h = { .flags = p->flags, .notify = p->notify };
	memcpy(h.magic, magic, sizeof(magic));
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), p->filter, prog);
	hmac_sha256(key, name, buf, len - TAG_LEN, buf + len - TAG_LEN);
	if (publish(dirfd, name, buf, len, true) < 0)
		log_debug("seccomp cache: write %s: %s", name, strerror(errno));
}

int seccomp_compile_cached(json_object *sc, const char *cache_dir, struct seccomp_program *p,
			   husk_error **err)
{
	*p = (struct seccomp_program) { 0 };
	if (sc == NULL || cache_dir == NULL)
		return seccomp_compile(sc, p, err);
	char name[NAME_LEN + 1];
	unsigned char key[KEY_LEN];
	cleanup_close int dirfd = open_cache_dir(cache_dir);
	bool usable = dirfd >= 0 && cache_key(dirfd, key) == 0 && entry_name(sc, name) == 0;
	if (usable && entry_read(dirfd, name, key, p) == 0) {
		json_object *v = json_member(sc, "listenerPath");
		p->listener_path = v && json_is_string(v) ? json_object_get_string(v) : NULL;
		v = json_member(sc, "listenerMetadata");
		p->listener_metadata = v && json_is_string(v) ? json_object_get_string(v) : NULL;
		OPENSSL_cleanse(key, sizeof(key));
		return 0;
	}
	if (dirfd >= 0 && !usable)
		log_debug("seccomp cache %s: no usable key: not used", cache_dir);
	int r = seccomp_compile(sc, p, err);
	if (r >= 0 && usable && p->len)
		entry_write(dirfd, name, key, p);
	OPENSSL_cleanse(key, sizeof(key));
	return r;
}
