/* A container on husk's own bridge networks (src/net/).  In the core's
 * created hook (the container's pid known, its program not started): per
 * network an address leased, the bridge made on first use, the network's
 * nftables rules, a veth pair with its host end on the bridge and the
 * other moved into the container as eth0 (eth1...) with the address and
 * the default route; then the published ports and /etc/hosts.  Each step
 * is recorded in the container's net.json before it is taken, so that
 * teardown (the container's end, rm, rm -f after a SIGKILL of husk or the
 * shim mid-setup) removes what was made: veth, lease, rules. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/internal.h"
#include "net/link.h"
#include "net/network.h"
#include "net/nft.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"

#define RECORD "net.json"
#define MAX_NETWORKS 10
#define BRIDGE_MARK "husk network: rules set"

static int record_write(const char *cdir, json_object *rec, husk_error **err)
{
	return cdir_write_json(cdir, RECORD, rec, err);
}

static bool dir_alive(const char *dir)
{
	return lifecycle_runner_alive(dir);
}

/* /etc/hosts of the container in dir: its own names on its addresses, the
 * --add-host entries, and every other container of its networks by name.
 * net/leases: the leases of one network as they are about to be written
 * (the others are read as they are). */
static int hosts_rewrite(const char *store, const char *dir, const char *net, json_object *leases,
			 husk_error **err)
{
	cleanup_free char *text = NULL;
	size_t len;
	cleanup_json json_object *meta = NULL;
	char path[4096];
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	if (read_file_at(AT_FDCWD, path, &text, &len, err) < 0 ||
	    json_parse_text(text, len, &meta, err) < 0)
		return -1;
	const char *id = json_object_get_string(json_member(meta, "id"));
	const char *name = json_object_get_string(json_member(meta, "name"));
	const char *hn = json_object_get_string(json_member(json_member(meta, "config"), "Hostname"));
	json_object *hc = json_member(meta, "hostConfig");
	json_object *nets = json_member(hc, "Networks");
	cleanup_free char *own = NULL, *peers = NULL;
	size_t own_len = 0, peers_len = 0;
	FILE *o = open_memstream(&own, &own_len), *p = open_memstream(&peers, &peers_len);
	if (!o || !p) {
		if (o)
			fclose(o);
		if (p)
			fclose(p);
		return husk_fail(err, ENOMEM, "hosts");
	}
	for (size_t i = 0; nets && i < json_object_array_length(nets); i++) {
		const char *nn = json_object_get_string(json_object_array_get_idx(nets, i));
		cleanup_json json_object *read = NULL;
		json_object *l = leases;
		husk_error *e = NULL;
		if (!net || strcmp(nn, net)) {
			if (net_leases_read(store, nn, &read, &e) < 0) {
				husk_error_free(e);
				continue;
			}
			l = read;
		}
		json_object_object_foreach(l, ip, v) {
			const char *lid = json_object_get_string(json_member(v, "id"));
			const char *ln = json_object_get_string(json_member(v, "name"));
			if (lid && id && !strcmp(lid, id))
				fprintf(o, "%s\t%s%s%s\n", ip, hn ? hn : "", name ? " " : "", name ? name : "");
			else if (ln)
				fprintf(p, "%s\t%s\n", ip, ln);
		}
	}
	fclose(o);
	fclose(p);
	cleanup_free char *hosts = etc_hosts_text(hn, json_member(hc, "ExtraHosts"),
						  own_len ? own : NULL, peers);
	if (!hosts)
		return husk_fail(err, ENOMEM, "hosts");
	cleanup_close int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return husk_fail(err, errno, "open %s", dir);
	/* In place: the file is bind-mounted into the running container. */
	return write_file_at(dfd, "hosts", hosts, strlen(hosts), 0644, err);
}

/* Every container of the network gets its /etc/hosts again. */
static void hosts_refresh(const char *store, const char *net, json_object *leases)
{
	json_object_object_foreach(leases, ip, v) {
		(void) ip;
		const char *dir = json_object_get_string(json_member(v, "dir"));
		husk_error *e = NULL;
		if (dir && hosts_rewrite(store, dir, net, leases, &e) < 0)
			log_debug("hosts of %s: %s", dir, e->msg);
		husk_error_free(e);
	}
}

struct take {
	const struct network_start *s;
	const struct net_def *d;
	const char *want;
	struct net_lease lease;
};

static int take_edit(json_object *leases, void *arg, husk_error **err)
{
	struct take *t = arg;
	const char *name = json_object_get_string(json_member(t->s->meta, "name"));
	if (net_lease_pick(leases, t->d, t->s->id, name ? name : "", t->s->cdir, t->want, dir_alive,
			   &t->lease, err) < 0)
		return -1;
	hosts_refresh(t->s->c->store, t->d->name, leases);
	return 0;
}

struct drop {
	const char *store, *net, *id;
};

static int drop_edit(json_object *leases, void *arg, husk_error **err)
{
	(void) err;
	struct drop *d = arg;
	net_lease_drop(leases, d->id);
	hosts_refresh(d->store, d->net, leases);
	return 0;
}

/* Forwarding on in the host's namespace, as any router of containers
 * needs (route_localnet on the bridge is net_nft_network_add's). */
static void ip_forward(void)
{
	const char *file = "/proc/sys/net/ipv4/ip_forward";
	char v = 0;
	int fd = open(file, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	if (read(fd, &v, 1) == 1 && v != '1' && pwrite(fd, "1\n", 2, 0) < 0)
		log_warn("%s: %s", file, strerror(errno));
	close(fd);
}

static int one_network(const struct network_start *s, json_object *rec, json_object *entry,
		       size_t idx, int nsfd, husk_error **err)
{
	const char *name = json_object_get_string(json_member(entry, "name"));
	struct net_def d;
	if (net_network_get(s->c->store, name, &d, err) < 0)
		return -1;
	json_object *hc = json_member(s->meta, "hostConfig");
	struct take t = { .s = s, .d = &d,
			  .want = idx == 0 ? json_object_get_string(json_member(hc, "IPAddress")) : NULL };
	if (net_leases_edit(s->c->store, d.name, take_edit, &t, err) < 0)
		return -1;
	json_object_object_add(entry, "ip", json_object_new_string(t.lease.ip));
	json_object_object_add(entry, "prefix", json_object_new_int(t.lease.prefix));
	if (*t.lease.ip6)
		json_object_object_add(entry, "ip6", json_object_new_string(t.lease.ip6));
	json_object_object_add(entry, "gateway", json_object_new_string(d.gateway));
	if (record_write(s->cdir, rec, err) < 0)
		return -1;
	char gw[80], gw6[80], a4[80], a6[80], ifname[16];
	snprintf(gw, sizeof(gw), "%s/%d", d.gateway, t.lease.prefix);
	snprintf(gw6, sizeof(gw6), "%s/%d", d.gateway6, t.lease.prefix6);
	snprintf(a4, sizeof(a4), "%s/%d", t.lease.ip, t.lease.prefix);
	snprintf(a6, sizeof(a6), "%s/%d", t.lease.ip6, t.lease.prefix6);
	snprintf(ifname, sizeof(ifname), "eth%zu", idx);
	const char *br_addrs[] = { gw, *d.subnet6 ? gw6 : NULL, NULL };
	const char *ctr_addrs[] = { a4, *t.lease.ip6 ? a6 : NULL, NULL };
	struct net_nft_network nn = { .name = d.name, .bridge = d.bridge, .subnet = d.subnet,
				      .internal = d.internal };
	/* The bridge's alias says that its addresses, sysctls and rules were
	 * all made (a bridge made by a husk killed before its rules has none):
	 * later starts skip a transaction of nftables. */
	int made = net_bridge_ensure(d.bridge, br_addrs, BRIDGE_MARK, err);
	if (made < 0)
		return husk_wrap(err, "network %s", d.name);
	if (made == 0) {
		if (!d.internal)
			ip_forward();
		/* Once per subnet (nft.h). */
		struct net_nft_network nn6 = nn;
		nn6.subnet = d.subnet6;
		if (net_nft_network_add(&nn, err) < 0 ||
		    (*d.subnet6 && net_nft_network_add(&nn6, err) < 0) ||
		    net_link_mark(d.bridge, BRIDGE_MARK, err) < 0)
			return husk_wrap(err, "network %s: rules", d.name);
	}
	const char *veth = json_object_get_string(json_member(entry, "veth"));
	/* An internal network has no way out: no default route by it. */
	bool route = idx == 0 && !d.internal;
	struct net_ctr_if ci = { .ifname = ifname, .addrs = ctr_addrs,
				 .gw4 = route ? d.gateway : NULL,
				 .gw6 = route && *d.gateway6 ? d.gateway6 : NULL };
	if (net_veth_add(veth, d.bridge, nsfd, ifname, err) < 0 ||
	    net_ctr_configure(nsfd, &ci, err) < 0)
		return husk_wrap(err, "network %s", d.name);
	return 0;
}

static int publish(const struct network_start *s, json_object *rec, husk_error **err)
{
	json_object *pm = json_member(json_member(s->meta, "hostConfig"), "PortMappings");
	size_t n = json_is_array(pm) ? json_object_array_length(pm) : 0;
	if (n == 0)
		return 0;
	json_object *first = json_object_array_get_idx(json_member(rec, "networks"), 0);
	const char *ip = json_object_get_string(json_member(first, "ip"));
	cleanup_free struct net_nft_port *ports = calloc(n, sizeof(*ports));
	if (!ports)
		return husk_fail(err, ENOMEM, "ports");
	for (size_t i = 0; i < n; i++) {
		json_object *m = json_object_array_get_idx(pm, i);
		ports[i] = (struct net_nft_port) {
			.host_ip = json_object_get_string(json_member(m, "hostIP")),
			.host_port = (uint16_t) json_object_get_int(json_member(m, "hostPort")),
			.ctr_port = (uint16_t) json_object_get_int(json_member(m, "containerPort")),
			.proto = json_object_get_string(json_member(m, "protocol")),
			.ctr_ip = ip,
		};
	}
	json_object_object_add(rec, "ports", json_object_new_boolean(true));
	if (record_write(s->cdir, rec, err) < 0)
		return -1;
	return net_nft_ports_add(s->id, json_object_get_string(json_member(first, "name")), ports, n,
				 err);
}

int network_bridge_created(void *arg, pid_t pid, husk_error **err)
{
	struct network_start *s = arg;
	json_object *nets = network_bridge_list(s->meta);
	size_t n = json_object_array_length(nets);
	if (n > MAX_NETWORKS)
		return husk_fail(err, 0, "at most %d networks per container", MAX_NETWORKS);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int) pid);
	cleanup_close int nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return husk_fail(err, errno, "open %s", path);
	cleanup_json json_object *rec = json_object_new_object();
	json_object *list = json_object_new_array();
	json_object_object_add(rec, "networks", list);
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_new_object();
		char veth[16];
		snprintf(veth, sizeof(veth), "hk%.11s%zu", s->id, i);
		json_object_object_add(e, "name", json_object_get(json_object_array_get_idx(nets, i)));
		json_object_object_add(e, "veth", json_object_new_string(veth));
		json_object_array_add(list, e);
		/* Recorded before the lease and the veth exist: teardown looks
		 * for both. */
		if (record_write(s->cdir, rec, err) < 0 || one_network(s, rec, e, i, nsfd, err) < 0)
			return -1;
	}
	return publish(s, rec, err);
}

int network_bridge_teardown(const struct engine_ctx *c, const char *id, const char *cdir,
			    bool force, husk_error **err)
{
	cleanup_close int dfd = open(cdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return force ? 0 : husk_fail(err, errno, "open %s", cdir);
	if (faccessat(dfd, RECORD, F_OK, 0) < 0)
		return 0;
	cleanup_free char *text = NULL;
	size_t len;
	cleanup_json json_object *rec = NULL;
	if (read_file_at(dfd, RECORD, &text, &len, err) < 0 || json_parse_text(text, len, &rec, err) < 0) {
		if (!force)
			return husk_wrap(err, "%s/%s", cdir, RECORD);
		husk_error_freep(err);
	}
	int r = 0;
	husk_error *e = NULL;
	if (json_object_get_boolean(json_member(rec, "ports")) && net_nft_ports_del(id, &e) < 0)
		r = -1;
	json_object *nets = json_member(rec, "networks");
	for (size_t i = 0; nets && i < json_object_array_length(nets); i++) {
		json_object *n = json_object_array_get_idx(nets, i);
		const char *veth = json_object_get_string(json_member(n, "veth"));
		struct drop d = { .store = c->store, .id = id,
				  .net = json_object_get_string(json_member(n, "name")) };
		if ((veth && net_link_del(veth, e ? NULL : &e) < 0) ||
		    (d.net && net_leases_edit(c->store, d.net, drop_edit, &d, e ? NULL : &e) < 0))
			r = -1;
	}
	if (r < 0 && !force) {
		*err = e;
		return husk_wrap(err, "network teardown");
	}
	if (e)
		log_warn("network teardown: %s", e->msg);
	husk_error_free(e);
	unlinkat(dfd, RECORD, 0);
	return 0;
}

/* The addresses of a container on its networks (inspect). */
int network_bridge_record(const char *cdir, json_object **ret)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/" RECORD, cdir);
	cleanup_free char *text = NULL;
	size_t len;
	husk_error *e = NULL;
	*ret = NULL;
	if (access(path, F_OK) < 0)
		return 0;
	int r = read_file_at(AT_FDCWD, path, &text, &len, &e) < 0 ? -1 : json_parse_text(text, len, ret, &e);
	husk_error_free(e);
	return r < 0 ? 0 : 1;
}
