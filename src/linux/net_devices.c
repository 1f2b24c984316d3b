#include "linux/net_devices.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/cleanup.h"

#define MAX_ADDRS 64

struct nl_req {
	struct nlmsghdr h;
	union {
		struct ifinfomsg link;
		struct ifaddrmsg addr;
	};
	char attrs[256];
};

struct saved_addr {
	struct ifaddrmsg msg;
	unsigned char local[16], address[16];
	int local_len, address_len;
};

static int nl_open(husk_error **err)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return husk_fail(err, errno, "netlink socket");
	return fd;
}

static void add_attr(struct nl_req *r, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *) ((char *) r + NLMSG_ALIGN(r->h.nlmsg_len));
	a->rta_type = type;
	a->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* Sends one request and returns the kernel's answer: 0 or -errno. */
static int nl_talk(int fd, struct nl_req *r)
{
	r->h.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (send(fd, r, r->h.nlmsg_len, 0) < 0)
		return -errno;
	char buf[4096];
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n))
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *) NLMSG_DATA(h))->error;
	}
}

/* The permanent addresses of global scope of interface index. */
static int save_addrs(int fd, int index, struct saved_addr *out, size_t *n, husk_error **err)
{
	struct nl_req r = { .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg)), .nlmsg_type = RTM_GETADDR,
				   .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP } };
	*n = 0;
	if (send(fd, &r, r.h.nlmsg_len, 0) < 0)
		return husk_fail(err, errno, "netlink: list addresses");
	char buf[8192];
	for (;;) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0)
			return husk_fail(err, errno, "netlink: list addresses");
		for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return husk_fail(err, -((struct nlmsgerr *) NLMSG_DATA(h))->error, "netlink: list addresses");
			struct ifaddrmsg *m = NLMSG_DATA(h);
			if (h->nlmsg_type != RTM_NEWADDR || (int) m->ifa_index != index ||
			    m->ifa_scope != RT_SCOPE_UNIVERSE || *n >= MAX_ADDRS)
				continue;
			struct saved_addr a = { .msg = *m };
			uint32_t flags = m->ifa_flags;
			int alen = IFA_PAYLOAD(h);
			for (struct rtattr *at = IFA_RTA(m); RTA_OK(at, alen); at = RTA_NEXT(at, alen)) {
				int l = RTA_PAYLOAD(at) > 16 ? 16 : RTA_PAYLOAD(at);
				if (at->rta_type == IFA_FLAGS && RTA_PAYLOAD(at) >= 4)
					memcpy(&flags, RTA_DATA(at), 4);
				else if (at->rta_type == IFA_LOCAL)
					memcpy(a.local, RTA_DATA(at), a.local_len = l);
				else if (at->rta_type == IFA_ADDRESS)
					memcpy(a.address, RTA_DATA(at), a.address_len = l);
			}
			if (flags & IFA_F_PERMANENT)
				out[(*n)++] = a;
		}
	}
}

/* The index of interface name in the namespace of socket fd; 0 or -errno. */
static int nl_link_index(int fd, const char *name)
{
	struct nl_req r = { .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)), .nlmsg_type = RTM_GETLINK,
				   .nlmsg_flags = NLM_F_REQUEST },
			    .link = { .ifi_family = AF_UNSPEC } };
	add_attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
	if (send(fd, &r, r.h.nlmsg_len, 0) < 0)
		return -errno;
	char buf[8192];
	ssize_t n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0)
		return -errno;
	for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
		if (h->nlmsg_type == NLMSG_ERROR)
			return ((struct nlmsgerr *) NLMSG_DATA(h))->error;
		if (h->nlmsg_type == RTM_NEWLINK)
			return ((struct ifinfomsg *) NLMSG_DATA(h))->ifi_index;
	}
	return -ENODEV;
}

int netdev_check(const struct spec *s, husk_error **err)
{
	for (size_t i = 0; i < s->n_net_devices; i++)
		if (if_nametoindex(s->net_devices[i].host_name) == 0)
			return husk_fail(err, 0, "linux.netDevices: there is no interface %s in husk's network namespace",
					 s->net_devices[i].host_name);
	return 0;
}

/* In the container's namespace (fd there): addresses back, then up. */
static int configure_moved(int fd, const struct spec_net_device *d, int old_index,
			   const struct saved_addr *addrs, size_t n, husk_error **err)
{
	const char *name = d->name ? d->name : d->host_name;
	/* A %d template's result is not known; the kernel keeps the index
	 * where the namespace has it free, as a new one has. */
	int index = strchr(name, '%') ? old_index : nl_link_index(fd, name);
	int r;
	if (index <= 0)
		return husk_fail(err, -index, "linux.netDevices.%s: find %s in the container", d->host_name, name);
	for (size_t i = 0; i < n; i++) {
		struct nl_req q = { .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg)),
					   .nlmsg_type = RTM_NEWADDR, .nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL },
				    .addr = addrs[i].msg };
		q.addr.ifa_index = index;
		if (addrs[i].local_len)
			add_attr(&q, IFA_LOCAL, addrs[i].local, addrs[i].local_len);
		if (addrs[i].address_len)
			add_attr(&q, IFA_ADDRESS, addrs[i].address, addrs[i].address_len);
		if ((r = nl_talk(fd, &q)) < 0 && r != -EEXIST)
			return husk_fail(err, -r, "linux.netDevices.%s: restore an address", d->host_name);
	}
	struct nl_req up = { .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)), .nlmsg_type = RTM_NEWLINK },
			     .link = { .ifi_family = AF_UNSPEC, .ifi_index = index, .ifi_flags = IFF_UP,
				       .ifi_change = IFF_UP } };
	if ((r = nl_talk(fd, &up)) < 0)
		return husk_fail(err, -r, "linux.netDevices.%s: set %s up", d->host_name, name);
	return 0;
}

/* A netlink socket of the namespace netns_fd: made there, husk back home. */
static int nl_open_in(int netns_fd, husk_error **err)
{
	cleanup_close int own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (own < 0)
		return husk_fail(err, errno, "open husk's network namespace");
	if (setns(netns_fd, CLONE_NEWNET) < 0)
		return husk_fail(err, errno, "enter the container's network namespace");
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), e = errno;
	if (setns(own, CLONE_NEWNET) < 0) {
		/* husk must not go on in the container's namespace. */
		_exit(1);
	}
	if (fd < 0)
		return husk_fail(err, e, "netlink socket");
	return fd;
}

int netdev_move(const struct spec *s, int netns_fd, husk_error **err)
{
	if (s->n_net_devices == 0)
		return 0;
	cleanup_close int host = nl_open(err);
	if (host < 0)
		return host;
	cleanup_close int ctr = nl_open_in(netns_fd, err);
	if (ctr < 0)
		return ctr;
	for (size_t i = 0; i < s->n_net_devices; i++) {
		const struct spec_net_device *d = &s->net_devices[i];
		struct saved_addr addrs[MAX_ADDRS];
		size_t n;
		int index = if_nametoindex(d->host_name), r;
		if (index == 0)
			return husk_fail(err, 0, "linux.netDevices: there is no interface %s in husk's network namespace",
					 d->host_name);
		if ((r = save_addrs(host, index, addrs, &n, err)) < 0)
			return r;
		/* The kernel moves the device first and renames it after: a
		 * name taken there would fail only once the device is gone. */
		const char *name = d->name ? d->name : d->host_name;
		if (!strchr(name, '%') && (r = nl_link_index(ctr, name)) != -ENODEV)
			return husk_fail(err, r < 0 ? -r : EEXIST,
					 "linux.netDevices.%s: the container's network namespace has %s", d->host_name,
					 name);
		struct nl_req q = { .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)), .nlmsg_type = RTM_NEWLINK },
				    .link = { .ifi_family = AF_UNSPEC, .ifi_index = index } };
		uint32_t ns = netns_fd;
		add_attr(&q, IFLA_NET_NS_FD, &ns, sizeof(ns));
		if (d->name)
			add_attr(&q, IFLA_IFNAME, d->name, strlen(d->name) + 1);
		if ((r = nl_talk(host, &q)) < 0)
			return husk_fail(err, -r, "linux.netDevices.%s: move into the container's network namespace%s%s",
					 d->host_name, d->name ? " as " : "", d->name ? d->name : "");
		if ((r = configure_moved(ctr, d, index, addrs, n, err)) < 0)
			return r;
	}
	return 0;
}
