#include "linux/sysctls.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "linux/proc.h"
#include "util/json.h"

static bool own_ns(const struct spec *s, enum ns_type t)
{
	return s->namespaces[t].present && s->namespaces[t].path == NULL;
}

/* The namespace a key belongs to, or -1 when it is not namespaced. */
static int key_namespace(const char *key)
{
	static const char *const ipc_prefixes[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
						    "kernel.sem", "kernel.shmall", "kernel.shmmax",
						    "kernel.shmmni", "kernel.shm_rmid_forced",
						    "fs.mqueue.", NULL };
	for (int i = 0; ipc_prefixes[i]; i++)
		if (strncmp(key, ipc_prefixes[i], strlen(ipc_prefixes[i])) == 0)
			return NS_IPC;
	if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0)
		return NS_UTS;
	if (strncmp(key, "net.", 4) == 0)
		return NS_NET;
	return -1;
}

int sysctl_validate(const struct spec *s, husk_error **err)
{
	if (s->sysctl == NULL)
		return 0;
	json_object_object_foreach(s->sysctl, key, val)
	{
		(void) val; /* parsing checked it is a string */
		int ns = key_namespace(key);
		if (ns < 0)
			return husk_fail(err, 0, "config.json: linux.sysctl: %s is not namespaced and cannot be set for a container",
					 key);
		if (!own_ns(s, ns))
			return husk_fail(err, 0, "config.json: linux.sysctl: %s needs a new %s namespace", key,
					 ns_type_name(ns));
	}
	return 0;
}

/* kernel.hostname and kernel.domainname by their syscalls, which ask for
 * CAP_SYS_ADMIN over the uts namespace's owner: /proc/sys/kernel/hostname
 * is writable only by the host's root, never by the root of a user
 * namespace that maps 0 elsewhere.  The same value as the write would set
 * (proc_dostring stops at the first newline). */
static int uts_sysctl(const char *key, const char *value, bool *done, husk_error **err)
{
	bool host = strcmp(key, "kernel.hostname") == 0;
	*done = host || strcmp(key, "kernel.domainname") == 0;
	if (!*done)
		return 0;
	size_t n = strcspn(value, "\n");
	if ((host ? sethostname(value, n) : setdomainname(value, n)) < 0)
		return husk_fail(err, errno, "sysctl %s", key);
	return 0;
}

int sysctl_apply(const struct spec *s, int proc_fd, husk_error **err)
{
	if (s->sysctl == NULL)
		return 0;
	json_object_object_foreach(s->sysctl, key, val)
	{
		bool done;
		if (uts_sysctl(key, json_object_get_string(val), &done, err) < 0)
			return -1;
		if (done)
			continue;
		/* net.ipv4.conf.eth0/1.forwarding → sys/net/ipv4/conf/eth0.1/forwarding */
		char rel[512];
		int n = snprintf(rel, sizeof(rel), "sys/%s", key);
		if (n < 0 || n >= (int) sizeof(rel))
			return husk_fail(err, ENAMETOOLONG, "sysctl %s", key);
		for (char *p = rel + 4; *p; p++)
			*p = *p == '.' ? '/' : *p == '/' ? '.' : *p;
		int r = proc_write(proc_fd, rel, json_object_get_string(val), err);
		if (r < 0)
			return husk_wrap(err, "sysctl %s", key);
	}
	return 0;
}
