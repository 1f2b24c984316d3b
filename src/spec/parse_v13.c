/* The fields runtime-spec 1.1 to 1.3 added: process.execCPUAffinity,
 * linux.memoryPolicy, linux.netDevices and linux.intelRdt.  Their shape and
 * meaning are checked here; what depends on the host (which CPUs, nodes and
 * interfaces exist) is checked by src/linux before anything is made. */
#include "spec/spec.h"

#include <errno.h>
#include <linux/mempolicy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/id_list.h"
#include "util/json.h"

/* Linux 6.9; Debian 12's headers predate it. */
#define MPOL_WEIGHTED_INTERLEAVE_ 6

/* Kernels have at most 8192 CPUs and 1024 memory nodes (NR_CPUS, NODES_SHIFT). */
#define CPU_ID_MAX 8191
#define NODE_ID_MAX 1023

static int bad(husk_error **err, const char *field, const char *why)
{
	return husk_fail(err, 0, "config.json: %s: %s", field, why);
}

/* obj[key] as a string of no NUL byte, or NULL when not given. */
static int get_string(json_object *obj, const char *field, const char *key, const char **out,
		      husk_error **err)
{
	json_object *v = json_member(obj, key);
	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_string(v) || json_string_has_nul(v))
		return husk_fail(err, 0, "config.json: %s.%s: %s", field, key,
				 json_is_string(v) ? "must not contain a NUL byte" : "must be a string");
	*out = json_object_get_string(v);
	return 0;
}

static int get_object(json_object *obj, const char *field, const char *key, json_object **out,
		      husk_error **err)
{
	*out = json_member(obj, key);
	if (*out != NULL && !json_is_object(*out))
		return husk_fail(err, 0, "config.json: %s%s%s: must be an object", field, *field ? "." : "", key);
	return 0;
}

static int check_list(const char *list, unsigned max, const char *noun, const char *field, husk_error **err)
{
	char why[96];
	if (list && id_list_parse(list, max, noun, NULL, 0, why, sizeof(why)) < 0)
		return husk_fail(err, 0, "config.json: %s: \"%.32s\": %s", field, list, why);
	return 0;
}

static int parse_exec_cpu_affinity(json_object *doc, struct spec *s, husk_error **err)
{
	json_object *proc = json_member(doc, "process"), *aff;
	struct spec_exec_cpu_affinity *a = &s->process.exec_cpu_affinity;
	int r;
	if (proc == NULL || !json_is_object(proc))
		return 0;
	if ((r = get_object(proc, "process", "execCPUAffinity", &aff, err)) < 0 || aff == NULL)
		return r;
	if ((r = get_string(aff, "process.execCPUAffinity", "initial", &a->initial, err)) < 0 ||
	    (r = get_string(aff, "process.execCPUAffinity", "final", &a->final, err)) < 0 ||
	    (r = check_list(a->initial, CPU_ID_MAX, "CPU", "process.execCPUAffinity.initial", err)) < 0 ||
	    (r = check_list(a->final, CPU_ID_MAX, "CPU", "process.execCPUAffinity.final", err)) < 0)
		return r;
	return 0;
}

static const struct {
	const char *name;
	int value;
} mpol_modes[] = {
	{ "MPOL_DEFAULT", MPOL_DEFAULT },     { "MPOL_PREFERRED", MPOL_PREFERRED },
	{ "MPOL_BIND", MPOL_BIND },           { "MPOL_INTERLEAVE", MPOL_INTERLEAVE },
	{ "MPOL_LOCAL", MPOL_LOCAL },         { "MPOL_PREFERRED_MANY", MPOL_PREFERRED_MANY },
	{ "MPOL_WEIGHTED_INTERLEAVE", MPOL_WEIGHTED_INTERLEAVE_ },
}, mpol_flags[] = {
	{ "MPOL_F_STATIC_NODES", MPOL_F_STATIC_NODES },
	{ "MPOL_F_RELATIVE_NODES", MPOL_F_RELATIVE_NODES },
	{ "MPOL_F_NUMA_BALANCING", MPOL_F_NUMA_BALANCING },
};

const char *spec_memory_policy_mode_name(int i)
{
	return i < (int) (sizeof(mpol_modes) / sizeof(*mpol_modes)) ? mpol_modes[i].name : NULL;
}

const char *spec_memory_policy_flag_name(int i)
{
	return i < (int) (sizeof(mpol_flags) / sizeof(*mpol_flags)) ? mpol_flags[i].name : NULL;
}

/* What set_mempolicy(2) would refuse with a bare EINVAL, said in words. */
static int check_memory_policy(const struct spec_memory_policy *m, const char *mode, husk_error **err)
{
	bool nodes = m->nodes && *m->nodes;
	bool no_nodes = m->mode == MPOL_DEFAULT || m->mode == MPOL_LOCAL;
	if (no_nodes && nodes)
		return husk_fail(err, 0, "config.json: linux.memoryPolicy.nodes: %s takes no nodes", mode);
	if (!no_nodes && m->mode != MPOL_PREFERRED && !nodes)
		return husk_fail(err, 0, "config.json: linux.memoryPolicy.nodes: %s needs at least one node", mode);
	if (m->flags && m->mode == MPOL_DEFAULT)
		return bad(err, "linux.memoryPolicy.flags", "MPOL_DEFAULT takes no flags");
	if ((m->flags & MPOL_F_STATIC_NODES) && (m->flags & MPOL_F_RELATIVE_NODES))
		return bad(err, "linux.memoryPolicy.flags",
			   "MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other");
	if ((m->flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES)) && m->mode == MPOL_LOCAL)
		return bad(err, "linux.memoryPolicy.flags", "MPOL_LOCAL takes no node flags");
	if ((m->flags & MPOL_F_NUMA_BALANCING) && m->mode != MPOL_BIND && m->mode != MPOL_PREFERRED_MANY)
		return bad(err, "linux.memoryPolicy.flags",
			   "MPOL_F_NUMA_BALANCING goes with MPOL_BIND or MPOL_PREFERRED_MANY only");
	return check_list(m->nodes, NODE_ID_MAX, "node", "linux.memoryPolicy.nodes", err);
}

static int parse_memory_policy(json_object *lx, struct spec *s, husk_error **err)
{
	const char *f = "linux.memoryPolicy", *mode = NULL;
	struct spec_memory_policy *m = &s->memory_policy;
	json_object *mp, *flags;
	int r;
	if ((r = get_object(lx, "linux", "memoryPolicy", &mp, err)) < 0 || mp == NULL)
		return r;
	if ((r = get_string(mp, f, "mode", &mode, err)) < 0 || (r = get_string(mp, f, "nodes", &m->nodes, err)) < 0)
		return r;
	if (mode == NULL)
		return bad(err, "linux.memoryPolicy.mode", "is required");
	m->mode = -1;
	for (size_t i = 0; i < sizeof(mpol_modes) / sizeof(*mpol_modes); i++)
		if (strcmp(mpol_modes[i].name, mode) == 0)
			m->mode = mpol_modes[i].value;
	if (m->mode < 0)
		return husk_fail(err, 0, "config.json: linux.memoryPolicy.mode: unknown mode \"%.32s\"", mode);
	flags = json_member(mp, "flags");
	if (flags && !json_is_array(flags))
		return bad(err, "linux.memoryPolicy.flags", "must be an array of strings");
	for (size_t i = 0; flags && i < json_object_array_length(flags); i++) {
		json_object *v = json_object_array_get_idx(flags, i);
		int found = -1;
		if (!json_is_string(v))
			return husk_fail(err, 0, "config.json: linux.memoryPolicy.flags[%zu]: must be a string", i);
		for (size_t k = 0; k < sizeof(mpol_flags) / sizeof(*mpol_flags); k++)
			if (strcmp(mpol_flags[k].name, json_object_get_string(v)) == 0)
				found = mpol_flags[k].value;
		if (found < 0)
			return husk_fail(err, 0, "config.json: linux.memoryPolicy.flags[%zu]: unknown flag \"%.32s\"",
					 i, json_object_get_string(v));
		m->flags |= found;
	}
	m->present = true;
	return check_memory_policy(m, mode, err);
}

/* As the kernel's dev_valid_name(): 1 to 15 bytes, not "." or "..", no
 * '/', ':' or white space.  A new name may be a template with %d. */
static bool ifname_valid(const char *n)
{
	size_t len = strlen(n);
	if (len == 0 || len >= 16 || strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
		return false;
	for (; *n; n++)
		if (*n == '/' || *n == ':' || *n == ' ' || (*n >= '\t' && *n <= '\r'))
			return false;
	return true;
}

static int parse_net_devices(json_object *lx, struct spec *s, husk_error **err)
{
	json_object *nd;
	int r;
	if ((r = get_object(lx, "linux", "netDevices", &nd, err)) < 0 || nd == NULL)
		return r;
	size_t n = json_object_object_length(nd);
	if (n == 0)
		return 0;
	if (!s->namespaces[NS_NET].present)
		return bad(err, "linux.netDevices", "needs a network namespace of the container's (linux.namespaces)");
	s->net_devices = calloc(n, sizeof(*s->net_devices));
	if (s->net_devices == NULL)
		return husk_fail(err, ENOMEM, "config.json");
	json_object_object_foreach(nd, key, val)
	{
		struct spec_net_device *d = &s->net_devices[s->n_net_devices++];
		char f[64];
		snprintf(f, sizeof(f), "linux.netDevices.%.20s", key);
		d->host_name = key;
		if (!ifname_valid(key))
			return bad(err, f, "is not a valid interface name");
		if (!json_is_object(val))
			return bad(err, f, "must be an object");
		if ((r = get_string(val, f, "name", &d->name, err)) < 0)
			return r;
		if (d->name && *d->name == '\0')
			d->name = NULL;
		if (d->name && !ifname_valid(d->name))
			return husk_fail(err, 0, "config.json: %s.name: \"%.20s\" is not a valid interface name", f,
					 d->name);
	}
	/* Two interfaces given one name: the second move could only fail. */
	for (size_t i = 0; i < s->n_net_devices; i++)
		for (size_t k = 0; k < i; k++) {
			const struct spec_net_device *a = &s->net_devices[i], *b = &s->net_devices[k];
			const char *an = a->name ? a->name : a->host_name, *bn = b->name ? b->name : b->host_name;
			if (strcmp(an, bn) == 0 && !strstr(an, "%d"))
				return husk_fail(err, 0, "config.json: linux.netDevices: %s and %s would both be named %s",
						 b->host_name, a->host_name, an);
		}
	return 0;
}

static int parse_intel_rdt(json_object *lx, struct spec *s, husk_error **err)
{
	json_object *rdt;
	int r;
	if ((r = get_object(lx, "linux", "intelRdt", &rdt, err)) < 0 || rdt == NULL)
		return r;
	if ((r = get_string(rdt, "linux.intelRdt", "closID", &s->intel_rdt.clos_id, err)) < 0)
		return r;
	s->intel_rdt.present = true;
	return 0;
}

int spec_parse_v13(json_object *doc, struct spec *s, husk_error **err)
{
	json_object *lx = json_member(doc, "linux");
	int r = parse_exec_cpu_affinity(doc, s, err);
	if (r < 0 || lx == NULL || !json_is_object(lx))
		return r;
	if ((r = parse_memory_policy(lx, s, err)) < 0 || (r = parse_net_devices(lx, s, err)) < 0 ||
	    (r = parse_intel_rdt(lx, s, err)) < 0)
		return r;
	return 0;
}
