/* /etc/hostname, /etc/hosts and /etc/resolv.conf of a container: written
 * in its directory and bind-mounted, as docker and podman do, so that the
 * image's own files stay untouched and each container has its name. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

/* The host's resolv.conf; without the host's network, nameservers on the
 * host's loopback (systemd-resolved's 127.0.0.53) cannot answer there. */
static char *resolv_conf(bool host_network)
{
	cleanup_free char *host = NULL;
	size_t len;
	husk_error *err = NULL;
	if (read_file_at(AT_FDCWD, "/etc/resolv.conf", &host, &len, &err) < 0) {
		husk_error_free(err);
		return strdup("");
	}
	if (host_network)
		return steal_ptr(host);
	char *out = calloc(1, len + 1);
	if (!out)
		return NULL;
	for (char *save = NULL, *line = strtok_r(host, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *ns = "nameserver";
		if (strncmp(line, ns, strlen(ns)) == 0) {
			const char *a = line + strlen(ns) + strspn(line + strlen(ns), " \t");
			if (strncmp(a, "127.", 4) == 0 || strcmp(a, "::1") == 0)
				continue;
		}
		strcat(out, line);
		strcat(out, "\n");
	}
	return out;
}

char *etc_hosts_text(const char *hostname, json_object *extra, const char *own, const char *peers)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	if (!f)
		return NULL;
	fputs("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n", f);
	if (own)
		fputs(own, f);
	else
		fprintf(f, "127.0.1.1\t%s\n", hostname ? hostname : "");
	for (size_t i = 0; json_is_array(extra) && i < json_object_array_length(extra); i++) {
		/* NAME:ADDRESS (checked at create); an IPv6 address has colons. */
		const char *h = json_object_get_string(json_object_array_get_idx(extra, i));
		const char *colon = h ? strchr(h, ':') : NULL;
		if (colon)
			fprintf(f, "%s\t%.*s\n", colon + 1, (int) (colon - h), h);
	}
	if (peers)
		fputs(peers, f);
	return fclose(f) == 0 ? out : (free(out), NULL);
}

/* --dns: the nameservers given, the host's search and options kept. */
static char *resolv_with(const char *host, json_object *dns)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	if (!f)
		return NULL;
	for (size_t i = 0; i < json_object_array_length(dns); i++)
		fprintf(f, "nameserver %s\n", json_object_get_string(json_object_array_get_idx(dns, i)));
	cleanup_free char *copy = strdup(host);
	for (char *save = NULL, *line = copy ? strtok_r(copy, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, "nameserver", 10))
			fprintf(f, "%s\n", line);
	return fclose(f) == 0 ? out : (free(out), NULL);
}

static void bind(json_object *mounts, const char *dst, const char *src)
{
	json_object *m = json_object_new_object(), *o = json_object_new_array();
	json_object_object_add(m, "destination", json_object_new_string(dst));
	json_object_object_add(m, "type", json_object_new_string("bind"));
	json_object_object_add(m, "source", json_object_new_string(src));
	json_object_array_add(o, json_object_new_string("rbind"));
	json_object_array_add(o, json_object_new_string("rprivate"));
	json_object_object_add(m, "options", o);
	json_object_array_add(mounts, m);
}

int etc_files_write(json_object *spec, json_object *meta, const char *cdir, bool host_network,
		    husk_error **err)
{
	json_object *hc = json_member(meta, "hostConfig");
	json_object *dns = json_member(hc, "Dns");
	cleanup_close int dfd = open(cdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return husk_fail(err, errno, "open %s", cdir);
	const char *hostname = json_object_get_string(json_member(spec, "hostname"));
	cleanup_free char *hn = NULL, *hosts = NULL;
	cleanup_free char *resolv = resolv_conf(host_network);
	if (resolv && json_is_array(dns) && json_object_array_length(dns) > 0) {
		char *r = resolv_with(resolv, dns);
		free(resolv);
		resolv = r;
	}
	hosts = etc_hosts_text(hostname, json_member(hc, "ExtraHosts"), NULL, NULL);
	if (asprintf(&hn, "%s\n", hostname) < 0 || !hosts || !resolv)
		return husk_fail(err, ENOMEM, "/etc files");
	if (write_file_at(dfd, "hostname", hn, strlen(hn), 0644, err) < 0 ||
	    write_file_at(dfd, "hosts", hosts, strlen(hosts), 0644, err) < 0 ||
	    write_file_at(dfd, "resolv.conf", resolv, strlen(resolv), 0644, err) < 0)
		return -1;
	json_object *mounts = json_member(spec, "mounts");
	static const char *const names[] = { "hostname", "hosts", "resolv.conf", NULL };
	for (const char *const *n = names; *n; n++) {
		char src[4096], dst[64];
		snprintf(src, sizeof(src), "%s/%s", cdir, *n);
		snprintf(dst, sizeof(dst), "/etc/%s", *n);
		bind(mounts, dst, src);
	}
	return 0;
}
