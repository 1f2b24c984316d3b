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

int etc_files_write(json_object *spec, const char *cdir, bool host_network, husk_error **err)
{
	cleanup_close int dfd = open(cdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return husk_fail(err, errno, "open %s", cdir);
	const char *hostname = json_object_get_string(json_member(spec, "hostname"));
	cleanup_free char *hn = NULL, *hosts = NULL;
	cleanup_free char *resolv = resolv_conf(host_network);
	if (asprintf(&hn, "%s\n", hostname) < 0 ||
	    asprintf(&hosts, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
			     "127.0.1.1\t%s\n", hostname) < 0 || !resolv)
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
