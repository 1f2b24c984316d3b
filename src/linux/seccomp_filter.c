#include "linux/seccomp_filter.h"

#include <ctype.h>
#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fdpass.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

static void ctx_release(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}
#define cleanup_ctx __attribute__((cleanup(ctx_release)))

static const char *str_member(json_object *o, const char *key)
{
	json_object *v = json_member(o, key);
	return v && json_is_string(v) ? json_object_get_string(v) : NULL;
}

/* "SCMP_ACT_ERRNO" with its errnoRet (EPERM when absent) → a libseccomp
 * action.  errno_key names the errno field for errors: seccomp.md wants a
 * failure when it is given to an action that returns no errno. */
static int parse_action(const char *name, json_object *errno_ret, const char *errno_key,
			uint32_t *ret, bool *notify, husk_error **err)
{
	int e = errno_ret && json_is_integer(errno_ret) ? json_object_get_int(errno_ret) : EPERM;
	static const struct {
		const char *name;
		uint32_t action;
	} plain[] = {
		{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW },           { "SCMP_ACT_KILL", SCMP_ACT_KILL },
		{ "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD }, { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS },
		{ "SCMP_ACT_TRAP", SCMP_ACT_TRAP },             { "SCMP_ACT_LOG", SCMP_ACT_LOG },
		{ "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY },
	};
	if (name == NULL)
		return husk_fail(err, 0, "action is required");
	if (strcmp(name, "SCMP_ACT_ERRNO") == 0) {
		*ret = SCMP_ACT_ERRNO(e);
		return 0;
	}
	if (strcmp(name, "SCMP_ACT_TRACE") == 0) {
		*ret = SCMP_ACT_TRACE(e);
		return 0;
	}
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		if (strcmp(plain[i].name, name) == 0) {
			if (errno_ret)
				return husk_fail(err, 0, "%s is given, but %s returns no errno",
						 errno_key, name);
			*ret = plain[i].action;
			*notify |= plain[i].action == SCMP_ACT_NOTIFY;
			return 0;
		}
	}
	return husk_fail(err, 0, "unknown action \"%s\"", name);
}

static int parse_op(const char *name, enum scmp_compare *ret)
{
	static const struct {
		const char *name;
		enum scmp_compare op;
	} ops[] = {
		{ "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT },
		{ "SCMP_CMP_LE", SCMP_CMP_LE }, { "SCMP_CMP_EQ", SCMP_CMP_EQ },
		{ "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
		{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
	};
	for (size_t i = 0; name && i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(ops[i].name, name) == 0) {
			*ret = ops[i].op;
			return 0;
		}
	}
	return -1;
}

static int add_arch(scmp_filter_ctx ctx, const char *name, husk_error **err)
{
	char lower[64];
	const char *bare = strncmp(name, "SCMP_ARCH_", 10) == 0 ? name + 10 : name;
	size_t n = 0;
	for (; bare[n] && n < sizeof(lower) - 1; n++)
		lower[n] = tolower((unsigned char) bare[n]);
	lower[n] = '\0';
	uint32_t arch = seccomp_arch_resolve_name(lower);
	if (arch == 0)
		return husk_fail(err, 0, "unknown architecture \"%s\"", name);
	int r = seccomp_arch_add(ctx, arch);
	if (r < 0 && r != -EEXIST)
		return husk_fail(err, -r, "add architecture %s", name);
	return 0;
}

static int parse_args(json_object *args, struct scmp_arg_cmp *cmp, size_t *n, husk_error **err)
{
	*n = args ? json_object_array_length(args) : 0;
	if (*n > 6)
		return husk_fail(err, 0, "more than 6 argument conditions");
	for (size_t i = 0; i < *n; i++) {
		json_object *a = json_object_array_get_idx(args, i);
		json_object *idx = json_member(a, "index"), *val = json_member(a, "value"),
			    *two = json_member(a, "valueTwo");
		enum scmp_compare op;
		if (idx == NULL || json_object_get_int(idx) < 0 || json_object_get_int(idx) > 5)
			return husk_fail(err, 0, "args[%zu].index must be 0 to 5", i);
		if (parse_op(str_member(a, "op"), &op) < 0)
			return husk_fail(err, 0, "args[%zu].op: unknown operator", i);
		cmp[i] = (struct scmp_arg_cmp) {
			.arg = json_object_get_int(idx), .op = op,
			.datum_a = val ? json_object_get_uint64(val) : 0,
			.datum_b = two ? json_object_get_uint64(two) : 0,
		};
	}
	return 0;
}

/* One entry of "syscalls".  Conditions on the same argument cannot share
 * a libseccomp rule: as runc does, each then becomes a rule of its own. */
static int add_rules(scmp_filter_ctx ctx, json_object *rule, uint32_t default_action,
		     bool *notify, husk_error **err)
{
	uint32_t action;
	int r = parse_action(str_member(rule, "action"), json_member(rule, "errnoRet"), "errnoRet",
			     &action, notify, err);
	if (r < 0)
		return r;
	struct scmp_arg_cmp cmp[6];
	size_t n;
	if ((r = parse_args(json_member(rule, "args"), cmp, &n, err)) < 0)
		return r;
	bool same_index = false;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < i; k++)
			same_index |= cmp[i].arg == cmp[k].arg;
	json_object *names = json_member(rule, "names");
	for (size_t i = 0; names && i < json_object_array_length(names); i++) {
		const char *name = json_object_get_string(json_object_array_get_idx(names, i));
		int nr = name ? seccomp_syscall_resolve_name(name) : __NR_SCMP_ERROR;
		if (nr == __NR_SCMP_ERROR) {
			log_debug("seccomp: unknown syscall %s skipped", name ? name : "(null)");
			continue;
		}
		if (action == default_action)
			continue; /* libseccomp refuses redundant rules */
		if (!same_index) {
			r = seccomp_rule_add_array(ctx, action, nr, n, cmp);
		} else {
			for (size_t k = 0; k < n && r >= 0; k++)
				r = seccomp_rule_add_array(ctx, action, nr, 1, &cmp[k]);
		}
		if (r < 0)
			return husk_fail(err, -r, "add rule for %s", name);
	}
	return 0;
}

static int parse_flags(json_object *flags, unsigned *ret, husk_error **err)
{
	*ret = 0;
	for (size_t i = 0; flags && i < json_object_array_length(flags); i++) {
		const char *f = json_object_get_string(json_object_array_get_idx(flags, i));
		if (f == NULL)
			return husk_fail(err, 0, "flags[%zu] must be a string", i);
		if (strcmp(f, "SECCOMP_FILTER_FLAG_LOG") == 0)
			*ret |= SECCOMP_FILTER_FLAG_LOG;
		else if (strcmp(f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
			*ret |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
		else if (strcmp(f, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == 0)
			*ret |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
		else if (strcmp(f, "SECCOMP_FILTER_FLAG_TSYNC") != 0)
			return husk_fail(err, 0, "unknown flag \"%s\"", f);
	}
	return 0;
}

/* libseccomp writes BPF to an fd only: a memfd, read back. */
static int export_bpf(scmp_filter_ctx ctx, struct seccomp_program *p, husk_error **err)
{
	cleanup_close int fd = memfd_create("husk-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return husk_fail(err, errno, "memfd_create");
	int r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return husk_fail(err, -r, "export the filter");
	cleanup_free char *buf = NULL;
	size_t len;
	if ((r = read_fd_all(fd, &buf, &len, err)) < 0)
		return r;
	if (len == 0 || len % sizeof(struct sock_filter) || len / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return husk_fail(err, 0, "the filter has %zu bytes", len);
	p->filter = (struct sock_filter *) steal_ptr(buf);
	p->len = len / sizeof(struct sock_filter);
	return 0;
}

/* json-c asserts (or reads out of bounds) on an array call for what is not
 * one: every list the compiler walks is checked first. */
static int check_arrays(json_object *sc, husk_error **err)
{
	static const char *const lists[] = { "architectures", "syscalls", "flags" };
	for (size_t i = 0; i < sizeof(lists) / sizeof(*lists); i++) {
		json_object *v = json_member(sc, lists[i]);
		if (v && !json_is_array(v))
			return husk_fail(err, 0, "config.json: linux.seccomp.%s: must be an array", lists[i]);
	}
	json_object *calls = json_member(sc, "syscalls");
	for (size_t i = 0; calls && i < json_object_array_length(calls); i++) {
		json_object *rule = json_object_array_get_idx(calls, i), *names = json_member(rule, "names"),
			    *args = json_member(rule, "args");
		if ((names && !json_is_array(names)) || (args && !json_is_array(args)))
			return husk_fail(err, 0, "config.json: linux.seccomp.syscalls[%zu]: names and args must be arrays",
					 i);
	}
	return 0;
}

int seccomp_compile(json_object *sc, struct seccomp_program *p, husk_error **err)
{
	*p = (struct seccomp_program) { 0 };
	if (sc == NULL)
		return 0;
	if (check_arrays(sc, err) < 0)
		return -EINVAL;
	uint32_t def;
	int r = parse_action(str_member(sc, "defaultAction"), json_member(sc, "defaultErrnoRet"),
			     "defaultErrnoRet", &def, &p->notify, err);
	if (r < 0)
		return husk_wrap(err, "config.json: linux.seccomp.defaultAction");
	cleanup_ctx scmp_filter_ctx ctx = seccomp_init(def);
	if (ctx == NULL)
		return husk_fail(err, EINVAL, "seccomp_init");
	json_object *v = json_member(sc, "architectures");
	for (size_t i = 0; v && i < json_object_array_length(v); i++) {
		const char *arch = json_object_get_string(json_object_array_get_idx(v, i));
		if ((r = add_arch(ctx, arch ? arch : "", err)) < 0)
			return husk_wrap(err, "config.json: linux.seccomp.architectures[%zu]", i);
	}
	v = json_member(sc, "syscalls");
	for (size_t i = 0; v && i < json_object_array_length(v); i++)
		if ((r = add_rules(ctx, json_object_array_get_idx(v, i), def, &p->notify, err)) < 0)
			return husk_wrap(err, "config.json: linux.seccomp.syscalls[%zu]", i);
	if ((r = parse_flags(json_member(sc, "flags"), &p->flags, err)) < 0)
		return husk_wrap(err, "config.json: linux.seccomp");
	p->listener_path = str_member(sc, "listenerPath");
	p->listener_metadata = str_member(sc, "listenerMetadata");
	if (p->notify && (p->listener_path == NULL || *p->listener_path == '\0'))
		return husk_fail(err, 0, "config.json: linux.seccomp: SCMP_ACT_NOTIFY needs a listenerPath");
	if (p->notify)
		p->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	return export_bpf(ctx, p, err);
}

int seccomp_install(const struct seccomp_program *p, int *ret_notify_fd, husk_error **err)
{
	*ret_notify_fd = -1;
	if (p->len == 0)
		return 0;
	struct sock_fprog prog = { .len = p->len, .filter = p->filter };
	unsigned flags = p->flags;
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (r < 0 && errno == EINVAL && (flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)) {
		/* Older kernels: the flag is a nicety, not a requirement. */
		flags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
		r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	}
	if (r < 0)
		return husk_fail(err, errno, "install the seccomp filter");
	if (p->notify)
		*ret_notify_fd = r;
	return 0;
}

int seccomp_send_listener(const struct seccomp_program *p, int notify_fd, const char *state_json,
			  pid_t pid, husk_error **err)
{
	json_object *state = NULL;
	int r = json_parse_text(state_json, strlen(state_json), &state, err);
	if (r < 0)
		return r;
	json_object *o = json_object_new_object(), *fds = json_object_new_array();
	json_object_array_add(fds, json_object_new_string("seccompFd"));
	json_object_object_add(o, "ociVersion", json_object_new_string("1.0.2"));
	json_object_object_add(o, "fds", fds);
	json_object_object_add(o, "pid", json_object_new_int(pid));
	json_object_object_add(o, "metadata", json_object_new_string(p->listener_metadata ? p->listener_metadata : ""));
	json_object_object_add(o, "state", state);
	cleanup_free char *text = json_to_string(o, false);
	json_object_put(o);

	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(p->listener_path) >= sizeof(sa.sun_path))
		return husk_fail(err, ENAMETOOLONG, "seccomp listener %s", p->listener_path);
	strcpy(sa.sun_path, p->listener_path);
	cleanup_close int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *) &sa, sizeof(sa)) < 0)
		return husk_fail(err, errno, "connect to seccomp listener %s", p->listener_path);
	ssize_t sent = fdpass_send(sock, text, strlen(text), notify_fd);
	if (sent < 0)
		return husk_fail(err, (int) -sent, "send to seccomp listener %s", p->listener_path);
	return 0;
}

void seccomp_features(void (*add)(const char *kind, const char *name, void *ctx), void *ctx)
{
	static const char *const actions[] = {
		"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
		"SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP",
	};
	static const char *const operators[] = {
		"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT",
		"SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE",
	};
	static const char *const archs[] = {
		"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64",
		"SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32",
		"SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_RISCV64",
		"SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_X32", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64",
	};
	static const char *const flags[] = {
		"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
		"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
	};
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		add("actions", actions[i], ctx);
	for (size_t i = 0; i < sizeof(operators) / sizeof(operators[0]); i++)
		add("operators", operators[i], ctx);
	scmp_filter_ctx probe = seccomp_init(SCMP_ACT_ALLOW);
	for (size_t i = 0; i < sizeof(archs) / sizeof(archs[0]); i++) {
		char lower[32];
		size_t n = 0;
		for (const char *p = archs[i] + 10; *p && n < sizeof(lower) - 1; p++)
			lower[n++] = tolower((unsigned char) *p);
		lower[n] = '\0';
		/* Only what a filter made here can hold: libseccomp refuses
		 * to mix endiannesses with the native architecture. */
		uint32_t token = seccomp_arch_resolve_name(lower);
		if (!token || !probe)
			continue;
		int r = seccomp_arch_add(probe, token);
		if (r == 0 || r == -EEXIST)
			add("archs", archs[i], ctx);
		if (r == 0)
			seccomp_arch_remove(probe, token);
	}
	if (probe)
		seccomp_release(probe);
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		add("knownFlags", flags[i], ctx);
	/* Probed: a flag the kernel does not know fails with EINVAL, one it
	 * knows with EFAULT for the missing program. */
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		/* WAIT_KILLABLE_RECV is only valid together with a listener. */
		unsigned long f = i == 0 ? SECCOMP_FILTER_FLAG_LOG : i == 1 ? SECCOMP_FILTER_FLAG_SPEC_ALLOW
				: i == 2 ? SECCOMP_FILTER_FLAG_TSYNC
					 : SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV | SECCOMP_FILTER_FLAG_NEW_LISTENER;
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, f, NULL) < 0 && errno == EFAULT)
			add("supportedFlags", flags[i], ctx);
	}
}

const char *seccomp_library_version(void)
{
	static char buf[32];
	const struct scmp_version *v = seccomp_version();
	snprintf(buf, sizeof(buf), "%u.%u.%u", v->major, v->minor, v->micro);
	return buf;
}

void seccomp_program_free(struct seccomp_program *p)
{
	free(p->filter);
	p->filter = NULL;
	p->len = 0;
}
