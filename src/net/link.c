#include "net/link.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"

#define NL_BUF 8192

struct nl {
	struct mnl_socket *s;
	unsigned seq, portid;
	char buf[NL_BUF];
};

static void nl_closep(struct nl **n)
{
	if (*n) {
		mnl_socket_close((*n)->s);
		free(*n);
	}
}
#define cleanup_nl __attribute__((cleanup(nl_closep)))

/* A socket in the namespace of netns_fd (-1: the thread's own): a netlink
 * socket belongs to the namespace it was made in. */
static int nl_open(int netns_fd, struct nl **ret, husk_error **err)
{
	struct nl *n = calloc(1, sizeof(*n));
	if (!n)
		return husk_fail(err, ENOMEM, "netlink");
	cleanup_close int self = -1;
	if (netns_fd >= 0) {
		self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (self < 0 || setns(netns_fd, CLONE_NEWNET) < 0) {
			free(n);
			return husk_fail(err, errno, "enter the container's network namespace");
		}
	}
	n->s = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	int e = errno;
	if (self >= 0 && setns(self, CLONE_NEWNET) < 0)
		abort();   /* husk would go on in the container's namespace */
	if (!n->s || mnl_socket_bind(n->s, 0, MNL_SOCKET_AUTOPID) < 0) {
		e = errno;
		if (n->s)
			mnl_socket_close(n->s);
		free(n);
		return husk_fail(err, e, "netlink socket");
	}
	n->portid = mnl_socket_get_portid(n->s);
	n->seq = (unsigned) time(NULL);
	*ret = n;
	return 0;
}

static struct nlmsghdr *nl_msg(struct nl *n, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *h = mnl_nlmsg_put_header(n->buf);
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	h->nlmsg_seq = ++n->seq;
	return h;
}

/* Sends h, waits for the kernel's ack: 0 or -errno. */
static int nl_talk(struct nl *n, struct nlmsghdr *h)
{
	if (mnl_socket_sendto(n->s, h, h->nlmsg_len) < 0)
		return -errno;
	char rbuf[NL_BUF];
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(n->s, rbuf, sizeof(rbuf));
		if (len < 0)
			return -errno;
		int r = mnl_cb_run(rbuf, len, h->nlmsg_seq, n->portid, NULL, NULL);
		if (r < 0)
			return -errno;
		if (r == MNL_CB_STOP)
			return 0;
	}
}

static struct ifinfomsg *link_hdr(struct nlmsghdr *h)
{
	struct ifinfomsg *i = mnl_nlmsg_put_extra_header(h, sizeof(*i));
	i->ifi_family = AF_UNSPEC;
	return i;
}

static int link_up(struct nl *n, int index)
{
	struct nlmsghdr *h = nl_msg(n, RTM_NEWLINK, 0);
	struct ifinfomsg *i = link_hdr(h);
	i->ifi_index = index;
	i->ifi_flags = i->ifi_change = IFF_UP;
	return nl_talk(n, h);
}

struct alias_cb {
	char *out;
	size_t len;
};

static int alias_attr(const struct nlattr *a, void *data)
{
	struct alias_cb *c = data;
	if (mnl_attr_get_type(a) == IFLA_IFALIAS && mnl_attr_validate(a, MNL_TYPE_STRING) >= 0)
		snprintf(c->out, c->len, "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

/* The index of name; its alias (IFLA_IFALIAS) into alias when given. */
static int link_lookup(struct nl *n, const char *name, char *alias, size_t alias_len)
{
	/* RTM_GETLINK by name, in the socket's namespace (if_nametoindex
	 * would ask the thread's). */
	struct nlmsghdr *h = mnl_nlmsg_put_header(n->buf);
	h->nlmsg_type = RTM_GETLINK;
	h->nlmsg_flags = NLM_F_REQUEST;
	h->nlmsg_seq = ++n->seq;
	link_hdr(h);
	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	if (mnl_socket_sendto(n->s, h, h->nlmsg_len) < 0)
		return -errno;
	char rbuf[NL_BUF];
	ssize_t len = mnl_socket_recvfrom(n->s, rbuf, sizeof(rbuf));
	if (len < 0)
		return -errno;
	struct nlmsghdr *r = (struct nlmsghdr *) rbuf;
	if (!mnl_nlmsg_ok(r, (int) len))
		return -EIO;
	if (r->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr *e = mnl_nlmsg_get_payload(r);
		return e->error ? e->error : -ENODEV;
	}
	struct ifinfomsg *i = mnl_nlmsg_get_payload(r);
	if (alias) {
		struct alias_cb c = { alias, alias_len };
		*alias = '\0';
		mnl_attr_parse(r, sizeof(*i), alias_attr, &c);
	}
	return i->ifi_index;
}

static int ifindex(struct nl *n, const char *name)
{
	return link_lookup(n, name, NULL, 0);
}

/* "ADDR/LEN" on index. */
static int addr_add(struct nl *n, int index, const char *cidr, husk_error **err)
{
	char a[64];
	snprintf(a, sizeof(a), "%s", cidr);
	char *slash = strchr(a, '/');
	if (!slash)
		return husk_fail(err, 0, "address %s: expects ADDRESS/LENGTH", cidr);
	*slash = '\0';
	unsigned char bin[16];
	int family = strchr(a, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(family, a, bin) != 1)
		return husk_fail(err, 0, "address %s: not an IP address", cidr);
	struct nlmsghdr *h = nl_msg(n, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE);
	struct ifaddrmsg *m = mnl_nlmsg_put_extra_header(h, sizeof(*m));
	m->ifa_family = family;
	m->ifa_prefixlen = atoi(slash + 1);
	m->ifa_index = index;
	/* No duplicate address detection: the address is ours on a bridge of
	 * ours, and DAD would hold it back for a second. */
	m->ifa_flags = family == AF_INET6 ? IFA_F_NODAD : 0;
	size_t alen = family == AF_INET ? 4 : 16;
	mnl_attr_put(h, IFA_LOCAL, alen, bin);
	mnl_attr_put(h, IFA_ADDRESS, alen, bin);
	int r = nl_talk(n, h);
	return r < 0 ? husk_fail(err, -r, "address %s", cidr) : 0;
}

int net_bridge_ensure(const char *name, const char *const *addrs, const char *mark,
		      husk_error **err)
{
	cleanup_nl struct nl *n = NULL;
	int r = nl_open(-1, &n, err);
	if (r < 0)
		return r;
	struct nlmsghdr *h = nl_msg(n, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	link_hdr(h);
	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	struct nlattr *li = mnl_attr_nest_start(h, IFLA_LINKINFO);
	mnl_attr_put_strz(h, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(h, li);
	r = nl_talk(n, h);
	if (r < 0 && r != -EEXIST)
		return husk_fail(err, -r, "create bridge %s", name);
	char alias[64];
	int index = link_lookup(n, name, alias, sizeof(alias));
	if (index < 0)
		return husk_fail(err, -index, "bridge %s", name);
	if (mark && strcmp(alias, mark) == 0)
		return 1;   /* made and marked earlier: the addresses are there */
	for (const char *const *a = addrs; a && *a; a++)
		if ((r = addr_add(n, index, *a, err)) < 0)
			return husk_wrap(err, "bridge %s", name);
	if ((r = link_up(n, index)) < 0)
		return husk_fail(err, -r, "bridge %s: up", name);
	return 0;
}

int net_link_mark(const char *name, const char *mark, husk_error **err)
{
	cleanup_nl struct nl *n = NULL;
	int r = nl_open(-1, &n, err);
	if (r < 0)
		return r;
	struct nlmsghdr *h = nl_msg(n, RTM_NEWLINK, 0);
	link_hdr(h);
	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	mnl_attr_put_strz(h, IFLA_IFALIAS, mark);
	r = nl_talk(n, h);
	return r < 0 ? husk_fail(err, -r, "%s: alias", name) : 0;
}

int net_link_del(const char *name, husk_error **err)
{
	cleanup_nl struct nl *n = NULL;
	int r = nl_open(-1, &n, err);
	if (r < 0)
		return r;
	struct nlmsghdr *h = nl_msg(n, RTM_DELLINK, 0);
	link_hdr(h);
	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	r = nl_talk(n, h);
	if (r < 0 && r != -ENODEV)
		return husk_fail(err, -r, "remove interface %s", name);
	return 0;
}

int net_veth_add(const char *host, const char *bridge, int netns_fd, const char *peer,
		 husk_error **err)
{
	cleanup_nl struct nl *n = NULL;
	int r = nl_open(-1, &n, err);
	if (r < 0)
		return r;
	int br = ifindex(n, bridge);
	if (br < 0)
		return husk_fail(err, -br, "bridge %s", bridge);
	/* One message: made, on the bridge, up; the peer in the container. */
	struct nlmsghdr *h = nl_msg(n, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct ifinfomsg *i = link_hdr(h);
	i->ifi_flags = i->ifi_change = IFF_UP;
	mnl_attr_put_strz(h, IFLA_IFNAME, host);
	mnl_attr_put_u32(h, IFLA_MASTER, (uint32_t) br);
	struct nlattr *li = mnl_attr_nest_start(h, IFLA_LINKINFO);
	mnl_attr_put_strz(h, IFLA_INFO_KIND, "veth");
	struct nlattr *data = mnl_attr_nest_start(h, IFLA_INFO_DATA);
	struct nlattr *pi = mnl_attr_nest_start(h, VETH_INFO_PEER);
	struct ifinfomsg *p = mnl_nlmsg_put_extra_header(h, sizeof(*p));
	p->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(h, IFLA_IFNAME, peer);
	mnl_attr_put_u32(h, IFLA_NET_NS_FD, (uint32_t) netns_fd);
	mnl_attr_nest_end(h, pi);
	mnl_attr_nest_end(h, data);
	mnl_attr_nest_end(h, li);
	r = nl_talk(n, h);
	return r < 0 ? husk_fail(err, -r, "create veth %s (%s in the container)", host, peer) : 0;
}

static int route_default(struct nl *n, int index, const char *gw, husk_error **err)
{
	int family = strchr(gw, ':') ? AF_INET6 : AF_INET;
	unsigned char bin[16];
	if (inet_pton(family, gw, bin) != 1)
		return husk_fail(err, 0, "gateway %s: not an IP address", gw);
	struct nlmsghdr *h = nl_msg(n, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE);
	struct rtmsg *m = mnl_nlmsg_put_extra_header(h, sizeof(*m));
	m->rtm_family = family;
	m->rtm_table = RT_TABLE_MAIN;
	m->rtm_protocol = RTPROT_BOOT;
	m->rtm_scope = RT_SCOPE_UNIVERSE;
	m->rtm_type = RTN_UNICAST;
	mnl_attr_put(h, RTA_GATEWAY, family == AF_INET ? 4 : 16, bin);
	mnl_attr_put_u32(h, RTA_OIF, (uint32_t) index);
	int r = nl_talk(n, h);
	return r < 0 ? husk_fail(err, -r, "default route via %s", gw) : 0;
}

int net_ctr_configure(int netns_fd, const struct net_ctr_if *c, husk_error **err)
{
	cleanup_nl struct nl *n = NULL;
	int r = nl_open(netns_fd, &n, err);
	if (r < 0)
		return r;
	int lo = ifindex(n, "lo"), index = ifindex(n, c->ifname);
	if (lo < 0 || index < 0)
		return husk_fail(err, -(lo < 0 ? lo : index), "%s in the container",
				 lo < 0 ? "lo" : c->ifname);
	if ((r = link_up(n, lo)) < 0)
		return husk_fail(err, -r, "lo up");
	for (const char *const *a = c->addrs; a && *a; a++)
		if ((r = addr_add(n, index, *a, err)) < 0)
			return husk_wrap(err, "%s", c->ifname);
	if ((r = link_up(n, index)) < 0)
		return husk_fail(err, -r, "%s up", c->ifname);
	if (c->gw4 && (r = route_default(n, index, c->gw4, err)) < 0)
		return r;
	if (c->gw6 && (r = route_default(n, index, c->gw6, err)) < 0)
		return r;
	return 0;
}
