/* Plugin results and error objects (SPEC.md section 5). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni/cni.h"
#include "util/cleanup.h"
#include "util/json.h"

/* "198.19.1.5/24" or "fd00::5/64": an address and a prefix length. */
static bool cidr_valid(const char *s, char *addr, size_t size)
{
	const char *slash = strchr(s, '/');
	if (!slash || (size_t) (slash - s) >= size || (size_t) (slash - s) >= INET6_ADDRSTRLEN)
		return false;
	memcpy(addr, s, slash - s);
	addr[slash - s] = '\0';
	unsigned char bin[16];
	int v6 = strchr(addr, ':') != NULL;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, addr, bin) != 1)
		return false;
	char *end;
	long p = strtol(slash + 1, &end, 10);
	return *end == '\0' && end != slash + 1 && p >= 0 && p <= (v6 ? 128 : 32);
}

int cni_result_parse(const char *text, size_t len, json_object **ret, husk_error **err)
{
	cleanup_json json_object *r = NULL;
	if (json_text_has_nul(text, len))
		return husk_fail(err, 0, "result: a NUL character in the JSON text");
	if (json_parse_text(text, len, &r, err) < 0)
		return husk_wrap(err, "result");
	if (!json_is_object(r))
		return husk_fail(err, 0, "result: expects a JSON object");
	if (!json_is_string(json_member(r, "cniVersion")))
		return husk_fail(err, 0, "result: cniVersion: expects a string");
	json_object *ifs = json_member(r, "interfaces"), *ips = json_member(r, "ips");
	if (ifs && !json_is_array(ifs))
		return husk_fail(err, 0, "result: interfaces: expects a list");
	if (ips && !json_is_array(ips))
		return husk_fail(err, 0, "result: ips: expects a list");
	size_t n_ifs = ifs ? json_object_array_length(ifs) : 0;
	for (size_t i = 0; i < n_ifs; i++) {
		json_object *f = json_object_array_get_idx(ifs, i);
		if (!json_is_object(f) || !json_is_string(json_member(f, "name")))
			return husk_fail(err, 0, "result: interfaces[%zu]: expects an object with a name", i);
	}
	for (size_t i = 0; ips && i < json_object_array_length(ips); i++) {
		json_object *ip = json_object_array_get_idx(ips, i);
		json_object *a = json_member(ip, "address"), *ifx = json_member(ip, "interface");
		char addr[INET6_ADDRSTRLEN];
		if (!json_is_object(ip) || !json_is_string(a) ||
		    !cidr_valid(json_object_get_string(a), addr, sizeof(addr)))
			return husk_fail(err, 0, "result: ips[%zu]: address: expects an address/prefix", i);
		if (ifx && (!json_is_integer(ifx) || json_object_get_int64(ifx) < 0 ||
			    (size_t) json_object_get_int64(ifx) >= n_ifs))
			return husk_fail(err, 0, "result: ips[%zu]: interface: not an index of interfaces",
					 i);
	}
	*ret = steal_ptr(r);
	return 0;
}

/* Whether ips[i] is on an interface inside the container ("sandbox"). */
static bool in_sandbox(json_object *result, json_object *ip)
{
	json_object *ifx = json_member(ip, "interface");
	if (!ifx)
		return false;
	json_object *f = json_object_array_get_idx(json_member(result, "interfaces"),
						   json_object_get_int64(ifx));
	const char *sb = json_object_get_string(json_member(f, "sandbox"));
	return sb && *sb;
}

const char *cni_result_address(json_object *result, char *buf, size_t size)
{
	json_object *ips = json_member(result, "ips");
	const char *first = NULL;
	for (size_t i = 0; json_is_array(ips) && i < json_object_array_length(ips); i++) {
		json_object *ip = json_object_array_get_idx(ips, i);
		const char *a = json_object_get_string(json_member(ip, "address"));
		if (!a)
			continue;
		if (in_sandbox(result, ip)) {
			first = a;
			break;
		}
		if (!first)
			first = a;
	}
	if (!first || !cidr_valid(first, buf, size))
		return NULL;
	return buf;
}

char *cni_error_message(const char *text, size_t len)
{
	cleanup_json json_object *e = NULL;
	if (len == 0 || json_parse_text(text, len, &e, NULL) < 0 || !json_is_object(e))
		return NULL;
	json_object *code = json_member(e, "code"), *msg = json_member(e, "msg");
	json_object *details = json_member(e, "details");
	if (!json_is_integer(code) && !json_is_string(msg))
		return NULL;
	char *out = NULL;
	const char *d = json_is_string(details) ? json_object_get_string(details) : "";
	/* Messages and details are cut, and kept to one line: they end up in
	 * husk's one-line error. */
	if (asprintf(&out, "%.512s%s%.512s%s [code %lld]",
		     json_is_string(msg) ? json_object_get_string(msg) : "error", *d ? " (" : "", d,
		     *d ? ")" : "", (long long) json_object_get_int64(code)) < 0)
		return NULL;
	for (char *p = out; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return out;
}
