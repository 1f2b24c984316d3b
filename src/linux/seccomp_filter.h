/* linux.seccomp, compiled with libseccomp by husk before the clone and
 * exported as a BPF program; the container process only installs it with
 * seccomp(2), as late as it can. */
#ifndef HUSK_LINUX_SECCOMP_FILTER_H
#define HUSK_LINUX_SECCOMP_FILTER_H

#include <json-c/json.h>
#include <linux/filter.h>
#include <stdbool.h>

#include "util/error.h"

struct seccomp_program {
	struct sock_filter *filter;
	unsigned short len;          /* instructions; 0: no filter */
	unsigned flags;              /* SECCOMP_FILTER_FLAG_* */
	bool notify;                 /* a rule uses SCMP_ACT_NOTIFY */
	const char *listener_path;   /* borrowed from the spec */
	const char *listener_metadata;
};

int seccomp_compile(json_object *seccomp, struct seccomp_program *ret, husk_error **err);

/* Installs the filter; *ret_notify_fd gets the listener fd when the
 * program has NOTIFY rules, else -1. */
int seccomp_install(const struct seccomp_program *p, int *ret_notify_fd, husk_error **err);

/* Hands the notify fd to the agent at listenerPath with the container
 * process state (seccomp.md): {"ociVersion","fds":["seccompFd"],"pid",
 * "metadata","state"}. */
int seccomp_send_listener(const struct seccomp_program *p, int notify_fd, const char *state_json,
			  pid_t pid, husk_error **err);

/* What this husk and libseccomp support (for `features`): calls add for
 * each action, operator, architecture and flag name. */
void seccomp_features(void (*add)(const char *kind, const char *name, void *ctx), void *ctx);
const char *seccomp_library_version(void);

void seccomp_program_free(struct seccomp_program *p);

#endif
