/* -p [HOSTIP:]HOSTPORT:CTRPORT[/tcp|udp]: published ports, as the list of
 * CNI's portMappings capability (CONVENTIONS.md): hostPort, containerPort,
 * protocol, hostIP. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/internal.h"
#include "util/cleanup.h"
#include "util/json.h"

static int port(const char *s, const char *flag, husk_error **err)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > 65535)
		return husk_fail(err, 0, "-p %s: expects [HOSTIP:]HOSTPORT:CTRPORT[/tcp|udp] (ports 1-65535)",
				 flag);
	return (int) v;
}

static int one(const char *flag, json_object *list, husk_error **err)
{
	cleanup_free char *s = strdup(flag);
	if (!s)
		return husk_fail(err, ENOMEM, "-p");
	const char *proto = "tcp";
	char *slash = strchr(s, '/');
	if (slash) {
		*slash = '\0';
		proto = slash + 1;
		if (strcmp(proto, "tcp") && strcmp(proto, "udp"))
			return husk_fail(err, 0, "-p %s: protocol %s: expects tcp or udp", flag, proto);
	}
	/* The last two ':' fields are the ports; what is before is the host
	 * address ([v6] in brackets). */
	char *c2 = strrchr(s, ':');
	if (!c2)
		return husk_fail(err, 0, "-p %s: expects [HOSTIP:]HOSTPORT:CTRPORT[/tcp|udp]", flag);
	*c2 = '\0';
	char *c1 = strrchr(s, ':'), *host_ip = NULL, *hport = s;
	if (c1 && (!strchr(s, ']') || c1 > strchr(s, ']'))) {
		*c1 = '\0';
		host_ip = s;
		hport = c1 + 1;
	}
	int h = port(hport, flag, err), ctr = h < 0 ? -1 : port(c2 + 1, flag, err);
	if (h < 0 || ctr < 0)
		return -1;
	if (host_ip) {
		size_t l = strlen(host_ip);
		if (l >= 2 && host_ip[0] == '[' && host_ip[l - 1] == ']') {
			host_ip[l - 1] = '\0';
			host_ip++;
		}
		unsigned char bin[16];
		if (*host_ip && inet_pton(AF_INET, host_ip, bin) != 1 &&
		    inet_pton(AF_INET6, host_ip, bin) != 1)
			return husk_fail(err, 0, "-p %s: %s: not an IP address", flag, host_ip);
	}
	json_object *m = json_object_new_object();
	json_object_object_add(m, "hostPort", json_object_new_int(h));
	json_object_object_add(m, "containerPort", json_object_new_int(ctr));
	json_object_object_add(m, "protocol", json_object_new_string(proto));
	if (host_ip && *host_ip)
		json_object_object_add(m, "hostIP", json_object_new_string(host_ip));
	json_object_array_add(list, m);
	return 0;
}

int ports_parse(char **publish, json_object **ret, husk_error **err)
{
	cleanup_json json_object *list = json_object_new_array();
	for (char **p = publish; p && *p; p++)
		if (one(*p, list, err) < 0)
			return -1;
	*ret = steal_ptr(list);
	return 0;
}
