/* The interfaces of husk's bridge networks, made over rtnetlink (libmnl):
 * no `ip` process.  Calls without a netns fd work in the calling thread's
 * network namespace (the host's); the container's side is configured
 * through a netlink socket opened in the container's namespace. */
#ifndef HUSK_NET_LINK_H
#define HUSK_NET_LINK_H

#include <stdbool.h>

#include "util/error.h"

/* The bridge `name` with the addresses ("198.18.0.1/24", NULL-terminated),
 * up; what exists already is kept.  1 (nothing done) when its alias is
 * mark already: what net_link_mark set once the rest of the network was
 * made, so that later starts skip it; 0 otherwise. */
int net_bridge_ensure(const char *name, const char *const *addrs, const char *mark,
		      husk_error **err);
/* Sets the interface's alias (IFLA_IFALIAS). */
int net_link_mark(const char *name, const char *mark, husk_error **err);
/* Removes the interface; one that does not exist is no error. */
int net_link_del(const char *name, husk_error **err);
/* A veth pair: `host` on `bridge`, up; its peer made straight in the
 * network namespace of netns_fd as `peer`. */
int net_veth_add(const char *host, const char *bridge, int netns_fd, const char *peer,
		 husk_error **err);

/* Inside netns_fd: lo up, `ifname` up with the addresses; default routes
 * by gw4/gw6 when given (NULL: none). */
struct net_ctr_if {
	const char *ifname;
	const char *const *addrs;   /* "198.18.0.5/24", NULL-terminated */
	const char *gw4, *gw6;
};
int net_ctr_configure(int netns_fd, const struct net_ctr_if *c, husk_error **err);

#endif
