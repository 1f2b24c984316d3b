/* Network definitions under STORE/networks (see network.h). */
#include "net/network.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/subnet.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

static const struct net_def builtin = {
	.name = NET_DEFAULT, .bridge = "husk0", .subnet = "10.88.0.0/16", .gateway = "10.88.0.1",
	.created = "0001-01-01T00:00:00Z",
};

/* STORE/networks, made when missing. */
static int dir_open(const char *store, husk_error **err)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/networks", store);
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return husk_fail(err, errno, "mkdir %s", path);
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? husk_fail(err, errno, "open %s", path) : fd;
}

static bool name_valid(const char *n)
{
	if (!*n || strlen(n) > NET_NAME_MAX || !isalnum((unsigned char) *n))
		return false;
	for (const char *p = n; *p; p++)
		if (!isalnum((unsigned char) *p) && !strchr("_.-", *p))
			return false;
	return true;
}

static void copy(char *dst, size_t len, json_object *v)
{
	snprintf(dst, len, "%s", json_is_string(v) ? json_object_get_string(v) : "");
}

static int def_from_json(json_object *o, struct net_def *d, husk_error **err)
{
	*d = (struct net_def) { 0 };
	copy(d->name, sizeof(d->name), json_member(o, "Name"));
	copy(d->bridge, sizeof(d->bridge), json_member(o, "Bridge"));
	copy(d->subnet, sizeof(d->subnet), json_member(o, "Subnet"));
	copy(d->gateway, sizeof(d->gateway), json_member(o, "Gateway"));
	copy(d->subnet6, sizeof(d->subnet6), json_member(o, "Subnet6"));
	copy(d->gateway6, sizeof(d->gateway6), json_member(o, "Gateway6"));
	copy(d->created, sizeof(d->created), json_member(o, "Created"));
	d->internal = json_object_get_boolean(json_member(o, "Internal"));
	struct net_prefix p;
	if (!*d->name || !*d->bridge || net_prefix_parse(d->subnet, &p, err) < 0)
		return husk_fail(err, 0, "incomplete");
	return 0;
}

json_object *net_def_json(const struct net_def *d)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "Name", json_object_new_string(d->name));
	json_object_object_add(o, "Bridge", json_object_new_string(d->bridge));
	json_object_object_add(o, "Subnet", json_object_new_string(d->subnet));
	json_object_object_add(o, "Gateway", json_object_new_string(d->gateway));
	if (*d->subnet6) {
		json_object_object_add(o, "Subnet6", json_object_new_string(d->subnet6));
		json_object_object_add(o, "Gateway6", json_object_new_string(d->gateway6));
	}
	json_object_object_add(o, "Internal", json_object_new_boolean(d->internal));
	json_object_object_add(o, "Created", json_object_new_string(d->created));
	return o;
}

/* 1: read, 0: no such file. */
static int def_read(int dfd, const char *name, struct net_def *d, husk_error **err)
{
	char file[NET_NAME_MAX + 8];
	snprintf(file, sizeof(file), "%s.json", name);
	cleanup_free char *text = NULL;
	size_t len;
	cleanup_json json_object *o = NULL;
	if (faccessat(dfd, file, F_OK, 0) < 0)
		return 0;
	if (read_file_at(dfd, file, &text, &len, err) < 0 || json_parse_text(text, len, &o, err) < 0 ||
	    def_from_json(o, d, err) < 0)
		return husk_wrap(err, "network %s", name);
	return 1;
}

int net_network_get(const char *store, const char *name, struct net_def *ret, husk_error **err)
{
	if (!name_valid(name))
		return husk_fail(err, 0, "network %s: not a network name (letters, digits, _.-)", name);
	cleanup_close int dfd = dir_open(store, err);
	if (dfd < 0)
		return dfd;
	int r = def_read(dfd, name, ret, err);
	if (r != 0)
		return r < 0 ? r : 0;
	if (strcmp(name, NET_DEFAULT) == 0) {
		*ret = builtin;
		return 0;
	}
	return husk_fail(err, 0, "network %s: no such network", name);
}

int net_network_list(const char *store, struct net_def **ret, size_t *n, husk_error **err)
{
	cleanup_close int dfd = dir_open(store, err);
	if (dfd < 0)
		return dfd;
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_closedir DIR *dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir) {
		if (fd >= 0)
			close(fd);
		return husk_fail(err, errno, "networks");
	}
	size_t cap = 8, count = 1;
	cleanup_free struct net_def *v = malloc(cap * sizeof(*v));
	if (!v)
		return husk_fail(err, ENOMEM, "networks");
	v[0] = builtin;
	for (struct dirent *e; (e = readdir(dir));) {
		size_t l = strlen(e->d_name);
		if (e->d_name[0] == '.' || l < 6 || strcmp(e->d_name + l - 5, ".json"))
			continue;
		char name[NET_NAME_MAX + 8];
		snprintf(name, sizeof(name), "%.*s", (int) (l - 5), e->d_name);
		struct net_def d;
		if (!name_valid(name) || def_read(dfd, name, &d, err) < 0)
			return -1;
		if (strcmp(name, NET_DEFAULT) == 0) {
			v[0] = d;
			continue;
		}
		if (count == cap) {
			struct net_def *nv = realloc(v, (cap *= 2) * sizeof(*v));
			if (!nv)
				return husk_fail(err, ENOMEM, "networks");
			v = nv;
		}
		v[count++] = d;
	}
	*ret = steal_ptr(v);
	*n = count;
	return 0;
}

/* The gateway: given (inside the subnet, not its network address), or the
 * first address. */
static int gateway(const char *subnet, const char *given, char *out, size_t len, husk_error **err)
{
	struct net_prefix p;
	if (net_prefix_parse(subnet, &p, err) < 0)
		return -1;
	if (!given) {
		net_prefix_nth(&p, 1, out, len);
		return 0;
	}
	unsigned char a[16];
	if (net_addr_parse(&p, given, a, err) < 0)
		return husk_wrap(err, "--gateway");
	int64_t i = net_prefix_index(&p, a);
	if (i < 1 || i >= net_prefix_hosts(&p))
		return husk_fail(err, 0, "--gateway %s: not a host address of the subnet %s", given,
				 subnet);
	snprintf(out, len, "%s", given);
	return 0;
}

static int overlap_check(const struct net_def *all, size_t n, const char *subnet, const char *self,
			 husk_error **err)
{
	struct net_prefix p, q;
	if (!*subnet || net_prefix_parse(subnet, &p, err) < 0)
		return *subnet ? -1 : 0;
	for (size_t i = 0; i < n; i++) {
		const char *theirs[] = { all[i].subnet, all[i].subnet6 };
		if (strcmp(all[i].name, self) == 0)
			continue;
		for (size_t k = 0; k < 2; k++)
			if (*theirs[k] && net_prefix_parse(theirs[k], &q, err) >= 0 &&
			    net_prefix_overlap(&p, &q))
				return husk_fail(err, EEXIST, "subnet %s: overlaps %s of network %s",
						 subnet, theirs[k], all[i].name);
	}
	return 0;
}

/* A /24 of 10.89.0.0/16 that no network has. */
static int pick_subnet(const struct net_def *all, size_t n, char *out, size_t len,
		       husk_error **err)
{
	for (int k = 0; k < 256; k++) {
		snprintf(out, len, "10.89.%d.0/24", k);
		husk_error *e = NULL;
		int r = overlap_check(all, n, out, "", &e);
		husk_error_free(e);
		if (r == 0)
			return 0;
	}
	return husk_fail(err, 0, "no free subnet in 10.89.0.0/16: give --subnet");
}

/* husk's bridges: husk0 for the default, hk-<8 hex of the name> else. */
static void bridge_name(const char *name, char out[IFNAMSIZ])
{
	uint32_t h = 2166136261u;
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char) *p) * 16777619u;
	snprintf(out, IFNAMSIZ, "hk-%08x", h);
}

static int lock_dir(int dfd, husk_error **err)
{
	int fd = openat(dfd, ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return husk_fail(err, e, "lock the networks");
	}
	return fd;
}

int net_network_create(const char *store, const struct net_create_opts *o, struct net_def *ret,
		       husk_error **err)
{
	if (!name_valid(o->name))
		return husk_fail(err, 0, "network %s: not a network name (letters, digits, _.-, "
				 "at most %d)", o->name, NET_NAME_MAX);
	if (strncmp(o->name, "cni:", 4) == 0 || !strcmp(o->name, "none") || !strcmp(o->name, "host"))
		return husk_fail(err, 0, "network %s: a reserved name", o->name);
	cleanup_close int dfd = dir_open(store, err);
	if (dfd < 0)
		return dfd;
	/* One create at a time: the overlap check sees the others. */
	cleanup_close int lock = lock_dir(dfd, err);
	if (lock < 0)
		return lock;
	struct net_def d = { 0 };
	if (def_read(dfd, o->name, &d, err) != 0)
		return husk_fail(err, EEXIST, "network %s: exists", o->name);
	cleanup_free struct net_def *all = NULL;
	size_t n = 0;
	if (net_network_list(store, &all, &n, err) < 0)
		return -1;
	snprintf(d.name, sizeof(d.name), "%s", o->name);
	snprintf(d.created, sizeof(d.created), "%s", o->created ? o->created : "");
	d.internal = o->internal;
	if (strcmp(o->name, NET_DEFAULT) == 0)
		snprintf(d.bridge, sizeof(d.bridge), "husk0");
	else
		bridge_name(o->name, d.bridge);
	for (size_t i = 0; i < n; i++)
		if (strcmp(all[i].name, d.name) && strcmp(all[i].bridge, d.bridge) == 0)
			return husk_fail(err, EEXIST, "network %s: its bridge %s is network %s's",
					 d.name, d.bridge, all[i].name);
	struct net_prefix p;
	const char *s4 = o->subnet, *s6 = o->subnet6;
	/* --ipv6 --subnet V6 alone: an IPv6 subnet given as the only one. */
	if (s4 && net_prefix_parse(s4, &p, err) < 0)
		return -1;
	if (s4 && p.family == AF_INET6) {
		if (!o->ipv6)
			return husk_fail(err, 0, "subnet %s: an IPv6 subnet needs --ipv6", s4);
		if (s6)
			return husk_fail(err, 0, "subnet %s: two IPv6 subnets", s4);
		s6 = s4;
		s4 = NULL;
	}
	if (s6 && !o->ipv6)
		return husk_fail(err, 0, "subnet %s: needs --ipv6", s6);
	if (s4)
		snprintf(d.subnet, sizeof(d.subnet), "%s", s4);
	else if (pick_subnet(all, n, d.subnet, sizeof(d.subnet), err) < 0)
		return -1;
	if (s6 && (net_prefix_parse(s6, &p, err) < 0 || p.family != AF_INET6))
		return husk_fail(err, 0, "subnet %s: not an IPv6 subnet", s6);
	if (o->ipv6 && !s6)
		return husk_fail(err, 0, "--ipv6: expects --subnet with an IPv6 subnet");
	snprintf(d.subnet6, sizeof(d.subnet6), "%s", s6 ? s6 : "");
	const char *g4 = o->gateway, *g6 = o->gateway6;
	if (g4 && strchr(g4, ':')) {
		g6 = g4;
		g4 = NULL;
	}
	if (gateway(d.subnet, g4, d.gateway, sizeof(d.gateway), err) < 0 ||
	    (*d.subnet6 && gateway(d.subnet6, g6, d.gateway6, sizeof(d.gateway6), err) < 0) ||
	    overlap_check(all, n, d.subnet, d.name, err) < 0 ||
	    overlap_check(all, n, d.subnet6, d.name, err) < 0)
		return -1;
	cleanup_json json_object *j = net_def_json(&d);
	const char *text = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY);
	char file[NET_NAME_MAX + 8];
	snprintf(file, sizeof(file), "%s.json", d.name);
	if (write_file_atomic_at(dfd, file, text, strlen(text), 0600, err) < 0)
		return -1;
	if (ret)
		*ret = d;
	return 0;
}

int net_network_forget(const char *store, const char *name, husk_error **err)
{
	cleanup_close int dfd = dir_open(store, err);
	if (dfd < 0)
		return dfd;
	const char *ext[] = { ".json", ".leases", ".lock" };
	for (size_t i = 0; i < 3; i++) {
		char file[NET_NAME_MAX + 8];
		snprintf(file, sizeof(file), "%s%s", name, ext[i]);
		if (unlinkat(dfd, file, 0) < 0 && errno != ENOENT)
			return husk_fail(err, errno, "network %s: remove %s", name, file);
	}
	return 0;
}
